"""More on this story: the scorer's parts, then the stories site (six outlets, three
languages, near-misses and duplicates), then ``reader read``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

import pytest

from reader import story
from reader.core import Reader
from reader.models import Article, Entry, EntryFilter
from reader.site_server import SiteServer
from tests.conftest import SITES

STORIES = SITES / "stories"
LABELS = json.loads((STORIES / "stories.json").read_text(encoding="utf-8"))

# --- reading a text ------------------------------------------------------------------


def test_names_and_numbers_are_anchors() -> None:
    text = story.story_text(
        "Storm Ingrid leaves 3,200 homes in Port Alder without power",
        "The storm brought gusts of 140 km/h. Harbourmaster Pia Kessler said the ferry "
        "would stay in port, and the utility Nordgrid expects power back by Saturday.",
    )
    assert {"ingrid", "3200", "alder", "pia", "kessler", "nordgrid", "140"} <= text.anchors
    # a capital at a sentence start is no name when the word is written in lower case
    assert not {"the", "storm", "km", "power"} & text.anchors
    assert not text.capitalises_nouns


@pytest.mark.parametrize(
    ("written", "terms"),
    [
        ("3,200 homes", {"3200"}),
        ("3.200 Haushalte", {"3200"}),
        ("3 200 foyers", {"3200"}),
        ("3\u202f200 foyers", {"3200"}),
        ("11,000 vehicles", {"11000"}),
        ("1,4 km", {"1", "4"}),  # a decimal comma, not thousands
        ("in 2025 200 people", {"2025", "200"}),
    ],
)
def test_grouped_thousands_are_one_number(written: str, terms: set[str]) -> None:
    read = story.story_text("", written)
    assert {t for t in read.counts if t.isdigit()} == terms


def test_one_digit_numbers_are_no_anchors() -> None:
    read = story.story_text("", "They won 3-1 on 12 December.")
    assert {"12"} == {t for t in read.anchors if t.isdigit()}
    assert {"3", "1", "12"} <= set(read.counts)


def test_a_title_in_title_case_names_nothing() -> None:
    assert story.story_text("Storm Warning For The Coast This Weekend", "").anchors == set()
    assert "ingrid" in story.story_text("Storm Ingrid batters the harbour town", "").anchors


def test_a_text_that_capitalises_its_nouns_is_told() -> None:
    german = story.story_text(
        "",
        "Der Netzbetreiber Nordgrid teilte mit, umgestürzte Bäume hätten zwei Freileitungen "
        "beschädigt. Die Alder-Fähre blieb im Hafen, sagte die Hafenmeisterin Pia Kessler.",
    )
    assert german.capitalises_nouns
    english = story.story_text(
        "",
        "The utility Nordgrid said fallen trees had brought down two overhead lines north "
        "of the town, and the ferry stayed.",
    )
    assert not english.capitalises_nouns
    # beside the English text only the German capitals that are names there count
    assert story._names(german, english) == {"nordgrid"}
    assert story._names(english, german) == english.anchors


def test_fold_is_the_index_folding() -> None:
    assert story.fold("Brücke") == "brucke"
    assert story.fold("ÉLECTION") == "election"
    assert story.fold_text("Tempête à Port") == "tempete a port"


def test_the_fast_term_sets_are_the_scorers_terms() -> None:
    title = "Tempête Ingrid : 3 200 foyers privés d'électricité"
    body = "La capitaine du port, Pia Kessler, attend. 東京都の人口 ½ x_y"
    assert story.text_terms(title, body) == set(story.story_text(title, body).counts)


# --- measuring ----------------------------------------------------------------------


def test_identical_texts_and_unrelated_ones() -> None:
    stats = story.TermStats(10, {"the": 10, "and": 9})
    a = story.story_text("Ingrid hits Port Alder", "Pia Kessler closed the ferry and 3,200 homes")
    same = story.similarity(a, a, stats)
    assert same.words == pytest.approx(1.0) and same.anchors == pytest.approx(1.0)
    other = story.story_text("Okafor scores twice", "Riverton beaten in the semi-final")
    assert story.similarity(a, other, stats).score < 0.01  # "the" alone


def test_numbers_that_all_disagree_are_another_event() -> None:
    stats = story.TermStats(10, {})
    cup = story.story_text(
        "Okafor double", "Port Alder FC beat Riverton 3-1; the final is on 12 December."
    )
    league = story.story_text("At Kingsbay", "Port Alder FC lost 2-0, a fourth defeat in 6.")
    assert story.similarity(cup, league, stats).facts_differ
    again = story.story_text(
        "Riverton beaten", "Port Alder won 3-1 and play the final on 12 December."
    )
    assert not story.similarity(cup, again, stats).facts_differ
    few = story.story_text("A win", "They won 3 times.")
    assert not story.similarity(few, league, stats).facts_differ  # one number says little


def test_two_numbers_alone_are_not_one_story() -> None:
    """A one-line summary ("Story 19 of feed 24") beside a page holding 19 and 24
    somewhere was listed as more on its story; a shared name, or a third anchor, is
    needed."""
    stats = story.TermStats(10, {})
    brief = story.story_text("Feed 24, story 19", "Story 19 of feed 24, in brief.")
    page = story.story_text("Tickets for 24 July", "Doors open at 19 hours in Kingsbay.")
    found = story.similarity(brief, page, stats)
    assert found.shared_anchors == 2 and found.score >= story.THRESHOLD
    assert not found.same_story
    named = story.story_text("Kingsbay, 24 July", "Ingrid reaches Kingsbay at 19 hours.")
    assert story.similarity(named, page, stats).same_story


@pytest.mark.parametrize(
    ("days", "factor"),
    [(0.0, 1.0), (1.0, 1.0), (-1.0, 1.0), (4.0, 0.75), (-4.0, 0.75), (7.0, 0.5), (30.0, 0.5)],
)
def test_reports_days_apart_must_share_more(days: float, factor: float) -> None:
    assert story.time_factor(days) == pytest.approx(factor)


def test_the_query_asks_for_rare_terms_only() -> None:
    stats = story.TermStats(1000, {"the": 990, "port": 30, "ingrid": 1}, population=100_000)
    text = story.story_text("Ingrid reaches the port", "東京都 the Ingrid")
    terms = story.query_terms(text, stats)
    assert "ingrid" in terms and "reaches" in terms
    assert "the" not in terms  # in 99,000 entries: a list too long to read, saying nothing
    assert "port" not in terms  # 3,000: over QUERY_MATCHES
    assert not any(story._CJK_RE.search(term) for term in terms)
    assert story.fts_any(["3200", "ingrid", "007", "2026"]) == (
        '"3200" OR "3 200" OR "ingrid" OR "007" OR "2026" OR "2 026"'
    )


# --- the stories site -----------------------------------------------------------------


@pytest.fixture
def stories_site() -> Iterator[SiteServer]:
    with SiteServer(STORIES) as server:
        yield server


@pytest.fixture
async def stories(reader: Reader, stories_site: SiteServer) -> AsyncIterator[Reader]:
    """Subscribed to every outlet of the site, refreshed: the wire's copies arrive after
    the outlets' originals, as in life (refreshed together, which copy is stored first,
    and so listed, would depend on which feed answered first)."""
    urls = {name: stories_site.url(path) for name, path in LABELS["feeds"].items()}
    reader.add_feeds((url, None, None) for url in urls.values())
    await reader.refresh([url for name, url in urls.items() if name != "wire"], force=True)
    await reader.refresh([urls["wire"]], force=True)
    yield reader
    await reader.aclose()


def story_of(url: str | None) -> str:
    return str(LABELS["pages"].get(urlsplit(url or "").path, "?"))


def every_entry(reader: Reader) -> list[Entry]:
    return [e for feed in reader.feeds() for e in reader.entries(EntryFilter(feed.id), 100)]


async def read_every_page(reader: Reader) -> dict[int, Article]:
    return {e.id: await reader.get_article(e.url) for e in every_entry(reader) if e.url}


def judge(reader: Reader, articles: dict[int, Article]) -> tuple[int, int, int, list[str]]:
    """(right, listed, wanted) over every entry's list, and each wrong one."""
    entries = every_entry(reader)
    listed_ids = {e.id for e in reader.entries(EntryFilter(), 1000)}
    right = listed = wanted = 0
    wrong = []
    for entry in entries:
        copies = {e.id for e in entries if e.url == entry.url or e.guid == entry.guid}
        truth = {
            e.id
            for e in entries
            if e.id in listed_ids and e.feed_id != entry.feed_id and e.id not in copies
            and story_of(e.url) == story_of(entry.url)
        }  # fmt: skip
        more = reader.more_on_story(articles.get(entry.id), entry)
        right += sum(link.entry_id in truth for link in more)
        listed += len(more)
        wanted += min(len(truth), 5)
        wrong += [f"{entry.title} -> {link.title}" for link in more if link.entry_id not in truth]
    return right, listed, wanted, wrong


async def test_the_feeds_text_alone_lists_no_wrong_story(stories: Reader) -> None:
    right, _, wanted, wrong = judge(stories, {})
    assert wrong == []
    assert right / wanted >= 0.45  # the summaries say little: bench/story.py has the figure


async def test_with_the_pages_read_the_same_stories_are_found(stories: Reader) -> None:
    right, _, wanted, wrong = judge(stories, await read_every_page(stories))
    assert wrong == []
    assert right / wanted >= 0.9


async def test_the_same_story_from_other_outlets_and_languages(stories: Reader) -> None:
    articles = await read_every_page(stories)
    [ingrid] = [e for e in stories.entries() if e.title and e.title.startswith("Storm Ingrid")]
    more = stories.more_on_story(articles[ingrid.id], ingrid)
    assert {(link.feed, story_of(link.url)) for link in more} == {
        ("Harbour Herald", "ingrid"), ("Küstenbote", "ingrid"), ("Le Phare", "ingrid"),
    }  # fmt: skip
    # not Storm Bram (five days before, the same town), nor the wire's copy of this one
    assert all(link.score >= story.THRESHOLD for link in more)
    [phare] = [link for link in more if link.feed == "Le Phare"]
    assert phare.to_dict() == {
        "title": "Tempête Ingrid : 3 200 foyers privés d'électricité à Port Alder",
        "url": phare.url,
        "feed": "Le Phare",
        "published": "2026-11-27T10:30:00+00:00",
    }


async def test_no_near_miss_is_listed(stories: Reader) -> None:
    articles = await read_every_page(stories)
    misses = {frozenset(pair) for pair in LABELS["near_misses"]}
    for entry in every_entry(stories):
        for link in stories.more_on_story(articles.get(entry.id), entry):
            pair = frozenset((story_of(entry.url), story_of(link.url)))
            assert pair not in misses, (entry.title, link.title)


async def test_a_copy_is_not_more_on_its_own_story(stories: Reader) -> None:
    wire = next(f for f in stories.feeds() if f.title == "Wire Digest")
    copies = [e for e in stories.entries(EntryFilter(wire.id)) if story_of(e.url) == "ingrid"]
    [copy] = copies
    more = stories.more_on_story(None, copy)
    assert more and all(link.url != copy.url for link in more)
    assert "Coastline Courier" not in {link.feed for link in more}


async def test_republished_articles_are_listed_once_with_both_feeds(stories: Reader) -> None:
    listed = stories.entries(EntryFilter(), 100)
    by_story = {}
    for entry in listed:
        by_story.setdefault((story_of(entry.url), entry.title), []).append(entry)
    ingrid = by_story[("ingrid", "Storm Ingrid leaves 3,200 homes in Port Alder without power")]
    bridge = by_story[
        ("bridge", "Harbour Bridge open again after 18 months and €42 million of repairs")
    ]
    assert [(e.feed_title, e.also_in) for e in ingrid] == [("Coastline Courier", ("Wire Digest",))]
    assert [(e.feed_title, e.also_in) for e in bridge] == [("Northern Ledger", ("Wire Digest",))]
    total = sum(feed.entry_count for feed in stories.feeds())
    assert len(listed) == stories.count_entries() == total - 2
    # reading the wire's copy reads the original
    wire = next(f for f in stories.feeds() if f.title == "Wire Digest")
    [copy] = [e for e in stories.entries(EntryFilter(wire.id)) if story_of(e.url) == "bridge"]
    stories.mark_read([copy.id])
    assert stories.entry(bridge[0].id).read  # type: ignore[union-attr]


# --- reader read ------------------------------------------------------------------------


async def subscribe_and_read(reader: Reader, site: SiteServer) -> None:
    reader.add_feeds((site.url(path), None, None) for path in LABELS["feeds"].values())
    await reader.refresh(force=True)
    await read_every_page(reader)
    await reader.aclose()


def test_reader_read_lists_more_on_this_story(  # type: ignore[no-untyped-def]
    reader: Reader, stories_site: SiteServer, cli
) -> None:
    asyncio.run(subscribe_and_read(reader, stories_site))
    url = stories_site.url("/courier/storm-ingrid-power-cuts.html")
    data = cli("read", url, "--format", "json").json()
    feeds = [item["feed"] for item in data["more_on_story"]]
    assert sorted(feeds) == ["Harbour Herald", "Küstenbote", "Le Phare"]
    assert all(set(item) == {"title", "url", "feed", "published"} for item in data["more_on_story"])

    text = cli("read", url).out
    lines = text.splitlines()
    start = lines.index("More on this story:")
    numbers = [line.split("]")[0] for line in lines if line.startswith("[")]
    assert numbers == [f"[{n}" for n in range(1, len(numbers) + 1)]  # numbered on
    assert len(lines[start + 1 :]) == 3 and "(Le Phare, 2026-11-27" in text

    markdown = cli("read", url, "--format", "markdown").out
    assert "\n## More on this story\n- [" in markdown and "(Küstenbote, 2026-11-27" in markdown
