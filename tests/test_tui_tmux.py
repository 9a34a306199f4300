"""End to end: the real ``reader`` command in tmux, driven with send-keys, read with
capture-pane (polled against a deadline, never fixed sleeps)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.core import open_reader
from reader.models import EntryFilter
from reader.site_server import SiteServer

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


class Tmux:
    """One tmux server on a private socket, with one session running ``command``."""

    def __init__(self, command: str, width: int = 120, height: int = 36) -> None:
        self.socket = f"reader-e2e-{os.getpid()}-{time.monotonic_ns()}"
        self.session = "reader"
        self._tmux("new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height),
                   command)  # fmt: skip

    def _tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.session, *keys)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.session).stdout

    def alive(self) -> bool:
        return self._tmux("has-session", "-t", self.session).returncode == 0

    def wait(self, condition: Callable[[str], bool], what: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the screen:\n{screen}")
            time.sleep(0.05)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        return self.wait(lambda screen: text in screen, repr(text), timeout)

    def quit(self) -> None:
        """Press q and wait for reader to exit (it saves where the user was on the way)."""
        self.send("q")
        deadline = time.monotonic() + 10
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self.alive(), "reader did not quit"

    def close(self) -> None:
        self._tmux("kill-server")


def launch(tmp_path: Path, db: Path) -> Tmux:
    """The real ``reader`` command on ``db``, in a new tmux session."""
    script = Path(sys.executable).with_name("reader")
    program = [str(script)] if script.exists() else [sys.executable, "-m", "reader.cli"]
    command = shlex.join([*program, "--db", str(db)])
    # COLUMNS and LINES (set under pytest) would override the pane size
    return Tmux(
        f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES TERM=xterm-256color {command}"
    )


@pytest.fixture
def tmux_reader(tmp_path: Path, site: SiteServer) -> Iterator[tuple[Tmux, Path]]:
    db = tmp_path / "e2e.sqlite"
    reader = open_reader(db)
    reader._storage.add_feeds([(site.url("/feed.xml"), None, None)])
    reader.close()
    tmux = launch(tmp_path, db)
    try:
        yield tmux, db
    finally:
        tmux.close()


def test_300_feeds_refresh_by_themselves_in_a_real_terminal(tmp_path: Path) -> None:
    # the worker processes started from inside the real app (its stderr is Textual's)
    hosts = [SiteServer().start() for _ in range(10)]
    db = tmp_path / "many.sqlite"
    try:
        reader = open_reader(db)
        reader._storage.add_feeds(
            (url, None, None) for site in hosts for url in site.add_feeds(30, 20, latency=0.05)
        )
        reader.close()
        tmux = launch(tmp_path, db)
        try:
            # "refreshed HH:MM" stays once the refresh ended (a whole failure never says
            # it); "6000 new" lasted only until the articles' prefetch took the line, and a
            # loaded machine's polls missed it
            tmux.wait(lambda s: "refreshed " in s and "All (6000)" in s, "the refresh", 120)
            tmux.quit()
        finally:
            tmux.close()
    finally:
        for site in hosts:
            site.stop()
    reader = open_reader(db)
    try:
        assert [f.last_error for f in reader.feeds() if f.last_error] == []
        assert reader._storage.count_entries(EntryFilter()) == 6000
    finally:
        reader.close()


def test_read_save_and_quit_in_a_real_terminal(tmux_reader: tuple[Tmux, Path]) -> None:
    tmux, db = tmux_reader
    # the first frame, then the refresh that starts on its own (the feed is due)
    tmux.wait_for("Feeds")
    tmux.wait_for("Harbour bridge reopens")
    tmux.wait_for("6 unread")
    assert "127.0.0.1" not in tmux.screen().split("\n")[1]  # the feed's own title shows

    tmux.send("?")
    tmux.wait_for("reader: keys")
    tmux.send("Escape")
    tmux.wait(lambda s: "reader: keys" not in s, "the help to close")

    tmux.send("Tab", "Enter")  # open the newest entry
    tmux.wait_for("gusts of up to")  # its article, from the page
    tmux.wait_for("5 unread")
    tmux.send("s")
    tmux.wait_for("★")
    tmux.send("j", "m")  # mark the next one read without opening it
    tmux.wait_for("4 unread")

    tmux.quit()

    reader = open_reader(db)
    try:
        saved = reader.saved()
        assert [s.title for s in saved] == ["Storm warning for the coast this weekend"]
        unread = reader._storage.count_entries(EntryFilter(unread_only=True))
        assert reader._storage.count_entries() - unread == 2
    finally:
        reader.close()


def test_jump_to_a_related_article_and_back_in_a_real_terminal(
    tmux_reader: tuple[Tmux, Path],
) -> None:
    tmux, db = tmux_reader
    tmux.wait_for("6 unread")  # the refresh at start is done
    tmux.send("Tab", "Enter")  # the newest entry: the storm warning
    tmux.wait_for("gusts of up to")
    tmux.wait_for("service[1]")  # the page itself, with its links (not the feed's text)
    tmux.send("L")  # the link picker
    tmux.wait_for("Follow a link")
    tmux.send("-l", "ferry timetable cuts")
    tmux.send("Enter")
    tmux.wait_for("ferry will stop running")  # the ferry article, fetched by its link
    tmux.wait_for("Winter ferry timetable cuts")
    tmux.send("Tab")  # the first link highlighted: its address under the article
    tmux.wait_for("─ [1] http")
    tmux.send("h")  # back
    tmux.wait(lambda s: "gusts of up to" in s and "ferry will stop running" not in s, "back")
    tmux.send("l")  # forward
    tmux.wait_for("ferry will stop running")
    tmux.send("s")  # save it, reached from the storm warning
    tmux.wait_for("Saved to the reading list")
    tmux.quit()

    reader = open_reader(db)
    try:
        saved = reader.saved()
        assert [s.title for s in saved] == ["Winter ferry timetable cuts late crossings"]
        assert saved[0].reached_from is not None
        assert saved[0].reached_from.endswith("/articles/storm-warning-coast.html")
        history = reader.history()
        assert [v.url.rsplit("/", 1)[-1] for v in history.visits] == [
            "storm-warning-coast.html",
            "ferry-timetable-winter.html",
        ]
        assert history.index == 1
    finally:
        reader.close()


def test_a_terminal_browser_gets_the_terminal_and_gives_it_back(
    tmux_reader: tuple[Tmux, Path], tmp_path: Path
) -> None:
    tmux, db = tmux_reader
    got = tmp_path / "browsed.txt"
    browser = tmp_path / "lynx"  # a well-known terminal browser's name: guessed, no flag
    browser.write_text(f'#!/bin/sh\necho "in the browser: $1"\nread line\necho "$1" > {got}\n')
    browser.chmod(0o755)
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "reader" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'browser = "{browser} %u"\n')
    tmux.close()  # start again, with the config
    tmux = launch(tmp_path, db)
    try:
        tmux.wait_for("6 unread")
        tmux.send("Tab", "o")
        tmux.wait_for("in the browser: http")  # the script owns the terminal, reading it
        assert "Harbour bridge" not in tmux.screen()
        tmux.send("Enter")
        tmux.wait(lambda s: "Harbour bridge" in s and "in the browser" not in s, "the redraw")
        assert got.read_text().strip().startswith("http")
        tmux.send("j")  # the app reads the keyboard again
        tmux.quit()
    finally:
        tmux.close()
