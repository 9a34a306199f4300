"""Miniflux's differences, and the faults a server can have, against a fake Miniflux that
behaves as its documentation says (tests/sync_servers.py: FakeMiniflux)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sync_servers import FakeMiniflux

from reader.core import Reader
from reader.errors import SyncError
from reader.render import to_text
from reader.site_server import Request, Response, SiteServer
from reader.sync.engine import ServerLostDataError
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


# --- a server that lost its data (reinstalled, restored from an old backup) -------------

PAGES = ("/articles/storm-warning-coast.html", "/articles/harbour-bridge-reopens.html")


def gazette(miniflux: FakeMiniflux, site: SiteServer) -> list[str]:
    """The fixture's server again (after a reset): the Gazette and three entries, the
    first two linking to the site's pages; returns those pages' URLs."""
    feed_id = miniflux.add_feed(site.url("/feed.xml"), "Gazette", "News")
    pages = [site.url(path) for path in PAGES]
    for n in range(3):
        entry = miniflux.add_entry(feed_id, f"Story {n}")
        if n < len(pages):
            entry.url = pages[n]
    return pages


async def saved_before_setup(reader: Reader, miniflux: FakeMiniflux, site: SiteServer) -> list[str]:
    """The server's first two entries link to pages saved here before sync is set up."""
    miniflux.reset()
    pages = gazette(miniflux, site)
    for page in pages:
        await reader.save_url(page)
    await reader.sync_setup(miniflux.url, FakeMiniflux.USER, password=FakeMiniflux.PASSWORD)
    return pages


async def test_the_first_sync_sends_the_reading_list_as_stars(
    reader: Reader, miniflux: FakeMiniflux, site: SiteServer
) -> None:
    pages = await saved_before_setup(reader, miniflux, site)
    report = await reader.sync()
    assert report is not None and report.starred_sent == 2
    assert sorted(e.url for e in miniflux.entries.values() if e.starred) == sorted(pages)
    assert reader.sync_status().queued == 0
    assert reader.saved_count() == 2
    await reader.aclose()


async def test_a_server_that_lost_its_data_takes_nothing_from_here(
    reader: Reader, miniflux: FakeMiniflux, site: SiteServer
) -> None:
    pages = await saved_before_setup(reader, miniflux, site)
    await reader.add_feed(site.url("/atom.xml"))  # a feed of ours: subscribed there
    assert await reader.sync() is not None
    assert await reader.sync() is not None
    assert len(miniflux.feeds) == 2 and sum(e.starred for e in miniflux.entries.values()) == 2
    feeds, entries = reader.feeds(), reader.entries()
    saved = {article.url: article.text for article in reader.saved()}
    miniflux.reset()  # reinstalled: its ids start again, so the Gazette's are the same
    gazette(miniflux, site)
    with pytest.raises(ServerLostDataError) as raised:
        await reader.sync()
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("the server has lost 1 of 2 feeds and 2 of 2 starred")
    assert "nothing was removed here" in message and "--accept-removals" in message
    assert reader.feeds() == feeds and reader.entries() == entries
    assert {article.url: article.text for article in reader.saved()} == saved
    status = reader.sync_status()
    assert status.attention == message and status.last_error == message
    assert not miniflux.feeds.keys() - {1}  # nothing sent there either
    # asked again, it says the same; the user accepts: the removals apply, the texts stay
    with pytest.raises(ServerLostDataError):
        await reader.sync()
    report = await reader.sync(accept_removals=True)
    assert report is not None and report.feeds_removed == 1
    assert reader.sync_status().attention is None
    assert [feed.title for feed in reader.feeds()] == ["Gazette"]
    assert reader.saved_count() == 0
    for page in pages:  # off the reading list, but readable offline with the saved text
        cached = reader._storage.cached_article(page)
        assert cached is not None and saved[page]
    await reader.aclose()


async def test_feeds_removed_on_the_server_go_here_unless_it_lost_most_of_them(
    synced: Reader, miniflux: FakeMiniflux, site: SiteServer
) -> None:
    more = [miniflux.add_feed(site.url(f"/more-{n}.xml"), f"More {n}") for n in range(39)]
    assert (await synced.sync()) is not None and len(synced.feeds()) == 40
    del miniflux.feeds[more[0]]  # one removed there, deliberately: it goes here too
    report = await synced.sync()
    assert report is not None and report.feeds_removed == 1 and len(synced.feeds()) == 39
    for feed_id in more[1:21]:  # 20 of 39: more than half
        del miniflux.feeds[feed_id]
    with pytest.raises(ServerLostDataError, match=r"^the server has lost 20 of 39 feeds we"):
        await synced.sync()
    assert len(synced.feeds()) == 39
    report = await synced.sync(accept_removals=True)
    assert report is not None and report.feeds_removed == 20


async def test_an_article_the_server_unstarred_leaves_the_list_with_its_text(
    synced: Reader, miniflux: FakeMiniflux
) -> None:
    entry = synced.entries()[0]
    assert entry.url is not None
    synced.save(synced.article_from_entry(entry))  # the feed's text: in no article cache
    assert synced.cached_article(entry.url) is None
    assert await synced.sync() is not None
    text = synced.saved()[0].text
    [item] = [e for e in miniflux.entries.values() if e.url == entry.url]
    item.starred = False  # on the phone
    report = await synced.sync()
    assert report is not None and report.starred_received == 1 and synced.saved() == []
    cached = synced.cached_article(entry.url)  # still readable offline
    assert cached is not None and to_text(cached) == text
    item.starred = True  # starred again there: back with the text it was saved with
    assert await synced.sync() is not None
    assert [article.text for article in synced.saved()] == [text]


async def test_a_star_added_here_goes_though_the_phone_changed_the_item_later(
    synced: Reader, miniflux: FakeMiniflux, clock: FrozenClock
) -> None:
    entry = synced.entries()[0]
    synced.save(synced.article_from_entry(entry))
    [item] = [e for e in miniflux.entries.values() if e.url == entry.url]
    item.read, item.changed_at = True, int(clock.now) + 60  # read on the phone, later
    report = await synced.sync()
    assert report is not None and report.starred_sent == 1 and item.starred
    assert synced.is_saved(entry.url or "")


@pytest.mark.parametrize(
    "answer",
    [
        Response(404, b"not found", {"Content-Type": "text/plain"}),
        Response(200, b"<html><body>Log in</body></html>", {"Content-Type": "text/html"}),
        # a static site's server (python -m http.server) does not do POST: it said
        # "failed (login: HTTP 501)"
        Response(501, b"Unsupported method ('POST')", {"Content-Type": "text/html"}),
    ],
    ids=["404", "html", "501"],
)
def test_setup_at_an_address_without_the_api_says_so(
    cli, site: SiteServer, answer: Response
) -> None:  # type: ignore[no-untyped-def]
    site.routes["/accounts/ClientLogin"] = lambda request: answer
    site.routes["/api/greader.php/accounts/ClientLogin"] = lambda request: answer
    result = cli("sync", "setup", site.url("/"), "--user", "reader",
                 "--password-command", "echo gr-pass")  # fmt: skip
    assert result.status == 1 and result.err.count("\n") == 1
    assert f"no Google Reader API at {site.base} (check the URL" in result.err
    assert "/api/greader.php" in result.err and "Miniflux" in result.err
    assert cli("sync", "status").out.startswith("sync: off")


def test_the_testers_repro_through_the_cli(cli, miniflux: FakeMiniflux, site: SiteServer) -> None:  # type: ignore[no-untyped-def]
    miniflux.reset()
    pages = gazette(miniflux, site)
    for page in pages:
        assert cli("save", page).status == 0
    assert cli("add", site.url("/atom.xml")).status == 0
    setup = cli("sync", "setup", miniflux.url, "--user", "reader",
                "--password-command", "echo gr-pass")  # fmt: skip
    assert setup.status == 0, setup.err
    assert "starred: 2 sent" in cli("sync").out
    assert "starred: 0 sent, 0 received" in cli("sync").out
    miniflux.reset()
    gazette(miniflux, site)
    failed = cli("sync")
    assert failed.status == 1 and failed.err.count("\n") == 1
    assert "lost 1 of 2 feeds and 2 of 2 starred articles" in failed.err
    assert len(cli("saved", "--format", "json").json()) == 2
    assert "attention:  the server has lost" in cli("sync", "status").out
    accepted = cli("sync", "--accept-removals")
    assert accepted.status == 0 and "feeds: 0 new from the server, 1 removed there" in accepted.out
    assert "attention" not in cli("sync", "status").out
