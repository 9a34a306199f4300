"""Shared fixtures: an isolated home for every test, the local news site, a reader."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sync_servers import FakeMiniflux, FreshRSS, Phone, freshrss_missing, session_freshrss

from reader.cli import main
from reader.core import Reader, open_reader
from reader.site_server import SiteServer

TESTS = Path(__file__).resolve().parent
SITES = TESTS / "sites"
SHARED = TESTS.parents[1] / "shared"
FROZEN_NOW = 1_796_342_400.0
"""2026-12-04 00:00 UTC, a week after the test site's stories: the tests' "now"."""


class FrozenClock:
    """A clock that stands still until a test moves it: ``clock()`` is ``clock.now``."""

    def __init__(self, now: float = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user dir at a temp dir, so no test reads or writes the real ones."""
    home = tmp_path / "home"
    for name, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    for name in ("READER_DB", "NO_COLOR", "TEXTUAL_THEME", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def site() -> Iterator[SiteServer]:
    """The local news site on 127.0.0.1 at an ephemeral port."""
    with SiteServer(SITES / "news") as server:
        yield server


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "reader.sqlite"


@pytest.fixture
def reader(db_path: Path, clock: FrozenClock) -> Iterator[Reader]:
    """A reader on the test database whose every time comes from the frozen ``clock``."""
    instance = open_reader(db_path, clock=clock)
    yield instance
    instance.close()


class CliResult:
    def __init__(self, status: int, out: str, err: str) -> None:
        self.status = status
        self.out = out
        self.err = err

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def cli(db_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``reader ARGS`` in-process against the test database."""

    def run(*args: str, db: bool = True) -> CliResult:
        argv = [*args, "--db", str(db_path)] if db else list(args)
        try:
            status = main(argv)
        except SystemExit as exit:  # argparse usage errors
            status = int(exit.code or 0)
        captured = capsys.readouterr()
        return CliResult(status, captured.out, captured.err)

    return run


class Peak:
    bytes = 0


@pytest.fixture
def traced_peak() -> Callable[[], AbstractContextManager[Peak]]:
    """``with traced_peak() as peak:`` gives the most memory Python held inside the block
    (tracemalloc: every allocation of every thread, not the machine's speed or load)."""

    @contextmanager
    def trace() -> Iterator[Peak]:
        peak = Peak()
        tracemalloc.start()
        try:
            yield peak
        finally:
            peak.bytes = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    return trace


@pytest.fixture(scope="session")
def freshrss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshRSS]:
    """One real FreshRSS for the session (../shared/freshrss, served by php)."""
    reason = freshrss_missing()
    if reason is not None:
        pytest.skip(reason)
    yield from session_freshrss(tmp_path_factory.mktemp("freshrss"))


@pytest.fixture
def freshrss(freshrss_server: FreshRSS) -> Iterator[Phone]:
    """A user of its own on the session's FreshRSS, and a client ("the phone") of theirs."""
    phone = freshrss_server.new_user()
    yield phone
    freshrss_server.start()  # a test that stopped it leaves it running for the next


@pytest.fixture
def miniflux(site: SiteServer, clock: FrozenClock) -> Iterator[FakeMiniflux]:
    """A fake Miniflux on the site server (tests/sync_servers.py) with one feed of three
    entries, in the folder News."""
    fake = FakeMiniflux(site, clock)
    feed_id = fake.add_feed(site.url("/feed.xml"), "Gazette", "News")
    for n in range(3):
        fake.add_entry(feed_id, f"Story {n}")
    yield fake
