"""Reading and moving between articles, as a browser does: a state machine, no Textual.

The reader pane shows one page. Entries open from the lists; links, the history and search
open pages by URL. :class:`Navigator` holds the history (kept across restarts), the page
shown and at most one load in flight, and remembers each visit's scroll position. Each
operation returns a :class:`Step` that the screen carries out (show the page, start or stop
the load, mark entries read, say something). So opening, back, forward, restore and scroll
positions are plain unit tests; the screen only draws.

Two kinds of load:
- **in place**: an entry is shown at once with its feed's content while its page is fetched
  (or a cached copy while it is checked again); the page replaces it when it comes;
- **arrival**: a followed link or a visit of the history keeps the current page on screen
  until the new one is there ("opening ..."); a failure leaves the user where they were.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final, Literal, Protocol

from reader.errors import InvalidURLError, NotAnArticleError
from reader.history import History, Visit
from reader.sanitize import clean_line
from reader.urls import check_web_url

if TYPE_CHECKING:
    from reader.clock import Clock
    from reader.models import Article, Entry, SavedArticle

STALE_AFTER: Final = 86400.0
"""A cached page older than this (seconds) is checked again when it is opened."""

Severity = Literal["information", "warning", "error"]
CacheUse = Literal["use", "skip", "revalidate"]


class Library(Protocol):
    """What navigation reads from the store (``core.Reader`` is one)."""

    @property
    def clock(self) -> Clock: ...

    def ready_article(self, url: str, entry: Entry | None = None) -> Article | None: ...
    def saved_article(self, url: str) -> SavedArticle | None: ...
    def entry(self, entry_id: int) -> Entry | None: ...
    def entry_by_url(self, url: str) -> Entry | None: ...
    def article_from_entry(self, entry: Entry) -> Article: ...
    def article_from_saved(self, saved: SavedArticle) -> Article: ...


@dataclass(frozen=True)
class Page:
    """What the reader pane shows, and where it came from."""

    url: str | None
    article: Article
    entry: Entry | None = None
    """The feed entry it was opened from, if any."""
    saved_id: int | None = None
    """The reading-list item it was opened from, if any."""
    reached_from: str | None = None
    """The article whose link led here."""


@dataclass(frozen=True)
class Load:
    """One page to fetch: the one load in flight (a newer one replaces it)."""

    token: int
    url: str
    fallback: Entry | None = None
    """The entry whose own content stands in when the page can't be had."""
    visit: Visit | None = None
    """Set for an arrival (a link, the history): the visit the page becomes. None: the
    page shown is replaced in place."""
    history_index: int | None = None
    """For an arrival through the history: the visit gone back (or forward) to."""
    scroll: float | None = 0.0
    """Where the reader goes when the page comes; None: where the user is."""
    cache: CacheUse = "use"
    """"use" the cached copy if there is one; "skip" it (fetched again: ``F``); or
    "revalidate" it (a stale copy checked with a conditional GET)."""
    quiet: bool = False
    """A failure is not reported (checking a cached copy again, offline)."""


@dataclass(frozen=True)
class Step:
    """What the screen does after an operation."""

    show: bool = False
    """The page changed: draw ``Navigator.page``."""
    scroll: float | None = 0.0
    """Where to put the reader when showing; None: keep the position."""
    start: Load | None = None
    """Start this load (it stops any other)."""
    stop: bool = False
    """Stop the load in flight (nothing replaces it)."""
    read: tuple[Entry, ...] = ()
    """Entries to mark read: opening is reading, whichever way."""
    reveal: Entry | None = None
    """Put the entry list's cursor on this entry, when the list shows it."""
    to_article: bool = False
    """Bring the reader pane forward (a page arrived by a link or the history)."""
    history_changed: bool = False
    """Save the history."""
    message: str | None = None
    severity: Severity = "information"


class Navigator:
    """The history, the page shown and the one load in flight."""

    def __init__(self, library: Library, history: History | None = None) -> None:
        self.library = library
        self.history = history if history is not None else History()
        self.page: Page | None = None
        self.load: Load | None = None
        self._tokens = itertools.count(1)

    # --- what the screen reads ----------------------------------------------------------

    @property
    def loading(self) -> bool:
        """The page shown stands in (the feed's content) while its own page is fetched."""
        return self.load is not None and self.load.visit is None and not self.load.quiet

    @property
    def pending_url(self) -> str | None:
        """The page being opened while the current one stays on screen."""
        return self.load.url if self.load is not None and self.load.visit is not None else None

    # --- opening -----------------------------------------------------------------------

    def open_entry(
        self, entry: Entry, *, scroll_now: float | None, scroll: float = 0.0, visit: bool = True
    ) -> Step:
        """Show ``entry``: its cached page at once, else its feed's content while the page
        is fetched. ``scroll_now`` is where the reader is (kept for the page left)."""
        stop = self._leave(scroll_now)
        history_changed = False
        if visit:
            self.history.visit(
                Visit(entry.url or f"entry:{entry.id}", clean_line(entry.title or ""),
                      entry_id=entry.id)
            )  # fmt: skip
            history_changed = True
        cached = self.library.ready_article(entry.url, entry) if entry.url else None
        if cached is not None and entry.url:
            self.page = Page(entry.url, cached, entry=entry)
            self.load = self._revalidation(entry.url, cached, entry)
        else:
            self.page = Page(entry.url, self.library.article_from_entry(entry), entry=entry)
            if entry.url:
                # the user may scroll the feed's content meanwhile: the page keeps that
                # place, unless a place was asked for (a restart, the history)
                self.load = Load(next(self._tokens), entry.url, fallback=entry,
                                 scroll=scroll or None)  # fmt: skip
        return Step(
            show=True,
            scroll=scroll,
            start=self.load,
            stop=stop and self.load is None,
            read=() if entry.read else (entry,),
            history_changed=history_changed,
        )

    def open_saved(
        self, saved: SavedArticle, *, scroll_now: float | None, scroll: float = 0.0
    ) -> Step:
        """Show an article of the reading list, as it was saved (offline)."""
        stop = self._leave(scroll_now)
        self.history.visit(
            Visit(saved.url, clean_line(saved.title), reached_from=saved.reached_from)
        )
        self.page = Page(saved.url, self.library.article_from_saved(saved), saved_id=saved.id,
                         reached_from=saved.reached_from)  # fmt: skip
        return Step(show=True, scroll=scroll, stop=stop, history_changed=True)

    def open_url(self, url: str, *, scroll_now: float | None) -> Step:
        """Follow a link: at once when the page is cached or saved, else fetched while the
        current page stays on screen. Only http and https links are followed."""
        try:
            url = check_web_url(url)
        except InvalidURLError:
            return Step(message=refused_link_text(url), severity="warning")
        reached_from = (self.page.article.url or self.page.url) if self.page else None
        visit = Visit(url, reached_from=reached_from)
        return self._open_visit(visit, None, scroll_now, scroll=0.0)

    def refetch(self) -> Step:
        """Fetch the page shown again, past the cache (the new copy replaces it, and the
        cached one); the reader stays where it is meanwhile."""
        page = self.page
        if page is None or page.url is None:
            return Step(message="No page to fetch again", severity="warning")
        fallback = page.entry or self.library.entry_by_url(page.url)
        self.load = Load(next(self._tokens), page.url, fallback=fallback, scroll=None,
                         cache="skip")  # fmt: skip
        return Step(start=self.load)

    # --- the history -------------------------------------------------------------------

    def back(self, *, scroll_now: float | None) -> Step:
        if not self.history.can_go_back:
            return Step(message="No earlier article")
        return self.go_to(self.history.index - 1, scroll_now=scroll_now)

    def forward(self, *, scroll_now: float | None) -> Step:
        if not self.history.can_go_forward:
            return Step(message="No later article")
        return self.go_to(self.history.index + 1, scroll_now=scroll_now)

    def go_to(self, index: int, *, scroll_now: float | None) -> Step:
        """Show visit ``index`` of the history where the user left it."""
        if not 0 <= index < len(self.history.visits):
            return Step()
        visit = self.history.visits[index]
        entry = self.library.entry(visit.entry_id) if visit.entry_id is not None else None
        if entry is not None:
            self._leave(scroll_now)
            self.history.go_to(index)
            step = self.open_entry(entry, scroll_now=None, scroll=visit.scroll, visit=False)
            return replace(step, reveal=entry, history_changed=True)
        return self._open_visit(visit, index, scroll_now, scroll=visit.scroll)

    def restore(self, entry: Entry | None, scroll: float) -> Step:
        """At start: reopen the last page read. ``entry`` is the entry the lists had open
        (with its ``scroll``); the history's current visit wins when it is another page
        (one reached by a link or the history)."""
        visit = self.history.current
        if visit is not None and not (entry is not None and visit.entry_id == entry.id):
            return replace(self.go_to(self.history.index, scroll_now=None), to_article=False)
        if entry is not None:
            return self.open_entry(entry, scroll_now=None, scroll=scroll)
        return Step()

    # --- a load's end ------------------------------------------------------------------

    def arrived(self, token: int, article: Article, *, scroll_now: float | None) -> Step:
        """The load ``token`` got its page (ignored when the user has moved on)."""
        load = self.load
        if load is None or load.token != token:
            return Step()
        self.load = None
        if load.visit is None:  # in place: the stand-in (or stale copy) is replaced
            if self.page is None:
                return Step()
            self.page = replace(self.page, article=article)
            return Step(show=True, scroll=load.scroll)
        return self._arrive(load, article, scroll_now)

    def failed(self, token: int, message: str) -> Step:
        """The load ``token`` failed: the user stays where they are."""
        load = self.load
        if load is None or load.token != token:
            return Step()
        self.load = None
        # a link that failed had stopped the page shown from loading: carry on with it
        self.load = self._resumed_load() if load.visit is not None else None
        page = self.page
        if load.cache == "revalidate" and page is not None and page.url == load.url:
            # the copy shown could not be checked: the network (or the site) is away
            return Step(message=offline_copy_text(page.article), severity="information")
        if load.quiet:
            return Step()
        return Step(start=self.load, message=message, severity="warning")

    # --- inside ------------------------------------------------------------------------

    def _leave(self, scroll_now: float | None) -> bool:
        """Before another page: keep this one's place; drop the load in flight (True if
        there was one)."""
        if self.page is not None and scroll_now is not None:
            self.history.remember_scroll(scroll_now)
        had_load, self.load = self.load is not None, None
        return had_load

    def _resumed_load(self) -> Load | None:
        """The load of the page shown, when it still stands in for its own page."""
        page = self.page
        if page is None or page.entry is None or not page.url or page.article.source != "feed":
            return None
        return Load(next(self._tokens), page.url, fallback=page.entry, scroll=None)

    def _open_visit(
        self, visit: Visit, index: int | None, scroll_now: float | None, scroll: float
    ) -> Step:
        """Open the page of ``visit`` (a new one when ``index`` is None): at once when
        cached or saved, else fetched while the current page stays."""
        had_load = self.load is not None
        entry = self.library.entry_by_url(visit.url)
        article = self.library.ready_article(visit.url, entry)
        if article is None:
            saved = self.library.saved_article(visit.url)
            if saved is not None:
                article = self.library.article_from_saved(saved)
        load = Load(next(self._tokens), visit.url, fallback=entry, visit=visit,
                    history_index=index, scroll=scroll)  # fmt: skip
        if article is not None:
            self.load = None
            step = self._arrive(load, article, scroll_now)
            self.load = self._revalidation(visit.url, article, entry)
            return replace(step, start=self.load, stop=had_load and self.load is None)
        self.load = load
        return Step(start=load)

    def _arrive(self, load: Load, article: Article, scroll_now: float | None) -> Step:
        assert load.visit is not None
        if self.page is not None and scroll_now is not None:
            self.history.remember_scroll(scroll_now)
        title = clean_line(article.title)
        if load.history_index is None:
            self.history.visit(replace(load.visit, title=title, scroll=0.0))
        else:
            self.history.go_to(load.history_index)
        self.page = Page(load.url, article, reached_from=load.visit.reached_from)
        entry = load.fallback
        return Step(
            show=True,
            scroll=load.scroll or 0.0,
            read=(entry,) if entry is not None and not entry.read else (),
            to_article=True,
            history_changed=True,
        )

    def _revalidation(self, url: str, cached: Article, entry: Entry | None) -> Load | None:
        """A quiet check of a cached copy older than a day (a conditional GET when the
        server gave validators); None when the copy is fresh or saved for good."""
        if cached.source != "page" or self.library.clock() - cached.fetched_at < STALE_AFTER:
            return None
        return Load(next(self._tokens), url, fallback=entry, scroll=None, cache="revalidate",
                    quiet=True)  # fmt: skip


# --- what the user is told ------------------------------------------------------------


def offline_copy_text(article: Article) -> str:
    """What the reader says of a cached page it could not check again."""
    from reader.render import local_datetime

    return f"offline copy from {local_datetime(article.fetched_at)}"


def refused_link_text(url: str) -> str:
    """Why a link is not followed (only http and https pages open in reader)."""
    scheme = url.split(":", 1)[0] if ":" in url else ""
    kind = f"a {scheme}: link" if scheme and len(scheme) < 20 else "not a web link"
    return (
        f"Not followed: {clean_line(url)[:200]} is {clean_line(kind)}; "
        "reader opens only http and https links (O: the browser)"
    )


def load_failure_text(url: str, error: Exception) -> str:
    """A failed load, in a sentence fit for a notification."""
    if isinstance(error, NotAnArticleError):
        from reader.article import describe_content_type

        kind = describe_content_type(error.content_type)
        return (f"Not opened: {clean_line(url)} is {kind}, not a web page "
                "(O opens the highlighted link in the browser)")  # fmt: skip
    return clean_line(str(error)) or f"could not open {clean_line(url)}"
