"""The app's own refresh at a user's scale: 300 feeds through the real worker processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core import open_reader
from reader.models import EntryFilter
from reader.site_server import SiteServer
from reader.tui.app import ReaderApp
from tests.conftest import FrozenClock
from tests.test_tui_app import wait_for

FEEDS = 300
ITEMS = 20
HOSTS = 10


@pytest.fixture
def hosts() -> Iterator[list[SiteServer]]:
    """Ten sites on 127.0.0.1 (ten ports: ten hosts to the per-host limit), as a user's
    feeds come from many."""
    servers = [SiteServer().start() for _ in range(HOSTS)]
    yield servers
    for server in servers:
        server.stop()


def requests(hosts: list[SiteServer]) -> list[dict[str, str]]:
    """The headers of every feed request the sites had since the last call (the articles
    the app prefetches after a refresh are not counted)."""
    found = []
    for site in hosts:
        with site._lock:
            found.extend(r.headers for r in site.requests if r.path.endswith(".xml"))
            site.requests.clear()
    return found


async def test_the_app_refreshes_300_feeds_by_itself(
    hosts: list[SiteServer], db_path: Path
) -> None:
    # 300 feeds: the refresh parses in worker processes (PROCESS_POOL_MIN_FEEDS is 16), which
    # failed every feed inside the app ("bad value(s) in fds_to_keep") and only there
    urls = [url for site in hosts for url in site.add_feeds(FEEDS // HOSTS, ITEMS, latency=0.05)]
    clock = FrozenClock()
    reader = open_reader(db_path, clock=clock)
    reader._storage.add_feeds((url, None, None) for url in urls)
    app = ReaderApp(reader)  # the background refresh at start, as a user gets it
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            main = app.main
            await wait_for(pilot, lambda: main.status.last_refresh is not None, timeout=120)
            feeds = reader.feeds()
            assert [f.last_error for f in feeds if f.last_error] == []
            assert reader._storage.count_entries(EntryFilter()) == FEEDS * ITEMS
            assert all(f.last_checked == clock.now for f in feeds)
            assert main.feed_list.rows[0].unread == FEEDS * ITEMS

            # R: every feed again, by conditional GET, and again none fails
            requests(hosts)
            clock.advance(60)
            await pilot.press("R")
            await wait_for(pilot, lambda: main.status.last_refresh == clock.now, timeout=120)
            again = requests(hosts)
            assert len(again) == FEEDS
            assert [h for h in again if "if-none-match" not in h] == []
            assert [f.last_error for f in reader.feeds() if f.last_error] == []
    finally:
        reader.close()

    # a restart within the refresh interval polls nothing; after it, every feed again
    requests(hosts)
    clock.advance(10 * 60)
    reader = open_reader(db_path, clock=clock)
    try:
        app = ReaderApp(reader)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert not app.main.refreshing and app.main.status.last_refresh is None
            assert requests(hosts) == []
    finally:
        reader.close()
    clock.advance(30 * 60)
    reader = open_reader(db_path, clock=clock)
    try:
        app = ReaderApp(reader)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_for(pilot, lambda: app.main.status.last_refresh == clock.now, timeout=120)
            assert len(requests(hosts)) == FEEDS
    finally:
        reader.close()
