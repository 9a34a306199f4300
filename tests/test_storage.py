"""The store: migrations, refusal of foreign or damaged files, locking, two writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections.abc import Callable
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


@pytest.mark.parametrize("threads", [1, 3], ids=["worker process", "beside other threads"])
def test_new_entries_are_stored_whole_by_either_insert(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, threads: int
) -> None:
    """A worker process (no other thread) inserts row by row, the app's store thread as
    one JSON statement: both keep every field, odd text included."""
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: threads)
    store = Storage(db_path)
    feed = store.add_feed("https://example.org/feed")
    assert feed is not None
    odd = 'quotes " \' back\\slash \u00e9\U0001f600 "[1, 2]" {"a": 1}'
    sent = [
        EntryData("g1", url="https://example.org/1", title=odd, author="A. Writer",
                  published=1000.0, updated=1001.0, summary="<p>one</p>", content=odd),
        EntryData("g2", title="NUL\x00inside", summary="two\x00"),
        EntryData("g3"),
    ]  # fmt: skip
    assert store.store_entries(feed.id, sent) == (3, 0)
    stored = {entry.guid: entry for entry in store.entries()}
    assert (stored["g1"].url, stored["g1"].title, stored["g1"].author) == (
        "https://example.org/1", odd, "A. Writer")  # fmt: skip
    assert (stored["g1"].published, stored["g1"].updated) == (1000.0, 1001.0)
    assert (stored["g1"].summary, stored["g1"].content) == ("<p>one</p>", odd)
    assert (stored["g2"].title, stored["g2"].summary) == ("NUL\x00inside", "two\x00")
    assert stored["g3"].title is None


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


def _plans(store: Storage, run: Callable[[], object]) -> list[str]:
    """The query plans of every statement ``run`` makes the store execute."""
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    try:
        run()
    finally:
        store._db.set_trace_callback(None)
    return [
        " | ".join(str(row[3]) for row in store._query("EXPLAIN QUERY PLAN " + sql))
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
    ]


@pytest.mark.parametrize(
    ("filter", "index"),
    [
        (EntryFilter(), "entries_listed_by_date"),
        (EntryFilter(unread_only=True), "entries_listed_unread_by_date"),
        (EntryFilter(feed_id=1), "entries_by_feed_date"),
        (EntryFilter(feed_id=1, unread_only=True), "entries_unread_by_feed_date"),
    ],
)
def test_the_lists_read_their_index_in_order(
    db_path: Path, filter: EntryFilter, index: str
) -> None:
    """All and Unread leave the duplicates out from the index itself (ids and counts
    without a row lookup, pages without a sort): what keeps them fast at 100,000
    entries (bench/tui.py)."""
    store = Storage(db_path)
    [ids] = _plans(store, lambda: store.entry_ids(filter))
    [page] = _plans(store, lambda: store.entries(filter, 50))
    [count] = _plans(store, lambda: store.count_entries(filter))
    for plan in (ids, page):
        assert f"INDEX {index}" in plan and "TEMP B-TREE" not in plan, plan
    if filter.feed_id is None:
        assert f"COVERING INDEX {index}" in ids and "COVERING INDEX" in count, (ids, count)


@pytest.mark.parametrize(
    ("filter", "index"),
    [
        (EntryFilter(), "entries_listed_by_date"),
        (EntryFilter(unread_only=True), "entries_listed_unread_by_date"),
        (EntryFilter(feed_id=1), "entries_by_feed_date"),
    ],
)
def test_an_entry_position_is_counted_in_a_range_of_the_index(
    db_path: Path, filter: EntryFilter, index: str
) -> None:
    """The rows before the entry are a range of the list's index (the app's restore at
    start): spelled with OR, the count scanned the whole index (3.7 ms at 100,000)."""
    store = Storage(db_path)
    feed = store.add_feed("https://a.example/feed", title="A")
    assert feed is not None and feed.id == 1
    store.store_entries(feed.id, [EntryData(f"g{i}", title=f"t{i}", published=1000.0 + i)
                                  for i in range(3)])  # fmt: skip
    second = store.entry_ids()[1]
    [_found, count] = _plans(store, lambda: store.entry_position(filter, second))
    assert count.startswith("SEARCH") and f"COVERING INDEX {index} (" in count, count
    store.close()


# --- duplicates across feeds ------------------------------------------------------------


def _two_feeds(
    store: Storage, folders: tuple[str | None, str | None] = (None, None)
) -> tuple[int, int]:
    a = store.add_feed("https://a.example/feed", title="Feed A", folder=folders[0])
    b = store.add_feed("https://b.example/feed", title="Feed B", folder=folders[1])
    assert a is not None and b is not None
    return a.id, b.id


def _entry(guid: str, url: str | None, title: str, date: float = 1000.0) -> EntryData:
    return EntryData(guid, url=url, title=title, published=date)


def test_the_same_url_in_two_feeds_is_listed_once_with_both_feeds_named(db_path: Path) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store)
    store.store_entries(a, [_entry("a1", "https://news.example/1", "Story", 1000),
                            _entry("a2", "https://news.example/2", "Other", 900)])  # fmt: skip
    store.store_entries(b, [_entry("b1", "https://news.example/1", "Story again", 1001)])
    listed = store.entries()
    assert [(e.title, e.feed_title, e.also_in) for e in listed] == [
        ("Story", "Feed A", ("Feed B",)),
        ("Other", "Feed A", ()),
    ]
    assert store.count_entries() == len(store.entry_ids()) == 2
    assert store.count_entries(EntryFilter(unread_only=True)) == 2
    # each feed's own list still has its own entry
    [copy] = store.entries(EntryFilter(feed_id=b))
    assert (copy.title, copy.also_in) == ("Story again", ("Feed A",))
    assert store.count_entries(EntryFilter(feed_id=b)) == 1
    assert store.unread_counts() == {a: 2, b: 1}


def test_reading_one_copy_marks_the_others(db_path: Path) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store)
    store.store_entries(a, [_entry("a1", "https://news.example/1", "Story")])
    store.store_entries(b, [_entry("b1", "https://news.example/1", "Story")])
    [first] = store.entries(EntryFilter(feed_id=a))
    [copy] = store.entries(EntryFilter(feed_id=b))
    assert store.set_read([copy.id]) == 2
    assert store.count_entries(EntryFilter(unread_only=True)) == 0
    assert store.unread_counts() == {}
    assert store.set_read([first.id], read=False) == 2
    assert store.unread_counts() == {a: 1, b: 1}
    assert store.mark_feed_read(b) == 2  # the feed's, and its copy in the other feed
    assert store.unread_counts() == {}


def test_a_synced_copy_read_here_is_queued_for_the_server(db_path: Path) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store)
    store.store_entries(a, [_entry("a1", "https://news.example/1", "Story")])
    store.store_entries(b, [_entry("b1", "https://news.example/1", "Story")])
    with store.write() as db:
        db.execute("UPDATE entries SET remote_id = 'item-1' WHERE feed_id = ?", (b,))
    [first] = store.entries(EntryFilter(feed_id=a))
    store.set_read([first.id])
    assert [(c.kind, c.target, c.value) for c in store.outbox()] == [("read", "item-1", True)]


def test_a_new_copy_of_a_read_entry_arrives_read(db_path: Path) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store)
    store.store_entries(a, [_entry("a1", "https://news.example/1", "Story")])
    store.set_read(store.entry_ids())
    store.store_entries(b, [_entry("b1", "https://news.example/1", "Story"),
                            _entry("b2", "https://news.example/2", "New")])  # fmt: skip
    assert [e.title for e in store.entries(EntryFilter(unread_only=True))] == ["New"]
    assert store.unread_counts() == {b: 1}


@pytest.mark.parametrize(
    ("guid_a", "url_a", "guid_b", "url_b", "same"),
    [
        ("tag:wire.example,2026:1", "https://a.example/1", "tag:wire.example,2026:1",
         "https://b.example/1?utm_source=wire", True),  # the same guid, a URI
        ("urn:uuid:5a1e", None, "urn:uuid:5a1e", None, True),
        ("1", "https://a.example/1", "1", "https://b.example/1", False),  # ids of each feed
        ("1", "https://news.example/x", "2", "https://news.example/x", True),  # the same URL
        ("1", None, "1", None, False),
    ],
)  # fmt: skip
def test_what_makes_a_duplicate(
    db_path: Path, guid_a: str, url_a: str | None, guid_b: str, url_b: str | None, same: bool
) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store)
    store.store_entries(a, [_entry(guid_a, url_a, "One")])
    store.store_entries(b, [_entry(guid_b, url_b, "Two")])
    assert store.count_entries() == (1 if same else 2)


def test_removing_the_first_feed_lists_its_copy(db_path: Path) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store)
    c = store.add_feed("https://c.example/feed", title="Feed C")
    assert c is not None
    for feed in (a, b, c.id):
        store.store_entries(feed, [_entry(f"{feed}", "https://news.example/1", f"From {feed}")])
    assert [e.also_in for e in store.entries()] == [("Feed B", "Feed C")]
    assert store.remove_feed("https://a.example/feed")
    [listed] = store.entries()
    assert (listed.feed_title, listed.also_in) == ("Feed B", ("Feed C",))
    [copy] = store.entries(EntryFilter(feed_id=c.id))
    store.set_read([copy.id])  # the group holds together under its new first
    assert store.count_entries(EntryFilter(unread_only=True)) == 0


def test_an_entry_whose_url_changes_to_another_feeds_is_linked(db_path: Path) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store)
    store.store_entries(a, [_entry("a1", "https://news.example/1", "Story")])
    store.store_entries(b, [_entry("b1", "https://news.example/1-draft", "Story")])
    assert store.count_entries() == 2
    store.store_entries(b, [_entry("b1", "https://news.example/1", "Story")])
    assert store.count_entries() == 1


def test_a_folder_lists_a_duplicate_once_and_keeps_what_only_it_has(db_path: Path) -> None:
    store = Storage(db_path)
    a, b = _two_feeds(store, folders=("World", "Local"))
    c = store.add_feed("https://c.example/feed", title="Feed C", folder="Local")
    assert c is not None
    for feed in (a, b, c.id):
        store.store_entries(feed, [_entry(f"{feed}", "https://news.example/1", "Story")])
    # the first is in World: Local lists its first copy, once
    assert [e.feed_id for e in store.entries(EntryFilter(folder="Local"))] == [b]
    assert store.count_entries(EntryFilter(folder="Local")) == 1
    assert [e.feed_id for e in store.entries(EntryFilter(folder="World"))] == [a]
    assert store.count_entries() == 1


def test_a_folder_counts_a_duplicate_once(db_path: Path) -> None:
    """The folder's unread count is what its list shows: two of its feeds carrying one
    story count it once (it counted twice), a copy in another folder still counts there."""
    store = Storage(db_path)
    a, b = _two_feeds(store, folders=("Local", "Local"))
    c = store.add_feed("https://c.example/feed", title="Feed C", folder="World")
    assert c is not None
    for feed in (a, b, c.id):
        store.store_entries(feed, [_entry(f"{feed}", "https://news.example/1", "Story"),
                                   _entry(f"{feed}-own", None, f"Only {feed}")])  # fmt: skip
    counts = store.unread_counts()
    for folder, feeds in (("Local", (a, b)), ("World", (c.id,))):
        listed = store.count_entries(EntryFilter(folder=folder, unread_only=True))
        summed = sum(counts[f] for f in feeds)
        assert summed - store.folder_repeats().get(folder, 0) == listed
    assert store.folder_repeats() == {"Local": 1}
    store.set_read([store.entries(EntryFilter(feed_id=b))[-1].id])  # the story, all copies
    assert store.folder_repeats() == {}


def test_the_migration_links_the_duplicates_a_store_already_has(db_path: Path) -> None:
    """A store from before duplicates were linked (the schema before): opening it links them, a
    group read anywhere is read, and the lists show each once."""
    version = storage_module._MIGRATIONS.index(
        next(m for m in storage_module._MIGRATIONS if "dup_of INTEGER" in m)
    )
    db = sqlite3.connect(db_path, isolation_level=None)
    for script in storage_module._MIGRATIONS[:version]:
        for statement in storage_module._split_sql(script):
            db.execute(statement)
    db.execute(f"PRAGMA application_id = {storage_module.APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {version}")
    for feed in (1, 2, 3):
        db.execute(
            "INSERT INTO feeds (id, url, user_title, added_at) VALUES (?, ?, ?, 0)",
            (feed, f"https://{feed}.example/feed", f"Feed {feed}"),
        )
    rows = [  # id, feed, guid, url, read
        (1, 1, "a", "https://news.example/1", 0),
        (2, 2, "b", "https://news.example/1", 1),  # a copy of 1, read
        (3, 3, "tag:x,2026:c", "https://news.example/other", 0),
        (4, 2, "tag:x,2026:c", "https://news.example/1?utm=x", 0),  # of 3 by guid
        (5, 3, "e", "https://news.example/5", 0),
    ]
    db.executemany(
        "INSERT INTO entries (id, feed_id, guid, url, title, read, first_seen, sort_date) "
        "VALUES (?, ?, ?, ?, 't', ?, 0, 0)",
        rows,
    )
    db.close()
    store = Storage(db_path)
    assert store.entry_ids() == [5, 3, 1]
    assert store.entry_ids(EntryFilter(unread_only=True)) == [5, 3]
    assert store.unread_counts() == {2: 1, 3: 2}


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


def test_feeds_without_entry_counts_keep_their_unread_counts(db_path: Path) -> None:
    # the app's feed list: the unread counts without counting every entry
    store = Storage(db_path)
    a, b = _two_feeds(store)
    store.store_entries(a, [_entry(f"a{i}", None, f"A {i}") for i in range(3)])
    store.store_entries(b, [_entry("b", None, "B")])
    store.set_read(store.entry_ids(EntryFilter(feed_id=a))[:1])
    full = store.feeds()
    assert [(f.unread_count, f.entry_count) for f in full] == [(2, 3), (1, 1)]
    plans = _plans(store, lambda: store.feeds(entry_counts=False))
    assert len(plans) == len(_plans(store, store.feeds)) - 1
    assert store.feeds(entry_counts=False) == [replace(f, entry_count=0) for f in full]
    store.close()


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


def test_an_entry_dated_ahead_of_now_sorts_as_first_seen(tmp_path: Path) -> None:
    from reader.models import EntryData

    store = Storage(tmp_path / "s.sqlite", clock=lambda: 1_000_000.0)
    store.add_feeds([("https://a.example/feed", None, None)])
    feed = store.feeds()[0]
    store.store_entries(feed.id, [EntryData("old", title="Yesterday", published=913_600.0)])
    store.store_entries(feed.id, [EntryData("ahead", title="Next week", published=1_604_800.0)])
    store.store_entries(feed.id, [EntryData("new", title="Now", published=999_999.0)])
    assert [e.title for e in store.entries()] == ["Next week", "Now", "Yesterday"]
    # ahead sorts as "now" (first seen), not a week on top of everything
    store.store_entries(feed.id, [EntryData("newer", title="Newer", published=1_000_000.0)])
    titles = [e.title for e in store.entries()]
    assert titles.index("Newer") < titles.index("Now")
    store.close()


def test_an_entry_position_is_where_the_list_shows_it(db_path: Path) -> None:
    """The position counted in the index (the app's restore at start) is the row the list
    reads: same order, ties of date broken by id, duplicates and filters as listed."""
    store = Storage(db_path)
    a, b = _two_feeds(store, folders=("World", "Local"))
    store.store_entries(a, [_entry(f"a{i}", f"https://news.example/{i}", f"A {i}", 1000 - i // 3)
                            for i in range(12)])  # fmt: skip
    # b repeats two of a's stories (listed once in All) and has ties of its own
    store.store_entries(b, [_entry("b1", "https://news.example/1", "again", 2000),
                            _entry("b5", "https://news.example/5", "again", 990),
                            _entry("b20", None, "only b", 995),
                            _entry("b21", None, "only b too", 995)])  # fmt: skip
    ids = store.entry_ids()
    store.set_read(ids[::2])
    filters = [EntryFilter(), EntryFilter(unread_only=True), EntryFilter(feed_id=a),
               EntryFilter(feed_id=b, unread_only=True), EntryFilter(folder="Local"),
               EntryFilter(folder="World", unread_only=True)]  # fmt: skip
    every = [row[0] for row in store._query("SELECT id FROM entries")]
    for entry_filter in filters:
        listed = [e.id for e in store.entries(entry_filter, limit=100)]
        assert listed == store.entry_ids(entry_filter)
        positions = {entry_id: store.entry_position(entry_filter, entry_id) for entry_id in every}
        assert positions == {i: listed.index(i) if i in listed else None for i in every}
    assert store.entry_position(EntryFilter(), 10_000) is None
    store.close()


def test_feeds_sort_as_people_do_with_or_without_accents() -> None:
    from reader.storage import natural_key

    names = ["Feed 79", "feed 8", "Zeitung", "Été", "Ete 2", "Ärger", "Apfel", "ÉCHO 10", "echo 9"]
    assert sorted(names, key=natural_key) == [
        "Apfel", "Ärger", "echo 9", "ÉCHO 10", "Été", "Ete 2", "feed 8", "Feed 79", "Zeitung",
    ]  # fmt: skip


class _CannotOpen:
    """A connection as SQLite gives one for a WAL database in a folder it cannot write:
    the file opens, its first statement fails (SQLITE_CANTOPEN: no -shm can be made)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, *args: object) -> sqlite3.Cursor:
        raise sqlite3.OperationalError("unable to open database file")

    def close(self) -> None:
        self._db.close()


def test_a_database_in_a_read_only_folder_is_not_called_damaged(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a read-only mount (or folder) said "not a reader database or is damaged ... move it
    # away": a user told to move away a good store
    import os

    Storage(db_path).close()
    before = db_path.read_bytes()
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: _CannotOpen(connect(*a, **k)))
    with monkeypatch.context() as patch:
        patch.setattr(os, "access", lambda path, mode: Path(path) != db_path.parent)
        with pytest.raises(StorageError) as refused:
            Storage(db_path)
    message = str(refused.value)
    assert not isinstance(refused.value, NotADatabaseError)
    assert "damaged" not in message and "move it away" not in message
    assert message == f"{db_path.parent} is read-only: reader writes its journal there"
    with pytest.raises(StorageError, match="unable to open database file"):
        Storage(db_path)  # the folder writable: SQLite's own words
    assert db_path.read_bytes() == before
