"""trafilatura as a second opinion on the body, asked only when readability's looks wrong.

readability-lxml scores paragraphs and keeps the best container; on pages without long
prose (recipes, forum threads, short notices) or where another block outweighs the
article (a consent wall, a teaser list), it keeps the wrong block or nothing. trafilatura
reads a page differently (main-content heuristics, then a fallback of its own), so where
ours fails its checks, its body, converted and cleaned as ours is, is often the article.
"""

from __future__ import annotations

import logging

import lxml.html
from lxml import etree

from reader.extract.blocks import html_to_blocks
from reader.extract.cleanup import clean_blocks
from reader.models import Block

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def trafilatura_blocks(page: lxml.html.HtmlElement, base_url: str) -> list[Block]:
    """The body trafilatura finds in ``page``, as cleaned blocks; [] when it finds none.

    It is given our parsed (and size-limited) tree, not the text: no second parse, and no
    page bigger than we would read. trafilatura cleans a copy of it.
    """
    import trafilatura  # imported on first need: it costs ~0.3 s and most pages never ask

    try:
        body = trafilatura.extract(
            page,
            output_format="html",
            include_tables=True,
            include_links=True,
            include_formatting=True,
            include_images=False,
        )
    except Exception:  # a second opinion that fails is no opinion
        return []
    if not body:
        return []
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return []
    body_element = root.find("body")
    return clean_blocks(html_to_blocks(root if body_element is None else body_element, base_url))
