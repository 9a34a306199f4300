"""Search from the command line: entries and cached articles, accents folded."""

from __future__ import annotations

from dataclasses import replace

from reader.core import Reader
from reader.models import Article, Block, EntryData, Span


def _fill(reader: Reader) -> None:
    feed = reader._storage.add_feed("https://news.example/feed", title="News")
    assert feed is not None
    reader._storage.store_entries(
        feed.id,
        [
            EntryData("1", url="https://news.example/1", title="Sécurité routière renforcée",
                      published=1000.0, content="<p>Les contrôles augmentent.</p>"),
            EntryData("2", url="https://news.example/2", title="Weather report",
                      published=2000.0, summary="Rain and wind, sécurité first"),
            EntryData("3", url="https://news.example/3", title="Sports", published=3000.0),
        ],
    )  # fmt: skip
    reader._storage.cache_article(
        Article(
            url="https://elsewhere.example/deep",
            title="A page reached by a link",
            blocks=(Block("paragraph", (Span("about securite of bridges"),)),),
            fetched_at=500.0,
        )
    )


def test_search_with_and_without_accents_ranks_title_matches_first(reader: Reader) -> None:
    _fill(reader)
    plain = [hit.title for hit in reader.search("securite")]
    accented = [hit.title for hit in reader.search("sécurité")]
    assert plain == accented
    assert plain[0] == "Sécurité routière renforcée"
    assert set(plain) == {
        "Sécurité routière renforcée", "Weather report", "A page reached by a link",
    }  # fmt: skip


def test_search_prefixes_and_all_words(reader: Reader) -> None:
    _fill(reader)
    assert [hit.title for hit in reader.search("rout renf")] == ["Sécurité routière renforcée"]
    assert reader.search("routière sports") == []


def test_reader_search_cli(cli, db_path) -> None:
    from reader.core import open_reader

    reader = open_reader(db_path)
    _fill(reader)
    reader.close()
    result = cli("search", "bridges", "--json")
    assert result.status == 0
    assert [(hit["kind"], hit["url"]) for hit in result.json()] == [
        ("article", "https://elsewhere.example/deep")
    ]
    text = cli("search", "weather")
    assert text.status == 0 and "Weather report  [News]" in text.out
    none = cli("search", "zebra")
    assert none.status == 1 and none.err.strip() == "nothing found"


def _index_ok(reader: Reader) -> None:
    """FTS5's own check, once nothing is pending: the index holds exactly what the tables
    hold (rank 1 compares it with the tables' rows; a stale or missing row fails)."""
    reader._storage.index_pending()
    with reader._storage.write() as db:
        db.execute("INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)")
        db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


def test_the_deferred_index_follows_inserts_updates_and_deletes(reader: Reader) -> None:
    # rows wait in a pending table and go into the index by the thousand; a change or a
    # removal must reach the index whether the row was indexed yet or not
    store = reader._storage
    _fill(reader)
    assert store.pending_index_count() == 4
    assert store.index_pending() == 4 and store.pending_index_count() == 0
    feed = store.get_feed("https://news.example/feed")
    assert feed is not None
    # an indexed entry changes: the old words leave the index, the new ones come in
    changed = EntryData("2", url="https://news.example/2", title="Harbour report", summary="calm")
    store.store_entries(feed.id, [changed])
    assert store.pending_index_count() == 1
    assert reader.search("weather") == []
    assert [hit.title for hit in reader.search("harb")] == ["Harbour report"]
    # a pending entry changes, then goes; an indexed one goes
    store.store_entries(feed.id, [EntryData("4", url="https://news.example/4", title="Ferry")])
    store.store_entries(feed.id, [EntryData("4", url="https://news.example/4", title="Boat")])
    with store.write() as db:
        db.execute("DELETE FROM entries WHERE guid IN ('4', '3')")
    assert reader.search("sports") == [] and reader.search("boat") == []
    # the highest id reused after a removal is indexed all the same
    store.store_entries(feed.id, [EntryData("5", url="https://news.example/5", title="Tram")])
    assert [hit.title for hit in reader.search("tram")] == ["Tram"]
    _index_ok(reader)


def test_an_upgraded_database_indexes_its_old_rows_once(reader: Reader) -> None:
    _fill(reader)
    store = reader._storage
    with store.write() as db:  # as migration 4 leaves a store: every row pending
        db.execute("INSERT INTO entries_fts (entries_fts) VALUES ('delete-all')")
        db.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        db.execute("INSERT OR IGNORE INTO entries_fts_pending SELECT id FROM entries")
        db.execute("INSERT OR IGNORE INTO articles_fts_pending SELECT id FROM articles")
    assert store.index_pending(batch=2) == 4
    assert len(reader.search("securite")) == 3
    _index_ok(reader)


def test_an_article_cached_again_before_the_pass_stays_one_pending_row(reader: Reader) -> None:
    # the cache's upsert overrode the trigger's OR IGNORE: "UNIQUE constraint failed"
    article = Article(url="https://a.example/1", title="Harbour", fetched_at=1.0)
    reader._storage.cache_article(article)
    reader._storage.cache_article(article)
    reader._storage.cache_article(replace(article, title="Ferry"))
    assert reader._storage.pending_index_count() == 1
    assert [hit.title for hit in reader.search("ferry")] == ["Ferry"]
    reader._storage.cache_article(replace(article, title="Bridge"))
    assert reader.search("ferry") == [] and len(reader.search("bridge")) == 1
    _index_ok(reader)


def test_ss_finds_sharp_s_and_back(reader: Reader) -> None:
    # the index folds ö to o but keeps ß: "grossere" found nothing for "Größere Straßen"
    feed = reader._storage.add_feed("https://zeitung.example/feed")
    assert feed is not None
    reader._storage.store_entries(feed.id, [
        EntryData("1", title="Größere Straßen für die Stadt"),
        EntryData("2", title="Die grosse Brücke"),
    ])  # fmt: skip
    assert [h.title for h in reader.search("grossere strassen")] == [
        "Größere Straßen für die Stadt"
    ]
    assert [h.title for h in reader.search("große brücke")] == ["Die grosse Brücke"]
    assert [h.title for h in reader.search("Größere")] == ["Größere Straßen für die Stadt"]


def test_an_entrys_kept_article_is_found_as_the_entry(reader: Reader) -> None:
    # prefetch keeps the page of every new entry: a word found only in that page (or
    # found there first, its text weighing more) named no feed, 'read article', although
    # the user never read it and the entry was listed in a feed
    _fill(reader)
    for url, requested, words in (
        ("https://news.example/3", None, "the harbour match"),
        ("https://news.example/sports-final", "https://news.example/3", "a ferry strike"),
    ):
        reader._storage.cache_article(
            Article(
                url=url,
                title="Sports",
                blocks=(Block("paragraph", (Span(f"{words} of the day"),)),),
                fetched_at=600.0,
            ),
            requested_url=requested,
        )
    sports = reader._storage.entry_by_url("https://news.example/3")
    assert sports is not None
    for query in ("harbour", "ferry"):
        hits = reader.search(query)
        assert [(h.kind, h.entry_id, h.feed_title, h.url) for h in hits] == [
            ("entry", sports.id, "News", "https://news.example/3")
        ], query
    # a page no entry links to is still an article of its own
    assert [(h.kind, h.feed_title) for h in reader.search("bridges")] == [("article", None)]
