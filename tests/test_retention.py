"""Retention: keep_days removes old read entries (never saved ones) for good, cache_mb caps
the stored articles (read ones first, oldest first, saved never); `reader stats`,
`reader vacuum`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.config import Config
from reader.core import MEGABYTE, Reader, open_reader
from reader.models import Article, Block, EntryData, Span
from reader.site_server import SiteServer, story_path
from tests.conftest import FrozenClock


@pytest.fixture
def keeping(db_path: Path, clock: FrozenClock) -> Iterator[Reader]:
    """A reader that keeps two days of read entries and 1 MB of articles."""
    instance = open_reader(db_path, config=Config(keep_days=2, cache_mb=1), clock=clock)
    yield instance
    instance.close()


def article(url: str, kilobytes: int, fetched_at: float) -> Article:
    text = ("word " * 200 + "\n") * kilobytes
    return Article(url=url, title=url, blocks=(Block("paragraph", (Span(text),)),),
                   fetched_at=fetched_at)  # fmt: skip


async def test_old_read_entries_go_for_good_and_saved_ones_stay(
    keeping: Reader, site: SiteServer, db_path: Path
) -> None:
    site.add_feeds(1, 5, pages=True)  # five stories of 2026-11-30, four days before now
    url = site.url("/many/feed-0.xml")
    keeping.add_feeds([(url, None, None)])
    await keeping.refresh()
    links = [site.url(story_path(0, n)) for n in range(5)]
    for link in links[2:]:
        keeping._storage.cache_article(article(link, 1, keeping.clock()))
    keeping.mark_urls(links[2:])  # stories 2-4 read; 0 and 1 unread
    keeping.save(keeping.cached_article(links[4]) or article(links[4], 1, 0.0))

    report = await keeping.refresh(force=True)
    assert report.not_modified == 1
    left = {entry.url for entry in keeping.entries()}
    assert left == {links[0], links[1], links[4]}  # unread, and saved, stay
    assert keeping.cached_article(links[2]) is None and keeping.cached_article(links[3]) is None
    assert keeping.cached_article(links[4]) is not None  # saved
    assert keeping.search("feed")  # the index followed the removals

    # the feed still carries the two: they do not come back as new
    with sqlite3.connect(db_path) as db:
        db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL")
    again = await keeping.refresh(force=True)
    assert again.new_entries == 0 and len(keeping.entries()) == 3
    # once the feed drops them, they are forgotten
    site.add_feeds(1, 2, pages=True)
    await keeping.refresh(force=True)
    await keeping.aclose()
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT count(*) FROM removed_entries").fetchone()[0] == 0


def test_keep_days_0_keeps_everything(reader: Reader) -> None:
    feed = reader._storage.add_feed("https://a.example/feed")
    assert feed is not None
    reader._storage.store_entries(feed.id, [EntryData("1", url="https://a.example/1",
                                                       published=1.0)])  # fmt: skip
    reader.mark_urls(["https://a.example/1"])
    assert reader.apply_retention() == (0, 0, 0)
    assert len(reader.entries()) == 1


def test_the_cache_cap_evicts_read_then_unread_oldest_first_never_saved(
    keeping: Reader,
) -> None:
    store = keeping._storage
    feed = store.add_feed("https://a.example/feed")
    assert feed is not None
    urls = [f"https://a.example/{n}" for n in range(6)]
    entries = [EntryData(str(n), url=url) for n, url in enumerate(urls) if n != 4]
    store.store_entries(feed.id, entries)  # 4 is a page reached by a link: no entry
    # 400 KB each (text and JSON), the oldest first: read 0 and 1, unread 2 and 3, a linked
    # page 4, saved 5
    for n, url in enumerate(urls):
        store.cache_article(article(url, 200, 1000.0 + n))
    keeping.mark_urls(urls[:2])
    keeping.save(article(urls[5], 200, 1005.0))
    assert store.cache_size() > 6 * 400 * 1000

    entries, with_them, evicted = keeping.apply_retention()
    assert (entries, with_them) == (0, 0)  # nothing old enough to remove
    assert store.cache_size() <= MEGABYTE
    kept = {url for url in urls if keeping.cached_article(url) is not None}
    # read 0 and 1 and the linked page 4 go first, then the oldest unread (2)
    assert kept == {urls[3], urls[5]} and evicted == 4
    assert keeping.is_saved(urls[5])


def test_stats_and_vacuum(cli, db_path: Path, clock: FrozenClock) -> None:  # type: ignore[no-untyped-def]
    reader = open_reader(db_path, clock=clock)
    feed = reader._storage.add_feed("https://a.example/feed")
    assert feed is not None
    body = "<p>" + "lorem ipsum dolor " * 2000 + "</p>"
    reader._storage.store_entries(
        feed.id, [EntryData(str(n), url=f"https://a.example/{n}", content=body, published=1.0)
                  for n in range(300)],
    )  # fmt: skip
    reader._storage.cache_article(article("https://a.example/0", 10, 1.0))
    reader.close()
    stats = cli("stats", "--json").json()
    assert {k: stats[k] for k in ("feeds", "entries", "unread", "articles", "saved")} == {
        "feeds": 1, "entries": 300, "unread": 300, "articles": 1, "saved": 0
    }  # fmt: skip
    assert stats["article_bytes"] > 10_000 and stats["database_bytes"] > 300 * 36_000
    text = cli("stats").out
    assert "entries:          300 (300 unread)" in text and "stored articles:  1, " in text

    cli("mark", *[f"https://a.example/{n}" for n in range(300)], "--read")
    reader = open_reader(db_path, config=Config(keep_days=1), clock=clock)
    assert reader.apply_retention()[:2] == (300, 1)
    reader.close()
    before = cli("stats", "--json").json()["database_bytes"]
    result = cli("vacuum")
    assert result.status == 0 and result.out.startswith("compacted ")
    after = cli("stats", "--json").json()
    assert after["database_bytes"] < before / 4
    assert (after["entries"], after["articles"]) == (0, 0)
