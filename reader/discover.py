"""Find a site's feed from a page URL: ``<link rel="alternate">``, then common paths."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from urllib.parse import urljoin, urlsplit

from reader.errors import FetchError, NotAFeedError
from reader.fetch import FetchResult, HttpStatusError, NotModified, fetch

if TYPE_CHECKING:
    import httpx

FEED_TYPES: Final = (
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
COMMON_PATHS: Final = ("/feed", "/rss.xml", "/atom.xml", "/index.xml")
ACCEPT: Final = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class Discovered:
    url: str
    title: str | None = None


def looks_like_feed(content: bytes) -> bool:
    """Is this RSS, RDF, Atom or JSON Feed? A sniff of the start, not a parse."""
    head = content[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{"):
        try:
            data = json.loads(content)
        except ValueError:
            return False
        return isinstance(data, dict) and "jsonfeed.org" in str(data.get("version", ""))
    if not head.startswith(b"<"):
        return False
    if b"<html" in head or b"<!doctype html" in head:
        return False
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf"))


def feed_links(html: bytes, base_url: str) -> list[Discovered]:
    """The feeds a page advertises with ``<link rel="alternate" type=...>``, in page order."""
    import lxml.html

    try:
        document = lxml.html.fromstring(html)
    except (ValueError, TypeError, Exception):  # lxml raises ParserError on empty documents
        return []
    found: list[Discovered] = []
    seen: set[str] = set()
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            continue
        url = urljoin(base_url, href)
        if url in seen or urlsplit(url).scheme not in ("http", "https"):
            continue
        seen.add(url)
        found.append(Discovered(url, (link.get("title") or "").strip() or None))
    return found


async def discover_feed(client: httpx.AsyncClient, url: str) -> Discovered:
    """The feed at ``url``, or the one the page at ``url`` points to."""
    try:
        first = await _get(client, url)
    except HttpStatusError as error:
        raise error.once() from None  # not subscribed: no refresh retries it
    if looks_like_feed(first.content):
        return Discovered(first.url)
    candidates = [d.url for d in feed_links(first.content, first.url)]
    if not candidates:
        root = f"{urlsplit(first.url).scheme}://{urlsplit(first.url).netloc}"
        candidates = [root + path for path in COMMON_PATHS]
    for candidate in candidates:
        try:
            result = await _get(client, candidate)
        except FetchError:
            continue
        if looks_like_feed(result.content):
            return Discovered(result.url)
    raise NotAFeedError(f"no feed found at {url}; give the feed's own URL")


async def _get(client: httpx.AsyncClient, url: str) -> FetchResult:
    result = await fetch(client, url, accept=ACCEPT)
    assert not isinstance(result, NotModified)  # no conditional headers were sent
    return result
