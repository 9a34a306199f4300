"""The app's own background refresh against `reader refresh`, on the same feeds.

A user imports 300 feeds and starts `reader`: the app must store every entry, with no feed
in error, in a time close to the command line's. This serves FEEDS generated RSS feeds of
ITEMS items from HOSTS local sites (ports count as hosts for the per-host limit) with a
per-request latency, then times, alternating, in fresh processes on empty stores:

  cli   `reader refresh` (cold), then `reader refresh --force` (warm: every feed 304),
        both with --no-articles: the feeds alone, as the app's refresh
  app   the app headless (the same code as `reader`) from start until its background
        refresh has finished, then R (warm), until it has finished again

and prints the medians, the ratio app/cli, and the feeds in error (there must be none).

    .venv/bin/python bench/app_refresh.py [--feeds 300] [--items 20] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD_APP = r"""
import asyncio, json, sys, time
from reader.core import open_reader
from reader.tui.app import ReaderApp

async def main(db):
    reader = open_reader(db)
    app = ReaderApp(reader)
    started = time.perf_counter()
    async with app.run_test(size=(160, 50)) as pilot:
        main = app.main
        while main.status.last_refresh is None:
            await pilot.pause(0.02)
        cold = time.perf_counter() - started
        first = main.status.last_refresh
        started = time.perf_counter()
        await pilot.press("R")
        await pilot.pause(0.05)
        while main.refreshing:
            await pilot.pause(0.02)
        warm = time.perf_counter() - started
    errors = [f.url for f in reader.feeds() if f.last_error]
    entries = reader.count_entries()
    reader.close()
    print(json.dumps({"cold": cold, "warm": warm, "errors": len(errors), "entries": entries}))

if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
"""


def run_cli(db: Path, urls: list[str]) -> dict[str, float]:
    reader = [sys.executable, "-m", "reader.cli", "--db", str(db)]
    opml = db.with_suffix(".txt")
    opml.write_text("\n".join(urls) + "\n")
    subprocess.run([*reader, "import", str(opml)], check=True, capture_output=True)
    started = time.perf_counter()
    subprocess.run([*reader, "refresh", "--no-articles"], check=False, capture_output=True)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(
        [*reader, "refresh", "--force", "--no-articles"], check=False, capture_output=True
    )
    warm = time.perf_counter() - started
    feeds = json.loads(
        subprocess.run([*reader, "feeds", "--json"], capture_output=True, text=True).stdout
    )
    errors = sum(1 for f in feeds if f.get("last_error"))
    return {"cold": cold, "warm": warm, "errors": errors}


def run_app(db: Path, urls: list[str]) -> dict[str, float]:
    from reader.core import open_reader

    reader = open_reader(db)
    reader.add_feeds((url, None, None) for url in urls)
    reader.close()
    out = subprocess.run(
        [sys.executable, "-c", CHILD_APP, str(db)], capture_output=True, text=True, check=True
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    from reader.site_server import SiteServer

    sites = [SiteServer().start() for _ in range(args.hosts)]
    per_host = max(1, args.feeds // args.hosts)
    urls = [url for site in sites for url in site.add_feeds(per_host, args.items, args.latency)]
    results: dict[str, list[dict[str, float]]] = {"cli": [], "app": []}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-app-refresh-") as tmp:
            for run in range(args.runs):
                for name, runner in (("cli", run_cli), ("app", run_app)):
                    db = Path(tmp) / f"{name}-{run}.sqlite"
                    results[name].append(runner(db, urls))
    finally:
        for site in sites:
            site.stop()

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    print(f"{len(urls)} feeds x {args.items} items on {args.hosts} hosts, "
          f"{args.latency * 1000:.0f} ms latency, medians of {args.runs} runs")  # fmt: skip
    print(f"  {'':18}{'reader refresh':>16}{'the app':>12}{'app/cli':>10}")
    for key, label in (("cold", "cold (empty store)"), ("warm", "warm (all 304)")):
        cli, app = median("cli", key), median("app", key)
        print(f"  {label:18}{cli:>14.2f} s{app:>10.2f} s{app / cli:>10.2f}")
    errors = max(r["errors"] for rs in results.values() for r in rs)
    print(f"  feeds in error (worst run): {errors}")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
