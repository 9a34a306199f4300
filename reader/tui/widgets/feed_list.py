"""The feeds pane: All, Unread and Reading list at the top, then folders and feeds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual import events
from textual.binding import BindingType

from reader.models import Feed
from reader.sanitize import clean_line, clean_text
from reader.tui.actions import bindings
from reader.tui.format import fit
from reader.tui.widgets.line_list import LineList

RowKind = Literal["all", "unread", "saved", "folder", "feed"]


@dataclass(frozen=True)
class FeedRow:
    """One row of the feeds pane. ``key`` names the selection ("feed:12", "folder:News")."""

    kind: RowKind
    key: str
    label: str
    unread: int = 0
    feed: Feed | None = None
    folder: str | None = None
    folded: bool = False
    depth: int = 0

    @property
    def error(self) -> str | None:
        """The feed's last error, if it is a failing feed."""
        return self.feed.last_error if self.feed is not None else None


class FeedList(LineList):
    """Feeds by folder, with unread counts and error marks (hover for the message)."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("feeds")]

    COMPONENT_CLASSES = {
        "line-list--cursor",
        "feed-list--count",
        "feed-list--error",
        "feed-list--folder",
        "feed-list--special",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.feeds: list[Feed] = []
        self.saved_count = 0
        self.listed_unread: int | None = None
        """Unread entries as All and Unread list them (duplicates once); None: the sum."""
        self.folder_repeats: dict[str, int] = {}
        """Folder -> unread entries two of its feeds have: its count is the sum less these."""
        self.folded: set[str] = set()
        self.rows: list[FeedRow] = []

    # --- data --------------------------------------------------------------------------

    def set_feeds(
        self,
        feeds: Iterable[Feed],
        saved_count: int,
        listed_unread: int | None = None,
        folder_repeats: dict[str, int] | None = None,
    ) -> None:
        """New feeds or counts: rebuild the rows, keeping the cursor on the same key."""
        current = self.current_key
        self.feeds = list(feeds)
        self.saved_count = saved_count
        self.listed_unread = listed_unread
        self.folder_repeats = folder_repeats or {}
        self._build()
        self.rows_changed(keep_cursor=self.index_of(current) if current else 0)

    def set_unread_counts(
        self,
        counts: dict[int, int],
        saved_count: int,
        listed_unread: int | None = None,
        folder_repeats: dict[str, int] | None = None,
    ) -> None:
        """New unread counts (feed id -> count; ``listed_unread``: All's, an entry two
        feeds have counted once; ``folder_repeats``: the same within each folder), drawn
        without rebuilding the rows."""
        from dataclasses import replace

        self.feeds = [replace(f, unread_count=counts.get(f.id, 0)) for f in self.feeds]
        self.saved_count = saved_count
        self.listed_unread = listed_unread
        self.folder_repeats = folder_repeats or {}
        current = self.current_key
        self._build()
        self.rows_changed(keep_cursor=self.index_of(current) if current else None)

    def add_unread(self, feed_id: int, delta: int) -> None:
        """One feed's unread count moved by ``delta`` (an entry was read or unread here):
        no query, and only the rows whose counts changed are drawn again."""
        from dataclasses import replace

        self.feeds = [
            replace(f, unread_count=max(0, f.unread_count + delta)) if f.id == feed_id else f
            for f in self.feeds
        ]
        if self.listed_unread is not None:
            self.listed_unread = max(0, self.listed_unread + delta)
        before = self.rows
        self._build()
        if len(before) != len(self.rows):
            self.rows_changed()
            return
        self.redraw_rows(
            i for i, (a, b) in enumerate(zip(before, self.rows, strict=True)) if a != b
        )

    @property
    def unread_total(self) -> int:
        """The count of All and Unread: an entry two feeds have counts once."""
        if self.listed_unread is not None:
            return self.listed_unread
        return sum(f.unread_count for f in self.feeds)

    def _build(self) -> None:
        total = self.unread_total
        rows = [
            FeedRow("all", "all", "All", total),
            FeedRow("unread", "unread", "Unread", total),
            FeedRow("saved", "saved", "Reading list", self.saved_count),
        ]
        loose = [f for f in self.feeds if not f.folder]
        folders: dict[str, list[Feed]] = {}
        for feed in self.feeds:
            if feed.folder:
                folders.setdefault(feed.folder, []).append(feed)
        for name, members in folders.items():
            folded = name in self.folded
            rows.append(
                FeedRow(
                    "folder",
                    f"folder:{name}",
                    clean_line(name),
                    max(0, sum(f.unread_count for f in members) - self.folder_repeats.get(name, 0)),
                    folder=name,
                    folded=folded,
                )
            )
            if not folded:
                rows.extend(self._feed_row(f, depth=1) for f in members)
        rows.extend(self._feed_row(f, depth=0) for f in loose)
        self.rows = rows

    @staticmethod
    def _feed_row(feed: Feed, depth: int) -> FeedRow:
        return FeedRow(
            "feed",
            f"feed:{feed.id}",
            clean_line(feed.display_title),
            feed.unread_count,
            feed=feed,
            folder=feed.folder,
            depth=depth,
        )

    @property
    def current(self) -> FeedRow | None:
        """The row under the cursor, or None."""
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor (what is remembered between runs)."""
        row = self.current
        return row.key if row else None

    def index_of(self, key: str) -> int | None:
        """The position of the row with ``key``, or None."""
        for index, row in enumerate(self.rows):
            if row.key == key:
                return index
        if key.startswith("feed:"):  # inside a folded folder: open it
            for feed in self.feeds:
                if f"feed:{feed.id}" == key and feed.folder in self.folded:
                    self.folded.discard(feed.folder)
                    self._build()
                    return self.index_of(key)
        return None

    def select_key(self, key: str, *, announce: bool = True) -> bool:
        """Put the cursor on the row with ``key``; ``announce`` tells the screen."""
        index = self.index_of(key)
        if index is None:
            return False
        self.rows_changed(keep_cursor=index)
        self.set_cursor(index, announce=announce)
        return True

    # --- drawing -----------------------------------------------------------------------

    def row_count(self) -> int:
        """How many rows the pane has (folded folders hide theirs)."""
        return len(self.rows)

    def row_text(self, index: int, width: int) -> Text:
        """Row ``index`` fitted to ``width`` cells: its label, error mark and unread count."""
        row = self.rows[index]
        count_style = self.get_component_rich_style("feed-list--count")
        count = Text(f" {row.unread}" if row.unread else "", style=count_style)
        mark = Text("")
        if row.error:
            mark = Text(" !", style=self.get_component_rich_style("feed-list--error"))
        if row.kind == "folder":
            prefix = "▸ " if row.folded else "▾ "
            style = self.get_component_rich_style("feed-list--folder")
        elif row.kind == "feed":
            prefix = "  " * row.depth + "  "
            style = None
        else:
            prefix = ""
            style = self.get_component_rich_style("feed-list--special")
        label = Text(prefix + row.label, style=style or "")
        right = Text.assemble(mark, count)
        left_width = max(1, width - right.cell_len - 1)
        return Text.assemble(fit(label, left_width), " ", right)

    # --- folding and hover -------------------------------------------------------------

    def _set_folded(self, folded: bool) -> None:
        row = self.current
        if row is None or row.folder is None:
            return
        if folded:
            self.folded.add(row.folder)
        else:
            self.folded.discard(row.folder)
        self._build()
        self.rows_changed(keep_cursor=self.index_of(f"folder:{row.folder}"))

    def action_fold(self) -> None:
        self._set_folded(True)

    def action_unfold(self) -> None:
        self._set_folded(False)

    def toggle_fold(self) -> None:
        """Open or close the folder ``folder``."""
        row = self.current
        if row is not None and row.kind == "folder":
            self._set_folded(not row.folded)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._row_at(event)
        row = self.rows[index] if index is not None else None
        if row is not None and row.error:
            self.tooltip = Text(clean_text(f"{row.label}: {row.error}"))
        else:
            self.tooltip = None

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is None:
            return
        row = self.rows[index]
        offset = event.get_content_offset(self)
        if row.kind == "folder" and offset is not None and offset.x < 2:
            event.stop()
            self.set_cursor(index)
            self.toggle_fold()
            return
        super().on_click(event)
