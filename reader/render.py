"""An :class:`~reader.models.Article` as plain text or Markdown, from the same block model.

Pure and small: the TUI renders the Markdown, ``reader read`` prints either. Only the body is
rendered by :func:`to_text` / :func:`to_markdown`; the header (title, byline, site, date,
reading time) comes from :func:`article_header`, which the app uses too, through
:func:`header_text` / :func:`header_markdown`.
"""

from __future__ import annotations

import re
import textwrap
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from reader.models import Article, Block, Span, StoryLink
from reader.sanitize import clean_line

__all__ = [
    "ArticleHeader",
    "article_header",
    "cell_width",
    "cjk_line_starts",
    "escape_markdown",
    "format_date",
    "has_cjk",
    "header_markdown",
    "header_text",
    "link_list_text",
    "local_datetime",
    "to_markdown",
    "to_text",
    "wrap_cjk",
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
    if byline := clean_line(article.byline or ""):
        parts.append(f"By {byline}")
    if site_name := clean_line(article.site_name or ""):
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
        if width is None or len(lead) + len(line) <= width:
            lines.append(lead + line)
            continue
        if _CJK_RE.search(line):
            lines.extend(wrap_cjk(line, max(width, len(lead) + 10), lead, rest))
            continue
        wrapped = textwrap.wrap(
            line,
            width=max(width, len(lead) + 10),
            initial_indent=lead,
            subsequent_indent=rest,
            break_on_hyphens=False,
            break_long_words=False,
        )
        lines.extend(wrapped or [lead])
    return lines


# A run that is never cut: digits and Latin letters with the marks inside numbers, names
# and URLs ("1,234.5", "78人" keeps "78" whole, "COVID-19", "example.com/a"); closing
# punctuation stays with what it closes, opening punctuation with what it opens.
_UNIT_RE = re.compile(
    r"""\s+
      | [(\[「『（【〈《"“‘]*
        (?:[0-9A-Za-z\u00c0-\u024f]+(?:[.,:/%'’\-+_@#&=?][0-9A-Za-z\u00c0-\u024f]+)*%?|.)
        [)\]」』）】〉》、。，．・：；！？!?,.:;%"”’ー～]*""",
    re.X,
)


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


def cjk_line_starts(text: str, width: int, first: int = 0, rest: int = 0) -> list[int]:
    """Where each line after the first starts when ``text`` is wrapped in ``width`` cells
    (``first`` and ``rest``: the cells the lines' prefixes take), for text with CJK
    characters in it.

    CJK text has no spaces, so a line may break between any two of its characters, but
    never inside a run of digits or Latin letters (a number, a name, a URL), never before
    closing punctuation (、。」) and never after opening punctuation (「（). Spaces are
    break points too (the next line starts after them). The app wraps its styled text at
    these offsets; :func:`wrap_cjk` wraps plain text.
    """
    starts: list[int] = []
    used, line_has_text = first, False
    space = 0
    for match in _UNIT_RE.finditer(text):
        unit = match.group()
        if unit.isspace():
            space = 1 if line_has_text else 0
            continue
        unit_width = cell_width(unit)
        if line_has_text and used + space + unit_width > width:
            starts.append(match.start())
            used, space = rest, 0
        used += space + unit_width
        space, line_has_text = 0, True
    return starts


def wrap_cjk(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """Lines of at most ``width`` terminal cells, for text with CJK characters in it (the
    breaks of :func:`cjk_line_starts`; spaces at a break are dropped)."""
    starts = cjk_line_starts(text, width, cell_width(first), cell_width(rest))
    pieces = [text[a:b] for a, b in zip([0, *starts], [*starts, len(text)], strict=True)]
    return [
        ((first if index == 0 else rest) + piece.strip()).rstrip()
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
    parts: list[str] = []
    spans = block.spans
    for index, span in enumerate(spans):
        parts.append(span.text)
        number = numbers.get(span.href) if span.href else None
        if number is not None and (index + 1 == len(spans) or spans[index + 1].href != span.href):
            parts.append(f"[{number}]")
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
    if block.kind == "table_row":
        return text.split("\n")
    return _wrap(text, width, "", "")


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
    blocks = [b for b in article.blocks if b.text.strip() or b.kind == "rule"]
    rendered = []
    for block in blocks:
        inner = None if width is None else max(width - 2 * block.quote, 20)
        rendered.append(_text_lines(block, inner, numbers))
    return _join(blocks, rendered)


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
            lines.append(f"[{number}] {clean_line(link.text) or url}  <{url}>")
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
    if block.kind == "table_row":
        return [inline + "\\"]
    return inline.split("\n")


def to_markdown(article: Article) -> str:
    """The body as Markdown; every piece of page text is escaped."""
    blocks = [b for b in article.blocks if b.text.strip() or b.kind == "rule"]
    rendered = [_md_lines(block) for block in blocks]
    # The last row of a table needs no hard break after it.
    for index, block in enumerate(blocks):
        nxt = blocks[index + 1] if index + 1 < len(blocks) else None
        if block.kind == "table_row" and (nxt is None or nxt.kind != "table_row"):
            rendered[index][-1] = rendered[index][-1].removesuffix("\\")
    return _join(blocks, rendered)
