"""An :class:`~reader.models.Article` as plain text or Markdown, from the same block model.

Pure and small: the TUI renders the Markdown, ``reader read`` prints either. Only the body is
rendered by :func:`to_text` / :func:`to_markdown`; the header (title, byline, site, date,
reading time) comes from :func:`article_header`, which the app uses too, through
:func:`header_text` / :func:`header_markdown`.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote

from reader.models import Article, Block, Span, StoryLink
from reader.sanitize import clean_line

__all__ = [
    "ArticleHeader",
    "article_header",
    "cell_width",
    "escape_markdown",
    "format_date",
    "has_cjk",
    "header_markdown",
    "header_text",
    "line_starts",
    "link_list_text",
    "local_datetime",
    "table_columns",
    "to_markdown",
    "to_text",
    "wrap_line",
]

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LIST_INDENT_TEXT = "  "
_LIST_INDENT_MD = "    "  # deep enough for "1. " and "10. " parents in CommonMark
_TIGHT = ("list_item", "table_row")  # kinds that follow each other without a blank line


def format_date(value: str | None) -> str:
    """A published date for people: ``2025-02-03 14:10`` from ISO 8601, else as given."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if len(value) <= 10:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d %H:%M")


def local_datetime(timestamp: float) -> str:
    """``2026-11-28 14:05`` in local time, for any stored date: ``time.localtime`` takes the
    whole calendar, where ``datetime.fromtimestamp`` fails on the first day of year 1."""
    try:
        moment = time.localtime(timestamp)
    except (OverflowError, OSError, ValueError):
        return "????-??-?? ??:??"
    return (
        f"{moment.tm_year:04d}-{moment.tm_mon:02d}-{moment.tm_mday:02d} "
        f"{moment.tm_hour:02d}:{moment.tm_min:02d}"
    )


@dataclass(frozen=True)
class ArticleHeader:
    """What is shown above an article, by ``reader read`` and by the app alike."""

    title: str  # the title, else the URL
    meta: str  # "By Ann Lee · The Site · 2025-02-03 14:10 · 3 min read", or ""


def article_header(article: Article) -> ArticleHeader:
    """The one header of an article: its title line and its byline · site · date · time line.

    Each part is cleaned of control characters (it comes from the page); the reading time
    is the extractor's (:func:`reader.extract.reading_minutes`).
    """
    parts = []
    byline = clean_line(article.byline or "")
    site_name = clean_line(article.site_name or "")
    if byline and byline.casefold() != site_name.casefold():  # "By Euronews · euronews": once
        parts.append(f"By {byline}")
    if site_name:
        parts.append(site_name)
    if published := clean_line(format_date(article.published)):
        parts.append(published)
    if article.reading_minutes:
        parts.append(f"{article.reading_minutes} min read")
    title = clean_line(article.title) or clean_line(article.url) or "(untitled)"
    return ArticleHeader(title=title, meta=" · ".join(parts))


def header_text(article: Article) -> str:
    """Title, then one line: byline · site · date · reading time (and the source if feed)."""
    header = article_header(article)
    lines = [header.title]
    if header.meta:
        lines.append(header.meta)
    if article.source == "feed":
        lines.append(article.note or "Shown from the feed.")
    return "\n".join(lines)


def header_markdown(article: Article) -> str:
    """The header as Markdown: a level-1 heading and an emphasised line."""
    header = article_header(article)
    lines = ["# " + escape_markdown(header.title)]
    if header.meta:
        lines += ["", "*" + escape_markdown(header.meta) + "*"]
    if article.source == "feed":
        note = article.note or "Shown from the feed."
        lines += ["", "> " + escape_markdown(note)]
    return "\n".join(lines)


# --- plain text -------------------------------------------------------------------------


def _wrap(text: str, width: int | None, first: str, rest: str) -> list[str]:
    lines: list[str] = []
    for index, line in enumerate(text.split("\n")):
        lead = first if index == 0 else rest
        if width is None or cell_width(lead + line) <= width:
            lines.append(lead + line)
            continue
        lines.extend(wrap_line(line, max(width, cell_width(lead) + 10), lead, rest))
    return lines


# Where a line may break. Spaces break, but not the no-break ones (U+00A0, U+2007, U+202F:
# "10 000", "M. Dupont", French "quoi ?"), and not a space before ? ! : ; » or after «
# (French typography set with plain spaces: "?" never starts a line). Chinese, Japanese and
# Korean text breaks between its characters too, but never inside a run of other characters
# (a number, a Latin word, a URL, "[bold]"), never before closing punctuation (、。」) and
# never after opening punctuation (「（).
_SPACES = " \t\n\r\f\v\u1680\u2000-\u2006\u2008-\u200b\u205f\u3000"
# Characters a line may break between (Hangul is left out: Korean breaks at its spaces,
# between words, as Korean sites ask with ``word-break: keep-all``).
_WIDE = (
    "\u2e80-\u2fff\u3001-\u303f\u3040-\u312f\u3190-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
)
_OPEN = "「『（【〈《〔［｛“‘([{\"'"
_CLOSE = "、。，．・：；！？」』）】〉》〕］｝”’ーｰ～)\\]}!?,.:;%\"'"
_UNIT_RE = re.compile(
    f"[{_SPACES}]+|[{_OPEN}]*(?:[^{_SPACES}{_WIDE}]+|[^{_SPACES}])[{_CLOSE}]*", re.S
)
_SPACES_STR = (
    " \t\n\r\f\v\u1680"
    + "".join(map(chr, range(0x2000, 0x2007)))
    + ("\u2008\u2009\u200a\u200b\u205f\u3000")
)
_SPACE_CHARS = frozenset(_SPACES_STR)
_GLUE_BEFORE = frozenset("?!:;»›")  # a space before these does not break
_GLUE_AFTER = frozenset("«‹")  # nor a space after these


def cell_width(text: str) -> int:
    """Terminal cells ``text`` takes: two for wide (CJK) characters, none for combining."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese, Japanese or Korean characters (wrapped by cells)."""
    return _CJK_RE.search(text) is not None


def line_starts(text: str, width: int, first: int = 0, rest: int = 0) -> list[int]:
    """Where each line after the first starts when one line of ``text`` (no newline in it)
    is wrapped in ``width`` terminal cells (``first`` and ``rest``: the cells the lines'
    prefixes take); the next line starts after the spaces of a break.

    Breaks at spaces, and between CJK characters, as the comment above says. A run longer
    than the line gets a line of its own, uncut (the caller folds it or lets it run on).
    The app wraps its styled text at these offsets, ``reader read`` its plain text.
    """
    # units that cannot be split: (start, cells, cells of the space before it)
    units: list[list[int]] = []
    space, glue, indent = 0, False, 0
    for match in _UNIT_RE.finditer(text):
        unit = match.group()
        if unit[0] in _SPACE_CHARS:
            if not units:  # the line's own indent (code): it stays, and takes room
                indent = cell_width(unit.expandtabs(4))
                continue
            after = text[match.end() : match.end() + 1]
            glue = after in _GLUE_BEFORE or text[match.start() - 1] in _GLUE_AFTER
            space = 1
            continue
        cells = len(unit) if unit.isascii() else cell_width(unit)
        if glue:
            units[-1][1] += space + cells
        else:
            units.append([match.start(), cells, space])
        space, glue = 0, False
    starts: list[int] = []
    used = first + indent
    for number, (start, cells, gap) in enumerate(units):
        if number and used + gap + cells > width:
            starts.append(start)
            used, gap = rest, 0
        used += gap + cells
    return starts


def wrap_line(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """One line of text as lines of at most ``width`` terminal cells (the breaks of
    :func:`line_starts`; spaces at a break are dropped; a run longer than a line is left
    whole)."""
    starts = line_starts(text, width, cell_width(first), cell_width(rest))
    pieces = [text[a:b] for a, b in zip([0, *starts], [*starts, len(text)], strict=True)]
    return [
        (first + piece).rstrip() if index == 0 else (rest + piece.lstrip(_SPACES_STR)).rstrip()
        for index, piece in enumerate(pieces)
    ]


def link_numbers(article: Article) -> dict[str, int]:
    """Each body link's number, as the app shows it: ``article.links`` in order, from 1."""
    numbers: dict[str, int] = {}
    for number, link in enumerate(article.links, start=1):
        numbers.setdefault(link.url, number)
    return numbers


def _numbered_text(block: Block, numbers: dict[str, int]) -> str:
    """The block's text with ``[n]`` after each link's last span, as in the app."""
    return _numbered_spans(block.spans, numbers)


def _numbered_spans(spans: Sequence[Span], numbers: dict[str, int]) -> str:
    parts: list[str] = []
    for index, span in enumerate(spans):
        number = numbers.get(span.href) if span.href else None
        if number is not None and (index + 1 == len(spans) or spans[index + 1].href != span.href):
            words = span.text.rstrip()  # the number before the space the link text ends with
            parts += [words, f"[{number}]", span.text[len(words) :]]
        else:
            parts.append(span.text)
    return "".join(parts)


def _text_lines(block: Block, width: int | None, numbers: dict[str, int]) -> list[str]:
    if block.kind == "code":
        return block.text.split("\n")
    text = _numbered_text(block, numbers) if numbers else block.text
    if block.kind == "rule":
        return ["* * *"]
    if block.kind == "list_item":
        indent = _LIST_INDENT_TEXT * max(block.level - 1, 0)
        marker = f"{block.number}. " if block.number is not None else "- "
        return _wrap(text, width, indent + marker, indent + " " * len(marker))
    return _wrap(text, width, "", "")


TABLE_GAP = "  "
"""Between the columns of a table drawn as text."""
TABLE_TEXT_WIDTH = 80
"""The width a table is laid out for when the text has none (``reader read``, saved text)."""
TABLE_MIN_COLUMN = 10
"""The narrowest a column whose cells are wrapped may be (unless all its cells are)."""


def table_columns(cells: Sequence[Sequence[str]], width: int | None) -> list[int] | None:
    """How wide each column of a table is drawn in ``width`` cells (``TABLE_GAP`` between
    them): as wide as its widest cell when the table fits, else narrower, its cells
    wrapped, but never narrower than a column's longest word; None when even that does not
    fit (or, with no ``width``, when the table is wider than ``TABLE_TEXT_WIDTH``): then each
    row is drawn on lines of its own (its cells joined, or "Header: value" lines)."""
    columns = max((len(row) for row in cells), default=0)
    if not columns:
        return None
    natural = [0] * columns
    least = [0] * columns
    for row in cells:
        for column, text in enumerate(row):
            natural[column] = max(natural[column], cell_width(text))
            words = text.split()
            least[column] = max(least[column], *(cell_width(w) for w in words), 0)
    # a column narrower than this reads as a list of words: the table goes row by row
    least = [min(n, max(m, TABLE_MIN_COLUMN)) for n, m in zip(natural, least, strict=True)]
    room = (width or TABLE_TEXT_WIDTH) - len(TABLE_GAP) * (columns - 1)
    if sum(natural) <= room:
        return natural
    if width is None or sum(least) > room:
        return None
    # Columns narrower than a fair share keep their width; the rest share what is left by
    # how wide they would be, none below its longest word.
    widths = natural[:]
    rest = list(range(columns))
    left = room
    while rest:
        share = left // len(rest)
        small = [c for c in rest if natural[c] <= share]
        if not small:
            break
        left -= sum(natural[c] for c in small)
        rest = [c for c in rest if c not in small]
    if rest:
        wanted = sum(natural[c] for c in rest)
        for c in rest:
            widths[c] = max(least[c], left * natural[c] // wanted)
        over = sum(widths) - room
        while over > 0:
            c = max(rest, key=lambda c: widths[c] - least[c])
            cut = min(over, widths[c] - least[c])
            if cut <= 0:
                return None
            widths[c] -= cut
            over -= cut
        for c in sorted(rest, key=lambda c: widths[c] - natural[c]):
            extra = min(room - sum(widths), natural[c] - widths[c])
            widths[c] += max(extra, 0)
    return widths


TABLE_JOIN = " · "
"""Between the cells of a row drawn as one line, when the columns do not fit."""


def _stacked(runs: list[list[str]]) -> list[str]:
    """Rows drawn as lines of their own: one-line rows one under the other, a blank line
    around a row of several lines."""
    lines: list[str] = []
    for number, run in enumerate(runs):
        if number and (len(run) > 1 or len(runs[number - 1]) > 1):
            lines.append("")
        lines.extend(run)
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


def _text_table(rows: Sequence[Block], width: int | None, numbers: dict[str, int]) -> list[str]:
    """A table as text: aligned columns (a rule under the header row), cells wrapped in
    their columns when it is too wide, else row by row: a row on one line, its cells
    joined, when it fits (and the header said once above), else as "Header: value" lines."""
    cells = [
        [" ".join(_numbered_spans(cell, numbers).split()) for cell in row.cells()] for row in rows
    ]
    columns = max(len(row) for row in cells)
    cells = [row + [""] * (columns - len(row)) for row in cells]
    header = rows[0].level == 1 and len(rows) > 1
    widths = table_columns(cells, width)
    lines: list[str] = []
    if widths is None:
        room = width or TABLE_TEXT_WIDTH
        names = cells[0] if header else []
        head: list[str] = []
        runs: list[list[str]] = []
        for number, row in enumerate(cells):
            joined = TABLE_JOIN.join(c for c in row if c)
            if number == 0 and header:
                if cell_width(joined) <= room:  # else the names are said in each row
                    head = [joined, "-" * cell_width(joined)]
            elif not names or (head and cell_width(joined) <= room):
                runs.append(_wrap(joined, width, "", "  "))
            else:
                runs.append(
                    [
                        line
                        for name, value in zip(names, row, strict=True)
                        if value
                        for line in _wrap(f"{name}: {value}" if name else value, width, "", "  ")
                    ]
                )
        if head and runs and len(runs[0]) > 1:
            head.append("")
        return head + _stacked(runs)
    wrapped = width is not None and any(
        cell_width(text) > widths[c] for row in cells for c, text in enumerate(row)
    )
    for number, row in enumerate(cells):
        if wrapped and number and not (header and number == 1):
            lines.append("")
        pieces = [wrap_line(text, widths[c]) if wrapped else [text] for c, text in enumerate(row)]
        for line in range(max(len(p) for p in pieces)):
            parts = [
                _pad(p[line] if line < len(p) else "", widths[c]) for c, p in enumerate(pieces)
            ]
            lines.append(TABLE_GAP.join(parts).rstrip())
        if header and number == 0:
            lines.append(TABLE_GAP.join("-" * w for w in widths))
    return lines


def _tables_grouped(blocks: Sequence[Block]) -> list[list[Block]]:
    """The blocks, each alone but a table's rows (in the same quote) together."""
    groups: list[list[Block]] = []
    for block in blocks:
        previous = groups[-1][-1] if groups else None
        if (
            block.kind == "table_row"
            and previous is not None
            and previous.kind == "table_row"
            and previous.quote == block.quote
        ):
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def _join(blocks: Sequence[Block], render: list[list[str]], quote_mark: str = ">") -> str:
    out: list[str] = []
    previous: Block | None = None
    for block, lines in zip(blocks, render, strict=True):
        prefix = (quote_mark + " ") * block.quote
        if previous is not None:
            tight = block.kind == previous.kind and block.kind in _TIGHT
            if not tight:
                shared = min(block.quote, previous.quote)
                out.append(((quote_mark + " ") * shared).rstrip())
        out.extend((prefix + line).rstrip() if line else prefix.rstrip() for line in lines)
        previous = block
    return "\n".join(out).strip("\n")


def to_text(article: Article, width: int | None = None, numbered: bool = False) -> str:
    """The body as plain text: blank lines between paragraphs, links as their text only,
    or, ``numbered``, followed by ``[n]``: the numbers of :func:`link_list_text`."""
    numbers = link_numbers(article) if numbered else {}
    groups = _tables_grouped([b for b in article.blocks if b.text.strip() or b.kind == "rule"])
    rendered = []
    for group in groups:
        block = group[0]
        inner = None if width is None else max(width - 2 * block.quote, 20)
        if block.kind == "table_row":
            rendered.append(_text_table(group, inner, numbers))
        else:
            rendered.append(_text_lines(block, inner, numbers))
    return _join([group[0] for group in groups], rendered)


def link_list_text(article: Article, more: Sequence[StoryLink] = ()) -> str:
    """The numbered list under the text, as in the app: "Links" (the body's, numbered as
    in the text), then "Related", then "More on this story" (``more``: other feeds'
    reports, with feed and date), numbered on. Empty when there is none of them."""
    lines: list[str] = []
    number = 0
    for title, links in (("Links", article.links), ("Related", article.related)):
        if not links:
            continue
        lines += ["", f"{title}:"]
        for link in links:
            number += 1
            url = clean_line(link.url)
            label = clean_line(link.text)
            if not label or label == url:  # a bare address, shown once
                lines.append(f"[{number}] <{url}>")
            else:
                lines.append(f"[{number}] {label}  <{url}>")
    if more:
        lines += ["", "More on this story:"]
        for story in more:
            number += 1
            url = clean_line(story.url)
            lines.append(
                f"[{number}] {clean_line(story.title) or url}  ({story_source(story)})  <{url}>"
            )
    return "\n".join(lines)


def story_source(story: StoryLink) -> str:
    """ "Le Phare, 2026-11-27 11:30": whose report it is, and when."""
    feed = clean_line(story.feed)
    return f"{feed}, {local_datetime(story.published)}" if story.published else feed


# --- Markdown ---------------------------------------------------------------------------

_MD_ALWAYS = re.compile(r"([\\`*_\[\]<>|~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])", re.M)


def escape_markdown(text: str) -> str:
    """Escape untrusted text so Markdown shows it as written (no markup, links or HTML)."""
    text = _MD_ALWAYS.sub(r"\\\1", text)
    text = _MD_ENTITY.sub(r"\\&", text)

    def line_start(match: re.Match[str]) -> str:
        space, mark = match.group(1), match.group(2)
        if mark[0].isdigit():
            return space + mark[:-1] + "\\" + mark[-1]
        return space + "\\" + mark

    return _MD_LINE_START.sub(line_start, text)


def _md_url(url: str) -> str:
    # Angle-bracket destinations allow spaces and parentheses; never < > or newlines.
    return "<" + quote(url, safe=":/?#[]@!$&'()*+,;=%~-._") + ">"


def _md_span(span: Span) -> str:
    text = span.text
    if not text:
        return ""
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    core = text.strip()
    if not core:
        return text
    if span.style == "code":
        fence = "`"
        while fence in core:
            fence += "`"
        pad = " " if core.startswith("`") or core.endswith("`") else ""
        body = f"{fence}{pad}{core}{pad}{fence}"
    else:
        body = escape_markdown(core).replace("\n", "\\\n")
        if span.style == "em":
            body = f"*{body}*"
        elif span.style == "strong":
            body = f"**{body}**"
    if span.href:
        body = f"[{body}]({_md_url(span.href)})"
    return lead + body + trail


def _md_inline(block: Block) -> str:
    text = "".join(_md_span(span) for span in block.spans)
    # A line break inside a paragraph is a hard break in Markdown.
    return re.sub(r"(?<!\\)\n", "\\\n", text)


def _md_lines(block: Block) -> list[str]:
    if block.kind == "code":
        code = block.text
        fence = "```"
        while fence in code:
            fence += "`"
        return [fence, *code.split("\n"), fence]
    if block.kind == "rule":
        return ["---"]
    inline = _md_inline(block)
    if block.kind == "heading":
        return ["#" * min(max(block.level, 1), 6) + " " + inline.replace("\\\n", " ")]
    if block.kind == "list_item":
        indent = _LIST_INDENT_MD * max(block.level - 1, 0)
        marker = f"{block.number}. " if block.number is not None else "- "
        lines = inline.split("\n")
        return [indent + marker + lines[0]] + [indent + " " * len(marker) + x for x in lines[1:]]
    if block.kind == "caption":
        return ["*" + inline + "*"]
    return inline.split("\n")


def _md_cell(spans: Sequence[Span]) -> str:
    """A cell's Markdown on one line; a "|" in code escaped too (GFM splits cells first)."""
    parts = [
        _md_span(
            replace(span, text=span.text.replace("|", "\\|")) if span.style == "code" else span
        )
        for span in spans
    ]
    return re.sub(r"\\?\n|\s+", " ", "".join(parts)).strip()


def _md_table(rows: Sequence[Block]) -> list[str]:
    """A table as a Markdown (GFM) table; its header row the page's, else empty."""
    cells = [[_md_cell(cell) for cell in row.cells()] for row in rows]
    columns = max(len(row) for row in cells)
    cells = [row + [""] * (columns - len(row)) for row in cells]
    header = cells[0] if rows[0].level == 1 else [""] * columns
    body = cells[1:] if rows[0].level == 1 else cells

    def line(row: list[str]) -> str:
        return "| " + " | ".join(row) + " |"

    return [line(header), "|" + "|".join(" --- " for _ in range(columns)) + "|"] + [
        line(row) for row in body
    ]


def to_markdown(article: Article) -> str:
    """The body as Markdown; every piece of page text is escaped."""
    groups = _tables_grouped([b for b in article.blocks if b.text.strip() or b.kind == "rule"])
    rendered = [
        _md_table(group) if group[0].kind == "table_row" else _md_lines(group[0])
        for group in groups
    ]
    return _join([group[0] for group in groups], rendered)
