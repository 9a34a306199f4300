"""Refresh: the pure decider (tables) and the pipeline against the local test site."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from reader import update
from reader.config import Config
from reader.core import Reader, open_reader
from reader.errors import FeedNotFoundError
from reader.fetch import (
    DECODE_CHUNK,
    BodyDecoder,
    FetchResult,
    HostLimiter,
    HttpSettings,
    NotModified,
    fetch,
    make_client,
)
from reader.models import EntryFilter, FeedCheck, FeedMetadata, FeedUpdate, ServerAnswer
from reader.site_server import (
    Request,
    Response,
    SiteServer,
    bomb_route,
    compress,
    conditional,
    content_encoding,
)
from reader.update import (
    DAY,
    Failed,
    HostQueue,
    InternalError,
    Outcome,
    Parsed,
    RefreshProgress,
    Unchanged,
    backoff_delay,
    cache_max_age,
    decide,
    interleave_hosts,
    is_due,
    next_check_after_error,
    next_check_after_success,
    refresh_feeds,
)
from tests.conftest import FrozenClock

NOW = 1_800_000_000.0
XML = "application/rss+xml; charset=utf-8"


# --- the decider -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("next_check", "last_checked", "force", "min_interval", "due", "refresh_minutes"),
    [
        (None, None, False, 0, True, None),  # never checked, or nothing asked us to wait
        (NOW - 1, NOW - 60, False, 0, True, None),
        (NOW, NOW - 60, False, 0, True, None),
        (NOW + 1, NOW - 60, False, 0, False, None),  # backing off / Retry-After / ttl
        (NOW + 1, NOW - 60, True, 0, True, None),  # --force
        (NOW + DAY, None, True, 0, True, None),
        # the app's interval: a feed checked 10 minutes ago waits out a 30-minute interval
        (None, NOW - 600, False, 1800, False, None),
        (None, NOW - 1800, False, 1800, True, None),
        (None, None, False, 1800, True, None),  # never checked
        (None, NOW - 600, True, 1800, True, None),  # R forces
        (NOW + 1, NOW - DAY, False, 1800, False, None),  # the backoff still holds
        # the feed's own interval replaces the app's (less a minute: a timer at that
        # interval finds it due), on the command line too
        (None, NOW - 1800, False, 1800, False, 60),
        (None, NOW - 3540, False, 1800, True, 60),
        (None, NOW - 3540, False, 0, True, 60),
        (None, NOW - 600, False, 0, False, 60),
        (None, NOW - 600, True, 0, True, 60),  # --force
        (None, NOW - 600, False, 1800, True, 5),  # shorter than the app's
    ],
)
def test_is_due(
    next_check: float | None, last_checked: float | None, force: bool, min_interval: float,
    due: bool, refresh_minutes: int | None,
) -> None:  # fmt: skip
    check = FeedCheck(1, "http://a/feed", last_checked=last_checked, next_check=next_check,
                      refresh_minutes=refresh_minutes)  # fmt: skip
    assert is_due(check, NOW, force, min_interval) is due


ANSWER = ServerAnswer(etag='"v2"', last_modified="Thu, 03 Dec 2026 10:00:00 GMT")
META = FeedMetadata(body_hash="abc", title="Feed", site_url="http://a/", update_hint=3600.0)


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        # the feed's failure: counted, backed off, marked checked
        (Failed("HTTP 500"), FeedUpdate(1, NOW + 120, 2, "HTTP 500", NOW, NOW)),
        (Failed("HTTP 429", retry_after=7200), FeedUpdate(1, NOW + 7200, 2, "HTTP 429", NOW, NOW)),
        # reader's own failure: not counted, due at the next refresh, not marked checked
        (InternalError("KeyError: 'x'"),
         FeedUpdate(1, None, 1, "internal error: KeyError: 'x'", NOW, None)),
        # 304: the validators are kept, the error cleared, the feed's own ttl honoured
        (Unchanged(ANSWER), FeedUpdate(1, NOW + 600, 0, None, None, NOW, ANSWER)),
        (Unchanged(ANSWER, max_age=1200), FeedUpdate(1, NOW + 1200, 0, None, None, NOW, ANSWER)),
        # parsed: the new ttl wins over the old
        (Parsed(ANSWER, META), FeedUpdate(1, NOW + 3600, 0, None, None, NOW, ANSWER, META)),
        (Parsed(ANSWER, META, warning="malformed XML"),
         FeedUpdate(1, NOW + 3600, 0, "malformed XML", NOW, NOW, ANSWER, META)),
    ],
)  # fmt: skip
def test_decide(outcome: Outcome, expected: FeedUpdate) -> None:
    check = FeedCheck(1, "http://a/feed", error_count=1, update_hint=600.0)
    assert decide(check, outcome, NOW) == expected


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("max-age=600", 600.0),
        ("public, max-age=300, must-revalidate", 300.0),
        ('max-age="120"', 120.0),
        ("MAX-AGE=60", 60.0),
        ("max-age=0", None),
        ("no-cache, max-age=600", None),
        ("no-store", None),
        ("s-maxage=600", None),
        ("max-age=soon", None),
    ],
)
def test_cache_max_age(header: str | None, seconds: float | None) -> None:
    headers = {} if header is None else {"cache-control": header}
    assert cache_max_age(headers) == seconds


@pytest.mark.parametrize(
    ("ttl", "max_age", "expected"),
    [
        (None, None, None),  # no hint: due at the next refresh
        (3600.0, None, NOW + 3600),
        (None, 600.0, NOW + 600),
        (3600.0, 600.0, NOW + 3600),  # the longer hint wins
        (0.0, -5.0, None),
        (365 * DAY, None, NOW + DAY),  # capped: a feed cannot ask to be ignored for a year
    ],
)
def test_next_check_after_success(
    ttl: float | None, max_age: float | None, expected: float | None
) -> None:
    assert next_check_after_success(NOW, ttl, max_age) == expected


@pytest.mark.parametrize(
    ("errors", "delay"),
    [(0, 0.0), (1, 60.0), (2, 120.0), (3, 240.0), (11, 60.0 * 1024), (12, DAY), (500, DAY)],
)
def test_backoff_is_exponential_and_capped_at_a_day(errors: int, delay: float) -> None:
    assert backoff_delay(errors) == delay


@pytest.mark.parametrize(
    ("errors", "retry_after", "expected"),
    [
        (1, None, NOW + 60),
        (3, None, NOW + 240),
        (1, 3600.0, NOW + 3600),  # Retry-After longer than the backoff: honoured
        (5, 10.0, NOW + 960),  # shorter: the backoff still applies
        (1, 10 * 365 * DAY, NOW + DAY),  # a server cannot switch a feed off for good
        (1, 0.0, NOW + 60),
    ],
)
def test_next_check_after_error(errors: int, retry_after: float | None, expected: float) -> None:
    assert next_check_after_error(NOW, errors, retry_after) == expected


def test_interleave_hosts_round_robin() -> None:
    checks = [
        FeedCheck(i, url)
        for i, url in enumerate(
            ["http://a/1", "http://a/2", "http://a/3", "http://B/1", "http://c/1", "http://b/2"]
        )
    ]
    assert [c.url for c in interleave_hosts(checks)] == [
        "http://a/1", "http://B/1", "http://c/1", "http://a/2", "http://b/2", "http://a/3",
    ]  # fmt: skip


def _taken(queue: HostQueue, host: str | None) -> str | None:
    taken = queue.take(host)
    return None if taken is None else taken[1].url


def test_the_host_queue_keeps_a_worker_on_its_host_and_spreads_the_others() -> None:
    urls = ["http://a/1", "http://a/2", "http://a/3", "http://b/1", "http://b/2", "http://c/1"]
    queue = HostQueue([FeedCheck(i, url) for i, url in enumerate(urls)], per_host=2)
    # three workers start on three hosts, not two on the first
    assert [_taken(queue, None) for _ in range(3)] == ["http://a/1", "http://b/1", "http://c/1"]
    assert _taken(queue, "a") == "http://a/2"  # the worker on a stays there
    # the worker done with c joins a host with feeds left (b has one worker, as a has)
    assert _taken(queue, "c") in ("http://a/3", "http://b/2")


def test_the_host_queue_gives_a_host_at_most_per_host_workers() -> None:
    checks = [FeedCheck(i, f"http://a/{i}") for i in range(5)] + [FeedCheck(9, "http://b/9")]
    queue = HostQueue(checks, per_host=2)
    assert [_taken(queue, None) for _ in range(3)] == ["http://a/0", "http://b/9", "http://a/1"]
    assert queue.take(None) is None  # a has its two: they will fetch its other feeds
    assert queue.take("b") is None  # nor does the worker done with b join them
    assert [_taken(queue, "a") for _ in range(4)] == [
        "http://a/2",
        "http://a/3",
        "http://a/4",
        None,
    ]
    assert queue.take(None) is None


# --- pipeline helpers --------------------------------------------------------------------


def rss(items: list[tuple[str, str]], title: str = "Test feed", channel: str = "") -> bytes:
    """A small RSS 2.0 feed of (guid, title) items."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>http://example.test/{guid}</link>"
        f"<description>&lt;p&gt;About {item_title}&lt;/p&gt;</description></item>"
        for guid, item_title in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://example.test/</link>{channel}{body}</channel></rss>"
    ).encode()


@pytest.fixture
async def live(reader: Reader) -> AsyncIterator[Reader]:
    """The reader, with its HTTP client closed at the end of the test."""
    yield reader
    await reader.aclose()


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown: routes that stall wait on it, so the server can shut down."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs parse_feed was called for (small refreshes parse in a thread)."""
    calls: list[str] = []
    real = update.parse_feed

    def counting(content: bytes, url: str = "", *args: Any) -> Any:
        calls.append(url)
        return real(content, url, *args)

    monkeypatch.setattr(update, "parse_feed", counting)
    return calls


def subscribe(reader: Reader, *urls: str) -> None:
    for url in urls:
        assert reader._storage.add_feed(url) is not None


def feed(reader: Reader, url: str) -> Any:
    found = reader._storage.get_feed(url)
    assert found is not None, url
    return found


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def static(body: bytes, status: int = 200, **headers: str) -> Callable[[Request], Response]:
    return lambda request: Response(status, body, {"Content-Type": XML, **headers})


# --- connections -------------------------------------------------------------------------


async def test_a_304_leaves_its_connection_open_for_the_next_request(site: SiteServer) -> None:
    url = site.url("/feed.xml")
    async with make_client() as client:
        first = await fetch(client, url)
        assert isinstance(first, FetchResult)
        for _ in range(3):
            assert isinstance(await fetch(client, url, etag=first.etag), NotModified)
    # an unread 304 closed its connection: each request paid for a new one
    assert len({request.client_port for request in site.hits("/feed.xml")}) == 1


async def test_a_304_imports_nothing(site: SiteServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore imports sniffio on every request; when sniffio is missing, each import
    searches sys.path again (a third of a warm refresh's CPU): it is our dependency."""
    import sys

    lookups: list[str] = []

    class Watch:
        def find_spec(self, name: str, *args: object) -> None:
            lookups.append(name)

    url = site.url("/feed.xml")
    async with make_client() as client:
        first = await fetch(client, url)
        assert isinstance(first, FetchResult)
        assert isinstance(await fetch(client, url, etag=first.etag), NotModified)
        monkeypatch.setattr(sys, "meta_path", [Watch(), *sys.meta_path])
        for _ in range(3):
            assert isinstance(await fetch(client, url, etag=first.etag), NotModified)
    assert lookups == []


async def test_a_refresh_fetches_a_hosts_feeds_over_one_connection(
    site: SiteServer, live: Reader
) -> None:
    """Workers stay on a host while it has feeds; taking hosts in turn (a, b, c, a ...)
    through a pool smaller than the hosts closed a connection for every request."""
    from dataclasses import replace

    live.config = replace(live.config, concurrency=2)
    servers = [SiteServer().start() for _ in range(2)]
    try:
        sites = [site, *servers]
        urls = []
        for number, server in enumerate(sites):
            for index in range(4):
                body = rss([(f"{number}-{index}", "item")])
                path = f"/feed-{index}.xml"
                server.routes[path] = lambda request, body=body: conditional(request, body, XML)
                urls.append(server.url(path))
        subscribe(live, *urls)
        assert (await live.refresh()).new_entries == 12
        report = await live.refresh(force=True)
        assert report.not_modified == 12
    finally:
        for server in servers:
            server.stop()
    ports = [
        {r.client_port for r in server.requests if r.headers.get("if-none-match")}
        for server in sites
    ]
    # one connection a host, a second when the worker done with its host joins another;
    # on a loaded machine a connection is now and then replaced mid-host (5 in 3 runs of
    # 15 at load 5): still far from one a request (12), what the churn did
    assert sum(len(used) for used in ports) <= len(sites) + 2


# --- formats, 304s, ETags, body hash -----------------------------------------------------


async def test_the_four_formats_are_stored(site: SiteServer, live: Reader) -> None:
    names = ["feed.xml", "rss.xml", "atom.xml", "feed.json"]
    subscribe(live, *(site.url(name) for name in names))
    report = await live.refresh()
    assert (report.total, report.refreshed, report.errors) == (4, 4, 0)
    assert report.new_entries == 6 + 4 + 2 + 6
    titles = {name: feed(live, site.url(name)) for name in names}
    assert titles["feed.xml"].title == "The Port Alder Gazette"
    assert titles["feed.json"].title == "Port Alder Gazette (JSON)"
    assert [titles[name].entry_count for name in names] == [6, 4, 2, 6]
    assert all(f.etag and f.last_modified and f.last_checked for f in titles.values())


async def test_304_sends_validators_and_parses_nothing(
    site: SiteServer, live: Reader, parses: list[str], clock: FrozenClock
) -> None:
    url = site.url("/feed.xml")
    subscribe(live, url)
    first = await live.refresh()
    assert first.new_entries == 6 and parses == [url]
    stored = feed(live, url)
    clock.advance(60)
    second = await live.refresh()
    assert (second.not_modified, second.new_entries, second.errors) == (1, 0, 0)
    assert parses == [url]  # no second parse
    request = site.hits("/feed.xml")[-1]
    assert request.headers["if-none-match"] == stored.etag
    assert request.headers["if-modified-since"] == stored.last_modified
    assert "reader/" in request.headers["user-agent"]
    assert feed(live, url).last_checked == stored.last_checked + 60


async def test_an_etag_change_brings_the_new_entries(
    site: SiteServer, live: Reader, parses: list[str]
) -> None:
    current = {"body": rss([("1", "one")])}
    site.routes["/changing.xml"] = lambda request: conditional(request, current["body"], XML)
    url = site.url("/changing.xml")
    subscribe(live, url)
    await live.refresh()
    old_etag = feed(live, url).etag
    current["body"] = rss([("2", "two"), ("1", "one")])
    report = await live.refresh()
    assert report.new_entries == 1 and report.not_modified == 0
    assert site.hits("/changing.xml")[-1].headers["if-none-match"] == old_etag
    assert feed(live, url).etag not in (None, old_etag)
    assert len(parses) == 2
    assert [e.title for e in live.entries(EntryFilter(feed_id=feed(live, url).id))] == [
        "two", "one"
    ]  # fmt: skip


async def test_same_bytes_without_validators_are_not_parsed_again(
    site: SiteServer, live: Reader, parses: list[str]
) -> None:
    site.routes["/plain.xml"] = static(rss([("1", "one")]))  # no ETag, no Last-Modified
    url = site.url("/plain.xml")
    subscribe(live, url)
    await live.refresh()
    report = await live.refresh()
    assert len(site.hits("/plain.xml")) == 2
    assert parses == [url]
    assert report.not_modified == 1 and report.refreshed == 1


# --- redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 308])
async def test_a_permanent_redirect_updates_the_feed_url(
    site: SiteServer, live: Reader, status: int
) -> None:
    site.routes["/old.xml"] = lambda request: Response(
        status, b"", {"Location": site.url("/feed.xml")}
    )
    subscribe(live, site.url("/old.xml"))
    report = await live.refresh()
    assert report.new_entries == 6
    assert live._storage.get_feed(site.url("/old.xml")) is None
    assert feed(live, site.url("/feed.xml")).entry_count == 6


@pytest.mark.parametrize("status", [302, 303, 307])
async def test_a_temporary_redirect_keeps_the_feed_url(
    site: SiteServer, live: Reader, status: int
) -> None:
    site.routes["/moved.xml"] = lambda request: Response(
        status, b"", {"Location": site.url("/feed.xml")}
    )
    subscribe(live, site.url("/moved.xml"))
    report = await live.refresh()
    assert report.new_entries == 6
    assert feed(live, site.url("/moved.xml")).entry_count == 6
    assert live._storage.get_feed(site.url("/feed.xml")) is None


async def test_a_permanent_redirect_then_a_temporary_one_keeps_the_url(
    site: SiteServer, live: Reader
) -> None:
    site.routes["/a.xml"] = lambda r: Response(301, b"", {"Location": site.url("/b.xml")})
    site.routes["/b.xml"] = lambda r: Response(302, b"", {"Location": site.url("/feed.xml")})
    subscribe(live, site.url("/a.xml"))
    await live.refresh()
    assert feed(live, site.url("/a.xml")).entry_count == 6


async def test_a_redirect_to_a_feed_already_followed_keeps_both(
    site: SiteServer, live: Reader
) -> None:
    site.routes["/old.xml"] = lambda r: Response(301, b"", {"Location": site.url("/feed.xml")})
    subscribe(live, site.url("/old.xml"), site.url("/feed.xml"))
    report = await live.refresh()
    assert report.errors == 0
    assert feed(live, site.url("/old.xml")).entry_count == 6
    assert feed(live, site.url("/feed.xml")).entry_count == 6


# --- failures, one feed at a time --------------------------------------------------------


async def test_a_server_that_stalls_times_out(
    site: SiteServer, db_path: Path, release: threading.Event
) -> None:
    def stall_before_headers(request: Request) -> Response:
        release.wait(20)
        return Response(200, rss([("1", "late")]), {"Content-Type": XML})

    def stall_in_body(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            yield rss([("1", "x")])[:40]
            release.wait(20)
            yield b""

        return Response(200, body(), {"Content-Type": XML})

    def trickle(request: Request) -> Response:
        """A byte every 0.1 s, for ever: no read times out, only the total does."""

        def body() -> Iterator[bytes]:
            yield b'<?xml version="1.0"?><rss version="2.0"><channel>'
            while not release.wait(0.1):
                yield b" "

        return Response(200, body(), {"Content-Type": XML})

    site.routes["/stall-headers.xml"] = stall_before_headers
    site.routes["/stall-body.xml"] = stall_in_body
    site.routes["/trickle.xml"] = trickle
    slow = open_reader(db_path, config=Config(timeout=0.5))
    try:
        subscribe(slow, site.url("/stall-headers.xml"), site.url("/stall-body.xml"),
                  site.url("/trickle.xml"), site.url("/feed.xml"))  # fmt: skip
        # the trickle never ends: only the total timeout can stop it (a guard against a hang,
        # not a speed limit)
        report = await asyncio.wait_for(slow.refresh(), 120)
        assert (report.errors, report.refreshed) == (3, 1)
        for path in ("/stall-headers.xml", "/stall-body.xml", "/trickle.xml"):
            assert "timed out" in (feed(slow, site.url(path)).last_error or "")
        assert feed(slow, site.url("/feed.xml")).entry_count == 6
    finally:
        await slow.aclose()
        slow.close()


async def test_a_body_over_the_cap_is_refused(site: SiteServer, reader: Reader) -> None:
    items = [(str(i), "x" * 1000) for i in range(200)]  # about 250 KB
    big = rss(items)
    site.routes["/declared.xml"] = static(big)  # with Content-Length

    def chunked(request: Request) -> Response:
        return Response(200, iter([big[i : i + 8192] for i in range(0, len(big), 8192)]),
                        {"Content-Type": XML})  # fmt: skip

    site.routes["/chunked.xml"] = chunked
    subscribe(reader, site.url("/declared.xml"), site.url("/chunked.xml"), site.url("/feed.xml"))
    settings = HttpSettings(max_bytes=64 * 1024)

    async with make_client(settings) as client:
        report = await refresh_feeds(reader._storage, client, HostLimiter(), settings)
    assert (report.errors, report.refreshed) == (2, 1)
    for path in ("/declared.xml", "/chunked.xml"):
        stored = feed(reader, site.url(path))
        assert stored.last_error == "response larger than 64 KB"
        assert stored.entry_count == 0


async def test_a_gzip_bomb_stops_at_the_cap(site: SiteServer, live: Reader) -> None:
    bomb = gzip.compress(b"\0" * (40 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 100 * 1024  # 40 MB of zeros in a few KB
    site.routes["/bomb.xml"] = static(bomb, **{"Content-Encoding": "gzip"})
    subscribe(live, site.url("/bomb.xml"), site.url("/feed.xml"))
    report = await live.refresh()
    assert (report.errors, report.refreshed) == (1, 1)
    assert feed(live, site.url("/bomb.xml")).last_error == "response larger than 10 MB"


LAYERINGS = [
    "gzip", "x-gzip", "deflate", "raw-deflate", "br", "gzip, gzip", "br, br", "gzip, br",
    "br, gzip", "deflate, br, gzip", "gzip, gzip, gzip, gzip",
]  # fmt: skip


@pytest.mark.parametrize("encoding", LAYERINGS)
@pytest.mark.parametrize("raw_chunk", [1, 7, 4096, 1 << 20])
def test_every_layering_decodes_whole(encoding: str, raw_chunk: int) -> None:
    body = rss([(str(i), f"item {i} " * 50) for i in range(300)])  # ~350 KB
    sent = compress(body, encoding)
    decoder = BodyDecoder([content_encoding(encoding)])
    pieces = [p for start in range(0, len(sent), raw_chunk)
              for p in decoder.decode(sent[start : start + raw_chunk])]  # fmt: skip
    pieces += list(decoder.flush())
    assert b"".join(pieces) == body
    assert max(len(piece) for piece in pieces) <= DECODE_CHUNK


@pytest.mark.parametrize("encoding", LAYERINGS)
async def test_a_compression_bomb_stops_at_the_cap_while_decoding(
    site: SiteServer, reader: Reader, encoding: str, traced_peak: Any
) -> None:
    cap = 1024 * 1024
    site.routes["/bomb.xml"] = bomb_route(encoding, XML, 64 * cap)  # zeros
    settings = HttpSettings(max_bytes=cap)
    async with make_client(settings) as client:
        subscribe(reader, site.url("/feed.xml"))  # first a feed that loads what refresh needs
        await refresh_feeds(reader._storage, client, HostLimiter(), settings)
        subscribe(reader, site.url("/bomb.xml"))
        with traced_peak() as peak:
            report = await refresh_feeds(reader._storage, client, HostLimiter(), settings,
                                         feed_urls=[site.url("/bomb.xml")])  # fmt: skip
    # the body kept up to the cap, and a few decoding steps: never the 64 MB (httpx's own
    # decoders inflate a whole network read at once, and each layer of it again)
    assert peak.bytes < 2 * cap, f"{peak.bytes / cap:.1f} MB"
    assert (report.total, report.errors) == (1, 1)
    assert feed(reader, site.url("/bomb.xml")).last_error == "response larger than 1 MB"


async def test_a_feed_naming_lone_surrogates_is_stored(site: SiteServer, live: Reader) -> None:
    site.routes["/odd.xml"] = static(rss([("1", "one &#xd800; two")], title="T &#56320;"))
    subscribe(live, site.url("/odd.xml"))
    report = await live.refresh()
    assert (report.errors, report.new_entries) == (0, 1)
    assert [e.title for e in live.entries()] == ["one \ufffd two"]
    assert feed(live, site.url("/odd.xml")).title == "T \ufffd"


async def test_more_layers_than_anyone_sends_are_refused(site: SiteServer, live: Reader) -> None:
    site.routes["/deep.xml"] = static(compress(rss([("1", "one")]), "gzip, " * 4 + "gzip"),
                                      **{"Content-Encoding": "gzip, " * 4 + "gzip"})  # fmt: skip
    site.routes["/odd.xml"] = static(rss([("1", "one")]), **{"Content-Encoding": "identity, x"})
    subscribe(live, site.url("/deep.xml"), site.url("/odd.xml"))
    report = await live.refresh()
    assert (report.errors, report.refreshed) == (1, 1)  # unknown names are ignored, as httpx
    assert feed(live, site.url("/deep.xml")).last_error == "response compressed 5 times; refused"


async def test_corrupt_compression_is_an_error_of_the_feed(site: SiteServer, live: Reader) -> None:
    for name in ("gzip", "br", "deflate"):
        site.routes[f"/{name}.xml"] = static(b"\x1f\x8b not really " * 50,
                                             **{"Content-Encoding": name})  # fmt: skip
    subscribe(live, *(site.url(f"/{name}.xml") for name in ("gzip", "br", "deflate")))
    report = await live.refresh()
    assert report.errors == 3
    for name in ("gzip", "br", "deflate"):
        error = feed(live, site.url(f"/{name}.xml")).last_error
        assert error == "the response was corrupt (bad compression)", (name, error)


async def test_a_malformed_feed_keeps_what_parsed(site: SiteServer, live: Reader) -> None:
    broken = rss([("1", "one"), ("2", "two")]).replace(b"</channel>", b"<item><title>x</chan")
    site.routes["/broken.xml"] = static(broken)
    url = site.url("/broken.xml")
    subscribe(live, url)
    report = await live.refresh()
    assert report.refreshed == 1 and report.errors == 0
    stored = feed(live, url)
    assert stored.entry_count >= 2
    assert {"one", "two"} <= {e.title for e in live.entries(EntryFilter(feed_id=stored.id))}
    assert "malformed" in (stored.last_error or "")
    assert stored.error_count == 0


async def test_a_failure_of_our_own_is_not_the_feeds(
    site: SiteServer, live: Reader, monkeypatch: pytest.MonkeyPatch
) -> None:
    good, bad = site.url("/feed.xml"), site.url("/atom.xml")
    subscribe(live, good, bad)
    real = update.parse_feed

    def buggy(content: bytes, url: str = "", *args: Any) -> Any:
        if url == bad:
            raise KeyError("entries")  # a bug of ours, whatever the server sent
        return real(content, url, *args)

    monkeypatch.setattr(update, "parse_feed", buggy)
    report = await live.refresh()
    assert (report.errors, report.refreshed) == (1, 1)
    broken = feed(live, bad)
    assert broken.last_error == "internal error: KeyError: 'entries'"
    # not counted against the feed, not backed off, not marked checked
    assert (broken.error_count, broken.next_check, broken.last_checked) == (0, None, None)
    assert live.due_feed_count(min_interval=3600) == 1  # only the broken one is due

    monkeypatch.setattr(update, "parse_feed", real)  # the bug is fixed: the next refresh
    again = await live.refresh(min_interval=3600)
    assert (again.total, again.new_entries, again.errors) == (1, 2, 0)
    assert feed(live, bad).last_error is None


async def test_500s_back_off_exponentially(site: SiteServer, live: Reader) -> None:
    state = {"status": 500}
    site.routes["/flaky.xml"] = lambda r: (
        Response(state["status"], b"oops", {"Content-Type": "text/plain"})
        if state["status"] >= 400 else conditional(r, rss([("1", "back")]), XML)
    )  # fmt: skip
    url = site.url("/flaky.xml")
    subscribe(live, url)
    before = live.clock()
    report = await live.refresh()
    assert report.errors == 1 and not report.ok
    first = feed(live, url)
    assert first.error_count == 1 and "500" in (first.last_error or "")
    assert first.last_error_at == before
    assert first.next_check == before + 60

    skipped = await live.refresh()  # not due: backing off
    assert (skipped.total, skipped.skipped) == (0, 1)
    assert len(site.hits("/flaky.xml")) == 1

    await live.refresh(force=True)
    second = feed(live, url)
    assert second.error_count == 2
    assert second.next_check is not None and second.next_check >= before + 120

    state["status"] = 200
    recovered = await live.refresh(force=True)
    assert recovered.new_entries == 1
    healed = feed(live, url)
    assert (healed.error_count, healed.last_error, healed.next_check) == (0, None, None)


@pytest.mark.parametrize(
    ("status", "retry_after", "wait"),
    [
        (503, "3600", 3600.0),
        (429, "HTTP-DATE", 7200.0),
        (503, str(10 * 365 * 86400), DAY),  # capped
    ],
)
async def test_retry_after_is_honoured(
    site: SiteServer, live: Reader, status: int, retry_after: str, wait: float
) -> None:
    if retry_after == "HTTP-DATE":
        retry_after = formatdate(time.time() + 7200, usegmt=True)
    site.routes["/busy.xml"] = static(b"busy", status, **{"Retry-After": retry_after})
    url = site.url("/busy.xml")
    subscribe(live, url)
    before = live.clock()
    await live.refresh()
    stored = feed(live, url)
    assert stored.next_check is not None
    # an HTTP date counts from the server's real time: a few seconds of slack for that one
    assert before + wait - 5 <= stored.next_check <= before + wait
    assert (await live.refresh()).skipped == 1


async def test_cache_control_and_ttl_make_a_feed_not_due(site: SiteServer, live: Reader) -> None:
    site.routes["/cached.xml"] = static(rss([("1", "a")]), **{"Cache-Control": "max-age=600"})
    site.routes["/ttl.xml"] = static(rss([("1", "a")], channel="<ttl>120</ttl>"))
    subscribe(live, site.url("/cached.xml"), site.url("/ttl.xml"))
    before = live.clock()
    await live.refresh()
    cached, ttl = feed(live, site.url("/cached.xml")), feed(live, site.url("/ttl.xml"))
    assert cached.next_check is not None and cached.next_check >= before + 600
    assert ttl.next_check is not None and ttl.next_check >= before + 7200
    assert (await live.refresh()).skipped == 2
    forced = await live.refresh(force=True)
    assert (forced.total, forced.skipped) == (2, 0)


async def test_network_failures_are_stored_per_feed(site: SiteServer, live: Reader) -> None:
    urls = {
        "dns": "http://no-such-feed-host.invalid/feed.xml",
        "refused": f"http://127.0.0.1:{closed_port()}/feed.xml",
        "html": site.url("/index.html"),
        "missing": site.url("/missing.xml"),
        "good": site.url("/feed.xml"),
    }
    subscribe(live, *urls.values())
    events: list[RefreshProgress] = []
    report = await live.refresh(progress=events.append)
    assert (report.total, report.refreshed, report.errors, report.new_entries) == (5, 1, 4, 6)
    assert report.ok
    errors = {name: feed(live, url).last_error or "" for name, url in urls.items()}
    assert "DNS" in errors["dns"]
    assert "refused" in errors["refused"]
    assert "HTML" in errors["html"]
    assert "404" in errors["missing"]
    assert errors["good"] == ""
    assert {f.url for f in report.failures} == set(urls.values()) - {urls["good"]}
    assert [e.done for e in events] == [1, 2, 3, 4, 5]
    assert events[-1] == RefreshProgress(
        done=5, total=5, new_entries=6, not_modified=0, errors=4,
        url=events[-1].url, error=events[-1].error,
    )  # fmt: skip
    assert sum(e.error is not None for e in events) == 4


# --- storing -----------------------------------------------------------------------------


async def test_the_same_guid_in_two_feeds_makes_two_entries(site: SiteServer, live: Reader) -> None:
    site.routes["/one.xml"] = static(rss([("shared-1", "from one")], title="One"))
    site.routes["/two.xml"] = static(rss([("shared-1", "from two")], title="Two"))
    subscribe(live, site.url("/one.xml"), site.url("/two.xml"))
    report = await live.refresh()
    assert report.new_entries == 2
    entries = [e for feed in live.feeds() for e in live.entries(EntryFilter(feed_id=feed.id))]
    assert sorted(e.title or "" for e in entries) == ["from one", "from two"]
    assert {e.guid for e in entries} == {"shared-1"}
    # the same link in two feeds: one entry a feed, listed once across them (as the first
    # stored: the two are fetched at once, either may be)
    [listed] = live.entries()
    assert (listed.title, listed.also_in) in (("from one", ("Two",)), ("from two", ("One",)))


async def test_an_entry_updated_in_place_keeps_its_read_state(
    site: SiteServer, live: Reader
) -> None:
    current = {"body": rss([("1", "First title"), ("2", "Other")])}
    site.routes["/edits.xml"] = lambda request: conditional(request, current["body"], XML)
    subscribe(live, site.url("/edits.xml"))
    await live.refresh()
    [entry] = [e for e in live.entries() if e.guid == "1"]
    live.mark_read([entry.id])
    current["body"] = rss([("1", "Corrected title"), ("2", "Other")])
    report = await live.refresh()
    assert (report.new_entries, report.updated_entries) == (0, 1)
    [after] = [e for e in live.entries() if e.guid == "1"]
    assert after.id == entry.id
    assert after.title == "Corrected title"
    assert after.read is True
    assert len(live.entries()) == 2


async def test_an_interrupted_refresh_keeps_the_finished_feeds(
    site: SiteServer, live: Reader, release: threading.Event
) -> None:
    def stall(request: Request) -> Response:
        release.wait(20)
        return Response(200, rss([("1", "late")]), {"Content-Type": XML})

    site.routes["/stall.xml"] = stall
    finished = [site.url(name) for name in ("feed.xml", "rss.xml", "atom.xml")]
    subscribe(live, *finished, site.url("/stall.xml"))

    def interrupt_after_three(event: RefreshProgress) -> None:
        if event.done == 3:
            task.cancel()  # what Ctrl-C does to asyncio.run's task

    task = asyncio.create_task(live.refresh(progress=interrupt_after_three))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [feed(live, url).entry_count for url in finished] == [6, 4, 2]
    assert all(feed(live, url).etag for url in finished)
    assert feed(live, site.url("/stall.xml")).entry_count == 0


async def test_only_the_feeds_asked_for(site: SiteServer, live: Reader) -> None:
    subscribe(live, site.url("/feed.xml"), site.url("/atom.xml"))
    report = await live.refresh([site.url("/atom.xml")])
    assert report.total == 1
    assert site.hits("/feed.xml") == []
    with pytest.raises(FeedNotFoundError):
        await live.refresh([site.url("/unknown.xml")])


async def test_a_process_pool_parses_and_is_reused(site: SiteServer, reader: Reader) -> None:
    subscribe(reader, *(site.url(n) for n in ("feed.xml", "rss.xml", "atom.xml", "feed.json")))
    pool = reader.worker_pool()
    async with make_client() as client:
        report = await refresh_feeds(
            reader._storage, client, HostLimiter(), parse_mode="process", pool=pool
        )
        executor = pool.executor()
        assert report.new_entries == 18 and report.errors == 0
        again = await refresh_feeds(
            reader._storage, client, HostLimiter(), force=True, parse_mode="process", pool=pool
        )
    assert again.not_modified == 4
    assert pool.executor() is executor
    reader.close()  # stops the workers
    assert pool._executor is None


async def test_jobs_above_the_pool_size_get_their_own_client(
    site: SiteServer, live: Reader
) -> None:
    subscribe(live, site.url("/feed.xml"), site.url("/rss.xml"))
    report = await live.refresh(jobs=live.config.concurrency + 8)
    assert report.new_entries == 10
    assert live._client is None  # the shared client was not touched


@pytest.fixture
def tls_site(tmp_path: Path) -> Iterator[SiteServer]:
    """The news site over https with a self-signed certificate nobody trusts."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate (.ci/run installs it)")
    pem = tmp_path / "site.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(pem), "-out", str(pem)],
        check=True, capture_output=True,
    )  # fmt: skip
    with SiteServer(Path(__file__).parent / "sites" / "news", certfile=pem) as server:
        yield server


async def test_a_tls_error_is_stored_on_the_feed(
    tls_site: SiteServer, site: SiteServer, live: Reader
) -> None:
    bad, good = tls_site.url("/feed.xml"), site.url("/feed.xml")
    assert bad.startswith("https://")
    subscribe(live, bad, good)
    report = await live.refresh()
    assert (report.refreshed, report.errors) == (1, 1)
    error = feed(live, bad).last_error or ""
    assert error.startswith("TLS error") and "certificate" in error.lower()


async def test_a_304_still_honours_the_feeds_own_ttl(site: SiteServer, live: Reader) -> None:
    body = rss([("1", "a")], channel="<ttl>120</ttl>")
    site.routes["/ttl.xml"] = lambda request: conditional(request, body, XML)
    subscribe(live, site.url("/ttl.xml"))
    await live.refresh()
    before = live.clock()
    forced = await live.refresh(force=True)
    assert forced.not_modified == 1
    after_304 = feed(live, site.url("/ttl.xml"))
    assert after_304.next_check is not None and after_304.next_check >= before + 7200
    assert (await live.refresh()).skipped == 1
