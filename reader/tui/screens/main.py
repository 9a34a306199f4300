"""The main screen: feeds, entries and the reader side by side (one at a time when narrow).

The screen routes and lays out; it holds little state of its own. Keys and widget messages
become calls on the core (``Reader``) and on the reading state machine
(``reader.navigation.Navigator``), whose ``Step`` it carries out; workers call the core and
post messages; only the handlers here change widgets.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import get_current_worker

from reader.core import HISTORY_STATE
from reader.errors import ReaderError
from reader.models import (
    Article,
    Entry,
    EntryFilter,
    Feed,
    SavedArticle,
    SearchHit,
    StoryLink,
)
from reader.navigation import Load, Navigator, Page, Step, load_failure_text
from reader.sanitize import clean_line
from reader.tui import notices
from reader.tui.actions import bindings
from reader.tui.format import clock_time
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.entry_list import (
    PAGE_SIZE,
    EntryList,
    EntrySource,
    RowSource,
    SavedSource,
)
from reader.tui.widgets.feed_list import FeedList, FeedRow
from reader.tui.widgets.key_footer import KeyFooter
from reader.tui.widgets.status_bar import Progress, StatusBar

if TYPE_CHECKING:
    # the dialogs are imported when opened, not at start (~6 ms of imports)
    from reader.core import Reader
    from reader.history import History
    from reader.models import (
        PrefetchProgress,
        RefreshProgress,
        RefreshReport,
        SyncProgress,
        SyncReport,
    )
    from reader.tui.screens.add_feed import NewFeed
    from reader.tui.screens.feed_settings import FeedSettings

Pane = Literal["feeds", "entries", "article"]
PANES: tuple[Pane, ...] = ("feeds", "entries", "article")
NARROW_BELOW = 100
"""Below this many columns, one pane at a time."""
FEEDS_SHARE, FEEDS_MIN, FEEDS_MAX = 0.2, 20, 30
"""The feeds pane's width beside an article: a fifth of the screen, 20 to 30 columns."""
BROWSING_SHARE, BROWSING_MIN, BROWSING_MAX = 0.25, 24, 36
"""Its width while feeds are browsed: enough to tell "Feed 0" from "Feed 1"."""
ENTRIES_MIN = 40
"""The entries pane never gets narrower than this beside an article."""
ARTICLE_MAX = 104
"""The reader pane's widest: 100 columns of text, its border and margins."""
ARTICLE_BESIDE_FEEDS = 74
"""Below this width for the reader, the feeds pane makes way while an entry is read."""
UI_BUSY_TIMEOUT = 0.5
"""Seconds the screen's own writes wait for a store locked by another program."""
IDS_DELAY = 0.4
"""Seconds on a long list before its full id list is loaded in the background."""
COUNTS_DELAY = 0.3
"""Seconds between unread-count updates while a refresh runs."""
MORE_AHEAD_DELAY = 0.15
"""Seconds the entry cursor rests on a row before its "more on this story" is found
ahead, so that the list opens with the article instead of a frame or two after it."""
MORE_KEPT = 64
"""Lists of "more on this story" kept for the articles of the rows passed over."""
STORY_WARM_DELAY = 2.0
"""Seconds after start before term rarity is measured for "more on this story" (a few
hundred ms in a thread), so the first article opened gets its list as fast as the next."""

STATE_SELECTION = "tui.selection"
STATE_ENTRY = "tui.entry"
STATE_SCROLL = "tui.scroll"

WELCOME = """\
Welcome to reader.

You have no feeds yet. To add one:

  • press  a  and type the address of a feed or of a site;
  • or, in a shell:  reader add https://example.com/feed.xml
  • or import a list:  reader import subscriptions.opml

Then  R  refreshes, Enter opens, and  ?  lists every key.
Try  reader --demo  for a small news site that needs no network.
"""
NOTHING_OPEN = "Choose an entry to read it here."


def pane_widths(width: int, pane: Pane) -> tuple[int | None, int]:
    """The feeds pane's width (None: hidden) and the reader's, side by side at ``width``
    columns; the entries take the rest. While the feeds are browsed all three share the
    screen; while entries are read the reader gets room for 70 to 100 columns of text,
    and the feeds pane makes way when both would not fit."""
    if pane == "feeds":
        feeds = max(BROWSING_MIN, min(BROWSING_MAX, round(width * BROWSING_SHARE)))
        return feeds, min(ARTICLE_MAX - 10, int((width - feeds) * 0.45))
    feeds = max(FEEDS_MIN, min(FEEDS_MAX, round(width * FEEDS_SHARE)))
    beside_feeds = width - feeds - ENTRIES_MIN
    if beside_feeds >= ARTICLE_BESIDE_FEEDS:
        return feeds, min(ARTICLE_MAX, beside_feeds)
    return None, min(ARTICLE_MAX, width - ENTRIES_MIN)


def _more_key(article: Article, entry: Entry | None) -> tuple[int | None, str, str]:
    """Which article a "more on this story" list is for: the entry, the page's URL and
    whether the text is the page's or the feed's (its list differs)."""
    return (entry.id if entry is not None else None, article.url, article.source)


@dataclass(frozen=True)
class _PendingRestore:
    """The page open when the app last closed: an entry, or a saved article."""

    entry: Entry | None
    saved: SavedArticle | None
    scroll: float


def _stand_in(entry: Entry) -> Article:
    """What the reader pane shows of ``entry`` until its page is built: the header."""
    return Article(url=entry.url or "", title=entry.title or "", byline=entry.author,
                   site_name=entry.feed_title, source="feed")  # fmt: skip


class MainScreen(Screen[None]):
    """Three panes, a status line and the footer."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("screen")]

    pane: reactive[Pane] = reactive("feeds", init=False)
    """The pane that has the keys (the only one shown when narrow)."""
    narrow: reactive[bool] = reactive(False, init=False)
    """One pane at a time (below NARROW_BELOW columns)."""
    reading_view: reactive[bool] = reactive(False, init=False)
    """The reader alone, full width (``z``)."""

    # --- messages from workers ---------------------------------------------------------

    @dataclass
    class PageLoaded(Message):
        token: int
        article: Article

    @dataclass
    class MoreFound(Message):
        """Other feeds' reports of ``article``'s story (``Reader.more_on_story``)."""

        key: tuple[int | None, str, str]
        article: Article
        more: list[StoryLink]

    @dataclass
    class PageFailed(Message):
        token: int
        message: str

    @dataclass
    class RefreshProgressed(Message):
        progress: Progress
        error: str | None

    @dataclass
    class RefreshFinished(Message):
        report: RefreshReport | None
        error: str | None

    @dataclass
    class ArticlesProgressed(Message):
        """The prefetch after a refresh: ``done`` of ``total`` articles."""

        done: int
        total: int

    @dataclass
    class ArticlesFinished(Message):
        fetched: int
        failed: int
        error: str | None = None

    @dataclass
    class SyncProgressed(Message):
        text: str

    @dataclass
    class SyncFinished(Message):
        report: SyncReport | None
        error: str | None

    @dataclass
    class IdsLoaded(Message):
        source: EntrySource
        ids: list[int]

    @dataclass
    class FeedAdded(Message):
        feed_id: int | None
        title: str
        error: str | None

    @dataclass
    class BrowserFailed(Message):
        message: str

    class WarmedUp(Message):
        """Opening a page no longer waits for imports."""

    # --- building ----------------------------------------------------------------------

    def __init__(self, reader: Reader, *, background_refresh: bool = True) -> None:
        """``background_refresh`` False: no refresh at start nor on a timer (tests)."""
        super().__init__()
        self.reader = reader
        self.background_refresh = background_refresh
        self.clock = reader.clock
        self.navigator = Navigator(reader)
        """The history, the page shown and the load in flight."""
        self.refreshing = False
        self.prefetching = False
        self.syncing = False
        self._counts_due = False
        self._saved_count = 0
        self._selection_key: str | None = None
        self._ids_timer: Timer | None = None
        self._notice_text: str | None = None
        self._opening_shown = False
        self._nav_error_shown = False
        self._nav_info_shown = False
        self._unkept: dict[str, str] = {}
        """UI state waiting to be written (see ``_keep``)."""
        self._unkept_lock = threading.Lock()
        self._more_lists: dict[tuple[int | None, str, str], list[StoryLink]] = {}
        """"More on this story" by article (see ``_more_key``), the latest last."""
        self._ahead_timer: Timer | None = None
        self._restore_pending: _PendingRestore | None = None
        """The page of last time, opened once the first frame is drawn."""
        self._started = False
        """The first frame is drawn (``first_frame_drawn`` was called)."""
        self._starting = True
        """What start-up leaves for after the page of last time is still to come."""
        self._composed = False
        """The panes exist (``on_mount`` has begun): the layout can be applied."""
        self.feed_list = FeedList(id="feeds")
        self.entry_list = EntryList(id="entries", clock=reader.clock)
        self.feed_notice = Static("", id="feed-notice", markup=False)
        self.article_view = ArticleView(id="article")
        self.status = StatusBar(id="status")

    @property
    def page(self) -> Page | None:
        """What the reader pane shows."""
        return self.navigator.page

    @property
    def history(self) -> History:
        """The history of visits (the navigator's)."""
        return self.navigator.history

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome"):
            yield Static(Text(WELCOME), id="welcome-text")
        with Horizontal(id="panes"):
            yield self.feed_list
            with Vertical(id="entries-pane"):
                yield self.feed_notice
                yield self.entry_list
            yield self.article_view
        yield self.status
        yield KeyFooter()

    def on_mount(self) -> None:
        # this thread draws the screen: it waits at most a moment for a store that another
        # program holds, then says so (five seconds a write froze every key behind it)
        self.reader.set_busy_timeout(UI_BUSY_TIMEOUT)
        self._composed = True
        self.feed_list.border_title = "Feeds"
        self.entry_list.border_title = "Entries"
        self.article_view.border_title = "Article"
        self.set_reactive(MainScreen.narrow, self.app.size.width < NARROW_BELOW)
        self.navigator.history = self.reader.history()
        self.reload_feeds()
        self._restore()
        self._apply_layout()

    def first_frame_drawn(self) -> None:
        """What waits for the first frame (the app calls this when it is drawn), one after
        the other so that none slows the one before (they would share a core, the GIL):
        the page of last time (after the imports it needs), then the full id list of the
        entries shown, the rest of the imports and the refresh at start."""
        if self._started:
            return
        self._started = True
        self._warm_up(self._restore_pending)
        self.set_timer(STORY_WARM_DELAY, self._prepare_more_on_story)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self, pending: _PendingRestore | None) -> None:
        """Import what opening a page needs (extraction: ~0.1 s) in a thread, while the
        user looks at the lists; nothing when the page of last time is stored as it is."""
        try:
            if pending is None or not self._stored(pending):
                self.reader.warm_up(network=False)
        finally:
            self.post_message(self.WarmedUp())

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up_network(self) -> None:
        """The rest of what opening a page needs (httpx: ~50 ms)."""
        self.reader.warm_up()

    def _stored(self, pending: _PendingRestore) -> bool:
        """The page of last time opens from the store as it is (no extraction)."""
        if pending.saved is not None:
            return pending.saved.article is not None
        entry = pending.entry
        current = self.history.current
        if entry is None or (current is not None and current.entry_id != entry.id):
            return False  # a page reached by a link: let the imports come first
        try:
            # what opening shows without the network (a "never" feed's text is built here,
            # its imports in this thread)
            return entry.url is not None and self.reader.ready_article(entry.url, entry) is not None
        except ReaderError:
            return False

    @on(WarmedUp)
    def _warmed_up(self) -> None:
        self.restore_page()
        self.call_after_refresh(self._after_start)

    def _after_start(self) -> None:
        """Once the page of last time is drawn: what start-up left for later."""
        self._starting = False
        source = self.entry_list.source
        if isinstance(source, EntrySource) and source.ids is None and len(source) > PAGE_SIZE:
            self._ids_timer = self.set_timer(IDS_DELAY, partial(self._load_ids, source))
        self._warm_up_network()
        if self.background_refresh:
            self._timed_refresh()
            minutes = self.reader.config.refresh_minutes
            if minutes > 0:
                self.set_interval(minutes * 60, self._timed_refresh)

    def on_unmount(self) -> None:
        try:
            if self.page is not None:
                self.history.remember_scroll(self.article_view.position)
            self._unkept[HISTORY_STATE] = self.history.to_json()
            self.save_state()
        except ReaderError:  # the store may be gone; leaving must still work
            pass

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW_BELOW
        if narrow != self.narrow:
            self.narrow = narrow
        else:
            self._apply_layout()

    # --- layout and panes --------------------------------------------------------------

    def watch_pane(self) -> None:
        self._apply_layout()

    def watch_narrow(self) -> None:
        self._apply_layout()
        self.refresh_bindings()

    def watch_reading_view(self) -> None:
        self._apply_layout()
        self.refresh_bindings()

    def _widget_of(self, pane: Pane) -> Widget:
        return {"feeds": self.feed_list, "entries": self.entry_list,
                "article": self.article_view}[pane]  # fmt: skip

    def pane_box(self, pane: Pane) -> Widget:
        """The widget that takes the pane's place in the row (the entries come with the
        failing feed's notice above them)."""
        return self.query_one("#entries-pane") if pane == "entries" else self._widget_of(pane)

    def _apply_layout(self) -> None:
        """Show the panes the state asks for, at their widths, and focus the current one."""
        # on_mount lays out before the first frame (is_mounted is only true after it:
        # the first frame showed the welcome over all three panes, then a second one fixed it)
        if not self._composed:
            return
        empty = not self.feed_list.feeds and self._saved_count == 0
        self.query_one("#welcome").display = empty
        self.query_one("#panes").display = not empty
        self.set_class(self.narrow, "-narrow")
        reading_alone = self.reading_view and self.pane == "article"
        self.set_class(reading_alone, "-reading")
        widths: dict[Pane, int | str | None]
        if self.narrow or reading_alone:
            widths = {pane: "1fr" if pane == self.pane else None for pane in PANES}
        else:
            feeds, article = pane_widths(self.size.width or self.app.size.width, self.pane)
            widths = {"feeds": feeds, "entries": "1fr", "article": article}
        for pane, width in widths.items():
            if width is not None:
                box = self.pane_box(pane)
                box.styles.width = width
                box.display = True
        if not empty:
            widget = self._widget_of(self.pane)
            if self.focused is not widget:
                self.set_focus(widget)  # now: keys already queued must reach it
        # hidden last: hiding the focused pane first would leave no focus at all (the
        # keys of the reader then went nowhere after opening an entry at 80 columns)
        for pane, width in widths.items():
            if width is None:
                self.pane_box(pane).display = False

    def show_pane(self, pane: Pane) -> None:
        """Give ``pane`` the keys (and the screen, when narrow)."""
        self.pane = pane

    def on_descendant_focus(self, event: object) -> None:
        for pane in PANES:
            if self.focused is self._widget_of(pane):
                self.pane = pane
                break

    def action_next_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self.pane) + 1) % len(PANES)])

    def action_previous_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self.pane) - 1) % len(PANES)])

    def action_back(self) -> None:
        if self.pane == "article":
            self.reading_view = False
            self.show_pane("entries")
        elif self.pane == "entries":
            self.show_pane("feeds")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``z`` is for side-by-side panes: narrow, the reader is full width already."""
        return not (action == "toggle_reading_view" and self.narrow)

    def action_toggle_reading_view(self) -> None:
        """The reader alone across the screen, or the panes again."""
        self.reading_view = not self.reading_view
        if self.reading_view:
            self.show_pane("article")

    def action_page_article(self, direction: int) -> None:
        if self.narrow and self.pane != "article" and self.page is not None:
            # the list has the screen: the article comes back, then pages (laid out first)
            self.show_pane("article")
            self.call_after_refresh(self._page_article, direction)
        else:
            self._page_article(direction)

    def _page_article(self, direction: int) -> None:
        view = self.article_view
        if direction > 0:
            view.action_page_down()
        else:
            view.action_page_up()

    # --- feeds -------------------------------------------------------------------------

    def reload_feeds(self) -> None:
        """Read feeds and counts again (after a refresh, an add or a removal)."""
        self._saved_count = self.reader.saved_count()
        self.feed_list.set_feeds(
            self.reader.feeds(entry_counts=False),
            self._saved_count,
            self._listed_unread(),
            self.reader.folder_repeats(),
        )
        self._show_unread()
        self._show_feed_notice()

    def reload_counts(self) -> None:
        """Read the unread counts again (cheap: while a refresh runs)."""
        self._counts_due = False
        self.feed_list.set_unread_counts(
            self.reader.unread_counts(),
            self._saved_count,
            self._listed_unread(),
            self.reader.folder_repeats(),
        )
        self._show_unread()

    def _listed_unread(self) -> int:
        return self.reader.count_entries(EntryFilter(unread_only=True))

    def _show_unread(self) -> None:
        unread = self.feed_list.unread_total
        self.status.set_info(f"{unread} unread" if self.feed_list.feeds else "")

    def _show_feed_notice(self) -> None:
        """A failing feed's own error (what and when) above its entries."""
        row = self.feed_list.current
        feed = row.feed if row is not None and row.kind == "feed" else None
        text = notices.feed_error(feed, self.clock()) if feed is not None else None
        if text == self._notice_text:
            return  # nothing to draw: a feed switch stays one frame, without a layout
        self._notice_text = text
        self.feed_notice.update(Text(text or ""))
        self.feed_notice.display = text is not None

    def _counts_soon(self) -> None:
        if not self._counts_due:
            self._counts_due = True
            self.set_timer(COUNTS_DELAY, self.reload_counts)

    @on(FeedList.Highlighted, "#feeds")
    def _feed_highlighted(self, event: FeedList.Highlighted) -> None:
        row = self.feed_list.current
        if row is not None:
            self.show_selection(row)
            self.entry_list.flush_repaint()  # the new entries in the cursor's frame

    @on(FeedList.Selected, "#feeds")
    def _feed_selected(self, event: FeedList.Selected) -> None:
        row = self.feed_list.current
        if row is None:
            return
        if self._selection_key != row.key:
            self.show_selection(row)
        self.show_pane("entries")

    def _source_for(self, row: FeedRow) -> RowSource:
        unread_only = self.reader.config.unread_only
        if row.kind == "saved":
            return SavedSource(self.reader)
        if row.kind == "unread":
            return EntrySource(self.reader, EntryFilter(unread_only=True))
        if row.kind == "folder":
            return EntrySource(self.reader, EntryFilter(folder=row.folder, unread_only=unread_only))
        if row.kind == "feed" and row.feed is not None:
            return EntrySource(
                self.reader, EntryFilter(feed_id=row.feed.id, unread_only=unread_only)
            )
        return EntrySource(self.reader, EntryFilter(unread_only=unread_only))

    def show_selection(self, row: FeedRow, *, cursor: int = 0) -> None:
        """List the entries of a feed, a folder, All, Unread or the reading list."""
        self._selection_key = row.key
        source = self._source_for(row)
        self.entry_list.set_source(source, cursor=cursor, show_feed=row.kind != "feed")
        self.entry_list.border_title = Content(f"{row.label} ({len(source)})")
        self._show_feed_notice()
        if self._ids_timer is not None:
            self._ids_timer.stop()
            self._ids_timer = None
        if isinstance(source, EntrySource) and len(source) > PAGE_SIZE and not self._starting:
            # once the user stays on this list: loading 100,000 ids while frames are being
            # drawn would slow them (the GIL), and quick moves through feeds never need them
            # (at start, after the page of last time: ``_after_start``)
            self._ids_timer = self.set_timer(IDS_DELAY, partial(self._load_ids, source))

    @work(thread=True, group="entry-ids", exclusive=True, exit_on_error=False)
    def _load_ids(self, source: EntrySource) -> None:
        """Every id of a long list, on this thread's own connection: the UI never waits."""
        ids = self.reader.entry_ids(source.filter)
        if not get_current_worker().is_cancelled:
            self.post_message(self.IdsLoaded(source, ids))

    @on(IdsLoaded)
    def _ids_loaded(self, event: IdsLoaded) -> None:
        if event.source is self.entry_list.source and event.source.ids is None:
            before = len(event.source)
            event.source.set_ids(event.ids)
            if len(event.source) != before:
                self.entry_list.rows_changed()

    def _reload_entries(self) -> None:
        """Read the current list again, keeping the cursor on the same entry."""
        row = self.feed_list.current
        if row is None:
            return
        current = self.entry_list.current_row
        source = self._source_for(row)
        cursor = self.entry_list.cursor
        if current is not None:
            found = source.index_of(current.key)
            cursor = found if found is not None else cursor
        scroll = self.entry_list.scroll_y
        self._selection_key = row.key
        self.entry_list.set_source(source, cursor=cursor, show_feed=row.kind != "feed")
        self.entry_list.scroll_to(y=scroll, animate=False, immediate=True)
        self.entry_list.border_title = Content(f"{row.label} ({len(source)})")
        self._show_feed_notice()

    # --- reading: every way of opening goes through the navigator ------------------------

    @on(EntryList.Selected, "#entries")
    def _entry_selected(self, event: EntryList.Selected) -> None:
        self.open_entry(event.index)
        if self.narrow or self.reading_view:
            self.show_pane("article")

    def open_entry(self, index: int, *, scroll: float = 0.0) -> None:
        """Open the row at ``index`` of the entries list (an entry or a saved article)."""
        source = self.entry_list.source
        position = self._position()
        if isinstance(source, SavedSource):
            item = source.saved(index)
            if item is not None:
                self.carry_out(self.navigator.open_saved(item, scroll_now=position,
                                                         scroll=scroll))  # fmt: skip
                self._save_place(item.id)
            return
        if isinstance(source, EntrySource):
            entry = source.entry(index)
            if entry is not None and entry.guid:
                self.show_entry(entry, scroll=scroll)

    def show_entry(self, entry: Entry, *, scroll: float = 0.0) -> None:
        """Open ``entry`` in the reader (opening is reading: it is marked read)."""
        self.carry_out(self.navigator.open_entry(entry, scroll_now=self._position(),
                                                 scroll=scroll))  # fmt: skip
        self._save_place(entry.id)

    def follow_link(self, url: str) -> None:
        """Open ``url`` in the reader through the same pipeline, as a new visit."""
        self.carry_out(self.navigator.open_url(url, scroll_now=self._position()))

    def _position(self) -> float | None:
        """Where the reader is in the page shown (None when nothing is shown)."""
        return self.article_view.position if self.page is not None else None

    def carry_out(self, step: Step) -> None:
        """Do what a navigation step asks: draw, load, mark read, tell."""
        self._restore_pending = None  # the user opened a page: the one of last time waits no more
        page = self.navigator.page
        if step.start is not None:
            self._load(step.start)
        elif step.stop:
            self.workers.cancel_group(self, "article")
        if step.show:
            if page is None:
                self.article_view.show_message(NOTHING_OPEN)
            else:
                self.article_view.show(page.article, scroll=step.scroll)
                found = self._more_lists.get(_more_key(page.article, page.entry))
                if found is not None:  # found ahead, as the cursor rested on its row
                    self.article_view.show_more(page.article, found, self.reader.clock())
                else:
                    self._find_more(page.article, page.entry)
        self.article_view.set_fetching(self.navigator.loading)
        self.article_view.set_pending(self.navigator.pending_url)
        pending = self.navigator.pending_url
        if pending is not None:
            self.status.set_info(f"opening {clean_line(pending)[:120]}…")
            self._opening_shown = True
        elif self._opening_shown:
            self._opening_shown = False
            self._show_unread()
        for entry in step.read:
            self._set_read(entry, True)
        if step.reveal is not None:
            self._select_entry_row(step.reveal.id)
        if step.to_article and self.pane != "article":
            self.show_pane("article")
        if step.history_changed:
            self._save_history()
        if step.show and self._nav_error_shown:
            # a page opened: the error of a link that failed before no longer applies
            self._nav_error_shown = False
            self.status.set_error(None)
        if step.show and self._nav_info_shown:
            self._nav_info_shown = False
            self._show_unread()
        if step.message:
            if step.severity != "information":
                self.status.set_error(step.message)
                self._nav_error_shown = True
            else:  # "offline copy from ...": true while this page is shown
                self.status.set_info(step.message)
                self._nav_info_shown = True
            self.notify(clean_line(step.message), severity=step.severity, markup=False,
                        timeout=6 if step.severity != "information" else 4)  # fmt: skip

    @work(group="article", exclusive=True, exit_on_error=False)
    async def _load(self, load: Load) -> None:
        """Fetch one page (a newer load cancels this one); post what came of it."""
        try:
            article = await self.reader.get_article(
                load.url,
                load.fallback,
                use_cache=load.cache == "use",
                revalidate=load.cache == "revalidate",
            )
        except Exception as error:  # a bad page must never take the app down
            self.post_message(self.PageFailed(load.token, load_failure_text(load.url, error)))
        else:
            self.post_message(self.PageLoaded(load.token, article))

    @work(thread=True, group="story", exclusive=True, exit_on_error=False)
    def _find_more(self, article: Article, entry: Entry | None) -> None:
        """Other feeds' reports of the story shown: store and CPU work (tens of ms), so in
        a thread; a newer page cancels the search for this one."""
        try:
            more = self.reader.more_on_story(article, entry)
        except ReaderError:
            return  # a store locked by another program: the list is only missing
        if not get_current_worker().is_cancelled:
            self.post_message(self.MoreFound(_more_key(article, entry), article, more))

    @on(EntryList.Highlighted, "#entries")
    def _entry_highlighted(self, event: EntryList.Highlighted) -> None:
        if self._ahead_timer is not None:
            self._ahead_timer.stop()
        source = self.entry_list.source
        entry = source.entry(event.index) if isinstance(source, EntrySource) else None
        if entry is not None:
            self._ahead_timer = self.set_timer(
                MORE_AHEAD_DELAY, partial(self._find_more_ahead, entry)
            )

    @work(thread=True, group="story-ahead", exclusive=True, exit_on_error=False)
    def _find_more_ahead(self, entry: Entry) -> None:
        """The list for the article the row would open (its cached page, else its feed's
        content), found while the cursor rests on it."""
        try:
            cached = self.reader.ready_article(entry.url, entry) if entry.url else None
            article = cached or self.reader.article_from_entry(entry)
            if _more_key(article, entry) in self._more_lists:
                return
            more = self.reader.more_on_story(article, entry)
        except ReaderError:
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.MoreFound(_more_key(article, entry), article, more))

    @work(thread=True, group="story-warm", exit_on_error=False)
    def _prepare_more_on_story(self) -> None:
        try:
            self.reader.prepare_more_on_story()
        except ReaderError:
            pass  # measured on the first article instead

    @on(MoreFound)
    def _more_found(self, event: MoreFound) -> None:
        lists = self._more_lists
        lists.pop(event.key, None)
        lists[event.key] = event.more
        while len(lists) > MORE_KEPT:
            del lists[next(iter(lists))]
        page = self.page
        if page is not None and _more_key(page.article, page.entry) == event.key:
            self.article_view.show_more(page.article, event.more, self.reader.clock())

    @on(PageLoaded)
    def _page_loaded(self, event: PageLoaded) -> None:
        self.carry_out(self.navigator.arrived(event.token, event.article,
                                              scroll_now=self._position()))  # fmt: skip

    @on(PageFailed)
    def _page_failed(self, event: PageFailed) -> None:
        self.carry_out(self.navigator.failed(event.token, event.message))

    def _save_history(self) -> None:
        """Keep the history for next time (in the background; again on exit)."""
        self._keep({HISTORY_STATE: self.history.to_json()})

    def _keep(self, values: dict[str, str]) -> None:
        """Write UI state (history, where the user is) off the event loop: a store locked
        by another program then costs a missed write, never a frozen screen."""
        with self._unkept_lock:
            self._unkept.update(values)
        self._write_kept()

    @work(thread=True, group="state", exclusive=True, exit_on_error=False)
    def _write_kept(self) -> None:
        with self._unkept_lock:
            values, self._unkept = self._unkept, {}
        try:
            self.reader.set_states(values)
        except ReaderError:
            pass  # saved again on exit; where the user is matters less than what they read

    # --- links, back and forward ---------------------------------------------------------

    @on(ArticleView.PaneWanted)
    def _pane_wanted(self, event: ArticleView.PaneWanted) -> None:
        if event.step > 0:
            self.action_next_pane()
        else:
            self.action_previous_pane()

    @on(ArticleView.LinkChosen)
    def _link_chosen(self, event: ArticleView.LinkChosen) -> None:
        self.follow_link(event.link.url)

    def action_history_back(self) -> None:
        self.carry_out(self.navigator.back(scroll_now=self._position()))

    def action_history_forward(self) -> None:
        self.carry_out(self.navigator.forward(scroll_now=self._position()))

    def go_to_visit(self, index: int) -> None:
        """Show visit ``index`` of the history where the user left it."""
        self.carry_out(self.navigator.go_to(index, scroll_now=self._position()))

    def action_fetch_again(self) -> None:
        step = self.navigator.refetch()
        self.carry_out(step)
        if step.start is not None:
            self.notify("Fetching the page again…", timeout=2)

    def _select_entry_row(self, entry_id: int) -> None:
        """Put the entry list's cursor on ``entry_id`` when the list shows it."""
        source = self.entry_list.source
        if isinstance(source, EntrySource):
            found = source.index_of(entry_id)
            if found is not None:
                self.entry_list.set_cursor(found, announce=False)

    def action_history_list(self) -> None:
        if not self.history.visits:
            self.notify("No history yet", timeout=2)
            return

        def chosen(index: int | None) -> None:
            if index is not None and index != self.history.index:
                self.go_to_visit(index)

        from reader.tui.screens.history_list import HistoryScreen

        self.app.push_screen(HistoryScreen(self.history), chosen)

    def action_link_picker(self) -> None:
        view = self.article_view
        links = view.links
        if not links:
            self.notify("This article has no links", timeout=2)
            return

        def chosen(number: int | None) -> None:
            if number is not None:
                view.highlight(number, reveal=False)
                view.follow(number)

        from reader.tui.screens.links import LinkPickerScreen

        self.app.push_screen(LinkPickerScreen(links, view.link_kinds, view.highlighted), chosen)

    def action_open_link_browser(self) -> None:
        view = self.article_view
        link = view.link(view.highlighted) if view.highlighted is not None else None
        if link is None:
            self.notify("Highlight a link first (Tab, or a number)", timeout=2)
            return
        self._open_page(link.url)

    def action_search(self) -> None:
        def chosen(hit: SearchHit | None) -> None:
            if hit is not None:
                self.open_hit(hit)

        from reader.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.reader), chosen)

    def open_hit(self, hit: SearchHit) -> None:
        """An entry opens as from its list (so does an article a feed links to); any other
        cached article as a followed link."""
        if hit.entry_id is not None:
            entry = self.reader.entry(hit.entry_id)
        else:
            entry = self.reader.entry_by_url(hit.url) if hit.url else None
        if entry is not None:
            self._select_entry_row(entry.id)
            self.show_entry(entry)
            self.show_pane("article")
        elif hit.url:
            self.follow_link(hit.url)

    # --- where the user left off ---------------------------------------------------------

    def _save_place(self, key: int) -> None:
        """Remember the selection and the entry open, for the next start."""
        values = {STATE_ENTRY: str(key)}
        if self._selection_key:
            values[STATE_SELECTION] = self._selection_key
        self._keep(values)

    def save_state(self) -> None:
        """Where the user is, for next time (called when the app closes)."""
        values = dict(self._unkept)
        if self._selection_key:
            values[STATE_SELECTION] = self._selection_key
        row = self.entry_list.current_row
        if self.page is not None and row is not None:
            values[STATE_ENTRY] = str(row.key)
            values[STATE_SCROLL] = str(round(self.article_view.position))
        self.reader.set_states(values)

    def _restore(self) -> None:
        """Back to the selection and the entry of last time, at start; their page comes
        back once the first frame is drawn (``restore_page``): building it can take
        100 ms (the extraction modules, a long article's lines) that the lists need not
        wait for. Meanwhile the reader pane shows the entry's title."""
        key = self.reader.get_state(STATE_SELECTION) or "all"
        if self.feed_list.index_of(key) is None:
            key = "all"
        self.feed_list.select_key(key, announce=False)
        row = self.feed_list.current
        if row is None:
            return
        self.show_selection(row)
        entry_key = self.reader.get_state(STATE_ENTRY)
        source = self.entry_list.source
        entry: Entry | None = None
        saved: SavedArticle | None = None
        scroll_text = self.reader.get_state(STATE_SCROLL) or "0"
        scroll = float(scroll_text) if scroll_text.isdigit() else 0.0
        index = source.index_of(int(entry_key)) if entry_key and entry_key.isdigit() else None
        if index is not None:
            self.entry_list.set_cursor(index, announce=False)
            if isinstance(source, SavedSource):
                item = source.saved(index)
                if item is not None and self.history.current is None:
                    saved = item
            elif isinstance(source, EntrySource):
                entry = source.entry(index)
        if saved is None and entry is None and self.history.current is None:
            return
        self._restore_pending = _PendingRestore(entry, saved, scroll)
        current = self.history.current
        if saved is not None or entry is not None:
            # it opens: the panes as they will be, the title where the page will be
            self.set_reactive(MainScreen.pane, "article" if self.narrow else "entries")
        if entry is not None and (current is None or current.entry_id == entry.id):
            self.article_view.show(_stand_in(entry), scroll=None)
        else:
            self.article_view.show_message("")

    def restore_page(self) -> None:
        """Open the page of last time (see ``_restore``), unless the user opened another
        one already."""
        pending, self._restore_pending = self._restore_pending, None
        if pending is None:
            return
        if pending.saved is not None:
            self.carry_out(self.navigator.open_saved(pending.saved, scroll_now=None,
                                                     scroll=pending.scroll))  # fmt: skip
            return
        step = self.navigator.restore(pending.entry, pending.scroll)
        self.carry_out(step)
        if step.show:
            # side by side the list has the keys and the page shows beside it; one pane at
            # a time, the page itself (it came back behind the list)
            self.pane = "article" if self.narrow else "entries"
        elif self.page is None:
            self.article_view.show_message(NOTHING_OPEN)
            if self.narrow and self.pane == "article":
                self.pane = "feeds"

    # --- moving through unread ---------------------------------------------------------

    def action_next_unread(self) -> None:
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def _jump_unread(self, step: int) -> None:
        entries = self.entry_list
        source = entries.source
        if isinstance(source, EntrySource):
            start = entries.cursor
            row = entries.current_row
            shown = self.page.entry if self.page is not None else None
            opened = shown is not None and row is not None and shown.id == row.key
            if row is not None and row.unread and not opened:
                start -= step  # the highlighted entry is unread and not open yet: it is next
            found = source.next_unread(start, step)
            if found is not None:
                entries.set_cursor(found)
                self.open_entry(found)
                return
        feeds = self.feed_list
        if feeds.current is not None and feeds.current.kind in ("all", "unread"):
            # every feed is listed here: another feed's list would only go round
            where = "below" if step > 0 else "above"
            self.notify(f"No unread entries {where}", timeout=2)
            return
        # none left here: the next (or previous) feed that has unread entries
        count = len(feeds.rows)
        for offset in range(1, count):  # from the next row on, round to the start
            index = (feeds.cursor + step * offset) % count
            candidate = feeds.rows[index]
            if candidate.kind == "feed" and candidate.unread:
                feeds.set_cursor(index, announce=False)
                self.show_selection(candidate)
                new_source = self.entry_list.source
                if isinstance(new_source, EntrySource):
                    first = new_source.next_unread(-1 if step > 0 else len(new_source), step)
                    if first is not None:
                        self.entry_list.set_cursor(first)
                        self.open_entry(first)
                        return
        self.notify("No more unread entries", timeout=2)

    # --- read, save, browser, copy -----------------------------------------------------

    def _current_entry(self) -> Entry | None:
        source = self.entry_list.source
        if isinstance(source, EntrySource):
            return source.entry(self.entry_list.cursor)
        return None

    def action_toggle_read(self) -> None:
        entry = self._current_entry()
        if entry is None or not entry.guid:
            return
        self._set_read(entry, not entry.read)

    def _set_read(self, entry: Entry, read: bool) -> None:
        """Mark one entry read or unread, and draw again only what that changes: its row
        and the counts of its feed (no count query, no whole-list redraw)."""
        try:
            changed = self.reader.mark_read([entry.id], read)
        except ReaderError as error:  # locked by another program: say so, keep reading
            self.notify(clean_line(str(error)), severity="error", markup=False, timeout=8)
            return
        entries = self.entry_list
        entries.source.update(entry.id, read=read)
        top = round(entries.scroll_y)
        entries.redraw_rows(
            index
            for index in range(top, top + entries.size.height)
            if (row := entries.source.row(index)) is not None and row.key == entry.id
        )
        if changed and entry.also_in:  # its copies in other feeds changed too
            self.reload_counts()
        elif changed:
            self.feed_list.add_unread(entry.feed_id, -changed if read else changed)
            self._show_unread()

    def action_mark_feed_read(self) -> None:
        """Mark the selection read: asks first when it holds more than one feed's unread."""
        row = self.feed_list.current
        if row is None or row.kind == "saved":
            self.notify("Highlight a feed, a folder or All to mark it read", timeout=2)
            return
        if row.kind == "feed" and row.feed is not None:
            self._mark_read([row.feed.id])
            return
        feeds = [
            f for f in self.feed_list.feeds
            if f.unread_count and (row.kind != "folder" or f.folder == row.folder)
        ]  # fmt: skip
        if len(feeds) <= 1:
            self._mark_read([f.id for f in feeds])
            return
        unread = row.unread  # as the row counts them: an entry two feeds have, once
        question = notices.mark_read_question(unread, len(feeds), clean_line(row.label))

        def answered(yes: bool | None) -> None:
            if yes:
                self._mark_read([f.id for f in feeds])

        from reader.tui.screens.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question, "This can't be undone."), answered)

    def _mark_read(self, feed_ids: Sequence[int]) -> None:
        changed = sum(self.reader.mark_feed_read(feed_id) for feed_id in feed_ids)
        self.entry_list.source.forget()
        self.entry_list.redraw()
        self.reload_counts()
        self.notify(notices.marked_read(changed), timeout=2)

    def _page_for_keys(self) -> tuple[str | None, Article | None]:
        """The URL and article the keys act on: the page shown, else the highlighted row."""
        row = self.entry_list.current_row
        page = self.page
        if page is not None and (
            self.pane == "article"
            or row is None
            or (page.entry is not None and page.entry.id == row.key)
            or (page.saved_id is not None and page.saved_id == row.key)
        ):
            return page.url, page.article
        entry = self._current_entry()
        if entry is not None and entry.url:
            article = self.reader.ready_article(entry.url, entry) or self.reader.article_from_entry(
                entry
            )
            return entry.url, article
        if isinstance(self.entry_list.source, SavedSource):
            item = self.entry_list.source.saved(self.entry_list.cursor)
            if item is not None:
                return item.url, self.reader.article_from_saved(item)
        return None, None

    def action_toggle_saved(self) -> None:
        url, article = self._page_for_keys()
        if url is None or article is None:
            return
        if self.reader.is_saved(url) or self.reader.is_saved(article.url):
            self.reader.unsave(url)
            if article.url != url:
                self.reader.unsave(article.url)
            saved = False
            self.notify("Removed from the reading list", timeout=2)
        else:
            page = self.page
            reached_from = (
                page.reached_from if page is not None and article is page.article else None
            )
            self.reader.save(article, reached_from=reached_from)
            saved = True
            self.notify("Saved to the reading list", timeout=2)
        self._saved_count = self.reader.saved_count()
        source = self.entry_list.source
        if isinstance(source, SavedSource):
            self._reload_entries()
        else:
            entry = self._current_entry()
            if self.page is not None and self.page.entry is not None:
                source.update(self.page.entry.id, saved=saved)
            if entry is not None:
                source.update(entry.id, saved=saved if entry.url == url else entry.saved)
            self.entry_list.redraw()
        self.reload_counts()

    def action_open_browser(self) -> None:
        url, _ = self._page_for_keys()
        if url:
            self._open_page(url)

    def _open_page(self, url: str) -> None:
        """A terminal browser gets the terminal until it exits; any other is started apart."""
        args = self.reader.terminal_browser_argv(url)
        if args is None:
            self._open_in_browser(url)
            return
        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                problem = self.reader.run_terminal_browser(args)
        except SuspendNotSupported:
            problem = (
                "This terminal cannot be handed over to the browser; set "
                "browser_in_terminal = false and a graphical browser in the config"
            )
        if problem is not None:
            self.notify(clean_line(problem), severity="error", markup=False, timeout=8)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        """Start the browser (watched for a moment: a command that fails says so)."""
        problem = self.reader.open_in_browser(url)
        if problem is not None:
            self.post_message(self.BrowserFailed(problem))
        else:
            self.app.call_from_thread(
                self.notify, f"Opened {clean_line(url)} in the browser", timeout=2, markup=False
            )

    @on(BrowserFailed)
    def _browser_failed(self, event: BrowserFailed) -> None:
        self.notify(clean_line(event.message), severity="error", markup=False, timeout=8)

    def action_copy_url(self) -> None:
        url, _ = self._page_for_keys()
        if url:
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {clean_line(url)}", timeout=2, markup=False)

    # --- refresh -----------------------------------------------------------------------

    def background_interval(self) -> float:
        """Seconds a feed is left alone by the background refresh after it was checked: the
        refresh interval, less a minute so the timed refresh finds its own feeds due."""
        return max(0.0, self.reader.config.refresh_minutes * 60 - 60)

    def _timed_refresh(self) -> None:
        """The refresh at start and every ``refresh_minutes``: only the feeds due (a restart,
        or a second instance, polls none of those checked within the interval)."""
        interval = self.background_interval()
        self.start_sync(background=True)
        if not self.refreshing and self.reader.due_feed_count(interval):
            self.start_refresh(None, force=False, quiet=True, min_interval=interval)

    def action_refresh_feed(self) -> None:
        row = self.feed_list.current
        urls: list[str] | None = None
        if row is not None and row.kind == "feed" and row.feed is not None:
            urls = [row.feed.url]
        elif row is not None and row.kind == "folder":
            urls = [f.url for f in self.feed_list.feeds if f.folder == row.folder]
        self.start_refresh(urls, force=True)

    def action_refresh_all(self) -> None:
        self.start_sync(background=False)
        self.start_refresh(None, force=True)

    def start_refresh(
        self,
        urls: Sequence[str] | None,
        *,
        force: bool,
        quiet: bool = False,
        min_interval: float = 0.0,
    ) -> None:
        """Refresh in the background (``urls``: only those feeds)."""
        if self.refreshing:
            if not quiet:
                self.notify("A refresh is already running", timeout=2)
            return
        if not self.feed_list.feeds:
            return
        self.refreshing = True
        total = len(urls) if urls is not None else len(self.feed_list.feeds)
        self.status.set_progress(Progress(0, total))
        self._refresh(list(urls) if urls is not None else None, force, min_interval)

    @work(group="refresh", exit_on_error=False)
    async def _refresh(self, urls: list[str] | None, force: bool, min_interval: float) -> None:
        def progress(update: RefreshProgress) -> None:
            self.post_message(
                self.RefreshProgressed(
                    Progress(update.done, update.total, update.new_entries, update.errors),
                    f"{update.url}: {update.error}" if update.error else None,
                )
            )

        try:
            report = await self.reader.refresh(
                urls, force=force, min_interval=min_interval, progress=progress
            )
        except ReaderError as error:
            self.post_message(self.RefreshFinished(None, str(error)))
        except Exception as error:  # keep the app alive; say what happened
            self.post_message(self.RefreshFinished(None, f"refresh failed: {error}"))
        else:
            self.post_message(self.RefreshFinished(report, None))

    @on(RefreshProgressed)
    def _refresh_progressed(self, event: RefreshProgressed) -> None:
        self.status.set_progress(event.progress)
        if event.error:
            self.status.set_error(event.error)
        self._counts_soon()

    @on(RefreshFinished)
    def _refresh_finished(self, event: RefreshFinished) -> None:
        self.refreshing = False
        self._more_lists.clear()  # new entries: new reports of the stories
        self.status.set_progress(None)
        had_feeds = bool(self.feed_list.feeds)
        self.reload_feeds()
        if had_feeds:
            self._reload_entries()
        if event.error:  # failed whole: nothing was refreshed
            self.status.set_error(event.error)
            self.notify(clean_line(event.error), severity="error", markup=False)
            return
        self.status.set_refreshed(self.clock())
        report = event.report
        if report is None:
            return
        # the status line shows an error only while a feed still has it
        failing = {f.url for f in self.feed_list.feeds if f.last_error}
        if report.failures:
            titles = {f.url: f.display_title for f in self.feed_list.feeds}
            notice = notices.refresh_failures(report.failures, titles)
            self.notify(notice.text, title=notice.title, severity="error", markup=False,
                        timeout=8)  # fmt: skip
            self.status.set_error(notice.text.split("\n", 1)[0])
        elif not failing:
            self.status.set_error(None)
        unread = self.feed_list.unread_total
        self.status.set_info(notices.refresh_summary(report, unread))
        self.start_prefetch()

    # --- prefetch: the new entries' articles, after each refresh --------------------------

    def start_prefetch(self) -> None:
        """Fetch and keep the articles the refresh queued, in the background: the entries
        are listed already; quitting mid-way keeps every article finished."""
        if self.reader.config.prefetch == "off" or self.prefetching:
            return
        self.prefetching = True
        self._prefetch()

    @work(group="prefetch", exit_on_error=False)
    async def _prefetch(self) -> None:
        def progress(update: PrefetchProgress) -> None:
            self.post_message(self.ArticlesProgressed(update.done, update.total))

        try:
            report = await self.reader.prefetch(progress=progress)
        except Exception as error:  # keep the app alive; say what happened
            self.post_message(self.ArticlesFinished(0, 0, f"articles: {error}"))
        else:
            self.post_message(self.ArticlesFinished(report.fetched, report.failed))

    @on(ArticlesProgressed)
    def _articles_progressed(self, event: ArticlesProgressed) -> None:
        self.status.set_articles(event.done, event.total)

    @on(ArticlesFinished)
    def _articles_finished(self, event: ArticlesFinished) -> None:
        self.prefetching = False
        self.status.set_articles(None)
        if event.error:
            self.status.set_error(event.error)
        if event.fetched and isinstance(self.entry_list.source, EntrySource):
            self.entry_list.source.forget()  # read the rows again: their stored marks
            self.entry_list.refresh()

    # --- sync with the feed server (reader sync setup) --------------------------------

    def start_sync(self, *, background: bool) -> None:
        """Sync in the background when an account is set up: at start, with each timed
        refresh (``background``: not while the last failures ask to wait) and on R."""
        try:
            if self.syncing or self.reader.sync_account() is None:
                return
        except ReaderError as error:  # a damaged account file
            self.status.set_sync(f"sync: {error}", failed=True)
            return
        self.syncing = True
        self.status.set_sync("sync: starting")
        self._sync(background)

    @work(group="sync", exit_on_error=False)
    async def _sync(self, background: bool) -> None:
        def progress(update: SyncProgress) -> None:
            self.post_message(self.SyncProgressed(update.message))

        try:
            report = await self.reader.sync(progress, background=background)
        except ReaderError as error:
            self.post_message(self.SyncFinished(None, str(error)))
        except Exception as error:  # keep the app alive; say what happened
            self.post_message(self.SyncFinished(None, f"sync failed: {error}"))
        else:
            self.post_message(self.SyncFinished(report, None))

    @on(SyncProgressed)
    def _sync_progressed(self, event: SyncProgressed) -> None:
        self.status.set_sync(event.text)

    @on(SyncFinished)
    def _sync_finished(self, event: SyncFinished) -> None:
        self.syncing = False
        if event.error:
            self.status.set_sync(f"sync: {event.error}", failed=True)
            self.notify(clean_line(event.error), title="Sync", severity="warning",
                        markup=False, timeout=6)  # fmt: skip
            return
        report = event.report
        if report is None:  # waiting after failures, as the server asked: say the last
            status = self.reader.sync_status()
            if status.last_error is None:
                self.status.set_sync(None)
            else:
                retry = (
                    f" (retry at {clock_time(status.next_attempt)})" if status.next_attempt else ""
                )
                self.status.set_sync(f"sync: {status.last_error}{retry}", failed=True)
            return
        self.status.set_sync(f"synced {clock_time(self.clock())}")
        for url in report.feeds_refused:
            self.notify(f"The server refused {clean_line(url)}; it stays a local feed",
                        title="Sync", severity="warning", markup=False, timeout=6)  # fmt: skip
        moved = (report.feeds_added, report.feeds_removed, report.feeds_updated,
                 report.new_entries, report.read_received, report.starred_received)  # fmt: skip
        if any(moved):
            self.reload_feeds()
            self._apply_layout()  # the first feeds replace the welcome text
            self._reload_entries()

    # --- add and remove ----------------------------------------------------------------

    def action_add_feed(self) -> None:
        def added(result: NewFeed | None) -> None:
            if result is not None:
                self.status.set_info(f"finding the feed at {result.url}…")
                self._add_feed(result)

        from reader.tui.screens.add_feed import AddFeedScreen

        self.app.push_screen(AddFeedScreen(), added)

    @work(group="add-feed", exit_on_error=False)
    async def _add_feed(self, new: NewFeed) -> None:
        try:
            feed = await self.reader.add_feed(new.url, new.folder)
        except ReaderError as error:
            self.post_message(self.FeedAdded(None, new.url, str(error)))
        except Exception as error:
            self.post_message(self.FeedAdded(None, new.url, f"could not add {new.url}: {error}"))
        else:
            self.post_message(self.FeedAdded(feed.id, feed.display_title, None))

    @on(FeedAdded)
    def _feed_added(self, event: FeedAdded) -> None:
        if event.error or event.feed_id is None:
            self._show_unread()
            self.notify(clean_line(event.error), severity="error", markup=False)
            return
        self.status.set_info(f"subscribed to {event.title}")
        self.notify(f"Subscribed to {clean_line(event.title)}", markup=False, timeout=3)
        self.reload_feeds()
        self._apply_layout()
        self.feed_list.select_key(f"feed:{event.feed_id}")
        feed = self.reader.find_feed(event.feed_id)
        if feed is not None:
            self.start_refresh([feed.url], force=True, quiet=True)

    def _highlighted_feed(self, doing: str) -> Feed | None:
        """The feed highlighted (or the current entry's, outside the feeds pane); None
        says to highlight one for ``doing``."""
        row = self.feed_list.current
        feed = row.feed if row is not None and row.kind == "feed" else None
        if feed is None and self.pane != "feeds":
            entry = self._current_entry()
            if entry is not None:
                feed = self.reader.find_feed(entry.feed_id)
        if feed is None:
            self.notify(f"Highlight a feed to {doing}", timeout=2)
        return feed

    def action_edit_feed(self) -> None:
        feed = self._highlighted_feed("edit its settings")
        if feed is None:
            return
        target = self.reader.get_feed(feed.id)  # its settings as stored now

        def edited(settings: FeedSettings | None) -> None:
            if settings is None:
                return
            try:
                self.reader.edit_feed(
                    target.id, title=settings.title, folder=settings.folder,
                    full_text=settings.full_text, refresh_minutes=settings.refresh_minutes,
                    user_agent=settings.user_agent,
                )  # fmt: skip
            except ReaderError as error:
                self.notify(clean_line(str(error)), severity="error", markup=False)
                return
            self.notify(f"Saved the settings of {clean_line(target.display_title)}",
                        markup=False, timeout=3)  # fmt: skip
            self.reload_feeds()

        from reader.tui.screens.feed_settings import FeedSettingsScreen

        self.app.push_screen(FeedSettingsScreen(target), edited)

    def action_remove_feed(self) -> None:
        feed = self._highlighted_feed("remove it")
        if feed is None:
            return
        target = feed

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.reader.remove_feed(target.url)
            except ReaderError as error:
                self.notify(clean_line(str(error)), severity="error", markup=False)
                return
            self.notify(f"Removed {clean_line(target.display_title)}", markup=False, timeout=3)
            page = self.page
            if page is not None and page.entry is not None and page.entry.feed_id == target.id:
                self.navigator.page = None
                self.article_view.show_message(NOTHING_OPEN)
            self.reload_feeds()
            if not any(f.last_error for f in self.feed_list.feeds):
                self.status.set_error(None)  # the error was the removed feed's
            if self.feed_list.current is not None:
                self.show_selection(self.feed_list.current)
            self._apply_layout()

        from reader.tui.screens.confirm import ConfirmScreen

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {clean_line(target.display_title)}?",
                f"{clean_line(target.url)}"
                + (f" (in {clean_line(target.folder)})" if target.folder else "")
                + "\nIts entries go; the reading list keeps its articles.",
            ),
            answered,
        )
