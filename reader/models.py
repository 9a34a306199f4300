"""The data reader passes around: small frozen dataclasses, no behaviour beyond conversion.

Times are Unix timestamps (float seconds, UTC) everywhere in the core; the UI formats them.
Each model's ``to_dict()`` is its stable JSON shape, the one the CLI's ``--json`` prints.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final, Literal

FullTextMode = Literal["auto", "always", "never"]
FULL_TEXT_MODES: tuple[FullTextMode, ...] = ("auto", "always", "never")


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str | None = None
    site_url: str | None = None
    folder: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_checked: float | None = None
    last_updated: float | None = None
    last_error: str | None = None
    last_error_at: float | None = None
    error_count: int = 0
    added_at: float = 0.0
    next_check: float | None = None
    unread_count: int = 0
    entry_count: int = 0
    remote_id: str | None = None  # the sync server's id: the server polls it
    local_only: bool = False  # never sent to the sync server
    full_text: FullTextMode = "auto"
    """Fetch each entry's page ("always"), show the feed's content ("never"), or decide
    from a few entries ("auto")."""
    full_text_found: Literal["page", "feed"] | None = None
    """What "auto" found: the feed carries whole articles ("feed") or not ("page")."""
    refresh_minutes: int | None = None
    """Minutes between this feed's refreshes; None: the config's ``refresh_minutes``."""
    user_agent: str | None = None
    """The User-Agent sent for this feed and its pages; None: reader's own."""

    @property
    def wants_pages(self) -> bool:
        """Are this feed's pages fetched (prefetch, opening), or is its content enough?"""
        if self.full_text == "auto":
            return self.full_text_found != "feed"
        return self.full_text == "always"

    @property
    def synced(self) -> bool:
        return self.remote_id is not None

    @property
    def display_title(self) -> str:
        return self.title or self.url

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reader feeds --json``."""
        return {
            "title": self.title,
            "url": self.url,
            "folder": self.folder,
            "unread": self.unread_count,
            "entries": self.entry_count,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at,
            "last_checked": self.last_checked,
            "synced": self.synced,
            "local_only": self.local_only,
            "full_text": self.full_text,
            "full_text_found": self.full_text_found,
            "refresh_minutes": self.refresh_minutes,
            "user_agent": self.user_agent,
        }


@dataclass(frozen=True)
class Entry:
    id: int
    feed_id: int
    guid: str
    url: str | None
    title: str | None
    author: str | None = None
    published: float | None = None
    updated: float | None = None
    summary: str | None = None
    content: str | None = None
    read: bool = False
    first_seen: float = 0.0
    feed_title: str | None = None
    saved: bool = False
    also_in: tuple[str, ...] = ()
    stored: bool = False
    """Its article is kept (prefetched or opened), or its feed's content is the article:
    it opens without the network."""
    """The other feeds that have this entry (the same URL or guid): it is listed once."""

    @property
    def date(self) -> float:
        """The date to sort and show by: published, else updated, else first seen."""
        return self.published or self.updated or self.first_seen

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reader entries --json`` (no summary or content)."""
        return {
            "id": self.id,
            "feed_id": self.feed_id,
            "feed": self.feed_title,
            "title": self.title,
            "url": self.url,
            "author": self.author,
            "published": self.published,
            "updated": self.updated,
            "date": self.date,
            "read": self.read,
            "saved": self.saved,
            "stored": self.stored,
            "also_in": list(self.also_in),
        }


@dataclass(frozen=True)
class Link:
    """A link: its text (or the related article's title) and its absolute URL."""

    text: str
    url: str

    def to_dict(self, text_key: str = "text") -> dict[str, str]:
        """``{"text": ..., "url": ...}``; related articles name their text "title"."""
        return {text_key: self.text, "url": self.url}


# --- the article document model -------------------------------------------------------
# One flat list of blocks; nesting is carried by ``level`` (list depth) and ``quote``
# (block-quote depth) so both renderers and a line-based TUI view can walk it in order.

BlockKind = Literal[
    "heading", "paragraph", "list_item", "code", "caption", "table_row", "rule", "embed"
]
SpanStyle = Literal["", "em", "strong", "code"]


@dataclass(frozen=True)
class Span:
    """A run of inline text. ``href`` is set (absolute) when the run is a link."""

    text: str
    href: str | None = None
    style: SpanStyle = ""


TABLE_CELL: Final = " | "
"""Between the cells of a table row: a span of its own, so the row reads as text too."""


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    spans: tuple[Span, ...] = ()
    # heading level 1-6; list nesting depth (1 = top) for list items; 1 for a table's
    # header row (its cells all <th>, or in <thead>)
    level: int = 0
    quote: int = 0  # block-quote depth
    number: int | None = None  # position in an ordered list; None for bullets

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)

    def cells(self) -> tuple[tuple[Span, ...], ...]:
        """A table row's cells, each its spans (an empty cell is empty). A row stored
        before cells were spans of their own is split at its " | " text."""
        whole = any(span.text == TABLE_CELL for span in self.spans)
        cells: list[list[Span]] = [[]]
        for span in self.spans:
            if span.text == TABLE_CELL:
                cells.append([])
                continue
            parts = [span.text] if whole else span.text.split(TABLE_CELL)
            for index, part in enumerate(parts):
                if index:
                    cells.append([])
                if part:
                    cells[-1].append(replace(span, text=part))
        return tuple(tuple(cell) for cell in cells)


ArticleSource = Literal["page", "feed"]


@dataclass(frozen=True)
class Article:
    url: str
    title: str = ""
    byline: str | None = None
    published: str | None = None  # ISO 8601 as the page gives it, normalised when possible
    site_name: str | None = None
    language: str | None = None
    lead_image: str | None = None
    reading_minutes: int = 0
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = ()  # the body's own links, in order
    related: tuple[Link, ...] = ()  # the publisher's related articles, in order
    source: ArticleSource = "page"
    fetched_at: float = 0.0
    note: str | None = None  # why the feed's content is shown instead of the page, say

    def to_json(self) -> str:
        """Every field, compact: the article cache's format (read back by ``from_json``)."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reader read --format json``: metadata, text, Markdown, links."""
        from reader.render import to_markdown, to_text

        return {
            "url": self.url,
            "title": self.title,
            "byline": self.byline,
            "published": self.published,
            "site_name": self.site_name,
            "language": self.language,
            "reading_minutes": self.reading_minutes,
            "source": self.source,
            "text": to_text(self),
            "markdown": to_markdown(self),
            "links": [link.to_dict() for link in self.links],
            "related": [link.to_dict("title") for link in self.related],
        }

    @classmethod
    def from_json(cls, raw: str) -> Article:
        data: dict[str, Any] = json.loads(raw)
        data["blocks"] = tuple(
            Block(
                kind=b["kind"],
                spans=tuple(Span(**s) for s in b.get("spans", ())),
                level=b.get("level", 0),
                quote=b.get("quote", 0),
                number=b.get("number"),
            )
            for b in data.get("blocks", ())
        )
        data["links"] = tuple(Link(**link) for link in data.get("links", ()))
        data["related"] = tuple(Link(**link) for link in data.get("related", ()))
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class SavedArticle:
    """An article on the reading list: kept for good, independent of any feed."""

    id: int
    url: str
    title: str
    site: str | None
    saved_at: float
    text: str
    reached_from: str | None = None
    article: Article | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reader saved --format json``: ``saved_at`` in local time."""
        return {
            "title": self.title,
            "url": self.url,
            "site": self.site,
            "saved_at": local_iso(self.saved_at),
            "reached_from": self.reached_from,
            "text": self.text,
        }


@dataclass(frozen=True)
class SearchHit:
    """One search result: a feed entry (found in its text or its kept article), or a cached
    article no entry links to (one reached by a link)."""

    kind: Literal["entry", "article"]
    url: str | None
    title: str
    date: float
    rank: float
    entry_id: int | None = None
    feed_title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``reader search --json``."""
        return {
            "kind": self.kind,
            "title": self.title,
            "url": self.url,
            "date": self.date,
            "feed": self.feed_title,
            "entry_id": self.entry_id,
        }


@dataclass(frozen=True)
class StoryCandidate:
    """An entry the store offers as maybe the same story, with the text to judge it by."""

    entry_id: int
    feed_id: int
    title: str | None
    url: str | None
    feed_title: str
    date: float
    published: float | None
    text: str
    """The cached article's plain text when there is one, else the feed's HTML."""
    cached: bool = False


@dataclass(frozen=True)
class StoryLink:
    """An entry of another feed that reports the same story ("More on this story")."""

    title: str
    url: str
    feed: str
    published: float | None
    entry_id: int
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``more_on_story`` in ``reader read --format json``."""
        return {
            "title": self.title,
            "url": self.url,
            "feed": self.feed,
            "published": utc_iso(self.published) if self.published is not None else None,
        }


@dataclass(frozen=True)
class ImportReport:
    added: int = 0
    present: int = 0
    invalid: list[str] = field(default_factory=list)  # "line N: what is wrong"


def utc_iso(timestamp: float) -> str:
    """UTC to the second, as articles give their dates: ``2026-11-27T07:40:00+00:00``."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def local_iso(timestamp: float) -> str:
    """Local time with its offset, to the second: ``2026-11-28T14:05:09+01:00``."""
    from datetime import datetime

    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class EntryData:
    """An entry as parsed from a feed, before it has an id."""

    guid: str
    url: str | None = None
    title: str | None = None
    author: str | None = None
    published: float | None = None
    updated: float | None = None
    summary: str | None = None
    content: str | None = None


@dataclass(frozen=True)
class EntryFilter:
    """Which entries to list. ``feed_id`` None means every feed; ``folder`` narrows to one."""

    feed_id: int | None = None
    folder: str | None = None
    unread_only: bool = False
    saved_only: bool = False


# --- refresh: what the store tells a refresh, and what a refresh writes back ---------


@dataclass(frozen=True)
class FeedCheck:
    """What a refresh needs to know about one feed, as the store has it."""

    id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    """Of the last body parsed: the same bytes again are not parsed again."""
    last_checked: float | None = None
    next_check: float | None = None
    """Not due before this (backoff, Retry-After, ttl, max-age); None: due now."""
    error_count: int = 0
    update_hint: float | None = None
    """The feed's own ttl or sy:updatePeriod (seconds), from its last parse."""
    refresh_minutes: int | None = None
    """The feed's own refresh interval; None: the caller's ``min_interval``."""
    user_agent: str | None = None
    """Sent instead of reader's User-Agent (some sites block it)."""


@dataclass(frozen=True)
class StoreStats:
    """What the store holds (``reader stats``)."""

    feeds: int = 0
    entries: int = 0
    unread: int = 0
    articles: int = 0
    """Cached articles (prefetched, opened, or reached by links)."""
    article_bytes: int = 0
    saved: int = 0
    database_bytes: int = 0
    """The database file and its write-ahead log on disk."""
    articles_to_fetch: int = 0
    unindexed: int = 0
    """Rows the full-text index has still to take in."""

    def to_dict(self) -> dict[str, int]:
        """The JSON shape of ``reader stats --json``."""
        return asdict(self)


@dataclass(frozen=True)
class PrefetchProgress:
    """Sent after each article: ``done`` of ``total``, and the running counts."""

    done: int
    total: int
    fetched: int = 0
    failed: int = 0


@dataclass(frozen=True)
class PrefetchReport:
    """What a round did."""

    total: int = 0
    """Articles it set out to fetch."""
    fetched: int = 0
    """Kept: the page, or the feed's content with the reason noted (``kept_feed``)."""
    kept_feed: int = 0
    failed: int = 0
    """Not kept this round: the host failed, or the page was no article."""
    deferred: int = 0
    """Left in the queue for the next round: their host failed or asked to wait."""
    skipped: int = 0
    """Taken off the queue unfetched: stored already, or the feed's content is the article."""
    elapsed: float = 0.0
    failures: tuple[tuple[str, str], ...] = ()
    """(url, message) of each failure."""


@dataclass(frozen=True)
class QueuedArticle:
    """An entry whose article prefetch is to fetch, with what it needs of its feed."""

    entry_id: int
    url: str
    feed_id: int
    attempts: int = 0
    full_text: FullTextMode = "auto"
    full_text_found: Literal["page", "feed"] | None = None
    full_text_samples: int = 0
    user_agent: str | None = None


@dataclass(frozen=True)
class ServerAnswer:
    """The server answered (a body or 304): its validators, and where the feed moved."""

    etag: str | None = None
    last_modified: str | None = None
    moved_to: str | None = None
    """The target of a permanent redirect (301/308): the feed's new URL."""


@dataclass(frozen=True)
class FeedMetadata:
    """What parsing a feed's body says about the feed itself."""

    body_hash: str
    title: str | None = None
    site_url: str | None = None
    update_hint: float | None = None


@dataclass(frozen=True)
class FeedUpdate:
    """What one refresh of one feed writes to its row (``update.decide`` makes it)."""

    feed_id: int
    next_check: float | None
    """When it may be fetched again; None: at the next refresh."""
    error_count: int = 0
    error: str | None = None
    """The feed's message (None clears the last one)."""
    error_at: float | None = None
    """When ``error`` happened; None leaves the stored time."""
    checked_at: float | None = None
    """``last_checked``; None leaves it (a failure of reader's own, not the feed's)."""
    answer: ServerAnswer | None = None
    """Set when the server answered; its validators replace the stored ones."""
    metadata: FeedMetadata | None = None
    """Set when a body was parsed."""


# --- what a refresh and a sync report ---------------------------------------------


@dataclass(frozen=True)
class RefreshProgress:
    """Sent after each feed: ``done`` of ``total`` feeds, and the running counts."""

    done: int
    total: int
    new_entries: int = 0
    not_modified: int = 0
    errors: int = 0
    url: str = ""
    """The feed just finished."""
    error: str | None = None
    """Its error, when it failed."""


@dataclass(frozen=True)
class FeedFailure:
    url: str
    message: str


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh did. ``total`` counts the feeds it tried (the due ones)."""

    total: int = 0
    refreshed: int = 0
    """Feeds that answered: with a body, or 304, or the same bytes as last time."""
    new_entries: int = 0
    updated_entries: int = 0
    not_modified: int = 0
    errors: int = 0
    skipped: int = 0
    """Feeds not due yet (backing off, Retry-After, ttl, max-age); ``force`` ignores these."""
    elapsed: float = 0.0
    failures: tuple[FeedFailure, ...] = ()

    @property
    def ok(self) -> bool:
        """True unless every feed tried failed."""
        return self.refreshed > 0 or self.total == 0


SyncPhase = Literal["login", "feeds", "state", "sending", "entries", "done"]
"""Where a sync is."""


@dataclass(frozen=True)
class SyncProgress:
    """Where a sync is, for a status line: ``message`` is "sync: ..."."""

    phase: SyncPhase
    done: int = 0
    total: int = 0

    @property
    def message(self) -> str:
        if self.phase == "entries" and self.total:
            return f"sync: {self.done}/{self.total} new entries"
        if self.phase == "sending":
            return f"sync: sending {self.total} change{'' if self.total == 1 else 's'}"
        return {
            "login": "sync: logging in",
            "feeds": "sync: feeds and folders",
            "state": "sync: read and starred",
            "entries": "sync: new entries",
            "done": "sync: done",
        }.get(self.phase, "sync")


@dataclass
class SyncReport:
    """What moved in one sync."""

    server: str = ""
    feeds_added: int = 0  # from the server
    feeds_removed: int = 0  # unsubscribed on the server
    feeds_updated: int = 0  # renamed or moved on the server
    feeds_sent: int = 0  # subscriptions, unsubscriptions and edits sent
    feeds_refused: list[str] = field(default_factory=list)  # URLs the server would not take
    new_entries: int = 0
    read_sent: int = 0  # read and unread changes sent
    starred_sent: int = 0  # star and unstar changes sent
    read_received: int = 0  # entries the server's state made read or unread here
    starred_received: int = 0  # saved or unsaved here because of the server
    conflicts: int = 0  # changes of both sides where the server's was newer
    queued: int = 0  # changes still waiting (none after a sync that went through)
    elapsed: float = 0.0

    def as_dict(self) -> dict[str, object]:
        from dataclasses import asdict

        return asdict(self)
