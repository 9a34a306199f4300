"""Hostile titles, authors, feed names and article text show literally and never crash."""

from __future__ import annotations

import re

import pytest
from textual.widget import Widget

from reader.core import Reader
from reader.models import Article, Block, EntryData, Link, Span
from reader.navigation import Step
from reader.tui.app import ReaderApp
from reader.tui.widgets.entry_list import EntrySource
from tests.conftest import FROZEN_NOW as NOW

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# (name, hostile text, what must show literally)
CASES = [
    ("bold markup", "Rates [bold]rise[/bold] again", "Rates [bold]rise[/bold] again"),
    ("closing tag", "a [/ b [/] c", "a [/ b [/] c"),
    ("link markup", "[link=file:///etc/passwd]hi[/link]", "[link=file:///etc/passwd]hi[/link]"),
    ("click action", "[@click=app.quit]Click me[/]", "[@click=app.quit]Click me[/]"),
    ("escape sequences", "Red \x1b[31mtext\x1b[0m \x1b]0;PWNED\x07title", "Red text title"),
    ("control characters", "NUL\x00 BEL\x07 BS\x08 DEL\x7f C1\x9b end", "NUL BEL BS DEL C1 end"),
    ("bidi overrides", "abc\u202edcba\u202c \u2066iso\u2069", "abcdcba iso"),
]
LONG_WORD = "x" * 500


def screen_lines(widget: Widget) -> list[str]:
    """What the widget draws, row by row, as sent to the terminal."""
    lines = []
    for y in range(widget.scrollable_content_region.height):
        strip = widget.render_line(y)
        lines.append("".join(segment.text for segment in strip))
    return lines


def hostile_store(reader: Reader, text: str) -> None:
    reader._storage.add_feeds([("https://news.example/feed.xml", text, text)])
    feed = reader.feeds()[0]
    reader._storage.store_entries(
        feed.id,
        [
            EntryData(
                guid="1",
                url="https://news.example/a",
                title=text,
                author=text,
                published=NOW - 3600,
                summary=f"<p>{text}</p>",
            ),
            EntryData(
                guid="2", url="https://news.example/b", title=LONG_WORD, published=NOW - 7200
            ),
        ],
    )
    reader._storage.cache_article(
        Article(
            url="https://news.example/a",
            title=text,
            byline=text,
            site_name=text,
            blocks=(
                Block("heading", (Span(text),), level=2),
                Block("paragraph", (Span(text), Span(" link " + text, href="https://x.example/"))),
                Block("list_item", (Span(text),), level=1),
                Block("paragraph", (Span(LONG_WORD),), quote=1),
                Block("code", (Span(text + "\n" + text),)),
            ),
            links=(Link(text, "https://x.example/"),),
            related=(Link(text, "https://news.example/b"),),
            fetched_at=NOW,
        )
    )


@pytest.mark.parametrize(("name", "text", "shown"), CASES, ids=[c[0] for c in CASES])
async def test_untrusted_text_shows_literally(
    reader: Reader, name: str, text: str, shown: str
) -> None:
    hostile_store(reader, text)
    app = ReaderApp(reader, background_refresh=False)
    async with app.run_test(size=(200, 40)) as pilot:
        main = app.main
        assert isinstance(main.entry_list.source, EntrySource)
        await pilot.press("tab", "enter")  # open the hostile entry (newest first)
        await pilot.pause()
        assert main.page is not None and main.page.article.title == text  # from the cache

        drawn = {
            "feeds": screen_lines(main.feed_list),
            "entries": screen_lines(main.entry_list),
            "article": screen_lines(main.article_view),
        }
        for pane, lines in drawn.items():
            for line in lines:
                assert not UNSAFE.search(line), (pane, line)
            wanted = shown[:18] if pane == "feeds" else shown  # a narrow pane: cut with "…"
            assert any(wanted in line for line in lines), (pane, wanted, lines[:8])
        # the article's own lines: title, byline, blocks, links all literal
        article_text = "\n".join(main.article_view.text_lines)
        assert article_text.count(shown) >= 6

        # a click on the hostile row runs nothing and the app keeps going
        await pilot.click("#entries", offset=(4, 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None

        # the same text as an error: status line and notification
        main.carry_out(Step(message=text, severity="warning"))
        await pilot.pause()
        assert main.status.last_error is not None and not UNSAFE.search(main.status.last_error)
        status = screen_lines(main.status)[0]
        assert shown[:20] in status


async def test_a_500_character_word_wraps_and_is_cut(reader: Reader) -> None:
    hostile_store(reader, "plain")
    app = ReaderApp(reader, background_refresh=False)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        width = main.entry_list.scrollable_content_region.width
        assert all(len(line) == width for line in screen_lines(main.entry_list))
        row = main.entry_list.source.row(1)
        assert row is not None and row.title == LONG_WORD
        await pilot.press("tab", "enter")
        lines = main.article_view.text_lines
        view_width = main.article_view.scrollable_content_region.width
        assert all(len(line) <= view_width for line in lines)
        assert sum(line.count("x") for line in lines) >= 500  # folded, not lost
