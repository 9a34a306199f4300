"""Related-article links: the shared sample pages, and the rules on small pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reader.extract import decode_html
from reader.extract.links import find_body_links, find_related, is_article_url
from reader.models import Block, Link, Span

SHARED = Path(__file__).resolve().parents[2] / "shared"
PAGES = SHARED / "pages"
PAGE_DIRS = sorted(p for p in PAGES.glob("*/") if (p / "expected.json").is_file())
URL = "https://news.example.com/2025/03/01/the-story-itself/"


def _expected(page_dir: Path) -> tuple[dict[str, Any], list[Link]]:
    expected = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
    html = decode_html((page_dir / "page.html").read_bytes())
    return expected, find_related(html, expected["url"])


@pytest.mark.skipif(not PAGE_DIRS, reason=f"shared sample pages not found at {PAGES}")
@pytest.mark.parametrize("page_dir", PAGE_DIRS, ids=[p.name for p in PAGE_DIRS])
def test_shared_page_related(page_dir: Path) -> None:
    expected, related = _expected(page_dir)
    assert [{"title": link.text, "url": link.url} for link in related] == expected["related"]
    urls = {link.url for link in related}
    for url in expected.get("not_related", []):
        assert url not in urls


def _page(body: str) -> str:
    return f"<html><body><article><p>Text of the story.</p>{body}</article></body></html>"


def test_heading_block_in_page_order_without_duplicates() -> None:
    html = _page(
        "<section><h2>Related</h2><ul>"
        "<li><a href='/2025/02/01/first-related-story/'><img src='x.jpg'></a>"
        "<a href='/2025/02/01/first-related-story/'>First related story</a></li>"
        "<li><a href='https://news.example.com/2025/02/02/second-related-story/'>Second</a></li>"
        "<li><a href='/tag/roads/'>Roads</a></li>"
        "<li><a href='/2025/03/01/the-story-itself/#comments'>Comments</a></li>"
        "</ul></section>"
    )
    assert find_related(html, URL) == [
        Link("First related story", "https://news.example.com/2025/02/01/first-related-story/"),
        Link("Second", "https://news.example.com/2025/02/02/second-related-story/"),
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "See also",
        "Lire aussi",
        "Mehr zum Thema",
        "Leia também",
        "Читайте также",
        "関連記事",
        "Te puede interesar",
        "You may also like",
        "More on this story",
    ],
)
def test_headings_in_several_languages(heading: str) -> None:
    html = _page(f"<div><h3>{heading}</h3><a href='/2025/01/01/an-older-story/'>Older</a></div>")
    assert [link.url for link in find_related(html, URL)] == [
        "https://news.example.com/2025/01/01/an-older-story/"
    ]


def test_class_named_container() -> None:
    html = _page(
        "<aside class='related-articles'><a href='/2025/01/01/one-more-story/'>One more</a></aside>"
    )
    assert [link.text for link in find_related(html, URL)] == ["One more"]


def test_page_without_related_block_gives_nothing() -> None:
    html = (
        "<html><body><nav><a href='/2025/01/01/nav-story-link/'>Nav story</a></nav>"
        "<article><p>Body with <a href='/2025/01/01/inline-story-link/'>a link</a>.</p></article>"
        "<aside class='most-popular'><h2>Most read</h2>"
        "<a href='/2025/01/01/popular-story-link/'>Popular</a></aside>"
        "<footer><a href='/privacy/'>Privacy</a></footer></body></html>"
    )
    assert find_related(html, URL) == []


def test_sponsored_widgets_are_never_related() -> None:
    html = _page(
        "<div class='trc_related_container taboola'><h2>Related</h2>"
        "<a href='https://ads.example.net/offer-for-you-now/?utm_source=taboola'>Offer</a></div>"
        "<div class='related'><a rel='sponsored' href='/2025/01/01/paid-story-here/'>Paid</a>"
        "<a href='https://www.facebook.com/sharer/sharer.php?u=x'>Share</a>"
        "<a href='mailto:?subject=x'>Mail</a></div>"
    )
    assert find_related(html, URL) == []


def test_read_more_line_in_body() -> None:
    html = _page(
        "<p><strong>Read more:</strong> "
        "<a href='/2024/11/18/an-earlier-report-here/'>An earlier report on the pipes</a></p>"
        "<p>See <a href='/2024/01/01/plain-inline-link/'>this</a> for more.</p>"
    )
    assert find_related(html, URL) == [
        Link(
            "An earlier report on the pipes",
            "https://news.example.com/2024/11/18/an-earlier-report-here/",
        )
    ]


def test_headlines_listed_under_a_bare_read_more_label() -> None:
    html = _page(
        "<p><b>Read more:</b></p>"
        "<p><a href='/2024/11/18/an-earlier-report/'>An earlier report on the pipes</a></p>"
        "<p> <a href='/2024/10/02/the-first-leak/'>The first leak</a> </p>"
        "<p>A closing line with <a href='/2024/01/01/inline/'>an inline link</a> in it.</p>"
    )
    assert find_related(html, URL) == [
        Link(
            "An earlier report on the pipes",
            "https://news.example.com/2024/11/18/an-earlier-report/",
        ),
        Link("The first leak", "https://news.example.com/2024/10/02/the-first-leak/"),
    ]
    # A label that is itself a link, or that ends a paragraph of text, lists nothing.
    html = _page(
        "<p><a href='/topics/related/'>Related</a></p>"
        "<p><a href='/2024/11/18/an-earlier-report/'>An earlier report on the pipes</a></p>"
    )
    assert find_related(html, URL) == []


def test_schema_related_link_needs_a_title_on_the_page() -> None:
    html = (
        '<html><head><script type="application/ld+json">{"@type": "WebPage", "relatedLink": '
        '["https://news.example.com/2025/01/05/declared-story/", '
        '"https://news.example.com/2025/01/06/untitled-story/"]}</script></head><body>'
        "<article><p>Story <a href='/2025/01/05/declared-story/'>Declared story</a>.</p>"
        "</article></body></html>"
    )
    assert find_related(html, URL) == [
        Link("Declared story", "https://news.example.com/2025/01/05/declared-story/")
    ]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://news.example.com/2025/01/01/a-story/", True),
        ("https://news.example.com/world/some-long-story-slug", True),
        ("https://news.example.com/article/12345.html", True),
        ("https://news.example.com/news/local/", False),
        ("https://news.example.com/tag/some-tag-name/", False),
        ("https://news.example.com/author/jane-doe-smith/", False),
        ("https://news.example.com/", False),
        ("https://twitter.com/user/status/123", False),
        ("mailto:someone@example.com", False),
        ("https://news.example.com/2025/03/01/the-story-itself/", False),
    ],
)
def test_is_article_url(url: str, ok: bool) -> None:
    assert is_article_url(url, URL) is ok


def test_bad_input_gives_nothing() -> None:
    assert find_related("", URL) == []
    assert find_related("not html at all", URL) == []
    assert find_related(None, URL) == []


def test_body_links_in_order_once() -> None:
    blocks = [
        Block(
            kind="paragraph",
            spans=(
                Span("See "),
                Span("the ", href="https://a.example/x"),
                Span("report", href="https://a.example/x", style="em"),
                Span(" and "),
                Span("data", href="https://b.example/y"),
            ),
        ),
        Block(kind="paragraph", spans=(Span("again", href="https://a.example/x"),)),
    ]
    assert find_body_links(blocks) == [
        Link("the report", "https://a.example/x"),
        Link("data", "https://b.example/y"),
    ]
