"""Following links in the reader like a browser: numbers, Tab, the picker, the mouse,
back and forward, history across restarts, saving with ``reached_from``; links that are
not articles or that time out leave the user where they were."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.core import Reader, open_reader
from reader.site_server import SiteServer
from reader.tui.screens.main import MainScreen
from tests.test_tui_app import make_app, subscribed, wait_for

HARBOUR = "Harbour bridge reopens after eighteen months of repairs"
FERRY = "Winter ferry timetable cuts late crossings"
STORM = "Storm warning for the coast this weekend"
MARKET = "Market square to lose its car park"


def shown_title(main: MainScreen) -> str:
    article = main.article_view.article
    return article.title if article is not None else ""


def number_of(main: MainScreen, title: str) -> int:
    """The number the reader gives the link titled ``title`` (the related list's)."""
    links = main.article_view.links
    return max(n for n, link in enumerate(links, start=1) if link.text == title)


async def open_entry_titled(pilot: Pilot[None], main: MainScreen, title: str) -> None:
    source = main.entry_list.source
    index = next(i for i in range(len(source)) if source.row(i).title == title)  # type: ignore[union-attr]
    main.entry_list.set_cursor(index)
    main.show_pane("entries")
    await pilot.press("enter")
    await wait_for(pilot, lambda: not main.article_view.loading)
    main.show_pane("article")
    await pilot.pause()


async def follow(pilot: Pilot[None], main: MainScreen, title: str) -> None:
    """Type the link's number, Enter, and wait for the page."""
    await pilot.press(*str(number_of(main, title)), "enter")
    await wait_for(pilot, lambda: main.link_request is None and shown_title(main) == title)


@pytest.fixture
def store(db_path: Path) -> Iterator[Reader]:
    reader = open_reader(db_path)
    yield reader
    reader.close()


async def test_three_deep_back_twice_forward_once_then_save(
    store: Reader, site: SiteServer
) -> None:
    await subscribed(store, site)
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)
        assert shown_title(main) == HARBOUR
        assert app.focused is main.article_view
        # body links are numbered inline, the related list continues the numbering
        text = "\n".join(main.article_view.text_lines)
        body = len(main.article_view.article.links)  # type: ignore[union-attr]
        assert body >= 1 and "[1]" in text.split("Links")[0]
        assert f"[{body + 1}] {FERRY}" in text

        await follow(pilot, main, FERRY)
        await follow(pilot, main, STORM)
        await follow(pilot, main, FERRY)  # three deep: harbour > ferry > storm > ferry
        assert [v.url.rsplit("/", 1)[-1] for v in main.history.visits] == [
            "harbour-bridge-reopens.html",
            "ferry-timetable-winter.html",
            "storm-warning-coast.html",
            "ferry-timetable-winter.html",
        ]
        await pilot.press("h")
        await wait_for(pilot, lambda: shown_title(main) == STORM)
        await pilot.press("backspace")
        await wait_for(pilot, lambda: shown_title(main) == FERRY)
        assert main.history.index == 1
        await pilot.press("l")
        await wait_for(pilot, lambda: shown_title(main) == STORM)
        assert main.history.index == 2

        await pilot.press("s")
        saved = store.saved()
        assert [s.title for s in saved] == [STORM]
        assert saved[0].reached_from == site.url("/articles/ferry-timetable-winter.html")

        # the reading list shows it
        main.feed_list.select_key("saved")
        await pilot.pause()
        assert main.entry_list.current_row is not None
        assert main.entry_list.current_row.title == STORM
