"""HTML page -> :class:`~reader.models.Article`: readability-lxml plus our own cleanup. Pure.

readability-lxml finds the article's container; this module reads the metadata from the
original page, converts readability's output into the flat block model (headings,
paragraphs, lists, quotes, code, captions, table rows), and removes what readability
leaves inside the container (ad labels, share and newsletter lines, gallery counters,
repeated photo credits, "Read more" teasers).
"""

from __future__ import annotations

import codecs
import copy
import html as html_lib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from readability import Document
from readability.readability import REGEXES as _READABILITY_REGEXES

from reader.errors import NotAnArticleError
from reader.links import (
    READ_MORE_PREFIX_RE,
    RELATED_HEADING_RE,
    base_url_of,
    find_body_links,
    find_related,
    normalize_url,
    parse_page,
)
from reader.models import Article, Block, BlockKind, Link, Span, SpanStyle

__all__ = [
    "article_from_feed_content",
    "decode_html",
    "extract_article",
    "html_to_blocks",
    "is_too_thin",
    "reading_minutes",
]

# Bigger pages are cut: real articles are far smaller, and readability's scoring grows
# faster than linearly with the element count.
MAX_HTML_CHARS: Final = 3_000_000
MAX_ELEMENTS: Final = 15_000  # the biggest page of the test corpus has 9,900
WORDS_PER_MINUTE: Final = 230
CJK_CHARS_PER_MINUTE: Final = 500
THIN_WORDS: Final = 80  # less than this is a teaser, a paywall or a page built by JavaScript
THIN_CJK_CHARS: Final = 200

logging.getLogger("readability").setLevel(logging.CRITICAL)

_WS_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_BR: Final = "\ue000"  # marks a <br> while whitespace is collapsed
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_LOOKS_LIKE_HTML_RE = re.compile(r"<\s*[a-zA-Z!][^>]*>")

_SKIP_TAGS = frozenset(
    """script style noscript template svg button input select option textarea
    iframe object embed canvas audio video map head title meta link source track
    dialog""".split()
)
_BLOCK_TAGS = frozenset(
    """p div section article header footer main aside nav address hgroup center
    h1 h2 h3 h4 h5 h6 ul ol li dl dt dd menu dir blockquote pre figure figcaption
    table thead tbody tfoot tr td th caption colgroup col hr form fieldset legend
    details summary body html frameset noframes listing plaintext xmp""".split()
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
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
# Elements whose class/id say they are chrome that readability left inside the article.
_JUNK_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:share-?(?:bar|buttons?|tools?|links?|icons?|box|container|wrapper|menu|"
    r"modal|this|article)|sharing|sharedaddy|social-?(?:share|links|buttons|icons|follow)|"
    r"newsletter|cookie|consent|cmp|advert|advertisement|ad|ads|adslot|ad-?slot|dfp|gpt|"
    r"sponsor|sponsored|promo|outbrain|taboola|trc|zergnet|paywall|subscribe|subscription|"
    r"related|recommend|recommended|read-?more|readmore|jp-relatedposts|"
    r"likes|like-?post|author-bio|dateline|breadcrumbs?|tags|topics|tag-?list|"
    r"gallery-?(?:counter|count|nav|controls)|slide-?counter|counter|credit|"
    r"visually-?hidden|screen-?reader-?text|sr-only|skip-?link|print-?only)(?:$|[\s_-])",
    re.I,
)
_SHARE_CLASS_RE = re.compile(r"(?:^|\s)(?:share|social)(?:__\S*)?(?:$|\s)", re.I)
_JUNK_ID_RE = re.compile(
    r"^(?:jp-relatedposts|comments?|respond|disqus_thread|related[-_\w]*|taboola[-_\w]*|"
    r"outbrain[-_\w]*|newsletter[-_\w]*|cookie[-_\w]*|sharing|share-?buttons)$",
    re.I,
)
_EMBED_CLASS_RE = re.compile(
    r"twitter-tweet|twitter-video|mastodon-embed|bluesky-embed|instagram-media|tiktok-embed|"
    r"threads-embed|fb-post|reddit-embed",
    re.I,
)
_EMBED_MARK: Final = "reader-embedded-post"

# Whole blocks that are chrome, not article text.
_AD_LABELS = frozenset(
    s.casefold()
    for s in (
        "Advertisement",
        "Advertisements",
        "Ad",
        "Ads",
        "Sponsored",
        "Sponsored content",
        "Paid content",
        "PUBLICITÉ",
        "Publicité",
        "Publicite",
        "Anzeige",
        "Werbung",
        "Publicidad",
        "Publicidade",
        "Pubblicità",
        "Reklama",
        "Реклама",
        "Advertentie",
        "Annons",
        "Annonse",
        "Mainos",
        "Reklame",
        "広告",
        "PR",
        "广告",
        "광고",
        "Story continues below advertisement",
        "Article continues below advertisement",
        "Continue reading below",
        "Article continues below",
        "Advertisement - scroll to continue",
        "Scroll to continue with content",
        "Skip Advertisement",
        "Skip ad",
        "Loading...",
        "Loading…",
        "Loader",
    )
)
_CHROME_LINE_RE = re.compile(
    r"""^\W*(?:
        share(?:\s+(?:this|on|via)\b.*)? | share\s+this\s+(?:article|story|post|gallery|page)
      | tweet | pin\s+it | email | print | copy\s+link | link\s+copied | copy\s+to\s+clipboard
      | like\s+this | like | reblog | click\s+to\s+share\b.* | close\s+button
      | partager(?:\s+cet\s+article)? | artikel\s+teilen | teilen | compartir | compartilhar
      | condividi | поделиться | この記事をシェア | シェア
      | follow\s+us\b.* | suivez-nous\b.* | folgen\s+sie\s+uns\b.* | síguenos\b.* | siga-nos\b.*
      | seguici\b.* | подписывайтесь\b.{0,80}
      | sign\s+up\s+for\s+(?:our|the)\b.{0,60}newsletter.*
      | subscribe\s+to\s+(?:our|the)\b.{0,40}newsletter.*
      | (?:get|receive)\s+(?:our|the)\b.{0,40}newsletter.* | newsletter\s+abonnieren
      | abonnez-vous\b.{0,60}newsletter.* | suscríbete\b.{0,60}(?:newsletter|boletín).*
      | we\s+use\s+cookies\b.* | this\s+(?:site|website)\s+uses\s+cookies\b.*
      | (?:comments\s+are\s+closed|leave\s+a\s+comment|show\s+comments|view\s+comments
         |your\s+email\s+address\s+will\s+not\s+be\s+published).*
      | para\s+comentar\s+es\s+necesario\b.* | comment(?:s|aires|arios)? | discussion
      | (?:photo|image|gallery)\s+\d+\s+(?:of|/)\s+\d+
      | \d+\s*(?:of|/|de|sur|von|di|из|из\s+|van|av)\s*\d+
      | advertisement\s*[-–—:]?\s*(?:continue|scroll)\s+reading\b.*
      | read\s+more | continue\s+reading | (?:show|see|load)\s+more
      | (?:promoted|sponsored)\s+by\s+\S+(?:\s+\S+)?
    )\W*$""",
    re.I | re.X,
)
_CHROME_MAX_CHARS: Final = 160
_CREDIT_RE = re.compile(
    r"^\W*(?:photo|photos|foto|fotos|image|picture|credit|crédit|bild|source|quelle|фото)\b"
    r"|^\W*©|/\s*(?:AP|AFP|Reuters|Getty Images|dpa|EPA|Shutterstock)\s*$",
    re.I,
)

_ARTICLE_TYPES_RE = re.compile(
    r"^(?:Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|"
    r"AskPublicNewsArticle|BackgroundNewsArticle|BlogPosting|DiscussionForumPosting|"
    r"LiveBlogPosting|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|"
    r"SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|"
    r"TechArticle|WebPage|Recipe|VideoObject)$"
)
_MONTHS: Final = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(?:janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)[a-zé]*\.?"
)
# A date after the name: "May 20, 2019", "20 May 2019", "2019-05-20", "20.05.2019".
_TRAILING_DATE_RE = re.compile(
    rf"\s(?:(?:updated|published|posted|on|le)\s+)?(?:(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\.?\s+(?:{_MONTHS})\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4})\b.*$",
    re.I,
)
_DATE_LABEL_RE = re.compile(
    r"^\W*(?:last\s+)?(?:updated|published|posted|modified|date)\b\W*(?:on|at)?\W*$", re.I
)
_BYLINE_PREFIX_RE = re.compile(
    r"^\s*(?:by|par|von|por|di|door|av|af|автор|текст|記者|文|written\s+by|posted\s+by)"
    r"\s*[:：]?\s+",
    re.I,
)


# --- decoding -------------------------------------------------------------------------


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# What browsers do: these labels mean the Windows supersets.
_WINDOWS_SUPERSETS: Final = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
}


def decode_html(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the HTTP charset, then a BOM, then ``<meta charset>``, then detection.

    A declared charset that does not decode the bytes cleanly is passed over, so a page
    that says ISO-8859-1 but is UTF-8 still reads right.
    """
    candidates: list[str] = []
    if charset:
        candidates.append(charset)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            candidates.append(encoding)
            break
    meta = _META_CHARSET_RE.search(data[:8192])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "replace"))
    for name in candidates:
        label = name.strip().lower()
        try:
            codec = codecs.lookup(_WINDOWS_SUPERSETS.get(label, label)).name
        except LookupError:
            continue
        if codec.startswith("utf-16") and not data.startswith(
            (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        ):
            continue  # a meta tag in an ASCII-compatible page cannot mean UTF-16
        # single-byte Western charsets decode anything: prefer UTF-8 when the bytes are
        if codec in ("cp1252", "latin-1", "iso8859-15") and _is_utf8(data):
            return data.decode("utf-8")
        try:
            return data.decode(codec).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    if _is_utf8(data):
        return data.decode("utf-8").lstrip("\ufeff")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    return data.decode("utf-8", errors="replace")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- the HTML -> blocks converter ------------------------------------------------------


@dataclass
class _Context:
    kind: BlockKind = "paragraph"
    level: int = 0
    quote: int = 0
    number: int | None = None
    list_depth: int = 0
    pre: bool = False
    soft: bool = False  # nested blocks only add a space (inside list items, headings, cells)
    row: _Row | None = None


@dataclass
class _Row:
    cells: int = 0


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

    def walk(self, el: Any, ctx: _Context, href: str | None, style: SpanStyle) -> None:
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
        if tag not in _BLOCK_TAGS or ctx.pre:
            self._inline(el, tag, ctx, href, style)
            return
        self._block(el, tag, ctx, href, style)

    def _children(self, el: Any, ctx: _Context, href: str | None, style: SpanStyle) -> None:
        self.add_text(el.text, href, style)
        for child in el:
            self.walk(child, ctx, href, style)
            self.add_text(child.tail, href, style)

    def _inline(self, el: Any, tag: str, ctx: _Context, href: str | None, style: SpanStyle) -> None:
        if tag == "a":
            href = self.resolve(el.get("href"))
        elif tag in _INLINE_STYLES and not ctx.pre:
            # Code wins over emphasis; emphasis inside strong stays strong.
            new = _INLINE_STYLES[tag]
            if style != "code" and not (style == "strong" and new == "em"):
                style = new
        self._children(el, ctx, href, style)

    def _block(self, el: Any, tag: str, ctx: _Context, href: str | None, style: SpanStyle) -> None:
        if tag == "hr":
            self.flush(ctx)
            self.blocks.append(Block(kind="rule", quote=ctx.quote))
            return
        if ctx.row is not None and tag in ("td", "th"):
            if ctx.row.cells:
                self.add_text(" | ", None, "")
            ctx.row.cells += 1
            self._children(el, ctx, href, style)
            return
        keeps_blocks = tag in ("ul", "ol", "pre", "blockquote", "table", "li", "figure", "dl")
        if ctx.soft and not keeps_blocks:
            # Inside a list item, heading or cell a nested <p> or <div> is only a space.
            self.add_text(" ", href, style)
            self._children(el, ctx, href, style)
            self.add_text(" ", href, style)
            return

        self.flush(ctx)
        inner = replace(ctx, row=None)
        if tag in _HEADINGS:
            inner = replace(inner, kind="heading", level=_HEADINGS[tag], soft=True)
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

    def _list(self, el: Any, tag: str, ctx: _Context) -> None:
        ordered = tag == "ol"
        try:
            start = int(el.get("start", "1"))
        except ValueError:
            start = 1
        state = _ListState(ordered=ordered, counter=start)
        depth = ctx.list_depth + 1
        base = replace(ctx, list_depth=depth, soft=False, row=None, kind="paragraph")
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

    def _table(self, el: Any, ctx: _Context) -> None:
        for row in _table_rows(el):
            row_ctx = replace(ctx, kind="table_row", soft=True, row=_Row(), level=0)
            for cell in row:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                self.walk(cell, row_ctx, None, "")
            self.flush(row_ctx)
        caption = el.find("caption")
        if caption is not None:
            self.walk(caption, ctx, None, "")


def _table_rows(table: Any) -> Iterator[Any]:
    for child in table:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            for row in child:
                if isinstance(row.tag, str) and row.tag.lower() == "tr":
                    yield row


def _is_layout_table(table: Any) -> bool:
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
    rows = list(_table_rows(table))
    if len(rows) <= 1:
        return True
    return max((len(row) for row in rows), default=0) <= 1


def _normalize_spans(
    raw: list[tuple[str, str | None, SpanStyle]], *, pre: bool
) -> tuple[Span, ...]:
    out: list[list[Any]] = []  # [text, href, style]
    if pre:
        texts = [(_INVISIBLE_RE.sub("", t), h, s) for t, h, s in raw]
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
        text = _INVISIBLE_RE.sub("", text)
        text = _WS_RE.sub(" ", text)
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


def html_to_blocks(root: Any, base_url: str = "") -> list[Block]:
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


# --- our cleanup -------------------------------------------------------------------------


def _prune_junk(root: Any) -> None:
    """Drop chrome that readability kept inside the article (by class or id)."""
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el is root:
            continue
        if el.get(_EMBED_MARK) is not None or el.tag in ("pre", "code"):
            continue
        if any(a.tag in ("pre", "code") for a in el.iterancestors()):
            continue
        # Classes, and only well-known ids: ids are often slugs of headings
        # ("sharing-with-a-single-developer").
        features = el.get("class")
        junk = bool(
            features and (_JUNK_CLASS_RE.search(features) or _SHARE_CLASS_RE.search(features))
        )
        junk = junk or bool(_JUNK_ID_RE.match(el.get("id") or ""))
        if junk and _is_small_or_links(el):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None and not any(a in doomed for a in el.iterancestors()):
            el.drop_tree()


def _is_small_or_links(el: Any) -> bool:
    """Chrome is short or mostly links; a container of real paragraphs is never chrome."""
    text = " ".join(el.text_content().split())
    if len(text) < 300:
        return True
    link_chars = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return link_chars > 0.5 * len(text)


def _is_chrome_text(text: str) -> bool:
    stripped = text.strip()
    if not stripped:
        return True
    if len(stripped) > _CHROME_MAX_CHARS:
        return False
    if stripped.casefold() in _AD_LABELS:
        return True
    return bool(_CHROME_LINE_RE.match(stripped))


def _is_teaser(block: Block) -> bool:
    text = block.text.strip()
    if len(text) > 300 or not READ_MORE_PREFIX_RE.match(text):
        return False
    link_chars = sum(len(s.text) for s in block.spans if s.href)
    return link_chars >= 0.5 * len(text)


def _is_linked_heading(block: Block) -> bool:
    if block.kind != "heading":
        return False
    link_chars = sum(len(s.text) for s in block.spans if s.href)
    return link_chars > 0.5 * len(block.text)


def _is_link_only(block: Block) -> bool:
    text = block.text.strip()
    link_chars = sum(len(s.text.strip()) for s in block.spans if s.href)
    return bool(text) and link_chars >= 0.9 * len(text)


def _drop_teaser_runs(blocks: list[Block]) -> list[Block]:
    """A "Read more:" / "Related" label and the headlines linked under it are teasers:
    they belong to the related links, not to the article's text."""
    result: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        end = index + 1
        if (
            block.kind in ("paragraph", "heading")
            and len(block.text) <= 60
            and RELATED_HEADING_RE.match(block.text.strip())
        ):
            while (
                end < len(blocks)
                and blocks[end].kind in ("paragraph", "list_item")
                and len(blocks[end].text) <= 200
                and _is_link_only(blocks[end])
            ):
                end += 1
            if end > index + 1:
                index = end
                continue
        result.append(block)
        index += 1
    return result


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Remove ad labels, share lines, teasers, gallery counters and repeated credits."""
    blocks = _drop_teaser_runs(blocks)
    kept = [
        b
        for b in blocks
        if b.kind == "rule"
        or (b.kind == "code" and b.text.strip())
        or (_WORD_RE.search(b.text) and not _is_chrome_text(b.text) and not _is_teaser(b))
    ]
    # The same caption under every photo is shown once; a photo credit repeated under
    # every photo is not shown at all.
    counts = Counter(
        _WS_RE.sub(" ", b.text).strip().casefold() for b in kept if b.kind == "caption"
    )
    seen: set[str] = set()
    result: list[Block] = []
    for block in kept:
        if block.kind == "caption":
            key = _WS_RE.sub(" ", block.text).strip().casefold()
            if key in seen:
                continue
            seen.add(key)
            if counts[key] >= 2 and len(key) <= 80 and _CREDIT_RE.search(key):
                continue
        result.append(block)
    # No rule at the ends or twice in a row.
    final: list[Block] = []
    for block in result:
        if block.kind == "rule" and (not final or final[-1].kind == "rule"):
            continue
        final.append(block)
    # A linked heading at the very end titles nothing ("Related Searches" whose block is
    # gone); a plain heading there is the page's own and stays.
    while final and (final[-1].kind == "rule" or _is_linked_heading(final[-1])):
        final.pop()
    return final


# --- readability ------------------------------------------------------------------------

_DIV_TO_P_TAGS = ("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul")


def _has_block_descendant(el: Any) -> bool:
    # Same test as readability's regex over the serialised children, without serialising.
    for node in el.iterdescendants():
        tag = node.tag
        if isinstance(tag, str) and tag.lower().startswith(_DIV_TO_P_TAGS):
            return True
    return False


class _ReaderDocument(Document):  # type: ignore[misc]
    """readability's Document with two hot spots done without serialising HTML."""

    summary_root: Any = None
    best_elem: Any = None
    alive: list[Any] | None = None

    def transform_misused_divs_into_paragraphs(self) -> None:
        inline_tags = {
            "a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub",
            "sup", "u",
        }  # fmt: skip
        for elem in self.tags(self.html, "div"):
            if not _has_block_descendant(elem):
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                p = elem.makeelement("p", {})
                p.text = elem.text
                elem.text = None
                elem.insert(0, p)
                paragraph = p
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if (
                    child.tag not in inline_tags
                    or (isinstance(child.tag, str) and child.tag.lower().startswith(_DIV_TO_P_TAGS))
                    or _has_block_descendant(child)
                ):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = elem.makeelement("p", {})
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = elem.makeelement("p", {})
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()

    def sanitize(self, node: Any, candidates: Any, keep_all_images: bool = False) -> str:
        # readability-lxml drops every heading that is mostly a link; Readability.js keeps
        # them (a section title linking to its anchor, a heading linking to a source) and
        # only drops headings whose class or id looks negative. Hide linked headings from
        # that one test, then give them their tag back.
        hidden = []
        for header in node.iter(*_HEADINGS):
            if self.class_weight(header) >= 0 and self.get_link_density(header) > 0.33:
                hidden.append((header, header.tag))
                header.tag = _LINKED_HEADING_TAG
        try:
            result: str = super().sanitize(node, candidates, keep_all_images)
        finally:
            for header, tag in hidden:
                header.tag = tag
        return result

    def get_clean_html(self) -> str:
        # Keep the tree for the converter; the regex attribute cleanup is not needed.
        self.summary_root = self.html
        return str(etree.tounicode(self.html, method="html"))

    def _parse(self, input: Any) -> Any:
        # readability cleans a copy with lxml's Cleaner and rewrites every link of the page;
        # a plain copy without scripts and styles scores the same, and the converter resolves
        # the few links of the article itself.
        doc = copy.deepcopy(input)
        doomed = [el for el in doc.iter("script", "style", "link", "noscript", "template")]
        for el in doc.xpath("//*[@hidden]"):
            doomed.append(el)
        for el in doc.xpath("//*[@style]"):
            if _DISPLAY_NONE_RE.search(el.get("style") or ""):
                doomed.append(el)
        for el in doomed:
            if el.getparent() is not None:
                el.drop_tree()
        # readability walks the tree a dozen times: keep one Python object per element
        # alive so lxml does not build new ones on every walk.
        self.alive = list(doc.iter())
        return doc

    def get_preserved_elements(self, node: Any) -> dict[Any, bool]:
        # Readability.js never removes data tables (or anything in them) and keeps lists
        # unless they are mostly links; readability-lxml drops both as "too short" or
        # "too many links", which loses reference lists, bug lists and tables of results.
        # readability's own rules (tables of contents, the lead-in before a quote), with
        # the quote test, which looks at every <div>'s ancestors, only when there is one.
        allowed: dict[Any, bool] = {
            elem: True for elem in self.tags(node, "ul") if self.is_toc_list(elem)
        }
        if node.find(".//blockquote") is not None:
            for elem in self.tags(node, "div", "section"):
                if self.is_quote_lead(elem):
                    allowed[elem] = True
        if self.best_elem is not None:
            # The container readability chose is the article: its own conditional cleaning
            # ("too many images" in a photo essay) must not drop it and leave nothing.
            allowed[self.best_elem] = True
        for table in node.iter("table"):
            if _is_data_table(table):
                allowed[table] = True
                for inner in table.iterdescendants("table", "ul", "ol", "div", "section"):
                    allowed[inner] = True
        for lst in node.iter("ul", "ol"):
            if self.get_link_density(lst) <= 0.5 and lst.find(".//input") is None:
                allowed[lst] = True
        return allowed

    def remove_unlikely_candidates(self) -> None:
        # readability-lxml runs two XPath queries on every element whose class or id looks
        # unlikely; the elements under <pre>/<code> and above <main>/<article>/<math> are
        # the same for all of them, so they are found once.
        unlikely = _READABILITY_REGEXES["unlikelyCandidatesRe"]
        maybe = _READABILITY_REGEXES["okMaybeItsACandidateRe"]
        html = self.html
        holds_article: set[Any] = set()
        for el in html.iter("main", "article", "math"):
            holds_article.add(el)
            holds_article.update(el.iterancestors())
        in_code: set[Any] = set()
        for el in html.iter("pre", "code"):
            in_code.update(el.iter())
        doomed = []
        for elem in html.iterdescendants():
            if not isinstance(elem.tag, str):
                continue
            features = f"{elem.get('class', '')} {elem.get('id', '')}"
            if (
                len(features) >= 2
                and unlikely.search(features)
                and not maybe.search(features)
                and elem.tag not in ("html", "body")
                and elem not in in_code
                and elem not in holds_article
            ):
                doomed.append(elem)
        for elem in doomed:
            elem.drop_tree()

    def score_paragraphs(self) -> dict[Any, Any]:
        # readability-lxml's scoring with whitespace collapsed by str.split instead of three
        # regexes per paragraph (the same scores but for runs of no-break spaces).
        min_len = self.min_text_length
        candidates: dict[Any, Any] = {}
        ordered = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent = elem.getparent()
            if parent is None:
                continue
            grand_parent = parent.getparent()
            inner_text = " ".join((elem.text_content() or "").split())
            length = len(inner_text)
            if length < min_len:
                continue
            if parent not in candidates:
                candidates[parent] = self.score_node(parent)
                ordered.append(parent)
            if grand_parent is not None and grand_parent not in candidates:
                candidates[grand_parent] = self.score_node(grand_parent)
                ordered.append(grand_parent)
            score = 1 + len(inner_text.split(",")) + min(length / 100, 3)
            candidates[parent]["content_score"] += score
            if grand_parent is not None:
                candidates[grand_parent]["content_score"] += score / 2.0
        for elem in ordered:
            candidates[elem]["content_score"] *= 1 - self.get_link_density(elem)
        return candidates

    def select_best_candidate(self, candidates: dict[Any, Any]) -> Any:
        self.best_elem = None
        best = super().select_best_candidate(candidates)
        if best is None:
            return None
        self.best_elem = best["elem"]
        ranked = sorted(candidates.values(), key=lambda c: c["content_score"], reverse=True)
        if best is not ranked[0]:
            return best  # articleBody or a nested <article>: readability knows better
        elem = _common_top_ancestor(best, ranked[1:_TOP_CANDIDATES])
        if elem is None:
            elem = _better_parent(best, candidates)
        if elem is None:
            return best
        candidate = candidates.get(elem)
        if candidate is None:
            candidate = self.score_node(elem)
            candidates[elem] = candidate
        # The siblings' threshold follows the winner's score, as it did for the child.
        candidate["content_score"] = max(candidate["content_score"], best["content_score"])
        self.best_elem = elem
        return candidate

    def get_link_density(self, elem: Any) -> float:
        # Same ratio as readability's, with whitespace collapsed by str.split instead of
        # three regexes over the text of every nested element.
        link_length = sum(_squashed_len(a) for a in elem.iterdescendants("a"))
        return float(link_length) / max(_squashed_len(elem), 1)


_TOP_CANDIDATES: Final = 5
_LINKED_HEADING_TAG: Final = "reader-linked-heading"
_MIN_CLOSE_CANDIDATES: Final = 3
_CLOSE_SCORE_RATIO: Final = 0.75


def _common_top_ancestor(best: dict[str, Any], others: list[dict[str, Any]]) -> Any:
    """Readability.js's fix for an article split into sections of similar weight.

    When at least three of the next top candidates score within 75% of the best one, the
    article is their common container: the nearest ancestor of the best candidate that
    holds three of them (below ``<body>``).
    """
    score = best["content_score"]
    if score <= 0:
        return None
    close = [c["elem"] for c in others if c["content_score"] >= _CLOSE_SCORE_RATIO * score]
    if len(close) < _MIN_CLOSE_CANDIDATES:
        return None
    ancestor_sets = [set(el.iterancestors()) for el in close]
    node = best["elem"].getparent()
    while node is not None and node.tag not in ("body", "html"):
        if sum(1 for ancestors in ancestor_sets if node in ancestors) >= _MIN_CLOSE_CANDIDATES:
            return node
        node = node.getparent()
    return None


def _better_parent(best: dict[str, Any], candidates: dict[Any, Any]) -> Any:
    """Readability.js's climb: going up from the best candidate, an ancestor whose score
    rises again (before falling under a third of the best) holds more of the article.
    """
    score = best["content_score"]
    threshold = score / 3
    last = score
    node = best["elem"].getparent()
    while node is not None and node.tag not in ("body", "html"):
        candidate = candidates.get(node)
        if candidate is not None:
            if candidate["content_score"] < threshold:
                break
            if candidate["content_score"] > last:
                return node
            last = candidate["content_score"]
        node = node.getparent()
    return None


def _is_data_table(table: Any) -> bool:
    """Readability.js's test for a table of data (as opposed to one used for layout)."""
    if (table.get("role") or "").lower() == "presentation" or table.get("datatable") == "0":
        return False
    if table.get("summary"):
        return True
    caption = table.find("caption")
    if caption is not None and len(caption):
        return True
    for tag in ("col", "colgroup", "tfoot", "thead", "th"):
        if table.find(".//" + tag) is not None:
            return True
    if table.find(".//table") is not None:
        return False
    rows = list(_table_rows(table))
    columns = max((len(row) for row in rows), default=0)
    return len(rows) >= 10 or columns > 4 or len(rows) * columns > 10


def _squashed_len(el: Any) -> int:
    return len(" ".join(el.text_content().split()))


_DISPLAY_NONE_RE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)",
    re.I,
)


def _protect_embeds(root: Any) -> None:
    """Keep embedded posts: readability drops anything whose class says "tweet"."""
    for el in root.iter("blockquote", "div", "iframe"):
        features = " ".join(v for v in (el.get("class"), el.get("id")) if v)
        if not features or not _EMBED_CLASS_RE.search(features):
            continue
        if el.tag == "iframe":
            src = el.get("src") or el.get("data-src") or ""
            if not src:
                continue
            quote = lxml.html.fragment_fromstring("<blockquote/>")
            link = lxml.html.fragment_fromstring("<a/>")
            link.set("href", src.replace("/embed", ""))
            link.text = "Embedded post: " + (urlsplit(src).hostname or src)
            quote.append(link)
            quote.tail = el.tail
            el.getparent().replace(el, quote)
            el = quote
        else:
            el.tag = "blockquote"
        el.attrib.pop("class", None)
        el.attrib.pop("id", None)
        el.set(_EMBED_MARK, "1")


_RID: Final = "data-reader-id"  # an element's position in the original page
_UNLIKELY_RE = re.compile(
    r"combx|comment|community|disqus|extra|foot|header|menu|remark|rss|shoutbox|sidebar|"
    r"sponsor|ad-break|agegate|pagination|pager|popup|related|promo|share|social|newsletter",
    re.I,
)
_NOT_BODY_TAGS = frozenset({"nav", "aside", "footer", "header", "form", "figure", "li", "td"})


def _number_elements(root: Any) -> list[Any]:
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    for index, el in enumerate(elements):
        el.set(_RID, str(index))
    return elements


def _rid(el: Any) -> int:
    try:
        return int(el.get(_RID, "-1"))
    except ValueError:
        return -1


def _recover_paragraphs(elements: list[Any], summary_root: Any) -> None:
    """Add the article's paragraphs that readability left in a neighbouring container.

    readability keeps one container and its siblings; an intro paragraph in the parent (or
    the container's sibling wrapper) is lost. Only plain, long, link-poor paragraphs within
    two levels of what readability kept are added, in page order.
    """
    tops = [el for el in summary_root if isinstance(el.tag, str) and _rid(el) >= 0]
    if not tops:
        return
    kept = {_rid(el) for el in summary_root.iter() if isinstance(el.tag, str)}
    spans: list[tuple[int, int]] = []
    ancestors: list[Any] = []
    for top in tops:
        original = elements[_rid(top)]
        last = max((_rid(d) for d in original.iter() if isinstance(d.tag, str)), default=0)
        spans.append((_rid(top), last))
        parent = original.getparent()
        for _ in range(2):
            if parent is None or parent.tag in ("body", "html"):
                break
            if all(parent is not a for a in ancestors):
                ancestors.append(parent)
            parent = parent.getparent()
    known = " ".join(summary_root.text_content().split())
    found: dict[int, Any] = {}
    for ancestor in ancestors:
        for paragraph in ancestor.iter("p"):
            rid = _rid(paragraph)
            if rid in kept or rid in found or any(a <= rid <= b for a, b in spans):
                continue
            text = " ".join(paragraph.text_content().split())
            if len(text) < 80 or text in known or _looks_like_chrome_paragraph(paragraph, text):
                continue
            links = sum(len(" ".join(a.text_content().split())) for a in paragraph.iter("a"))
            if links > 0.2 * len(text):
                continue
            if _in_chrome(paragraph, ancestor):
                continue
            found[rid] = paragraph
    for rid in sorted(found):
        copy_ = copy.deepcopy(found[rid])
        copy_.tail = None
        position = sum(1 for a, _ in spans if a < rid)
        summary_root.insert(position + sum(1 for r in found if r < rid), copy_)


_META_CLASS_RE = re.compile(
    r"byline|author|date|time|meta|signature|teaser|excerpt|summary|caption|credit|promo|"
    r"related|subscribe|newsletter",
    re.I,
)


def _looks_like_chrome_paragraph(paragraph: Any, text: str) -> bool:
    """A byline, dateline or teaser excerpt: not worth adding back."""
    features = " ".join(v for v in (paragraph.get("class"), paragraph.get("id")) if v)
    if features and _META_CLASS_RE.search(features):
        return True
    return text.endswith(("…", "...")) or text.count(" | ") >= 2


def _is_hidden(el: Any) -> bool:
    return el.get("hidden") is not None or bool(_DISPLAY_NONE_RE.search(el.get("style") or ""))


def _in_chrome(el: Any, stop: Any) -> bool:
    if _is_hidden(el) or any(_is_hidden(a) for a in el.iterancestors()):
        return True
    node = el.getparent()
    depth = 0
    while node is not None and node is not stop:
        depth += 1
        if depth > 4 or node.tag in _NOT_BODY_TAGS:
            return True
        if node.get("aria-hidden") == "true":
            return True
        features = " ".join(v for v in (node.get("class"), node.get("id")) if v)
        if features and (_UNLIKELY_RE.search(features) or _JUNK_CLASS_RE.search(features)):
            return True
        node = node.getparent()
    return False


def _readability_root(tree: Any, url: str) -> Any:
    doc = _ReaderDocument(tree, url=None)
    doc.summary(html_partial=True)
    return doc.summary_root


# --- metadata ----------------------------------------------------------------------------


def _meta(root: Any) -> dict[str, str]:
    """The page's meta values by lowercased key; ``DC.creator`` is read as ``dc:creator``.

    A ``property`` (RDFa: Open Graph, Dublin Core) wins over a ``name`` with the same key;
    otherwise the first value wins. One attribute may hold several keys.
    """
    values: dict[str, str] = {}
    properties: dict[str, str] = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        content = _WS_RE.sub(" ", content).strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                target = properties if attr == "property" else values
                for name in key.lower().split():
                    if name.startswith(("dc.", "dcterm.", "dcterms.")):
                        name = name.replace(".", ":")
                    target.setdefault(name, content)
    values.update(properties)
    return values


def _json_ld(root: Any) -> dict[str, Any]:
    """The first article-like object of the page's JSON-LD."""
    found: list[dict[str, Any]] = []

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            types = value.get("@type")
            names = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and _ARTICLE_TYPES_RE.match(t) for t in names):
                found.append(value)
            if "@graph" in value:
                visit(value["@graph"])

    for script in root.iter("script"):
        if (script.get("type") or "").lower().strip() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        raw = raw.removeprefix("<!--").removesuffix("-->").strip()
        raw = raw.removeprefix("<![CDATA[").removesuffix("]]>").strip()
        try:
            visit(json.loads(raw))
        except (ValueError, RecursionError):
            continue
    # Prefer a real article over a WebPage.
    for item in found:
        types = item.get("@type")
        names = types if isinstance(types, list) else [types]
        if not any(t in ("WebPage", "VideoObject", "Recipe") for t in names):
            return item
    return found[0] if found else {}


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value for n in _ld_names(item)]
    return []


def _clean(text: str | None) -> str:
    if not text:
        return ""
    # JSON-LD strings often still hold HTML entities ("&#8211;").
    return _WS_RE.sub(" ", html_lib.unescape(text)).strip()


def normalize_date(value: str | None) -> str | None:
    """ISO 8601 when the page's date can be read, else the page's own text."""
    if not value:
        return None
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    return value


def _page_title(root: Any, site_name: str | None) -> str:
    title_el = root.find(".//title")
    title = _clean(title_el.text_content() if title_el is not None else "")
    if not title:
        return ""
    if site_name:
        for sep in (" | ", " - ", " – ", " — ", " :: ", " · ", " / ", ": "):
            if title.endswith(sep + site_name):
                return title[: -len(sep + site_name)].strip()
            if title.startswith(site_name + sep):
                return title[len(site_name + sep) :].strip()
    for sep in (" | ", " - ", " – ", " — ", " :: "):
        if sep in title:
            head, _, tail = title.rpartition(sep)
            if len(head.split()) >= 3 and len(tail) < len(head):
                return head.strip()
    return title


def _first_time(root: Any) -> str | None:
    for xpath in (
        ".//*[@itemprop='datePublished']",
        ".//time[contains(@class,'publish')]",
        ".//time[@pubdate]",
        ".//article//time[@datetime]",
        ".//time[@datetime]",
    ):
        for el in root.xpath(xpath):
            value = el.get("datetime") or el.get("content")
            if value and re.match(r"\d{4}-\d{2}-\d{2}", value.strip()):
                return str(value)
    return None


def _byline_candidates(root: Any) -> list[Any]:
    """Elements that may hold the byline, best first: ``rel=author``, the name inside an
    ``itemprop=author``, the ``itemprop=author`` itself, ``class=author-name``, then any
    class with byline or author in it (any case, as Readability.js matches them).

    One pass in Python: faster than five XPath queries over a big page.
    """
    rel, props, names, classes = [], [], [], []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag in ("meta", "link"):
            continue
        if el.get("rel") == "author":
            rel.append(el)
        itemprop = el.get("itemprop")
        if itemprop and "author" in itemprop.split():
            props.append(el)
        cls = el.get("class")
        if cls:
            if "author-name" in cls.split():
                names.append(el)
            folded = cls.lower()
            if "byline" in folded or "author" in folded:
                classes.append(el)
    inner = [d for el in props for d in el.iterdescendants() if d.get("itemprop") == "name"]
    return [*rel, *dict.fromkeys(inner), *props, *names, *classes]


def _byline_from_page(root: Any) -> str | None:
    for el in _byline_candidates(root):
        text = _WS_RE.sub(" ", _text_with_breaks(el)).strip()
        text = _strip_byline_date(_BYLINE_PREFIX_RE.sub("", text))
        if _DATE_LABEL_RE.match(text):
            continue  # "Last updated: January 7, 2025" is a date, not a byline
        if 0 < len(text) <= 80:
            return text
    return None


def _text_with_breaks(root: Any) -> str:
    """An element's text with a space at each ``<br>`` and block ("Name<br>Date")."""
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if not isinstance(el.tag, str):
            if el.tail:
                parts.append(el.tail)  # a comment's own text is not the page's
            continue
        if event == "start":
            if el.tag in _BLOCK_TAGS or el.tag == "br":
                parts.append(" ")
            if el.text:
                parts.append(el.text)
        elif el is not root and el.tail:
            parts.append(el.tail)
    return "".join(parts)


def _strip_byline_date(text: str) -> str:
    """ "Joshua Sokol May 20, 2019" -> "Joshua Sokol": a byline's dateline is not a name."""
    match = _TRAILING_DATE_RE.search(text)
    if match and match.start() >= 2:
        return text[: match.start()].rstrip(" ,|·•–—-")
    return text


@dataclass
class _Metadata:
    title: str = ""
    byline: str | None = None
    published: str | None = None
    site_name: str | None = None
    language: str | None = None
    lead_image: str | None = None


def read_metadata(root: Any, url: str) -> _Metadata:
    """Title, byline, date, site name, language and lead image from the original page."""
    meta = _meta(root)
    ld = _json_ld(root)
    site_name = (
        next(iter(_ld_names(ld.get("publisher"))), None)
        or meta.get("og:site_name")
        or meta.get("application-name")
        or None
    )
    site_name = _clean(site_name) or None
    title = _clean(
        _ld_title(ld, root)
        or meta.get("dc:title")
        or meta.get("dcterm:title")
        or meta.get("og:title")
        or meta.get("weibo:article:title")
        or meta.get("title")
        or meta.get("twitter:title")
        or meta.get("parsely-title")
        or _ld_str(ld.get("name"))
    ) or _page_title(root, site_name)
    if not title:
        h1 = root.find(".//h1")
        title = _clean(h1.text_content()) if h1 is not None else ""
    authors = [_clean(a) for a in _ld_names(ld.get("author")) if _clean(a)]
    byline = (
        ", ".join(dict.fromkeys(authors))
        or meta.get("dc:creator")
        or meta.get("dcterm:creator")
        or meta.get("author")
        or meta.get("article:author")
        or meta.get("parsely-author")
        or meta.get("sailthru.author")
        or _byline_from_page(root)
    )
    if byline and re.match(r"https?://", byline):
        byline = _byline_from_page(root)
    byline = _BYLINE_PREFIX_RE.sub("", _clean(byline)) or None
    published = normalize_date(
        _ld_str(ld.get("datePublished"))
        or meta.get("article:published_time")
        or meta.get("og:article:published_time")
        or meta.get("datepublished")
        or meta.get("date")
        or meta.get("dc:date")
        or meta.get("dc:date:issued")
        or meta.get("dcterms:created")
        or meta.get("parsely-pub-date")
        or meta.get("sailthru.date")
        or meta.get("publishdate")
        or meta.get("pubdate")
        or _first_time(root)
    )
    html_el = root if root.tag == "html" else root.getroottree().getroot()
    language = (html_el.get("lang") or html_el.get("xml:lang") or "").strip()
    if not language:
        locale = (
            meta.get("og:locale") or _ld_str(ld.get("inLanguage")) or meta.get("content-language")
        )
        language = (locale or "").replace("_", "-").strip()
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
    if not image:
        images = ld.get("image")
        image = next(iter(_ld_urls(images)), None)
    lead_image = None
    if image:
        try:
            lead_image = urljoin(url, image) if url else image
        except ValueError:
            lead_image = None
    return _Metadata(
        title=title,
        byline=byline,
        published=published,
        site_name=site_name,
        language=language or None,
        lead_image=lead_image,
    )


def _ld_title(ld: dict[str, Any], root: Any) -> str | None:
    """JSON-LD's headline, or its name when that is what the page's <title> says.

    Some sites put a description in ``headline`` ("constitutional monarchy in Oceania")
    and the title in ``name``: of the two, the one closer to <title> wins.
    """
    headline, name = _ld_str(ld.get("headline")), _ld_str(ld.get("name"))
    if headline and name and _clean(headline) != _clean(name):
        title_el = root.find(".//title")
        page_title = title_el.text_content() if title_el is not None else ""
        if _similarity(name, page_title) > _similarity(headline, page_title):
            return name
    return headline


def _similarity(text: str, reference: str) -> float:
    """The share of ``reference``'s words (by characters) that ``text`` also has."""
    words = {w.casefold() for w in _WORD_RE.findall(text)}
    ref = [w.casefold() for w in _WORD_RE.findall(reference)]
    if not ref:
        return 0.0
    missing = " ".join(w for w in ref if w not in words)
    return 1 - len(missing) / len(" ".join(ref))


def _ld_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return None


def _ld_urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl")
        return [url] if isinstance(url, str) else []
    if isinstance(value, list):
        return [u for item in value for u in _ld_urls(item)]
    return []


# --- the public API ----------------------------------------------------------------------


def reading_minutes(blocks: tuple[Block, ...] | list[Block]) -> int:
    """Minutes to read: words / 230, CJK characters / 500; at least 1 when there is text."""
    words = 0
    cjk = 0
    for block in blocks:
        text = block.text
        chars = len(_CJK_RE.findall(text))
        cjk += chars
        words += len(_WORD_RE.findall(_CJK_RE.sub(" ", text)))
    if not words and not cjk:
        return 0
    return max(1, round(words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE))


def is_too_thin(article: Article) -> bool:
    """Too little text to be the article (a paywall, a teaser, a page built by JavaScript)."""
    words = 0
    cjk = 0
    for block in article.blocks:
        if block.kind in ("caption", "rule"):
            continue
        text = block.text
        cjk += len(_CJK_RE.findall(text))
        words += len(_WORD_RE.findall(_CJK_RE.sub(" ", text)))
    return words < THIN_WORDS and cjk < THIN_CJK_CHARS


def _looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML_RE.search(text[:5000]))


def _prepare_input(html: str) -> str:
    html = html.replace("\x00", "")
    if len(html) > MAX_HTML_CHARS:
        # Scripts and styles are most of a big page: drop them before cutting.
        html = re.sub(r"(?is)<(script|style)\b[^>]*>.*?</\1\s*>", "", html)
        html = html[:MAX_HTML_CHARS]
    return html


def _limit_size(root: Any) -> None:
    """Cut a tree after its first MAX_ELEMENTS elements: readability would take seconds."""
    cut_from = None
    for count, el in enumerate(root.iter()):
        if count >= MAX_ELEMENTS:
            cut_from = el
            break
    if cut_from is None:
        return
    # Remove that element, everything after it at its level, and after each ancestor.
    ancestors = list(cut_from.iterancestors())
    parent = cut_from.getparent()
    if parent is not None:
        for sibling in [cut_from, *cut_from.itersiblings()]:
            parent.remove(sibling)
    for ancestor in ancestors:
        for sibling in list(ancestor.itersiblings()):
            sibling.getparent().remove(sibling)


def extract_article(html: str, url: str) -> Article:
    """The article in an HTML page: metadata, body blocks, body links and related links.

    Pure: no I/O. Raises :class:`NotAnArticleError` for an empty page or text that is not
    HTML; a page whose body cannot be found gives an article without blocks (see
    :func:`is_too_thin`).
    """
    if not isinstance(html, str) or not html.strip():
        raise NotAnArticleError("The page is empty.")
    if not _looks_like_html(html):
        raise NotAnArticleError("The page is not HTML.", content_type="text/plain")
    html = _prepare_input(html)
    root = parse_page(html)
    if root is None:
        raise NotAnArticleError("The page could not be read as HTML.")
    try:
        _limit_size(root)
        _protect_embeds(root)
        # Numbered first: the list keeps one Python object per element alive, so the passes
        # below (metadata, related links) reuse them instead of lxml building new ones.
        elements = _number_elements(root)
        metadata = read_metadata(root, url)
        related = find_related(root, url)
        blocks: list[Block] = []
        try:
            summary_root = _readability_root(root, url)
        except Exception:  # readability raises bare Exceptions (Unparseable and others)
            summary_root = None
        if summary_root is not None:
            _recover_paragraphs(elements, summary_root)
            _prune_junk(summary_root)
            blocks = clean_blocks(html_to_blocks(summary_root, base_url_of(root, url)))
    except RecursionError as error:
        raise NotAnArticleError("The page is nested too deeply to read.") from error
    blocks = _drop_byline_line(_drop_title_heading(blocks, metadata.title), metadata.byline)
    return Article(
        url=url,
        title=metadata.title,
        byline=metadata.byline,
        published=metadata.published,
        site_name=metadata.site_name,
        language=metadata.language,
        lead_image=metadata.lead_image,
        reading_minutes=reading_minutes(blocks),
        blocks=tuple(blocks),
        links=tuple(find_body_links(blocks)),
        related=tuple(related),
        source="page",
    )


def _drop_title_heading(blocks: list[Block], title: str) -> list[Block]:
    """The header already shows the title: a first heading repeating it goes."""
    if (
        blocks
        and blocks[0].kind == "heading"
        and title
        and _WS_RE.sub(" ", blocks[0].text).strip().casefold() == title.strip().casefold()
    ):
        return blocks[1:]
    return blocks


def _drop_byline_line(blocks: list[Block], byline: str | None) -> list[Block]:
    """The header already shows the byline: a short line near the top that is the byline
    (with perhaps "By" and a date) goes, as Readability.js removes the byline element."""
    if not byline:
        return blocks
    name = _WS_RE.sub(" ", byline).strip().casefold()
    for index, block in enumerate(blocks[:3]):
        text = _WS_RE.sub(" ", block.text).strip().casefold()
        if block.kind == "paragraph" and name in text and len(text) <= len(name) + 40:
            return blocks[:index] + blocks[index + 1 :]
    return blocks


def article_from_feed_content(
    html_or_text: str,
    url: str,
    title: str,
    *,
    byline: str | None = None,
    published: str | None = None,
    site_name: str | None = None,
    language: str | None = None,
    note: str | None = None,
) -> Article:
    """An article from a feed entry's own content (HTML or plain text), ``source="feed"``."""
    blocks: list[Block] = []
    text = (html_or_text or "").replace("\x00", "")
    if text.strip():
        if _looks_like_html(text):
            try:
                root = lxml.html.fragment_fromstring(
                    _prepare_input(text),
                    create_parent="div",
                    parser=lxml.html.HTMLParser(remove_comments=True),
                )
                _protect_embeds(root)
                _prune_junk(root)
                blocks = clean_blocks(html_to_blocks(root, url))
            except (etree.ParserError, ValueError, RecursionError):
                blocks = text_blocks(text)
        else:
            blocks = text_blocks(text)
    return Article(
        url=url,
        title=title,
        byline=byline,
        published=normalize_date(published),
        site_name=site_name,
        language=language,
        reading_minutes=reading_minutes(blocks),
        blocks=tuple(blocks),
        links=tuple(find_body_links(blocks)),
        related=(),
        source="feed",
        note=note,
    )


def text_blocks(text: str) -> list[Block]:
    """Plain text as paragraphs: one per blank-line-separated part."""
    blocks = []
    for part in re.split(r"\n\s*\n", text):
        part = _WS_RE.sub(" ", part).strip()
        if part:
            blocks.append(Block(kind="paragraph", spans=(Span(text=part),)))
    return blocks


def article_links(article: Article) -> list[Link]:
    """The body's links of an article (convenience for callers holding only blocks)."""
    return find_body_links(article.blocks)


def copy_tree(root: Any) -> Any:
    """A deep copy of a parsed page (readability changes the tree it is given)."""
    return copy.deepcopy(root)
