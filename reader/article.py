"""Get an article: the cache, else fetch + decode + extract, else the feed's own content.

Extraction is CPU work (readability on a 1 MB page takes ~300 ms), so it runs in a
worker thread, never on the event loop that draws the UI.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from reader.clock import SYSTEM_CLOCK, Clock
from reader.errors import FetchError, NotAnArticleError, StorageError
from reader.fetch import DEFAULT_MAX_BYTES, HttpStatusError, NotModified, fetch
from reader.models import Article, Entry, SavedArticle, utc_iso
from reader.urls import check_web_url

if TYPE_CHECKING:
    import httpx

    from reader.storage import Storage

HTML_TYPES: Final = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
ACCEPT_HTML: Final = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
FULL_TEXT_OFF: Final = "full text is off for this feed"
"""The note on an article of a feed set to ``full_text = "never"``."""
FEED_IS_WHOLE: Final = "the feed carries the whole article"
"""The note on an article of a feed that ``auto`` found whole."""
_KINDS: Final = {
    "application/pdf": "a PDF document",
    "application/zip": "a ZIP archive",
    "application/gzip": "a gzip archive",
    "application/octet-stream": "a binary file",
    "application/json": "JSON data",
    "text/plain": "plain text",
    "text/csv": "a CSV table",
}


def describe_content_type(content_type: str) -> str:
    """'a PDF document', 'an image (image/png)' ...: what a non-HTML response is."""
    if content_type in _KINDS:
        return _KINDS[content_type]
    major = content_type.split("/", 1)[0]
    if major in ("image", "audio", "video"):
        article = "an" if major[0] in "aeiou" else "a"
        return f"{article} {major} ({content_type})"
    return f"a {content_type or 'file of unknown type'}"


def looks_like_html(content: bytes) -> bool:
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<?xml"))


_MAGIC: Final = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\x89PNG\r\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)
_UNICODE_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32 pages hold NUL bytes


def binary_kind(content: bytes) -> str | None:
    """What ``content`` is when it is surely not a page ("a PDF document", "a binary
    file"): a known file signature, or NUL bytes in a file without a UTF-16/32 mark."""
    for magic, content_type in _MAGIC:
        if content.startswith(magic):
            return describe_content_type(content_type)
    head = content[:8192]
    if (
        b"\x00" in head
        and not head.startswith(_UNICODE_BOMS)
        and not head.startswith(b"\x00\x00\xfe\xff")
    ):
        return describe_content_type("application/octet-stream")
    return None


def article_from_entry(entry: Entry, note: str | None = None, now: float = 0.0) -> Article:
    """The feed's own content for ``entry`` as an Article (``source="feed"``); ``now``
    stamps ``fetched_at``."""
    from reader.extract import article_from_feed_content

    body = entry.content or entry.summary or ""
    article = article_from_feed_content(body, entry.url or "", entry.title or "")
    return replace(
        article,
        title=article.title or entry.title or "",
        byline=article.byline or entry.author,
        site_name=article.site_name or entry.feed_title,
        published=article.published or _iso(entry.published or entry.updated),
        source="feed",
        note=note,
        fetched_at=now,
    )


def article_from_saved(saved: SavedArticle) -> Article:
    """A reading-list article as saved: its article, else its text as paragraphs."""
    if saved.article is not None:
        return saved.article
    from reader.extract import reading_minutes, text_blocks

    blocks = text_blocks(saved.text)
    return Article(
        url=saved.url,
        title=saved.title,
        site_name=saved.site,
        reading_minutes=reading_minutes(blocks),
        blocks=tuple(blocks),
        source="page",
    )


def _iso(timestamp: float | None) -> str | None:
    return None if timestamp is None else utc_iso(timestamp)


def extract_page(
    content: bytes, url: str, header_charset: str | None = None, now: float = 0.0
) -> Article:
    """Decode and extract a page (pure; CPU-bound: call it off the event loop); ``now``
    stamps ``fetched_at``."""
    from reader.extract import decode_html, extract_article

    html = decode_html(content, header_charset)
    return replace(extract_article(html, url), source="page", fetched_at=now)


async def fetch_article(
    client: httpx.AsyncClient,
    storage: Storage,
    url: str,
    entry: Entry | None = None,
    *,
    use_cache: bool = True,
    revalidate: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = 30.0,
    clock: Clock = SYSTEM_CLOCK,
    user_agent: str | None = None,
) -> Article:
    """The article at ``url``: cached, else fetched and extracted (and cached), else, when
    the page can't be had and ``entry`` is given, the entry's own content with a note.

    ``use_cache`` False fetches past the cache (the new copy replaces the old).
    ``revalidate`` checks the cached copy with a conditional GET when the server gave
    validators (it is kept, marked as checked, when the page has not changed), else
    fetches the page again; a failure then raises (the caller still has its copy)."""
    url = check_web_url(url)
    cached = storage.cached_article(url) if use_cache or revalidate else None
    if cached is not None and not revalidate:
        return cached
    etag, last_modified = storage.article_validators(cached.url) if cached else (None, None)
    try:
        result = await fetch(
            client, url, etag=etag, last_modified=last_modified, accept=ACCEPT_HTML,
            max_bytes=max_bytes, total_timeout=timeout, user_agent=user_agent,
        )  # fmt: skip
    except FetchError as error:
        if isinstance(error, HttpStatusError):
            error = error.once()  # a page: nothing retries it, and no feed is gone
        if cached is None and entry is not None and (entry.content or entry.summary):
            return article_from_entry(entry, f"the page could not be fetched ({error})", clock())
        raise FetchError(f"could not fetch {url}: {error}") from None
    if isinstance(result, NotModified):
        assert cached is not None  # validators are sent only for a cached copy
        try:
            storage.touch_article(cached.url, clock())
        except StorageError:
            pass
        return replace(cached, fetched_at=clock())
    article = await asyncio.to_thread(
        page_article, result.content, result.url, result.content_type, result.charset, entry,
        clock(),
    )  # fmt: skip
    if article.source == "page":
        try:
            storage.cache_article(article, url, result.etag, result.last_modified)
        except StorageError:
            pass  # a store locked by another program must not cost the reader the article
    return article


def page_article(
    content: bytes,
    url: str,
    content_type: str,
    charset: str | None,
    entry: Entry | None,
    now: float,
) -> Article:
    """What a fetched response at ``url`` (its final URL) gives: the page, extracted, else
    (not a web page, nothing to extract, too thin) the entry's own content with a note
    saying why; :class:`NotAnArticleError` when there is no entry content to fall back on.
    Pure, and CPU work (extraction): call it off the event loop."""
    from reader.extract import is_too_thin

    has_content = entry is not None and bool(entry.content or entry.summary)
    is_html = content_type in HTML_TYPES or (
        content_type in ("", "text/plain", "application/octet-stream") and looks_like_html(content)
    )
    if not is_html:
        kind = describe_content_type(content_type)
        message = f"the link is {kind}, not a web page; open it in a browser instead"
        if entry is not None and has_content:
            return article_from_entry(entry, message, now)
        raise NotAnArticleError(message, content_type)
    try:
        article = extract_page(content, url, charset, now)
    except NotAnArticleError as error:
        if entry is not None and has_content:
            return article_from_entry(entry, str(error), now)
        raise
    if entry is not None and has_content and is_too_thin(article):
        fallback = article_from_entry(
            entry, "the page had too little text (a paywall, or built by JavaScript?)", now
        )
        if len(_words(fallback)) > len(_words(article)):
            return replace(fallback, related=article.related or fallback.related)
    return article


def _words(article: Article) -> list[str]:
    return " ".join(block.text for block in article.blocks).split()
