"""Search speed: fill a store with N entries (default 10,000) and time `Reader.search`.

    .venv/bin/python bench/search.py [--entries 10000] [--runs 200]

Prints the time the deferred full-text pass took to index them, then the median and p95
per query (every word is a prefix, as typed: two- and three-letter ones too); the target is
under 50 ms at 10,000 entries.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import tempfile
import time
from pathlib import Path

from reader.core import open_reader
from reader.models import EntryData

WORDS = (
    "harbour bridge ferry council storm weather school solar library market square "
    "sécurité routière énergie élection über straße fernwärme отопление сезон budget "
    "traffic housing water pipes lead plan museum festival railway station airport"
).split()
QUERIES = [
    "securite",
    "bridge",
    "stor",
    "fernwarme",
    "отоп",
    "harbour ferry",
    "élect",
    "budget plan",
    "st",
    "har",
    "fe",
]


# a news-like vocabulary: the named words plus 20,000 made-up ones, Zipf-distributed
VOCABULARY = WORDS + [f"w{n}x" for n in range(20_000)]
CUMULATIVE = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCABULARY))))


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choices(VOCABULARY, cum_weights=CUMULATIVE, k=count))


def fill(reader_path: Path, count: int) -> None:
    rng = random.Random(7)
    reader = open_reader(reader_path)
    feeds = [reader._storage.add_feed(f"https://feed{n}.example/rss") for n in range(50)]
    with reader._storage.write() as db:
        for index in range(count):
            feed = feeds[index % len(feeds)]
            assert feed is not None
            title = _words(rng, 8)
            body = _words(rng, 300)
            reader._storage.store_entries(
                feed.id,
                [EntryData(str(index), url=f"https://e.example/{index}", title=title,
                           content=f"<p>{body}</p>", published=1e9 + index)],
                db,
            )  # fmt: skip
    reader.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite"
        started = time.perf_counter()
        fill(path, args.entries)
        print(f"filled {args.entries:,} entries in {time.perf_counter() - started:.1f} s")
        reader = open_reader(path)
        started = time.perf_counter()
        indexed = reader._storage.index_pending()
        print(f"indexed {indexed:,} rows in {time.perf_counter() - started:.2f} s")
        timings: list[float] = []
        cpu: list[float] = []
        by_query: dict[str, list[float]] = {query: [] for query in QUERIES}
        hits = 0
        for run in range(args.runs):
            query = QUERIES[run % len(QUERIES)]
            begin, begin_cpu = time.perf_counter(), time.process_time()
            hits += len(reader.search(query, limit=50))
            timings.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - begin_cpu) * 1000)
            by_query[query].append(cpu[-1])
        reader.close()
    print("CPU per query, median ms: " + ", ".join(
        f"{query!r} {statistics.median(times):.1f}" for query, times in by_query.items() if times
    ))  # fmt: skip
    # CPU time: the same work whatever else the (shared) machine is doing
    print(f"CPU per query: median {statistics.median(cpu):.2f} ms, worst {max(cpu):.2f} ms")
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"search over {args.entries:,} entries, {args.runs} queries ({hits} hits):")
    median = statistics.median(timings)
    print(f"  median {median:.2f} ms   p95 {p95:.2f} ms   worst {timings[-1]:.2f} ms")
    print("  target: under 50 ms")


if __name__ == "__main__":
    main()
