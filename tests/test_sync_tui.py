"""The app and the sync: it starts from the local store at once, syncs in the background at
start and on R, and shows "sync: ..." in the status line (against the fake Miniflux)."""

from __future__ import annotations

import pytest
from sync_servers import FakeMiniflux

from reader.core import Reader
from reader.errors import SyncError
from reader.site_server import Response
from reader.tui.app import ReaderApp
from reader.tui.format import clock_time
from tests.test_tui_app import wait_for


async def set_up(reader: Reader, miniflux: FakeMiniflux) -> None:
    await reader.sync_setup(miniflux.url, FakeMiniflux.USER, password=FakeMiniflux.PASSWORD)
    await reader.aclose()


async def test_the_app_syncs_at_start_and_the_server_feeds_appear(
    reader: Reader, miniflux: FakeMiniflux
) -> None:
    await set_up(reader, miniflux)
    app = ReaderApp(reader)  # background refresh on: the sync at start
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: not main.syncing and bool(main.feed_list.feeds))
        assert [feed.title for feed in main.feed_list.feeds] == ["Gazette"]
        assert len(main.entry_list.source) == 3
        assert main.status.sync is not None and main.status.sync.startswith("synced")
        # read here, sent on R
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: not main.article_view.fetching)
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.syncing and not main.refreshing)
        assert sum(entry.read for entry in miniflux.entries.values()) == 1


async def test_a_server_that_is_down_costs_a_message_not_the_screen(
    reader: Reader, miniflux: FakeMiniflux
) -> None:
    await set_up(reader, miniflux)
    assert await reader.sync() is not None  # once, while it was up
    await reader.aclose()
    miniflux.faults["/reader/api/0/subscription/list"] = lambda request: Response(
        503, b"<html>down for maintenance</html>"
    )
    app = ReaderApp(reader)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        main = app.main
        assert len(main.entry_list.source) == 3  # the local store, at once
        await wait_for(pilot, lambda: main.status.sync_failed)
        assert main.status.sync is not None and "503" in main.status.sync
        assert any(n.title == "Sync" for n in app._notifications)
        # the timed syncs now wait (backoff); R tries at once
        asked = len(miniflux.calls)
        main.start_sync(background=True)
        await wait_for(pilot, lambda: not main.syncing)
        assert len(miniflux.calls) == asked
        del miniflux.faults["/reader/api/0/subscription/list"]
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.syncing and not main.status.sync_failed)
        assert main.status.sync is not None and main.status.sync.startswith("synced")


async def test_the_last_sync_error_shows_at_start_while_the_sync_waits_to_retry(
    reader: Reader, miniflux: FakeMiniflux
) -> None:
    await set_up(reader, miniflux)
    miniflux.faults["/reader/api/0/subscription/list"] = lambda request: Response(
        429, b"slow down", {"Retry-After": "600"}
    )
    with pytest.raises(SyncError):
        await reader.sync()
    await reader.aclose()
    retry = reader.sync_status().next_attempt
    assert retry is not None
    asked = len(miniflux.calls)
    app = ReaderApp(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await wait_for(pilot, lambda: not main.syncing and main.status.sync is not None)
        assert main.status.sync_failed and "busy" in main.status.sync
        assert main.status.sync.endswith(f"(retry at {clock_time(retry)})")
    assert len(miniflux.calls) == asked  # it waited, as asked
