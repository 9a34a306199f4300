"""Reading in the app: the room the article gets, scrolling, tables, the help at 80x24, and
the rough edges a new user hit (each test would have caught its bug)."""

from __future__ import annotations

import itertools
import sys
from contextlib import nullcontext as contextlib_nullcontext
from pathlib import Path

import pytest
from textual.pilot import Pilot

from reader.browser import open_in_browser, terminal_argv
from reader.config import Config
from reader.core import Reader, open_reader
from reader.models import Article, Block, Link, Span
from reader.site_server import Response, SiteServer
from reader.tui.screens.add_feed import AddFeedScreen
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import HelpScreen
from reader.tui.screens.main import (
    ARTICLE_MAX,
    ENTRIES_MIN,
    MainScreen,
    pane_widths,
)
from reader.tui.widgets.article_view import MAX_TEXT_WIDTH, middle_ellipsis
from tests.conftest import FrozenClock
from tests.test_tui_app import make_app, subscribed, wait_for
from tests.test_tui_links import FERRY, HARBOUR, follow, open_entry_titled, shown_title

ARTICLE_PAGE = "/articles/harbour-bridge-reopens.html"


async def fetched_open(pilot: Pilot[None], main: MainScreen) -> None:
    """Open the first entry of the list and wait for its page."""
    await pilot.press("enter")
    await wait_for(pilot, lambda: main.page is not None and not main.article_view.fetching)
    await pilot.pause()


# --- the room the article gets ---------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "pane", "feeds", "article"),
    [
        (120, "feeds", 30, 40),  # browsing feeds: three panes share the screen
        (100, "feeds", 25, 33),
        (120, "entries", None, 80),  # reading: the feeds make way, 76 columns of text
        (130, "article", None, 90),
        (160, "entries", 30, 90),  # room for all three
        (200, "entries", 30, ARTICLE_MAX),  # 100 columns of text at most
        (100, "entries", None, 60),
    ],
)
def test_pane_widths(width: int, pane: str, feeds: int | None, article: int) -> None:
    got_feeds, got_article = pane_widths(width, pane)  # type: ignore[arg-type]
    assert (got_feeds, got_article) == (feeds, article)
    assert width - (got_feeds or 0) - got_article >= ENTRIES_MIN  # the titles keep room


async def test_the_article_gets_the_room_and_z_gives_it_all(
    reader: Reader, site: SiteServer
) -> None:
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.main
        await pilot.press("tab")
        await fetched_open(pilot, main)
        assert main.article_view.size.width >= 74  # was 46 at 120 columns
        assert not main.pane_box("feeds").display
        lines = main.article_view.text_lines
        assert max(len(line.rstrip()) for line in lines) <= main.article_view.size.width
        await pilot.press("z")  # the reader alone, across the screen
        await pilot.pause()
        assert main.pane == "article" and main.reading_view
        assert [p for p in ("feeds", "entries") if main.pane_box(p).display] == []
        assert main.article_view.outer_size.width == 120
        # the text keeps a readable measure, in the middle of the screen
        text = [line for line in main.article_view.text_lines if line.strip()]
        assert max(len(line.strip()) for line in text) <= MAX_TEXT_WIDTH
        room = main.article_view.scrollable_content_region.width
        assert min(len(line) - len(line.lstrip()) for line in text) >= (room - MAX_TEXT_WIDTH) // 2
        await pilot.press("z")
        await pilot.pause()
        assert main.pane_box("entries").display and not main.reading_view


def test_a_long_url_is_cut_in_the_middle() -> None:
    url = "https://news.example/" + "section/" * 20 + "the-story.html"
    short = middle_ellipsis(url, 40)
    assert (
        len(short) == 40
        and short.startswith("https://news.exam")
        and short.endswith("the-story.html")
    )
    assert middle_ellipsis("https://a.example/", 40) == "https://a.example/"


async def test_link_addresses_stay_on_one_line(reader: Reader) -> None:
    long_url = "https://news.example/" + "very-long-section/" * 12 + "story.html"
    article = Article(
        url="https://news.example/a", title="A story", fetched_at=reader.clock(),
        blocks=(Block("paragraph", (Span("Read "), Span("this", href=long_url))),),
        links=(Link("this", long_url),), related=(Link("Another story", long_url + "?2"),),
    )  # fmt: skip
    reader.add_feeds([("https://news.example/feed.xml", None, None)])  # the panes, not the welcome
    app = make_app(reader)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.main.article_view
        view.show(article)
        await pilot.pause()
        lines = view.text_lines
        addresses = [line for line in lines if "https://" in line]
        assert len(addresses) == 2  # one line each, under its title
        assert all(
            "…" in line and line.rstrip().endswith(("story.html", "?2")) for line in addresses
        )


async def test_a_table_reads_as_aligned_columns(reader: Reader) -> None:
    rows = [("Runner", "Time", "Place"), ("Ada Lindqvist", "2:31:04", "1"), ("Bo", "2:40:17", "12")]
    article = Article(
        url="https://news.example/t", title="Results", fetched_at=reader.clock(),
        blocks=tuple(Block("table_row", (Span(" | ".join(row)),)) for row in rows),
    )  # fmt: skip
    reader.add_feeds([("https://news.example/feed.xml", None, None)])  # the panes, not the welcome
    app = make_app(reader)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.main.article_view
        view.show(article)
        await pilot.pause()
        drawn = [line for line in view.text_lines if "Runner" in line or ":" in line]
        assert len(drawn) == 3 and "|" not in "".join(drawn)  # columns, not "a | b | c"
        column = {
            line.index(time) for line, time in zip(drawn, ("Time", "2:31", "2:40"), strict=True)
        }
        assert len(column) == 1  # the second column starts at the same place on every row
        first, second = (view.text_lines.index(line) for line in drawn[:2])
        assert second == first + 1  # one row a line, not double-spaced


async def test_a_wide_table_stays_in_80_columns_under_its_header(reader: Reader) -> None:
    said = "The ferry will run again in March, and the fares stay as they are for a year. " * 2
    rows = [("Name", "What they said", "When"), ("Ann Lee", said.strip(), "Monday")]
    cells = [
        tuple(s for n, text in enumerate(row) for s in ([Span(" | ")] if n else []) + [Span(text)])
        for row in rows
    ]
    article = Article(
        url="https://news.example/w", title="Ferry", fetched_at=reader.clock(),
        blocks=(Block("table_row", cells[0], level=1), Block("table_row", cells[1])),
    )  # fmt: skip
    reader.add_feeds([("https://news.example/feed.xml", None, None)])
    app = make_app(reader)
    async with app.run_test(size=(80, 30)) as pilot:
        view = app.main.article_view
        view.show(article)
        app.main.action_toggle_reading_view()  # the reader alone, 80 columns wide
        await pilot.pause()
        lines = view.text_lines
        assert view.size.width >= 78
        assert all(len(line) <= 80 for line in lines)
        head = next(i for i, line in enumerate(lines) if "What they said" in line)
        assert set(lines[head + 1].strip()) <= {"─", " "}  # a rule under the header row
        column = lines[head].index("What they said")
        assert lines[head + 2].index("The ferry") == column
        body = [line[column:].replace("Monday", "").strip() for line in lines[head + 2 :]]
        assert " ".join(b for b in body if b).startswith(said.strip()[:60])  # wrapped in place


async def test_the_help_fits_80x24_and_scrolls(reader: Reader) -> None:
    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        dialog = app.screen.query_one("#dialog")
        assert dialog.region.width <= 80 and dialog.region.height <= 24
        assert dialog.region.x >= 0 and dialog.region.right <= 80
        assert dialog.max_scroll_y > 0  # long: it scrolls
        await pilot.press("j")
        await pilot.pause()
        assert dialog.scroll_y > 0


async def test_the_help_says_how_to_close_it(reader: Reader) -> None:
    # it listed every key but its own: at 80x24 it fills the screen, with no footer
    import io

    from rich.console import Console

    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("escape", "q", "question_mark"):
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            console = Console(width=80, file=io.StringIO())
            console.print(app.screen._text())
            first = console.file.getvalue().splitlines()[0]  # type: ignore[attr-defined]
            assert "Esc, q or ? closes" in first
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, HelpScreen)


async def test_the_help_names_ctrl_p_once(reader: Reader) -> None:
    import io

    from rich.console import Console

    app = make_app(reader)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=120, file=io.StringIO())
        console.print(app.screen._text())
        shown = console.file.getvalue()  # type: ignore[attr-defined]
        assert shown.count("Ctrl+P") == 1 and "Command palette" in shown


# --- bugs a new user hit ----------------------------------------------------------------


async def test_space_in_the_list_when_narrow_goes_on_reading(
    reader: Reader, site: SiteServer
) -> None:
    # narrow, the list has the screen: Space paged the article out of sight, and nothing
    # on the screen moved
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(80, 14)) as pilot:  # low: the article is pages long
        main = app.main
        await pilot.press("enter")  # All
        await fetched_open(pilot, main)
        view = main.article_view
        assert main.pane == "article" and view.max_scroll_y > 2
        await pilot.press("space")
        place = view.scroll_y
        assert 0 < place < view.max_scroll_y, (place, view.max_scroll_y)
        await pilot.press("escape")  # the list again
        assert main.pane == "entries" and not main.pane_box("article").display
        await pilot.press("space")  # the article again, a page on
        assert main.pane == "article" and main.pane_box("article").display
        await wait_for(pilot, lambda: view.scroll_y > place)
        assert app.focused is view
        ahead = view.scroll_y
        await pilot.press("escape", "escape", "shift+space")  # from the feeds: a page back
        await wait_for(pilot, lambda: main.pane == "article" and view.scroll_y < ahead)


async def test_a_fetched_article_scrolls_at_80x24(reader: Reader, site: SiteServer) -> None:
    # narrow, the reader got the keys only for cached articles: the view's own "loading"
    # flag was Textual's, which makes a widget unfocusable, so j/k/G/End went nowhere
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main
        await pilot.press("enter")  # All
        await fetched_open(pilot, main)
        view = main.article_view
        assert app.focused is view and view.max_scroll_y > 2
        await pilot.press("j", "j")
        assert view.scroll_y == 2
        await pilot.press("k")
        assert view.scroll_y == 1
        await pilot.press("G")
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("g")
        assert view.scroll_y == 0
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y


async def test_back_returns_each_page_where_it_was_left(reader: Reader, site: SiteServer) -> None:
    # the demo walk: open "Harbour bridge", G, follow 1, follow 3, h: "Winter ferry" was
    # never scrolled and must come back at its top (it came back scrolled down)
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)
        await pilot.press("G")
        view = main.article_view
        # G may still be on its way down (10.86 of 11 once, under load): wait for the end
        await wait_for(pilot, lambda: view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y)
        bottom = view.scroll_y
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: shown_title(main) == FERRY and main.navigator.load is None)
        assert main.article_view.scroll_y == 0
        third = main.article_view.links[2]
        await pilot.press("3", "enter")
        await wait_for(pilot, lambda: main.page is not None and main.page.url == third.url)
        await pilot.press("h")
        await wait_for(pilot, lambda: shown_title(main) == FERRY)
        await pilot.pause()
        assert main.article_view.scroll_y == 0
        await pilot.press("h")
        await wait_for(pilot, lambda: shown_title(main) == HARBOUR)
        await pilot.pause()
        assert main.article_view.scroll_y == bottom


async def test_a_link_to_an_entry_marks_it_read(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)
        ferry = next(e for e in reader.entries() if e.title == FERRY)
        assert not ferry.read
        await follow(pilot, main, FERRY)
        assert reader.entry(ferry.id).read  # type: ignore[union-attr]


async def test_fetch_again_replaces_the_cached_copy(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)
        hits = len(site.hits(ARTICLE_PAGE))
        site.routes[ARTICLE_PAGE] = lambda request: Response(
            200, b"<html><head><title>Bridge</title></head><body><article><h1>Bridge</h1><p>"
            + b"A second version of the story, written again. " * 30
            + b"</p></article></body></html>", {"Content-Type": "text/html"},
        )  # fmt: skip
        await pilot.press("F")
        await wait_for(pilot, lambda: "second version" in "\n".join(main.article_view.text_lines))
        assert len(site.hits(ARTICLE_PAGE)) == hits + 1
        cached = reader.cached_article(site.url(ARTICLE_PAGE))
        assert cached is not None and "second version" in cached.blocks[-1].text


def test_the_browser_says_why_it_did_not_open(tmp_path: Path) -> None:
    failing = tmp_path / "browser"
    failing.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n")
    failing.chmod(0o755)
    assert open_in_browser("https://a.example/", f"{failing} {{url}}") == (
        f"The browser command {str(failing)!r} failed (exit status 3): cannot open display"
    )
    missing = open_in_browser("https://a.example/", "no-such-browser-here {url}")
    assert missing is not None and "was not found" in missing
    assert open_in_browser("https://a.example/", f"{sys.executable} -c pass") is None


def test_a_browser_command_takes_newsboats_placeholder_too(tmp_path: Path) -> None:
    for placeholder in ("{url}", "%u"):
        got = tmp_path / "got.txt"
        command = f"sh -c 'echo \"$0 $#\" > {got}' {placeholder}"
        assert open_in_browser("https://a.example/x?y=1", command) is None  # waited for it
        # the address in its place, and not put last as well
        assert got.read_text().strip() == "https://a.example/x?y=1 0", placeholder
        got.unlink()


def test_a_terminal_browser_gets_its_command_line_to_run_in_the_foreground() -> None:
    url = "https://a.example/x?y=1"
    for command in ("w3m %u", "lynx {url}", "/usr/bin/elinks", "links2", "carbonyl"):
        argv = terminal_argv(url, command)
        assert argv is not None and url in argv and argv.count(url) == 1, command
    assert terminal_argv(url, "w3m -o confirm_qq=0 %u") == ["w3m", "-o", "confirm_qq=0", url]
    assert terminal_argv(url, "lynx") == ["lynx", url]
    # a graphical one (or none: the system's) is started apart, not run in the terminal
    assert terminal_argv(url, "firefox {url}") is None
    assert terminal_argv(url, "links2 -g %u") is None  # links' graphics mode: a window
    assert terminal_argv(url, None) is None and terminal_argv(url, None, True) is None
    assert terminal_argv(url, "w3m %u", False) is None  # the config says it is not
    assert terminal_argv(url, "my-tui-browser --url=%u", True) == ["my-tui-browser", f"--url={url}"]
    assert terminal_argv(url, "w3m 'unclosed", True) is None  # open_in_browser says why


def _recording_browser(tmp_path: Path) -> tuple[Path, Path]:
    """A small browser script that writes its arguments to a file and exits."""
    got = tmp_path / "argv.txt"
    script = tmp_path / "tui-browser"
    script.write_text(
        f"#!{sys.executable}\nimport sys, pathlib\n"
        f"pathlib.Path({str(got)!r}).write_text(repr(sys.argv[1:]))\n"
    )
    script.chmod(0o755)
    return script, got


async def test_o_runs_a_terminal_browser_with_the_terminal_handed_over(
    db_path: Path, site: SiteServer, tmp_path: Path
) -> None:
    from contextlib import contextmanager

    script, got = _recording_browser(tmp_path)
    config = Config(browser=f"{script} %u", browser_in_terminal=True)
    reader = open_reader(db_path, config=config, clock=FrozenClock())
    await subscribed(reader, site)
    app = make_app(reader)
    suspended: list[bool] = []

    @contextmanager
    def suspend():  # type: ignore[no-untyped-def]
        # the headless driver cannot suspend; record the hand-over, run the script inside
        suspended.append(True)
        yield
        suspended.append(False)

    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        app.suspend = suspend  # type: ignore[method-assign]
        await pilot.press("tab")
        row = app.main.entry_list.current_row
        assert row is not None and row.url
        await pilot.press("o")
        await pilot.pause()
        assert got.read_text() == repr([row.url])  # done by the time the key was handled
        assert suspended == [True, False]
        assert app.is_running and not app._notifications
        await pilot.press("j")  # still answering keys
        assert app.main.entry_list.current_row != row
    reader.close()


async def test_a_terminal_browser_that_fails_or_cannot_have_the_terminal_says_so(
    db_path: Path, site: SiteServer, tmp_path: Path
) -> None:
    failing = tmp_path / "w3m"
    failing.write_text("#!/bin/sh\nexit 4\n")
    failing.chmod(0o755)
    reader = open_reader(db_path, config=Config(browser=f"{failing} %u"), clock=FrozenClock())
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("tab")
        await pilot.press("o")  # headless: no terminal to hand over, and no crash
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1 and "cannot be handed over" in messages[0]
        app.clear_notifications()
        app.suspend = contextlib_nullcontext  # type: ignore[assignment]
        await pilot.press("o")
        await pilot.pause()
        assert [n.message for n in app._notifications] == [
            f"The browser command {str(failing)!r} failed (exit status 4)"
        ]
        app.clear_notifications()
        reader.config = Config(browser="no-such-browser-here %u", browser_in_terminal=True)
        await pilot.press("o")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert len(messages) == 1 and "was not found" in messages[0]
        assert app.is_running
    reader.close()


async def test_o_reports_a_browser_that_fails(db_path: Path, site: SiteServer) -> None:
    reader = open_reader(db_path, config=Config(browser="no-such-browser-here {url}"),
                         clock=FrozenClock())  # fmt: skip
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.press("tab")
        await pilot.press("o")
        await wait_for(pilot, lambda: any("was not found" in n.message for n in app._notifications))
        assert not any(n.message.startswith("Opened") for n in app._notifications)
    reader.close()


async def test_a_failing_feed_shows_its_error_above_its_entries_until_it_heals(
    reader: Reader, site: SiteServer
) -> None:
    state = {"status": 500}
    site.routes["/flaky.xml"] = lambda request: (
        Response(500, b"down", {"Content-Type": "text/plain"}) if state["status"] == 500
        else Response(200, site.file_body("/feed.xml") or b"", {"Content-Type": "application/xml"})
    )  # fmt: skip
    reader.add_feeds([(site.url("/flaky.xml"), "Flaky", None)])
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.refreshing)
        assert main.status.last_error is not None and "500" in main.status.last_error
        main.feed_list.select_key(f"feed:{reader.feeds()[0].id}")
        await pilot.pause()
        assert main.feed_notice.display
        notice = str(main.feed_notice.render())
        assert "HTTP 500" in notice and "(just now)" in notice  # what, and when
        state["status"] = 200
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.refreshing)
        await pilot.pause()
        assert main.status.last_error is None  # the feed reads again: no stale error
        assert not main.feed_notice.display


async def test_removing_the_failing_feed_clears_the_status_error(
    reader: Reader, site: SiteServer
) -> None:
    site.routes["/gone.xml"] = lambda request: Response(404, b"no", {})
    reader.add_feeds([(site.url("/gone.xml"), "Gone", None)])
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.refreshing)
        assert main.status.last_error is not None
        main.feed_list.select_key(f"feed:{reader.feeds()[0].id}")
        await pilot.press("d", "y")
        await pilot.pause()
        assert reader.feeds() == [] and main.status.last_error is None


async def test_mark_all_read_asks_first_and_no_keeps_them(reader: Reader, site: SiteServer) -> None:
    await subscribed(reader, site)
    unread = reader.count_entries()
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("A")  # on All: two feeds' worth
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Mark {unread} entries of 2 feeds read" in app.screen.question
        await pilot.press("n")
        assert reader.count_entries(reader_unread()) == unread


def reader_unread():  # type: ignore[no-untyped-def]
    from reader.models import EntryFilter

    return EntryFilter(unread_only=True)


async def test_enter_in_the_address_adds_the_feed(reader: Reader, site: SiteServer) -> None:
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, AddFeedScreen)
        await pilot.press(*site.url("/feed.xml"), "enter")  # no folder: Enter adds
        await wait_for(pilot, lambda: bool(reader.feeds()))
        assert not isinstance(app.screen, AddFeedScreen)


async def test_a_feed_that_cannot_be_added_leaves_the_unread_count_shown(
    reader: Reader, site: SiteServer
) -> None:
    # the status line went blank ("finding the feed at ..." then nothing) until the next
    # refresh: the unread count was gone
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        shown = main.status.info
        assert shown.endswith(" unread")
        await pilot.press("a", *site.url("/no-such-feed.xml"), "enter")
        await wait_for(pilot, lambda: not main.status.info.startswith("finding"))
        assert main.status.info == shown


async def test_the_palette_has_one_keys_entry(reader: Reader) -> None:
    app = make_app(reader)
    async with app.run_test(size=(120, 30)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Keys" not in titles and titles.count("Show keys") == 1
        assert len(titles) == len(set(titles))


async def test_config_problems_are_one_notification(db_path: Path, tmp_path: Path) -> None:
    config_file = open_reader(db_path).paths.config_file
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text('refresh_minutes = "soon"\nbogus = 1\ntheme = 3\n[keys]\nnope = ["x"]\n')
    reader = open_reader(db_path, clock=FrozenClock())
    app = make_app(reader)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await pilot.pause()
        notes = list(app._notifications)
        assert len(notes) == 1
        assert notes[0].message.count("•") >= 3 and "nope" in notes[0].message
    reader.close()


async def test_the_footer_says_enter_follows_a_highlighted_link(
    reader: Reader, site: SiteServer
) -> None:
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(160, 30)) as pilot:
        main = app.main
        await open_entry_titled(pilot, main, HARBOUR)

        def footer_keys() -> set[str]:
            return {b.binding.description for b in app.screen.active_bindings.values()
                    if b.binding.show and b.enabled}  # fmt: skip

        assert "Follow" not in footer_keys()
        await pilot.press("tab")  # highlights the first link
        await pilot.pause()
        assert main.article_view.highlighted == 1 and "Follow" in footer_keys()
        await pilot.press("escape")
        await pilot.pause()
        assert "Follow" not in footer_keys()


async def test_japanese_wraps_between_characters_never_inside_a_number(reader: Reader) -> None:
    text = "市営バスの路線が再編され、現在の178人の運転手で来月から新しい時刻表になります。" * 4
    article = Article(url="https://news.example/ja", title="バス", fetched_at=reader.clock(),
                      blocks=(Block("paragraph", (Span(text),)),))  # fmt: skip
    reader.add_feeds([("https://news.example/feed.xml", None, None)])
    app = make_app(reader)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.main.article_view
        for width in range(30, 47):  # many break points: none may fall inside "178"
            view.styles.width = width
            await pilot.pause()
            view.show(article)
            lines = [line.strip() for line in view.text_lines if line.strip() not in ("", "バス")]
            assert lines and max(len(line) * 2 for line in lines) <= width  # wide: 2 cells
            for before, after in itertools.pairwise(lines):
                assert not (before[-1].isdigit() and after[0].isdigit()), (width, before, after)
            assert "".join(lines).count("178人") == 4


async def test_a_store_locked_by_another_program_never_freezes_the_keys(
    reader: Reader, site: SiteServer, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each write of the screen waited the store's five seconds, and every key after it
    # waited too: Enter, m, s and ? took half a minute, then ran at once. Now the screen's
    # own writes wait half a second and say so, and its bookkeeping (history, where the
    # user is) is written off the event loop.
    import sqlite3
    import threading

    await subscribed(reader, site)
    state_writers: list[str] = []
    real_set_states = reader.set_states

    def set_states(values: dict[str, str]) -> None:
        state_writers.append(threading.current_thread().name)
        real_set_states(values)

    monkeypatch.setattr(reader, "set_states", set_states)
    app = make_app(reader)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        main = app.main
        ui_thread = threading.current_thread().name
        assert reader._storage._db.execute("PRAGMA busy_timeout").fetchone()[0] == 500
        await pilot.press("tab")
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            await pilot.press("enter", "m", "s", "question_mark")
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
            assert any("locked by another program" in n.message for n in app._notifications)
            assert main.page is not None  # the article still opened
            await wait_for(pilot, lambda: bool(state_writers))
            assert ui_thread not in state_writers
        finally:
            other.execute("ROLLBACK")
            other.close()


async def test_a_page_opens_at_its_place_after_one_without_a_scroll_bar(
    reader: Reader, site: SiteServer
) -> None:
    # Textual scrolls only a widget that shows a scroll bar: the long page's was not laid
    # out yet when it replaced a short one (the title shown at start), and its place was lost
    short = Article(url="https://a.example/short", title="Short")
    words = " ".join(["word"] * 40)
    long = Article(url="https://a.example/long", title="Long",
                   blocks=tuple(Block("paragraph", (Span(words),)) for _ in range(60)))  # fmt: skip
    await subscribed(reader, site)
    app = make_app(reader)
    async with app.run_test(size=(130, 30)) as pilot:
        view = app.main.article_view
        view.show(short)
        await pilot.pause()
        assert view.max_scroll_y == 0
        view.show(long, scroll=25)
        assert view.position == 25  # where it is going, if asked before it gets there
        await pilot.pause()
        assert round(view.scroll_y) == 25


async def test_the_article_view_keeps_line_breaks_quotes_and_no_break_spaces(
    reader: Reader,
) -> None:
    # an interview set with <br> (question, then answer), a two-paragraph quote, French
    # no-break spaces and a link whose text ends with a space: as `reader read` shows them
    interview = "*Que se passe-t-il au Soudan\u00a0?\n-Nous ne connaissons que deux saisons."
    french = "Il s’agit, de manière attendue, de\u00a0«\u00a0l’indépendance nationale\u00a0» " * 3
    article = Article(
        url="https://news.example/a", title="Entretien", fetched_at=reader.clock(),
        blocks=(
            Block("paragraph", (Span(interview),)),
            Block("paragraph", (Span("La comisión aprueba el recorte."),), quote=1),
            Block("paragraph", (Span("— Junta de Aguas, 14 de marzo"),), quote=1),
            Block("paragraph", (Span(french),)),
            Block("paragraph", (Span("Go Fund Me ", href="https://x.example/g"), Span("page"))),
        ),
        links=(Link("Go Fund Me", "https://x.example/g"),),
    )  # fmt: skip
    reader.add_feeds([("https://news.example/feed.xml", None, None)])
    app = make_app(reader)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.main.article_view
        for width in (44, 51, 60, 77):
            view.styles.width = width
            await pilot.pause()
            view.show(article)
            lines = [line.strip() for line in view.text_lines]
            assert "*Que se passe-t-il au Soudan\u00a0?" in lines  # the <br> ends the line
            assert any(line.startswith("-Nous ne connaissons") for line in lines)
            quoted = lines.index("│ La comisión aprueba el recorte.")
            assert lines[quoted + 1 : quoted + 3] == ["│", "│ — Junta de Aguas, 14 de marzo"]
            assert not any(line.startswith(("»", "?")) or line.endswith("«") for line in lines)
            assert "Go Fund Me[1] page" in lines


async def test_a_bare_address_link_is_listed_once(reader: Reader) -> None:
    tco = "https://t.co/k3VgR8sQ2m"
    article = Article(
        url="https://news.example/a", title="Sequía", fetched_at=reader.clock(),
        byline="Heraldo", site_name="HERALDO",
        blocks=(Block("paragraph", (Span("Toda la información "), Span(tco, href=tco))),),
        links=(Link(tco, tco),),
    )  # fmt: skip
    reader.add_feeds([("https://news.example/feed.xml", None, None)])
    app = make_app(reader)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.main.article_view
        view.show(article)
        await pilot.pause()
        lines = [line.strip() for line in view.text_lines]
        assert lines[1] == "HERALDO"  # not "By Heraldo · HERALDO"
        listed = lines[lines.index("Links") + 1 :]
        assert listed[0] == f"[1] {tco}" and tco not in listed[1]
