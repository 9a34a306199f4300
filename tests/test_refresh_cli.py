"""`reader refresh`, `reader entries`, and `reader add` fetching the new feed once."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from reader.core import open_reader
from reader.site_server import Response, SiteServer

SUMMARY = re.compile(
    r"^refreshed (\d+) feeds?: (\d+) new entr(?:y|ies), (\d+) not modified, "
    r"(\d+) errors? in \d+\.\d s$"
)


def summary(out: str) -> tuple[int, ...]:
    """The refresh's summary line (the articles' line may follow it)."""
    lines = out.rstrip("\n").splitlines()
    found = [match for line in lines if (match := SUMMARY.match(line))]
    assert found, f"no summary line in {lines!r}"
    return tuple(int(group) for group in found[-1].groups())


def broken(status: int = 500) -> Any:
    return lambda request: Response(status, b"broken", {"Content-Type": "text/plain"})


def test_refresh_prints_the_summary(site: SiteServer, cli: Any) -> None:
    for name in ("feed.xml", "atom.xml"):
        cli("add", site.url(name))
    result = cli("refresh", "--force")
    assert result.status == 0
    assert summary(result.out) == (2, 0, 2, 0)  # `add` fetched them already: 304s now
    assert result.err == ""


def test_refresh_first_time_counts_new_entries(site: SiteServer, cli: Any, db_path: Any) -> None:
    reader = open_reader(db_path)
    for name in ("feed.xml", "rss.xml", "atom.xml", "feed.json"):
        reader._storage.add_feed(site.url(name))
    reader.close()
    result = cli("refresh")
    assert result.status == 0
    assert summary(result.out) == (4, 18, 0, 0)


def test_one_line_per_failed_feed_and_exit_0_when_some_worked(
    site: SiteServer, cli: Any, db_path: Any
) -> None:
    site.routes["/down.xml"] = broken(500)
    reader = open_reader(db_path)
    for url in (site.url("/feed.xml"), site.url("/down.xml"), site.url("/index.html")):
        reader._storage.add_feed(url)
    reader.close()
    result = cli("refresh")
    assert result.status == 0
    assert summary(result.out) == (3, 6, 0, 2)
    lines = result.err.splitlines()
    assert len(lines) == 2
    assert any(site.url("/down.xml") in line and "500" in line for line in lines)
    assert any(site.url("/index.html") in line and "HTML" in line for line in lines)
    assert "\r" not in result.out  # no progress bar when not on a terminal


def test_exit_1_when_every_feed_failed(site: SiteServer, cli: Any, db_path: Any) -> None:
    site.routes["/down.xml"] = broken(503)
    reader = open_reader(db_path)
    reader._storage.add_feed(site.url("/down.xml"))
    reader.close()
    result = cli("refresh")
    assert result.status == 1
    assert summary(result.out) == (1, 0, 0, 1)
    # backing off now: not due, so nothing was tried and nothing failed
    again = cli("refresh")
    assert again.status == 0
    assert "1 feed not due yet" in again.out
    assert summary(again.out) == (0, 0, 0, 0)
    assert cli("refresh", "--force").status == 1


def test_no_feeds(cli: Any) -> None:
    result = cli("refresh")
    assert result.status == 0
    assert summary(result.out) == (0, 0, 0, 0)


def test_refresh_one_feed(site: SiteServer, cli: Any, db_path: Any) -> None:
    reader = open_reader(db_path)
    reader._storage.add_feed(site.url("/feed.xml"))
    reader._storage.add_feed(site.url("/atom.xml"))
    reader.close()
    result = cli("refresh", "--feed", site.url("/atom.xml"), "--jobs", "2")
    assert summary(result.out) == (1, 2, 0, 0)
    assert site.hits("/feed.xml") == []
    unknown = cli("refresh", "--feed", site.url("/nope.xml"))
    assert unknown.status == 1 and "not subscribed" in unknown.err


@pytest.mark.parametrize("jobs", ["0", "-3", "many"])
def test_bad_jobs(cli: Any, jobs: str) -> None:
    result = cli("refresh", "--jobs", jobs)
    assert result.status == 2
    assert "--jobs" in result.err


def test_progress_bar_on_a_terminal(
    site: SiteServer, cli: Any, db_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = open_reader(db_path)
    reader._storage.add_feed(site.url("/feed.xml"))
    reader._storage.add_feed(site.url("/rss.xml"))
    reader.close()
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    result = cli("refresh")
    assert "\r\x1b[2K[" in result.out
    assert "2/2 feeds, 10 new, 0 errors" in result.out
    # then the new entries' articles, on the same line, cleared before their summary
    # (rss.xml's four stories are feed.xml's too: their articles are fetched once)
    assert "6/6 articles, 6 fetched, 0 failed" in result.out
    assert summary(result.out.replace("\r\x1b[2K", "\n")) == (2, 10, 0, 0)
    assert result.out.split("\r\x1b[2K")[-1].startswith("6 articles fetched, 0 failed in ")


# --- reader add ---------------------------------------------------------------------------


def test_add_fetches_the_feed_once(site: SiteServer, cli: Any) -> None:
    result = cli("add", site.url("/feed.xml"))
    assert result.status == 0
    assert result.out.strip() == f"subscribed to The Port Alder Gazette ({site.url('/feed.xml')})"
    listed = cli("entries", "--json").json()
    assert len(listed) == 6


def test_add_keeps_the_subscription_when_the_first_fetch_fails(site: SiteServer, cli: Any) -> None:
    calls = {"n": 0}
    good = (site.root / "feed.xml").read_bytes().replace(b"{{base}}", site.base.encode())

    def first_ok_then_down(request: Any) -> Response:
        calls["n"] += 1  # discovery fetches once, then the refresh fails
        if calls["n"] == 1:
            return Response(200, good, {"Content-Type": "application/rss+xml"})
        return Response(500, b"down", {"Content-Type": "text/plain"})

    site.routes["/flaky.xml"] = first_ok_then_down
    result = cli("add", site.url("/flaky.xml"))
    assert result.status == 0
    assert "subscribed to" in result.out
    assert "fetching it failed" in result.err and "500" in result.err
    feeds = cli("feeds", "--json").json()
    assert [f["url"] for f in feeds] == [site.url("/flaky.xml")]
    assert "500" in feeds[0]["last_error"]


# --- reader entries -----------------------------------------------------------------------


def test_entries_newest_first_with_filters(site: SiteServer, cli: Any, db_path: Any) -> None:
    cli("add", site.url("/feed.xml"))
    cli("add", site.url("/atom.xml"))
    rows = cli("entries", "--json").json()
    assert len(rows) == 6  # 8 entries: both feeds have the storm warning and the library
    dates = [row["date"] for row in rows]
    assert dates == sorted(dates, reverse=True)
    assert {"id", "feed", "title", "url", "read", "saved", "published", "also_in"} <= set(rows[0])
    storm = [row for row in rows if "Storm warning" in row["title"]]
    assert len(storm) == 1
    assert {storm[0]["feed"], *storm[0]["also_in"]} == {
        "The Port Alder Gazette", "Port Alder Gazette: Weather and Culture",
    }  # fmt: skip

    limited = cli("entries", "--limit", "3")
    lines = limited.out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("* 2026-11-28")
    assert "Storm warning" in lines[0] and " +1 " in lines[0]

    only_atom = cli("entries", "--feed", site.url("/atom.xml"), "--json").json()
    assert len(only_atom) == 2
    assert {row["feed"] for row in only_atom} == {"Port Alder Gazette: Weather and Culture"}

    reader = open_reader(db_path)
    reader.mark_read([rows[0]["id"], rows[1]["id"]])
    reader._storage.save_article(rows[2]["url"], rows[2]["title"], None, "text")
    reader.close()
    unread = cli("entries", "--unread", "--json").json()
    assert len(unread) == 4 and rows[0]["id"] not in {row["id"] for row in unread}
    saved = cli("entries", "--saved", "--json").json()
    assert {row["url"] for row in saved} == {rows[2]["url"]}
    assert all(row["saved"] for row in saved)
    assert cli("entries").out.splitlines()[0].startswith("  ")  # read: no star


def test_entries_unknown_feed(cli: Any) -> None:
    result = cli("entries", "--feed", "http://nowhere.test/feed.xml")
    assert result.status == 1 and "not subscribed" in result.err


def test_entries_empty(cli: Any) -> None:
    result = cli("entries")
    assert result.status == 0 and "no entries" in result.out


def test_hostile_titles_are_cleaned(site: SiteServer, cli: Any) -> None:
    hostile = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Evil&#x1b;]0;owned&#x7;Feed'
        b"</title><item><guid>1</guid><title>Click&#x1b;[2J&#x1b;[31mme&#x202e;txt.exe</title>"
        b"</item></channel></rss>"
    )
    site.routes["/evil.xml"] = lambda r: Response(200, hostile, {"Content-Type": "text/xml"})
    added = cli("add", site.url("/evil.xml"))
    listed = cli("entries")
    feeds = cli("feeds")
    for out in (added.out, listed.out, feeds.out):
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Click" in listed.out and "txt.exe" in listed.out
