"""Subscription lists in and out: OPML 1.0/2.0 and newsboat ``urls`` files. Pure."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Final
from xml.sax.saxutils import quoteattr

from reader.errors import ImportFileError, InvalidURLError
from reader.models import Feed
from reader.urls import check_web_url

MAX_LINE: Final = 10_000  # characters: a URL, its tags and a title fit many times over
_BINARY: Final = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")  # controls no text file holds
BINARY_FILE: Final = "the file is binary, not OPML or a newsboat urls file"


READER_NS: Final = "urn:reader-tui:opml"
"""The namespace of the ``reader:`` outline attributes (other readers ignore them)."""
_SETTINGS: Final = (("full_text", "fullText"), ("refresh_minutes", "refreshMinutes"),
                    ("user_agent", "userAgent"))  # fmt: skip
"""Feed settings carried as ``reader:`` attributes: (field, attribute)."""


@dataclass(frozen=True)
class Subscription:
    url: str
    title: str | None = None
    folder: str | None = None
    full_text: str | None = None
    refresh_minutes: int | None = None
    user_agent: str | None = None

    @property
    def settings(self) -> dict[str, str | int]:
        """The ``reader:`` settings it carries (none for other readers' files)."""
        found = {name: getattr(self, name) for name, _ in _SETTINGS}
        return {name: value for name, value in found.items() if value is not None}


@dataclass
class ParsedList:
    subscriptions: list[Subscription] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)  # "line N: what is wrong"
    duplicates: int = 0  # the same URL twice in the file


def parse_subscriptions(data: bytes) -> ParsedList:
    """Read an OPML or newsboat urls file, detected from its content. Raises
    :class:`ImportFileError` when the file holds no feed, nor even a bad line."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if head.startswith(b"<"):
        if b"\x00" in data[:8192]:
            raise ImportFileError(BINARY_FILE)
        parsed = parse_opml(data)
    else:
        parsed = parse_newsboat_urls(data)
    if not (parsed.subscriptions or parsed.invalid or parsed.duplicates):
        raise ImportFileError("the file holds no feeds")
    return parsed


def parse_opml(data: bytes) -> ParsedList:
    """Outlines with ``xmlUrl`` are feeds; outlines around them are folders (joined by /)."""
    from lxml import etree

    # recover=True salvages what it can of broken files; no entities, no network (XXE)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        root = None
    result = ParsedList()
    if root is None:
        raise ImportFileError("the file is not valid OPML (not XML); check it is an OPML export")
    for error in parser.error_log:
        if error.level_name in ("ERROR", "FATAL"):
            result.invalid.append(f"line {error.line}: broken XML: {error.message}")
    body = root.find("body") if root.tag.lower() == "opml" else None
    if body is None:
        body = root
    seen: set[str] = set()

    def walk(element: etree._Element, folders: tuple[str, ...]) -> None:
        for outline in element:
            if not isinstance(outline.tag, str) or outline.tag.lower() != "outline":
                continue
            attrs = {k.lower(): v for k, v in outline.attrib.items()}
            text = (attrs.get("title") or attrs.get("text") or "").strip() or None
            xml_url = attrs.get("xmlurl")
            line = outline.sourceline
            if xml_url is None:
                if len(outline):
                    walk(outline, (*folders, text) if text else folders)
                elif attrs.get("type", "").lower() in ("rss", "atom"):
                    result.invalid.append(f"line {line}: outline without xmlUrl")
                continue
            try:
                url = check_web_url(xml_url)
            except InvalidURLError as error:
                result.invalid.append(f"line {line}: {error}")
                continue
            if text in (xml_url, url):  # exporters write the URL when there is no title
                text = None
            if url in seen:
                result.duplicates += 1
                continue
            seen.add(url)
            folder = "/".join(folders) or None
            settings = _read_settings(attrs, line, result.invalid)
            result.subscriptions.append(Subscription(url, text, folder, **settings))
            if len(outline):  # some exporters nest feeds under a feed; keep them too
                walk(outline, folders)

    walk(body, ())
    return result


def _read_settings(attrs: dict[str, str], line: int | None, invalid: list[str]) -> dict[str, Any]:
    """The ``reader:`` attributes of an outline; a bad one is reported and left out."""
    settings: dict[str, Any] = {}
    full_text = attrs.get(f"{{{READER_NS}}}fulltext")
    if full_text is not None:
        if full_text.strip() in ("auto", "always", "never"):
            settings["full_text"] = full_text.strip()
        else:
            invalid.append(f"line {line}: reader:fullText must be auto, always or never")
    minutes = attrs.get(f"{{{READER_NS}}}refreshminutes")
    if minutes is not None:
        if minutes.strip().isdigit() and int(minutes) <= 100_000:
            settings["refresh_minutes"] = int(minutes)
        else:
            invalid.append(f"line {line}: reader:refreshMinutes must be a whole number")
    agent = attrs.get(f"{{{READER_NS}}}useragent")
    if agent is not None and agent.strip():
        settings["user_agent"] = " ".join(agent.split())
    return settings


def parse_newsboat_urls(data: bytes | str) -> ParsedList:
    """newsboat's ``urls``: ``URL [tag ...] ["~Title"]``; the first tag is the folder.

    Judged line by line: a line of binary junk, or one too long to be a feed, is reported
    with its number and the others are read. A file with no good line and binary ones is
    not a urls file at all (:class:`ImportFileError`)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    result = ParsedList()
    seen: set[str] = set()
    binary_lines = 0
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").split(b"\n"), start=1):
        if _BINARY.search(raw):
            binary_lines += 1
            result.invalid.append(f"line {number}: binary data, not a feed URL")
            continue
        line = _decode_line(raw).strip()
        if not line or line.startswith("#"):
            continue
        if len(line) > MAX_LINE:
            result.invalid.append(
                f"line {number}: {len(line):,} characters, too long for a feed URL"
            )
            continue
        try:
            words = shlex.split(line, comments=False)
        except ValueError:
            words = line.split()
        if not words:
            continue
        url_text, tags = words[0], words[1:]
        if url_text.startswith(("query:", "exec:", "filter:")):
            kind = url_text.split(":", 1)[0]
            result.invalid.append(f"line {number}: newsboat {kind}: feeds are not supported")
            continue
        try:
            url = check_web_url(url_text)
        except InvalidURLError as error:
            result.invalid.append(f"line {number}: {error}")
            continue
        title = next((t[1:] for t in tags if t.startswith("~")), None)
        folder = next((t for t in tags if not t.startswith(("~", "!"))), None)
        if url in seen:
            result.duplicates += 1
            continue
        seen.add(url)
        result.subscriptions.append(Subscription(url, title or None, folder))
    if binary_lines and not result.subscriptions and not result.duplicates:
        raise ImportFileError(BINARY_FILE)
    return result


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # an old file in a legacy encoding


def export_opml(feeds: list[Feed], title: str = "reader subscriptions") -> str:
    """OPML 2.0; folders ("a/b") become nested outlines, so an import gives them back."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<opml version="2.0" xmlns:reader="{READER_NS}">',
        f"  <head><title>{_escape(title)}</title></head>",
        "  <body>",
    ]
    tree: dict[str, object] = {}
    for feed in feeds:
        node = tree
        for part in (feed.folder or "").split("/"):
            if part:
                child = node.setdefault("\x00" + part, {})
                assert isinstance(child, dict)
                node = child
        entries = node.setdefault("", [])
        assert isinstance(entries, list)
        entries.append(feed)

    def emit(node: dict[str, object], depth: int) -> None:
        pad = "  " * depth
        for key, value in node.items():
            if key == "":
                assert isinstance(value, list)
                for feed in value:
                    attrs = f'type="rss" text={quoteattr(_clean(feed.display_title))}'
                    if feed.title:
                        attrs += f" title={quoteattr(_clean(feed.title))}"
                    attrs += f" xmlUrl={quoteattr(feed.url)}"
                    if feed.site_url:
                        attrs += f" htmlUrl={quoteattr(feed.site_url)}"
                    attrs += _settings_attributes(feed)
                    lines.append(f"{pad}<outline {attrs}/>")
        for key, value in node.items():
            if key:
                assert isinstance(value, dict)
                name = quoteattr(_clean(key[1:]))
                lines.append(f"{pad}<outline text={name} title={name}>")
                emit(value, depth + 1)
                lines.append(f"{pad}</outline>")

    emit(tree, 2)
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _settings_attributes(feed: Feed) -> str:
    """The feed's settings that are not the defaults, as ``reader:`` attributes."""
    values = {
        "fullText": feed.full_text if feed.full_text != "auto" else None,
        "refreshMinutes": str(feed.refresh_minutes) if feed.refresh_minutes else None,
        "userAgent": feed.user_agent,
    }
    return "".join(
        f" reader:{name}={quoteattr(_clean(value))}" for name, value in values.items() if value
    )


def _clean(text: str) -> str:
    # XML 1.0 cannot carry most control characters, even escaped
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def _escape(text: str) -> str:
    return quoteattr(_clean(text))[1:-1]
