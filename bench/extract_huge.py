"""Extraction time on hostile pages: 200,000 sibling elements, 1,000,000 nested divs.

The tests check that these pages are cut (the extraction never reads past MAX_ELEMENTS,
never recurses past lxml's depth limit); this prints how long it takes, median of N runs.

    .venv/bin/python bench/extract_huge.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from reader.errors import NotAnArticleError
from reader.extract import extract_article

FILLER = "The council met on Tuesday evening to discuss the harbour bridge repairs. " * 3
PAGES = {
    "200,000 siblings": "<html><body><p>" + FILLER + "</p>" + "<div><p>x y</p></div>" * 200_000
    + "</body></html>",
    "1,000,000 nested divs": "<html><body>" + "<div>" * 1_000_000 + "deep" + "</div>" * 1_000_000
    + "</body></html>",
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for name, html in PAGES.items():
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            try:
                extract_article(html, "https://news.example/a")
            except NotAnArticleError:
                pass
            times.append(time.perf_counter() - started)
        print(f"{name:>22}: median {statistics.median(times):.2f} s, max {max(times):.2f} s "
              f"({len(html) / 1e6:.1f} MB, {args.runs} runs)")  # fmt: skip


if __name__ == "__main__":
    main()
