"""The main screen: feeds, entries and the reader side by side (one at a time when narrow).

Workers call the core and post messages; only the handlers here change widgets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from reader.errors import InvalidURLError, NotAnArticleError, ReaderError
from reader.history import History, Visit
from reader.models import Article, Entry, EntryFilter, SearchHit
from reader.sanitize import clean_line
from reader.tui.format import clock_time
from reader.tui.screens.add_feed import AddFeedScreen, NewFeed
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.history_list import HistoryScreen
from reader.tui.screens.links import LinkPickerScreen
from reader.tui.screens.search import SearchScreen
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.entry_list import (
    PAGE_SIZE,
    EntryList,
    EntrySource,
    RowSource,
    SavedSource,
)
from reader.tui.widgets.feed_list import FeedList, FeedRow
from reader.tui.widgets.status_bar import Progress, StatusBar
from reader.urls import check_web_url

if TYPE_CHECKING:
    from reader.core import Reader
    from reader.sync.engine import SyncProgress, SyncReport
    from reader.update import RefreshProgress, RefreshReport

Pane = Literal["feeds", "entries", "article"]
PANES: tuple[Pane, ...] = ("feeds", "entries", "article")
NARROW_BELOW = 100
"""Below this many columns, one pane at a time."""
IDS_DELAY = 0.4
"""Seconds on a long list before its full id list is loaded in the background."""
COUNTS_DELAY = 0.3
"""Seconds between unread-count updates while a refresh runs."""

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


@dataclass
class OpenArticle:
    """What the reader pane shows, and where it came from."""

    url: str | None
    article: Article
    entry: Entry | None = None
    saved_id: int | None = None
    reached_from: str | None = None  # the article whose link led here


@dataclass(frozen=True)
class LinkRequest:
    """A page to open through the link pipeline: a followed link or a history jump."""

    token: int
    url: str
    reached_from: str | None
    history_index: int | None  # None: a new visit; else the visit being gone back to
    scroll: float = 0.0


class MainScreen(Screen[None]):
    """Three panes, a status line and the footer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "tab",
            "next_pane",
            "Next pane",
            id="next-pane",
            tooltip="Move to the next pane",
            show=False,
        ),
        Binding(
            "shift+tab",
            "previous_pane",
            "Previous pane",
            id="previous-pane",
            tooltip="Move to the previous pane",
            show=False,
        ),
        Binding("escape", "back", "Back", id="back", tooltip="Go back a pane", show=False),
        Binding(
            "space",
            "page_article(1)",
            "Page",
            id="page-article",
            tooltip="Page down through the article",
            show=False,
        ),
        Binding(
            "shift+space",
            "page_article(-1)",
            "Page up",
            id="page-article-up",
            tooltip="Page up through the article",
            show=False,
        ),
        Binding(
            "n",
            "next_unread",
            "Next unread",
            id="next-unread",
            tooltip="Open the next unread entry, across feeds",
        ),
        Binding(
            "p",
            "previous_unread",
            "Prev unread",
            id="previous-unread",
            tooltip="Open the previous unread entry, across feeds",
            show=False,
        ),
        Binding(
            "m", "toggle_read", "Read", id="toggle-read", tooltip="Mark the entry read or unread"
        ),
        Binding(
            "A",
            "mark_feed_read",
            "Feed read",
            id="mark-feed-read",
            tooltip="Mark the feed (folder, or all) read",
            show=False,
        ),
        Binding(
            "s",
            "toggle_saved",
            "Save",
            id="toggle-saved",
            tooltip="Save to or remove from the reading list",
        ),
        Binding(
            "o",
            "open_browser",
            "Browser",
            id="open-browser",
            tooltip="Open the page in the web browser",
            show=False,
        ),
        Binding(
            "y",
            "copy_url",
            "Copy URL",
            id="copy-url",
            tooltip="Copy the page's address",
            show=False,
        ),
        Binding(
            "r",
            "refresh_feed",
            "Refresh",
            id="refresh-feed",
            tooltip="Refresh the highlighted feed or folder",
            show=False,
        ),
        Binding("R", "refresh_all", "Refresh all", id="refresh-all", tooltip="Refresh every feed"),
        Binding(
            "h,backspace,alt+left",
            "history_back",
            "Back",
            id="history-back",
            tooltip="Back to the previous article, as a browser",
            show=False,
        ),
        Binding(
            "l,alt+right",
            "history_forward",
            "Forward",
            id="history-forward",
            tooltip="Forward again, as a browser",
            show=False,
        ),
        Binding(
            "H",
            "history_list",
            "History",
            id="history-list",
            tooltip="Every article visited: jump to any",
            show=False,
        ),
        Binding(
            "L",
            "link_picker",
            "Links",
            id="link-picker",
            tooltip="Pick a link of the article by typing part of it",
        ),
        Binding(
            "O",
            "open_link_browser",
            "Link in browser",
            id="open-link-browser",
            tooltip="Open the highlighted link in the web browser",
            show=False,
        ),
        Binding(
            "slash",
            "search",
            "Search",
            id="search",
            tooltip="Search every entry and cached article",
        ),
        Binding(
            "a",
            "add_feed",
            "Add feed",
            id="add-feed",
            tooltip="Add a feed from its address or a page's",
        ),
        Binding(
            "d",
            "remove_feed",
            "Remove feed",
            id="remove-feed",
            tooltip="Remove the highlighted feed (asks first)",
            show=False,
        ),
    ]

    # --- messages from workers ---------------------------------------------------------

    class ArticleLoaded(Message):
        def __init__(self, token: int, article: Article) -> None:
            super().__init__()
            self.token = token
            self.article = article

    class ArticleFailed(Message):
        def __init__(self, token: int, error: str) -> None:
            super().__init__()
            self.token = token
            self.error = error

    class LinkLoaded(Message):
        def __init__(self, request: LinkRequest, article: Article) -> None:
            super().__init__()
            self.request = request
            self.article = article

    class LinkFailed(Message):
        def __init__(self, request: LinkRequest, error: str) -> None:
            super().__init__()
            self.request = request
            self.error = error

    class RefreshProgressed(Message):
        def __init__(self, progress: Progress, error: str | None) -> None:
            super().__init__()
            self.progress = progress
            self.error = error

    class RefreshFinished(Message):
        def __init__(self, report: RefreshReport | None, error: str | None) -> None:
            super().__init__()
            self.report = report
            self.error = error

    class SyncProgressed(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class SyncFinished(Message):
        def __init__(self, report: SyncReport | None, error: str | None) -> None:
            super().__init__()
            self.report = report
            self.error = error

    class IdsLoaded(Message):
        def __init__(self, source: EntrySource, ids: list[int]) -> None:
            super().__init__()
            self.source = source
            self.ids = ids

    class FeedAdded(Message):
        def __init__(self, feed_id: int | None, title: str, error: str | None) -> None:
            super().__init__()
            self.feed_id = feed_id
            self.title = title
            self.error = error

    # --- building ----------------------------------------------------------------------

    def __init__(
        self,
        reader: Reader,
        *,
        background_refresh: bool = True,
    ) -> None:
        super().__init__()
        self.reader = reader
        self.background_refresh = background_refresh
        self.clock = reader.clock
        self.pane: Pane = "feeds"
        self.narrow = False
        self.open: OpenArticle | None = None
        self.history = History()
        self.link_request: LinkRequest | None = None
        """The page being opened through the link pipeline, if any."""
        self.refreshing = False
        self.syncing = False
        self._token = 0
        self._pending_scroll: float | None = None
        self._counts_due = False
        self._saved_count = 0
        self._selection_key: str | None = None
        self._ids_timer: Timer | None = None
        self.feed_list = FeedList(id="feeds")
        self.entry_list = EntryList(id="entries", clock=reader.clock)
        self.article_view = ArticleView(id="article")
        self.status = StatusBar(id="status")

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="welcome"):
            yield Static(Text(WELCOME), id="welcome-text")
        with Horizontal(id="panes"):
            yield self.feed_list
            yield self.entry_list
            yield self.article_view
        yield self.status
        yield Footer()

    def on_unmount(self) -> None:
        try:
            if self.open is not None:
                self.history.remember_scroll(round(self.article_view.scroll_y))
            self.reader.save_history(self.history)
            self.save_state()
        except ReaderError:  # the store may be gone; leaving must still work
            pass

    def on_mount(self) -> None:
        self.feed_list.border_title = "Feeds"
        self.entry_list.border_title = "Entries"
        self.article_view.border_title = "Article"
        self.narrow = self.app.size.width < NARROW_BELOW
        self.history = self.reader.history()
        self.reload_feeds()
        self._restore()
        self._apply_layout()
        if self.background_refresh:
            self._timed_refresh()
            minutes = self.reader.config.refresh_minutes
            if minutes > 0:
                self.set_interval(minutes * 60, self._timed_refresh)

    def _timed_refresh(self) -> None:
        """The refresh at start and every ``refresh_minutes``: only the feeds due (a restart,
        or a second instance, polls none of those checked within the interval)."""
        interval = self.background_interval()
        self.start_sync(background=True)
        if not self.refreshing and self.reader.due_feed_count(interval):
            self.start_refresh(None, force=False, quiet=True, min_interval=interval)

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < NARROW_BELOW
        if narrow != self.narrow:
            self.narrow = narrow
            self._apply_layout()

    # --- layout and panes --------------------------------------------------------------

    def _widget_of(self, pane: Pane) -> Widget:
        return {"feeds": self.feed_list, "entries": self.entry_list,
                "article": self.article_view}[pane]  # fmt: skip

    def _apply_layout(self) -> None:
        empty = not self.feed_list.feeds and self._saved_count == 0
        self.query_one("#welcome").display = empty
        self.query_one("#panes").display = not empty
        self.set_class(self.narrow, "-narrow")
        for pane in PANES:
            self._widget_of(pane).display = not self.narrow or pane == self.pane
        if not empty:
            widget = self._widget_of(self.pane)
            if self.focused is not widget:
                self.set_focus(widget)  # now: keys already queued must reach it

    def show_pane(self, pane: Pane) -> None:
        self.pane = pane
        self._apply_layout()

    def on_descendant_focus(self, event: object) -> None:
        for pane in PANES:
            if self.focused is self._widget_of(pane):
                if self.pane != pane:
                    self.pane = pane
                    if self.narrow:
                        self._apply_layout()
                break

    def action_next_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self.pane) + 1) % len(PANES)])

    def action_previous_pane(self) -> None:
        self.show_pane(PANES[(PANES.index(self.pane) - 1) % len(PANES)])

    def action_back(self) -> None:
        if self.pane == "article":
            self.show_pane("entries")
        elif self.pane == "entries":
            self.show_pane("feeds")

    def action_page_article(self, direction: int) -> None:
        view = self.article_view
        if direction > 0:
            view.action_page_down()
        else:
            view.action_page_up()

    # --- feeds -------------------------------------------------------------------------

    def reload_feeds(self) -> None:
        """Read feeds and counts again (after a refresh, an add or a removal)."""
        self._saved_count = self.reader.saved_count()
        self.feed_list.set_feeds(self.reader.feeds(), self._saved_count)
        self._show_unread()

    def reload_counts(self) -> None:
        self._counts_due = False
        self.feed_list.set_unread_counts(self.reader.unread_counts(), self._saved_count)
        self._show_unread()

    def _show_unread(self) -> None:
        unread = sum(f.unread_count for f in self.feed_list.feeds)
        self.status.set_info(f"{unread} unread" if self.feed_list.feeds else "")

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
        if self._ids_timer is not None:
            self._ids_timer.stop()
            self._ids_timer = None
        if isinstance(source, EntrySource) and len(source) > PAGE_SIZE:
            # once the user stays on this list: loading 100,000 ids while frames are being
            # drawn would slow them (the GIL), and quick moves through feeds never need them
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

    # --- opening -----------------------------------------------------------------------

    @on(EntryList.Selected, "#entries")
    def _entry_selected(self, event: EntryList.Selected) -> None:
        self.open_entry(event.index)
        if self.narrow:
            self.show_pane("article")

    def open_entry(self, index: int, *, scroll: float | None = None) -> None:
        """Show the entry at ``index``: cached article at once, else the feed's content
        while the page is fetched in a worker (which replaces any earlier fetch)."""
        source = self.entry_list.source
        if isinstance(source, SavedSource):
            item = source.saved(index)
            if item is None:
                return
            self._moving_on()
            self._pending_scroll = scroll
            article = self.reader.article_from_saved(item)
            self.open = OpenArticle(item.url, article, saved_id=item.id,
                                    reached_from=item.reached_from)  # fmt: skip
            self.article_view.show(article, scroll=scroll or 0)
            self._visited(Visit(item.url, clean_line(item.title), reached_from=item.reached_from))
            self._remember(item.id)
            return
        if not isinstance(source, EntrySource):
            return
        entry = source.entry(index)
        if entry is None or not entry.guid:
            return
        self.show_entry(entry, scroll=scroll)

    def show_entry(self, entry: Entry, *, scroll: float | None = None, visit: bool = True) -> None:
        """Open ``entry`` in the reader (marking it read); ``visit`` adds it to the history."""
        self._moving_on()
        self._pending_scroll = scroll
        if not entry.read:
            self._set_read(entry, True)
        cached = self.reader.cached_article(entry.url) if entry.url else None
        if cached is not None:
            self.open = OpenArticle(entry.url, cached, entry=entry)
            self.article_view.show(cached, scroll=scroll or 0)
        else:
            article = self.reader.article_from_entry(entry)
            self.open = OpenArticle(entry.url, article, entry=entry)
            self.article_view.show(article, loading=bool(entry.url), scroll=scroll or 0)
            if entry.url:
                self._fetch_article(self._token, entry.url, entry)
        if visit:
            self._visited(Visit(entry.url or f"entry:{entry.id}", clean_line(entry.title or ""),
                                entry_id=entry.id))  # fmt: skip
        self._remember(entry.id)

    def _moving_on(self) -> None:
        """Before the reader shows another page: keep this one's place, stop other fetches."""
        if self.open is not None:
            self.history.remember_scroll(round(self.article_view.scroll_y))
        self._token += 1
        self.workers.cancel_group(self, "article")
        if self.link_request is not None:
            self.link_request = None
            self.article_view.set_pending(None)

    def _visited(self, visit: Visit) -> None:
        self.history.visit(visit)
        self._save_history()

    def _save_history(self) -> None:
        """Keep the history for next time; it is saved again on exit, so a locked store
        now costs nothing but this write."""
        try:
            self.reader.save_history(self.history)
        except ReaderError:
            pass

    # --- following links, back and forward ------------------------------------------------

    @on(ArticleView.PaneWanted)
    def _pane_wanted(self, event: ArticleView.PaneWanted) -> None:
        if event.step > 0:
            self.action_next_pane()
        else:
            self.action_previous_pane()

    @on(ArticleView.LinkChosen)
    def _link_chosen(self, event: ArticleView.LinkChosen) -> None:
        self.follow_link(event.link.url)

    def follow_link(self, url: str) -> None:
        """Open ``url`` in the reader through the article pipeline, as a new visit."""
        try:
            url = check_web_url(url)
        except InvalidURLError:
            scheme = url.split(":", 1)[0] if ":" in url else ""
            kind = f"a {scheme}: link" if scheme and len(scheme) < 20 else "not a web link"
            self.notify(f"Not followed: {clean_line(url)[:200]} is {clean_line(kind)}; "
                        "reader opens only http and https links (O: the browser)",
                        severity="warning", markup=False, timeout=5)  # fmt: skip
            return
        reached_from = self.open.article.url or self.open.url if self.open else None
        self.open_page(url, reached_from=reached_from)

    def open_page(
        self,
        url: str,
        *,
        reached_from: str | None = None,
        history_index: int | None = None,
        scroll: float = 0.0,
    ) -> None:
        """Show the page at ``url``: at once when cached or saved, else fetched in a worker
        while the current article stays on screen (a failure leaves the user there)."""
        self._token += 1
        request = LinkRequest(self._token, url, reached_from, history_index, scroll)
        self.workers.cancel_group(self, "article")
        article = self.reader.cached_article(url)
        if article is None:
            saved = self.reader.saved_article(url)
            if saved is not None:
                article = self.reader.article_from_saved(saved)
        if article is not None:
            self._arrive(request, article)
            return
        self.link_request = request
        self.article_view.set_pending(url)
        self.status.set_info(f"opening {clean_line(url)[:120]}…")
        self._fetch_link(request)

    @work(group="article", exclusive=True, exit_on_error=False)
    async def _fetch_link(self, request: LinkRequest) -> None:
        from reader.article import describe_content_type

        try:
            # a link to an entry of a feed can fall back on that entry's own content
            fallback = self.reader.entry_by_url(request.url)
            article = await self.reader.get_article(request.url, fallback)
        except NotAnArticleError as error:
            kind = describe_content_type(error.content_type)
            message = (f"Not opened: {request.url} is {kind}, not a web page "
                       "(O opens the highlighted link in the browser)")  # fmt: skip
            self.post_message(self.LinkFailed(request, message))
        except ReaderError as error:
            self.post_message(self.LinkFailed(request, str(error)))
        except Exception as error:  # a bad page must never take the app down
            self.post_message(self.LinkFailed(request, f"could not open {request.url}: {error}"))
        else:
            self.post_message(self.LinkLoaded(request, article))

    @on(LinkLoaded)
    def _link_loaded(self, event: LinkLoaded) -> None:
        if event.request is self.link_request:
            self._arrive(event.request, event.article)

    @on(LinkFailed)
    def _link_failed(self, event: LinkFailed) -> None:
        if event.request is not self.link_request:
            return  # the user has moved on
        self.link_request = None
        self.article_view.set_pending(None)
        self.status.set_info("")
        self.status.set_error(clean_line(event.error))
        self.notify(clean_line(event.error), severity="warning", markup=False, timeout=6)

    def _arrive(self, request: LinkRequest, article: Article) -> None:
        """Show a page the link pipeline got: a new visit, or a move through the history."""
        if self.open is not None:
            self.history.remember_scroll(round(self.article_view.scroll_y))
        self.link_request = None
        self.article_view.set_pending(None)
        self.status.set_info("")
        if request.history_index is None:
            self.history.visit(Visit(request.url, clean_line(article.title),
                                     reached_from=request.reached_from))  # fmt: skip
        else:
            self.history.go_to(request.history_index)
        self._save_history()
        self.open = OpenArticle(request.url, article, reached_from=request.reached_from)
        self._pending_scroll = None
        self.article_view.show(article, scroll=request.scroll)
        if self.pane != "article":
            self.show_pane("article")

    def action_history_back(self) -> None:
        if not self.history.can_go_back:
            self.notify("No earlier article", timeout=2)
            return
        self.go_to_visit(self.history.index - 1)

    def action_history_forward(self) -> None:
        if not self.history.can_go_forward:
            self.notify("No later article", timeout=2)
            return
        self.go_to_visit(self.history.index + 1)

    def go_to_visit(self, index: int) -> None:
        """Show visit ``index`` of the history where the user left it."""
        if not 0 <= index < len(self.history.visits):
            return
        if self.open is not None:
            self.history.remember_scroll(round(self.article_view.scroll_y))
        visit = self.history.visits[index]
        entry = self.reader.entry(visit.entry_id) if visit.entry_id else None
        if entry is not None:
            self.history.go_to(index)
            self._save_history()
            self._select_entry_row(entry.id)
            self.show_entry(entry, scroll=visit.scroll, visit=False)
            return
        self.open_page(visit.url, reached_from=visit.reached_from, history_index=index,
                       scroll=visit.scroll)  # fmt: skip

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

        self.app.push_screen(HistoryScreen(self.history), chosen)

    def action_link_picker(self) -> None:
        view = self.article_view
        links = view.links
        if not links:
            self.notify("This article has no links", timeout=2)
            return
        body_count = len(view.article.links) if view.article is not None else 0

        def chosen(number: int | None) -> None:
            if number is not None:
                view.highlight(number)
                view.follow(number)

        self.app.push_screen(LinkPickerScreen(links, body_count, view.highlighted), chosen)

    def action_open_link_browser(self) -> None:
        view = self.article_view
        link = view.link(view.highlighted) if view.highlighted is not None else None
        if link is None:
            self.notify("Highlight a link first (Tab, or a number)", timeout=2)
            return
        self._open_in_browser(link.url)
        self.notify(f"Opening {clean_line(link.url)}", timeout=2, markup=False)

    def action_search(self) -> None:
        def chosen(hit: SearchHit | None) -> None:
            if hit is not None:
                self.open_hit(hit)

        self.app.push_screen(SearchScreen(self.reader), chosen)

    def open_hit(self, hit: SearchHit) -> None:
        """An entry opens as from its list (so does an article a feed links to); any other
        cached article through the link pipeline."""
        if hit.entry_id is not None:
            entry = self.reader.entry(hit.entry_id)
        else:
            entry = self.reader.entry_by_url(hit.url) if hit.url else None
        if entry is not None:
            self._select_entry_row(entry.id)
            self.show_entry(entry)
            self.show_pane("article")
        elif hit.url:
            self.open_page(hit.url)

    @work(group="article", exclusive=True, exit_on_error=False)
    async def _fetch_article(self, token: int, url: str, entry: Entry) -> None:
        try:
            article = await self.reader.get_article(url, entry)
        except ReaderError as error:
            self.post_message(self.ArticleFailed(token, str(error)))
        except Exception as error:  # a bad page must never take the app down
            self.post_message(self.ArticleFailed(token, f"could not load {url}: {error}"))
        else:
            self.post_message(self.ArticleLoaded(token, article))

    @on(ArticleLoaded)
    def _article_loaded(self, event: ArticleLoaded) -> None:
        if event.token != self._token or self.open is None:
            return  # the user has moved on
        self.open.article = event.article
        self.article_view.show(event.article, scroll=self._pending_scroll)
        self._pending_scroll = None

    @on(ArticleFailed)
    def _article_failed(self, event: ArticleFailed) -> None:
        if event.token != self._token:
            return
        self.article_view.set_loading(False)
        self._pending_scroll = None
        self.status.set_error(event.error)
        self.notify(clean_line(event.error), severity="warning", markup=False)

    def _remember(self, key: int) -> None:
        try:
            if self._selection_key:
                self.reader.set_state(STATE_SELECTION, self._selection_key)
            self.reader.set_state(STATE_ENTRY, str(key))
        except ReaderError:
            pass  # where the user is matters less than what they are reading

    def save_state(self) -> None:
        """Where the user is, for next time (called when the app closes)."""
        if self._selection_key:
            self.reader.set_state(STATE_SELECTION, self._selection_key)
        row = self.entry_list.current_row
        if self.open is not None and row is not None:
            self.reader.set_state(STATE_ENTRY, str(row.key))
            self.reader.set_state(STATE_SCROLL, str(round(self.article_view.scroll_y)))

    def _restore(self) -> None:
        state = self.reader
        key = state.get_state(STATE_SELECTION) or "all"
        if self.feed_list.index_of(key) is None:
            key = "all"
        self.feed_list.select_key(key, announce=False)
        row = self.feed_list.current
        if row is None:
            return
        self.show_selection(row)
        entry_key = state.get_state(STATE_ENTRY)
        index = None
        if entry_key and entry_key.isdigit():
            index = self.entry_list.source.index_of(int(entry_key))
            if index is not None:
                self.entry_list.set_cursor(index, announce=False)
        visit = self.history.current
        if visit is not None and not (visit.entry_id and str(visit.entry_id) == entry_key):
            # the last page was reached by a link (or by the history): reopen that one
            self.go_to_visit(self.history.index)
            self.pane = "entries"
        elif index is not None:
            scroll_text = state.get_state(STATE_SCROLL) or "0"
            scroll = float(scroll_text) if scroll_text.isdigit() else 0.0
            self.open_entry(index, scroll=scroll)
            self.pane = "entries"

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
            opened = self.open is not None and self.open.entry is not None and row is not None \
                and self.open.entry.id == row.key  # fmt: skip
            if row is not None and row.unread and not opened:
                start -= step  # the highlighted entry is unread and not open yet: it is next
            found = source.next_unread(start, step)
            if found is not None:
                entries.set_cursor(found)
                self.open_entry(found)
                return
        # none left here: the next (or previous) feed that has unread entries
        feeds = self.feed_list
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
        if changed:
            self.feed_list.add_unread(entry.feed_id, -changed if read else changed)
            self._show_unread()

    def action_mark_feed_read(self) -> None:
        row = self.feed_list.current
        if row is None or row.kind == "saved":
            return
        if row.kind == "feed" and row.feed is not None:
            changed = self.reader.mark_feed_read(row.feed.id)
        elif row.kind == "folder":
            changed = sum(
                self.reader.mark_feed_read(f.id)
                for f in self.feed_list.feeds
                if f.folder == row.folder
            )
        else:
            changed = self.reader.mark_feed_read(None)
        self.entry_list.source.forget()
        self.entry_list.redraw()
        self.reload_counts()
        self.notify(f"Marked {changed} entries read", timeout=2)

    def _target(self) -> tuple[str | None, Article | None]:
        """The URL and article the keys act on: the open article, else the highlighted row."""
        row = self.entry_list.current_row
        if self.open is not None and (
            self.pane == "article"
            or row is None
            or (self.open.entry is not None and self.open.entry.id == row.key)
            or (self.open.saved_id is not None and self.open.saved_id == row.key)
        ):
            return self.open.url, self.open.article
        entry = self._current_entry()
        if entry is not None and entry.url:
            article = self.reader.cached_article(entry.url) or self.reader.article_from_entry(entry)
            return entry.url, article
        if isinstance(self.entry_list.source, SavedSource):
            item = self.entry_list.source.saved(self.entry_list.cursor)
            if item is not None:
                return item.url, self.reader.article_from_saved(item)
        return None, None

    def action_toggle_saved(self) -> None:
        url, article = self._target()
        if url is None or article is None:
            return
        if self.reader.is_saved(url) or self.reader.is_saved(article.url):
            self.reader.unsave(url)
            if article.url != url:
                self.reader.unsave(article.url)
            saved = False
            self.notify("Removed from the reading list", timeout=2)
        else:
            reached_from = None
            if self.open is not None and article is self.open.article:
                reached_from = self.open.reached_from
            self.reader.save(article, reached_from=reached_from)
            saved = True
            self.notify("Saved to the reading list", timeout=2)
        self._saved_count = self.reader.saved_count()
        source = self.entry_list.source
        if isinstance(source, SavedSource):
            self._reload_entries()
        else:
            entry = self._current_entry()
            if self.open is not None and self.open.entry is not None:
                source.update(self.open.entry.id, saved=saved)
            if entry is not None:
                source.update(entry.id, saved=saved if entry.url == url else entry.saved)
            self.entry_list.redraw()
        self.reload_counts()

    def action_open_browser(self) -> None:
        url, _ = self._target()
        if url:
            self._open_in_browser(url)
            self.notify(f"Opening {clean_line(url)}", timeout=2, markup=False)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        import shlex
        import subprocess
        import webbrowser

        command = self.reader.config.browser
        if command:
            args = [part.replace("{url}", url) for part in shlex.split(command)]
            if "{url}" not in command:
                args.append(url)
            subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        else:
            webbrowser.open(url)

    def action_copy_url(self) -> None:
        url, _ = self._target()
        if url:
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {clean_line(url)}", timeout=2, markup=False)

    # --- refresh -----------------------------------------------------------------------

    def background_interval(self) -> float:
        """Seconds a feed is left alone by the background refresh after it was checked: the
        refresh interval, less a minute so the timed refresh finds its own feeds due."""
        return max(0.0, self.reader.config.refresh_minutes * 60 - 60)

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
        self.status.set_progress(None)
        self.status.set_refreshed(self.clock())
        had_feeds = bool(self.feed_list.feeds)
        self.reload_feeds()
        if had_feeds:
            self._reload_entries()
        if event.error:
            self.status.set_error(event.error)
            self.notify(clean_line(event.error), severity="error", markup=False)
            return
        report = event.report
        if report is None:
            return
        if report.failures:
            titles = {f.url: f.display_title for f in self.feed_list.feeds}
            lines = [
                f"{clean_line(titles.get(f.url, f.url))}: {clean_line(f.message)}"
                for f in report.failures[:3]
            ]
            more = len(report.failures) - len(lines)
            if more > 0:
                lines.append(f"and {more} more (see `reader feeds`)")
            count = len(report.failures)
            self.notify(
                "\n".join(lines),
                title=f"{count} feed{'s' if count != 1 else ''} failed",
                severity="error",
                markup=False,
                timeout=8,
            )
            self.status.set_error(lines[0])
        unread = sum(f.unread_count for f in self.feed_list.feeds)
        self.status.set_info(f"{report.new_entries} new · {unread} unread")

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
        if report is None:  # waiting after failures, as the server asked
            self.status.set_sync(None)
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
            self.status.set_info("")
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

    def action_remove_feed(self) -> None:
        row = self.feed_list.current
        feed = row.feed if row is not None and row.kind == "feed" else None
        if feed is None and self.pane != "feeds":
            entry = self._current_entry()
            if entry is not None:
                feed = self.reader.find_feed(entry.feed_id)
        if feed is None:
            self.notify("Highlight a feed to remove it", timeout=2)
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
            if self.open is not None and self.open.entry is not None \
                    and self.open.entry.feed_id == target.id:  # fmt: skip
                self.open = None
                self.article_view.show_message("Choose an entry to read it here.")
            self.reload_feeds()
            if self.feed_list.current is not None:
                self.show_selection(self.feed_list.current)
            self._apply_layout()

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {clean_line(target.display_title)}?",
                "Its entries go; the reading list keeps its articles.",
            ),
            answered,
        )
