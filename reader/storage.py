"""The SQLite store: schema, numbered migrations, transactions, and every query.

One file, WAL, foreign keys on. Every write runs in ``BEGIN IMMEDIATE`` so two processes
take turns instead of corrupting anything; a reader that waits longer than
``busy_timeout`` gets :class:`DatabaseLockedError`.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from reader.clock import SYSTEM_CLOCK, Clock
from reader.errors import DatabaseLockedError, NotADatabaseError, StorageError
from reader.models import (
    Article,
    Entry,
    EntryData,
    EntryFilter,
    Feed,
    FeedCheck,
    FeedUpdate,
    QueuedArticle,
    SavedArticle,
    SearchHit,
    StoreStats,
    StoryCandidate,
)

# 'RDR1': marks the file as ours, so a stranger's database is refused, not migrated.
APPLICATION_ID: Final = 0x52445231
BUSY_TIMEOUT_SECONDS: Final = 5.0
INDEX_BATCH: Final = 2000
"""Rows the deferred full-text pass indexes per transaction: big batches are cheap, and
each transaction holds the write lock for a fraction of a second."""
_FTS_TABLES: Final = (
    ("entries", "title, summary, content"),
    ("articles", "title, text"),
)

_MIGRATIONS: Final[tuple[str, ...]] = (
    # 1: the first schema.
    """
    CREATE TABLE feeds (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT,              -- from the feed
        user_title TEXT,         -- set by the user; wins over title
        site_url TEXT,
        folder TEXT,
        etag TEXT,
        last_modified TEXT,
        body_hash TEXT,          -- of the last body parsed: skip parsing identical bytes
        last_checked REAL,
        last_updated REAL,
        last_error TEXT,
        last_error_at REAL,
        error_count INTEGER NOT NULL DEFAULT 0,
        next_check REAL,         -- backoff, Retry-After, ttl: not due before this
        added_at REAL NOT NULL
    );
    CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        url TEXT,
        title TEXT,
        author TEXT,
        published REAL,
        updated REAL,
        summary TEXT,
        content TEXT,
        read INTEGER NOT NULL DEFAULT 0,
        first_seen REAL NOT NULL,
        sort_date REAL NOT NULL,  -- published, else updated, else first seen
        UNIQUE (feed_id, guid)
    );
    CREATE INDEX entries_by_date ON entries (sort_date DESC, id DESC);
    CREATE INDEX entries_by_feed_date ON entries (feed_id, sort_date DESC, id DESC);
    CREATE INDEX entries_unread ON entries (feed_id) WHERE read = 0;
    CREATE INDEX entries_by_url ON entries (url);

    CREATE TABLE reading_list (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        site TEXT,
        saved_at REAL NOT NULL,
        text TEXT NOT NULL DEFAULT '',  -- the article as saved, plain text
        article TEXT,                   -- the article as saved, JSON (models.Article)
        reached_from TEXT               -- URL of the article it was reached from
    );

    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,       -- final URL, after redirects
        article TEXT NOT NULL,          -- JSON (models.Article)
        title TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',  -- plain text, for search
        fetched_at REAL NOT NULL
    );
    -- requested URL -> final URL, so a link that redirects is found in the cache
    CREATE TABLE article_aliases (
        url TEXT PRIMARY KEY,
        final_url TEXT NOT NULL
    );

    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    -- Full-text search: entries and cached articles; accents folded, prefixes indexed.
    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, summary, content, content='entries', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3'
    );
    CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
        INSERT INTO entries_fts (rowid, title, summary, content)
        VALUES (new.id, new.title, new.summary, new.content);
    END;
    CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts (entries_fts, rowid, title, summary, content)
        VALUES ('delete', old.id, old.title, old.summary, old.content);
    END;
    CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, summary, content ON entries BEGIN
        INSERT INTO entries_fts (entries_fts, rowid, title, summary, content)
        VALUES ('delete', old.id, old.title, old.summary, old.content);
        INSERT INTO entries_fts (rowid, title, summary, content)
        VALUES (new.id, new.title, new.summary, new.content);
    END;

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3'
    );
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
    END;
    """,
    # 2: the Unread lists, newest first, straight from an index (no row lookups to sort).
    """
    CREATE INDEX entries_unread_by_date ON entries (sort_date DESC, id DESC) WHERE read = 0;
    CREATE INDEX entries_unread_by_feed_date ON entries (feed_id, sort_date DESC, id DESC)
        WHERE read = 0;
    """,
    # 3: the feed's own update hint (ttl, sy:updatePeriod), kept so a 304 still honours it.
    """
    ALTER TABLE feeds ADD COLUMN update_hint REAL;
    """,
    # 4: sync with a Google Reader API server (reader/sync/): the server's ids of feeds
    # and entries, feeds kept local, and the outbox of changes not yet sent.
    """
    ALTER TABLE feeds ADD COLUMN remote_id TEXT;     -- the server's stream id: feed/42
    ALTER TABLE feeds ADD COLUMN local_only INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE entries ADD COLUMN remote_id TEXT;   -- the server's item id, canonical hex
    CREATE UNIQUE INDEX feeds_by_remote_id ON feeds (remote_id) WHERE remote_id IS NOT NULL;
    CREATE UNIQUE INDEX entries_by_remote_id ON entries (remote_id)
        WHERE remote_id IS NOT NULL;
    CREATE TABLE sync_outbox (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,        -- read, starred (an item); unsubscribe, edit (a feed)
        target TEXT NOT NULL,      -- the item's remote id, or the feed's stream id
        value INTEGER,             -- read, starred: the state to send
        base INTEGER,              -- read, starred: the state the server had at the last sync
        detail TEXT,               -- edit: JSON {title, folder, old_folder}; unsubscribe: URL
        changed_at REAL NOT NULL,  -- when the change was made here
        version INTEGER NOT NULL DEFAULT 1,  -- bumped by each change, so a change made
                                             -- while a sync sends it is not lost
        UNIQUE (kind, target)
    );
    """,
    # 5: the full-text index kept current by a deferred pass (Storage.index_pending), not
    # row by row: new and changed rows wait in a pending table and go in by the thousand
    # (7 times less CPU than per-feed transactions); no prefix indexes (they doubled the
    # cost; a prefix query reads the term list instead). Every row is pending once.
    """
    DROP TRIGGER entries_fts_insert;
    DROP TRIGGER entries_fts_delete;
    DROP TRIGGER entries_fts_update;
    DROP TABLE entries_fts;
    DROP TRIGGER articles_fts_insert;
    DROP TRIGGER articles_fts_delete;
    DROP TRIGGER articles_fts_update;
    DROP TABLE articles_fts;

    CREATE VIRTUAL TABLE entries_fts USING fts5(
        title, summary, content, content='entries', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2"
    );
    CREATE TABLE entries_fts_pending (id INTEGER PRIMARY KEY);
    INSERT INTO entries_fts_pending (id) SELECT id FROM entries;
    CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
        INSERT OR IGNORE INTO entries_fts_pending (id) VALUES (new.id);
    END;
    CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
        INSERT INTO entries_fts (entries_fts, rowid, title, summary, content)
        SELECT 'delete', old.id, old.title, old.summary, old.content
        WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = old.id);
        DELETE FROM entries_fts_pending WHERE id = old.id;
    END;
    CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, summary, content ON entries BEGIN
        INSERT INTO entries_fts (entries_fts, rowid, title, summary, content)
        SELECT 'delete', old.id, old.title, old.summary, old.content
        WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = old.id);
        INSERT OR IGNORE INTO entries_fts_pending (id) VALUES (new.id);
    END;

    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2"
    );
    CREATE TABLE articles_fts_pending (id INTEGER PRIMARY KEY);
    INSERT INTO articles_fts_pending (id) SELECT id FROM articles;
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO articles_fts_pending (id) VALUES (new.id);
    END;
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE id = old.id);
        DELETE FROM articles_fts_pending WHERE id = old.id;
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE id = old.id);
        INSERT OR IGNORE INTO articles_fts_pending (id) VALUES (new.id);
    END;
    """,
    # 6: per-feed settings: full text (auto/always/never, and what auto found), refresh
    # interval, user agent.
    """
    ALTER TABLE feeds ADD COLUMN full_text TEXT NOT NULL DEFAULT 'auto';
    ALTER TABLE feeds ADD COLUMN full_text_found TEXT;  -- auto's finding: 'page' or 'feed'
    ALTER TABLE feeds ADD COLUMN full_text_samples INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE feeds ADD COLUMN refresh_minutes INTEGER;  -- NULL: the config's
    ALTER TABLE feeds ADD COLUMN user_agent TEXT;          -- NULL: reader's own
    """,
    # 7: the article cache keeps the server's validators, so a stale copy is checked with a
    # conditional GET instead of fetched again.
    """
    ALTER TABLE articles ADD COLUMN etag TEXT;
    ALTER TABLE articles ADD COLUMN last_modified TEXT;
    """,
    # 8: duplicates across feeds. An entry whose URL, or whose guid when it is a URI, an
    # entry of another feed already has points at the first such entry (``dup_of``, the
    # lowest id of the group, itself NULL); the lists across feeds show only the first,
    # and the group shares one read state. The lists' indexes leave the copies out.
    """
    ALTER TABLE entries ADD COLUMN dup_of INTEGER;
    CREATE INDEX entries_dups ON entries (dup_of) WHERE dup_of IS NOT NULL;
    CREATE INDEX entries_by_guid ON entries (guid);
    UPDATE entries SET dup_of = (
        SELECT min(o.id) FROM entries o
        WHERE o.id < entries.id AND o.feed_id != entries.feed_id
          AND (o.url = entries.url OR (o.guid = entries.guid AND instr(entries.guid, ':') > 0))
    );
    UPDATE entries SET dup_of = (
        WITH RECURSIVE chain (id) AS (
            SELECT entries.dup_of
            UNION SELECT c.dup_of FROM entries c JOIN chain ON c.id = chain.id
            WHERE c.dup_of IS NOT NULL
        ) SELECT min(id) FROM chain
    ) WHERE dup_of IS NOT NULL;
    -- a group read anywhere is read: its first, then its copies
    UPDATE entries SET read = 1 WHERE read = 0 AND id IN (
        SELECT dup_of FROM entries WHERE read = 1 AND dup_of IS NOT NULL);
    UPDATE entries SET read = 1 WHERE read = 0 AND dup_of IN (
        SELECT id FROM entries WHERE read = 1 AND dup_of IS NULL);
    -- the first of a group goes: the next one takes its place
    CREATE TRIGGER entries_dup_delete AFTER DELETE ON entries WHEN old.dup_of IS NULL BEGIN
        UPDATE entries SET dup_of = (SELECT min(id) FROM entries WHERE dup_of = old.id)
        WHERE dup_of = old.id AND id != (SELECT min(id) FROM entries WHERE dup_of = old.id);
        UPDATE entries SET dup_of = NULL WHERE dup_of = old.id;
    END;
    -- the lists' indexes hold every column their queries name, or each row is looked up
    DROP INDEX entries_by_date;
    DROP INDEX entries_unread_by_date;
    DROP INDEX entries_unread;
    CREATE INDEX entries_listed_by_date ON entries (sort_date DESC, id DESC, dup_of)
        WHERE dup_of IS NULL;
    CREATE INDEX entries_listed_unread_by_date ON entries (sort_date DESC, id DESC, read, dup_of)
        WHERE read = 0 AND dup_of IS NULL;
    CREATE INDEX entries_unread_by_feed ON entries (feed_id, dup_of) WHERE read = 0;
    -- "more on this story" joins cached articles to entries through their aliases too
    CREATE INDEX article_aliases_by_final_url ON article_aliases (final_url);
    """,
    # 9: the pending triggers of 5 without OR IGNORE: an upsert's conflict handling
    # replaces a trigger's, so caching an article again before the pass indexed it failed
    # ("UNIQUE constraint failed: articles_fts_pending.id").
    """
    DROP TRIGGER entries_fts_insert;
    DROP TRIGGER entries_fts_update;
    DROP TRIGGER articles_fts_insert;
    DROP TRIGGER articles_fts_update;
    CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries BEGIN
        INSERT INTO entries_fts_pending (id) SELECT new.id
        WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = new.id);
    END;
    CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, summary, content ON entries BEGIN
        INSERT INTO entries_fts (entries_fts, rowid, title, summary, content)
        SELECT 'delete', old.id, old.title, old.summary, old.content
        WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = old.id);
        INSERT INTO entries_fts_pending (id) SELECT new.id
        WHERE NOT EXISTS (SELECT 1 FROM entries_fts_pending WHERE id = new.id);
    END;
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts_pending (id) SELECT new.id
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE id = new.id);
    END;
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts (articles_fts, rowid, title, text)
        SELECT 'delete', old.id, old.title, old.text
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE id = old.id);
        INSERT INTO articles_fts_pending (id) SELECT new.id
        WHERE NOT EXISTS (SELECT 1 FROM articles_fts_pending WHERE id = new.id);
    END;
    """,
    # 10: prefetch (reader/prefetch.py): every new entry's article waits here until it is
    # fetched and stored (an interrupted prefetch carries on from it), and the hosts that
    # asked us to wait (Retry-After) with the time they may be asked again.
    """
    CREATE TABLE article_queue (
        entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
        attempts INTEGER NOT NULL DEFAULT 0   -- failed tries (the network, the server)
    );
    CREATE TRIGGER article_queue_insert AFTER INSERT ON entries WHEN new.url IS NOT NULL
    BEGIN
        INSERT INTO article_queue (entry_id) SELECT new.id
        WHERE NOT EXISTS (SELECT 1 FROM article_queue WHERE entry_id = new.id);
    END;
    CREATE TABLE prefetch_hosts (
        host TEXT PRIMARY KEY,                -- host:port, as the per-host limit counts
        not_before REAL NOT NULL
    );
    """,
    # 11: retention (keep_days, cache_mb): a removed entry's feed and guid, so a feed that
    # still carries it does not bring it back (forgotten once the feed drops it); each
    # cached article's size in bytes, so the cache's size is a sum, not a read of it all.
    """
    CREATE TABLE removed_entries (
        feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
        guid TEXT NOT NULL,
        PRIMARY KEY (feed_id, guid)
    ) WITHOUT ROWID;
    ALTER TABLE articles ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
    UPDATE articles SET size = length(CAST(article AS BLOB)) + length(CAST(text AS BLOB));
    CREATE INDEX articles_by_fetched ON articles (fetched_at);
    """,
)

SCHEMA_VERSION: Final = len(_MIGRATIONS)

_FEED_COLUMNS: Final = """
    f.id, f.url, coalesce(f.user_title, f.title), f.site_url, f.folder, f.etag,
    f.last_modified, f.last_checked, f.last_updated, f.last_error, f.last_error_at,
    f.error_count, f.added_at, f.next_check, f.remote_id, f.local_only, f.full_text,
    f.full_text_found, f.refresh_minutes, f.user_agent
"""
_ENTRY_COLUMNS: Final = """
    e.id, e.feed_id, e.guid, e.url, e.title, e.author, e.published, e.updated, e.summary,
    e.content, e.read, e.first_seen, coalesce(f.user_title, f.title, f.url),
    EXISTS (SELECT 1 FROM reading_list r WHERE r.url = e.url OR r.url =
            (SELECT a.final_url FROM article_aliases a WHERE a.url = e.url)),
    (SELECT group_concat(coalesce(df.user_title, df.title, df.url), char(31))
     FROM entries d JOIN feeds df ON df.id = d.feed_id
     WHERE d.feed_id != e.feed_id AND (d.id = e.dup_of OR d.dup_of = coalesce(e.dup_of, e.id))),
    (EXISTS (SELECT 1 FROM articles a WHERE a.url = e.url)
     OR EXISTS (SELECT 1 FROM article_aliases l WHERE l.url = e.url)
     OR f.full_text = 'never' OR (f.full_text = 'auto' AND f.full_text_found IS 'feed'))
"""
# The other entries of an entry's group, by the rules of migration 8 (``o`` is the other).
_SAME_ENTRY: Final = """
    o.feed_id != entries.feed_id
    AND (o.url = entries.url OR (o.guid = entries.guid AND instr(entries.guid, ':') > 0))
"""


_WANTS_PAGES: Final = (
    "(f.full_text = 'always' OR (f.full_text = 'auto' AND f.full_text_found IS NOT 'feed'))"
)
"""SQL: the feed's pages are fetched (its content is not the whole article)."""
_ARTICLE_STORED: Final = (
    "(EXISTS (SELECT 1 FROM articles a WHERE a.url = e.url) "
    "OR EXISTS (SELECT 1 FROM article_aliases l WHERE l.url = e.url))"
)
"""SQL: the entry's article is in the cache (under its URL, or the one it redirected to)."""

_ENTRY_SAVED: Final = (
    "(EXISTS (SELECT 1 FROM reading_list r WHERE r.url = e.url OR r.url = "
    "(SELECT a.final_url FROM article_aliases a WHERE a.url = e.url)))"
)
"""SQL: the entry is on the reading list (under its URL, or the one it redirected to)."""

_FEED_FIELDS: Final = (
    "id", "url", "title", "site_url", "folder", "etag", "last_modified", "last_checked",
    "last_updated", "last_error", "last_error_at", "error_count", "added_at", "next_check",
    "remote_id", "local_only", "full_text", "full_text_found", "refresh_minutes", "user_agent",
)  # fmt: skip


_FEED_WRITABLE: Final = frozenset((
    "url", "title", "user_title", "site_url", "folder", "etag", "last_modified",
    "body_hash", "last_checked", "last_updated", "last_error", "last_error_at",
    "error_count", "next_check", "update_hint", "remote_id", "local_only", "full_text",
    "full_text_found", "full_text_samples", "refresh_minutes", "user_agent",
))  # fmt: skip


def _feed_from_row(row: Sequence[Any], unread: int = 0, total: int = 0) -> Feed:
    fields = dict(zip(_FEED_FIELDS, row, strict=True))
    fields["local_only"] = bool(fields["local_only"])
    return Feed(**fields, unread_count=unread, entry_count=total)


def _entry_from_row(row: Sequence[Any]) -> Entry:
    values = list(row)
    values[10] = bool(values[10])
    values[13] = bool(values[13])
    values[14] = tuple(dict.fromkeys(values[14].split("\x1f"))) if values[14] else ()
    values[15] = bool(values[15])
    return Entry(*values)


@dataclass(frozen=True)
class SyncedEntry:
    """An item from the sync server: an entry, its id there and its state there."""

    remote_id: str
    entry: EntryData
    read: bool = False
    starred: bool = False


@dataclass(frozen=True)
class OutboxChange:
    """A change made here, queued for the sync server."""

    id: int
    kind: str  # read, starred, unsubscribe, edit
    target: str  # the item's remote id, or the feed's stream id
    value: bool | None  # read, starred: the state to send
    base: bool | None  # read, starred: the server's state at the last sync
    detail: str | None  # edit: JSON {title, folder}; unsubscribe: the feed's URL
    changed_at: float
    version: int


@dataclass(frozen=True)
class RemoteStateChanges:
    read: int = 0  # entries the server's state made read here
    unread: int = 0
    to_save: list[int] = field(default_factory=list)  # entry ids the server starred
    to_unsave: list[str] = field(default_factory=list)  # reading-list URLs it unstarred


class Storage:
    """The store, with one SQLite connection per thread (lemon24/reader's
    ``LocalConnectionFactory``): a thread worker queries on its own connection, opened on
    first use, instead of waiting for another thread's; SQLite's locking (WAL, the busy
    timeout) keeps threads and processes apart as it does any two connections."""

    def __init__(
        self,
        path: str | Path,
        busy_timeout: float = BUSY_TIMEOUT_SECONDS,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        """Stamps every time the store writes itself (added, saved, first seen, fetched)."""
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        # every open connection, by the thread that owns it (closed when that thread has
        # ended, or by close())
        self._connections: dict[int, tuple[weakref.ref[threading.Thread], sqlite3.Connection]]
        self._connections = {}
        self._closed = False
        self._adopt(self._open(self.path, busy_timeout))  # checks the file and migrates it

    # --- opening and migrating ---------------------------------------------------------

    @staticmethod
    def _open(path: Path, busy_timeout: float) -> sqlite3.Connection:
        if path.exists() and path.is_dir():
            raise NotADatabaseError(f"{path} is a directory, not a database: pass a file path")
        existed = path.exists() and path.stat().st_size > 0
        if not existed:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StorageError(f"cannot create {path.parent}: {error.strerror}") from None
        try:
            db = sqlite3.connect(
                path,
                timeout=busy_timeout,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise StorageError(f"cannot open {path}: {error}") from None
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.OperationalError as error:  # not the file's fault: where it is
            db.close()
            raise _translate(error, path) from None
        except sqlite3.DatabaseError:
            db.close()
            raise NotADatabaseError(
                f"{path} is not a reader database or is damaged; it was left untouched "
                "(move it away or pass another --db)"
            ) from None
        if app_id != APPLICATION_ID and (tables or version):
            db.close()
            raise NotADatabaseError(
                f"{path} is not a reader database; it was left untouched (pass another --db)"
            )
        if version > SCHEMA_VERSION:
            db.close()
            raise StorageError(
                f"{path} was written by a newer reader (schema {version}); upgrade reader"
            )
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            _migrate(db, version)
        except sqlite3.OperationalError as error:
            db.close()
            raise _translate(error, path) from None
        except sqlite3.DatabaseError:
            db.close()
            raise NotADatabaseError(
                f"{path} is damaged; it was left untouched (move it away or pass another --db)"
            ) from None
        return db

    @staticmethod
    def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
        """Another connection to a file ``_open`` has checked and migrated."""
        try:
            db = sqlite3.connect(
                path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.OperationalError as error:
            raise _translate(error, path) from None
        except sqlite3.Error as error:
            raise StorageError(f"cannot open {path}: {error}") from None
        return db

    def _adopt(self, db: sqlite3.Connection) -> sqlite3.Connection:
        """Make ``db`` this thread's connection; close those of threads that have ended."""
        thread = threading.current_thread()
        with self._lock:
            for ident, (owner, other) in list(self._connections.items()):
                if owner() is None or not owner().is_alive():  # type: ignore[union-attr]
                    other.close()
                    del self._connections[ident]
            self._connections[thread.ident or 0] = (weakref.ref(thread), db)
        self._local.db = db
        return db

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise StorageError(f"{self.path}: the store is closed")
            db = self._adopt(self._connect(self.path, self._busy_timeout))
        return db

    def set_busy_timeout(self, seconds: float) -> None:
        """How long this thread's connection waits for a store another program holds
        (the app's own thread waits briefly: it must answer keys, not wait five seconds)."""
        self._db.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, {}
        for _owner, db in connections.values():
            db.close()
        self._local = threading.local()

    # --- plumbing ----------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: all or nothing, one writer at a time across processes."""
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise _translate(error, self.path) from None
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        try:
            db.execute("COMMIT")
        except sqlite3.OperationalError as error:
            db.execute("ROLLBACK")
            raise _translate(error, self.path) from None

    def _query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            raise _translate(error, self.path) from None
        except sqlite3.DatabaseError as error:
            raise StorageError(f"{self.path}: {error}") from None

    def integrity_check(self) -> str:
        return str(self._query("PRAGMA integrity_check")[0][0])

    # --- feeds -------------------------------------------------------------------------

    def add_feed(
        self,
        url: str,
        *,
        title: str | None = None,
        folder: str | None = None,
        site_url: str | None = None,
        local_only: bool = False,
    ) -> Feed | None:
        """Subscribe; None when the URL is already there. A ``local_only`` feed is never
        sent to the sync server."""
        with self.write() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO feeds (url, user_title, folder, site_url, added_at, "
                "local_only) VALUES (?, ?, ?, ?, ?, ?)",
                (url, title, folder, site_url, self.clock(), int(local_only)),
            )
            if cursor.rowcount == 0:
                return None
        return self.get_feed(url)

    def feed_urls(self) -> list[str]:
        """Every subscribed feed's URL (cheap: no counts)."""
        return [row[0] for row in self._query("SELECT url FROM feeds")]

    def add_feeds(self, feeds: Iterable[tuple[str, str | None, str | None]]) -> tuple[int, int]:
        """Subscribe many (url, title, folder) in one transaction: (added, already present)."""
        added = present = 0
        now = self.clock()
        with self.write() as db:
            for url, title, folder in feeds:
                cursor = db.execute(
                    "INSERT OR IGNORE INTO feeds (url, user_title, folder, added_at) "
                    "VALUES (?, ?, ?, ?)",
                    (url, title, folder, now),
                )
                if cursor.rowcount:
                    added += 1
                else:
                    present += 1
        return added, present

    def remove_feed(self, url: str, *, sync: bool = True) -> bool:
        """Unsubscribe; its entries go (cascade), the reading list stays. A synced feed's
        unsubscription is queued for the server (unless ``sync`` is false: it came from
        there)."""
        with self.write() as db:
            row = db.execute("SELECT remote_id FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is None:
                return False
            if sync and row[0] is not None:
                _queue_feed_change(db, "unsubscribe", row[0], url, self.clock())
            # the server drops the feed's items with it: their queued changes go too
            db.execute(
                "DELETE FROM sync_outbox WHERE kind IN ('read', 'starred') AND target IN "
                "(SELECT e.remote_id FROM entries e JOIN feeds f ON f.id = e.feed_id "
                "WHERE f.url = ? AND e.remote_id IS NOT NULL)",
                (url,),
            )
            db.execute("DELETE FROM feeds WHERE url = ?", (url,))
            return True

    def get_feed(self, url_or_id: str | int, counts: bool = True) -> Feed | None:
        """The feed by URL or id; ``counts=False`` skips counting its entries."""
        column = "id" if isinstance(url_or_id, int) else "url"
        rows = self._query(
            f"SELECT {_FEED_COLUMNS} FROM feeds f WHERE f.{column} = ?", (url_or_id,)
        )
        if not rows:
            return None
        feed = _feed_from_row(rows[0])
        if not counts:
            return feed
        total, unread = self._query(
            "SELECT count(*), coalesce(sum(read = 0), 0) FROM entries WHERE feed_id = ?",
            (feed.id,),
        )[0]
        return _feed_from_row(rows[0], unread=unread, total=total)

    def feeds(self, *, entry_counts: bool = True) -> list[Feed]:
        """Every feed with its unread and entry counts (``entry_counts`` False: the entry
        counts left at 0), by folder then title."""
        # two counts, each read from an index alone (one pass summing ``read`` had to
        # visit every row: 50 ms for 100,000 entries, against 2 x 5 ms)
        totals: dict[int, int] = {}
        if entry_counts:
            totals = dict(self._query("SELECT feed_id, count(*) FROM entries GROUP BY feed_id"))
        unread = self.unread_counts()
        rows = self._query(f"SELECT {_FEED_COLUMNS} FROM feeds f")
        feeds = []
        for row in rows:
            feed_id = row[0]
            feeds.append(
                _feed_from_row(row, unread=unread.get(feed_id, 0), total=totals.get(feed_id, 0))
            )
        feeds.sort(key=lambda f: (natural_key(f.folder or ""), natural_key(f.display_title)))
        return feeds

    def unread_counts(self) -> dict[int, int]:
        """feed id -> unread entries (cheap: uses the partial index)."""
        return dict(
            self._query("SELECT feed_id, count(*) FROM entries WHERE read = 0 GROUP BY feed_id")
        )

    def folder_repeats(self) -> dict[str, int]:
        """folder -> its unread entries that another feed of the folder has too (listed
        once in the folder, so its count is the feeds' sum less these). Cheap: only
        duplicates are looked at."""
        return dict(
            self._query(
                "SELECT f.folder, count(*) FROM entries e JOIN feeds f ON f.id = e.feed_id "
                "WHERE e.dup_of IS NOT NULL AND e.read = 0 AND f.folder IS NOT NULL "
                "AND EXISTS (SELECT 1 FROM entries c JOIN feeds cf ON cf.id = c.feed_id "
                "WHERE c.id < e.id AND (c.id = e.dup_of OR c.dup_of = e.dup_of) "
                "AND cf.folder = f.folder) GROUP BY f.folder"
            )
        )

    def update_feed(self, feed_id: int, **values: Any) -> None:
        """Set feed columns (title, etag, last_error ...) in one transaction."""
        if not values:
            return
        unknown = set(values) - _FEED_WRITABLE
        if unknown:
            raise ValueError(f"unknown feed columns: {sorted(unknown)}")
        assignments = ", ".join(f"{name} = ?" for name in values)
        with self.write() as db:
            db.execute(f"UPDATE feeds SET {assignments} WHERE id = ?", (*values.values(), feed_id))

    # --- refresh bookkeeping -----------------------------------------------------------

    def feeds_to_check(self, urls: Sequence[str] | None = None) -> list[FeedCheck]:
        """Every feed (or the feeds with these URLs) as a refresh sees it, by id."""
        columns = (
            "id, url, etag, last_modified, body_hash, last_checked, next_check, error_count, "
            "update_hint, refresh_minutes, user_agent"
        )
        # a synced feed is polled by the sync server: its entries come from there
        rows = self._query(f"SELECT {columns} FROM feeds WHERE remote_id IS NULL ORDER BY id")
        checks = [FeedCheck(*row) for row in rows]
        if urls is None:
            return checks
        found = {check.url: check for check in checks}
        return [found[url] for url in dict.fromkeys(urls) if url in found]

    def save_fetched_feed(
        self, entries: Iterable[EntryData], update: FeedUpdate
    ) -> tuple[int, int]:
        """Store a fetched feed in one transaction: its entries (new, updated) and its row
        (``last_updated`` too when an entry changed)."""
        now = update.checked_at if update.checked_at is not None else self.clock()
        with self.write() as db:
            new, updated = self.store_entries(update.feed_id, entries, db, now, whole=True)
            _apply_feed_update(db, update, now if new or updated else None)
        return new, updated

    def update_feeds(self, updates: Sequence[FeedUpdate]) -> None:
        """Write many feeds' refresh results in one transaction (the 304s and errors)."""
        if not updates:
            return
        with self.write() as db:
            for update in updates:
                _apply_feed_update(db, update)

    # --- entries -----------------------------------------------------------------------

    def store_entries(
        self,
        feed_id: int,
        entries: Iterable[EntryData],
        db: sqlite3.Connection | None = None,
        now: float | None = None,
        whole: bool = False,
    ) -> tuple[int, int]:
        """Insert new entries and update changed ones in place: (new, updated).

        Read state is never touched by an update. Pass ``db`` to join an open transaction;
        ``now`` (default: the store's clock) is the new entries' first-seen time. An entry
        retention removed is not inserted again; with ``whole`` (``entries`` is all the
        feed holds now) the removals the feed no longer carries are forgotten.
        """
        if db is None:
            with self.write() as db:
                return self.store_entries(feed_id, entries, db, now, whole)
        now = self.clock() if now is None else now
        last_id = db.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0]
        new = updated = 0
        existing = {
            guid: (title, summary, content, entry_updated, url)
            for guid, title, summary, content, entry_updated, url in db.execute(
                "SELECT guid, title, summary, content, updated, url FROM entries WHERE feed_id = ?",
                (feed_id,),
            )
        }
        removed = {
            guid
            for (guid,) in db.execute(
                "SELECT guid FROM removed_entries WHERE feed_id = ?", (feed_id,)
            )
        }
        carried: set[str] = set()
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        moved: list[str] = []  # guids whose URL changed: their duplicates may have too
        for entry in entries:
            old = existing.get(entry.guid)
            if old is None and entry.guid in removed:
                carried.add(entry.guid)  # read and removed: the feed still has it
                continue
            if old is None:
                inserts.append((
                    entry.guid, entry.url, entry.title, entry.author,
                    entry.published, entry.updated, entry.summary, entry.content,
                    # a date ahead of now (a wrong clock, a scheduled post) would pin the
                    # entry above every new one for days: it sorts as first seen
                    now, min(entry.published or entry.updated or now, now),
                ))  # fmt: skip
                existing[entry.guid] = (
                    entry.title, entry.summary, entry.content, entry.updated, entry.url
                )  # fmt: skip
                new += 1
            elif old != (entry.title, entry.summary, entry.content, entry.updated, entry.url):
                updates.append((
                    entry.url, entry.title, entry.author, entry.updated,
                    entry.summary, entry.content, feed_id, entry.guid,
                ))  # fmt: skip
                if entry.url != old[4]:
                    moved.append(entry.guid)
                existing[entry.guid] = (
                    entry.title, entry.summary, entry.content, entry.updated, entry.url
                )  # fmt: skip
                updated += 1
        if inserts:
            _insert_entries(db, feed_id, inserts)
            _link_duplicates(db, "id > ? AND feed_id = ?", (last_id, feed_id))
        if updates:
            db.executemany(
                "UPDATE entries SET url = ?, title = ?, author = ?, updated = ?, "
                "summary = ?, content = ? WHERE feed_id = ? AND guid = ?",
                updates,
            )
        for start in range(0, len(moved), 500):
            # a first of its group keeps its copies; any other entry is linked anew
            batch = moved[start : start + 500]
            _link_duplicates(
                db,
                f"feed_id = ? AND guid IN ({','.join('?' * len(batch))}) "
                "AND NOT EXISTS (SELECT 1 FROM entries d WHERE d.dup_of = entries.id)",
                (feed_id, *batch),
            )
        if whole and removed - carried:
            db.executemany(
                "DELETE FROM removed_entries WHERE feed_id = ? AND guid = ?",
                [(feed_id, guid) for guid in removed - carried],
            )
        return new, updated

    def _entry_where(self, filter: EntryFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if filter.feed_id is not None:
            clauses.append("e.feed_id = ?")
            params.append(filter.feed_id)
        if filter.folder is not None:
            clauses.append("f.folder = ?")
            params.append(filter.folder)
        if filter.unread_only:
            clauses.append("e.read = 0")
        if filter.saved_only:
            clauses.append("e.url IN (SELECT url FROM reading_list)")
        if filter.feed_id is None and filter.folder is None:
            clauses.append("e.dup_of IS NULL")  # duplicates across feeds show once
        elif filter.feed_id is None:
            # once in a folder too: the first of the group among the folder's feeds
            clauses.append(
                "(e.dup_of IS NULL OR NOT EXISTS (SELECT 1 FROM entries c "
                "JOIN feeds cf ON cf.id = c.feed_id WHERE c.id < e.id "
                "AND (c.id = e.dup_of OR c.dup_of = e.dup_of) AND cf.folder = f.folder))"
            )
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        return where, params

    def entries(
        self, filter: EntryFilter = EntryFilter(), limit: int = 100, offset: int = 0
    ) -> list[Entry]:
        """Entries newest first, a page at a time (the TUI asks only for rows on screen)."""
        where, params = self._entry_where(filter)
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN feeds f ON f.id = e.feed_id {where} "
            "ORDER BY e.sort_date DESC, e.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_entry_from_row(row) for row in rows]

    def entry_ids(self, filter: EntryFilter = EntryFilter()) -> list[int]:
        """Every matching entry id, newest first: cheap enough for 100,000 rows."""
        where, params = self._entry_where(filter)
        join = "JOIN feeds f ON f.id = e.feed_id" if filter.folder is not None else ""
        return [
            row[0]
            for row in self._query(
                f"SELECT e.id FROM entries e {join} {where} ORDER BY e.sort_date DESC, e.id DESC",
                params,
            )
        ]

    def entry_position(self, filter: EntryFilter, entry_id: int) -> int | None:
        """Where entry ``entry_id`` is in the list ``entries(filter)`` reads (0 first), or
        None when the filter leaves it out: the rows before it counted in the list's
        index, without reading every id."""
        where, params = self._entry_where(filter)
        join = "JOIN feeds f ON f.id = e.feed_id" if filter.folder is not None else ""
        mine = f"{where} AND e.id = ?" if where else "WHERE e.id = ?"
        found = self._query(f"SELECT e.sort_date FROM entries e {join} {mine}", (*params, entry_id))
        if not found:
            return None
        before = f"{where} AND" if where else "WHERE"
        # a row value, which SQLite reads as a range of the list's index (its OR spelling
        # scanned the whole index: 3.7 ms for the tenth of 100,000 at start, now 0.01)
        return int(
            self._query(
                f"SELECT count(*) FROM entries e {join} {before} (e.sort_date, e.id) > (?, ?)",
                (*params, found[0][0], entry_id),
            )[0][0]
        )

    def entries_by_id(self, ids: Sequence[int]) -> list[Entry]:
        """The entries with these ids, in the order given."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN feeds f ON f.id = e.feed_id "
            f"WHERE e.id IN ({marks})",
            list(ids),
        )
        by_id = {row[0]: _entry_from_row(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def entry_by_url(self, url: str) -> Entry | None:
        rows = self._query(
            f"SELECT {_ENTRY_COLUMNS} FROM entries e JOIN feeds f ON f.id = e.feed_id "
            "WHERE e.url = ? ORDER BY e.sort_date DESC LIMIT 1",
            (url,),
        )
        return _entry_from_row(rows[0]) if rows else None

    def entry_ids_by_url(self, urls: Iterable[str]) -> dict[str, list[int]]:
        """The ids of the entries linking to each URL (absent when none does)."""
        found: dict[str, list[int]] = {}
        for url in urls:
            for (entry_id,) in self._query("SELECT id FROM entries WHERE url = ?", (url,)):
                found.setdefault(url, []).append(int(entry_id))
        return found

    def get_entry(self, entry_id: int) -> Entry | None:
        found = self.entries_by_id([entry_id])
        return found[0] if found else None

    def count_entries(self, filter: EntryFilter = EntryFilter()) -> int:
        where, params = self._entry_where(filter)
        join = "JOIN feeds f ON f.id = e.feed_id" if filter.folder is not None else ""
        return int(self._query(f"SELECT count(*) FROM entries e {join} {where}", params)[0][0])

    def count_texts(self) -> int:
        """Every entry (duplicates too) and every cached article: cheap, each table's
        smallest index is counted."""
        return int(
            self._query("SELECT (SELECT count(*) FROM entries) + (SELECT count(*) FROM articles)")[
                0
            ][0]
        )

    def set_read(self, entry_ids: Sequence[int], read: bool = True) -> int:
        """Mark entries read (or unread), and their duplicates in other feeds with them;
        returns how many changed. Synced entries' changes are queued for the sync server
        in the same transaction."""
        if not entry_ids:
            return 0
        with self.write() as db:
            return _set_read(db, _with_duplicates(db, entry_ids), read, self.clock())

    def mark_feed_read(self, feed_id: int | None = None) -> int:
        """Mark every entry of a feed (or of all feeds) read, and their duplicates in
        other feeds; returns how many changed."""
        with self.write() as db:
            if feed_id is not None:
                unread = db.execute(
                    "SELECT id FROM entries WHERE feed_id = ? AND read = 0", (feed_id,)
                ).fetchall()
                ids = _with_duplicates(db, [row[0] for row in unread])
                return _set_read(db, ids, True, self.clock())
            synced = db.execute(
                "SELECT remote_id FROM entries WHERE read = 0 AND remote_id IS NOT NULL"
            ).fetchall()
            changed = db.execute("UPDATE entries SET read = 1 WHERE read = 0").rowcount
            _queue_item_changes(db, "read", [row[0] for row in synced], True, self.clock())
            return int(changed)

    # --- article cache -----------------------------------------------------------------

    def cache_article(
        self,
        article: Article,
        requested_url: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        db: sqlite3.Connection | None = None,
    ) -> None:
        """Keep ``article`` (replacing an older copy), with the server's validators; found
        by ``requested_url`` too. Pass ``db`` to join an open transaction."""
        from reader.render import to_text  # the plain text is what search indexes

        if db is None:
            with self.write() as db:
                self.cache_article(article, requested_url, etag, last_modified, db)
                return
        data, text = article.to_json(), to_text(article)
        size = len(data.encode("utf-8", "surrogatepass")) + len(text.encode("utf-8", "replace"))
        values = (data, article.title, text, article.fetched_at or self.clock(), etag,
                  last_modified, size, article.url)  # fmt: skip
        # an UPDATE, then an INSERT, not an upsert: an upsert's conflict rule overrides
        # the OR IGNORE of the index triggers, and a second copy of a page not yet
        # indexed failed ("UNIQUE constraint failed: articles_fts_pending.id")
        updated = db.execute(
            "UPDATE articles SET article = ?, title = ?, text = ?, fetched_at = ?, "
            "etag = ?, last_modified = ?, size = ? WHERE url = ?",
            values,
        ).rowcount
        if not updated:
            db.execute(
                "INSERT INTO articles (article, title, text, fetched_at, etag, "
                "last_modified, size, url) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
        if requested_url and requested_url != article.url:
            db.execute(
                "INSERT OR REPLACE INTO article_aliases (url, final_url) VALUES (?, ?)",
                (requested_url, article.url),
            )

    # --- retention ---------------------------------------------------------------------

    def remove_old_entries(self, before: float) -> tuple[int, int]:
        """Remove the read entries dated before ``before`` that are not on the reading
        list, with their cached articles (not a saved one, nor one a kept entry links to):
        (entries, articles) removed. Each removal is remembered, so the feed that still
        carries the entry does not bring it back as new."""
        with self.write() as db:
            db.execute("DROP TABLE IF EXISTS temp.gone")
            db.execute(
                "CREATE TEMP TABLE gone AS SELECT e.id, e.feed_id, e.guid, e.url FROM entries e "
                f"WHERE e.read = 1 AND e.sort_date < ? AND NOT {_ENTRY_SAVED}",
                (before,),
            )
            db.execute(
                "INSERT OR IGNORE INTO removed_entries (feed_id, guid) "
                "SELECT feed_id, guid FROM temp.gone"
            )
            articles = db.execute(
                "DELETE FROM articles WHERE url IN (SELECT coalesce(l.final_url, g.url) "
                "FROM temp.gone g LEFT JOIN article_aliases l ON l.url = g.url) "
                "AND url NOT IN (SELECT url FROM reading_list) AND NOT EXISTS (SELECT 1 "
                "FROM entries k LEFT JOIN article_aliases l ON l.url = k.url "
                "WHERE (k.url = articles.url OR l.final_url = articles.url) "
                "AND k.id NOT IN (SELECT id FROM temp.gone))"
            ).rowcount
            entries = db.execute(
                "DELETE FROM entries WHERE id IN (SELECT id FROM temp.gone)"
            ).rowcount
            _forget_orphan_aliases(db)
            db.execute("DROP TABLE temp.gone")
        return int(entries), int(articles)

    def cache_size(self) -> int:
        """Bytes the cached articles take (their JSON and text)."""
        return int(self._query("SELECT coalesce(sum(size), 0) FROM articles")[0][0])

    def evict_articles(self, max_bytes: int) -> tuple[int, int]:
        """Bring the article cache under ``max_bytes``: the articles of read entries (and
        pages reached by links) go first, oldest first, then those of unread ones; an
        article on the reading list never. (articles, bytes) removed."""
        size = self.cache_size()
        if size <= max_bytes:
            return 0, 0
        rows = self._query(
            "SELECT a.id, a.size FROM articles a WHERE a.url NOT IN (SELECT url FROM "
            "reading_list) ORDER BY EXISTS (SELECT 1 FROM entries e LEFT JOIN "
            "article_aliases l ON l.url = e.url WHERE e.read = 0 AND (e.url = a.url "
            "OR l.final_url = a.url)), a.fetched_at, a.id"
        )
        chosen: list[int] = []
        freed = 0
        for article_id, article_size in rows:
            if size - freed <= max_bytes:
                break
            chosen.append(article_id)
            freed += article_size
        with self.write() as db:
            db.executemany("DELETE FROM articles WHERE id = ?", [(i,) for i in chosen])
            _forget_orphan_aliases(db)
        return len(chosen), freed

    def stats(self) -> StoreStats:
        """What the store holds, and its size on disk."""
        feeds, entries, unread = self._query(
            "SELECT (SELECT count(*) FROM feeds), count(*), coalesce(sum(read = 0), 0) FROM entries"
        )[0]
        articles, article_bytes = self._query(
            "SELECT count(*), coalesce(sum(size), 0) FROM articles"
        )[0]
        saved = self.saved_count()
        disk = sum(
            path.stat().st_size
            for path in (self.path, self.path.with_name(self.path.name + "-wal"))
            if path.exists()
        )
        return StoreStats(
            feeds=feeds, entries=entries, unread=unread, articles=articles,
            article_bytes=article_bytes, saved=saved, database_bytes=disk,
            articles_to_fetch=self.queued_article_count(),
            unindexed=self.pending_index_count(),
        )  # fmt: skip

    def vacuum(self) -> None:
        """Index what waits, merge the full-text index, and compact the file."""
        self.index_pending()
        with self.write() as db:
            db.execute("INSERT INTO entries_fts (entries_fts) VALUES ('optimize')")
            db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        try:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as error:
            raise _translate(error, self.path) from None

    # --- prefetch: the article queue ----------------------------------------------------

    def queue_unread_articles(self) -> int:
        """Queue every unread entry whose article is not stored yet (prefetch "unread");
        how many were added."""
        with self.write() as db:
            return int(
                db.execute(
                    "INSERT OR IGNORE INTO article_queue (entry_id) SELECT e.id FROM entries e "
                    f"JOIN feeds f ON f.id = e.feed_id WHERE e.read = 0 AND e.url IS NOT NULL "
                    f"AND {_WANTS_PAGES} AND NOT {_ARTICLE_STORED}"
                ).rowcount
            )

    def prune_article_queue(self) -> int:
        """Take off the queue what needs no fetching: entries of feeds whose content is the
        article (full text "never", or "auto" found so), entries whose article is stored
        already, and copies of another feed's entry (its first is fetched). How many
        went."""
        with self.write() as db:
            return int(
                db.execute(
                    "DELETE FROM article_queue WHERE entry_id IN (SELECT e.id FROM "
                    "article_queue q JOIN entries e ON e.id = q.entry_id "
                    f"JOIN feeds f ON f.id = e.feed_id WHERE NOT {_WANTS_PAGES} "
                    f"OR {_ARTICLE_STORED} OR e.dup_of IS NOT NULL)"
                ).rowcount
            )

    def queued_articles(
        self, limit: int, feed_ids: Sequence[int] | None = None, max_attempts: int = 3
    ) -> list[QueuedArticle]:
        """The queue, newest entry first, at most ``limit`` (only ``feed_ids``' entries
        when given; not those tried ``max_attempts`` times)."""
        where = ""
        params: list[Any] = [max_attempts]
        if feed_ids is not None:
            where = f"AND e.feed_id IN ({','.join('?' * len(feed_ids))})"
            params.extend(feed_ids)
        rows = self._query(
            "SELECT q.entry_id, e.url, e.feed_id, q.attempts, f.full_text, f.full_text_found, "
            "f.full_text_samples, f.user_agent FROM article_queue q "
            "JOIN entries e ON e.id = q.entry_id JOIN feeds f ON f.id = e.feed_id "
            f"WHERE q.attempts < ? {where} ORDER BY e.sort_date DESC, e.id DESC LIMIT ?",
            (*params, limit),
        )
        return [QueuedArticle(*row) for row in rows]

    def queued_article_count(self, max_attempts: int = 3) -> int:
        """Entries whose article is still to fetch."""
        return int(
            self._query("SELECT count(*) FROM article_queue WHERE attempts < ?", (max_attempts,))[
                0
            ][0]
        )

    def store_prefetched(
        self,
        article: Article | None,
        entry_id: int,
        requested_url: str | None = None,
        validators: tuple[str | None, str | None] = (None, None),
    ) -> None:
        """Keep a prefetched article (None: there is none to keep) with the server's
        ``validators`` (ETag, Last-Modified) and take its entry off the queue, in one
        transaction: an interruption leaves both or neither."""
        with self.write() as db:
            if article is not None:
                self.cache_article(article, requested_url, *validators, db=db)
            db.execute("DELETE FROM article_queue WHERE entry_id = ?", (entry_id,))

    def prefetch_failed(self, entry_id: int) -> None:
        """Count a failed try against a queued entry (the queue gives up after a few)."""
        with self.write() as db:
            db.execute(
                "UPDATE article_queue SET attempts = attempts + 1 WHERE entry_id = ?", (entry_id,)
            )

    def dequeue_articles(self, entry_ids: Sequence[int]) -> None:
        with self.write() as db:
            db.executemany(
                "DELETE FROM article_queue WHERE entry_id = ?", [(i,) for i in entry_ids]
            )

    def clear_article_queue(self) -> None:
        """Forget what was queued (prefetch is off)."""
        with self.write() as db:
            db.execute("DELETE FROM article_queue")

    def host_waits(self, now: float) -> dict[str, float]:
        """Hosts that asked prefetch to wait (Retry-After), and until when; the waits that
        are over are forgotten."""
        with self.write() as db:
            db.execute("DELETE FROM prefetch_hosts WHERE not_before <= ?", (now,))
            return dict(db.execute("SELECT host, not_before FROM prefetch_hosts"))

    def set_host_wait(self, host: str, not_before: float) -> None:
        with self.write() as db:
            db.execute(
                "INSERT INTO prefetch_hosts (host, not_before) VALUES (?, ?) "
                "ON CONFLICT (host) DO UPDATE SET not_before = excluded.not_before",
                (host, not_before),
            )

    def article_validators(self, url: str) -> tuple[str | None, str | None]:
        """The ETag and Last-Modified the server sent with the cached copy of ``url``."""
        rows = self._query("SELECT etag, last_modified FROM articles WHERE url = ?", (url,))
        return (rows[0][0], rows[0][1]) if rows else (None, None)

    def touch_article(self, url: str, fetched_at: float) -> None:
        """The cached copy of ``url`` was checked at ``fetched_at`` and is still current."""
        import json

        with self.write() as db:
            row = db.execute("SELECT article FROM articles WHERE url = ?", (url,)).fetchone()
            if row is None:
                return
            data = json.loads(row[0])
            data["fetched_at"] = fetched_at
            db.execute(
                "UPDATE articles SET article = ?, fetched_at = ? WHERE url = ?",
                (json.dumps(data, ensure_ascii=False, separators=(",", ":")), fetched_at, url),
            )

    def cached_article(self, url: str) -> Article | None:
        rows = self._query(
            "SELECT article FROM articles WHERE url = ? OR url = "
            "(SELECT final_url FROM article_aliases WHERE url = ?) LIMIT 1",
            (url, url),
        )
        return Article.from_json(rows[0][0]) if rows else None

    # --- reading list ------------------------------------------------------------------

    def save_article(
        self,
        url: str,
        title: str,
        site: str | None,
        text: str,
        article: Article | None = None,
        reached_from: str | None = None,
        *,
        sync: bool = True,
    ) -> None:
        """Put an article on the reading list (or refresh what is kept of it). The synced
        entries linking to it are queued to be starred on the sync server."""
        with self.write() as db:
            if (
                sync
                and not db.execute("SELECT 1 FROM reading_list WHERE url = ?", (url,)).fetchone()
            ):
                _queue_item_changes(db, "starred", _synced_entries_of(db, url), True, self.clock())
            db.execute(
                "INSERT INTO reading_list (url, title, site, saved_at, text, article, "
                "reached_from) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET "
                "title = excluded.title, site = excluded.site, text = excluded.text, "
                "article = coalesce(excluded.article, reading_list.article), "
                "reached_from = coalesce(reading_list.reached_from, excluded.reached_from)",
                (url, title, site, self.clock(), text,
                 article.to_json() if article else None, reached_from),
            )  # fmt: skip

    def unsave_article(self, url: str, *, sync: bool = True, keep_text: bool = False) -> bool:
        """Take an article off the reading list. ``keep_text`` (a sync's unsave): the
        article as saved stays in the article store, so it still reads offline and saving
        it again brings that text back; one saved without its article stays saved."""
        with self.write() as db:
            if keep_text:
                row = db.execute("SELECT article FROM reading_list WHERE url = ?", (url,))
                kept = row.fetchone()
                if kept is None or kept[0] is None:
                    return False
                self.cache_article(Article.from_json(kept[0]), url, db=db)
            removed = db.execute("DELETE FROM reading_list WHERE url = ?", (url,)).rowcount > 0
            if removed and sync:
                _queue_item_changes(db, "starred", _synced_entries_of(db, url), False, self.clock())
            return removed

    def is_saved(self, url: str) -> bool:
        return bool(self._query("SELECT 1 FROM reading_list WHERE url = ?", (url,)))

    def saved_count(self) -> int:
        return int(self._query("SELECT count(*) FROM reading_list")[0][0])

    def saved_article(self, url: str) -> SavedArticle | None:
        """One article of the reading list, by URL."""
        found = self.saved_articles(url)
        return found[0] if found else None

    def saved_articles(self, url: str | None = None) -> list[SavedArticle]:
        """The reading list, newest first (or the one saved article at ``url``)."""
        where, params = ("WHERE url = ?", (url,)) if url is not None else ("", ())
        rows = self._query(
            "SELECT id, url, title, site, saved_at, text, reached_from, article "
            f"FROM reading_list {where} ORDER BY saved_at DESC, id DESC",
            params,
        )
        return [
            SavedArticle(
                id=row[0],
                url=row[1],
                title=row[2],
                site=row[3],
                saved_at=row[4],
                text=row[5],
                reached_from=row[6],
                article=Article.from_json(row[7]) if row[7] else None,
            )
            for row in rows
        ]

    # --- UI state: history (see history.py), where the user left off ---------------------

    def get_state(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM state WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_states(self, values: Mapping[str, str]) -> None:
        """Several UI state values in one transaction."""
        if not values:
            return
        with self.write() as db:
            db.executemany(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(values.items()),
            )

    def set_state(self, key: str, value: str) -> None:
        with self.write() as db:
            db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # --- sync with a feed server (reader/sync/): ids, the outbox, the server's state -----

    def sync_feeds(self) -> list[Feed]:
        """Every feed, without counts (cheap): what the sync compares with the server's."""
        rows = self._query(f"SELECT {_FEED_COLUMNS} FROM feeds f ORDER BY f.id")
        return [_feed_from_row(row) for row in rows]

    def add_synced_feed(
        self,
        url: str,
        remote_id: str,
        *,
        title: str | None,
        folder: str | None,
        site_url: str | None,
    ) -> int:
        """A feed the server has and we did not: its title and folder are the server's."""
        with self.write() as db:
            cursor = db.execute(
                "INSERT INTO feeds (url, user_title, folder, site_url, added_at, remote_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (url, title, folder, site_url, self.clock(), remote_id),
            )
            return int(cursor.lastrowid or 0)

    def edit_feed(
        self,
        feed_id: int,
        *,
        title: str | None = None,
        folder: str | None = None,
    ) -> None:
        """Rename (``title``) or move (``folder``; "" takes it out of its folder) a feed;
        for a synced feed the change is queued for the server."""
        import json

        values: dict[str, Any] = {}
        if title is not None:
            values["user_title"] = title or None
        if folder is not None:
            values["folder"] = folder or None
        if not values:
            return
        with self.write() as db:
            assignments = ", ".join(f"{name} = ?" for name in values)
            db.execute(f"UPDATE feeds SET {assignments} WHERE id = ?", (*values.values(), feed_id))
            row = db.execute("SELECT remote_id FROM feeds WHERE id = ?", (feed_id,)).fetchone()
            if row is None or row[0] is None:
                return
            old = db.execute(
                "SELECT detail FROM sync_outbox WHERE kind = 'edit' AND target = ?", (row[0],)
            ).fetchone()
            detail = json.loads(old[0]) if old else {}
            if title is not None:
                detail["title"] = title
            if folder is not None:
                detail["folder"] = folder
            _queue_feed_change(db, "edit", row[0], json.dumps(detail), self.clock())

    def set_local_only(self, feed_id: int, local_only: bool) -> None:
        """Keep a feed local (a synced one is unsubscribed on the server, its entries stay
        here as local ones) or let the next sync send it."""
        with self.write() as db:
            row = db.execute("SELECT remote_id, url FROM feeds WHERE id = ?", (feed_id,)).fetchone()
            if row is None:
                return
            remote_id, url = row
            if local_only and remote_id is not None:
                _queue_feed_change(db, "unsubscribe", remote_id, url, self.clock())
                db.execute(
                    "DELETE FROM sync_outbox WHERE kind IN ('read', 'starred') AND target IN "
                    "(SELECT remote_id FROM entries WHERE feed_id = ? AND remote_id IS NOT NULL)",
                    (feed_id,),
                )
                db.execute("UPDATE entries SET remote_id = NULL WHERE feed_id = ?", (feed_id,))
                # polled here from now on
                db.execute("UPDATE feeds SET next_check = NULL WHERE id = ?", (feed_id,))
            db.execute(
                "UPDATE feeds SET local_only = ?, remote_id = CASE WHEN ? THEN NULL "
                "ELSE remote_id END WHERE id = ?",
                (int(local_only), int(local_only), feed_id),
            )

    def starred_remote_ids(self) -> set[str]:
        """The synced entries on the reading list whose star the server has (none is
        queued here): what the sync checks the server still stars."""
        saved = _SAVED.format(entry="e")
        return {
            row[0]
            for row in self._query(
                f"SELECT e.remote_id FROM entries e WHERE e.remote_id IS NOT NULL AND {saved} "
                "AND e.remote_id NOT IN (SELECT target FROM sync_outbox WHERE kind = 'starred')"
            )
        }

    def link_feed(self, feed_id: int, remote_id: str | None) -> None:
        with self.write() as db:
            db.execute("UPDATE feeds SET remote_id = ? WHERE id = ?", (remote_id, feed_id))

    def known_remote_ids(self, remote_ids: Iterable[str]) -> set[str]:
        """Which of these item ids are stored here already."""
        wanted = list(remote_ids)
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            known.update(
                row[0]
                for row in self._query(
                    f"SELECT remote_id FROM entries WHERE remote_id IN ({marks})", chunk
                )
            )
        return known

    def store_synced_entries(
        self,
        feed_id: int,
        entries: Sequence[SyncedEntry],
    ) -> int:
        """Store items of the server's in one transaction; returns how many are new here.

        An entry this feed already has (the same URL or guid, fetched before the feed was
        synced) takes the item's id instead of a twin: read if either side read it, and
        what the server lacks (read, starred) is queued for it.
        """
        now = self.clock()
        new = 0
        with self.write() as db:
            last_id = db.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0]
            for synced in entries:
                entry = synced.entry
                if db.execute(
                    "SELECT 1 FROM entries WHERE remote_id = ?", (synced.remote_id,)
                ).fetchone():
                    continue
                # two lookups, each on its index (an OR of the two scans the feed)
                twin = db.execute(
                    "SELECT id, read, url FROM entries WHERE feed_id = ? AND guid = ? "
                    "AND remote_id IS NULL",
                    (feed_id, entry.guid),
                ).fetchone()
                if twin is None and entry.url is not None:
                    twin = db.execute(
                        "SELECT id, read, url FROM entries WHERE url = ? AND feed_id = ? "
                        "AND remote_id IS NULL LIMIT 1",
                        (entry.url, feed_id),
                    ).fetchone()
                if twin is not None:
                    twin_id, twin_read, _ = twin
                    db.execute(
                        "UPDATE entries SET remote_id = ?, read = ? WHERE id = ?",
                        (synced.remote_id, int(bool(twin_read) or synced.read), twin_id),
                    )
                    if twin_read and not synced.read:
                        _queue_item_changes(db, "read", [synced.remote_id], True, now)
                else:
                    db.execute(
                        f"INSERT OR IGNORE INTO entries ({_INSERT_COLUMNS}, read, remote_id) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (feed_id, entry.guid, entry.url, entry.title, entry.author,
                         entry.published, entry.updated, entry.summary, entry.content, now,
                         entry.published or entry.updated or now, int(synced.read),
                         synced.remote_id),
                    )  # fmt: skip
                    new += 1
                url = twin[2] if twin is not None else entry.url
                if not synced.starred and url and _is_saved(db, url):
                    # saved here already (from a link, before the sync): star it there,
                    # or the server's "not starred" would take it off the reading list
                    _queue_item_changes(db, "starred", [synced.remote_id], True, now)
            if new:
                _link_duplicates(db, "id > ? AND feed_id = ?", (last_id, feed_id))
                db.execute("UPDATE feeds SET last_updated = ? WHERE id = ?", (now, feed_id))
        return new

    def apply_remote_state(
        self,
        unread: Iterable[str],
        starred: Iterable[str],
        *,
        keep_read: Iterable[str] = (),
        keep_starred: Iterable[str] = (),
    ) -> RemoteStateChanges:
        """Make the synced entries' read state the server's (``unread`` holds every unread
        item id there), except where a change here is queued or was just sent (``keep_*``);
        returns what changed and which entries the server starred or unstarred (the
        caller saves those, so the saved text is built outside this transaction)."""
        rows = [("unread", i) for i in unread] + [("starred", i) for i in starred]
        rows += [("keep_read", i) for i in keep_read]
        rows += [("keep_starred", i) for i in keep_starred]

        def not_pending(kind: str) -> str:
            return (
                f"e.remote_id NOT IN (SELECT target FROM sync_outbox WHERE kind = '{kind}') "
                f"AND e.remote_id NOT IN (SELECT id FROM temp.sync_ids WHERE list = 'keep_{kind}')"
            )

        def listed(name: str) -> str:
            return f"e.remote_id IN (SELECT id FROM temp.sync_ids WHERE list = '{name}')"

        saved = _SAVED.format(entry="e")
        with self.write() as db:
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS sync_ids (list TEXT NOT NULL, id TEXT NOT NULL, "
                "PRIMARY KEY (list, id)) WITHOUT ROWID"
            )
            db.execute("DELETE FROM temp.sync_ids")
            db.executemany("INSERT OR IGNORE INTO temp.sync_ids VALUES (?, ?)", rows)
            made_unread = db.execute(
                "UPDATE entries AS e SET read = 0 WHERE e.remote_id IS NOT NULL AND e.read = 1 "
                f"AND {listed('unread')} AND {not_pending('read')}"
            ).rowcount
            made_read = db.execute(
                "UPDATE entries AS e SET read = 1 WHERE e.remote_id IS NOT NULL AND e.read = 0 "
                f"AND NOT {listed('unread')} AND {not_pending('read')}"
            ).rowcount
            to_save = [
                row[0]
                for row in db.execute(
                    "SELECT e.id FROM entries e WHERE e.remote_id IS NOT NULL AND e.url IS NOT "
                    f"NULL AND {listed('starred')} AND NOT {saved} AND {not_pending('starred')}"
                )
            ]
            to_unsave = [
                row[0]
                for row in db.execute(
                    "SELECT DISTINCT r.url FROM entries e JOIN reading_list r ON r.url = e.url "
                    "OR r.url = (SELECT a.final_url FROM article_aliases a WHERE a.url = e.url) "
                    f"WHERE e.remote_id IS NOT NULL AND NOT {listed('starred')} "
                    f"AND {not_pending('starred')}"
                )
            ]
            db.execute("DELETE FROM temp.sync_ids")
        return RemoteStateChanges(
            read=int(made_read), unread=int(made_unread), to_save=to_save, to_unsave=to_unsave
        )

    def outbox(self) -> list[OutboxChange]:
        """The queued changes, oldest first."""
        rows = self._query(
            "SELECT id, kind, target, value, base, detail, changed_at, version FROM sync_outbox "
            "ORDER BY changed_at, id"
        )
        return [
            OutboxChange(
                id=row[0],
                kind=row[1],
                target=row[2],
                value=None if row[3] is None else bool(row[3]),
                base=None if row[4] is None else bool(row[4]),
                detail=row[5],
                changed_at=row[6],
                version=row[7],
            )
            for row in rows
        ]

    def outbox_count(self) -> int:
        """Changes waiting for the server (a state set back as it was does not count)."""
        return int(
            self._query("SELECT count(*) FROM sync_outbox WHERE value IS NULL OR value != base")[0][
                0
            ]
        )

    def outbox_done(self, changes: Iterable[OutboxChange]) -> None:
        """The server has these changes: drop them, unless one was changed again since it
        was read (then what the server has now becomes its base)."""
        with self.write() as db:
            for change in changes:
                gone = db.execute(
                    "DELETE FROM sync_outbox WHERE id = ? AND version = ?",
                    (change.id, change.version),
                ).rowcount
                if not gone and change.value is not None:
                    db.execute(
                        "UPDATE sync_outbox SET base = ? WHERE id = ?",
                        (int(change.value), change.id),
                    )

    def forget_sync(self) -> None:
        """Unlink everything from the sync server: feeds and entries stay, as local ones."""
        with self.write() as db:
            db.execute("UPDATE feeds SET remote_id = NULL, next_check = NULL "
                       "WHERE remote_id IS NOT NULL")  # fmt: skip
            db.execute("UPDATE entries SET remote_id = NULL WHERE remote_id IS NOT NULL")
            db.execute("DELETE FROM sync_outbox")
            db.execute("DELETE FROM state WHERE key LIKE 'sync.%'")

    def sync_state(self) -> dict[str, str]:
        """The sync bookkeeping (``sync.*`` keys of the state table), without the prefix."""
        return {
            key.removeprefix("sync."): value
            for key, value in self._query("SELECT key, value FROM state WHERE key LIKE 'sync.%'")
        }

    def set_sync_state(self, values: dict[str, str | None]) -> None:
        """Set (or, with None, clear) sync bookkeeping keys in one transaction."""
        with self.write() as db:
            for key, value in values.items():
                if value is None:
                    db.execute("DELETE FROM state WHERE key = ?", ("sync." + key,))
                else:
                    db.execute(
                        "INSERT INTO state (key, value) VALUES (?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        ("sync." + key, value),
                    )

    # --- more on this story (see story.py) -----------------------------------------------

    def story_sample(self, size: int) -> tuple[int, list[tuple[str, str]]]:
        """How many texts the store holds (entries and cached articles), and the title
        and text of about ``size`` entries and ``size // 2`` articles, spread evenly over
        each table by id: where term rarity is measured (an entry's text is its feed's
        HTML). Cheap at any size: the rows are fetched by id."""
        total = 0
        rows: list[tuple[str, str]] = []
        for table, text, wanted in (
            ("entries", "coalesce(content, summary, '')", size),
            ("articles", "text", size // 2),
        ):
            count, low, high = self._query(f"SELECT count(*), min(id), max(id) FROM {table}")[0]
            total += count
            columns = f"coalesce(title, ''), substr({text}, 1, 1200)"
            if count <= wanted:
                rows += [tuple(row) for row in self._query(f"SELECT {columns} FROM {table}")]
                continue
            step = (high - low) / wanted
            ids = sorted({low + int(i * step) for i in range(wanted)})
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                rows += self._query(
                    f"SELECT {columns} FROM {table} WHERE id IN ({','.join('?' * len(batch))})",
                    batch,
                )
        return total, rows

    def story_candidates(
        self,
        match: str,
        *,
        since: float,
        until: float,
        exclude_feed: int | None = None,
        exclude_entry: int | None = None,
        exclude_urls: Sequence[str] = (),
        limit: int = 40,
    ) -> list[StoryCandidate]:
        """Entries dated between ``since`` and ``until`` whose feed text or cached article
        matches the FTS5 query ``match``, best match first: one entry a group of
        duplicates, none of ``exclude_feed``, of ``exclude_entry``'s group or at
        ``exclude_urls``. Each comes with its cached article's text when there is one."""
        if not match:
            return []
        try:
            self.index_pending()  # usually nothing: refresh and prefetch index as they end
        except DatabaseLockedError:
            pass  # another program is writing: look in what is indexed
        # Each index gives its best few hundred first (cheap: the query's terms are the
        # article's rarest), then the dates and feeds narrow them down.
        pool = limit * 8
        marks = ",".join(f":u{i}" for i in range(len(exclude_urls)))
        rows = self._query(
            "WITH hits (id, rank) AS ("
            " SELECT * FROM (SELECT rowid, rank FROM entries_fts WHERE entries_fts MATCH :q"
            "  ORDER BY rank LIMIT :pool)"
            " UNION ALL"
            " SELECT e.id, m.rank FROM (SELECT rowid, rank FROM articles_fts"
            "  WHERE articles_fts MATCH :q ORDER BY rank LIMIT :pool) m"
            "  JOIN articles a ON a.id = m.rowid"
            "  JOIN entries e ON e.url = a.url"
            "   OR e.url IN (SELECT url FROM article_aliases WHERE final_url = a.url)"
            ")"
            " SELECT e.id, e.feed_id, e.title, e.url, coalesce(f.user_title, f.title, f.url),"
            " e.sort_date, e.published, coalesce(e.content, e.summary, ''),"
            " (SELECT substr(a.text, 1, 20000) FROM articles a WHERE a.url = e.url OR a.url ="
            "   (SELECT final_url FROM article_aliases WHERE url = e.url) LIMIT 1)"
            " FROM hits h JOIN entries e ON e.id = h.id JOIN feeds f ON f.id = e.feed_id"
            " WHERE e.dup_of IS NULL AND e.sort_date BETWEEN :since AND :until"
            " AND e.feed_id IS NOT :feed AND e.id IS NOT :group"
            f" AND (e.url IS NULL OR e.url NOT IN ({marks}))"
            " GROUP BY e.id ORDER BY min(h.rank) LIMIT :limit",
            {
                "q": match, "pool": pool, "since": since, "until": until, "limit": limit,
                "feed": exclude_feed, "group": self._group_of(exclude_entry),
                **{f"u{i}": url for i, url in enumerate(exclude_urls)},
            },
        )  # fmt: skip
        return [
            StoryCandidate(
                entry_id, feed_id, title, url, feed_title, date, published,
                text=cached if cached is not None else feed_text, cached=cached is not None,
            )
            for entry_id, feed_id, title, url, feed_title, date, published, feed_text, cached
            in rows
        ]  # fmt: skip

    def _group_of(self, entry_id: int | None) -> int | None:
        """The first entry of ``entry_id``'s group of duplicates (itself when alone)."""
        if entry_id is None:
            return None
        rows = self._query("SELECT coalesce(dup_of, id) FROM entries WHERE id = ?", (entry_id,))
        return int(rows[0][0]) if rows else None

    # --- search ------------------------------------------------------------------------

    def pending_index_count(self) -> int:
        """Rows (entries and cached articles) not yet in the full-text index."""
        return sum(
            int(self._query(f"SELECT count(*) FROM {table}_fts_pending")[0][0])
            for table, _ in _FTS_TABLES
        )

    def index_pending(self, batch: int = INDEX_BATCH) -> int:
        """Put new and changed rows into the full-text index, ``batch`` rows a transaction
        (an interrupted pass keeps what it did); how many went in. Refresh and prefetch
        call it when they finish, search before it looks."""
        done = 0
        for table, columns in _FTS_TABLES:
            while True:
                with self.write() as db:
                    wanted = f"SELECT id FROM {table}_fts_pending ORDER BY id LIMIT {batch:d}"
                    ids = [row[0] for row in db.execute(wanted)]
                    if not ids:
                        break
                    upto = ids[-1]
                    db.execute(
                        f"INSERT INTO {table}_fts (rowid, {columns}) SELECT id, {columns} "
                        f"FROM {table} WHERE id IN (SELECT id FROM {table}_fts_pending "
                        "WHERE id <= ?)",
                        (upto,),
                    )
                    db.execute(f"DELETE FROM {table}_fts_pending WHERE id <= ?", (upto,))
                done += len(ids)
                if len(ids) < batch:
                    break
        return done

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Entries and cached articles matching every word (as a prefix, accents folded),
        best first, then newest. An article an entry links to (kept ahead by prefetch, or
        opened) shows once, as the entry, its feed named.
        """
        match = fts_query(query)
        if not match:
            return []
        try:
            self.index_pending()  # usually nothing: refresh and prefetch index as they end
        except DatabaseLockedError:
            pass  # another program is writing: search what is indexed
        # Each side takes its best :limit by FTS5's rank first (cheap: no join for the
        # thousands of other matches), then the two are merged. Titles weigh most.
        rows = self._query(
            "SELECT * FROM ("
            " SELECT 'entry', e.url, coalesce(e.title, ''), e.sort_date, m.rank, e.id,"
            " coalesce(f.user_title, f.title, f.url) FROM"
            " (SELECT rowid, rank FROM entries_fts WHERE entries_fts MATCH :q"
            "  AND rank MATCH 'bm25(10.0, 2.0, 1.0)' ORDER BY rank LIMIT :limit) m"
            " JOIN entries e ON e.id = m.rowid JOIN feeds f ON f.id = e.feed_id"
            " UNION ALL"
            # an article an entry links to (a page kept ahead, or opened) is that entry's
            " SELECT CASE WHEN e.id IS NULL THEN 'article' ELSE 'entry' END,"
            " coalesce(e.url, a.url), coalesce(nullif(e.title, ''), a.title),"
            " coalesce(e.sort_date, a.fetched_at), m.rank, e.id,"
            " coalesce(f.user_title, f.title, f.url) FROM"
            " (SELECT rowid, rank FROM articles_fts WHERE articles_fts MATCH :q"
            "  AND rank MATCH 'bm25(10.0, 1.0)' ORDER BY rank LIMIT :limit) m"
            " JOIN articles a ON a.id = m.rowid"
            " LEFT JOIN entries e ON e.id = (SELECT l.id FROM entries l WHERE l.dup_of IS NULL"
            "  AND (l.url = a.url OR l.url IN"
            "   (SELECT url FROM article_aliases WHERE final_url = a.url))"
            "  ORDER BY l.sort_date DESC LIMIT 1)"
            " LEFT JOIN feeds f ON f.id = e.feed_id"
            ") ORDER BY 5, 4 DESC LIMIT :limit",
            {"q": match, "limit": limit * 2},
        )
        hits: list[SearchHit] = []
        seen_ids: set[int] = set()
        seen_urls: set[str] = set()
        for kind, url, title, date, rank, entry_id, feed_title in rows:
            if entry_id in seen_ids or url in seen_urls:
                continue
            if entry_id is not None:
                seen_ids.add(entry_id)
            if url:
                seen_urls.add(url)
            hits.append(SearchHit(kind, url, title, date, rank, entry_id, feed_title))
        return hits[:limit]


def _forget_orphan_aliases(db: sqlite3.Connection) -> None:
    """Aliases whose article is gone."""
    db.execute("DELETE FROM article_aliases WHERE final_url NOT IN (SELECT url FROM articles)")


def _feed_update_columns(update: FeedUpdate, changed_at: float | None) -> dict[str, Any]:
    """The feed columns a refresh result sets: the one place they are named."""
    columns: dict[str, Any] = {
        "next_check": update.next_check,
        "error_count": update.error_count,
        "last_error": update.error,
    }
    if update.error_at is not None:
        columns["last_error_at"] = update.error_at
    if update.checked_at is not None:
        columns["last_checked"] = update.checked_at
    if changed_at is not None:
        columns["last_updated"] = changed_at
    if update.answer is not None:
        columns["etag"] = update.answer.etag
        columns["last_modified"] = update.answer.last_modified
        if update.answer.moved_to:
            columns["url"] = update.answer.moved_to
    if update.metadata is not None:
        columns["body_hash"] = update.metadata.body_hash
        columns["update_hint"] = update.metadata.update_hint
        if update.metadata.title:
            columns["title"] = update.metadata.title
        if update.metadata.site_url:
            columns["site_url"] = update.metadata.site_url
    return columns


def _apply_feed_update(
    db: sqlite3.Connection, update: FeedUpdate, changed_at: float | None = None
) -> None:
    """Write a refresh result to its feed's row. A new URL that another feed already has
    is left alone (two subscriptions redirected to one feed stay two rows)."""
    columns = _feed_update_columns(update, changed_at)
    if (
        "url" in columns
        and db.execute(
            "SELECT 1 FROM feeds WHERE url = ? AND id != ?", (columns["url"], update.feed_id)
        ).fetchone()
    ):
        del columns["url"]
    assignments = ", ".join(f"{name} = ?" for name in columns)
    db.execute(f"UPDATE feeds SET {assignments} WHERE id = ?", (*columns.values(), update.feed_id))


_INSERT_COLUMNS: Final = (
    "feed_id, guid, url, title, author, published, updated, summary, content, first_seen, sort_date"
)


def _insert_entries(db: sqlite3.Connection, feed_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Insert a feed's new entries: rows of (guid, url, title, author,
    published, updated, summary, content, first_seen, sort_date).

    One statement, not one per row, when other threads run Python (the refresh's store
    thread beside the event loop): every statement gives up the GIL and waits to get it
    back (a third of the store time). A worker process has no other thread, and there the
    plain statement per row is cheaper (encoding and decoding the JSON took 0.7 ms a feed,
    inside the write lock the workers take turns at).
    """
    import json
    import threading

    one_by_one = (
        f"INSERT OR IGNORE INTO entries ({_INSERT_COLUMNS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    if threading.active_count() == 1:
        db.executemany(one_by_one, [(feed_id, *row) for row in rows])
        return
    payload = json.dumps(rows, ensure_ascii=False)
    try:
        # json_extract cuts a string at a NUL character: such rows take the slow path
        if "\\u0000" in payload:
            raise sqlite3.OperationalError("json: text holds NUL characters")
        db.execute(
            f"INSERT OR IGNORE INTO entries ({_INSERT_COLUMNS}) SELECT ?, "
            + ", ".join(f"json_extract(value, '$[{i}]')" for i in range(10))
            + " FROM json_each(?)",
            (feed_id, payload),
        )
    except sqlite3.OperationalError as error:
        if "json" not in str(error).lower():
            raise
        # an SQLite built without JSON, or NULs in the text: one statement per row
        db.executemany(one_by_one, [(feed_id, *row) for row in rows])


def _queue_item_changes(
    db: sqlite3.Connection, kind: str, targets: Sequence[str], value: bool, changed_at: float
) -> None:
    """Queue read/starred changes of synced entries; a later change of the same item
    replaces the value and keeps the base (what the server had at the last sync)."""
    if not targets:
        return
    db.executemany(
        "INSERT INTO sync_outbox (kind, target, value, base, changed_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (kind, target) DO UPDATE SET value = excluded.value, "
        "changed_at = excluded.changed_at, version = sync_outbox.version + 1",
        [(kind, target, int(value), int(not value), changed_at) for target in targets],
    )


def _queue_feed_change(
    db: sqlite3.Connection, kind: str, target: str, detail: str, changed_at: float
) -> None:
    if kind == "unsubscribe":
        db.execute("DELETE FROM sync_outbox WHERE kind = 'edit' AND target = ?", (target,))
    db.execute(
        "INSERT INTO sync_outbox (kind, target, detail, changed_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (kind, target) DO UPDATE SET detail = excluded.detail, "
        "changed_at = excluded.changed_at, version = sync_outbox.version + 1",
        (kind, target, detail, changed_at),
    )


def _synced_entries_of(db: sqlite3.Connection, url: str) -> list[str]:
    """The remote ids of the synced entries linking to ``url`` (or redirecting to it)."""
    return [
        row[0]
        for row in db.execute(
            "SELECT remote_id FROM entries WHERE remote_id IS NOT NULL AND (url = ? OR url IN "
            "(SELECT url FROM article_aliases WHERE final_url = ?))",
            (url, url),
        )
    ]


# An entry (alias {entry}) is on the reading list: its URL, or where that URL redirects.
_SAVED: Final = (
    "EXISTS (SELECT 1 FROM reading_list r WHERE r.url = {entry}.url OR r.url = "
    "(SELECT a.final_url FROM article_aliases a WHERE a.url = {entry}.url))"
)


def _is_saved(db: sqlite3.Connection, url: str) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM reading_list WHERE url = ? OR url = "
            "(SELECT final_url FROM article_aliases WHERE url = ?)",
            (url, url),
        ).fetchone()
    )


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sorts as people do: case and accents aside, numbers by value ("Feed 8" before
    "Feed 79"), whatever the language."""
    import re
    import unicodedata

    folded = text.casefold()
    if not folded.isascii():  # ASCII has no accents to drop (most titles: 200 feeds' sort
        # at start took 20 ms of the feed list's 30)
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", folded)
        if part
    )


def _with_duplicates(db: sqlite3.Connection, entry_ids: Sequence[int]) -> list[int]:
    """``entry_ids`` and every other entry of their groups of duplicates."""
    found = set(entry_ids)
    for start in range(0, len(entry_ids), 500):
        batch = entry_ids[start : start + 500]
        firsts = (
            f"SELECT coalesce(dup_of, id) FROM entries WHERE id IN ({','.join('?' * len(batch))})"
        )
        found.update(
            row[0]
            for row in db.execute(
                f"SELECT id FROM entries WHERE id IN ({firsts}) OR dup_of IN ({firsts})",
                (*batch, *batch),
            )
        )
    return sorted(found)


def _set_read(db: sqlite3.Connection, entry_ids: Sequence[int], read: bool, now: float) -> int:
    """Mark these entries read or unread, queueing the synced ones' changes: how many
    changed. The ids go through a temporary table, so there may be any number."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS marking (id INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM temp.marking")
    db.executemany("INSERT OR IGNORE INTO temp.marking VALUES (?)", [(i,) for i in entry_ids])
    chosen = "id IN (SELECT id FROM temp.marking) AND read != ?"
    synced = db.execute(
        f"SELECT remote_id FROM entries WHERE {chosen} AND remote_id IS NOT NULL", (int(read),)
    ).fetchall()
    changed = db.execute(f"UPDATE entries SET read = ? WHERE {chosen}", (int(read), int(read)))
    _queue_item_changes(db, "read", [row[0] for row in synced], read, now)
    db.execute("DELETE FROM temp.marking")
    return int(changed.rowcount)


def _link_duplicates(db: sqlite3.Connection, rows: str, params: Sequence[Any]) -> None:
    """Point the entries matching ``rows`` at the first entry of another feed with their
    URL or guid (its group's first: the groups are kept flat), or at none; a new copy of
    a read entry is read."""
    # only the rows that change are written: most new entries have no duplicate
    db.execute(
        "UPDATE entries SET dup_of = (SELECT min(coalesce(o.dup_of, o.id)) FROM entries o "
        f"WHERE o.id < entries.id AND {_SAME_ENTRY}) WHERE {rows} AND (dup_of IS NOT NULL "
        f"OR EXISTS (SELECT 1 FROM entries o WHERE o.id < entries.id AND {_SAME_ENTRY}))",
        params,
    )
    db.execute(
        "UPDATE entries SET read = 1 WHERE read = 0 AND dup_of IS NOT NULL AND "
        f"(SELECT first.read FROM entries first WHERE first.id = entries.dup_of) AND {rows}",
        params,
    )


def fts_query(text: str) -> str:
    """A user's words as an FTS5 query: every word must match, each as a prefix.

    The index folds accents but keeps ß, so "grosse" and "große" are both tried for a
    word written either way (a German reader types either)."""
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    terms = []
    for word in words:
        forms = dict.fromkeys((word, word.replace("ß", "ss"), word.replace("ss", "ß")))
        alternatives = " OR ".join(f'"{form}"*' for form in forms)
        terms.append(f"({alternatives})" if len(forms) > 1 else alternatives)
    return " AND ".join(terms)


def _migrate(db: sqlite3.Connection, version: int) -> None:
    """Apply every migration past ``version``, each in its own transaction."""
    for number in range(version + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            # re-read under the write lock: another process may have migrated meanwhile
            current = db.execute("PRAGMA user_version").fetchone()[0]
            if current >= number:
                db.execute("ROLLBACK")
                continue
            for statement in _split_sql(_MIGRATIONS[number - 1]):
                try:
                    db.execute(statement)
                except sqlite3.Error as error:
                    raise StorageError(
                        f"upgrading the database to version {number} failed ({error}); "
                        "it was left as it was"
                    ) from None
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (triggers hold ';' inside BEGIN ... END)."""
    text = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    statements: list[str] = []
    current = ""
    for piece in text.split(";"):
        current += piece + ";"
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip())
            current = ""
    return statements


def _translate(error: sqlite3.OperationalError, path: Path) -> StorageError:
    message = str(error)
    if "locked" in message or "busy" in message:
        return DatabaseLockedError(
            f"{path} is locked by another program; close it or try again in a moment"
        )
    if "readonly" in message or "read-only" in message:
        return StorageError(f"{path} is read-only; check its permissions")
    if "disk" in message and "full" in message:
        return StorageError(f"the disk holding {path} is full")
    if "unable to open" in message and not os.access(path.parent, os.W_OK):
        # a WAL database opens, then its first statement needs the -shm file beside it
        return StorageError(f"{path.parent} is read-only: reader writes its journal there")
    return StorageError(f"{path}: {message}")
