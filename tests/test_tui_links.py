"""Following links in the reader like a browser: numbers, Tab, the picker, the mouse,
back and forward, history across restarts, saving with ``reached_from``; links that are
not articles or that time out leave the user where they were."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.core import Reader, open_reader
from reader.models import Link
from reader.site_server import Request, Response, SiteServer
from reader.tui.screens.history_list import HistoryScreen
from reader.tui.screens.links import LinkPickerScreen, link_matches
from reader.tui.screens.main import MainScreen
from tests.conftest import FrozenClock
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
    await wait_for(pilot, lambda: not main.article_view.fetching)
    main.show_pane("article")
    await pilot.pause()


async def follow(pilot: Pilot[None], main: MainScreen, title: str) -> None:
    """Type the link's number, Enter, and wait for the page."""
    await pilot.press(*str(number_of(main, title)), "enter")
    await wait_for(pilot, lambda: main.navigator.pending_url is None and shown_title(main) == title)


@pytest.fixture
def store(db_path: Path) -> Iterator[Reader]:
    reader = open_reader(db_path, clock=FrozenClock())
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


async def test_tab_highlights_links_and_a_click_follows(store: Reader, site: SiteServer) -> None:
    await subscribed(store, site)
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        view = main.article_view
        await open_entry_titled(pilot, main, HARBOUR)
        await pilot.press("tab")
        assert view.highlighted == 1 and app.focused is view  # Tab stays in the reader
        await pilot.press("tab", "tab")
        assert view.highlighted == 3
        await pilot.press("shift+tab")
        assert view.highlighted == 2
        await pilot.press("shift+tab")
        assert view.highlighted == 1
        assert view.border_subtitle is not None and "ferry-timetable" in str(view.border_subtitle)
        await pilot.press("escape")  # first Escape drops the highlight, stays in the reader
        assert view.highlighted is None and main.pane == "article"

        # a click on the related link follows it
        number = number_of(main, MARKET)
        spot = next(s for s in view.link_spots if s.number == number)
        view.scroll_to(y=spot.line - 2, animate=False, immediate=True)
        await pilot.pause()
        await pilot.click("#article", offset=(4, 1 + spot.line - round(view.scroll_y)))
        await wait_for(pilot, lambda: shown_title(main) == MARKET)
        assert main.history.current is not None
        harbour = site.url("/articles/harbour-bridge-reopens.html")
        assert main.history.current.reached_from == harbour


async def test_tab_changes_pane_when_the_article_has_no_links(store: Reader) -> None:
    from reader.models import Article, Block, Span

    store._storage.add_feeds([("https://news.example/feed.xml", "News", None)])
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        main.article_view.show(Article(url="https://x.example/", title="Plain",
                                       blocks=(Block("paragraph", (Span("text"),)),)))  # fmt: skip
        main.show_pane("article")
        await pilot.press("tab")
        assert main.pane == "feeds"


async def test_link_picker_filters_by_text_and_address(store: Reader, site: SiteServer) -> None:
    assert link_matches(Link("Winter ferry", "https://a.example/x"), "FERRY")
    assert link_matches(Link("Winter ferry", "https://a.example/x"), "winter a.example")
    assert not link_matches(Link("Winter ferry", "https://a.example/x"), "storm")
    await subscribed(store, site)
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)
        await pilot.press("L")
        picker = app.screen
        assert isinstance(picker, LinkPickerScreen)
        assert len(picker.values) == len(main.article_view.links) == 4
        await pilot.press(*"market")
        assert picker.values == [number_of(main, MARKET)]
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press("backspace", *"redesign.html")  # matches by address too
        assert picker.values == [number_of(main, MARKET)]
        await pilot.press(*" zzz")
        assert picker.values == []
        await pilot.press("enter")  # nothing to follow: stays open
        assert app.screen is picker
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert shown_title(main) == HARBOUR

        await pilot.press("L", *"ferry timetable cuts", "enter")
        await wait_for(pilot, lambda: shown_title(main) == FERRY)
        assert [v.url.rsplit("/", 1)[-1] for v in main.history.visits][-1] == (
            "ferry-timetable-winter.html"
        )


async def test_history_survives_a_restart(db_path: Path, site: SiteServer) -> None:
    reader = open_reader(db_path, clock=FrozenClock())
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)
        await follow(pilot, main, FERRY)
        await follow(pilot, main, STORM)
        await pilot.press("h")
        await wait_for(pilot, lambda: shown_title(main) == FERRY)
    reader.close()

    reader = open_reader(db_path, clock=FrozenClock())
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        # it reopens on the page reached by a link, with back and forward still there
        await wait_for(pilot, lambda: shown_title(main) == FERRY)
        assert len(main.history.visits) == 3 and main.history.index == 1
        await pilot.press("H")
        listing = app.screen
        assert isinstance(listing, HistoryScreen)
        assert listing.values == [2, 1, 0]  # newest first
        await pilot.press("escape")
        main.show_pane("article")
        await pilot.press("alt+right")
        await wait_for(pilot, lambda: shown_title(main) == STORM)
        await pilot.press("H", "down", "down", "enter")  # the oldest: the entry
        await wait_for(pilot, lambda: shown_title(main) == HARBOUR)
        assert main.page is not None and main.page.entry is not None
        assert main.history.index == 0 and len(main.history.visits) == 3
    reader.close()


async def test_links_that_are_not_articles_leave_the_user_where_they_were(
    store: Reader, site: SiteServer
) -> None:
    release = threading.Event()
    pending_while_out: list[str | None] = []
    screens: list[MainScreen] = []

    def slow(request: Request) -> Response:
        # the loading state, seen while the request is out (not after a race with the
        # timeout, which a loaded machine can lose)
        pending_while_out.append(screens[0].navigator.pending_url if screens else None)
        release.wait(10)
        return Response(200, b"<html><body>late</body></html>", {"Content-Type": "text/html"})

    site.routes["/paper.pdf"] = lambda request: Response(
        200, b"%PDF-1.4\n", {"Content-Type": "application/pdf"}
    )
    site.routes["/tag/harbour"] = slow
    await subscribed(store, site)
    store.config = replace(store.config, timeout=0.5)
    app = make_app(store)
    try:
        async with app.run_test(size=(130, 40), notifications=True) as pilot:
            main = app.main
            screens.append(main)
            await open_entry_titled(pilot, main, HARBOUR)
            before = main.page
            visits = list(main.history.visits)

            def notes() -> list[str]:
                return [str(n.message) for n in app._notifications]

            # a PDF
            main.follow_link(site.url("/paper.pdf"))
            await wait_for(pilot, lambda: any("PDF" in n for n in notes()))
            assert main.page is before and main.history.visits == visits
            assert main.navigator.pending_url is None and main.article_view.border_subtitle != "⟳"

            # a page that times out
            tag = next(n for n, link in enumerate(main.article_view.links, 1)
                       if link.url.endswith("/tag/harbour"))  # fmt: skip
            await pilot.press(*str(tag), "enter")
            await wait_for(pilot, lambda: bool(pending_while_out))
            assert pending_while_out[0] is not None and pending_while_out[0].endswith(
                "/tag/harbour"
            )
            await wait_for(pilot, lambda: main.navigator.pending_url is None)
            assert main.page is before and main.history.visits == visits
            assert any("tag/harbour" in n for n in notes())

            # mailto: and other schemes are refused, never fetched
            requests = len(site.requests)
            main.follow_link("mailto:editor@gazette.example")
            main.follow_link("javascript:alert(1)")
            await pilot.pause()
            assert any("mailto" in n and "only http and https" in n for n in notes())
            assert len(site.requests) == requests
            assert main.page is before and main.history.visits == visits
            assert shown_title(main) == HARBOUR
    finally:
        release.set()


async def test_a_followed_link_that_is_a_feed_entry_falls_back_on_its_content(
    store: Reader, site: SiteServer
) -> None:
    site.routes["/articles/ferry-timetable-winter.html"] = lambda request: Response(503)
    await subscribed(store, site)
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)
        await pilot.press(*str(number_of(main, FERRY)), "enter")
        await wait_for(pilot, lambda: main.navigator.pending_url is None)
        article = main.article_view.article
        assert article is not None and article.source == "feed"
        assert article.note and "503" in article.note
        assert "The harbour ferry will stop running" in " ".join(b.text for b in article.blocks)
        assert main.history.current is not None and main.history.current.url.endswith(
            "/ferry-timetable-winter.html"
        )
