"""Miniflux's differences, and the faults a server can have, against a fake Miniflux that
behaves as its documentation says (tests/sync_servers.py: FakeMiniflux)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sync_servers import FakeMiniflux

from reader.core import Reader
from reader.errors import SyncError
from reader.site_server import Request, Response
from reader.sync.greader import LoginRefusedError, ProtocolError
from tests.conftest import FrozenClock


@pytest.fixture
async def synced(reader: Reader, miniflux: FakeMiniflux) -> AsyncIterator[Reader]:
    """A reader set up with the fake Miniflux and synced once."""
    await reader.sync_setup(miniflux.url, FakeMiniflux.USER, password=FakeMiniflux.PASSWORD)
    report = await reader.sync()
    assert report is not None and report.new_entries == 3
    yield reader
    await reader.aclose()


def calls(fake: FakeMiniflux, path: str) -> list[dict[str, list[str]]]:
    return [form for _, call_path, form in fake.calls if call_path.endswith(path)]


async def test_setup_with_a_wrong_password_says_which_credentials(
    reader: Reader, miniflux: FakeMiniflux
) -> None:
    with pytest.raises(LoginRefusedError, match="Miniflux: the Google Reader user"):
        await reader.sync_setup(miniflux.url, FakeMiniflux.USER, password="account-password")
    assert reader.sync_account() is None
    await reader.aclose()


async def test_the_loop_with_miniflux_ids_and_authentication(
    synced: Reader, miniflux: FakeMiniflux
) -> None:
    feeds = synced.feeds()
    assert [(f.title, f.folder, f.remote_id) for f in feeds] == [("Gazette", "News", "feed/1")]
    # decimal ids from items/ids, long ones from contents: each entry once
    assert len(synced.entries()) == 3
    assert all("/label/" not in form["s"][0] for form in calls(miniflux, "stream/items/ids"))
    entry = synced.entries()[0]
    synced.mark_read([entry.id])
    report = await synced.sync()
    assert report is not None and report.read_sent == 1
    [edit] = calls(miniflux, "edit-tag")
    assert edit["T"] == [miniflux.token]  # a POST's only authentication there
    assert edit["i"][0].startswith("tag:google.com,2005:reader/item/")
    assert [e.read for e in miniflux.entries.values() if e.url == entry.url] == [True]


async def test_an_endpoint_miniflux_lacks_is_refused_not_taken_for_empty(
    synced: Reader, miniflux: FakeMiniflux
) -> None:
    account = synced.sync_account()
    assert account is not None
    with pytest.raises(ProtocolError, match="does not support"):
        await synced._greader(account).stream_contents()


async def test_a_change_made_on_both_sides_resolves_to_the_newest(
    synced: Reader, miniflux: FakeMiniflux, clock: FrozenClock
) -> None:
    by_url = {entry.url: entry for entry in synced.entries()}
    older, newer = sorted(by_url)[:2]
    synced.mark_read([by_url[older].id, by_url[newer].id])
    # on the phone, later than that: read, then unread again (Miniflux's updated moves)
    server = {e.url: e for e in miniflux.entries.values()}
    server[newer].changed_at = int(clock.now) + 60
    report = await synced.sync()
    assert report is not None and (report.read_sent, report.conflicts) == (1, 1)
    assert server[older].read and not server[newer].read
    entries = {entry.url: entry for entry in synced.entries()}
    assert entries[older].read and not entries[newer].read
    assert synced.sync_status().queued == 0


async def test_an_expired_token_logs_in_again_once(synced: Reader, miniflux: FakeMiniflux) -> None:
    miniflux.token = "reader/fedcba9876543210"  # the server forgot the old one
    before = len(calls(miniflux, "ClientLogin"))
    assert await synced.sync() is not None
    assert len(calls(miniflux, "ClientLogin")) == before + 1
    account = synced.sync_account()
    assert account is not None and account.auth == miniflux.token


async def test_429_waits_as_asked_and_the_app_does_not_retry_before(
    synced: Reader, miniflux: FakeMiniflux, clock: FrozenClock
) -> None:
    miniflux.faults["/reader/api/0/subscription/list"] = lambda request: Response(
        429, b"slow down", {"Retry-After": "120"}
    )
    with pytest.raises(SyncError, match="busy"):
        await synced.sync()
    status = synced.sync_status()
    assert status.last_error and status.next_attempt is not None
    assert status.next_attempt == clock.now + 120
    asked = len(miniflux.calls)
    assert await synced.sync(background=True) is None  # the app waits
    assert len(miniflux.calls) == asked
    clock.advance(121)
    del miniflux.faults["/reader/api/0/subscription/list"]
    assert await synced.sync(background=True) is not None  # and then tries again


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"<!DOCTYPE html><html><body>Log in</body></html>", "an HTML page"),
        (b'{"itemRefs": [{"id": "12', "broken JSON"),
    ],
)
async def test_garbage_instead_of_the_api_costs_a_message_not_data(
    synced: Reader, miniflux: FakeMiniflux, body: bytes, kind: str
) -> None:
    entry = synced.entries()[0]
    synced.mark_read([entry.id])
    miniflux.faults["/reader/api/0/stream/items/ids"] = lambda request: Response(
        200, body, {"Content-Type": "text/html"}
    )
    with pytest.raises(SyncError, match=kind) as raised:
        await synced.sync()
    assert "\n" not in str(raised.value)
    assert len(synced.entries()) == 3 and synced.sync_status().queued == 1
    del miniflux.faults["/reader/api/0/stream/items/ids"]
    report = await synced.sync()
    assert report is not None and report.read_sent == 1


async def test_a_server_gone_mid_sync_keeps_what_was_sent_sent_and_the_rest_queued(
    synced: Reader, miniflux: FakeMiniflux
) -> None:
    feed_id = next(iter(miniflux.feeds))
    for n in range(1200):  # more than a page of ids (1000), many pages of contents (250)
        miniflux.add_entry(feed_id, f"More {n}")
    report = await synced.sync()
    assert report is not None and report.new_entries == 1200
    assert len(calls(miniflux, "stream/items/contents")) >= 5
    assert any(form.get("c") for form in calls(miniflux, "stream/items/ids"))
    assert synced.mark_feed_read(None) == 1203
    edits = 0

    def then_gone(request: Request) -> Response | None:
        nonlocal edits
        edits += 1
        return None if edits == 1 else Response(502, b"Bad Gateway")

    miniflux.faults["/reader/api/0/edit-tag"] = then_gone
    with pytest.raises(SyncError, match="502"):
        await synced.sync()
    assert synced.sync_status().queued == 1203 - 250
    assert sum(e.read for e in miniflux.entries.values()) == 250
    del miniflux.faults["/reader/api/0/edit-tag"]
    report = await synced.sync()
    assert report is not None and report.read_sent == 1203 - 250
    assert all(e.read for e in miniflux.entries.values())
    assert report.queued == 0 and report.read_received == 0
