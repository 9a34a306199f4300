"""An lxml tree -> the flat block model: headings, paragraphs, list items, quotes, code,
captions and table rows, each a tuple of styled, linked spans.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import lxml.html

from reader.extract.links import normalize_url
from reader.models import TABLE_CELL, Block, BlockKind, Span, SpanStyle

WS_RE = re.compile(r"\s+")
WORD_RE = re.compile(r"\w+")
_BR: Final = "\ue000"  # marks a <br> while whitespace is collapsed
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")

_SKIP_TAGS = frozenset(
    """script style noscript template svg button input select option textarea
    iframe object embed canvas audio video map head title meta link source track
    dialog""".split()
)
BLOCK_TAGS = frozenset(
    """p div section article header footer main aside nav address hgroup center
    h1 h2 h3 h4 h5 h6 ul ol li dl dt dd menu dir blockquote pre figure figcaption
    table thead tbody tfoot tr td th caption colgroup col hr form fieldset legend
    details summary body html frameset noframes listing plaintext xmp""".split()
)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_INLINE_STYLES: dict[str, SpanStyle] = {
    "em": "em",
    "i": "em",
    "cite": "em",
    "var": "em",
    "dfn": "em",
    "strong": "strong",
    "b": "strong",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
}


@dataclass
class _Context:
    kind: BlockKind = "paragraph"
    level: int = 0
    quote: int = 0
    number: int | None = None
    list_depth: int = 0
    pre: bool = False
    soft: bool = False  # nested blocks only add a space (inside list items, headings, cells)
    cell: bool = False  # inside a table's cell: even lists and rules are only a space


@dataclass
class _ListState:
    ordered: bool
    counter: int


class _Builder:
    """Walks an element tree and emits blocks; line breaks only at blocks and ``<br>``."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.spans: list[tuple[str, str | None, SpanStyle]] = []
        self.page = normalize_url(base_url) if base_url else ""
        self.dropped_edit_link = False  # in the heading being built

    # inline content

    def add_text(self, text: str | None, href: str | None, style: SpanStyle) -> None:
        if text:
            self.spans.append((text, href, style))

    def flush(self, ctx: _Context) -> None:
        spans = self.spans
        self.spans = []
        if not spans:
            return
        result = _normalize_spans(spans, pre=ctx.pre)
        if ctx.kind == "heading":
            result = _without_edit_residue(result, self.dropped_edit_link)
            self.dropped_edit_link = False
        if not result:
            return
        if ctx.kind == "list_item":
            number = ctx.number
            # Further paragraphs of the same item carry no second number.
            ctx.number = None
        else:
            number = None
        self.blocks.append(
            Block(kind=ctx.kind, spans=result, level=ctx.level, quote=ctx.quote, number=number)
        )

    def resolve(self, href: str | None) -> str | None:
        if not href:
            return None
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        try:
            url = urljoin(self.base_url, href) if self.base_url else href
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return None
        if scheme not in ("http", "https", "mailto", "ftp", "tel"):
            return None  # javascript:, data: and the like are not links for a reader
        if self.page and normalize_url(url) == self.page:
            return None  # this page itself, or a jump inside it (footnote, contents)
        return url

    # the walk

    def walk(
        self, el: lxml.html.HtmlElement, ctx: _Context, href: str | None, style: SpanStyle
    ) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # comments, processing instructions
            return
        tag = tag.lower()
        if tag in _SKIP_TAGS:
            return
        if tag == "br":
            if ctx.pre:
                self.add_text("\n", href, style)
            elif ctx.soft or ctx.kind == "table_row":
                self.add_text(" ", href, style)
            else:
                self.add_text(_BR, href, style)
            return
        if tag == "img":
            return
        if ctx.kind == "heading" and _is_edit_link(el, tag):
            self.dropped_edit_link = True  # a wiki's "[edit]" beside a section's title
            return
        if tag not in BLOCK_TAGS or ctx.pre:
            self._inline(el, tag, ctx, href, style)
            return
        self._block(el, tag, ctx, href, style)

    def _children(
        self, el: lxml.html.HtmlElement, ctx: _Context, href: str | None, style: SpanStyle
    ) -> None:
        self.add_text(el.text, href, style)
        for child in el:
            self.walk(child, ctx, href, style)
            self.add_text(child.tail, href, style)

    def _inline(
        self, el: lxml.html.HtmlElement, tag: str, ctx: _Context, href: str | None, style: SpanStyle
    ) -> None:
        if tag == "a":
            href = self.resolve(el.get("href"))
        elif tag in _INLINE_STYLES and not ctx.pre:
            # Code wins over emphasis; emphasis inside strong stays strong.
            new = _INLINE_STYLES[tag]
            if style != "code" and not (style == "strong" and new == "em"):
                style = new
        self._children(el, ctx, href, style)

    def _block(
        self, el: lxml.html.HtmlElement, tag: str, ctx: _Context, href: str | None, style: SpanStyle
    ) -> None:
        if tag == "hr" and not ctx.cell:
            self.flush(ctx)
            self.blocks.append(Block(kind="rule", quote=ctx.quote))
            return
        keeps_blocks = tag in ("ul", "ol", "pre", "blockquote", "table", "li", "figure", "dl")
        if ctx.soft and (ctx.cell or not keeps_blocks):
            # Inside a list item, heading or cell a nested <p> or <div> is only a space.
            self.add_text(" ", href, style)
            self._children(el, ctx, href, style)
            self.add_text(" ", href, style)
            return

        self.flush(ctx)
        inner = ctx
        if tag in HEADINGS:
            inner = replace(inner, kind="heading", level=HEADINGS[tag], soft=True)
        elif tag in ("ul", "ol", "menu", "dir"):
            self._list(el, tag, ctx)
            self.flush(ctx)
            return
        elif tag == "li":
            depth = max(ctx.list_depth, 1)
            inner = replace(inner, kind="list_item", level=depth, soft=True, number=None)
        elif tag == "blockquote":
            inner = replace(inner, kind="paragraph", quote=ctx.quote + 1, soft=False)
        elif tag == "pre":
            inner = replace(inner, kind="code", pre=True, soft=False)
        elif tag in ("figcaption", "caption"):
            inner = replace(inner, kind="caption", soft=False)
        elif tag == "table":
            if _is_layout_table(el):
                pass
            else:
                self._table(el, ctx)
                self.flush(ctx)
                return
        elif tag == "figure" or inner.kind in ("heading", "list_item", "table_row", "code"):
            inner = replace(inner, kind="paragraph", soft=False)
        self._children(el, inner, href, style)
        self.flush(inner)

    def _list(self, el: lxml.html.HtmlElement, tag: str, ctx: _Context) -> None:
        ordered = tag == "ol"
        try:
            start = int(el.get("start", "1"))
        except ValueError:
            start = 1
        state = _ListState(ordered=ordered, counter=start)
        depth = ctx.list_depth + 1
        base = replace(ctx, list_depth=depth, soft=False, kind="paragraph")
        self.add_text(el.text, None, "")
        for child in el:
            child_tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if child_tag == "li":
                self.flush(base)
                number = state.counter if ordered else None
                if ordered:
                    try:
                        number = int(child.get("value", number))
                        state.counter = number
                    except (TypeError, ValueError):
                        pass
                    state.counter += 1
                item = replace(
                    base, kind="list_item", level=depth, number=number, soft=True, quote=ctx.quote
                )
                self._children(child, item, None, "")
                self.flush(item)
            else:
                self.walk(child, base, None, "")
            self.add_text(child.tail, None, "")
        self.flush(base)

    def _table(self, el: lxml.html.HtmlElement, ctx: _Context) -> None:
        """One ``table_row`` block a row, its cells apart (``TABLE_CELL`` spans between
        them, empty cells kept, a cell spanning columns followed by empty ones, one
        spanning rows left empty below), header rows at level 1."""
        cell_ctx = replace(ctx, kind="table_row", soft=True, cell=True, level=0)
        below: dict[int, int] = {}  # column -> rows a cell above still spans
        for row, in_head in _rows_with_head(el):
            cells = [c for c in row if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
            if not cells:
                continue
            texts: list[tuple[Span, ...]] = []
            column = 0
            for cell in cells:
                while below.get(column, 0) > 0:
                    below[column] -= 1
                    texts.append(())
                    column += 1
                self.spans = []
                self._children(cell, cell_ctx, None, "")
                texts.append(_normalize_spans(self.spans, pre=False))
                self.spans = []
                across = _span_count(cell.get("colspan"))
                down = _span_count(cell.get("rowspan"))
                for offset in range(across):
                    if down > 1:
                        below[column + offset] = down - 1
                texts.extend(() for _ in range(across - 1))
                column += across
            for later in sorted(c for c, left in below.items() if c >= column and left > 0):
                texts.extend(() for _ in range(later - column + 1))
                below[later] -= 1
                column = later + 1
            if not any(texts):
                continue
            spans: list[Span] = []
            for number, cell_spans in enumerate(texts):
                if number:
                    spans.append(Span(text=TABLE_CELL))
                spans.extend(cell_spans)
            # (one title cell across the columns, "For the dough:", heads no column)
            filled = sum(1 for cell_spans in texts if cell_spans)
            header = (in_head or all(c.tag.lower() == "th" for c in cells)) and (
                filled >= 2 or len(texts) == 1
            )
            self.blocks.append(
                Block(kind="table_row", spans=tuple(spans), level=int(header), quote=ctx.quote)
            )
        caption = el.find("caption")
        if caption is not None:
            self.walk(caption, ctx, None, "")


_MAX_CELL_SPAN: Final = 20


def _span_count(value: str | None) -> int:
    """A cell's colspan or rowspan, within reason."""
    try:
        return min(max(int((value or "1").strip()), 1), _MAX_CELL_SPAN)
    except ValueError:
        return 1


def _rows_with_head(table: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, bool]]:
    """The table's rows, each with whether it is in the table's ``<thead>``."""
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child, False
        elif tag in ("thead", "tbody", "tfoot"):
            for row in child:
                if isinstance(row.tag, str) and row.tag.lower() == "tr":
                    yield row, tag == "thead"


# Section-edit links in headings: wiki software marks them by class ("mw-editsection",
# "editsection", "section-edit") or links them to an ``action=edit`` address; what is left
# of their brackets, or a bracketed edit word left as text, goes too.
_EDIT_CLASS_RE = re.compile(r"(?<![a-z])(?:edit-?section|section-?edit|edit-?link)", re.I)
_EDIT_HREF_RE = re.compile(r"[?&](?:ve)?action=(?:edit|submit|editsource)\b", re.I)
_EDIT_WORDS = (
    r"edit|edit\s+source|modifier|modifier\s+le\s+code|bearbeiten|quelltext\s+bearbeiten"
    r"|editar|editar\s+código(?:\s+fuente)?|modifica|modifica\s+wikitesto|edytuj"
    r"|edytuj\s+kod|bewerken|brontekst\s+bewerken|muokkaa|redigera|rediger|upravit"
    r"|редактировать|править|правити|редагувати|編集|编辑|編輯|편집|düzenle|szerkesztés"
)
_EDIT_RESIDUE_RE = re.compile(rf"\s*\[(?:\s*(?:{_EDIT_WORDS}|[|·/]))*\s*\]\s*$", re.I)
_EDIT_WORD_RESIDUE_RE = re.compile(
    rf"\s*\[\s*(?:{_EDIT_WORDS})\s*(?:[|·/]\s*(?:{_EDIT_WORDS})\s*)*\]\s*$", re.I
)
_EDIT_LINK_TEXT_MAX_WORDS: Final = 3


def _is_edit_link(el: lxml.html.HtmlElement, tag: str) -> bool:
    """An edit link (or its wrapper) inside a heading."""
    if _EDIT_CLASS_RE.search(el.get("class") or ""):
        return True
    if tag != "a":
        return False
    href = el.get("href") or ""
    if not _EDIT_HREF_RE.search(href):
        return False
    return len(el.text_content().split()) <= _EDIT_LINK_TEXT_MAX_WORDS


def _without_edit_residue(spans: tuple[Span, ...], dropped_link: bool) -> tuple[Span, ...]:
    """A heading's spans without a trailing "[edit]", or the "[]" or "[ | ]" left where
    edit links were dropped (only then: "int[]" may be a heading's own text)."""
    if not spans or "]" not in spans[-1].text:
        return spans
    text = "".join(s.text for s in spans)
    match = (_EDIT_RESIDUE_RE if dropped_link else _EDIT_WORD_RESIDUE_RE).search(text)
    if match is None or not text[: match.start()].strip():
        return spans
    keep = match.start()
    out: list[Span] = []
    position = 0
    for span in spans:
        end = position + len(span.text)
        if position < keep:
            out.append(replace(span, text=span.text[: keep - position]))
        position = end
    if out:
        out[-1] = replace(out[-1], text=out[-1].text.rstrip())
    return tuple(s for s in out if s.text)


def table_rows(table: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    for row, _ in _rows_with_head(table):
        yield row


def _is_layout_table(table: lxml.html.HtmlElement) -> bool:
    """A table used for page layout, whose cells hold paragraphs, not data."""
    if (table.get("role") or "").lower() in ("presentation", "none"):
        return True
    if table.find(".//table") is not None:
        return True
    if table.find(".//th") is not None or table.find("caption") is not None:
        return False
    for tag in ("p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "pre"):
        if table.find(".//" + tag) is not None:
            return True
    rows = list(table_rows(table))
    if len(rows) <= 1:
        return True
    return max((len(row) for row in rows), default=0) <= 1


def nfc(text: str) -> str:
    """Text in Unicode's composed form (NFC): a page may spell one letter in two ways (the
    Bengali "য়" as one code point or two), and the same words must compare, search and
    wrap the same whichever way it did."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _normalize_spans(
    raw: list[tuple[str, str | None, SpanStyle]], *, pre: bool
) -> tuple[Span, ...]:
    out: list[list[Any]] = []  # [text, href, style]
    if pre:
        texts = [(nfc(_INVISIBLE_RE.sub("", t)), h, s) for t, h, s in raw]
        joined = "".join(t for t, _, _ in texts)
        lead = len(joined) - len(joined.lstrip("\n"))
        trail = len(joined.rstrip()) if joined.strip() else 0
        position = 0
        for text, href, style in texts:
            start, end = position, position + len(text)
            position = end
            piece = text[max(lead - start, 0) : max(min(trail, end) - start, 0)]
            if piece:
                _append(out, piece, href, style)
        return tuple(Span(text=t, href=h, style=s) for t, h, s in out)

    space_before = True  # at the start, leading whitespace is dropped
    for text, href, style in raw:
        text = nfc(_INVISIBLE_RE.sub("", text))
        text = WS_RE.sub(" ", text)
        if not text:
            continue
        if text == _BR or (_BR in text and not text.replace(_BR, "").strip()):
            count = text.count(_BR)
            if out:
                out[-1][0] = out[-1][0].rstrip(" ")
            _append(out, "\n" * count, None, "")
            space_before = True
            continue
        if space_before and text.startswith(" "):
            text = text[1:]
            if not text:
                continue
        if _BR in text:
            text = re.sub(f" ?{_BR} ?", "\n", text)
        _append(out, text, href, style)
        space_before = text.endswith((" ", "\n"))
    # Trim the ends; two <br> in a row end a paragraph, but inside one block a blank line
    # is the same thing, so runs of newlines collapse to one blank line.
    while out and not out[-1][0].strip():
        out.pop()
    if not out:
        return ()
    out[-1][0] = out[-1][0].rstrip()
    while out and not out[0][0].strip():
        out.pop(0)
    if not out:
        return ()
    out[0][0] = out[0][0].lstrip()
    spans: list[Span] = []
    for text, href, style in out:
        text = re.sub(r"\n{3,}", "\n\n", text)
        if text:
            spans.append(Span(text=text, href=href, style=style))
    # A link or style around only whitespace is just a space.
    return tuple(
        Span(text=s.text) if not s.text.strip() and (s.href or s.style) else s for s in spans
    )


def _append(out: list[list[Any]], text: str, href: str | None, style: SpanStyle) -> None:
    if out and out[-1][1] == href and out[-1][2] == style:
        out[-1][0] += text
    else:
        out.append([text, href, style])


def html_to_blocks(root: lxml.html.HtmlElement, base_url: str = "") -> list[Block]:
    """Convert an element (readability's output, a feed entry's content) into blocks."""
    builder = _Builder(base_url)
    ctx = _Context()
    builder.walk(root, ctx, None, "")
    builder.flush(ctx)
    return _merge_newline_blocks(builder.blocks)


def _merge_newline_blocks(blocks: list[Block]) -> list[Block]:
    """Split paragraphs at a blank line left by ``<br><br>``: they are two paragraphs."""
    result: list[Block] = []
    for block in blocks:
        if block.kind not in ("paragraph", "caption") or "\n\n" not in block.text:
            result.append(block)
            continue
        current: list[Span] = []
        for span in block.spans:
            parts = span.text.split("\n\n")
            for index, part in enumerate(parts):
                if index:
                    result.append(_trimmed(block, current))
                    current = []
                if part:
                    current.append(replace(span, text=part))
        result.append(_trimmed(block, current))
    return [b for b in result if b.spans]


def _trimmed(block: Block, spans: list[Span]) -> Block:
    cleaned = [s for s in spans if s.text]
    if cleaned:
        cleaned[0] = replace(cleaned[0], text=cleaned[0].text.lstrip())
        cleaned[-1] = replace(cleaned[-1], text=cleaned[-1].text.rstrip())
    return replace(block, spans=tuple(s for s in cleaned if s.text))
