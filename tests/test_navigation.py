"""The reading state machine without a screen: opening, loads, back, forward, restore, scroll."""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.clock import Clock
from reader.history import History, Visit
from reader.models import Article, Entry, SavedArticle
from reader.navigation import STALE_AFTER, Navigator, offline_copy_text
from tests.conftest import FROZEN_NOW, FrozenClock

SITE = "https://news.example"


def page(name: str, fetched_at: float = FROZEN_NOW, source: str = "page") -> Article:
    return Article(url=f"{SITE}/{name}", title=name.title(), source=source,  # type: ignore[arg-type]
                   fetched_at=fetched_at)  # fmt: skip


def entry(entry_id: int, name: str, read: bool = False) -> Entry:
    return Entry(id=entry_id, feed_id=1, guid=name, url=f"{SITE}/{name}", title=name.title(),
                 read=read)  # fmt: skip


@dataclass
class Library:
    """A store of cached pages, saved articles and entries, in memory."""

    clock: Clock = field(default_factory=FrozenClock)
    cached: dict[str, Article] = field(default_factory=dict)
    saved: dict[str, SavedArticle] = field(default_factory=dict)
    entries: dict[int, Entry] = field(default_factory=dict)

    def cached_article(self, url: str) -> Article | None:
        return self.cached.get(url)

    def ready_article(self, url: str, entry: Entry | None = None) -> Article | None:
        return self.cached.get(url)

    def saved_article(self, url: str) -> SavedArticle | None:
        return self.saved.get(url)

    def entry(self, entry_id: int) -> Entry | None:
        return self.entries.get(entry_id)

    def entry_by_url(self, url: str) -> Entry | None:
        return next((e for e in self.entries.values() if e.url == url), None)

    def article_from_entry(self, entry: Entry) -> Article:
        return Article(url=entry.url or "", title=entry.title or "", source="feed")

    def article_from_saved(self, saved: SavedArticle) -> Article:
        return Article(url=saved.url, title=saved.title)


def test_an_entry_shows_its_feed_content_then_its_page_in_place() -> None:
    library = Library(entries={1: entry(1, "storm")})
    nav = Navigator(library)
    step = nav.open_entry(library.entries[1], scroll_now=None)
    assert step.show and nav.page is not None and nav.page.article.source == "feed"
    assert step.read == (library.entries[1],)  # opening is reading
    assert step.start is not None and step.start.visit is None  # in place
    assert nav.loading and nav.pending_url is None
    arrived = nav.arrived(step.start.token, page("storm"), scroll_now=40)
    # the user may have scrolled the stand-in: the page keeps that place
    assert arrived.show and arrived.scroll is None
    assert nav.page.article.source == "page" and not nav.loading
    assert nav.history.current == Visit(f"{SITE}/storm", "Storm", entry_id=1)


def test_a_cached_entry_opens_at_once_and_a_stale_copy_is_checked_quietly() -> None:
    library = Library(entries={1: entry(1, "fresh"), 2: entry(2, "stale")})
    library.cached[f"{SITE}/fresh"] = page("fresh")
    library.cached[f"{SITE}/stale"] = page("stale", fetched_at=FROZEN_NOW - STALE_AFTER - 1)
    nav = Navigator(library)
    fresh = nav.open_entry(library.entries[1], scroll_now=None)
    assert fresh.show and fresh.start is None and nav.page is not None
    assert nav.page.article.source == "page"
    stale = nav.open_entry(library.entries[2], scroll_now=0)
    assert stale.start is not None and stale.start.cache == "revalidate" and stale.start.quiet
    assert not nav.loading  # the copy is shown as it is meanwhile
    # offline: the copy stays, and says how old it is
    told = nav.failed(stale.start.token, "offline")
    assert told.message == offline_copy_text(library.cached[f"{SITE}/stale"])
    assert told.message.startswith("offline copy from ") and told.severity == "information"
    assert nav.page.article is library.cached[f"{SITE}/stale"]


def test_the_demo_walk_comes_back_where_each_page_was_left() -> None:
    # open "Harbour bridge", G, follow link 1 ("Winter ferry"), follow link 3, then h:
    # "Winter ferry" was never scrolled and comes back at its top
    library = Library(entries={1: entry(1, "harbour")})
    nav = Navigator(library)
    first = nav.open_entry(library.entries[1], scroll_now=None)
    assert first.start is not None
    nav.arrived(first.start.token, page("harbour"), scroll_now=0)
    to_ferry = nav.open_url(f"{SITE}/ferry", scroll_now=480)  # at the bottom of harbour
    assert to_ferry.start is not None and nav.pending_url == f"{SITE}/ferry"
    assert nav.page is not None and nav.page.url == f"{SITE}/harbour"  # stays meanwhile
    at_ferry = nav.arrived(to_ferry.start.token, page("ferry"), scroll_now=480)
    assert at_ferry.show and at_ferry.scroll == 0 and at_ferry.to_article
    library.cached[f"{SITE}/ferry"] = page("ferry")
    to_third = nav.open_url(f"{SITE}/third", scroll_now=0)
    assert to_third.start is not None
    nav.arrived(to_third.start.token, page("third"), scroll_now=0)
    assert [v.scroll for v in nav.history.visits] == [480, 0, 0]

    back = nav.back(scroll_now=120)  # ferry is cached: at once
    assert back.show and back.scroll == 0 and nav.page.url == f"{SITE}/ferry"
    back_again = nav.back(scroll_now=0)
    assert back_again.reveal == library.entries[1] and back_again.scroll == 480
    assert [v.scroll for v in nav.history.visits] == [480, 0, 120]
    forward = nav.forward(scroll_now=480)
    assert forward.scroll == 0 and nav.history.index == 1


def test_a_failed_link_leaves_the_user_where_they_were() -> None:
    library = Library(entries={1: entry(1, "storm")})
    nav = Navigator(library)
    opened = nav.open_entry(library.entries[1], scroll_now=None)
    assert opened.start is not None
    follow = nav.open_url(f"{SITE}/broken.pdf", scroll_now=30)
    assert follow.start is not None
    assert not nav.loading  # the stand-in's own load gave way to the link's
    failed = nav.failed(follow.start.token, "Not opened: a PDF")
    assert failed.message == "Not opened: a PDF" and not failed.show
    assert nav.page is not None and nav.page.url == f"{SITE}/storm"
    assert len(nav.history.visits) == 1 and nav.history.current is not None
    assert nav.history.current.scroll == 0  # nothing was left: no place recorded
    # the page shown still stood in for its own: its load starts again
    assert failed.start is not None and failed.start.url == f"{SITE}/storm" and nav.loading
    # the old tokens are spent
    assert nav.arrived(opened.start.token, page("storm"), scroll_now=0) == type(failed)()


def test_a_link_that_is_an_entry_is_read_once_opened() -> None:
    library = Library(entries={1: entry(1, "storm"), 2: entry(2, "ferry")})
    library.cached[f"{SITE}/storm"] = page("storm")
    nav = Navigator(library)
    nav.open_entry(library.entries[1], scroll_now=None)
    follow = nav.open_url(f"{SITE}/ferry", scroll_now=0)
    assert follow.start is not None and follow.start.fallback == library.entries[2]
    arrived = nav.arrived(follow.start.token, page("ferry"), scroll_now=0)
    assert arrived.read == (library.entries[2],)


def test_only_web_links_are_followed() -> None:
    nav = Navigator(Library())
    step = nav.open_url("mailto:desk@news.example", scroll_now=0)
    assert step.message is not None and "a mailto: link" in step.message
    assert (step.show, step.start, nav.history.visits) == (False, None, [])


def test_back_and_forward_at_the_ends_say_so() -> None:
    nav = Navigator(Library())
    assert nav.back(scroll_now=0).message == "No earlier article"
    assert nav.forward(scroll_now=0).message == "No later article"


def test_restore_reopens_a_page_reached_by_a_link() -> None:
    library = Library(entries={1: entry(1, "storm")})
    library.cached[f"{SITE}/ferry"] = page("ferry")
    history = History([Visit(f"{SITE}/storm", entry_id=1), Visit(f"{SITE}/ferry", scroll=90)], 1)
    nav = Navigator(library, history)
    step = nav.restore(library.entries[1], scroll=12)
    assert step.show and step.scroll == 90 and not step.to_article
    assert nav.page is not None and nav.page.url == f"{SITE}/ferry"


def test_restore_reopens_the_entry_at_its_place() -> None:
    library = Library(entries={1: entry(1, "storm", read=True)})
    history = History([Visit(f"{SITE}/storm", entry_id=1)], 0)
    nav = Navigator(library, history)
    step = nav.restore(library.entries[1], scroll=12)
    assert step.show and step.scroll == 12
    # the page, when it comes, goes to the same place (the stand-in was shorter)
    assert step.start is not None and step.start.scroll == 12
    assert len(nav.history.visits) == 1


def test_fetch_again_replaces_the_page_in_place() -> None:
    library = Library(entries={1: entry(1, "storm")})
    library.cached[f"{SITE}/storm"] = page("storm")
    nav = Navigator(library)
    nav.open_entry(library.entries[1], scroll_now=None)
    step = nav.refetch()
    assert step.start is not None and step.start.cache == "skip" and not step.start.quiet
    assert nav.loading
    newer = nav.arrived(step.start.token, page("storm", fetched_at=FROZEN_NOW + 5), scroll_now=3)
    assert newer.show and newer.scroll is None
    assert nav.page is not None and nav.page.article.fetched_at == FROZEN_NOW + 5


def test_a_saved_article_opens_as_saved() -> None:
    library = Library()
    saved = SavedArticle(7, f"{SITE}/kept", "Kept", None, FROZEN_NOW, "text",
                         reached_from=f"{SITE}/storm")  # fmt: skip
    nav = Navigator(library)
    step = nav.open_saved(saved, scroll_now=None)
    assert step.show and nav.page is not None and nav.page.saved_id == 7
    assert nav.history.current == Visit(f"{SITE}/kept", "Kept", reached_from=f"{SITE}/storm")
