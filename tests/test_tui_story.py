"""More on this story in the app: a third list under Related, numbered after the others
and followed like them (number, Tab, click, L); duplicates listed once with both feeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core import Reader, open_reader
from reader.models import Article, Block, Span, StoryLink
from reader.site_server import SiteServer
from reader.tui.screens.links import LinkPickerScreen
from reader.tui.screens.main import MainScreen
from tests.conftest import FrozenClock
from tests.test_story import LABELS, STORIES, read_every_page
from tests.test_tui_app import make_app, wait_for
from tests.test_tui_links import open_entry_titled, shown_title

INGRID = "Storm Ingrid leaves 3,200 homes in Port Alder without power"
PHARE = "Tempête Ingrid : 3 200 foyers privés d'électricité à Port Alder"


@pytest.fixture
def stories_site() -> Iterator[SiteServer]:
    with SiteServer(STORIES) as server:
        yield server


@pytest.fixture
def store(db_path: Path) -> Iterator[Reader]:
    reader = open_reader(db_path, clock=FrozenClock())
    yield reader
    reader.close()


async def subscribed(reader: Reader, site: SiteServer) -> None:
    """Every outlet, refreshed, and every page read once (so opening is instant). The
    wire's copies arrive after the outlets' originals, as in life: refreshed together,
    which copy is stored first (and listed) depended on which feed answered first."""
    urls = {name: site.url(path) for name, path in LABELS["feeds"].items()}
    reader.add_feeds((url, None, None) for url in urls.values())
    await reader.refresh([url for name, url in urls.items() if name != "wire"], force=True)
    await reader.refresh([urls["wire"]], force=True)
    await read_every_page(reader)
    await reader.aclose()


def more_number(main: MainScreen, title: str) -> int:
    kinds = main.article_view.link_kinds
    links = main.article_view.links
    return next(
        n
        for n, (link, kind) in enumerate(zip(links, kinds, strict=True), start=1)
        if kind == "more on this story" and link.text == title
    )


async def open_ingrid(pilot, main: MainScreen) -> None:  # type: ignore[no-untyped-def]
    await open_entry_titled(pilot, main, INGRID)
    await wait_for(pilot, lambda: len(main.article_view.more) == 3)


async def test_the_list_comes_under_related_with_feed_and_age(
    store: Reader, stories_site: SiteServer
) -> None:
    await subscribed(store, stories_site)
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        view = main.article_view
        await open_ingrid(pilot, main)
        assert {story.feed for story in view.more} == {"Harbour Herald", "Küstenbote", "Le Phare"}
        lines = [line.strip() for line in view.text_lines]
        start = lines.index("More on this story")
        assert start > 0 and all(line != "More on this story" for line in lines[start + 1 :])
        number = more_number(main, PHARE)
        assert number == len(view.article.links) + len(view.article.related) + (  # type: ignore[union-attr]
            [s.title for s in view.more].index(PHARE) + 1
        )
        at = lines.index(f"[{number}] {PHARE}")
        assert lines[at + 1] == "Le Phare · 6d"  # 27 November 10:30 UTC, seen on 4 December

        # a number and Enter follow it; opening it reads its entry
        await pilot.press(*str(number), "enter")
        await wait_for(pilot, lambda: shown_title(main) == PHARE)
        phare = store.entry_by_url(stories_site.url("/lephare/tempete-ingrid-port-alder.html"))
        assert phare is not None and phare.read
        # and the Courier's report is more on the story of this one
        await wait_for(pilot, lambda: "Coastline Courier" in {s.feed for s in view.more})


async def test_tab_a_click_and_the_picker_reach_them(
    store: Reader, stories_site: SiteServer
) -> None:
    await subscribed(store, stories_site)
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        view = main.article_view
        await open_ingrid(pilot, main)
        number = more_number(main, PHARE)
        for _ in range(len(view.links)):
            if view.highlighted == number:
                break
            await pilot.press("tab")
        assert view.highlighted == number
        assert view.border_subtitle is not None
        assert "tempete-ingrid-port-alder" in str(view.border_subtitle)
        await pilot.press("escape")

        await pilot.press("L")
        picker = app.screen
        assert isinstance(picker, LinkPickerScreen)
        assert picker.kinds.count("more on this story") == 3
        await pilot.press("escape")

        spot = next(s for s in view.link_spots if s.number == number)
        view.scroll_to(y=spot.line - 2, animate=False, immediate=True)
        await pilot.pause()
        await pilot.click("#article", offset=(6, 1 + spot.line - round(view.scroll_y)))
        await wait_for(pilot, lambda: shown_title(main) == PHARE)


async def test_a_republished_entry_is_listed_once_with_both_feeds(
    store: Reader, stories_site: SiteServer
) -> None:
    await subscribed(store, stories_site)
    app = make_app(store)
    async with app.run_test(size=(160, 40)) as pilot:
        main = app.main
        await pilot.pause()
        source = main.entry_list.source
        rows = [source.row(i) for i in range(len(source))]
        ingrid = [row for row in rows if row is not None and row.title == INGRID]
        assert [row.feed for row in ingrid] == ["Coastline Courier + Wire Digest"]
        total = sum(feed.entry_count for feed in store.feeds())
        assert len(source) == total - 2
        assert main.feed_list.rows[0].unread == total - 2


async def test_a_list_for_an_article_no_longer_shown_is_dropped(store: Reader) -> None:
    store.add_feeds([("https://news.example/feed.xml", "News", None)])
    app = make_app(store)
    async with app.run_test(size=(130, 40)) as pilot:
        view = app.main.article_view
        app.main.show_pane("article")
        await pilot.pause()
        first = Article(
            url="https://a.example/1", title="One", blocks=(Block("paragraph", (Span("x"),)),)
        )
        second = Article(url="https://a.example/2", title="Two", blocks=first.blocks)
        view.show(first)
        view.show(second)
        story = StoryLink("Elsewhere", "https://b.example/1", "B", None, 1)
        view.show_more(first, [story], 0.0)  # it came too late
        await pilot.pause()
        assert view.more == () and "More on this story" not in view.text_lines
        view.show_more(second, [story], 0.0)
        await pilot.pause()
        assert view.links[-1].url == "https://b.example/1"
        assert any(line.strip() == "More on this story" for line in view.text_lines)
