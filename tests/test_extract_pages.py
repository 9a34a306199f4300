"""Pages of the kinds extraction used to get wrong, each read as `reader read --html` reads it
(bytes, decoding included): the article's sentences are there and the chrome is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.article import extract_page
from reader.render import to_text

PAGES = Path(__file__).resolve().parent / "extract_pages"
PAGE_DIRS = sorted(p for p in PAGES.iterdir() if (p / "expected.json").is_file())


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("page", PAGE_DIRS, ids=[p.name for p in PAGE_DIRS])
def test_page(page: Path) -> None:
    expected = json.loads((page / "expected.json").read_text(encoding="utf-8"))
    article = extract_page((page / "page.html").read_bytes(), f"https://example.com/{page.name}")
    text = _squash(to_text(article))
    for sentence in expected["with"]:
        assert _squash(sentence) in text
    for chrome in expected["without"]:
        assert _squash(chrome) not in text


def test_there_is_a_page_for_each_kind() -> None:
    kinds = {"xhtml-declaration", "utf8-bad-byte", "consent-wall", "teaser-list", "recipe",
             "forum-thread", "top-residue-de", "top-residue-fr", "top-residue-ja",
             "top-residue-updated", "gallery-captions", "trending-headlines",
             "figure-citation", "share-labels", "standfirst", "related-cards",
             "section-notes", "title-with-site-name", "link-list", "author-bio",
             "annotation-links", "composed-letters"}  # fmt: skip
    assert kinds <= {p.name for p in PAGE_DIRS}
