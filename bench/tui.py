"""How the reading app copes with a big store: first frame, key latency, peak memory.

Usage:
    .venv/bin/python bench/tui.py [--entries N] [--feeds F] [--db PATH] [--keys K] [--runs R]

Fills a store with N entries over F feeds (kept at ``--db`` to reuse; a temp file by
default), then, each in a fresh interpreter so imports and peak memory are honest:

  startup  from the moment the child process is spawned to the app's first frame
           (headless, same code path as ``reader``), the median of ``--runs`` runs;
  keys     the app headless at 160x50: K presses each of j, k, PageDown, G/g in the
           entries list, j/k in the feeds pane (each switch lists another feed's
           entries), Enter (opens an entry); for each key the time from the press to the
           app being idle again with the frame drawn, median and worst; and the peak RSS.

``--during-prefetch`` measures the keys while ``reader prefetch`` fetches and extracts
N articles (bench/prefetch.py's pages, 50 hosts at 50 ms) into another store: both cores
busy with extraction, as after a refresh in the app; it says whether the prefetch was
still running when the keys were done.

An unbound key measures what the harness itself costs per press (printed as "baseline");
the latencies are shown as measured, and minus that baseline.
Targets (issue 5): first frame < 1 s, no visible lag (< 50 ms a key), memory < 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = time.time()
TARGET_STARTUP = 1.0
TARGET_KEY_MS = 50.0
TARGET_MEMORY_MB = 250.0


def fill(db: Path, entries: int, feeds: int) -> None:
    from reader.core import open_reader
    from reader.models import EntryData

    reader = open_reader(db)
    try:
        have = reader._storage.count_entries()
        if have >= entries:
            return
        per_feed = entries // feeds
        reader._storage.add_feeds(
            (f"https://feeds{n % 20}.example/{n}.xml", f"Feed number {n}", f"Folder {n % 7}")
            for n in range(feeds)
        )
        started = time.perf_counter()
        for index, feed in enumerate(reader.feeds()):
            batch = [
                EntryData(
                    guid=f"{feed.id}-{i}",
                    url=None,  # no page: opening never touches the network
                    title=f"Entry {i} of feed {feed.id}: a headline of a usual length here",
                    author="A. Writer",
                    published=NOW - (i * 3600 + index * 61),
                    summary="<p>" + "Some words of the summary. " * 20 + "</p>",
                )
                for i in range(per_feed)
            ]
            reader._storage.store_entries(feed.id, batch)
        ids = reader._storage.entry_ids()
        reader.mark_read(ids[::3])
        print(f"filled {reader._storage.count_entries():,} entries "
              f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)  # fmt: skip
    finally:
        reader.close()


# --- children ------------------------------------------------------------------------------


def child_startup(db: str, spawned: float) -> None:
    from reader.core import open_reader
    from reader.tui.app import ReaderApp

    class Timed(ReaderApp):
        def on_ready(self) -> None:  # after the first frame is drawn
            self._first_frame()

        first_frame = 0.0

        def _first_frame(self) -> None:
            self.first_frame = time.time() - spawned
            self.exit()

    reader = open_reader(db)
    app = Timed(reader, background_refresh=False)
    app.run(headless=True, size=(160, 50))
    reader.close()
    print(json.dumps({"first_frame": app.first_frame}))  # the app owns stdout while it runs


async def _drive(db: str, presses: int) -> dict[str, Any]:
    from textual.screen import Screen

    from reader.core import open_reader
    from reader.tui.app import ReaderApp

    frames: list[float] = []  # when each screen update finished drawing
    original = Screen._compositor_refresh

    def timed_refresh(self: Screen[Any]) -> None:
        original(self)
        frames.append(time.perf_counter())

    Screen._compositor_refresh = timed_refresh  # type: ignore[method-assign]

    reader = open_reader(db)
    app = ReaderApp(reader, background_refresh=False)
    timings: dict[str, list[float]] = {}
    harness: dict[str, list[float]] = {}

    async with app.run_test(size=(160, 50)) as pilot:
        main = app.main

        async def press(label: str, key: str) -> None:
            frames.clear()
            started = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            ended = time.perf_counter()
            # key to the last frame it caused: what a person waits for
            drawn = max(frames, default=started)
            timings.setdefault(label, []).append((drawn - started) * 1000)
            harness.setdefault(label, []).append((ended - started) * 1000)

        main.feed_list.select_key("all")
        await pilot.pause()
        for _ in range(presses):
            await press("baseline (unbound key)", "f12")
        main.show_pane("entries")  # 100,000 of them
        await pilot.pause()
        for _ in range(presses):
            await press("j (entries)", "j")
        for _ in range(presses):
            await press("k (entries)", "k")
        for _ in range(presses):
            await press("pagedown (entries)", "pagedown")
        for _ in range(max(1, presses // 4)):
            await press("G (entries)", "G")
            await press("g (entries)", "g")
        for _ in range(max(1, presses // 4)):
            await press("enter (open entry)", "enter")
            await press("j (entries)", "j")
        main.show_pane("feeds")
        await pilot.pause()
        main.feed_list.set_cursor(3)
        await pilot.pause()
        for _ in range(presses // 2):
            await press("j (switch feed)", "j")
        for _ in range(presses // 2):
            await press("k (switch feed)", "k")
        main.feed_list.select_key("all")
        await pilot.pause()
        count = len(main.entry_list.source)
        for _ in range(5):
            await press("j (All -> Unread)", "j")
            await press("k (Unread -> All)", "k")
    reader.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"timings": timings, "harness": harness, "peak_mb": peak_mb, "rows": count}


def child_keys(db: str, presses: int) -> None:
    print(json.dumps(asyncio.run(_drive(db, presses))))


def run_child(*args: str) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TEXTUAL", None)
    out = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    if out.returncode != 0:
        sys.exit(f"child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def start_prefetch(count: int, folder: str) -> tuple[subprocess.Popen[str], subprocess.Popen[str]]:
    """bench/prefetch.py's page server, a store with ``count`` articles queued, and
    ``reader prefetch`` started on it."""
    sys.path.insert(0, str(ROOT / "bench"))
    from refresh import READER, clean_env

    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "prefetch.py"), "--serve", "--entries", str(count),
         "--hosts", "50", "--latency", "50"], stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    info = json.loads(server.stdout.readline())
    home = Path(folder) / "prefetch-home"
    env = clean_env(home)
    (home / "config" / "reader").mkdir(parents=True, exist_ok=True)
    (home / "config" / "reader" / "config.toml").write_text(f"prefetch_limit = {count}\n")
    urls = home / "urls"
    urls.write_text("\n".join(info["urls"]) + "\n")
    base = [str(READER), "--db", str(home / "prefetch.sqlite")]
    subprocess.run([*base, "import", str(urls)], env=env, check=True, capture_output=True)
    subprocess.run([*base, "refresh", "--no-articles"], env=env, check=True, capture_output=True)
    process = subprocess.Popen([*base, "prefetch"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    return server, process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--keys", type=int, default=40, help="presses per key")
    parser.add_argument("--runs", type=int, default=5, help="startup runs")
    parser.add_argument("--during-prefetch", type=int, metavar="N", default=0,
                        help="measure the keys while N articles are prefetched")  # fmt: skip
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        kind, db, value = args.child
        if kind == "startup":
            child_startup(db, float(value))
        else:
            child_keys(db, int(value))
        return

    scratch = tempfile.TemporaryDirectory(prefix="reader-bench-")
    db = args.db or Path(scratch.name) / "bench.sqlite"
    fill(db, args.entries, args.feeds)

    startups = [run_child("--child", "startup", str(db), repr(time.time()))["first_frame"]
                for _ in range(args.runs)]  # fmt: skip
    prefetch = start_prefetch(args.during_prefetch, scratch.name) if args.during_prefetch else None
    keys = run_child("--child", "keys", str(db), str(args.keys))
    if prefetch is not None:
        server, process = prefetch
        running = process.poll() is None
        state = "still running at the end" if running else "it ended before the keys did"
        print(f"keys measured while `reader prefetch` of {args.during_prefetch} articles "
              f"ran: {state}")  # fmt: skip
        process.wait()
        server.terminate()

    print(f"store: {keys['rows']:,} entries in 'All', {args.feeds} feeds ({db})")
    first = statistics.median(startups)
    verdict = "ok" if first < TARGET_STARTUP else "SLOW"
    print(f"first frame: median {first:.3f} s, worst {max(startups):.3f} s over {args.runs} runs "
          f"(target < {TARGET_STARTUP:.1f} s: {verdict})")  # fmt: skip
    timings: dict[str, list[float]] = keys["timings"]
    harness: dict[str, list[float]] = keys["harness"]
    timings.pop("baseline (unbound key)")
    baseline = statistics.median(harness.pop("baseline (unbound key)"))
    print("per key, ms: from the key press to the last frame it caused")
    print(f"  {'key':<22}{'n':>5}{'median':>9}{'worst':>9}   (press+idle in Pilot: median)")
    worst_all = 0.0
    for label, values in timings.items():
        median, worst = statistics.median(values), max(values)
        worst_all = max(worst_all, worst)
        print(f"  {label:<22}{len(values):>5}{median:>9.1f}{worst:>9.1f}"
              f"   ({statistics.median(harness[label]):.0f})")  # fmt: skip
    print(f"  (Pilot's own wait for an unbound key: {baseline:.0f} ms, not counted above)")
    verdict = "ok" if worst_all < TARGET_KEY_MS else "LAG"
    print(f"worst key: {worst_all:.1f} ms (target < {TARGET_KEY_MS:.0f}: {verdict})")
    memory = keys["peak_mb"]
    verdict = "ok" if memory < TARGET_MEMORY_MB else "OVER"
    print(f"peak memory: {memory:.0f} MB (target < {TARGET_MEMORY_MB:.0f} MB: {verdict})")
    scratch.cleanup()


if __name__ == "__main__":
    main()
