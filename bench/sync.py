"""A first sync of 10,000 unread items from a real FreshRSS: time and peak memory.

Starts FreshRSS (../shared/freshrss, needs php) in a temp dir, fills its user with N unread
items spread over F feeds straight into its SQLite store (their articles are never
fetched), then runs `reader sync setup` and `reader sync` as a fresh process against an
empty database and prints the sync's wall time and the process's peak RSS (the whole
interpreter: Python, httpx, SQLite). The items come in pages of 250, so the peak should
not grow with N.

    .venv/bin/python bench/sync.py [--items 10000] [--feeds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRESHRSS = ROOT.parent / "shared" / "freshrss"
PARAGRAPH = (
    "<p>The council met on Tuesday evening to discuss the harbour bridge repairs, the "
    "winter ferry timetable and the library's new Sunday hours, and voted on each.</p>"
)


def start_freshrss(work: Path) -> dict[str, str]:
    done = subprocess.run(
        [str(FRESHRSS / "start-freshrss"), str(work)], capture_output=True, text=True, check=True
    )
    info: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
    return info


def fill(database: Path, items: int, feeds: int) -> None:
    """N unread items over F feeds, as FreshRSS stores them (ids are microsecond times)."""
    now = int(time.time())
    first_id = (now - items) * 1_000_000
    with sqlite3.connect(database) as db:
        category = db.execute("SELECT min(id) FROM category").fetchone()[0]
        db.executemany(
            "INSERT INTO feed (id, url, category, name, website, lastUpdate) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(n, f"http://127.0.0.1:9/feed{n}.xml", category, f"Feed {n}",
              "http://127.0.0.1:9/", now) for n in range(1, feeds + 1)],
        )  # fmt: skip
        db.executemany(
            "INSERT INTO entry (id, guid, title, author, content, link, date, lastSeen, "
            "is_read, is_favorite, id_feed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [(first_id + n * 1_000_000, f"guid-{n}", f"Story number {n}", "Reporter",
              PARAGRAPH * 8, f"http://127.0.0.1:9/story/{n}.html", now - n, now,
              int(n % 50 == 0), 1 + n % feeds) for n in range(items)],
        )  # fmt: skip


def run_reader(
    args: list[str], env: dict[str, str], stdin: str = ""
) -> tuple[float, float, int, str]:
    """Run `reader ARGS`: (wall seconds, its CPU seconds, peak RSS in bytes, stdout)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "reader.cli", *args],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write(stdin.encode())
    process.stdin.close()
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"reader {' '.join(args)} failed: {err.strip()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=10)
    args = parser.parse_args()
    if not (FRESHRSS / "start-freshrss").exists():
        raise SystemExit(f"FreshRSS is not at {FRESHRSS}")
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        info = start_freshrss(work / "server")
        try:
            fill(Path(info["root"]) / "data/users/reader/db.sqlite", args.items, args.feeds)
            env = {
                **os.environ,
                "XDG_CONFIG_HOME": str(work / "config"),
                "XDG_DATA_HOME": str(work / "data"),
                "READER_DB": str(work / "reader.sqlite"),
            }
            run_reader(["sync", "setup", info["api"], "--user", info["user"]], env,
                       stdin=info["api_password"] + "\n")  # fmt: skip
            elapsed, cpu, peak, out = run_reader(["sync", "--json"], env)
            report = json.loads(out)
        finally:
            os.kill(int(info["pid"]), 15)
    print(
        f"first sync of {args.items:,} unread items ({args.feeds} feeds) from FreshRSS: "
        f"{elapsed:.1f} s wall ({report['elapsed']:.1f} s in the sync, {cpu:.1f} s CPU in "
        "reader, the rest is FreshRSS), "
        f"peak RSS {peak / 1024 / 1024:.0f} MB, {report['new_entries']:,} new entries, "
        f"{report['starred_received']} starred saved"
    )


if __name__ == "__main__":
    main()
