"""Finding a feed: sniffing bytes, reading <link rel=alternate>, checking URLs."""

from __future__ import annotations

import pytest

from reader.core import Reader
from reader.discover import feed_links, looks_like_feed
from reader.errors import FetchError, InvalidURLError
from reader.fetch import DEFAULT_MAX_BYTES
from reader.site_server import SiteServer, bomb_route
from reader.urls import check_web_url


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', True),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'/>", True),
        (b"<rdf:RDF xmlns:rdf='x'></rdf:RDF>", True),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', True),
        (b'{"version": 2, "items": []}', False),
        (b"<!DOCTYPE html><html><body>rss</body></html>", False),
        (b"", False),
        (b"%PDF-1.7", False),
    ],
)
def test_looks_like_feed(content: bytes, expected: bool) -> None:
    assert looks_like_feed(content) is expected


def test_feed_links_in_page_order_absolute_and_deduplicated() -> None:
    html = b"""<html><head>
    <link rel="stylesheet" href="/s.css">
    <link rel="alternate" type="application/atom+xml" title="Atom" href="/atom.xml">
    <link rel="alternate" type="application/rss+xml" href="https://other.example/rss">
    <link rel="alternate" type="application/atom+xml" href="/atom.xml">
    <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head></html>"""
    found = feed_links(html, "https://site.example/blog/post")
    assert [(d.url, d.title) for d in found] == [
        ("https://site.example/atom.xml", "Atom"),
        ("https://other.example/rss", None),
    ]


def test_feed_links_of_garbage_is_empty() -> None:
    assert feed_links(b"", "https://e.example/") == []
    assert feed_links(b"\x00\x01\x02", "https://e.example/") == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.org/feed#top", "https://example.org/feed"),
        ("  http://example.org/a?b=1  ", "http://example.org/a?b=1"),
    ],
)
def test_check_web_url_tidies(url: str, expected: str) -> None:
    assert check_web_url(url) == expected


def test_check_web_url_assumes_https_only_when_asked() -> None:
    assert check_web_url("example.org/feed", assume_https=True) == "https://example.org/feed"
    with pytest.raises(InvalidURLError, match="not a URL"):
        check_web_url("example.org/feed")


@pytest.mark.parametrize(
    "url",
    ["", "file:///etc/passwd", "javascript:alert(1)", "mailto:a@b.c", "http://", "http://a b/"],
)
def test_check_web_url_refuses(url: str) -> None:
    with pytest.raises(InvalidURLError):
        check_web_url(url, assume_https=True)


@pytest.mark.parametrize("encoding", ["br", "gzip, gzip"])
async def test_a_compressed_bomb_stops_discovery_at_the_cap(
    reader: Reader, site: SiteServer, encoding: str, traced_peak
) -> None:
    site.routes["/bomb"] = bomb_route(encoding, "text/html")
    await reader.add_feed(site.url("/index.html"))  # what discovery needs is loaded first
    with traced_peak() as peak, pytest.raises(FetchError, match=r"^response larger than 10 MB$"):
        await reader.add_feed(site.url("/bomb"))
    await reader.aclose()
    assert peak.bytes < 2 * DEFAULT_MAX_BYTES, f"{peak.bytes / DEFAULT_MAX_BYTES:.1f} x the cap"
    assert [feed.url for feed in reader.feeds()] == [site.url("/feed.xml")]


def test_reader_add_of_a_bomb_says_so_in_one_line(cli, site: SiteServer) -> None:  # type: ignore[no-untyped-def]
    site.routes["/bomb"] = bomb_route("gzip, gzip", "text/html")
    result = cli("add", site.url("/bomb"))
    assert (result.status, result.err) == (1, "reader: response larger than 10 MB\n")
