"""The app in a real terminal (tmux): launch to the first frame, and key to repaint, each
against an empty Textual app in the same run.

Usage:
    .venv/bin/python bench/tmux_start.py [--entries N] [--feeds F] [--runs R] [--keys K]
                                         [--size 120x40 --size 80x24] [--db PATH] [--fresh]
                                         [--compare LABEL=CHECKOUT ...]

Builds a store of N entries over F feeds with ``bench/tui.py``'s builder (kept at ``--db``
to reuse), in a temporary home (XDG_DATA_HOME, XDG_CONFIG_HOME ... point into it, so the
user's own store and config are never read), with every feed checked just now and its
next check a day away: the app's refresh at start finds nothing due and never touches the
network. The store says the user last had an entry of 'All' open (``--fresh``: no saved
place), as when someone reopens the app.

One tmux server on a private socket; for each size, R launches of each program,
alternating reader and the peer (a Textual app showing one Static):

  first frame  from just before ``tmux new-session -d ... COMMAND`` to the moment
               ``capture-pane -p`` shows the titles (for reader: a feed's title and an
               entry's, as far as the settled screen shows them; for the peer its text);
               also, for reader, until the status line's unread count is painted, and
               until the text of the entry open at start is (the page of last time);
  keys         in one reader session, K presses each of j, PageDown, Tab (next pane) and
               Enter (on an entry, after a j): from just before ``send-keys`` to the first
               change of ``capture-pane -e`` (escapes included: a cursor highlight that
               moves counts); the screen is left to settle between presses. The peer's j
               updates its Static.

``--compare base=/path/to/checkout`` times that checkout's ``.venv/bin/reader`` too, in the
same run, in turn with this one and the peer, each on its own copy of the store (an older
schema never meets a newer store).

Medians, min and max; reader's first frame minus the peer's (the overhead of reader over
bare Textual), and the ratio. Issue 12's targets: first frame <= 0.5 s (about the peer's
+ 0.12 s on this machine) and a key <= 30 ms.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

READER = ROOT / ".venv" / "bin" / "reader"
PYTHON = ROOT / ".venv" / "bin" / "python"
POLL = 0.003
"""Seconds between two captures while waiting (each capture is a process: ~3-5 ms)."""
SETTLE = 0.4
"""A screen unchanged this long is settled (between key presses)."""
SETTLED_AT_START = 2.0
"""The same after a launch: what comes after the first frame (the page of last time) can
take a while on a loaded machine."""
TIMEOUT = 20.0

PEER_TEXT = "peer app ready"
PEER = f'''\
from textual.app import App, ComposeResult
from textual.widgets import Static


class Peer(App[None]):
    BINDINGS = [("j", "next", "next"), ("q", "quit", "quit")]
    presses = 0

    def compose(self) -> ComposeResult:
        yield Static("{PEER_TEXT}", id="text")

    def action_next(self) -> None:
        self.presses += 1
        self.query_one("#text", Static).update(f"{PEER_TEXT}: {{self.presses}} presses")


Peer().run()
'''


class Tmux:
    """One tmux server on a private socket (kept alive by an idle session)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"reader-bench-{os.getpid()}"
        self.env = env
        self.count = 0
        self.run("new-session", "-d", "-s", "idle", "-x", "80", "-y", "24", "sleep 100000")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10, env=self.env)  # fmt: skip

    def launch(self, command: str, size: tuple[int, int]) -> tuple[str, float]:
        """A new session running ``command``; its name and when it was asked for."""
        self.count += 1
        name = f"s{self.count}"
        started = time.perf_counter()
        self.run("new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]),
                 command)  # fmt: skip
        return name, started

    def screen(self, name: str, escapes: bool = False) -> str:
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []), "-t", name).stdout

    def send(self, name: str, *keys: str) -> None:
        self.run("send-keys", "-t", name, *keys)

    def wait(self, name: str, done: Callable[[str], bool], what: str, escapes: bool = False,
             timeout: float = TIMEOUT) -> tuple[float, str]:  # fmt: skip
        """Poll until ``done(screen)``; when (perf_counter) and the screen."""
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.screen(name, escapes)
            now = time.perf_counter()
            if done(screen):
                return now, screen
            if now > deadline:
                raise SystemExit(f"timed out waiting for {what}; the screen:\n{screen}")
            time.sleep(POLL)

    def settle(self, name: str, escapes: bool = True, quiet: float = SETTLE) -> str:
        """Wait until the screen stays the same for ``quiet`` seconds."""
        screen = self.screen(name, escapes)
        quiet_since = time.perf_counter()
        deadline = quiet_since + TIMEOUT
        while time.perf_counter() - quiet_since < quiet:
            time.sleep(0.02)
            now = self.screen(name, escapes)
            if now != screen:
                screen, quiet_since = now, time.perf_counter()
            if time.perf_counter() > deadline:
                raise SystemExit(f"the screen never settled:\n{screen}")
        return screen

    def kill(self, name: str) -> None:
        self.run("kill-session", "-t", name)
        while self.run("has-session", "-t", name).returncode == 0:
            time.sleep(0.01)

    def close(self) -> None:
        self.run("kill-server")


def temp_home(home: Path) -> dict[str, str]:
    """The environment of every program run here: a home of its own, no network config."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "READER_", "TEXTUAL"))}  # fmt: skip
    env["HOME"] = str(home)
    for name, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                      ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):  # fmt: skip
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    for name in ("COLUMNS", "LINES", "NO_COLOR", "PYTHONDONTWRITEBYTECODE"):
        # COLUMNS and LINES would override the pane's size; without bytecode files every
        # launch would compile reader's modules again (an installed reader has them)
        env.pop(name, None)
    env["TERM"] = "xterm-256color"
    env["http_proxy"] = env["https_proxy"] = "http://127.0.0.1:9"  # nothing leaves anyway
    return env


def prepare_store(db: Path, entries: int, feeds: int, fresh: bool) -> None:
    from tui import fill  # bench/tui.py's builder: the same store as its figures

    fill(db, entries, feeds)
    now = time.time()
    with sqlite3.connect(db) as connection:
        # checked just now, next check a day away: nothing is due at start
        connection.execute("UPDATE feeds SET last_checked = ?, next_check = ?",
                           (now, now + 86_400))  # fmt: skip
        connection.execute("DELETE FROM state")
        if not fresh:
            # the user had an entry of All open (the tenth newest) when they quit
            (entry_id,) = connection.execute(
                "SELECT id FROM entries ORDER BY sort_date DESC, id DESC LIMIT 1 OFFSET 9"
            ).fetchone()
            connection.executemany(
                "INSERT INTO state (key, value) VALUES (?, ?)",
                [("tui.selection", "all"), ("tui.entry", str(entry_id)), ("tui.scroll", "0")],
            )
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def stats(values: list[float]) -> str:
    low, mid, high = (v * 1000 for v in (min(values), statistics.median(values), max(values)))
    return f"median {mid:6.0f} ms  min {low:5.0f}  max {high:5.0f}  (n={len(values)})"


def key_stats(values: list[float]) -> str:
    low, mid, high = (v * 1000 for v in (min(values), statistics.median(values), max(values)))
    return f"median {mid:5.1f} ms  min {low:5.1f}  max {high:6.1f}  (n={len(values)})"


def has_all(markers: Iterable[str]) -> Callable[[str], bool]:
    wanted = list(markers)
    return lambda screen: all(marker in screen for marker in wanted)


PEER_LABEL = "empty Textual app"
BODY_MARKER = "Some words of the summary"
"""The text of the entry open at start (the builder's summaries)."""
READER_MARKERS = ("Feed number", " of feed ")
"""A feed's title and an entry's (the builder's words)."""


def first_frames(tmux: Tmux, readers: dict[str, str], peer: Path, size: tuple[int, int],
                 runs: int, keep_screens: Path | None) -> dict[str, list[float]]:  # fmt: skip
    """Launch to titles for each reader command and the peer, in turn."""
    peer_command = shlex.join([str(PYTHON), str(peer)])
    markers: dict[str, list[str]] = {}
    counts: dict[str, bool] = {}
    bodies: dict[str, bool] = {}
    for label, command in readers.items():
        # which titles the settled screen shows at this size (one pane when narrow)
        name, _ = tmux.launch(command, size)
        tmux.wait(name, lambda s: any(m in s for m in READER_MARKERS), "reader's titles")
        settled = tmux.settle(name, escapes=False, quiet=SETTLED_AT_START)
        tmux.kill(name)
        markers[label] = [m for m in READER_MARKERS if m in settled]
        counts[label] = "unread" in settled
        bodies[label] = BODY_MARKER in settled
        if keep_screens is not None:
            (keep_screens / f"settled-{label}-{size[0]}x{size[1]}.txt").write_text(settled)
        print(f"  {size[0]}x{size[1]} {label}: first frame = "
              f"{' + '.join(map(repr, markers[label]))} painted"
              f"{'; counts = ' + repr('unread') if counts[label] else ''}"
              f"{'; its page = ' + repr(BODY_MARKER) if bodies[label] else ''}")  # fmt: skip
    name, _ = tmux.launch(peer_command, size)  # warm the peer's files too
    tmux.wait(name, lambda s: PEER_TEXT in s, "the peer")
    tmux.kill(name)

    times: dict[str, list[float]] = {PEER_LABEL: []}
    for _ in range(runs):
        for label, command in readers.items():
            name, started = tmux.launch(command, size)
            at, _ = tmux.wait(name, has_all(markers[label]), "reader's titles")
            times.setdefault(label, []).append(at - started)
            if counts[label]:
                at, _ = tmux.wait(name, lambda s: "unread" in s, "the unread count")
                times.setdefault(f"{label}, counts shown", []).append(at - started)
            if bodies[label]:
                at, _ = tmux.wait(name, lambda s: BODY_MARKER in s, "the page of last time")
                times.setdefault(f"{label}, its page shown", []).append(at - started)
            tmux.kill(name)
            name, started = tmux.launch(peer_command, size)
            at, _ = tmux.wait(name, lambda s: PEER_TEXT in s, "the peer")
            times[PEER_LABEL].append(at - started)
            tmux.kill(name)
    return times


def press(tmux: Tmux, name: str, key: str) -> float:
    """Seconds from sending ``key`` to the first change of the screen (escapes included)."""
    before = tmux.settle(name)
    started = time.perf_counter()
    tmux.send(name, key)
    at, _ = tmux.wait(name, lambda s: s != before, f"a change after {key}", escapes=True)
    return at - started


KEYS = (
    ("j (entries)", ["j"]),
    ("k (entries)", ["k"]),
    ("PageDown (entries)", ["PageDown"]),
    ("Enter (open entry)", ["j", "Enter"]),
    ("Tab (next pane)", ["Tab"]),
)
"""What is timed (the last key of each sequence) and the keys before it."""


def keys(tmux: Tmux, readers: dict[str, str], peer: Path, size: tuple[int, int],
         presses: int) -> dict[str, dict[str, list[float]]]:  # fmt: skip
    """Per reader (and the peer): per key, seconds to the first change of the screen. The
    readers run side by side in sessions of their own, their presses in turn."""
    times: dict[str, dict[str, list[float]]] = {label: {} for label in readers}
    name, _ = tmux.launch(shlex.join([str(PYTHON), str(peer)]), size)
    tmux.wait(name, lambda s: PEER_TEXT in s, "the peer")
    peer_times = [press(tmux, name, "j") for _ in range(presses)]
    tmux.kill(name)

    wide = size[0] >= 100
    sessions: dict[str, str] = {}
    for label, command in readers.items():
        name, _ = tmux.launch(command, size)
        tmux.wait(name, has_all(READER_MARKERS[1:]), "reader's entries")
        tmux.settle(name, quiet=SETTLED_AT_START)  # the page of last time has come
        if not wide:
            # one pane at a time: back from the restored article to the list
            tmux.send(name, "Escape")
        sessions[label] = name
    for key_label, sequence in KEYS:
        for _ in range(presses):
            for label, name in sessions.items():
                for key in sequence[:-1]:
                    tmux.settle(name)
                    tmux.send(name, key)
                took = press(tmux, name, sequence[-1])
                times[label].setdefault(key_label, []).append(took)
                if key_label.startswith("Enter") and not wide:
                    tmux.settle(name)
                    tmux.send(name, "Escape")  # back to the list
    for name in sessions.values():
        tmux.kill(name)
    times[PEER_LABEL] = {"j (updates a Static)": peer_times}
    return times


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    return int(width), int(height)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--db", type=Path, help="keep the store here (reused when full)")
    parser.add_argument("--runs", type=int, default=7, help="launches of each, per size")
    parser.add_argument("--keys", type=int, default=10, help="presses per key")
    parser.add_argument("--size", type=parse_size, action="append",
                        help="WxH (repeat; default 120x40 and 80x24)")  # fmt: skip
    parser.add_argument("--fresh", action="store_true", help="no saved place in the store")
    parser.add_argument("--compare", action="append", default=[], metavar="LABEL=CHECKOUT",
                        help="also time CHECKOUT/.venv/bin/reader, in turn (repeat)")  # fmt: skip
    parser.add_argument("--no-keys", action="store_true", help="first frames only")
    parser.add_argument("--screens", type=Path, help="write the settled screens here")
    args = parser.parse_args()
    sizes = args.size or [(120, 40), (80, 24)]

    scratch = tempfile.TemporaryDirectory(prefix="reader-tmux-bench-")
    home = Path(scratch.name)
    env = temp_home(home)
    os.environ.update(env)  # the builder's own open_reader reads these paths too
    for name in ("COLUMNS", "LINES"):
        os.environ.pop(name, None)
    db = args.db or home / "bench.sqlite"
    prepare_store(db, args.entries, args.feeds, args.fresh)
    peer = home / "peer.py"
    peer.write_text(PEER)

    readers = {"reader": shlex.join([str(READER), "--db", str(db)])}
    for spec in args.compare:
        label, _, checkout = spec.partition("=")
        copy = home / f"{label}.sqlite"
        with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
            source.backup(target)
        command = Path(checkout).resolve() / ".venv" / "bin" / "reader"
        readers[label] = shlex.join([str(command), "--db", str(copy)])

    for checkout in [ROOT, *(Path(spec.partition("=")[2]) for spec in args.compare)]:
        subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(checkout / "reader")],
                       check=True, env=env)  # fmt: skip
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the tmux server goes too
    tmux = Tmux(env)
    try:
        load = os.getloadavg()[0]
        print(f"store: {args.entries:,} entries, {args.feeds} feeds; "
              f"{'no saved place' if args.fresh else 'an entry of All was open'}; "
              f"load average {load:.1f}")  # fmt: skip
        for size in sizes:
            frames = first_frames(tmux, readers, peer, size, args.runs, args.screens)
            peer_median = statistics.median(frames[PEER_LABEL])
            print(f"first frame at {size[0]}x{size[1]} (launch to titles painted):")
            for label, values in frames.items():
                print(f"  {label:<26} {stats(values)}")
            for label in readers:
                mine = frames[label]
                # each launch is followed by the peer's: pair them
                peers = frames[PEER_LABEL][list(readers).index(label) :: len(readers)]
                pairs = [r - p for r, p in zip(mine, peers, strict=True)]
                median = statistics.median(mine)
                print(f"  {label}: {(median - peer_median) * 1000:.0f} ms over the empty app "
                      f"(median of the pairs {statistics.median(pairs) * 1000:.0f} ms), "
                      f"ratio {median / peer_median:.2f}")  # fmt: skip
            print("  targets: <= 500 ms, about the empty app's + 120 ms")
            if args.no_keys:
                continue
            times = keys(tmux, readers, peer, size, args.keys)
            print(f"key to repaint at {size[0]}x{size[1]} (target <= 30 ms):")
            for label, per_key in times.items():
                for key_label, values in per_key.items():
                    print(f"  {label:<18} {key_label:<22} {key_stats(values)}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        tmux.close()
        scratch.cleanup()


if __name__ == "__main__":
    main()
