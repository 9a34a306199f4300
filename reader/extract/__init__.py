"""HTML page -> :class:`~reader.models.Article`: readability-lxml plus our own cleanup. Pure.

readability-lxml finds the article's container; this module reads the metadata from the
original page, converts readability's output into the flat block model (headings,
paragraphs, lists, quotes, code, captions, table rows), and removes what readability
leaves inside the container (ad labels, share and newsletter lines, gallery counters,
repeated photo credits, "Read more" teasers).

The package splits by concern: :mod:`.decode` (bytes -> text), :mod:`.readability` (the
container), :mod:`.blocks` (HTML -> blocks), :mod:`.cleanup` (boilerplate), :mod:`.metadata`
(title, byline, date) and :mod:`.links` (related and body links).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from typing import Final

import lxml.html
from lxml import etree

from reader.errors import NotAnArticleError
from reader.extract.blocks import WORD_RE, WS_RE, html_to_blocks
from reader.extract.cleanup import (
    clean_blocks,
    drop_header_residue,
    drop_page_chrome,
    drop_teaser_cards,
    prune_junk,
)
from reader.extract.decode import decode_html
from reader.extract.links import base_url_of, find_body_links, find_related, parse_page
from reader.extract.metadata import BYLINE_PREFIX_RE, normalize_date, read_metadata
from reader.extract.readability import (
    drop_elements,
    find_standfirst,
    hidden_elements,
    misses_the_titled_article,
    number_elements,
    protect_embeds,
    readability_root,
    recover_paragraphs,
)
from reader.extract.second_opinion import trafilatura_blocks
from reader.models import Article, Block, Span

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
# Below this many words readability's body is checked against trafilatura's, and theirs is
# taken when it is this many times longer (measured on ../shared/extract-dev: README).
SECOND_OPINION_BELOW_WORDS: Final = 150
SECOND_OPINION_LONGER_BY: Final = 1.3
SECOND_OPINION_MISPLACED_SHARE: Final = 0.5
TEASER_LIST_BYLINES: Final = 3
BYLINE_MAX_WORDS: Final = 6

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LOOKS_LIKE_HTML_RE = re.compile(r"<\s*[a-zA-Z!][^>]*>")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml\b[^>]*\?>", re.I)


def reading_minutes(blocks: tuple[Block, ...] | list[Block]) -> int:
    """Minutes to read: words / 230, CJK characters / 500; at least 1 when there is text."""
    words = 0
    cjk = 0
    for block in blocks:
        text = block.text
        chars = len(_CJK_RE.findall(text))
        cjk += chars
        words += len(WORD_RE.findall(_CJK_RE.sub(" ", text)))
    if not words and not cjk:
        return 0
    return max(1, round(words / WORDS_PER_MINUTE + cjk / CJK_CHARS_PER_MINUTE))


def _body_size(blocks: Sequence[Block]) -> tuple[int, int]:
    """(words, CJK characters) of the body's text, captions aside."""
    words = 0
    cjk = 0
    for block in blocks:
        if block.kind in ("caption", "rule"):
            continue
        text = block.text
        cjk += len(_CJK_RE.findall(text))
        words += len(WORD_RE.findall(_CJK_RE.sub(" ", text)))
    return words, cjk


def _word_equivalents(blocks: Sequence[Block]) -> int:
    words, cjk = _body_size(blocks)
    return words + cjk // 2  # about two CJK characters to a word


def is_too_thin(article: Article) -> bool:
    """Too little text to be the article (a paywall, a teaser, a page built by JavaScript)."""
    words, cjk = _body_size(article.blocks)
    return words < THIN_WORDS and cjk < THIN_CJK_CHARS


def _with_second_opinion(
    blocks: list[Block], root: lxml.html.HtmlElement, base_url: str, misplaced: bool = False
) -> list[Block]:
    """Our body, or trafilatura's where ours is short and theirs clearly longer.

    A short body is where readability most often kept the wrong block (a consent wall,
    a teaser list, the one paragraph of a recipe or a forum thread); a long one is almost
    always the article, and asking only then keeps the cost to a few pages in ten. A body
    ``misplaced`` outside the article that holds the page's title is checked whatever its
    length, and theirs taken unless it is much shorter.
    """
    ours = _word_equivalents(blocks)
    if ours >= SECOND_OPINION_BELOW_WORDS and not misplaced:
        return blocks
    # What the reader cannot see is not the article (readability drops it too); the tree
    # is not needed after this.
    drop_elements(hidden_elements(root))
    theirs = trafilatura_blocks(root, base_url)
    # Where ours lies outside the titled article, theirs need only be of some length.
    needed = SECOND_OPINION_MISPLACED_SHARE if misplaced else SECOND_OPINION_LONGER_BY
    longer = _word_equivalents(theirs) > needed * ours
    if longer and not _is_teaser_list(theirs):
        return theirs
    return blocks


def _is_teaser_list(blocks: Sequence[Block]) -> bool:
    """Several bylines ("By Ann Lee", "Por Ana") make a list of articles, not one article."""
    bylines = sum(
        1
        for b in blocks
        if len(b.text.split()) <= BYLINE_MAX_WORDS and BYLINE_PREFIX_RE.match(b.text)
    )
    return bylines >= TEASER_LIST_BYLINES


def _standfirst_blocks(
    elements: list[lxml.html.HtmlElement],
    summary_root: lxml.html.HtmlElement,
    descriptions: tuple[str, ...],
    base_url: str,
) -> list[Block]:
    """The standfirst above the article (see :func:`find_standfirst`) as paragraphs."""
    found = find_standfirst(elements, summary_root, descriptions)
    if found is None:
        return []
    element = copy.deepcopy(found)
    element.tail = None
    if element.tag not in ("p", "div"):
        element.tag = "p"  # a deck set as <h2> is a paragraph of the article
    wrapper = lxml.html.fragment_fromstring("<div/>")
    wrapper.append(element)
    return [b for b in clean_blocks(html_to_blocks(wrapper, base_url)) if b.kind == "paragraph"]


def _with_standfirst(standfirst: list[Block], blocks: list[Block]) -> list[Block]:
    """The standfirst first, unless the body already has it."""
    if not standfirst or not blocks:
        return blocks
    body = WS_RE.sub(" ", " ".join(b.text for b in blocks))
    if any(WS_RE.sub(" ", b.text).strip() in body for b in standfirst):
        return blocks
    return [*standfirst, *blocks]


def _looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML_RE.search(text[:5000]))


def _prepare_input(html: str) -> str:
    html = html.replace("\x00", "")
    # lxml refuses a str that still declares an encoding (XHTML's <?xml ... encoding=?>):
    # the text is decoded already, so the declaration goes.
    html = _XML_DECLARATION_RE.sub("", html, count=1)
    if len(html) > MAX_HTML_CHARS:
        # Scripts and styles are most of a big page: drop them before cutting.
        html = re.sub(r"(?is)<(script|style)\b[^>]*>.*?</\1\s*>", "", html)
        html = html[:MAX_HTML_CHARS]
    return html


def _limit_size(root: lxml.html.HtmlElement) -> bool:
    """Cut a tree after its first MAX_ELEMENTS elements (readability would take seconds);
    True when it was cut."""
    cut_from = None
    for count, el in enumerate(root.iter()):
        if count >= MAX_ELEMENTS:
            cut_from = el
            break
    if cut_from is None:
        return False
    # Remove that element, everything after it at its level, and after each ancestor.
    ancestors = list(cut_from.iterancestors())
    parent = cut_from.getparent()
    if parent is not None:
        for sibling in [cut_from, *cut_from.itersiblings()]:
            parent.remove(sibling)
    for ancestor in ancestors:
        for sibling in list(ancestor.itersiblings()):
            sibling.getparent().remove(sibling)
    return True


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
        was_cut = _limit_size(root)
        protect_embeds(root)
        # Numbered first: the list keeps one Python object per element alive, so the passes
        # below (metadata, related links) reuse them instead of lxml building new ones.
        elements = number_elements(root)
        metadata = read_metadata(root, url)
        related = find_related(root, url)
        blocks: list[Block] = []
        try:
            summary_root = readability_root(root, url)
        except Exception:  # readability raises bare Exceptions (Unparseable and others)
            summary_root = None
        base_url = base_url_of(root, url)
        misplaced = False
        standfirst: list[Block] = []
        if summary_root is not None:
            misplaced = misses_the_titled_article(elements, summary_root, metadata.title)
            standfirst = _standfirst_blocks(elements, summary_root, metadata.descriptions, base_url)
            recover_paragraphs(elements, summary_root)
            prune_junk(summary_root)
            drop_teaser_cards(summary_root)
            drop_page_chrome(summary_root)
            blocks = clean_blocks(html_to_blocks(summary_root, base_url))
        if not was_cut:  # a page that big is not worth a second, slower reading
            blocks = _with_second_opinion(blocks, root, base_url, misplaced)
        blocks = _with_standfirst(standfirst, blocks)
    except RecursionError as error:
        raise NotAnArticleError("The page is nested too deeply to read.") from error
    blocks = drop_header_residue(blocks, metadata.title, metadata.byline)
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
                protect_embeds(root)
                prune_junk(root)
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
        part = WS_RE.sub(" ", part).strip()
        if part:
            blocks.append(Block(kind="paragraph", spans=(Span(text=part),)))
    return blocks
