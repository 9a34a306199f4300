"""Pilot flows of the reading app against the local news site."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.css.stylesheet import Stylesheet
from textual.pilot import Pilot
from textual.screen import Screen

from reader.core import Reader, open_reader
from reader.models import Article, Block, EntryData, EntryFilter, Span
from reader.site_server import SiteServer
from reader.tui.app import ReaderApp
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import PANES
from reader.tui.widgets.entry_list import PAGE_SIZE, EntrySource, SavedSource
from reader.tui.widgets.key_footer import KeyFooter
from tests.conftest import FROZEN_NOW, FrozenClock


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 15) -> None:
    """Poll ``condition`` between frames until it holds (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)


def make_app(reader: Reader, **options: object) -> ReaderApp:
    return ReaderApp(reader, background_refresh=False, **options)  # type: ignore[arg-type]


async def subscribed(reader: Reader, site: SiteServer, refresh: bool = True) -> None:
    reader._storage.add_feeds(
        [(site.url("/feed.xml"), None, None), (site.url("/atom.xml"), None, "Culture")]
    )
    if refresh:
        await reader.refresh(force=True)
        await reader.aclose()


async def test_refresh_open_read_and_mark_read(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site, refresh=False)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        assert [r.kind for r in main.feed_list.rows[:3]] == ["all", "unread", "saved"]
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.refreshing)
        # 8 entries; both feeds have two of them, listed (and counted) once
        assert len(main.entry_list.source) == 6
        assert main.feed_list.rows[0].unread == 6
        assert main.status.last_refresh == FROZEN_NOW

        await pilot.press("tab")  # to the entries
        assert app.focused is main.entry_list
        await pilot.press("j", "enter")
        row = main.entry_list.current_row
        assert row is not None and main.page is not None
        # the feed's content at once, then the page when the worker is done
        await wait_for(pilot, lambda: not main.article_view.fetching)
        assert main.page.article.source == "page"
        heading = " ".join(line.strip() for line in main.article_view.text_lines[:3])
        assert heading.startswith(row.title)
        entry = reader._storage.get_entry(row.key)
        assert entry is not None and entry.read
        assert main.feed_list.rows[0].unread == 5

        await pilot.press("m")  # unread again
        entry = reader._storage.get_entry(row.key)
        assert entry is not None and not entry.read
        assert main.feed_list.rows[0].unread == 6

        await pilot.press("space")  # pages the article
        await pilot.press("n")  # the next unread after the open one
        assert main.page.entry is not None and main.page.entry.id != row.key
        assert reader._storage.get_entry(main.page.entry.id).read  # type: ignore[union-attr]

        await pilot.press("A")  # the whole selection (All) read: two feeds, so it asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        assert reader._storage.count_entries(EntryFilter(unread_only=True)) == 0


async def test_next_unread_goes_across_feeds(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site)
    # the Culture feed: both its entries are in the other feed too, which keeps four more
    first_feed = next(feed for feed in reader.feeds() if feed.folder == "Culture")
    reader.mark_feed_read(first_feed.id)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        key = next(r.key for r in main.feed_list.rows if r.feed and r.feed.id == first_feed.id)
        main.feed_list.select_key(key)
        await pilot.pause()
        await pilot.press("n")
        assert main.page is not None and main.page.entry is not None
        assert main.page.entry.feed_id != first_feed.id
        assert main.feed_list.current is not None
        assert main.feed_list.current.feed is not None
        assert main.feed_list.current.feed.id == main.page.entry.feed_id


async def test_next_and_previous_unread_stay_in_all_at_its_ends(
    reader: Reader, site: SiteServer
) -> None:
    # All holds every feed: at its first unread, p went round to the last feed and left
    # All for that feed's list (n at its last unread, to the first feed)
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        main = app.main
        assert main.feed_list.current is not None and main.feed_list.current.kind == "all"
        await pilot.press("tab", "enter")  # the first entry of All, now read
        first = main.page.entry if main.page is not None else None
        assert first is not None
        await pilot.press("p")
        assert main.feed_list.current is not None and main.feed_list.current.kind == "all"
        assert main.page is not None and main.page.entry is not None
        assert main.page.entry.id == first.id
        assert "No unread entries above" in [str(n.message) for n in app._notifications]
        await pilot.press("G", "enter")  # the last entry of All
        last = main.page.entry if main.page is not None else None
        assert last is not None and last.id != first.id
        await pilot.press("n")
        assert main.feed_list.current is not None and main.feed_list.current.kind == "all"
        assert main.page is not None and main.page.entry is not None
        assert main.page.entry.id == last.id
        assert "No unread entries below" in [str(n.message) for n in app._notifications]
        await pilot.press("p")  # the ones between are still there
        assert main.page.entry is not None and main.page.entry.id != last.id


async def test_a_refresh_that_failed_whole_is_not_shown_as_done(
    reader: Reader, site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a refresh that met a store locked by another program stored nothing, and the status
    # line said "refreshed 18:45" beside the error
    from reader.errors import DatabaseLockedError

    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        assert main.status.last_refresh is None

        async def locked(*args: object, **kwargs: object) -> None:
            raise DatabaseLockedError("the store is locked by another program")

        monkeypatch.setattr(reader, "refresh", locked)
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.refreshing)
        assert main.status.last_error is not None and "locked" in main.status.last_error
        assert main.status.last_refresh is None
        assert "refreshed" not in main.status.render().plain


async def test_mark_feed_read_on_the_reading_list_says_what_it_marks(
    reader: Reader, site: SiteServer
) -> None:
    # A on the Reading list row did nothing, and said nothing
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        main = app.main
        main.feed_list.select_key(main.feed_list.rows[2].key)
        await pilot.pause()
        assert main.feed_list.current is not None and main.feed_list.current.kind == "saved"
        unread = main.feed_list.rows[0].unread
        await pilot.press("A")
        assert isinstance(app.screen, Screen) and not isinstance(app.screen, ConfirmScreen)
        assert [str(n.message) for n in app._notifications] == [
            "Highlight a feed, a folder or All to mark it read"
        ]
        assert main.feed_list.rows[0].unread == unread


async def test_save_then_read_the_reading_list_offline(db_path: Path, site: SiteServer) -> None:
    reader = open_reader(db_path, clock=FrozenClock())
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: not main.article_view.fetching)
        assert main.page is not None
        title = main.page.article.title
        await pilot.press("s")
        assert reader.is_saved(main.page.article.url)
        row = main.entry_list.current_row
        assert row is not None and row.saved
        assert main.feed_list.rows[2].unread == 1  # the reading list's count
    reader.close()

    site.stop()  # offline from here on
    reader = open_reader(db_path, clock=FrozenClock())
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        main.feed_list.select_key("saved")
        await pilot.pause()
        assert isinstance(main.entry_list.source, SavedSource)
        await pilot.press("tab", "enter")
        assert main.page is not None and main.page.article.title == title
        assert any("\u00a0" not in line and line.strip() for line in main.article_view.text_lines)
        assert len(main.article_view.text_lines) > 10  # the whole text, not just a title
        await pilot.press("s")  # off the list again
        assert len(main.entry_list.source) == 0
    reader.close()


async def test_remove_a_feed_after_confirming(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        index = next(i for i, r in enumerate(main.feed_list.rows) if r.kind == "feed")
        main.feed_list.set_cursor(index)
        doomed = main.feed_list.rows[index].feed
        assert doomed is not None
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # changed my mind
        assert len(reader.feeds()) == 2
        await pilot.press("d")
        await pilot.press("y")
        assert [f.url for f in reader.feeds()] != [] and doomed.url not in [
            f.url for f in reader.feeds()
        ]
        assert all(r.feed is None or r.feed.id != doomed.id for r in main.feed_list.rows)


async def test_add_a_feed_from_a_page_address(reader: Reader, site: SiteServer) -> None:
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        assert main.query_one("#welcome").display  # no feeds yet: the welcome
        await pilot.press("a")
        await pilot.press(*site.url("/index.html"))
        await pilot.press("tab")  # to the folder
        await pilot.press(*"Local", "enter")
        await wait_for(pilot, lambda: bool(reader.feeds()) and not main.refreshing)
        assert [(f.url, f.folder) for f in reader.feeds()] == [(site.url("/feed.xml"), "Local")]
        assert not main.query_one("#welcome").display
        assert len(main.entry_list.source) == 6


async def test_reopens_where_the_user_left(db_path: Path, site: SiteServer) -> None:
    reader = open_reader(db_path, clock=FrozenClock())
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 16)) as pilot:
        main = app.main
        key = next(r.key for r in main.feed_list.rows if r.kind == "feed")
        main.feed_list.select_key(key)
        await pilot.pause()
        await pilot.press("tab", "j", "j", "enter")
        await wait_for(pilot, lambda: not main.article_view.fetching)
        await pilot.press("space")
        opened = main.entry_list.current_row
        await pilot.pause()
        scroll = round(main.article_view.scroll_y)
        assert scroll > 0
    reader.close()

    reader = open_reader(db_path, clock=FrozenClock())
    app = make_app(reader)
    async with app.run_test(size=(130, 16)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: not main.article_view.fetching)
        await pilot.pause()
        assert main.feed_list.current_key == key
        assert opened is not None and main.entry_list.current_row is not None
        assert main.entry_list.current_row.key == opened.key
        assert main.page is not None
        assert round(main.article_view.scroll_y) == scroll
    reader.close()


def _held_warm_up(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Reader.warm_up waits for the event returned: the page of last time waits with it."""
    release = threading.Event()
    real = Reader.warm_up

    def held(self: Reader, *, network: bool = True) -> None:
        release.wait(15)
        real(self, network=network)

    monkeypatch.setattr(Reader, "warm_up", held)
    return release


async def test_the_page_of_last_time_follows_the_first_frame_and_gives_way_to_the_user(
    reader: Reader, site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await subscribed(reader, site)
    listed = reader.entries(EntryFilter())
    last, other = listed[2], listed[3]
    reader.set_states({"tui.selection": "all", "tui.entry": str(last.id), "tui.scroll": "0"})
    release = _held_warm_up(monkeypatch)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await pilot.pause()
        # drawn without it: the list on the entry, its title where the page will be
        assert main.page is None
        assert main.entry_list.current_row is not None
        assert main.entry_list.current_row.key == last.id
        assert last.title is not None and last.title in " ".join(main.article_view.text_lines)
        assert app.focused is main.entry_list
        # a place to come back to even when the app closes now
        main.save_state()
        assert reader.get_state("tui.entry") == str(last.id)

        await pilot.press("j", "enter")  # the user opens another one meanwhile
        await wait_for(pilot, lambda: main.page is not None and not main.article_view.fetching)
        shown = main.article_view.article
        release.set()
        await wait_for(pilot, lambda: all(w.is_finished for w in app.workers
                                          if w.group == "warm-up"))  # fmt: skip
        await pilot.pause()  # its message handled
        assert main.page is not None and main.page.entry is not None
        assert main.page.entry.id == other.id
        assert main.article_view.article is shown  # not opened again over the user's place


async def test_the_page_of_last_time_comes_back_once_the_imports_are_done(
    reader: Reader, site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await subscribed(reader, site)
    last = reader.entries(EntryFilter())[2]
    reader.set_states({"tui.selection": "all", "tui.entry": str(last.id), "tui.scroll": "0"})
    release = _held_warm_up(monkeypatch)
    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await pilot.pause()
        assert main.page is None
        assert main.pane == "article"  # one pane at a time: the page's, its title drawn
        assert last.title is not None and last.title in " ".join(main.article_view.text_lines)
        release.set()
        await wait_for(pilot, lambda: main.page is not None)
        assert main.page is not None and main.page.entry is not None
        assert main.page.entry.id == last.id
        assert main.pane == "article"


async def test_a_stored_page_of_last_time_does_not_wait_for_the_imports(
    reader: Reader, site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await subscribed(reader, site)
    last = reader.entries(EntryFilter())[1]
    assert last.url is not None
    # fetched just now: no check with the site, whose page would replace it meanwhile
    kept = Article(url=last.url, title="Kept copy", fetched_at=reader.clock(),
                   blocks=(Block("paragraph", (Span("The stored text."),)),))  # fmt: skip
    reader._storage.cache_article(kept)
    reader.set_states({"tui.selection": "all", "tui.entry": str(last.id), "tui.scroll": "0"})
    release = _held_warm_up(monkeypatch)
    app = make_app(reader)
    try:
        async with app.run_test(size=(130, 40)) as pilot:
            main = app.main
            await wait_for(pilot, lambda: main.page is not None)
            assert main.navigator.load is None
            assert any("The stored text." in line for line in main.article_view.text_lines)
    finally:
        release.set()


async def test_a_long_list_gets_its_ids_after_the_start(reader: Reader) -> None:
    # at start the ids wait for the page of last time (they would share a core with it)
    reader._storage.add_feeds([("https://feed.example/rss", "Feed", None)])
    [feed] = reader.feeds()
    reader._storage.store_entries(
        feed.id, [EntryData(f"g{i}", title=f"Entry {i}", published=FROZEN_NOW - i * 60)
                  for i in range(PAGE_SIZE + 6)],
    )  # fmt: skip
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        source = app.main.entry_list.source
        assert isinstance(source, EntrySource) and len(source) == PAGE_SIZE + 6
        await wait_for(pilot, lambda: source.ids is not None)
        assert source.ids == reader.entry_ids(EntryFilter())


async def test_the_first_frame_is_laid_out_and_the_styles_are_parsed_once(
    reader: Reader, site: SiteServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the layout waited for the Resize after mounting: the first frame showed the welcome
    # above all three panes, a second one the panes asked for; and the theme set once
    # mounted had Textual parse every stylesheet again and restyle every widget
    await subscribed(reader, site)
    last = reader.entries(EntryFilter())[2]
    reader.set_states({"tui.selection": "all", "tui.entry": str(last.id), "tui.scroll": "0"})
    frames: list[set[str]] = []
    real_display = ReaderApp._display

    def display(self: ReaderApp, screen: Screen[object], renderable: object) -> None:
        frames.append({w.id for w in screen._compositor.visible_widgets if w.id})
        real_display(self, screen, renderable)  # type: ignore[arg-type]

    parses: list[Stylesheet] = []
    real_reparse = Stylesheet.reparse

    def reparse(self: Stylesheet) -> None:
        parses.append(self)
        real_reparse(self)

    monkeypatch.setattr(ReaderApp, "_display", display)
    monkeypatch.setattr(Stylesheet, "reparse", reparse)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        assert app.theme == "reader-dark" and app.has_class("-theme-reader-dark", "-dark-mode")
    # reading an entry at 130 columns: the entries and the reader, no room for the feeds
    assert {"entries", "article"} <= frames[0]
    assert not frames[0] & {"welcome", "welcome-text", "feeds"}
    assert not parses


async def test_the_theme_is_set_the_public_way_when_textual_lacks_the_private_step(
    reader: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the quick start-up theme relies on a private Textual method (textual>=8.0 is all we
    # ask): a release without it must still start, with the theme, not crash
    from reader.tui import app as app_module

    assert hasattr(ReaderApp, app_module.TEXTUAL_FILTER_STEP)  # today's Textual has it
    monkeypatch.setattr(app_module, "TEXTUAL_FILTER_STEP", "_gone_in_a_later_textual")
    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "reader-dark" and app.has_class("-theme-reader-dark", "-dark-mode")


async def test_the_app_turns_the_collector_on_at_its_first_frame(reader: Reader) -> None:
    # the ``reader`` command starts it with the collector off (reader/__main__.py)
    import gc

    gc.disable()
    try:
        app = make_app(reader)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_the_footer_shows_the_focused_panes_keys_and_a_click_presses_one(
    reader: Reader, site: SiteServer
) -> None:
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(200, 30)) as pilot:
        main = app.main
        footer = main.query_one(KeyFooter)

        def shown() -> list[str]:
            return [item.description for item in footer.items]

        def wanted() -> list[str]:
            descriptions = []
            for active in app.screen.active_bindings.values():
                binding = active.binding
                if binding.show and binding.description not in descriptions:
                    descriptions.append(binding.description)
            return descriptions

        await pilot.pause()
        in_feeds = shown()
        assert in_feeds == wanted() and "Quit" in in_feeds
        assert footer.palette is not None and footer.palette.label == "^p"
        line = footer.render_line(0).text
        assert " q Quit " in line and line.rstrip().endswith("▏^p palette")
        await pilot.press("tab", "enter")  # an entry opened: the entries' keys
        await wait_for(pilot, lambda: app.focused is main.entry_list and shown() == wanted())
        await pilot.press("tab")  # the reader's
        await wait_for(pilot, lambda: app.focused is main.article_view)
        await wait_for(pilot, lambda: shown() == wanted() and shown() != in_feeds)

        start, _, _ = next(span for span in footer._spans if span[2].description == "Keys")
        await pilot.click(KeyFooter, offset=(start + 1, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_narrow_mode_shows_one_pane_at_a_time(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await pilot.pause()

        def shown() -> list[str]:
            return [pane for pane in PANES if main.pane_box(pane).display]

        assert shown() == ["feeds"]
        await pilot.press("enter")
        await pilot.pause()
        assert shown() == ["entries"]
        await pilot.press("enter")
        await pilot.pause()
        assert shown() == ["article"]
        await pilot.press("escape")
        await pilot.pause()
        assert shown() == ["entries"]
        await pilot.press("escape")
        await pilot.pause()
        assert shown() == ["feeds"]
        await pilot.resize_terminal(130, 40)
        await pilot.pause()
        assert shown() == ["feeds", "entries", "article"]


async def test_help_lists_every_key_and_every_binding_has_an_id(reader: Reader) -> None:
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {keys for _, rows in app.help_sections() for keys, _ in rows}
        for wanted in ("j,down", "k,up", "enter", "tab", "shift+tab", "escape", "space",
                       "pagedown", "g,home", "G,end", "n", "p", "m", "A", "s", "o", "y",
                       "r", "R", "a", "d", "q", "question_mark"):  # fmt: skip
            assert wanted in listed, wanted
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        for node in [app, *app.screen.walk_children(with_self=True), HelpScreen([])]:
            for cls in type(node).__mro__:
                if cls.__module__.startswith("reader."):
                    for binding in cls.__dict__.get("BINDINGS", []):
                        assert binding.id, binding


async def test_palette_has_the_reader_commands(reader: Reader) -> None:
    app = make_app(reader)
    async with app.run_test(size=(130, 40)):
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Refresh all feeds", "Add a feed", "Save or unsave", "Next unread"} <= titles


async def test_failed_refresh_marks_the_feed_and_notifies(reader: Reader, site: SiteServer) -> None:
    reader._storage.add_feeds([(site.url("/missing.xml"), "Broken [bold]feed", None)])
    app = make_app(reader)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        main = app.main
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.refreshing)
        row = next(r for r in main.feed_list.rows if r.kind == "feed")
        assert row.error
        assert main.status.last_error
        assert any(n.severity == "error" for n in app._notifications)
        # the message on hover
        index = main.feed_list.rows.index(row)
        await pilot.hover("#feeds", offset=(3, index + 1))
        assert main.feed_list.tooltip is not None
        assert "Broken [bold]feed" in str(main.feed_list.tooltip)


async def test_a_page_that_fails_keeps_the_feed_content(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site)
    entry = reader.entries(EntryFilter())[0]
    assert entry.url
    path = entry.url.removeprefix(site.base)
    from reader.site_server import Response

    site.routes[path] = lambda request: Response(
        200, b"%PDF-1.4", {"Content-Type": "application/pdf"}
    )
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        assert isinstance(main.entry_list.source, EntrySource)
        index = main.entry_list.source.index_of(entry.id)
        assert index is not None
        main.entry_list.set_cursor(index)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: not main.article_view.fetching)
        assert main.page is not None
        assert main.page.article.title == entry.title


@pytest.mark.parametrize("quiet", [True])
async def test_moving_on_cancels_the_unwanted_fetch(
    reader: Reader, site: SiteServer, quiet: bool
) -> None:
    await subscribed(reader, site)
    slow_paths = []
    import threading

    release = threading.Event()
    from reader.site_server import Response

    for entry in reader.entries(EntryFilter()):
        assert entry.url
        path = entry.url.removeprefix(site.base)
        body = site.file_body(path) or b""

        def slow(request: object, body: bytes = body) -> Response:
            release.wait(5)
            return Response(200, body, {"Content-Type": "text/html; charset=utf-8"})

        site.routes[path] = slow
        slow_paths.append(path)
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await pilot.press("tab", "enter")
        first = main.page
        await pilot.press("j", "enter")
        second = main.page
        assert first is not None and second is not None and first is not second
        release.set()
        await wait_for(pilot, lambda: not main.article_view.fetching)
        await pilot.pause(0.2)
        # only the entry still wanted is shown
        assert main.page is not None and main.page.entry == second.entry
        assert second.entry is not None
        heading = " ".join(line.strip() for line in main.article_view.text_lines[:3])
        assert heading.startswith(second.entry.title)


async def test_open_in_browser_and_copy_the_url(
    reader: Reader, site: SiteServer, tmp_path: Path
) -> None:
    from dataclasses import replace

    await subscribed(reader, site)
    opened = tmp_path / "opened.txt"
    reader.config = replace(reader.config, browser=f"sh -c 'echo \"$0\" > {opened}' {{url}}")
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await pilot.press("tab")
        row = main.entry_list.current_row
        assert row is not None and row.url
        await pilot.press("o")
        await wait_for(pilot, lambda: opened.exists() and opened.read_text().strip() != "")
        assert opened.read_text().strip() == row.url
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("y")
        assert copied == [row.url]


async def test_a_locked_database_is_a_message_not_a_crash(
    reader: Reader, site: SiteServer, db_path: Path
) -> None:
    import sqlite3

    from reader.models import EntryFilter
    from reader.storage import Storage

    await subscribed(reader, site)
    reader._storage.close()
    reader._storage = Storage(db_path, busy_timeout=0.1)
    unread = reader._storage.count_entries(EntryFilter(unread_only=True))
    app = make_app(reader)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        main = app.main
        main.show_pane("entries")
        await pilot.pause()

        def locked_notes() -> int:
            return sum("locked" in str(n.message) for n in app._notifications)

        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            await pilot.press("m")  # a key's action
            await wait_for(pilot, lambda: locked_notes() == 1)
            await pilot.press("enter")  # opening marks read: the article still opens
            await wait_for(pilot, lambda: locked_notes() == 2)
            await wait_for(pilot, lambda: main.article_view.article is not None)
            await pilot.press("s")  # saving
            await wait_for(pilot, lambda: locked_notes() == 3)
            assert app.is_running
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        main.show_pane("entries")
        await pilot.press("m")  # the lock is gone: it works again
        await wait_for(
            pilot, lambda: reader._storage.count_entries(EntryFilter(unread_only=True)) != unread
        )
