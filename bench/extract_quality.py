"""Score reader's article extraction on two sets, side by side with other extractors, and time it.

Usage: .venv/bin/python bench/extract_quality.py [CORPUS_DIR] [--worst N] [--page NAME]
           [--set mozilla|dev|both] [--no-baseline]

The Mozilla corpus:

For every page of ../shared/corpus/readability-test-pages (see its README) the body text
reader extracts (``to_text``) is compared with the text of ``expected.html``: tokens are
``\\w+`` runs, each text becomes a multiset of 4-token shingles, and per page precision =
|pred ∩ truth| / |pred|, recall = |pred ∩ truth| / |truth|. Mean precision is over pages
with a non-empty prediction, mean recall over pages with a non-empty truth; F1 is their
harmonic mean. The same is printed for plain readability-lxml (``summary()`` then lxml's
``text_content()``) as a baseline, with metadata agreement and in-process timings.

The development set ../shared/extract-dev (460 real pages labelled with snippets; see its
README): each page's bytes go through ``extract_page`` (decoding included) and ``to_text``,
scored as its ``score.py`` scores ``reader read --html FILE --format json``: a "with" snippet
found is a true positive, one missing a false negative, a "without" snippet found a false
positive, summed over pages. trafilatura (``extract(..., include_tables=True)``, when it is
installed) and plain readability-lxml are measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html
from readability import Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.article import extract_page
from reader.errors import NotAnArticleError
from reader.extract import extract_article
from reader.models import Article
from reader.render import to_text

logging.getLogger("readability").setLevel(logging.CRITICAL)

BASE_URL = "http://fakehost/test/page.html"
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/readability-test-pages"
DEFAULT_DEV = Path(__file__).resolve().parents[2] / "shared/extract-dev"
TOKEN_RE = re.compile(r"\w+")
BLOCK_TAGS = frozenset(
    """address article aside blockquote body br dd details div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary
    table tbody td tfoot th thead tr ul""".split()
)


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN_RE.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < 4:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def block_text(root: Any) -> str:
    """An element's text with a line break at every block element (words never glued)."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in ("script", "style", "noscript", "template"):
            return
        block = tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return "".join(parts)


def truth_text(page: Path) -> str:
    html = (page / "expected.html").read_text(encoding="utf-8")
    return block_text(lxml.html.document_fromstring(html)) if html.strip() else ""


@dataclass
class Score:
    precision: float | None  # None when the prediction is empty
    recall: float | None  # None when the truth is empty

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def score(predicted: str, truth: str) -> Score:
    pred, true = shingles(predicted), shingles(truth)
    common = sum((pred & true).values())
    precision = common / sum(pred.values()) if pred else None
    recall = common / sum(true.values()) if true else None
    return Score(precision, recall)


def summarize(scores: list[Score]) -> tuple[float, float, float, int]:
    precisions = [s.precision for s in scores if s.precision is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    p = statistics.fmean(precisions) if precisions else 0.0
    r = statistics.fmean(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    empty = sum(1 for s in scores if s.precision is None)
    return p, r, f1, empty


# --- metadata ------------------------------------------------------------------------


def _norm(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def _same_time(a: str | None, b: str | None) -> bool:
    def parse(value: str | None) -> datetime | str | None:
        if not value:
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value.strip()

    pa, pb = parse(a), parse(b)
    if (
        isinstance(pa, datetime)
        and isinstance(pb, datetime)
        and (pa.tzinfo is None) != (pb.tzinfo is None)
    ):
        return pa.replace(tzinfo=None) == pb.replace(tzinfo=None)
    return pa == pb


# Readability.js keeps a byline's "By "; reader drops it on purpose. The second byline
# line compares without that prefix.
_BY_PREFIX_RE = re.compile(r"^(?:written\s+by|by|par|von|por)\s*:?\s+", re.I)


def _same_byline(a: str | None, b: str | None) -> bool:
    return _BY_PREFIX_RE.sub("", _norm(a)) == _BY_PREFIX_RE.sub("", _norm(b))


# label -> (Article attribute, key in expected-metadata.json, comparison)
META_FIELDS: dict[str, tuple[str, str, Callable[[Any, Any], bool]]] = {
    "title": ("title", "title", lambda a, b: _norm(a) == _norm(b)),
    "byline": ("byline", "byline", lambda a, b: _norm(a) == _norm(b)),
    "byline-by": ("byline", "byline", _same_byline),
    "language": ("language", "lang", lambda a, b: _norm(a) == _norm(b)),
    "site_name": ("site_name", "siteName", lambda a, b: _norm(a) == _norm(b)),
    "published": ("published", "publishedTime", _same_time),
}


# --- runs --------------------------------------------------------------------------


def ours(html: str) -> tuple[str, Article | None]:
    try:
        article = extract_article(html, BASE_URL)
    except NotAnArticleError:
        return "", None
    return to_text(article), article


def baseline(html: str) -> tuple[str, str]:
    """Plain readability-lxml: (text_content(), block-aware text) of summary()."""
    try:
        summary = Document(html, url=BASE_URL).summary(html_partial=True)
    except Exception:  # readability raises bare Exceptions on some pages
        return "", ""
    if not summary.strip():
        return "", ""
    root = lxml.html.fragment_fromstring(summary, create_parent="div")
    return root.text_content(), block_text(root)


def percentile_95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


# --- the development set (snippets) ----------------------------------------------------


@dataclass
class SnippetCounts:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    errors: int = 0
    empty: int = 0

    def add(self, text: str | None, page: dict[str, Any]) -> tuple[list[str], list[str]]:
        """Count one page; return its missed and kept-junk snippets."""
        if text is None:
            self.errors += 1
        found_text = squash(text or "")
        if not found_text:
            self.empty += 1
        missed = [s for s in page["with"] if not found_text or squash(s) not in found_text]
        junk = [s for s in page["without"] if found_text and squash(s) in found_text]
        self.true_positives += len(page["with"]) - len(missed)
        self.false_negatives += len(missed)
        self.false_positives += len(junk)
        return missed, junk

    def figures(self) -> tuple[float, float, float]:
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        return precision, recall, f


def squash(text: str) -> str:
    return " ".join(text.split())


def ours_from_bytes(content: bytes, url: str) -> str | None:
    """What `reader read URL --html FILE --format json` gives as text; None for an error."""
    try:
        return to_text(extract_page(content, url))
    except NotAnArticleError:
        return None


def trafilatura_text(content: bytes) -> str | None:
    import trafilatura

    try:
        return trafilatura.extract(content, include_tables=True) or ""
    except Exception:  # a second opinion's failure is a figure, not a crash
        return None


def readability_text(content: bytes) -> str | None:
    from reader.extract import decode_html

    return baseline(decode_html(content))[1]


def have_trafilatura() -> bool:
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return False
    return True


def run_dev(args: argparse.Namespace) -> None:
    labels = json.loads((args.dev / "labels.json").read_text(encoding="utf-8"))
    if args.page:
        labels = [page for page in labels if args.page in page["file"]]
    contents = {page["file"]: (args.dev / "pages" / page["file"]).read_bytes() for page in labels}
    for page in labels:  # warm-up: imports, regex caches
        ours_from_bytes(contents[page["file"]], page["url"])
    extractors: list[tuple[str, Callable[[bytes, str], str | None]]] = [
        ("reader (extract_page + to_text)", ours_from_bytes)
    ]
    if not args.no_baseline:
        if have_trafilatura():
            extractors.append(
                ("trafilatura extract(include_tables=True)", lambda c, u: trafilatura_text(c))
            )
        extractors.append(("readability-lxml summary() as text", lambda c, u: readability_text(c)))
    print(f"{len(labels)} pages from {args.dev}\n")
    print(
        f"{'extractor':42} {'precision':>9} {'recall':>6} {'F':>6} {'errors':>6} {'empty':>5}"
        f" {'median':>7} {'p95':>7}"
    )
    worst: list[tuple[int, str, list[str], list[str]]] = []
    for label, extract in extractors:
        counts = SnippetCounts()
        times = []
        for page in labels:
            started = time.perf_counter()
            text = extract(contents[page["file"]], page["url"])
            times.append((time.perf_counter() - started) * 1000)
            missed, junk = counts.add(text, page)
            if extract is ours_from_bytes and (missed or junk):
                worst.append((len(missed) + len(junk), page["file"], missed, junk))
            if args.page and extract is ours_from_bytes:
                print(text)
        precision, recall, f = counts.figures()
        print(
            f"{label:42} {precision:9.3f} {recall:6.3f} {f:6.3f} {counts.errors:6d} "
            f"{counts.empty:5d} {statistics.median(times):5.1f}ms {percentile_95(times):5.0f}ms"
        )
    print(f"\n{args.worst} worst pages for reader (missed 'with' snippets, kept 'without'):")
    for _bad, name, missed, junk in sorted(worst, reverse=True)[: args.worst]:
        print(f"  {name}: {len(missed)} missed, {len(junk)} junk kept")
        for snippet in missed[:2]:
            print(f"      missed: {snippet[:90]!r}")
        for snippet in junk[:2]:
            print(f"      kept:   {snippet[:90]!r}")


# --- main ------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    parser.add_argument("--set", choices=("mozilla", "dev", "both"), default="both")
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--page", help="print our text for one page (a part of its name)")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    status = 0
    if args.set in ("mozilla", "both"):
        print("== Mozilla's readability test pages (shingles against Readability.js) ==\n")
        status = run_mozilla(args)
    if args.set in ("dev", "both"):
        print("\n== extract-dev: real pages labelled with snippets ==\n")
        run_dev(args)
    return status


def run_mozilla(args: argparse.Namespace) -> int:
    pages = sorted(p for p in args.corpus.iterdir() if (p / "source.html").is_file())
    if args.page:
        pages = [p for p in pages if p.name == args.page]
    if not pages:
        print(f"no pages found in {args.corpus}", file=sys.stderr)
        return 0 if args.page else 1

    sources = {p.name: (p / "source.html").read_text(encoding="utf-8") for p in pages}
    truths = {p.name: truth_text(p) for p in pages}
    metadata = {
        p.name: json.loads((p / "expected-metadata.json").read_text(encoding="utf-8"))
        if (p / "expected-metadata.json").is_file()
        else {}
        for p in pages
    }

    # Timed in-process, after one warm-up pass over every page (imports, regex caches).
    for p in pages:
        ours(sources[p.name])
    timings: dict[str, float] = {}
    results: dict[str, tuple[str, Article | None]] = {}
    for p in pages:
        started = time.perf_counter()
        results[p.name] = ours(sources[p.name])
        timings[p.name] = (time.perf_counter() - started) * 1000

    our_scores = {name: score(results[name][0], truths[name]) for name in results}

    if args.page:
        name = pages[0].name
        print(results[name][0])
        s = our_scores[name]
        print(f"\n--- {name}: P={s.precision} R={s.recall} F1={s.f1:.3f}")
        return 0

    print(f"{len(pages)} pages from {args.corpus}\n")
    print(f"{'extractor':44} {'precision':>9} {'recall':>7} {'F1':>6} {'empty':>5}")
    p, r, f1, empty = summarize(list(our_scores.values()))
    print(f"{'reader (extract_article + to_text)':44} {p:9.4f} {r:7.4f} {f1:6.4f} {empty:5d}")
    if not args.no_baseline:
        base_tc, base_block = [], []
        base_times = []
        for page in pages:
            started = time.perf_counter()
            text_content, blocky = baseline(sources[page.name])
            base_times.append((time.perf_counter() - started) * 1000)
            base_tc.append(score(text_content, truths[page.name]))
            base_block.append(score(blocky, truths[page.name]))
        p, r, f1, empty = summarize(base_tc)
        label = "readability-lxml summary() + text_content()"
        print(f"{label:44} {p:9.4f} {r:7.4f} {f1:6.4f} {empty:5d}")
        p, r, f1, empty = summarize(base_block)
        label = "readability-lxml summary() + block-aware text"
        print(f"{label:44} {p:9.4f} {r:7.4f} {f1:6.4f} {empty:5d}")

    print("\nmetadata agreement (pages where Readability.js found a value;")
    print("byline-by: the same, ignoring a leading 'By ' that reader drops on purpose):")
    for field, (attribute, key, same) in META_FIELDS.items():
        given = [name for name in results if metadata[name].get(key)]
        agree = sum(
            1
            for name in given
            if results[name][1] is not None
            and same(getattr(results[name][1], attribute), metadata[name][key])
        )
        share = agree / len(given) if given else 0.0
        print(f"  {field:10} {agree:3d}/{len(given):3d}  {share:6.1%}")

    times = sorted(timings.values())
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    print(
        f"\nextraction time per page (in-process): median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
    )
    if not args.no_baseline:
        base_sorted = sorted(base_times)
        base_p95 = base_sorted[min(len(base_sorted) - 1, round(0.95 * (len(base_sorted) - 1)))]
        print(
            f"plain readability-lxml summary():       median "
            f"{statistics.median(base_sorted):.1f} ms, p95 {base_p95:.1f} ms"
        )

    print(f"\n{args.worst} worst pages (by F1):")
    worst = sorted(our_scores.items(), key=lambda item: item[1].f1)[: args.worst]
    for name, s in worst:
        precision = "empty" if s.precision is None else f"{s.precision:.3f}"
        recall = "-" if s.recall is None else f"{s.recall:.3f}"
        print(f"  {name:44} F1 {s.f1:.3f}  P {precision:>6}  R {recall:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
