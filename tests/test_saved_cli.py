"""``reader saved``: the reading list as text, Markdown and JSON."""

from __future__ import annotations

from reader.core import Reader
from reader.models import Article, Block, Span


def save_two(reader: Reader) -> None:
    reader.save(
        Article(
            url="https://news.example/first",
            title="First [bold]story",
            site_name="Example News",
            blocks=(Block("paragraph", (Span("The first *story* text."),)),),
        )
    )
    reader.save(
        Article(
            url="https://news.example/second",
            title="Second\x1b]0;x\x07 story",
            site_name=None,
            blocks=(Block("paragraph", (Span("Second text."),)),),
        ),
        reached_from="https://news.example/first",
    )


def test_saved_as_text_json_and_markdown(cli, reader: Reader) -> None:  # type: ignore[no-untyped-def]
    assert "empty" in cli("saved").out
    save_two(reader)

    text = cli("saved")
    assert text.status == 0, text.err
    assert text.out.index("Second story") < text.out.index("First [bold]story")  # newest first
    assert "\x1b" not in text.out and "\x07" not in text.out
    for wanted in ("URL:", "https://news.example/first", "Site:", "Example News", "Saved:",
                   "Reached from:", "Second text.", "The first *story* text."):  # fmt: skip
        assert wanted in text.out

    rows = cli("saved", "--format", "json").json()
    assert [r["url"] for r in rows] == ["https://news.example/second", "https://news.example/first"]
    assert rows[0]["reached_from"] == "https://news.example/first"
    assert set(rows[0]) == {"title", "url", "site", "saved_at", "reached_from", "text"}
    assert rows[1]["text"].strip() == "The first *story* text."

    markdown = cli("saved", "--format", "markdown").out
    assert "# First \\[bold\\]story" in markdown
    assert "\\*story\\*" in markdown
    assert "- Reached from: https://news.example/first" in markdown.replace("\\", "")


def test_saved_markdown_has_real_tables(cli, reader: Reader) -> None:  # type: ignore[no-untyped-def]
    header = (Span("Stop"), Span(" | "), Span("Departs"))
    reader.save(
        Article(
            url="https://news.example/ferry",
            title="Ferry times",
            blocks=(
                Block("table_row", header, level=1),
                Block("table_row", (Span("Pier | East"), Span(" | "), Span("07:10"))),
            ),
        )
    )
    markdown = cli("saved", "--format", "markdown").out
    assert "| Stop | Departs |\n| --- | --- |\n| Pier \\| East | 07:10 |" in markdown
