"""Score reader's related-article links on labelled pages, and time them.

Usage: .venv/bin/python bench/related_quality.py [--dev DIR] [--worst N] [--page ID]

Five sets of pages, each printed as one row:

- ``dev``: ../shared/related-dev (40 real pages in 9 languages, labelled by hand; see its
  README). The weights in reader/extract/links.py were set on these pages.
- ``holdout``: bench/related_holdout (45 other real pages from ../shared/extract-dev, labelled
  by hand by the same rules before reader was run on them; see its README). Its first-run
  figures are the honest measure of how the extractor does on pages nobody tuned it for;
  the extractor was then improved on it, so it is a second development set now.
- ``fresh``: bench/related_fresh (13 more extract-dev pages labelled the same way after that
  work, to check whether it carries over; see its README).
- ``third``: bench/related_third (34 more extract-dev pages, labelled blind after the fresh
  round; see its README for the unseen figure and the figures after the changes it led to).
- ``own``: tests/related_pages (small pages written for the tests, in the shapes of real
  ones, never used to set a weight before they were scored).
- ``shared``: ../shared/pages (the sample pages whose related lists must stay exact).

Per set: micro precision / recall / F1 (counts summed over pages), the share of pages
without a single false related link, the share of pages without related links where
nothing was found, and the CPU time ``find_related`` takes per page (in-process, after a
warm-up pass). URLs compare like the dev set's scorer does: resolved against the page,
without fragment, ``utm_*`` parameters and trailing slash, scheme and host lower-cased;
the dev set's ambiguous URLs are ignored. ``--page ID`` prints every candidate block of
one page with its score and the reasons for it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.extract import decode_html
from reader.extract.links import explain_related, find_related

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEV = ROOT.parent / "shared" / "related-dev"
HOLDOUT = ROOT / "bench" / "related_holdout"
HOLDOUT_PAGES = ROOT.parent / "shared" / "extract-dev" / "pages"
FRESH = ROOT / "bench" / "related_fresh"
THIRD = ROOT / "bench" / "related_third"
OWN = ROOT / "tests" / "related_pages"
SHARED = ROOT.parent / "shared" / "pages"


def normalize(url: str, base: str) -> str:
    parts = urlsplit(urljoin(base, url.strip()))
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not k.startswith("utm_")])
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


@dataclass
class Page:
    id: str
    url: str
    html: str
    related: list[str]
    ambiguous: list[str] = field(default_factory=list)


def dev_pages(directory: Path) -> list[Page]:
    labels = json.loads((directory / "labels.json").read_text(encoding="utf-8"))
    return [
        Page(
            id=item["id"],
            url=item["url"],
            html=(directory / "pages" / f"{item['id']}.html").read_text(encoding="utf-8"),
            related=item["related"],
            ambiguous=item.get("ambiguous", []),
        )
        for item in labels
    ]


def holdout_pages(labels: Path, pages: Path) -> list[Page]:
    """The held-out set: labels here, pages (raw bytes, any encoding) in extract-dev."""
    return [
        Page(
            id=item["id"],
            url=item["url"],
            html=decode_html((pages / f"{item['id']}.html").read_bytes()),
            related=item["related"],
            ambiguous=item.get("ambiguous", []),
        )
        for item in json.loads(labels.read_text(encoding="utf-8"))
    ]


def expected_pages(directory: Path) -> list[Page]:
    pages = []
    for page_dir in sorted(p for p in directory.glob("*/") if (p / "expected.json").is_file()):
        expected = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
        pages.append(
            Page(
                id=page_dir.name,
                url=expected["url"],
                html=decode_html((page_dir / "page.html").read_bytes()),
                related=[item["url"] for item in expected["related"]],
            )
        )
    return pages


@dataclass
class Result:
    page: Page
    predicted: list[str]
    milliseconds: float

    def counts(self) -> tuple[set[str], set[str], set[str]]:
        truth = {normalize(u, self.page.url) for u in self.page.related}
        ignored = {normalize(u, self.page.url) for u in self.page.ambiguous}
        predicted = {normalize(u, self.page.url) for u in self.predicted} - ignored
        return predicted & truth, predicted - truth, truth - predicted


def run(pages: list[Page]) -> list[Result]:
    for page in pages:  # warm-up: imports, regex caches
        find_related(page.html, page.url)
    results = []
    for page in pages:
        started = time.process_time()  # CPU time: steadier than the clock on a busy machine
        links = find_related(page.html, page.url)
        elapsed = (time.process_time() - started) * 1000
        results.append(Result(page, [link.url for link in links], elapsed))
    return results


def row(name: str, results: list[Result]) -> str:
    tp = fp = fn = clean = empty = empty_ok = 0
    for result in results:
        hits, false, missed = result.counts()
        tp, fp, fn = tp + len(hits), fp + len(false), fn + len(missed)
        clean += not false
        if not result.page.related:
            empty += 1
            empty_ok += not false
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    times = sorted(r.milliseconds for r in results)
    median = statistics.median(times) if times else 0.0
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else 0.0
    empties = f"{empty_ok}/{empty}"
    return (
        f"{name:8} {len(results):5d} {precision:6.3f} {recall:6.3f} {f1:6.3f} "
        f"{clean / len(results) if results else 0.0:6.1%} {empties:>8} {tp:4d}/{fp:<3d}/{fn:<3d}"
        f" {median:7.1f} {p95:7.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="the related-dev set")
    parser.add_argument("--worst", type=int, default=10, help="pages with errors to list")
    parser.add_argument("--page", help="print the candidate blocks of one page (any set)")
    args = parser.parse_args()

    sets: dict[str, list[Page]] = {}
    if (args.dev / "labels.json").is_file():
        sets["dev"] = dev_pages(args.dev)
    else:
        print(f"(no dev set at {args.dev})", file=sys.stderr)
    if HOLDOUT_PAGES.is_dir():
        sets["holdout"] = holdout_pages(HOLDOUT / "labels.json", HOLDOUT_PAGES)
        sets["fresh"] = holdout_pages(FRESH / "labels.json", HOLDOUT_PAGES)
        sets["third"] = holdout_pages(THIRD / "labels.json", HOLDOUT_PAGES)
    else:
        print(f"(no extract-dev pages at {HOLDOUT_PAGES} for the holdout set)", file=sys.stderr)
    sets["own"] = expected_pages(OWN)
    if SHARED.is_dir():
        sets["shared"] = expected_pages(SHARED)

    if args.page:
        for pages in sets.values():
            for page in pages:
                if page.id == args.page:
                    for block in explain_related(page.html, page.url):
                        if not block["links"]:
                            continue
                        kept = "KEEP" if block["kept"] else "drop"
                        print(
                            f"{kept} {block['score']:5.1f} {block['source']:7} {block['element']}"
                        )
                        print("       " + "; ".join(block["reasons"]))
                        for link in block["links"]:
                            print(f"         {link['title'][:70]}  <{link['url']}>")
                    return 0
        print(f"no page {args.page}", file=sys.stderr)
        return 1

    results = {name: run(pages) for name, pages in sets.items()}
    print(
        f"{'set':8} {'pages':>5} {'P':>6} {'R':>6} {'F1':>6} {'noFP':>6} {'empty-ok':>8}"
        f" {'TP/FP/FN':>12} {'ms med':>7} {'ms p95':>7}"
    )
    for name, rows in results.items():
        print(row(name, rows))
    print(
        "\nmicro P/R/F1 over all links; noFP = pages without a false related link; empty-ok ="
        " pages without related links where none was found; ms = CPU time of find_related per page."
    )
    wrong = [
        (name, result, result.counts())
        for name, rows in results.items()
        for result in rows
        if result.counts()[1] or result.counts()[2]
    ]
    if wrong:
        print(f"\npages with errors (first {args.worst}):")
        for name, result, (_, false, missed) in wrong[: args.worst]:
            print(f"  {name:7} {result.page.id[:40]:40} FP {len(false):2d}  FN {len(missed):2d}")
            for url in sorted(false)[:3]:
                print(f"           FP {url}")
            for url in sorted(missed)[:3]:
                print(f"           FN {url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
