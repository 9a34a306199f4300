"""More on this story: the entries of other feeds that report the same news.

Pure scoring, no I/O (the store finds the candidates, ``core.Reader.more_on_story``
joins the two). An article and a candidate are each read as a bag of terms, weighted by
how rare each term is in the store (IDF) and by whether it is an *anchor*: a name or a
number. Two measures come from that:

- ``words``: the cosine of the two whole bags. Two reports of one story in one language
  share most of their rare words; two stories on one topic share the topic's words
  ("storm", "flood", "homes"), which are common in a store that has seen the topic before.
- ``anchors``: the cosine of the names and numbers alone. Another language shares little
  else ("Sturm Ingrid: 3.200 Haushalte in Port Alder" and "Storm Ingrid leaves 3,200
  homes in Port Alder"), while another story on the same topic has other names and other
  numbers (Storm Bram, 90 mm, fire chief Olav Brekke).

A candidate is the same story when its best measure reaches ``THRESHOLD`` *and* it shares
at least ``MIN_SHARED_ANCHORS`` anchors, one of them a name when they are that few: a name
of the town alone is a topic, and two numbers alone any two texts with figures.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from reader.models import Article, StoryCandidate

THRESHOLD: Final = 0.3
"""The score from which a candidate is the same story (measured on tests/sites/stories
by bench/story.py: see the README's figures)."""
MIN_SHARED_ANCHORS: Final = 2
"""Names and numbers two reports of one story share at the least (a town's name is one)."""
ANCHOR_BOOST: Final = 2.0
"""How much more a name or a number says about which story it is than another word."""
FACTS_DIFFER: Final = 0.5
"""What the score is worth when both texts give numbers and none agree: a score, a
count, an amount or a date is the fact of one event, and another event has others."""
MIN_FACTS: Final = 2
"""Numbers each text must give before their disagreeing says anything."""
STORY_WINDOW: Final = 7 * 24 * 3600.0
"""Reports of one story are days apart, not weeks: candidates are dated within this of
the article (a storm a year on is another storm)."""
SAME_DAYS: Final = 1.0
"""Days within which two reports are as likely one story as at the same hour."""
TITLE_WEIGHT: Final = 2
"""The title counts this many times: it says what the story is in the fewest words."""
MAX_WORDS: Final = 1500
"""Words read of a text: the names and numbers of a story are in its first paragraphs,
and a bound keeps a long article as cheap as a short one."""
QUERY_TERMS: Final = 16
QUERY_MATCHES: Final = 2000
"""A term the store holds in more entries than this is too common to ask the index
for (its list of entries costs milliseconds to read, and says little)."""
"""The article's most distinctive terms that the store is asked for candidates with."""

_TAG_RE: Final = re.compile(r"<[^>]*>")
_TOKEN_RE: Final = re.compile(r"[^\W_]+")
_CJK_RE: Final = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
# What ends a sentence (the next word's capital says nothing) or opens a quotation.
_SENTENCE_BREAK: Final = frozenset('.!?"«»“”„‚‘’¿¡()[]|\n')
# A number with its thousands grouped: 3,200 3.200 3 200 (no-break spaces too) is 3200.
_GROUPED_RE: Final = re.compile(r"(?<![\w.,])\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?![\w]|[.,]\d)")
_NOT_DIGIT_RE: Final = re.compile(r"\D")
# A date stamp (2026-11-29, 2026-11-29T10:05:00): when a page was written, not a fact of
# its story; every page of the month would share its numbers.
_DATE_STAMP_RE: Final = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
_COMBINING_RE: Final = re.compile(  # the combining marks accents decompose into
    r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)
NOUN_CAPITALS: Final = 0.45
"""A text that capitalises more of its words than this inside sentences capitalises its
nouns (German): there a capital is no sign of a name."""


@dataclass(frozen=True)
class StoryText:
    """A text as the scorer reads it: how often each term appears, and which are anchors."""

    counts: Mapping[str, int] = field(default_factory=dict)
    anchors: frozenset[str] = frozenset()
    capitalises_nouns: bool = False


@dataclass(frozen=True)
class TermStats:
    """Document frequencies in a sample of the store: how rare each term is."""

    documents: int = 0
    frequency: Mapping[str, int] = field(default_factory=dict)
    population: int = 0
    """Documents in the store the sample was drawn from."""

    def idf(self, term: str) -> float:
        """ln((n + 1) / (df + 0.5)): a term in every document weighs next to nothing."""
        return math.log((self.documents + 1) / (self.frequency.get(term, 0) + 0.5))

    def estimated_matches(self, term: str) -> float:
        """About how many documents of the store hold ``term``."""
        if not self.documents:
            return 0.0
        return self.frequency.get(term, 0) * max(self.population, self.documents) / self.documents


def html_text(html: str | None) -> str:
    """The text of a feed's HTML summary or content (tags dropped; cheap, no parser)."""
    if not html:
        return ""
    return unescape(_TAG_RE.sub(" ", html))


def fold_text(text: str) -> str:
    """Lower case without accents, as the full-text index folds it ("Brücke" -> "brucke")."""
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text)).casefold()


fold = lru_cache(maxsize=65536)(fold_text)
"""One word folded (:func:`fold_text`), remembered: a story's words recur."""


def _numbers(text: str) -> str:
    """``text`` with date stamps dropped and grouped thousands joined (3,200: 3200)."""
    text = _DATE_STAMP_RE.sub(" ", text)
    return _GROUPED_RE.sub(lambda m: _NOT_DIGIT_RE.sub("", m.group()), text)


def _is_title_case(text: str) -> bool:
    """ "Storm Warning For The Coast": capitals that mark a title, not names."""
    words = [w for w in _TOKEN_RE.findall(text) if len(w) > 1 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) > 0.75 * len(words)


@dataclass
class _Reading:
    """What reading a text gathers, part by part (the title, then the body)."""

    counts: Counter[str] = field(default_factory=Counter)
    anchors: set[str] = field(default_factory=set)
    initials: set[str] = field(default_factory=set)  # capitalised at a sentence start
    lowered: set[str] = field(default_factory=set)  # seen written in lower case
    inside: int = 0  # words of four letters or more inside sentences
    capitalised: int = 0  # ... of which capitalised
    words: int = 0

    def read(self, text: str, weight: int, budget: int) -> None:
        """Add the terms of ``text``, at most ``budget`` words of it."""
        text = _numbers(text)
        names_count = not _is_title_case(text)
        stop = self.words + budget
        previous_end = 0
        for match in _TOKEN_RE.finditer(text):
            if self.words >= stop:
                break
            self.words += 1
            word = match.group()
            between = text[previous_end : match.start()]
            sentence_start = previous_end == 0 or any(c in _SENTENCE_BREAK for c in between)
            previous_end = match.end()
            if _CJK_RE.search(word):
                # a run of Chinese, Japanese or Korean has no spaces: its character pairs
                for run in _CJK_RE.findall(word):
                    for i in range(max(len(run) - 1, 1)):
                        self.counts[run[i : i + 2]] += weight
                word = _CJK_RE.sub(" ", word).strip()
                if not word or " " in word:
                    continue
            if word.isdigit():
                self.counts[word] += weight
                if len(word) > 1:  # "3" (of "3-1") is in every other story
                    self.anchors.add(word)
                continue
            if len(word) < 2:
                continue
            term = fold(word)
            self.counts[term] += weight
            if not word[0].isupper():
                self.lowered.add(term)
            elif not names_count:
                pass
            elif sentence_start:
                self.initials.add(term)
            else:
                self.anchors.add(term)
            if not sentence_start and len(word) > 3 and names_count and weight == 1:
                self.inside += 1
                self.capitalised += word[0].isupper()

    def result(self) -> StoryText:
        # A capital at a sentence start is a name unless the word is seen in lower case.
        anchors = self.anchors | (self.initials - self.lowered)
        nouns = self.inside >= 8 and self.capitalised > NOUN_CAPITALS * self.inside
        return StoryText(self.counts, frozenset(anchors), nouns)


def story_text(title: str | None, body: str | None) -> StoryText:
    """Read a title and a plain-text body (at most ``MAX_WORDS`` words of the two)."""
    reading = _Reading()
    reading.read(title or "", TITLE_WEIGHT, MAX_WORDS)
    reading.read(body or "", 1, MAX_WORDS - reading.words)
    return reading.result()


def text_terms(title: str | None, body: str | None) -> set[str]:
    """The terms of a title and body, as :func:`story_text` reads them (without the
    anchors, and five times faster: what term rarity is measured with)."""
    text = _numbers(f"{title}\n{body}")
    if _CJK_RE.search(text):
        return set(story_text(title, body).counts)
    terms = set(_TOKEN_RE.findall(fold_text(text)))
    return {term for term in terms if len(term) > 1 or term.isdigit()}


def term_stats(documents: Iterable[set[str]], population: int = 0) -> TermStats:
    """Document frequencies over the term sets of ``documents``, a sample of the
    ``population`` documents of a store."""
    frequency: Counter[str] = Counter()
    count = 0
    for terms in documents:
        count += 1
        frequency.update(terms)
    return TermStats(count, frequency, population)


def weights(
    text: StoryText, stats: TermStats, anchors: frozenset[str] | None = None
) -> dict[str, float]:
    """Each term's weight: (1 + ln tf) x idf, times ``ANCHOR_BOOST`` for an anchor (of
    ``anchors`` when given, else of the text's)."""
    boosted = text.anchors if anchors is None else anchors
    return {
        term: (1.0 + math.log(count)) * stats.idf(term) * (ANCHOR_BOOST if term in boosted else 1.0)
        for term, count in text.counts.items()
    }


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(weight * b[term] for term, weight in a.items() if term in b)
    if dot == 0.0:
        return 0.0
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


@dataclass(frozen=True)
class Similarity:
    words: float
    """The cosine of the two texts' weighted terms."""
    anchors: float
    """The cosine of their names and numbers alone."""
    shared_anchors: int
    shared_names: int = MIN_SHARED_ANCHORS
    """The shared anchors that are names, not numbers."""
    facts_differ: bool = False
    """Both give numbers and none of them agree: another match, another storm."""
    days_apart: float = 0.0

    @property
    def score(self) -> float:
        """The better of the two measures (either alone can tell one story), lowered by
        ``FACTS_DIFFER`` when the numbers disagree and by the days between the two."""
        best = max(self.words, self.anchors)
        return best * (FACTS_DIFFER if self.facts_differ else 1.0) * time_factor(self.days_apart)

    @property
    def same_story(self) -> bool:
        # two numbers alone ("24" and "19") are any two texts with figures, not one story
        enough = self.shared_names > 0 or self.shared_anchors > MIN_SHARED_ANCHORS
        return self.score >= THRESHOLD and self.shared_anchors >= MIN_SHARED_ANCHORS and enough


def time_factor(days_apart: float) -> float:
    """1 for reports within ``SAME_DAYS`` of each other, falling to 0.5 at the edge of
    ``STORY_WINDOW``: reports of one event come within a day or so, and the further
    apart two texts are, the more they must share to be one story."""
    window = STORY_WINDOW / 86400.0
    late = max(0.0, abs(days_apart) - SAME_DAYS) / (window - SAME_DAYS)
    return 1.0 - 0.5 * min(late, 1.0)


def similarity(
    a: StoryText,
    b: StoryText,
    stats: TermStats,
    a_weights: Mapping[str, float] | None = None,
    days_apart: float = 0.0,
) -> Similarity:
    """How alike two texts are as reports of one story (``a_weights``: a's, if known;
    ``days_apart``: between their dates)."""
    wa = weights(a, stats) if a_weights is None else a_weights
    wb = weights(b, stats)
    anchors_a = {t: w for t, w in wa.items() if t in _names(a, b)}
    anchors_b = {t: w for t, w in wb.items() if t in _names(b, a)}
    numbers_a = {t for t in a.counts if t.isdigit()}
    numbers_b = {t for t in b.counts if t.isdigit()}
    return Similarity(
        words=_cosine(wa, wb),
        anchors=_cosine(anchors_a, anchors_b),
        shared_anchors=len(a.anchors & b.anchors),
        shared_names=sum(not t.isdigit() for t in a.anchors & b.anchors),
        facts_differ=min(len(numbers_a), len(numbers_b)) >= MIN_FACTS and not numbers_a & numbers_b,
        days_apart=days_apart,
    )


def _names(text: StoryText, other: StoryText) -> frozenset[str]:
    """``text``'s anchors as ``other`` is compared with them: when only ``text``
    capitalises its nouns, its capitals count where they are names in ``other`` too
    (Hafenmeisterin Pia Kessler: Pia, Kessler), its nouns do not (Hafenmeisterin)."""
    if not text.capitalises_nouns or other.capitalises_nouns:
        return text.anchors
    return frozenset(t for t in text.anchors if t.isdigit() or t in other.anchors)


_PLAIN: Final = StoryText()


def query_terms(text: StoryText, stats: TermStats, count: int = QUERY_TERMS) -> list[str]:
    """The text's most distinctive terms that the full-text index can match (not the
    CJK character pairs: the index keeps a CJK run as one token). A text that
    capitalises its nouns has its numbers put first, not its nouns: its nouns are not
    what another language shares."""
    anchors = _names(text, _PLAIN)
    ranked = sorted(weights(text, stats, anchors).items(), key=lambda item: (-item[1], item[0]))
    return [
        term
        for term, _ in ranked
        if not _CJK_RE.search(term) and stats.estimated_matches(term) <= QUERY_MATCHES
    ][:count]


def fts_any(terms: Sequence[str]) -> str:
    """An FTS5 query matching a document holding any of ``terms``; a number of four
    digits or more also as the index has it written with grouped thousands ("3 200")."""
    parts = []
    for term in terms:
        if term.isdigit() and len(term) > 3 and term[0] != "0":
            head = len(term) % 3 or 3
            groups = [term[:head]] + [term[i : i + 3] for i in range(head, len(term), 3)]
            parts.append(f'"{term}" OR "{" ".join(groups)}"')
        elif term:
            parts.append(f'"{term}"')
    return " OR ".join(parts)


SAMPLE_SIZE: Final = 1000
"""Entries that term rarity is measured on: enough to tell a common word from a rare one
(a word in 1 entry of 100 is seen about ten times), cheap to read (tens of milliseconds)."""


def candidate_text(candidate: StoryCandidate) -> StoryText:
    """A candidate as the scorer reads it: its cached article, else its feed's text."""
    body = candidate.text if candidate.cached else html_text(candidate.text)
    return story_text(candidate.title, body)


def article_body(article: Article) -> str:
    """An article's text, a line a block (a line ends a sentence for the scorer)."""
    return "\n".join(block.text for block in article.blocks)


def same_story(
    source: StoryText,
    when: float,
    candidates: Iterable[StoryCandidate],
    stats: TermStats,
    limit: int = 5,
) -> list[tuple[StoryCandidate, Similarity]]:
    """The candidates that report the same story as ``source`` (dated ``when``), best
    first, at most ``limit``."""
    source_weights = weights(source, stats)
    found = []
    for candidate in candidates:
        days = (candidate.date - when) / 86400.0
        measured = similarity(source, candidate_text(candidate), stats, source_weights, days)
        if measured.same_story:
            found.append((candidate, measured))
    found.sort(key=lambda pair: (-pair[1].score, pair[0].entry_id))
    return found[:limit]
