"""Time ``reader prefetch``: N new entries' articles fetched, extracted, stored and indexed.

Usage:
    .venv/bin/python bench/prefetch.py [--entries 1000] [--hosts 50] [--latency MS] [--runs R]

A server process (asyncio, keep-alive, this file with ``--serve``) holds one RSS feed per
host (``--hosts`` ports of 127.0.0.1: the per-host limit counts host:port), whose items
link to real article pages: the 130 pages of ``../shared/corpus`` (readability's test
pages: news sites, blogs, a few huge ones), in turn. Every request waits ``--latency`` ms.

Each run: a fresh store, ``reader import`` and ``reader refresh --no-articles`` (untimed:
this queues the N articles), then ``reader prefetch``, timed as a whole process: wall time,
the CPU of every process of its tree (the main one fetches, the worker processes extract
and store), and how busy the machine's cores were (CPU / wall; 2.0 is both cores all
along). Then it checks that every article is stored, that the full-text index has them
(nothing pending) and that a word found only inside the pages finds them. The target is
1,000 articles on 50 hosts at 50 ms latency in under 40 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from refresh import READER, clean_env, measure

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "readability-test-pages"


class PageServer:
    def __init__(self, entries: int, hosts: int, latency: float) -> None:
        self.entries, self.hosts, self.latency = entries, hosts, latency
        self.pages = [path.read_bytes() for path in sorted(CORPUS.glob("*/source.html"))]
        self.ports: list[int] = []
        self.counts: dict[str, int] = {"200": 0, "404": 0}

    def per_host(self) -> int:
        return -(-self.entries // self.hosts)

    def feed(self, host: int) -> bytes:
        from email.utils import formatdate

        base = f"http://127.0.0.1:{self.ports[host]}"
        items = []
        for number in range(self.per_host()):
            index = host * self.per_host() + number
            if index >= self.entries:
                break
            url = f"{base}/page/{index}.html"
            date = formatdate(1_767_225_600 - index * 60, usegmt=True)
            items.append(
                f"<item><title>Article {index}</title><link>{url}</link><guid>{url}</guid>"
                f"<pubDate>{date}</pubDate><description>Article {index}, in brief."
                "</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Site {host}</title><link>{base}/</link>{''.join(items)}</channel></rss>"
        ).encode()

    def respond(self, host: int, path: str) -> tuple[int, str, bytes]:
        if path == "/_stats":
            return 200, "application/json", json.dumps(self.counts).encode()
        if path == "/feed.xml":
            return 200, "application/rss+xml; charset=utf-8", self.feed(host)
        if path.startswith("/page/") and path.endswith(".html"):
            try:
                index = int(path[6:-5])
            except ValueError:
                index = -1
            if 0 <= index < self.entries:
                return 200, "text/html", self.pages[index % len(self.pages)]
        return 404, "text/plain", b"not found"

    async def handle(
        self, host: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    break
                line = head.decode("latin-1").split("\r\n", 1)[0]
                path = line.split(" ")[1].split("?")[0] if " " in line else "/"
                status, content_type, body = self.respond(host, path)
                if self.latency and not path.startswith("/_"):
                    await asyncio.sleep(self.latency)
                self.counts[str(status)] = self.counts.get(str(status), 0) + 1
                reason = "OK" if status == 200 else "Not Found"
                writer.write(
                    f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


async def serve(entries: int, hosts: int, latency: float) -> None:
    server = PageServer(entries, hosts, latency)
    for host in range(hosts):
        listener = await asyncio.start_server(
            lambda r, w, host=host: server.handle(host, r, w), "127.0.0.1", 0, backlog=1024
        )
        server.ports.append(listener.sockets[0].getsockname()[1])
    urls = [f"http://127.0.0.1:{port}/feed.xml" for port in server.ports]
    print(json.dumps({"urls": urls, "stats": f"http://127.0.0.1:{server.ports[0]}/_stats",
                      "pages": len(server.pages)}))  # fmt: skip
    sys.stdout.flush()
    await asyncio.Event().wait()


def one_run(urls: list[str], stats: str, entries: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-prefetch-") as tmp:
        home = Path(tmp)
        env = clean_env(home)
        (home / "config" / "reader").mkdir(parents=True, exist_ok=True)
        (home / "config" / "reader" / "config.toml").write_text(f"prefetch_limit = {entries}\n")
        db = home / "reader.sqlite"
        urls_file = home / "urls"
        urls_file.write_text("\n".join(urls) + "\n")
        base = [str(READER), "--db", str(db)]
        subprocess.run([*base, "import", str(urls_file)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        subprocess.run([*base, "refresh", "--no-articles"], env=env, check=True,
                       capture_output=True)  # fmt: skip
        timed = measure([*base, "prefetch"], env, stats)
        with sqlite3.connect(db) as connection:
            stored = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
            pages = connection.execute(
                "SELECT count(*) FROM articles WHERE json_extract(article, '$.source') = 'page'"
            ).fetchone()[0]
            pending = connection.execute("SELECT count(*) FROM articles_fts_pending").fetchone()[0]
        found = subprocess.run([*base, "search", "the", "--limit", "5", "--json"], env=env,
                               capture_output=True, text=True)  # fmt: skip
        hits = len(json.loads(found.stdout or "[]"))
    return {
        "seconds": timed.seconds,
        "cpu": timed.tree_cpu_seconds,
        "main_cpu": timed.root_cpu_seconds,  # wait4's cpu_seconds counts the workers too
        "tree_mb": timed.tree_peak_mb,
        "stored": stored,
        "pages": pages,
        "pending": pending,
        "hits": hits,
        "requests": timed.requests.get("200", 0),
        "output": timed.output,
    }  # type: ignore[dict-item]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--latency", type=float, default=50, help="ms per request (default 50)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.entries, args.hosts, args.latency / 1000))
        return 0
    if not CORPUS.is_dir():
        raise SystemExit(f"the page corpus is missing: {CORPUS}")
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--entries", str(args.entries), "--hosts",
         str(args.hosts), "--latency", str(args.latency)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    info = json.loads(server.stdout.readline())
    problems: list[str] = []
    try:
        print(f"\n{args.entries} articles on {args.hosts} hosts ({info['pages']} corpus pages "
              f"in turn), {args.latency:g} ms latency, {args.runs} runs, "
              f"{os.cpu_count()} cores")  # fmt: skip
        runs = []
        for run in range(args.runs):
            result = one_run(info["urls"], info["stats"], args.entries)
            runs.append(result)
            busy = result["cpu"] / result["seconds"]
            print(f"  run {run + 1}: {result['seconds']:6.2f} s, CPU {result['cpu']:.1f} s "
                  f"(fetching, main process: {result['main_cpu']:.1f} s) "
                  f"(cores busy {busy:.2f} of {os.cpu_count()}), tree {result['tree_mb']:.0f} MB, "
                  f"{result['stored']} stored ({result['pages']} pages), "
                  f"{result['pending']} unindexed, {result['requests']} requests")  # fmt: skip
            if result["stored"] != args.entries:
                problems.append(f"run {run + 1} stored {result['stored']}, not {args.entries}")
            if result["pending"]:
                problems.append(f"run {run + 1} left {result['pending']} articles unindexed")
            if not result["hits"]:
                problems.append(f"run {run + 1}: search found nothing inside the articles")
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        print(f"\nmedian {seconds:.2f} s ({args.entries / seconds:.0f} articles/s), "
              f"CPU {cpu:.1f} s, cores busy {cpu / seconds:.2f}; target < 40 s: "
              f"{'ok' if seconds < 40 else 'MISSED'}")  # fmt: skip
        print("checks: " + ("ok" if not problems else "; ".join(problems)))
        if problems:
            print(runs[-1]["output"][-2000:])
    finally:
        server.terminate()
        server.wait()
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
