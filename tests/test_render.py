"""Rendering the block model as plain text and Markdown."""

from __future__ import annotations

from reader.models import Article, Block, Link, Span
from reader.render import (
    ArticleHeader,
    article_header,
    cell_width,
    escape_markdown,
    header_markdown,
    header_text,
    link_list_text,
    to_markdown,
    to_text,
    wrap_line,
)


def _p(text: str, **kw: object) -> Block:
    return Block(kind="paragraph", spans=(Span(text),), **kw)  # type: ignore[arg-type]


ARTICLE = Article(
    url="https://example.com/a",
    title="A *title*",
    byline="Ann Author",
    site_name="The Example",
    published="2025-01-02T03:04:05+00:00",
    reading_minutes=3,
    blocks=(
        Block(kind="heading", spans=(Span("Section"),), level=2),
        Block(
            kind="paragraph",
            spans=(Span("Read "), Span("the docs", href="https://docs.example/x"), Span(" now.")),
        ),
        Block(kind="list_item", spans=(Span("one"),), level=1, number=1),
        Block(kind="list_item", spans=(Span("two"),), level=1, number=2),
        Block(kind="list_item", spans=(Span("nested"),), level=2),
        _p("Quoted.", quote=1),
        _p("Still quoted.", quote=1),
        Block(kind="code", spans=(Span("x = 1\n    y = [2]"),)),
        Block(kind="table_row", spans=(Span("a"), Span(" | "), Span("b")), level=1),
        Block(kind="table_row", spans=(Span("1 | 2"),)),  # a row cached before cells were spans
        Block(kind="caption", spans=(Span("A photo."),)),
    ),
)


def test_text_layout() -> None:
    assert to_text(ARTICLE) == (
        "Section\n\n"
        "Read the docs now.\n\n"
        "1. one\n2. two\n  - nested\n\n"
        "> Quoted.\n>\n> Still quoted.\n\n"
        "x = 1\n    y = [2]\n\n"
        "a  b\n-  -\n1  2\n\n"
        "A photo."
    )


def test_text_wraps_to_width_without_splitting_words() -> None:
    article = Article(url="u", blocks=(_p("word " * 30 + "extraordinarily"),))
    lines = to_text(article, width=20).split("\n")
    assert all(len(line) <= 20 for line in lines)
    assert lines[-1].endswith("extraordinarily")
    cjk = Article(url="u", blocks=(_p("漢字" * 30),))
    assert max(len(line) for line in to_text(cjk, width=20).split("\n")) <= 20


def test_markdown_layout() -> None:
    md = to_markdown(ARTICLE)
    assert md.startswith("## Section\n\nRead [the docs](<https://docs.example/x>) now.")
    assert "1\\. one" not in md and "1. one\n2. two\n    - nested" in md
    assert "> Quoted.\n>\n> Still quoted." in md
    assert "```\nx = 1\n    y = [2]\n```" in md
    assert "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n*A photo.*" in md
    assert md.endswith("*A photo.*")


def test_markdown_escapes_page_text() -> None:
    article = Article(
        url="u",
        blocks=(
            _p("# not a heading"),
            _p("1. not a list <script>alert(1)</script> *no* [x](javascript:y) a_b &amp;"),
        ),
    )
    md = to_markdown(article)
    assert md.startswith("\\# not a heading")
    assert "1\\. not a list \\<script\\>" in md
    assert "\\*no\\*" in md and "\\[x\\]" in md and "a\\_b" in md and "\\&amp;" in md


def test_escape_markdown_line_starts() -> None:
    assert escape_markdown("- item\n+ plus\n> quote") == "\\- item\n\\+ plus\n\\> quote"


def test_link_url_cannot_break_out() -> None:
    article = Article(
        url="u", blocks=(Block(kind="paragraph", spans=(Span("x", href="https://e.x/a b>c)"),)),)
    )
    assert to_markdown(article) == "[x](<https://e.x/a%20b%3Ec)>)"


def test_styles_and_line_breaks() -> None:
    block = Block(
        kind="paragraph",
        spans=(
            Span("bold ", style="strong"),
            Span("it", style="em"),
            Span(" `c`", style="code"),
            Span("\nnext"),
        ),
    )
    article = Article(url="u", blocks=(block,))
    assert to_markdown(article) == "**bold** *it* `` `c` ``\\\nnext"
    assert to_text(article) == "bold it `c`\nnext"


def test_headers() -> None:
    assert header_text(ARTICLE) == (
        "A *title*\nBy Ann Author · The Example · 2025-01-02 03:04 · 3 min read"
    )
    md = header_markdown(ARTICLE)
    assert md.startswith("# A \\*title\\*\n\n*By Ann Author")
    feed = Article(url="https://e.x/", source="feed", note="The page needs JavaScript.")
    assert header_text(feed).endswith("The page needs JavaScript.")


def test_one_header_for_the_app_and_reader_read() -> None:
    # The app's ArticleView shows article_header(); reader read prints it through header_text.
    header = article_header(ARTICLE)
    assert header.meta == "By Ann Author · The Example · 2025-01-02 03:04 · 3 min read"
    assert header_text(ARTICLE) == f"{header.title}\n{header.meta}"
    untitled = Article(url="https://e.x/a", byline="Ann\x1b[31m Lee", published="2025-01-02")
    assert article_header(untitled) == ArticleHeader(
        title="https://e.x/a", meta="By Ann Lee · 2025-01-02"
    )
    assert article_header(Article(url="")).title == "(untitled)"


def test_empty_article() -> None:
    article = Article(url="u")
    assert to_text(article) == ""
    assert to_markdown(article) == ""


def test_cjk_wraps_between_characters_but_never_inside_numbers_or_latin_words() -> None:
    text = "市は28日、現在の178人の運転手ではCOVID-19以降のダイヤを維持できないと発表した。"
    for width in range(8, 40):
        lines = wrap_line(text, width)
        assert "".join(lines) == text
        assert all(cell_width(line) <= width for line in lines)
        joined = "\n".join(lines)
        for run in ("28", "178", "COVID-19"):
            assert run in joined  # never "1\n78"
        assert not any(line.startswith(("、", "。")) for line in lines)


def test_reader_read_wraps_cjk_by_terminal_cells() -> None:
    paragraph = Block(kind="paragraph", spans=(Span("現在の178人" * 8),))
    lines = to_text(Article(url="u", blocks=(paragraph,)), width=30).splitlines()
    assert all(cell_width(line) <= 30 for line in lines)
    assert all("178" in line or "1" not in line for line in lines)


def test_lines_never_break_at_a_no_break_space_nor_before_french_punctuation() -> None:
    # Le Monde sets "« l’indépendance »" and "quoi ?" with no-break spaces, Euronews with
    # plain ones: either way "?" or "»" never starts a line and "«" never ends one
    text = (
        "Il s’agit notamment, de manière attendue, de « l’indépendance nationale » et"
        " de\u00a0«\u00a0la prévention\u00a0» ; mais dans quel but ? Pour 10\u202f000 euros !"
    )
    for width in range(12, 60):
        lines = wrap_line(text, width)
        assert " ".join(lines) == text.replace("  ", " ")
        assert not any(line.startswith(("?", "!", "»", ";", ":")) for line in lines), lines
        assert not any(line.endswith("«") for line in lines), lines
        assert "10\u202f000" in "\n".join(lines)


def test_cjk_text_keeps_latin_runs_whole_and_korean_breaks_at_its_spaces() -> None:
    text = "北京时间2024年10月1日 [@click=app.quit]quit[/]。详见https://example.com/a/b页面。"
    for width in range(10, 50):
        joined = "\n".join(wrap_line(text, width))
        for run in ("[@click=app.quit]quit[/]", "https://example.com/a/b", "2024", "10"):
            assert run in joined, (width, joined)
    korean = "서울시는 28일 시내버스 노선을 전면 개편한다고 발표했다."
    for width in range(12, 40):
        words = [word for line in wrap_line(korean, width) for word in line.split(" ")]
        assert words == korean.split(" "), width  # never inside a word


def test_an_indent_stays_and_takes_room() -> None:
    lines = wrap_line("    await queue.put(record)", 20)
    assert lines == ["    await", "queue.put(record)"]  # the indent counted in the width


def test_a_link_number_goes_before_the_space_its_text_ends_with() -> None:
    block = Block("paragraph", (Span("Go Fund Me ", href="https://x.example/g"), Span("page")))
    article = Article(url="u", blocks=(block,), links=(Link("Go Fund Me", "https://x.example/g"),))
    assert to_text(article, numbered=True) == "Go Fund Me[1] page"


def test_a_byline_that_is_the_site_name_is_shown_once() -> None:
    # Euronews signs its stories "Euronews"; heise "Mac & i", its section's name
    article = Article(url="u", title="T", byline="Euronews", site_name="euronews")
    assert article_header(article).meta == "euronews"
    other = Article(url="u", title="T", byline="Ann Lee", site_name="euronews")
    assert article_header(other).meta == "By Ann Lee · euronews"


def test_a_link_whose_text_is_its_address_is_listed_once() -> None:
    # an embedded tweet's "https://t.co/k3VgR8sQ2m": the address twice on one line
    tco = "https://t.co/k3VgR8sQ2m"
    article = Article(url="u", links=(Link(tco, tco), Link("the plan", "https://x.example/p")))
    assert link_list_text(article).splitlines()[2:] == [
        f"[1] <{tco}>",
        "[2] the plan  <https://x.example/p>",
    ]


def _row(*cells: str, header: bool = False) -> Block:
    spans: list[Span] = []
    for number, cell in enumerate(cells):
        if number:
            spans.append(Span(" | "))
        if cell:
            spans.append(Span(cell))
    return Block(kind="table_row", spans=tuple(spans), level=int(header))


RESULTS = (
    _row("Runner", "Time", "Club", header=True),
    _row("Ada Lindqvist", "2:31:04", "Harbour Striders"),
    _row("Bo", "", "Hill | Dale AC"),
)


def test_a_table_as_text_is_aligned_columns_under_its_header() -> None:
    article = Article(url="u", blocks=(_p("Results:"), *RESULTS, _p("More soon.")))
    assert to_text(article) == (
        "Results:\n\n"
        "Runner         Time     Club\n"
        "-------------  -------  ----------------\n"
        "Ada Lindqvist  2:31:04  Harbour Striders\n"
        "Bo                      Hill | Dale AC\n\n"
        "More soon."
    )


def test_a_wide_table_wraps_its_cells_in_their_columns_then_goes_row_by_row() -> None:
    said = "The ferry will run again in March, and fares stay as they are for a year."
    table = (
        _row("Name", "What they said", "When", header=True),
        _row("Ann Lee", said, "Monday"),
        _row("Bo", "No comment.", "Tuesday"),
    )
    assert to_text(Article(url="u", blocks=table), width=40).split("\n") == [
        "Name     What they said          When",
        "-------  ----------------------  -------",
        "Ann Lee  The ferry will run      Monday",
        "         again in March, and",
        "         fares stay as they are",
        "         for a year.",
        "",
        "Bo       No comment.             Tuesday",
    ]
    # too narrow for the columns: each row as "Header: value" lines
    lines = to_text(Article(url="u", blocks=table), width=24).split("\n")
    assert all(cell_width(line) <= 24 for line in lines)
    assert lines[:3] == ["Name: Ann Lee", "What they said: The", "  ferry will run again"]
    assert lines[-4:] == ["Name: Bo", "What they said: No", "  comment.", "When: Tuesday"]
    # without a width (reader read, saved text) a table wider than 80 goes row by row,
    # a row on one line when it fits there, its cells whole
    wide = (_row("Constituency", "Member", "Address", header=True),
            _row("Berwick-upon-Tweed", "Anne-Marie Trevelyan", "a" * 30 + "@parliament.example"),
            _row("Ashford", "Damian Green", "damian.green@parliament.example"))  # fmt: skip
    text = to_text(Article(url="u", blocks=wide)).split("\n")
    assert text[:2] == ["Constituency · Member · Address", "-------------------------------"]
    assert "Member: Anne-Marie Trevelyan" in text  # a row too long for a line
    assert text[-1] == "Ashford · Damian Green · damian.green@parliament.example"


def test_a_table_in_markdown_is_a_table() -> None:
    md = to_markdown(Article(url="u", blocks=(_p("Results:"), *RESULTS)))
    assert md == (
        "Results:\n\n"
        "| Runner | Time | Club |\n"
        "| --- | --- | --- |\n"
        "| Ada Lindqvist | 2:31:04 | Harbour Striders |\n"
        "| Bo |  | Hill \\| Dale AC |"
    )
    # no header row on the page: an empty one, as a Markdown table needs one
    plain = to_markdown(Article(url="u", blocks=(_row("a", "`x|y`"), _row("1", "2"))))
    assert plain.split("\n")[:3] == ["|  |  |", "| --- | --- |", "| a | \\`x\\|y\\` |"]
