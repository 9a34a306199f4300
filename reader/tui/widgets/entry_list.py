"""The entries pane: a virtual list that asks the store only for the rows on screen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text

from reader.clock import Clock
from reader.core import Reader
from reader.models import Entry, EntryFilter, SavedArticle
from reader.sanitize import clean_line
from reader.tui.format import age, fit
from reader.tui.widgets.line_list import LineList

PAGE_SIZE = 64
PAGES_KEPT = 16

FIXED_CELLS = 2 + 1 + 6 + 1
"""The unread mark, a space, the age, the saved (or stored) mark."""
TITLE_FIRST = 40
"""Cells the title gets before the feed column gets any."""
FEED_MIN, FEED_MAX = 8, 20


def feed_column_width(width: int) -> int:
    """How wide the feed column of a ``width``-cell row is: 0 (none) until the title has
    ``TITLE_FIRST`` cells, then what is left, up to ``FEED_MAX``; the title takes the rest."""
    room = width - FIXED_CELLS - TITLE_FIRST - 1
    return min(FEED_MAX, room) if room >= FEED_MIN else 0


@dataclass(frozen=True)
class Row:
    """What a row shows, whether it comes from an entry or from the reading list."""

    key: int
    title: str
    feed: str
    date: float
    unread: bool
    saved: bool
    url: str | None
    stored: bool = False
    """Its article is kept: it opens without the network."""


class RowSource:
    """Rows for the entry list, by position."""

    def __len__(self) -> int:
        raise NotImplementedError

    def row(self, index: int) -> Row | None:
        """Row ``index`` as drawn, or None past the end."""
        raise NotImplementedError

    def index_of(self, key: int) -> int | None:
        """The position of the row with ``key``, or None."""
        raise NotImplementedError

    def update(self, key: int, **changes: object) -> None:
        """Change what is kept of one row (read, saved) without asking the store."""

    def forget(self) -> None:
        """Drop rows fetched from the store: the next draw asks again."""


class EntrySource(RowSource):
    """Entries matching a filter, a page at a time.

    At first pages come by offset (the top of any list is instant); the full id list,
    which makes every page as cheap as the first, is loaded off the UI thread and handed
    over with :meth:`set_ids`.
    """

    def __init__(self, reader: Reader, filter: EntryFilter) -> None:
        self.reader = reader
        self.filter = filter
        self.count = reader.count_entries(filter)
        self.ids: list[int] | None = None
        self._positions: dict[int, int] | None = None
        self._pages: dict[int, list[Entry]] = {}

    def __len__(self) -> int:
        return self.count

    def set_ids(self, ids: list[int]) -> None:
        """Take the full id list (loaded off the UI thread): every page as cheap as the first."""
        self.ids = ids
        self._positions = None
        if len(ids) != self.count:  # the store changed meanwhile: pages may have shifted
            self.count = len(ids)
            self._pages.clear()

    def _ensure_ids(self) -> list[int]:
        if self.ids is None:
            self.set_ids(self.reader.entry_ids(self.filter))
        assert self.ids is not None
        return self.ids

    def entry(self, index: int) -> Entry | None:
        """The entry at ``index``, read a page at a time and kept."""
        if not 0 <= index < self.count:
            return None
        number = index // PAGE_SIZE
        page = self._pages.get(number)
        if page is None:
            if self.ids is not None:
                wanted = self.ids[number * PAGE_SIZE : (number + 1) * PAGE_SIZE]
                found = {e.id: e for e in self.reader.entries_by_id(wanted)}
                page = [found.get(i) or _gone(i) for i in wanted]
            else:
                page = self.reader.entries(self.filter, PAGE_SIZE, number * PAGE_SIZE)
            if len(self._pages) >= PAGES_KEPT:
                self._pages.pop(next(iter(self._pages)))
            self._pages[number] = page
        else:  # most recently used last
            self._pages[number] = self._pages.pop(number)
        offset = index % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def row(self, index: int) -> Row | None:
        """Row ``index`` as drawn: its title, feed, age and marks."""
        entry = self.entry(index)
        if entry is None:
            return None
        return Row(
            key=entry.id,
            title=clean_line(entry.title) or clean_line(entry.url) or "(untitled)",
            # an entry other feeds have too is listed once, with every feed's name
            feed=" + ".join(clean_line(name) for name in (entry.feed_title, *entry.also_in)),
            date=entry.date,
            unread=not entry.read,
            saved=entry.saved,
            url=entry.url,
            stored=entry.stored,
        )

    def index_of(self, key: int) -> int | None:
        """The position of entry ``key`` in this list, or None."""
        if self.ids is None:
            # counted in the store's index: reading 100,000 ids for one position took
            # 60-70 ms at start (the ids come later, off the UI thread)
            position = self.reader.entry_position(self.filter, key)
            return position if position is not None and position < self.count else None
        if self._positions is None:
            self._positions = {entry_id: i for i, entry_id in enumerate(self.ids)}
        return self._positions.get(key)

    def update(self, key: int, **changes: object) -> None:
        """Change a kept entry in place (read, saved) without asking the store again."""
        for page in self._pages.values():
            for offset, entry in enumerate(page):
                if entry.id == key:
                    page[offset] = replace(entry, **changes)  # type: ignore[arg-type]
                    return

    def forget(self) -> None:
        """Drop the kept pages: the next draw reads them again."""
        self._pages.clear()

    def next_unread(self, start: int, step: int) -> int | None:
        """The position of the next unread entry after ``start`` going ``step`` (+1/-1)."""
        index = start + step
        for _ in range(4 * PAGE_SIZE):  # usually close by: look at the rows themselves
            entry = self.entry(index)
            if entry is None:
                return None
            if not entry.read:
                return index
            index += step
        unread = set(self.reader.entry_ids(replace(self.filter, unread_only=True)))
        ids = self._ensure_ids()
        while 0 <= index < len(ids):
            if ids[index] in unread:
                return index
            index += step
        return None


def _gone(entry_id: int) -> Entry:
    """Stands for an entry deleted since the ids were read (its feed was removed)."""
    return Entry(id=entry_id, feed_id=0, guid="", url=None, title="(removed)", read=True)


class SavedSource(RowSource):
    """The reading list, newest first (it is small: kept whole)."""

    def __init__(self, reader: Reader) -> None:
        self.articles: list[SavedArticle] = reader.saved()

    def __len__(self) -> int:
        return len(self.articles)

    def saved(self, index: int) -> SavedArticle | None:
        """The saved article at ``index``, or None."""
        return self.articles[index] if 0 <= index < len(self.articles) else None

    def row(self, index: int) -> Row | None:
        """Row ``index`` as drawn: the saved article's title, site and age."""
        item = self.saved(index)
        if item is None:
            return None
        return Row(
            key=item.id,
            title=clean_line(item.title) or clean_line(item.url),
            feed=clean_line(item.site),
            date=item.saved_at,
            unread=False,
            saved=True,
            url=item.url,
        )

    def index_of(self, key: int) -> int | None:
        """The position of saved article ``key``, or None."""
        for index, item in enumerate(self.articles):
            if item.id == key:
                return index
        return None


class EmptySource(RowSource):
    def __len__(self) -> int:
        return 0

    def row(self, index: int) -> Row | None:
        """Nothing: the list is empty."""
        return None

    def index_of(self, key: int) -> int | None:
        """Nothing: the list is empty."""
        return None


class EntryList(LineList):
    """Title, feed, age, and unread and saved marks; one line per entry."""

    COMPONENT_CLASSES = {
        "line-list--cursor",
        "entry-list--unread",
        "entry-list--read",
        "entry-list--meta",
        "entry-list--saved",
    }

    def __init__(
        self,
        *,
        clock: Clock,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.clock = clock
        self.source: RowSource = EmptySource()
        self.show_feed = True

    def set_source(self, source: RowSource, *, cursor: int = 0, show_feed: bool = True) -> None:
        """List the rows of ``source``, the cursor at ``cursor`` (``show_feed``: a feed
        column)."""
        self.source = source
        self.show_feed = show_feed
        self.scroll_to(y=0, animate=False, immediate=True)
        self.rows_changed(keep_cursor=cursor)

    @property
    def current_row(self) -> Row | None:
        """The row under the cursor, or None."""
        return self.source.row(self.cursor) if len(self.source) else None

    def row_count(self) -> int:
        """How many rows the list has."""
        return len(self.source)

    def row_text(self, index: int, width: int) -> Text:
        """Row ``index`` fitted to ``width`` cells: unread mark, title, feed, age, saved mark."""
        row = self.source.row(index)
        if row is None:
            return Text("")
        meta_style = self.get_component_rich_style("entry-list--meta")
        title_style = self.get_component_rich_style(
            "entry-list--unread" if row.unread else "entry-list--read"
        )
        mark = Text("● " if row.unread else "  ", style=title_style)
        if row.saved:
            saved = Text("★", style=self.get_component_rich_style("entry-list--saved"))
        else:  # the article is kept: it opens offline
            saved = Text("·" if row.stored else " ", style=meta_style)
        when = Text(f"{age(row.date, self.clock()):>6}", style=meta_style)
        feed_width = feed_column_width(width) if self.show_feed else 0
        title_width = width - FIXED_CELLS - (feed_width + 1 if feed_width else 0)
        parts = [mark, fit(Text(row.title, style=title_style), max(1, title_width)), Text(" ")]
        if feed_width:
            parts += [fit(Text(row.feed, style=meta_style), feed_width), Text(" ")]
        parts += [when, saved]
        return Text.assemble(*parts)
