"""Prefetch at the local site server: several hosts (one SiteServer each: the per-host limit
counts host:port), a 429 host, a slow host, a host that refuses, quitting mid-way, and
full_text = "auto" both ways."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.config import Config
from reader.core import Reader, open_reader
from reader.prefetch import PrefetchProgress, feed_carries_article
from reader.site_server import Request, Response, SiteServer, story_path
from tests.conftest import FrozenClock

ITEMS = 4


class Traffic:
    """Every page request of a site, and the most that were in flight at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.paths: list[str] = []
        self.in_flight = 0
        self.most = 0

    def wrap(self, route: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def tracked(request: Request) -> Response:
            with self.lock:
                self.paths.append(request.path)
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            try:
                return route(request)
            finally:
                with self.lock:
                    self.in_flight -= 1

        return tracked


def serve(
    site: SiteServer, feeds: int, first: int, latency: float = 0.0, items: int = ITEMS,
    **kw: Any,
) -> Traffic:  # fmt: skip
    """``feeds`` generated feeds with pages on ``site``; their page traffic."""
    site.add_feeds(feeds, items, first=first, pages=True, **kw)
    traffic = Traffic()
    for index in range(first, first + feeds):
        for number in range(items):
            path = story_path(index, number)
            route = traffic.wrap(site.routes[path])
            site.routes[path] = _delayed(route, latency) if latency else route
    return traffic


def _delayed(route: Callable[[Request], Response], latency: float) -> Callable[..., Response]:
    pause = threading.Event()

    def slow(request: Request) -> Response:
        pause.wait(latency)  # never set: the server's own round trip
        return route(request)

    return slow


def _held(route: Callable[..., Response], released: threading.Event) -> Callable[..., Response]:
    def held(request: Request) -> Response:
        released.wait(60)  # set by the test; the cap only ends a test that went wrong
        return route(request)

    return held


@pytest.fixture
def hosts() -> Iterator[list[SiteServer]]:
    servers = [SiteServer().start() for _ in range(4)]
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture
def make_reader(db_path: Path, clock: FrozenClock) -> Iterator[Callable[..., Reader]]:
    opened: list[Reader] = []

    def make(**config: Any) -> Reader:
        instance = open_reader(db_path, config=Config(**config), clock=clock)
        opened.append(instance)
        return instance

    yield make
    for instance in opened:
        instance.close()


def subscribe(reader: Reader, sites: list[SiteServer], feeds: int) -> list[str]:
    urls = [site.url(f"/many/feed-{i}.xml") for n, site in enumerate(sites)
            for i in range(n * feeds, (n + 1) * feeds)]  # fmt: skip
    reader.add_feeds((url, None, None) for url in urls)
    return urls


def stored(reader: Reader) -> dict[str, str]:
    """URL -> source of every stored article."""
    return {
        entry.url: article.source
        for entry in reader.entries(limit=1000)
        if entry.url and (article := reader.cached_article(entry.url)) is not None
    }


def queued(db_path: Path) -> set[int]:
    with sqlite3.connect(db_path) as db:
        return {row[0] for row in db.execute("SELECT entry_id FROM article_queue")}


async def test_every_new_article_is_fetched_politely_and_found_by_search(
    hosts: list[SiteServer], make_reader: Callable[..., Reader], db_path: Path
) -> None:
    traffic = [serve(site, 3, n * 3, latency=0.02) for n, site in enumerate(hosts)]
    reader = make_reader()
    subscribe(reader, hosts, 3)
    report = await reader.refresh()
    assert report.new_entries == 4 * 3 * ITEMS
    assert reader.articles_to_fetch() == 4 * 3 * ITEMS
    seen: list[PrefetchProgress] = []
    articles = await reader.prefetch(progress=seen.append)
    await reader.aclose()
    total = 4 * 3 * ITEMS
    assert (articles.total, articles.fetched, articles.failed) == (total, total, 0)
    assert seen[-1] == PrefetchProgress(total, total, total, 0)
    assert set(stored(reader).values()) == {"page"} and len(stored(reader)) == total
    for site_traffic in traffic:
        assert len(site_traffic.paths) == len(set(site_traffic.paths)) == 3 * ITEMS
        assert site_traffic.most <= 2  # two at a time per host
    assert queued(db_path) == set() and reader.articles_to_fetch() == 0
    # words found only inside the pages ("part"), never opened
    assert len(reader.search("part", limit=100)) == total

    again = await reader.prefetch()
    assert (again.total, again.fetched) == (0, 0)
    assert sum(len(t.paths) for t in traffic) == total


async def test_a_429_host_waits_while_the_others_go_on(
    hosts: list[SiteServer], make_reader: Callable[..., Reader], clock: FrozenClock
) -> None:
    for n, site in enumerate(hosts):
        serve(site, 1, n)
    busy, gone = hosts[0], hosts[1]
    refusals = {busy.base: 1, gone.base: 1000}
    answered: list[tuple[str, int, float]] = []

    def limited(site: SiteServer, retry_after: str) -> None:
        for number in range(ITEMS):
            path = story_path(hosts.index(site), number)

            def route(request: Request, page: Any = site.routes[path]) -> Response:
                if refusals[site.base] > 0:
                    refusals[site.base] -= 1
                    answered.append((site.base, 429, time.monotonic()))
                    return Response(429, b"slow down", {"Retry-After": retry_after})
                answered.append((site.base, 200, time.monotonic()))
                return page(request)

            site.routes[path] = route

    limited(busy, "1")  # one short wait: the round waits for it
    limited(gone, "3600")  # an hour: the host is left alone till then
    reader = make_reader()
    subscribe(reader, hosts, 1)
    await reader.refresh()
    report = await reader.prefetch()
    assert (report.fetched, report.failed, report.deferred) == (3 * ITEMS, 0, ITEMS)
    waited = [when for base, status, when in answered if base == busy.base]
    # the 429 (and the request in flight beside it), then nothing before its second
    assert len(waited) == ITEMS + 1 and all(when - waited[0] >= 0.9 for when in waited[2:])
    assert len([a for a in answered if a[0] == gone.base]) <= 2  # stopped at once

    # the next round leaves the waiting host alone, until its hour is over
    before = len(answered)
    assert (await reader.prefetch()).deferred == ITEMS
    assert len(answered) == before
    clock.advance(3601)
    refusals[gone.base] = 0  # it answers again
    late = await reader.prefetch()
    await reader.aclose()
    assert (late.fetched, late.deferred) == (ITEMS, 0)


async def test_a_slow_host_and_a_refusing_host_fail_alone(
    hosts: list[SiteServer], make_reader: Callable[..., Reader], db_path: Path
) -> None:
    for n, site in enumerate(hosts):
        serve(site, 1, n, latency=5.0 if n == 0 else 0.0)  # host 0 never answers in time
    reader = make_reader(timeout=0.5)
    subscribe(reader, hosts, 1)
    await reader.refresh()
    await reader.aclose()  # no kept-alive connection to host 1 any more
    hosts[1].stop()  # host 1 is down now: connection refused
    report = await reader.prefetch()
    await reader.aclose()
    assert report.fetched == 2 * ITEMS
    messages = sorted(message for _, message in report.failures)
    assert 1 <= len([m for m in messages if "timed out" in m]) <= 2  # its two at a time
    assert len([m for m in messages if "refused" in m]) in (1, 2)
    assert report.failed + report.deferred == 2 * ITEMS
    # what failed or waited is still queued, for the next round
    assert len(queued(db_path)) == 2 * ITEMS


async def test_pages_that_are_no_articles_keep_the_feeds_content(
    hosts: list[SiteServer], make_reader: Callable[..., Reader]
) -> None:
    site = hosts[0]
    serve(site, 1, 0)
    site.routes[story_path(0, 0)] = lambda r: Response(404, b"gone", {"Content-Type": "text/html"})
    site.routes[story_path(0, 1)] = lambda r: Response(
        200, b"%PDF-1.4 ...", {"Content-Type": "application/pdf"}
    )
    reader = make_reader()
    subscribe(reader, [site], 1)
    await reader.refresh()
    report = await reader.prefetch()
    await reader.aclose()
    assert (report.fetched, report.kept_feed, report.failed) == (ITEMS, 2, 0)
    gone = reader.cached_article(site.url(story_path(0, 0)))
    pdf = reader.cached_article(site.url(story_path(0, 1)))
    assert gone is not None and gone.source == "feed" and "404" in (gone.note or "")
    assert pdf is not None and pdf.source == "feed" and "PDF" in (pdf.note or "")


async def test_auto_full_text_both_ways(
    hosts: list[SiteServer], make_reader: Callable[..., Reader]
) -> None:
    whole = serve(hosts[0], 1, 0, whole=True)
    brief = serve(hosts[1], 1, 1)
    reader = make_reader()
    subscribe(reader, hosts[:2], 1)
    await reader.refresh()
    first = await reader.prefetch()
    feeds = {feed.url: feed for feed in reader.feeds()}
    whole_feed = feeds[hosts[0].url("/many/feed-0.xml")]
    brief_feed = feeds[hosts[1].url("/many/feed-1.xml")]
    # the whole feed: three pages compared, then no more; the brief one: every page
    assert (whole_feed.full_text_found, len(whole.paths)) == ("feed", 3)
    assert (brief_feed.full_text_found, len(brief.paths)) == ("page", ITEMS)
    assert (first.fetched, first.skipped) == (3 + ITEMS, ITEMS - 3)
    # new entries later: none of the whole feed's pages is fetched, the brief one's are
    whole = serve(hosts[0], 1, 0, items=ITEMS + 2, whole=True)
    brief = serve(hosts[1], 1, 1, items=ITEMS + 2)
    await reader.refresh()
    later = await reader.prefetch()
    await reader.aclose()
    assert (later.fetched, later.skipped) == (2, 2)
    assert whole.paths == []
    assert sorted(brief.paths) == [story_path(1, ITEMS), story_path(1, ITEMS + 1)]


def test_the_feeds_content_carries_the_article_when_long_and_starting_alike() -> None:
    page = " ".join(f"word{n}" for n in range(300))
    assert feed_carries_article("By A. Writer. " + page, page)
    assert not feed_carries_article(" ".join(page.split()[:100]), page)  # a teaser
    assert not feed_carries_article("Another story " + page[40:], page)  # starts elsewhere
    assert not feed_carries_article("short", "short")


async def test_limit_unread_and_off(
    hosts: list[SiteServer], make_reader: Callable[..., Reader], db_path: Path
) -> None:
    serve(hosts[0], 2, 0)
    reader = make_reader(prefetch="off")
    subscribe(reader, hosts[:1], 2)
    await reader.refresh()
    assert queued(db_path) == set()  # off: nothing waits
    await reader.aclose()
    reader = make_reader(prefetch="unread", prefetch_limit=3)
    newest = reader.entries(limit=3)
    report = await reader.prefetch()
    assert (report.total, report.fetched) == (3, 3)
    assert set(stored(reader)) == {entry.url for entry in newest}
    rest = await reader.prefetch(limit=100)
    await reader.aclose()
    assert rest.fetched == 2 * ITEMS - 3


async def test_stopping_mid_way_keeps_every_finished_article_and_the_next_run_carries_on(
    hosts: list[SiteServer], make_reader: Callable[..., Reader], db_path: Path
) -> None:
    # as quitting the app does: the prefetch is cancelled, then the reader closed
    for n, site in enumerate(hosts):
        serve(site, 2, n * 2, latency=0.05)
    reader = make_reader()
    subscribe(reader, hosts, 2)
    await reader.refresh()
    total = 4 * 2 * ITEMS
    some = asyncio.Event()

    def progress(update: PrefetchProgress) -> None:
        if update.fetched >= 5:
            some.set()

    task = asyncio.create_task(reader.prefetch(progress=progress))
    await asyncio.wait_for(some.wait(), timeout=60)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await reader.aclose()
    reader.close()
    check_consistent(db_path, total)
    assert 0 < len(queued(db_path)) < total

    again = make_reader()
    report = await again.prefetch()
    await again.aclose()
    assert report.failed == 0
    assert len(stored(again)) == total and queued(db_path) == set()
    check_consistent(db_path, total)


def check_consistent(db_path: Path, total: int) -> None:
    """Each entry's article is stored or queued, never both, never neither."""
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = db.execute(
            "SELECT e.id, EXISTS (SELECT 1 FROM articles a WHERE a.url = e.url), "
            "EXISTS (SELECT 1 FROM article_queue q WHERE q.entry_id = e.id) FROM entries e"
        ).fetchall()
    assert len(rows) == total
    assert [row for row in rows if row[1] == row[2]] == []


def test_ctrl_c_in_reader_prefetch_keeps_what_it_finished(
    hosts: list[SiteServer], db_path: Path
) -> None:
    for n, site in enumerate(hosts):
        serve(site, 2, n * 2, latency=0.1)
    # The last host's pages wait until Ctrl-C has been sent: however fast the machine, the
    # prefetch cannot finish first (it once did, and exited 0).
    released = threading.Event()
    for index in (6, 7):
        for number in range(ITEMS):
            path = story_path(index, number)
            hosts[3].routes[path] = _held(hosts[3].routes[path], released)
    reader = open_reader(db_path)
    subscribe(reader, hosts, 2)
    asyncio.run(reader.refresh())
    reader.close()
    total = 4 * 2 * ITEMS
    assert len(queued(db_path)) == total
    command = [sys.executable, "-m", "reader.cli", "--db", str(db_path), "prefetch"]
    # Ctrl-C as at a terminal: a test run started in the background (`make test &`) has
    # SIGINT ignored, and the command would inherit that and run to the end.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(queued(db_path)) > total - 3 and time.monotonic() < deadline:
        time.sleep(0.02)  # polling the store for progress, with a deadline
    os.kill(process.pid, signal.SIGINT)
    assert process.wait(timeout=60) == 130
    released.set()
    check_consistent(db_path, total)
    left = len(queued(db_path))
    assert 0 < left < total

    async def carry_on() -> int:
        again = open_reader(db_path)
        try:
            report = await again.prefetch()
            await again.aclose()
            return report.fetched
        finally:
            again.close()

    assert asyncio.run(carry_on()) == left
    assert queued(db_path) == set()


def test_refresh_prints_the_articles_and_no_articles_skips_them(
    hosts: list[SiteServer], cli: Any
) -> None:
    traffic = serve(hosts[0], 2, 0)
    for url in (hosts[0].url("/many/feed-0.xml"), hosts[0].url("/many/feed-1.xml")):
        assert cli("add", url).status == 0  # add refreshes the feed once (no articles)
    assert traffic.paths == []
    result = cli("refresh", "--force", "--no-articles")
    assert "articles" not in result.out and traffic.paths == []
    one = cli("prefetch", "--feed", hosts[0].url("/many/feed-1.xml"))
    assert one.status == 0 and one.out.startswith(f"{ITEMS} articles fetched, 0 failed in ")
    assert {path.split("/")[2] for path in traffic.paths} == {"1"}
    rest = cli("refresh", "--force")
    assert rest.out.splitlines()[-1].startswith(f"{ITEMS} articles fetched, 0 failed in ")
