"""Sync against a real FreshRSS (../shared/freshrss): the whole loop, through the CLI.

One FreshRSS runs for the session; each test has a user of its own and a "phone" (plain
HTTP) to act on the server as another device would and to check what arrived there.
"""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import time
from pathlib import Path

import pytest
from sync_servers import STARRED, FreshRSS, GrowingFeed, Phone

from reader.core import Reader
from reader.site_server import Response, SiteServer


@pytest.fixture
def setup(cli, freshrss: Phone, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``setup()`` runs `reader sync setup` with the phone's user, password on stdin."""

    def run(password: str | None = None, *extra: str):  # type: ignore[no-untyped-def]
        monkeypatch.setattr(sys, "stdin", io.StringIO((password or freshrss.password) + "\n"))
        return cli("sync", "setup", freshrss.server.url, "--user", freshrss.user, *extra)

    return run


def sync(cli) -> dict:  # type: ignore[no-untyped-def]
    result = cli("sync", "--json")
    assert result.status == 0, result.err
    return result.json()  # type: ignore[no-any-return]


def synced_with_the_gazette(setup, cli, freshrss: Phone, site: SiteServer) -> None:  # type: ignore[no-untyped-def]
    """The server follows the site's feed (6 items), and one sync brought it here."""
    freshrss.subscribe(site.url("/feed.xml"))
    assert setup().status == 0
    assert sync(cli)["new_entries"] == 6


def account_file(home: Path) -> Path:
    return home / "config" / "reader" / "sync.json"


def test_setup_with_a_wrong_password_fails_cleanly(setup, isolated_home: Path) -> None:
    result = setup("not-the-password")
    assert result.status == 1
    assert result.err.count("\n") == 1 and "login refused" in result.err
    assert "not-the-password" not in result.err + result.out
    assert not account_file(isolated_home).exists()


def test_setup_keeps_the_account_private_and_finds_the_api_path(
    setup, cli, freshrss: Phone, isolated_home: Path
) -> None:
    result = setup()  # the site's address: /api/greader.php is found
    assert result.status == 0, result.err
    path = account_file(isolated_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["url"] == freshrss.api
    status = cli("sync", "status")
    assert status.status == 0 and freshrss.user in status.out
    assert freshrss.password not in status.out + status.err


def test_server_feeds_folders_and_entries_arrive(
    setup, cli, freshrss: Phone, site: SiteServer
) -> None:
    freshrss.subscribe(site.url("/feed.xml"), folder="News")
    freshrss.subscribe(site.url("/atom.xml"), folder="Weather", title="Storms")
    assert setup().status == 0
    report = sync(cli)
    assert report["feeds_added"] == 2 and report["new_entries"] == 8
    feeds = {feed["url"]: feed for feed in cli("feeds", "--json").json()}
    assert feeds[site.url("/feed.xml")]["folder"] == "News"
    assert feeds[site.url("/atom.xml")]["folder"] == "Weather"
    assert feeds[site.url("/atom.xml")]["title"] == "Storms"
    assert all(feed["synced"] for feed in feeds.values())
    entries = cli("entries", "--json").json()
    # 8 entries, 6 listed: both feeds have the storm warning and the library hours
    assert len(entries) == 6 and not any(entry["read"] for entry in entries)
    assert sum(len(entry["also_in"]) for entry in entries) == 2
    # synced entries are ordinary entries: their article is fetched as any other
    article = cli("read", entries[0]["url"], "--format", "json")
    assert article.status == 0 and article.json()["source"] == "page"
    # a second sync moves nothing, and the feeds are not polled here
    site.requests.clear()
    again = sync(cli)
    assert (again["feeds_added"], again["new_entries"], again["read_received"]) == (0, 0, 0)
    refresh = cli("refresh", "--force")
    assert refresh.status == 0 and not site.hits("/feed.xml")


def test_new_entries_come_incrementally(setup, cli, freshrss: Phone, site: SiteServer) -> None:
    feed = GrowingFeed(site, "/growing.xml")
    feed.add("One", "Two", "Three")
    freshrss.subscribe(feed.url)
    assert setup().status == 0
    assert sync(cli)["new_entries"] == 3
    feed.add("Four", "Five")
    freshrss.actualize()
    assert sync(cli)["new_entries"] == 2
    titles = {entry["title"] for entry in cli("entries", "--json").json()}
    assert titles == {"One", "Two", "Three", "Four", "Five"}


def test_read_and_star_go_both_ways(
    setup, cli, reader: Reader, freshrss: Phone, site: SiteServer
) -> None:
    synced_with_the_gazette(setup, cli, freshrss, site)
    by_url = {entry.url: entry for entry in reader.entries()}
    server = freshrss.items()
    first, second, third, fourth = sorted(by_url)[:4]
    # here -> there: read, and saved (the reading list is the server's starred)
    reader.mark_read([by_url[first].id])
    reader.save(reader.article_from_entry(by_url[second]))
    report = sync(cli)
    assert (report["read_sent"], report["starred_sent"]) == (1, 1)
    server = freshrss.items()
    assert server[first]["read"] and server[second]["starred"]
    # there -> here: read on the phone, starred on the phone
    freshrss.tag(server[third]["id"], add="user/-/state/com.google/read")
    freshrss.tag(server[fourth]["id"], add=STARRED)
    freshrss.tag(server[first]["id"], remove="user/-/state/com.google/read")
    report = sync(cli)
    assert report["read_received"] == 2 and report["starred_received"] == 1
    entries = {entry.url: entry for entry in reader.entries()}
    assert entries[third].read and not entries[first].read
    assert entries[fourth].saved and reader.is_saved(fourth)
    saved = {article.url: article for article in reader.saved()}
    assert saved[fourth].text  # the feed's content, kept as the saved text
    # unsaved here -> unstarred there; unstarred there -> off the reading list here
    reader.unsave(second)
    freshrss.tag(server[fourth]["id"], remove=STARRED)
    sync(cli)
    server = freshrss.items()
    assert not server[second]["starred"]
    assert not reader.is_saved(fourth) and not reader.is_saved(second)


def test_marking_a_feed_read_is_sent_in_bulk(
    setup, cli, reader: Reader, freshrss: Phone, site: SiteServer
) -> None:
    synced_with_the_gazette(setup, cli, freshrss, site)
    assert reader.mark_feed_read(None) == 6
    assert sync(cli)["read_sent"] == 6
    assert freshrss.ids(xt="user/-/state/com.google/read") == []


def test_feeds_added_renamed_and_removed_here_go_to_the_server(
    setup, cli, freshrss: Phone, site: SiteServer
) -> None:
    assert cli("add", site.url("/feed.xml"), "--folder", "News").status == 0
    assert setup().status == 0
    report = sync(cli)
    assert report["feeds_sent"] == 1
    subs = freshrss.subscriptions()
    assert subs[site.url("/feed.xml")]["folder"] == "News"
    # the entries fetched here before are the server's items now, not twins
    entries = cli("entries", "--json").json()
    assert len(entries) == 6
    edited = cli("edit", site.url("/feed.xml"), "--title", "Gazette", "--folder", "Local")
    assert edited.status == 0, edited.err
    sync(cli)
    sub = freshrss.subscriptions()[site.url("/feed.xml")]
    assert (sub["title"], sub["folder"]) == ("Gazette", "Local")
    assert cli("remove", site.url("/feed.xml")).status == 0
    sync(cli)
    assert freshrss.subscriptions() == {}


def test_local_only_feeds_stay_local(setup, cli, freshrss: Phone, site: SiteServer) -> None:
    assert setup().status == 0
    assert cli("add", site.url("/feed.xml"), "--local").status == 0
    sync(cli)
    assert freshrss.subscriptions() == {}
    feeds = cli("feeds", "--json").json()
    assert feeds[0]["local_only"] and not feeds[0]["synced"]
    # switched to synced: sent; switched back: unsubscribed there, kept here
    assert cli("edit", site.url("/feed.xml"), "--synced").status == 0
    sync(cli)
    assert site.url("/feed.xml") in freshrss.subscriptions()
    assert cli("edit", site.url("/feed.xml"), "--local").status == 0
    sync(cli)
    assert freshrss.subscriptions() == {}
    assert len(cli("entries", "--json").json()) == 6
    assert cli("refresh", "--force").status == 0  # polled here again
    assert site.hits("/feed.xml")


def test_feeds_removed_on_the_server_go_here_too_but_the_reading_list_stays(
    setup, cli, reader: Reader, freshrss: Phone, site: SiteServer
) -> None:
    synced_with_the_gazette(setup, cli, freshrss, site)
    entry = reader.entries()[0]
    reader.save(reader.article_from_entry(entry))
    sync(cli)
    freshrss.unsubscribe(freshrss.subscriptions()[site.url("/feed.xml")]["id"])
    assert sync(cli)["feeds_removed"] == 1
    assert reader.feeds() == [] and reader.is_saved(entry.url or "")


def test_a_feed_the_server_refuses_stays_local(
    setup, cli, freshrss: Phone, site: SiteServer
) -> None:
    feed = GrowingFeed(site, "/soon-gone.xml")
    feed.add("Only")
    assert cli("add", feed.url).status == 0
    site.routes[feed.path] = lambda request: Response(404, b"gone")
    assert setup().status == 0
    result = cli("sync")
    assert result.status == 0
    assert "refused" in result.err and feed.url in result.err
    assert cli("feeds", "--json").json()[0]["local_only"]
    assert sync(cli)["feeds_sent"] == 0  # not offered again


def test_changes_made_while_the_server_is_down_are_sent_when_it_is_back(
    setup, cli, reader: Reader, freshrss: Phone, freshrss_server: FreshRSS, site: SiteServer
) -> None:
    synced_with_the_gazette(setup, cli, freshrss, site)
    entries = reader.entries()
    freshrss_server.stop()
    reader.mark_read([entries[0].id, entries[1].id])
    reader.save(reader.article_from_entry(entries[2]))
    result = cli("sync")
    assert result.status == 1 and result.err.count("\n") == 1
    assert "refused" in result.err or "down" in result.err
    status = cli("sync", "status", "--json").json()
    assert status["queued"] == 3 and status["last_error"]
    assert [entry.read for entry in reader.entries()][:2] == [True, True]  # still here
    freshrss_server.start()
    report = sync(cli)
    assert (report["read_sent"], report["starred_sent"], report["queued"]) == (2, 1, 0)
    server = freshrss.items()
    assert server[entries[0].url or ""]["read"] and server[entries[1].url or ""]["read"]
    assert server[entries[2].url or ""]["starred"]
    status = cli("sync", "status", "--json").json()
    assert status["queued"] == 0 and status["last_error"] is None


def test_an_expired_token_logs_in_again(
    setup, cli, freshrss: Phone, site: SiteServer, isolated_home: Path
) -> None:
    freshrss.subscribe(site.url("/feed.xml"))
    assert setup().status == 0
    path = account_file(isolated_home)
    data = json.loads(path.read_text())
    data["auth"] = data["auth"][:-4] + "0000"
    path.write_text(json.dumps(data))
    assert sync(cli)["new_entries"] == 6
    assert json.loads(path.read_text())["auth"] != data["auth"]


def test_the_password_command_is_run_at_login_and_its_output_never_shown(
    setup, cli, freshrss: Phone, site: SiteServer, isolated_home: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret"
    secret.write_text(freshrss.password + "\n")
    result = cli(
        "sync", "setup", freshrss.api, "--user", freshrss.user,
        "--password-command", f"cat {secret}",
    )  # fmt: skip
    assert result.status == 0, result.err
    stored = json.loads(account_file(isolated_home).read_text())
    assert "password" not in stored and stored["password_command"] == f"cat {secret}"
    secret.write_text("wrong\n")
    stored.pop("auth")
    account_file(isolated_home).write_text(json.dumps(stored))
    failed = cli("sync")
    assert failed.status == 1 and "login refused: check the password" in failed.err
    assert "wrong" not in failed.err
    os.chmod(secret, 0)
    if os.geteuid() != 0:  # root reads it anyway
        assert "password command failed" in cli("sync").err


def test_sync_off_keeps_feeds_and_entries_as_local_ones(
    setup, cli, freshrss: Phone, site: SiteServer, isolated_home: Path
) -> None:
    synced_with_the_gazette(setup, cli, freshrss, site)
    assert cli("sync", "off").status == 0
    assert not account_file(isolated_home).exists()
    feeds = cli("feeds", "--json").json()
    assert len(feeds) == 1 and not feeds[0]["synced"]
    assert len(cli("entries", "--json").json()) == 6
    assert "off" in cli("sync", "status").out
    failed = cli("sync")
    assert failed.status == 1 and "sync setup" in failed.err


async def test_the_client_speaks_every_endpoint_freshrss_has(
    reader: Reader, freshrss: Phone, site: SiteServer
) -> None:
    from reader.sync.greader import READ, READING_LIST, GReader, canonical_item_id

    freshrss.subscribe(site.url("/feed.xml"), folder="News")
    api = GReader(reader.client(), freshrss.api, freshrss.user, lambda: freshrss.password)
    [sub] = await api.subscriptions()
    assert (sub.url, sub.folder) == (site.url("/feed.xml"), "News")
    assert "News" in await api.folders()
    assert (await api.unread_counts())[sub.stream_id] == 6
    # stream/contents in pages, by continuation
    first, token = await api.stream_contents(count=4)
    assert len(first) == 4 and token
    rest, _ = await api.stream_contents(count=4, continuation=token)
    assert len(rest) == 2 and not {i.id for i in first} & {i.id for i in rest}
    # ids from items/ids (decimal there) and from contents (long form) are the same ids
    ids = await api.item_ids(READING_LIST)
    assert sorted(ids) == sorted(item.id for item in first + rest)
    decimal = str(int(ids[0], 16))
    await api.edit_tag([decimal], add=READ)  # either form goes in
    assert canonical_item_id(decimal) not in await api.item_ids(READING_LIST, exclude=READ)
    # without ts FreshRSS takes its own "now" in whole seconds, so an item that arrived in
    # the same second stays unread (the test failed when it ran fast): a time past them all,
    # by the server's clock, which is the real one
    await api.mark_all_as_read(sub.stream_id, older_than=time.time() + 60)
    assert await api.item_ids(READING_LIST, exclude=READ) == []
    await reader.aclose()


def test_a_server_that_lost_the_account_takes_nothing_from_here_and_gets_it_all_back(
    setup, cli, reader: Reader, freshrss: Phone, site: SiteServer
) -> None:
    synced_with_the_gazette(setup, cli, freshrss, site)
    entries = reader.entries()
    for entry in entries[:2]:
        reader.save(reader.article_from_entry(entry))
    assert sync(cli)["starred_sent"] == 2
    entries = reader.entries()
    saved = {article.url: article.text for article in reader.saved()}
    freshrss.reinstall()  # the same user and password, nothing else
    result = cli("sync")
    assert result.status == 1 and result.err.count("\n") == 1
    assert "the server has lost 1 of 1 feeds and 2 of 2 starred articles" in result.err
    assert "nothing was removed here" in result.err
    assert reader.entries() == entries and len(reader.feeds()) == 1
    assert {article.url: article.text for article in reader.saved()} == saved
    assert freshrss.subscriptions() == {}  # nor was anything sent
    assert "attention:  the server has lost" in cli("sync", "status").out
    # sync off, set up again: what is here goes to the server again, stars and all
    assert cli("sync", "off").status == 0
    assert setup().status == 0
    report = sync(cli)
    assert (report["feeds_sent"], report["starred_sent"], report["new_entries"]) == (1, 2, 0)
    assert list(freshrss.subscriptions()) == [site.url("/feed.xml")]
    assert sorted(url for url, item in freshrss.items().items() if item["starred"]) == sorted(saved)
    assert "attention" not in cli("sync", "status").out
