"""Time ``reader refresh`` against ``newsboat -x reload`` on the same synthetic feeds.

Usage:
    .venv/bin/python bench/refresh.py [--feeds N] [--items M] [--latency MS] [--runs R]
        [--jobs J] [--hosts H] [--no-newsboat] [--measure-parse] [--measure-pools]

A server process (asyncio, keep-alive, this file with ``--serve``) holds N RSS 2.0 feeds of
M items, each item about 3 KB with an HTML description, spread over H ports of 127.0.0.1
(real feeds live on many hosts; reader limits requests per host). Every request waits
``--latency`` ms before the answer; feeds carry ETag and Last-Modified and get 304s.

Each run, alternating which tool goes first:
  reader:   fresh store, ``reader import`` the urls file (untimed), then ``reader refresh
            --no-articles`` twice: cold (everything new) and warm (``--force``, all 304).
  newsboat: fresh cache, ``reload-threads`` = J, ``newsboat -x reload`` three times: cold,
            a second reload (newsboat 2.21 keeps no ETag from the first download, so this
            one downloads everything again) and a third, warm (all 304).
The report shows medians over the runs, ratios reader/newsboat against the targets, peak
memory (largest process, from wait4, and the sum over the process tree, sampled), the 200s
and 304s the server counted in each phase, and checks both stored N x M entries.

``--measure-parse`` times feedparser on one synthetic feed with its defaults and with
reader's settings; ``--measure-pools`` runs reader's pipeline in-process with the parse
pool as threads and as processes (cold, fresh store each) and prints both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
READER = ROOT / ".venv" / "bin" / "reader"
PYTHON = ROOT / ".venv" / "bin" / "python"

# --- the synthetic feeds -------------------------------------------------------------------

WORDS = (
    "harbour council ferry storm bridge market library school solar coast weather tide "
    "festival museum river railway station budget election hospital football theatre "
    "the of and to in for on with at by from about after before over under between during "
    "residents engineers officials volunteers visitors teachers farmers fishermen drivers "
    "reopened announced warned approved rejected opened closed extended delayed expected "
    "morning evening weekend winter summer spring autumn january march october december"
).split()


def paragraphs(rng: random.Random, count: int) -> list[str]:
    pool = []
    for _ in range(count):
        words = [rng.choice(WORDS) for _ in range(rng.randint(45, 70))]
        words[0] = words[0].capitalize()
        link = rng.randint(0, len(words) - 3)
        words[link] = f'<a href="https://example.test/{words[link]}">{words[link]}'
        words[link + 1] = f"{words[link + 1]}</a>"
        emph = rng.randint(0, len(words) - 1)
        words[emph] = f"<em>{words[emph]}</em>"
        pool.append("<p>" + " ".join(words) + ".</p>")
    return pool


def make_feed(index: int, items: int, base: str, pool: list[str]) -> bytes:
    from html import escape

    rng = random.Random(index)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Synthetic feed {index}</title><link>{base}/site/{index}/</link>"
        f"<description>Feed {index} of the benchmark</description>"
    ]
    day = 1_767_225_600  # 2026-01-01
    for item in range(items):
        body = "".join(rng.choice(pool) for _ in range(6))  # ~3 KB of HTML
        url = f"{base}/site/{index}/item-{item}.html"
        parts.append(
            f"<item><title>Item {item} of feed {index}: {rng.choice(WORDS)} "
            f"{rng.choice(WORDS)}</title><link>{url}</link>"
            f'<guid isPermaLink="true">{url}</guid>'
            f"<pubDate>{formatdate(day - item * 3600 - index, usegmt=True)}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


# --- the server (a child process: ``--serve``) --------------------------------------------


class FeedServer:
    def __init__(self, feeds: int, items: int, latency: float, hosts: int) -> None:
        self.feeds, self.items, self.latency, self.hosts = feeds, items, latency, hosts
        self.bodies: list[bytes] = []
        self.etags: list[str] = []
        self.last_modified = formatdate(1_767_225_600, usegmt=True)
        self.counts = {"200": 0, "304": 0, "404": 0}
        self.ports: list[int] = []

    def build(self) -> None:
        pool = paragraphs(random.Random(0), 300)
        for index in range(self.feeds):
            base = f"http://127.0.0.1:{self.ports[index % self.hosts]}"
            body = make_feed(index, self.items, base, pool)
            self.bodies.append(body)
            self.etags.append(f'"{zlib.crc32(body):08x}-{len(body)}"')

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[index % self.hosts]}/feed/{index}.xml"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    break
                lines = head.decode("latin-1").split("\r\n")
                target = lines[0].split(" ")[1] if " " in lines[0] else "/"
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                status, extra, body = self.respond(target.split("?")[0], headers)
                if self.latency and not target.startswith("/_"):
                    await asyncio.sleep(self.latency)
                self.counts[str(status)] = self.counts.get(str(status), 0) + 1
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                writer.write(
                    (
                        f"HTTP/1.1 {status} {reason}\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
                    ).encode()
                    + body
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except ConnectionError:
            pass
        finally:
            writer.close()

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
        if path == "/_stats":
            counts = dict(self.counts)
            return 200, "Content-Type: application/json\r\n", json.dumps(counts).encode()
        if not (path.startswith("/feed/") and path.endswith(".xml")):
            return 404, "", b"not found"
        try:
            index = int(path[6:-4])
            body = self.bodies[index]
        except (ValueError, IndexError):
            return 404, "", b"not found"
        etag = self.etags[index]
        validators = f"ETag: {etag}\r\nLast-Modified: {self.last_modified}\r\n"
        inm = headers.get("if-none-match")
        if inm == etag or (inm is None and headers.get("if-modified-since") == self.last_modified):
            return 304, validators, b""
        return 200, "Content-Type: application/rss+xml; charset=utf-8\r\n" + validators, body


async def serve(feeds: int, items: int, latency: float, hosts: int) -> None:
    server = FeedServer(feeds, items, latency, hosts)
    servers = []
    for _ in range(hosts):
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0, backlog=1024)
        servers.append(listener)
        server.ports.append(listener.sockets[0].getsockname()[1])
    server.build()
    urls = [server.url(i) for i in range(feeds)]
    print(json.dumps({"urls": urls, "stats": f"http://127.0.0.1:{server.ports[0]}/_stats"}))
    sys.stdout.flush()
    await asyncio.Event().wait()


# --- measuring a command -------------------------------------------------------------------


@dataclass
class Measure:
    seconds: float
    max_rss_mb: float  # largest single process (wait4)
    cpu_seconds: float  # user + system of the process and the children it waited for
    tree_peak_mb: float  # the process and its children together, sampled every 50 ms
    tree_cpu_seconds: float = 0.0  # CPU of every process in the tree (workers too), sampled
    root_cpu_seconds: float = 0.0  # the command's own process, without its children
    output: str = ""
    requests: dict[str, int] = field(default_factory=dict)


def _tree(root: int) -> tuple[int, dict[int, float]]:
    """The process tree under ``root``: its resident memory in KB, and each process's CPU
    seconds so far (user + system)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    cpu: dict[int, float] = {}
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat_file:
                fields = stat_file.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        cpu[pid] = (int(fields[11]) + int(fields[12])) / ticks
    total, stack, tree_cpu = 0, [root], {}
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        tree_cpu[pid] = cpu.get(pid, 0.0)
        stack.extend(children.get(pid, []))
    return total, tree_cpu


def measure(command: list[str], env: dict[str, str], stats_url: str) -> Measure:
    before = _stats(stats_url)
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = 0
    cpu_by_pid: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            rss, cpu_now = _tree(process.pid)
            peak = max(peak, rss)
            for pid, seconds in cpu_now.items():
                cpu_by_pid[pid] = max(cpu_by_pid.get(pid, 0.0), seconds)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    after = _stats(stats_url)
    requests = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    requests["200"] -= 1  # the stats request itself
    if process.returncode not in (0,):
        print(f"  ! {' '.join(command[:3])} exited {process.returncode}: {output[-500:]}")
    # wait4's figure includes the children it waited for (spawned workers): the tree's
    # CPU is the sum of each process's own, from the last sample before it ended
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(seconds, usage.ru_maxrss / 1024, cpu, peak / 1024,
                   tree_cpu_seconds=sum(cpu_by_pid.values()),
                   root_cpu_seconds=cpu_by_pid.get(process.pid, 0.0), output=output,
                   requests=requests)  # fmt: skip


def _stats(url: str) -> dict[str, int]:
    with urlopen(url, timeout=30) as response:
        data: dict[str, int] = json.loads(response.read())
    return data


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "READER_"))}
    env["HOME"] = str(home)
    for name, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"),
                      ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):  # fmt: skip
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    return env


def run_reader(urls_file: Path, jobs: int, stats: str) -> tuple[Measure, Measure, int]:
    with tempfile.TemporaryDirectory(prefix="bench-reader-") as tmp:
        home = Path(tmp)
        env = clean_env(home)
        (home / "config" / "reader").mkdir(parents=True, exist_ok=True)
        (home / "config" / "reader" / "config.toml").write_text(f"concurrency = {jobs}\n")
        db = home / "reader.sqlite"
        subprocess.run([str(READER), "--db", str(db), "import", str(urls_file)],
                       env=env, check=True, capture_output=True)  # fmt: skip
        # feeds only, as newsboat does (bench/prefetch.py times the articles)
        command = [str(READER), "--db", str(db), "refresh", "--no-articles"]
        cold = measure(command, env, stats)
        warm = measure([*command, "--force"], env, stats)
        with sqlite3.connect(db) as connection:
            entries = connection.execute("SELECT count(*) FROM entries").fetchone()[0]
    return cold, warm, int(entries)


def run_newsboat(urls_file: Path, jobs: int, stats: str) -> tuple[Measure, Measure, Measure, int]:
    with tempfile.TemporaryDirectory(prefix="bench-newsboat-") as tmp:
        home = Path(tmp)
        env = clean_env(home)
        config = home / "config.newsboat"
        config.write_text(f"reload-threads {jobs}\n")
        cache = home / "cache.db"
        command = ["newsboat", "-x", "reload", "-u", str(urls_file), "-c", str(cache),
                   "-C", str(config)]  # fmt: skip
        cold = measure(command, env, stats)
        second = measure(command, env, stats)
        warm = measure(command, env, stats)
        with sqlite3.connect(cache) as connection:
            entries = connection.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    return cold, second, warm, int(entries)


# --- optional measurements -----------------------------------------------------------------


def measure_parse(items: int, repeat: int = 20) -> None:
    import io

    import feedparser

    sys.path.insert(0, str(ROOT))
    from reader.parse import parse_feed

    body = make_feed(0, items, "http://127.0.0.1:1", paragraphs(random.Random(0), 300))
    print(f"\nparse, one feed of {items} items ({len(body) / 1024:.0f} KB), CPU ms per feed:")
    cases = {
        "feedparser defaults": lambda: feedparser.parse(io.BytesIO(body)),
        "sanitize_html=False, resolve_relative_uris=False": lambda: feedparser.parse(
            io.BytesIO(body), sanitize_html=False, resolve_relative_uris=False
        ),
        "reader.parse_feed (+ buffered expat, EntryData)": lambda: parse_feed(body),
    }
    for name, run in cases.items():
        run()
        times = []
        for _ in range(repeat):
            started = time.process_time()
            run()
            times.append(time.process_time() - started)
        print(f"  {name:52} {statistics.median(times) * 1000:7.1f} ms")


def measure_pools(urls: list[str], jobs: int, runs: int) -> None:
    sys.path.insert(0, str(ROOT))
    code = r"""
import asyncio, sys, time
from reader.fetch import HostLimiter, HttpSettings, make_client
from reader.storage import Storage
from reader.update import refresh_feeds
from reader.workers import WorkerPool
mode, db, urls_file, jobs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
storage = Storage(db)
storage.add_feeds((u, None, None) for u in open(urls_file).read().split())
pool = WorkerPool()
async def main():
    settings = HttpSettings(concurrency=jobs)
    async with make_client(settings) as client:
        started = time.perf_counter()
        report = await refresh_feeds(storage, client, HostLimiter(), settings, jobs=jobs,
                                     parse_mode=mode, pool=pool)
        print(time.perf_counter() - started, report.new_entries, report.errors)
asyncio.run(main())
pool.close()
"""
    print(f"\nparse pool, reader's pipeline in-process, cold, {len(urls)} feeds (median s):")
    with tempfile.TemporaryDirectory(prefix="bench-pools-") as tmp:
        urls_file = Path(tmp) / "urls"
        urls_file.write_text("\n".join(urls) + "\n")
        results: dict[str, list[float]] = {"thread": [], "process": []}
        for run in range(runs):
            for mode in ("thread", "process") if run % 2 == 0 else ("process", "thread"):
                db = Path(tmp) / f"{mode}-{run}.sqlite"
                out = subprocess.run(
                    [str(PYTHON), "-c", code, mode, str(db), str(urls_file), str(jobs)],
                    capture_output=True, text=True, check=True, cwd=ROOT,
                ).stdout.split()  # fmt: skip
                results[mode].append(float(out[0]))
                db.unlink()
        for mode, times in results.items():
            print(f"  {mode:8} {statistics.median(times):6.2f} s   runs: "
                  + ", ".join(f"{t:.2f}" for t in times))  # fmt: skip


# --- the driver ----------------------------------------------------------------------------


def start_server(args: argparse.Namespace) -> tuple[subprocess.Popen[str], list[str], str]:
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--feeds", str(args.feeds), "--items",
         str(args.items), "--latency", str(args.latency), "--hosts", str(args.hosts)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line:
        raise SystemExit("the feed server did not start")
    info = json.loads(line)
    return server, info["urls"], info["stats"]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=1000, help="N feeds (default 1000)")
    parser.add_argument("--items", type=int, default=50, help="M items per feed (default 50)")
    parser.add_argument("--latency", type=float, default=50, help="ms per request (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool (default 3)")
    parser.add_argument(
        "--jobs", type=int, default=64, help="concurrency of both (default 64, reader's own)"
    )
    parser.add_argument("--hosts", type=int, default=64, help="server ports (default 64)")
    parser.add_argument("--no-newsboat", action="store_true", help="time reader only")
    parser.add_argument("--measure-parse", action="store_true")
    parser.add_argument("--measure-pools", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.feeds, args.items, args.latency / 1000, args.hosts))
        return 0

    if args.measure_parse:
        measure_parse(args.items)
    with_newsboat = not args.no_newsboat and shutil.which("newsboat") is not None
    if not args.no_newsboat and not with_newsboat:
        print("newsboat not found (apt-get install newsboat): timing reader only")
    server, urls, stats = start_server(args)
    try:
        if args.measure_pools:
            measure_pools(urls, args.jobs, args.runs)
        if args.measure_parse or args.measure_pools:
            return 0  # the measurements alone; run again without them to compare
        return compare(args, urls, stats, with_newsboat)
    finally:
        server.terminate()
        server.wait()


def compare(args: argparse.Namespace, urls: list[str], stats: str, with_newsboat: bool) -> int:
    expected = args.feeds * args.items
    reader_cold: list[Measure] = []
    reader_warm: list[Measure] = []
    nb_cold: list[Measure] = []
    nb_second: list[Measure] = []
    nb_warm: list[Measure] = []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-urls-") as tmp:
        urls_file = Path(tmp) / "urls"
        urls_file.write_text("\n".join(urls) + "\n")
        print(f"\n{args.feeds} feeds x {args.items} items, {args.latency:g} ms latency, "
              f"concurrency {args.jobs}, {args.hosts} hosts, {args.runs} runs")  # fmt: skip
        for run in range(args.runs):
            order = ["reader", "newsboat"] if run % 2 == 0 else ["newsboat", "reader"]
            for tool in order:
                if tool == "reader":
                    cold, warm, entries = run_reader(urls_file, args.jobs, stats)
                    reader_cold.append(cold)
                    reader_warm.append(warm)
                    print(f"  run {run + 1} reader:   cold {cold.seconds:6.2f} s "
                          f"(cpu {cold.tree_cpu_seconds:.1f}) {cold.requests}  warm "
                          f"{warm.seconds:6.2f} s (cpu {warm.tree_cpu_seconds:.1f}) "
                          f"{warm.requests}  "
                          f"entries {entries}")  # fmt: skip
                    if entries != expected:
                        problems.append(f"reader stored {entries} entries, not {expected}")
                elif with_newsboat:
                    cold, second, warm, entries = run_newsboat(urls_file, args.jobs, stats)
                    nb_cold.append(cold)
                    nb_second.append(second)
                    nb_warm.append(warm)
                    print(f"  run {run + 1} newsboat: cold {cold.seconds:6.2f} s "
                          f"(cpu {cold.tree_cpu_seconds:.1f}) {cold.requests}  second "
                          f"{second.seconds:6.2f} s {second.requests}  warm "
                          f"{warm.seconds:6.2f} s (cpu {warm.tree_cpu_seconds:.1f}) "
                          f"{warm.requests}  "
                          f"entries {entries}")  # fmt: skip
                    if entries != expected:
                        problems.append(f"newsboat stored {entries} entries, not {expected}")

    def row(
        label: str,
        ours: list[Measure],
        theirs: list[Measure],
        target: float | None,
        figure: str = "seconds",
    ) -> None:
        mine = median([getattr(m, figure) for m in ours])
        other = median([getattr(m, figure) for m in theirs])
        ratio = mine / other if theirs else float("nan")
        verdict = ""
        if target is not None and theirs:
            verdict = "ok" if ratio <= target else "MISSED"
            verdict = f"<= {target:g}  {verdict}"
        print(f"| {label:23} | {mine:9.2f} | {other:9.2f} | {ratio:6.3f} | {verdict:12} |")

    print("\n| phase (median s)        |    reader |  newsboat |  ratio | target       |")
    print("|-------------------------|-----------|-----------|--------|--------------|")
    row("cold", reader_cold, nb_cold, 0.25)
    row("warm (all 304, --force)", reader_warm, nb_warm, 0.03)
    # CPU of every process (reader's workers too): less at the mercy of a busy machine
    row("cold CPU", reader_cold, nb_cold, None, "tree_cpu_seconds")
    row("warm CPU", reader_warm, nb_warm, None, "tree_cpu_seconds")
    if nb_second:
        second = median([m.seconds for m in nb_second])
        print(f"| newsboat 2nd reload     |           | {second:9.2f} |        | re-downloads |")
    peak_main = max(m.max_rss_mb for m in reader_cold + reader_warm)
    peak_tree = max(m.tree_peak_mb for m in reader_cold + reader_warm)
    nb_main = max((m.max_rss_mb for m in nb_cold + nb_second + nb_warm), default=float("nan"))
    print(f"\npeak memory, reader: {peak_main:.0f} MB largest process (wait4 maxrss), "
          f"{peak_tree:.0f} MB process tree incl. parse workers (sampled); "
          f"newsboat: {nb_main:.0f} MB; target for reader's tree < 150 MB: "
          f"{'ok' if peak_tree < 150 else 'MISSED'}")  # fmt: skip
    print(f"entries: expected {expected} in each store: "
          f"{'ok' if not problems else '; '.join(problems)}")  # fmt: skip
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
