"""Bytes -> a parsed feed: title, site URL, polling hints and entries. Pure, no I/O.

RSS 0.9x/1.0/2.0 and Atom go through feedparser with HTML sanitising and URI resolving
turned off: reader shows text, never the stored HTML, so both only cost time (they triple
the parse: 43 against 14 ms for a 50-item feed, 8 ms with the buffered expat reader below;
``bench/refresh.py --measure-parse``). JSON Feed 1.0 and 1.1 are parsed here with ``json``.

Everything returned is picklable, so :func:`parse_feed` can run in a process pool.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urljoin

from reader.errors import NotAFeedError
from reader.models import EntryData

# sy:updatePeriod values, in seconds
_PERIODS: Final = {
    "hourly": 3600.0,
    "daily": 86400.0,
    "weekly": 7 * 86400.0,
    "monthly": 30 * 86400.0,
    "yearly": 365 * 86400.0,
}
_HTML_STARTS: Final = (b"<!doctype html", b"<html", b"<head", b"<body")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# &#xD800; to &#xDFFF;, and 55296 to 57343 in decimal
_SURROGATE_REFERENCE: Final = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}"
    rb"|0*(?:5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]));"
)


@dataclass(frozen=True)
class ParsedFeed:
    """What a feed says about itself, and its entries in document order."""

    title: str | None = None
    site_url: str | None = None
    entries: list[EntryData] = field(default_factory=list)
    ttl: float | None = None
    """Seconds the feed asks to be left alone (RSS ``ttl`` or ``sy:updatePeriod``)."""
    warning: str | None = None
    """Set when the document was malformed but entries could be recovered."""
    version: str = ""
    """feedparser's name for the format (``rss20``, ``atom10``), or ``json1``."""


def parse_feed(
    content: bytes,
    url: str = "",
    content_type: str = "",
    charset: str | None = None,
) -> ParsedFeed:
    """Parse ``content``; raises :class:`NotAFeedError` with a message fit for the user."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise NotAFeedError("the feed is empty (the server sent no content)")
    if head.startswith((b"{", b"[")) or content_type in (
        "application/feed+json",
        "application/json",
    ):
        return parse_json_feed(content)
    if head.startswith(_HTML_STARTS):
        raise NotAFeedError(
            "got an HTML page, not a feed; subscribe to the feed's URL (`reader add` finds it)"
        )
    return _parse_xml(content, url, content_type, charset)


def _parse_xml(content: bytes, url: str, content_type: str, charset: str | None) -> ParsedFeed:
    # a character reference to a lone surrogate ("&#xd800;") crashes feedparser's loose
    # parser, and could not be stored: it becomes U+FFFD, as in a browser
    content = _SURROGATE_REFERENCE.sub(b"&#xfffd;", content)
    return _parse_plain_rss(content, url, charset) or _parse_with_feedparser(
        content, url, content_type, charset
    )


def _parse_with_feedparser(
    content: bytes, url: str, content_type: str, charset: str | None
) -> ParsedFeed:
    import feedparser
    import feedparser.api

    if __name__ not in feedparser.api.PREFERRED_XML_PARSERS:
        # xml.sax.make_parser tries these modules first: ours is create_parser below
        feedparser.api.PREFERRED_XML_PARSERS.insert(0, __name__)

    headers = {}
    if content_type:
        headers["content-type"] = content_type + (f"; charset={charset}" if charset else "")
    # A stream, never bytes or str: feedparser treats a string as a URL or a file name.
    # No content-location either: feedparser would resolve guids against it, and a guid
    # must not change when the feed moves.
    parsed = feedparser.parse(
        io.BytesIO(content),
        sanitize_html=False,
        resolve_relative_uris=False,
        response_headers=headers,
    )
    entries = [entry for raw in parsed.entries if (entry := _xml_entry(raw, url)) is not None]
    warning = None
    # a feed served as text/plain (or with no type) parses fine: not worth a warning
    if parsed.get("bozo") and not isinstance(
        parsed.get("bozo_exception"), feedparser.NonXMLContentType
    ):
        problem = _bozo_message(parsed.get("bozo_exception"))
        if not entries and not parsed.get("version"):
            if b"<html" in content[:4096].lower():
                raise NotAFeedError("got an HTML page, not a feed")
            raise NotAFeedError(f"not a valid feed: {problem}")
        if problem.startswith("wrong or missing charset"):
            warning = problem
        else:
            warning = f"malformed feed, kept what could be read: {problem}"
    elif not parsed.get("version") and not entries:
        raise NotAFeedError("not a feed (no RSS, Atom or JSON Feed found)")
    feed = parsed.get("feed", {})
    return ParsedFeed(
        title=_text(feed.get("title")),
        site_url=_text(feed.get("link")),
        entries=entries,
        ttl=_ttl_hint(feed),
        warning=warning,
        version=str(parsed.get("version") or ""),
    )


# --- the plain RSS 2.0 path: lxml, where feedparser would give the same ------------------

_CONTENT_NS: Final = "{http://purl.org/rss/1.0/modules/content/}"
_DC_NS: Final = "{http://purl.org/dc/elements/1.1/}"
_SY_NS: Final = "{http://purl.org/rss/1.0/modules/syndication/}"
_ATOM_LINK: Final = "{http://www.w3.org/2005/Atom}link"
_ITEM_FIELDS: Final = {
    "title": "title",
    "link": "link",
    "guid": "guid",
    "pubDate": "published",
    "description": "summary",
    "author": "author",
    _DC_NS + "creator": "author",
    _CONTENT_NS + "encoded": "content",
}
"""Item elements the plain path reads, and the field each gives."""
_ITEM_IGNORED: Final = frozenset((
    "category", "comments", "enclosure",
    "{http://wellformedweb.org/CommentAPI/}commentRss",
    "{http://purl.org/rss/1.0/modules/slash/}comments",
))  # fmt: skip
"""Item elements feedparser reads into nothing reader keeps."""
_CHANNEL_FIELDS: Final = {
    "title": "title",
    "link": "link",
    "ttl": "ttl",
    _SY_NS + "updatePeriod": "sy_updateperiod",
    _SY_NS + "updateFrequency": "sy_updatefrequency",
}
_UNSURE_TEXT: Final = re.compile("[<\x80-\x9f]")
"""Text feedparser reworks (markup it guesses at, cp1252 it remaps): feedparser reads it."""
_UNSURE_HTML: Final = re.compile("[\x80-\x9f]")
"""The same in HTML fields, where markup is expected."""
_CHARSET_NAMES: Final = {"utf8": "utf-8", "utf_8": "utf-8"}


class _NotPlain(Exception):
    """The document is not of the plain shape: feedparser must read it."""


def _parse_plain_rss(content: bytes, url: str, charset: str | None) -> ParsedFeed | None:
    """A well-formed RSS 2.0 document of the common shape (the elements of ``_ITEM_FIELDS``
    and ``_ITEM_IGNORED`` in its items, no DTD, no xml:base, one charset), read with lxml:
    feedparser's result, about five times faster. None for anything else: feedparser reads
    it (``tests/test_parse.py`` holds the two to the same answers)."""
    from lxml import etree

    head = content[:512]
    if b"<!DOCTYPE" in head or b"<!doctype" in head or b"xml:base" in content:
        return None
    declared = re.match(rb"\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)", content)
    encoding = declared.group(1).decode().lower() if declared else "utf-8"
    encoding = _CHARSET_NAMES.get(encoding, encoding)
    if content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or (
        charset is not None and _CHARSET_NAMES.get(charset, charset) != encoding
    ):
        return None  # a BOM or a header that disagrees: feedparser's charset rules decide
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.tag != "rss" or root.get("version") != "2.0" or len(root) != 1:
        return None
    channel = root[0]
    if channel.tag != "channel":
        return None
    try:
        feed: dict[str, str | None] = {}
        entries: list[EntryData] = []
        for child in channel:
            tag = child.tag
            if tag == "item":
                entry = _plain_item(child, url)
                if entry is not None:
                    entries.append(entry)
            elif isinstance(tag, str) and tag in _CHANNEL_FIELDS:
                _put(feed, _CHANNEL_FIELDS[tag], child)
            elif tag == _ATOM_LINK and child.get("rel") == "self":
                continue  # the feed's own address: feedparser keeps it apart too
            elif not isinstance(tag, str) or tag.rpartition("}")[2] in ("title", "link", "item"):
                raise _NotPlain  # a processing instruction, media:title, an item elsewhere
    except _NotPlain:
        return None
    return ParsedFeed(
        title=_text(feed.get("title")),
        site_url=_text(feed.get("link")),
        entries=entries,
        ttl=_ttl_hint(feed),
        version="rss20",
    )


def _put(fields: dict[str, str | None], name: str, element: Any) -> None:
    """The element's text under ``name``; an element with children, attributes (but a
    guid's isPermaLink) or a second one of its kind is not plain."""
    if name in fields or len(element) or (element.attrib and name != "guid"):
        raise _NotPlain
    text = element.text
    unsure = _UNSURE_HTML if name in ("summary", "content") else _UNSURE_TEXT
    if text is not None and unsure.search(text):
        raise _NotPlain
    fields[name] = text


def _plain_item(item: Any, base: str) -> EntryData | None:
    fields: dict[str, str | None] = {}
    permalink = True
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            raise _NotPlain
        name = _ITEM_FIELDS.get(tag)
        if name is None:
            if tag in _ITEM_IGNORED:
                continue
            raise _NotPlain
        if name == "guid":
            permalink = child.attrib == {} or dict(child.attrib) == {"isPermaLink": "true"}
            if child.attrib and not permalink and dict(child.attrib) != {"isPermaLink": "false"}:
                raise _NotPlain
        _put(fields, name, child)
    author = _text(fields.get("author"))
    if author and ("@" in author or "(" in author):
        raise _NotPlain  # feedparser splits "name (email)": its rules, not ours
    title = _text(fields.get("title"))
    guid = _text(fields.get("guid"))
    link = _text(fields.get("link"))
    if link is None and permalink and "guid" in fields:
        link = guid  # a permalink guid is the link of an item without one
    if link and base and "://" not in link:
        link = urljoin(base, link)
    content = _text(fields.get("content"))
    # feedparser's summary falls back to the content
    summary = _text(fields.get("summary")) or content
    published = _rfc822(fields.get("published"))
    if not guid:
        guid = link
    if not guid:
        if not (title or summary or content):
            return None
        guid = synthetic_id(title, published, summary or content)
    return EntryData(
        guid=guid,
        url=link,
        title=title,
        author=author,
        published=published,
        summary=summary,
        content=content if content != summary else None,
    )


def _rfc822(value: str | None) -> float | None:
    """An RSS date as a timestamp: the standard library's reading of RFC 822, else
    feedparser's (the many ways feeds write dates)."""
    text = _text(value)
    if text is None:
        return None
    import email.utils

    parsed = email.utils.parsedate_tz(text)
    if parsed is not None and parsed[9] is not None and 1900 < parsed[0] < 10000:
        try:
            return float(email.utils.mktime_tz(parsed))
        except (OverflowError, ValueError):
            pass
    from feedparser.datetimes import _parse_date

    return _struct_time(_parse_date(text))


def create_parser(*args: Any, **kwargs: Any) -> Any:
    """The SAX parser feedparser gets (``xml.sax.make_parser`` calls this): Python's expat
    reader with ``buffer_text`` on, so each run of text arrives in one ``characters``
    call instead of one per entity. Escaped HTML is all entities; this makes feedparser
    about 40% faster with the same result (SAX allows either way of splitting text)."""
    return _buffered_expat_parser()(*args, **kwargs)


@functools.cache
def _buffered_expat_parser() -> type[Any]:
    from xml.sax.expatreader import ExpatParser

    class BufferedExpatParser(ExpatParser):  # type: ignore[misc]
        def reset(self) -> None:
            super().reset()
            expat = self._parser  # type: ignore[attr-defined]
            expat.buffer_text = True
            expat.buffer_size = 1 << 16

    return BufferedExpatParser


def _bozo_message(exception: object) -> str:
    if exception is None:
        return "unknown problem"
    text = " ".join(str(exception).split())
    # expat's "<unknown>:2:0: not well-formed": its place is counted in feedparser's copy
    text = re.sub(r"^<unknown>:\d+:\d+: ", "", text)
    name = type(exception).__name__
    if "CharacterEncoding" in name:
        return f"wrong or missing charset ({text})"
    return text or name


def _xml_entry(raw: Any, base: str) -> EntryData | None:
    title = _text(raw.get("title"))
    link = _text(raw.get("link"))
    if link and base and "://" not in link:
        link = urljoin(base, link)
    summary = _text(raw.get("summary"))
    content = None
    contents = raw.get("content") or []
    if contents:
        chosen = next((c for c in contents if "html" in (c.get("type") or "")), contents[0])
        content = _text(chosen.get("value"))
    published = _struct_time(raw.get("published_parsed"))
    # dict.get: feedparser's own get maps a missing updated_parsed to published_parsed
    updated = _struct_time(dict.get(raw, "updated_parsed"))
    if published is None and updated is None:
        published = _struct_time(raw.get("created_parsed"))
    guid = _text(raw.get("id")) or link
    if not guid:
        if not (title or summary or content):
            return None  # an empty shell left by a broken document
        guid = synthetic_id(title, published or updated, summary or content)
    return EntryData(
        guid=guid,
        url=link,
        title=title,
        author=_text(raw.get("author")),
        published=published,
        updated=updated,
        summary=summary,
        content=content if content != summary else None,
    )


def synthetic_id(title: str | None, date: float | None, text: str | None = None) -> str:
    """An id for an entry with neither guid nor link: stable while it does not change."""
    basis = f"{title or ''}\x00{date if date is not None else ''}"
    if not title and date is None:
        basis += f"\x00{text or ''}"
    return "sha1:" + hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()


def _ttl_hint(feed: Any) -> float | None:
    hints: list[float] = []
    ttl = _number(feed.get("ttl"))
    if ttl is not None and ttl > 0:
        hints.append(ttl * 60.0)
    period = _text(feed.get("sy_updateperiod"))
    if period and period.lower() in _PERIODS:
        frequency = _number(feed.get("sy_updatefrequency")) or 1.0
        if frequency > 0:
            hints.append(_PERIODS[period.lower()] / frequency)
    return max(hints) if hints else None


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _struct_time(value: Any) -> float | None:
    if not value:
        return None
    try:
        return float(calendar.timegm(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- JSON Feed ---------------------------------------------------------------------------


def parse_json_feed(content: bytes) -> ParsedFeed:
    """JSON Feed 1.0 or 1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        data = json.loads(content)
    except (ValueError, UnicodeDecodeError) as error:
        raise NotAFeedError(f"not a valid JSON Feed: {error}") from None
    if not isinstance(data, dict) or "jsonfeed.org/version/" not in str(data.get("version", "")):
        raise NotAFeedError("JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise NotAFeedError("not a valid JSON Feed: it has no list of items")
    feed_author = _json_author(data)
    entries = [entry for item in items if (entry := _json_entry(item, feed_author)) is not None]
    version = "json11" if str(data["version"]).rstrip("/").endswith("1.1") else "json10"
    return ParsedFeed(
        title=_json_str(data.get("title")),
        site_url=_json_str(data.get("home_page_url")),
        entries=entries,
        version=version,
    )


def _json_entry(item: Any, feed_author: str | None) -> EntryData | None:
    if not isinstance(item, dict):
        return None
    title = _json_str(item.get("title"))
    url = _json_str(item.get("url")) or _json_str(item.get("external_url"))
    summary = _json_str(item.get("summary"))
    content = _json_str(item.get("content_html")) or _json_str(item.get("content_text"))
    published = _rfc3339(item.get("date_published"))
    updated = _rfc3339(item.get("date_modified"))
    raw_id = item.get("id")
    guid = None
    # 1.0 feeds in the wild use numbers as ids; the spec says strings
    if isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
        guid = _json_str(str(raw_id))
    guid = guid or url
    if not guid:
        if not (title or summary or content):
            return None
        guid = synthetic_id(title, published or updated, summary or content)
    return EntryData(
        guid=guid,
        url=url,
        title=title,
        author=_json_author(item) or feed_author,
        published=published,
        updated=updated,
        summary=summary,
        content=content if content != summary else None,
    )


def _json_author(obj: dict[str, Any]) -> str | None:
    authors = obj.get("authors")  # 1.1
    if isinstance(authors, list):
        names = [a.get("name") for a in authors if isinstance(a, dict)]
        joined = ", ".join(n.strip() for n in names if isinstance(n, str) and n.strip())
        if joined:
            return joined
    author = obj.get("author")  # 1.0
    if isinstance(author, dict):
        return _json_str(author.get("name"))
    return None


def _json_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    # JSON may escape a lone surrogate ("\ud800"): no UTF-8 can hold it, so no store can
    return _SURROGATE.sub("\ufffd", value).strip() or None


def _rfc3339(value: Any) -> float | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return None
