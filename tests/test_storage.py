"""The store: migrations, refusal of foreign or damaged files, locking, two writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from reader import storage as storage_module
from reader.errors import DatabaseLockedError, NotADatabaseError, StorageError
from reader.models import Article, Block, EntryData, EntryFilter, Span
from reader.storage import SCHEMA_VERSION, Storage


def test_new_database_is_migrated_to_the_latest_version(db_path: Path) -> None:
    store = Storage(db_path)
    store.close()
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA application_id").fetchone()[0] == storage_module.APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"feeds", "entries", "reading_list", "articles", "entries_fts"} <= tables


def test_existing_database_is_upgraded_and_keeps_its_data(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Storage(db_path)
    feed = store.add_feed("https://example.org/feed")
    assert feed is not None
    store.store_entries(feed.id, [EntryData("g1", title="kept")])
    store.close()

    extra = "ALTER TABLE feeds ADD COLUMN note TEXT; UPDATE feeds SET note = 'migrated';"
    monkeypatch.setattr(storage_module, "_MIGRATIONS", (*storage_module._MIGRATIONS, extra))
    monkeypatch.setattr(storage_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    store = Storage(db_path)
    assert store._query("PRAGMA user_version")[0][0] == SCHEMA_VERSION + 1
    assert store._query("SELECT note FROM feeds")[0][0] == "migrated"
    assert [e.title for e in store.entries()] == ["kept"]
    store.close()


def test_a_failed_migration_leaves_the_database_as_it_was(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Storage(db_path).close()
    broken = "ALTER TABLE feeds ADD COLUMN x TEXT; THIS IS NOT SQL;"
    monkeypatch.setattr(storage_module, "_MIGRATIONS", (*storage_module._MIGRATIONS, broken))
    monkeypatch.setattr(storage_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StorageError):
        Storage(db_path)
    db = sqlite3.connect(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    columns = [row[1] for row in db.execute("PRAGMA table_info(feeds)")]
    assert "x" not in columns


def test_a_database_of_another_program_is_refused_and_untouched(db_path: Path) -> None:
    other = sqlite3.connect(db_path)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    other.commit()
    other.close()
    before = db_path.read_bytes()
    with pytest.raises(NotADatabaseError, match="not a reader database"):
        Storage(db_path)
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    "content",
    [b"just some text, not a database\n" * 10, b"SQLite format 3\x00" + b"\xff" * 5000],
    ids=["text", "damaged"],
)
def test_a_file_that_is_not_a_database_is_refused_and_untouched(
    db_path: Path, content: bytes
) -> None:
    db_path.write_bytes(content)
    with pytest.raises(NotADatabaseError, match="left untouched"):
        Storage(db_path)
    assert db_path.read_bytes() == content


def test_a_database_from_a_newer_reader_is_refused(db_path: Path) -> None:
    Storage(db_path).close()
    db = sqlite3.connect(db_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.close()
    with pytest.raises(StorageError, match="newer reader"):
        Storage(db_path)


def test_a_locked_database_waits_briefly_then_says_so(db_path: Path) -> None:
    store = Storage(db_path, busy_timeout=0.2)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLockedError, match="locked by another program"):
            store.add_feed("https://example.org/feed")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.add_feed("https://example.org/feed") is not None


def _writer(path: str, worker: int, count: int) -> None:
    store = Storage(path, busy_timeout=30)
    for index in range(count):
        feed = store.add_feed(f"https://example.org/{worker}/{index}")
        assert feed is not None
        store.store_entries(
            feed.id, [EntryData(f"g{n}", title=f"entry {n}", content="x" * 200) for n in range(5)]
        )
        store.set_read([e.id for e in store.entries(EntryFilter(feed_id=feed.id), limit=2)])
    store.close()


def test_two_processes_writing_at_once_corrupt_nothing(db_path: Path) -> None:
    Storage(db_path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(db_path), n, 60)) for n in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    store = Storage(db_path)
    assert store.integrity_check() == "ok"
    assert len(store.feeds()) == 120
    assert store.count_entries() == 600
    assert store.count_entries(EntryFilter(unread_only=True)) == 360


def test_update_in_place_keeps_read_state(db_path: Path) -> None:
    store = Storage(db_path)
    feed = store.add_feed("https://example.org/feed")
    assert feed is not None
    assert store.store_entries(feed.id, [EntryData("g", title="first")]) == (1, 0)
    entry = store.entries()[0]
    store.set_read([entry.id])
    assert store.store_entries(feed.id, [EntryData("g", title="second")]) == (0, 1)
    again = store.entries()[0]
    assert (again.id, again.title, again.read) == (entry.id, "second", True)
    assert store.store_entries(feed.id, [EntryData("g", title="second")]) == (0, 0)


def test_removing_a_feed_removes_its_entries_but_not_the_reading_list(db_path: Path) -> None:
    store = Storage(db_path)
    feed = store.add_feed("https://example.org/feed")
    assert feed is not None
    store.store_entries(feed.id, [EntryData("g", url="https://example.org/a", title="A")])
    article = Article(
        url="https://example.org/a", title="A", blocks=(Block("paragraph", (Span("text"),)),)
    )
    store.save_article(article.url, "A", "Example", "text", article=article)
    assert store.entries()[0].saved
    assert store.remove_feed(feed.url)
    assert store.count_entries() == 0
    saved = store.saved_articles()
    assert [s.title for s in saved] == ["A"]
    assert saved[0].article == article


def test_search_folds_accents_and_matches_prefixes(db_path: Path) -> None:
    store = Storage(db_path)
    feed = store.add_feed("https://example.org/feed")
    assert feed is not None
    store.store_entries(
        feed.id,
        [
            EntryData("1", title="Sécurité routière", content="les routes"),
            EntryData("2", title="Weather", content="a storm is coming"),
        ],
    )
    assert [r.title for r in store.search("securite")] == ["Sécurité routière"]
    assert [r.title for r in store.search("sto")] == ["Weather"]
    assert store.search("   ") == []
    assert store.search('"unbalanced AND (') == []


def test_entries_page_newest_first(db_path: Path) -> None:
    store = Storage(db_path)
    feed = store.add_feed("https://example.org/feed")
    assert feed is not None
    store.store_entries(
        feed.id, [EntryData(str(n), title=f"t{n}", published=1000.0 + n) for n in range(10)]
    )
    assert [e.title for e in store.entries(limit=3)] == ["t9", "t8", "t7"]
    assert [e.title for e in store.entries(limit=3, offset=3)] == ["t6", "t5", "t4"]
    ids = store.entry_ids()
    assert [e.title for e in store.entries_by_id(ids[:2])] == ["t9", "t8"]


def test_unread_lists_use_the_partial_index(db_path: Path) -> None:
    store = Storage(db_path)
    plan = " ".join(
        str(row[3])
        for row in store._query(
            "EXPLAIN QUERY PLAN SELECT e.id FROM entries e WHERE e.read = 0 "
            "ORDER BY e.sort_date DESC, e.id DESC"
        )
    )
    assert "entries_unread_by_date" in plan and "TEMP B-TREE" not in plan


def test_refresh_lookups_use_the_feed_guid_index(db_path: Path) -> None:
    store = Storage(db_path)
    plan = " ".join(
        str(row[3])
        for row in store._query(
            "EXPLAIN QUERY PLAN SELECT guid FROM entries WHERE feed_id = ? AND guid = ?", (1, "g")
        )
    )
    assert "USING INDEX" in plan or "USING COVERING INDEX" in plan


def test_text_with_nul_characters_is_stored_whole(db_path: Path) -> None:
    store = Storage(db_path)
    feed = store.add_feed("https://example.org/feed")
    assert feed is not None
    store.store_entries(
        feed.id, [EntryData("a", title="NUL\x00 BEL\x07 end"), EntryData("b", title="plain")]
    )
    assert sorted(e.title or "" for e in store.entries()) == ["NUL\x00 BEL\x07 end", "plain"]


def test_saved_count_and_one_saved_article(db_path: Path) -> None:
    store = Storage(db_path)
    assert store.saved_count() == 0 and store.saved_article("https://e.example/a") is None
    store.save_article("https://e.example/a", "A", None, "text a")
    store.save_article("https://e.example/b", "B", None, "text b")
    assert store.saved_count() == 2
    found = store.saved_article("https://e.example/b")
    assert found is not None and (found.title, found.text) == ("B", "text b")


def test_feeds_sort_naturally_and_without_case(tmp_path: Path) -> None:
    store = Storage(tmp_path / "s.sqlite")
    titles = ["Feed 79", "feed 8", "Feed 10", "Élan", "eagle", "Zeta", "alpha"]
    store.add_feeds((f"https://x.example/{i}", title, None) for i, title in enumerate(titles))
    store.add_feeds([("https://x.example/n", "News 2", "Folder 10"),
                     ("https://x.example/m", "News 1", "folder 9")])  # fmt: skip
    assert [f.display_title for f in store.feeds()] == [
        "alpha", "eagle", "Élan", "feed 8", "Feed 10", "Feed 79", "Zeta", "News 1", "News 2",
    ]  # fmt: skip
    store.close()


def test_an_article_cached_twice_before_it_is_indexed(tmp_path: Path) -> None:
    # the second copy replaced the first through an upsert, whose conflict rule overrode
    # the index triggers' OR IGNORE: "UNIQUE constraint failed: articles_fts_pending.id"
    from reader.models import Article

    store = Storage(tmp_path / "s.sqlite")
    first = Article(url="https://a.example/1", title="One", fetched_at=1.0)
    store.cache_article(first)
    store.cache_article(replace(first, title="One, again", fetched_at=2.0), etag='"v2"')
    cached = store.cached_article("https://a.example/1")
    assert cached is not None and cached.title == "One, again"
    assert store.article_validators("https://a.example/1") == ('"v2"', None)
    store.close()
