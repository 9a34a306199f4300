"""A cursor list that draws only the rows on screen (the Line API: ``render_line``).

Subclasses say how many rows there are and how one row looks; the list never builds
a widget per row, so 100,000 rows cost what the visible 40 cost.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineList(ScrollView, can_focus=True):
    """A focusable list of one-line rows with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", id="down", show=False),
        Binding("k,up", "cursor_up", "Up", id="up", show=False),
        Binding("g,home", "first", "Top", id="top", show=False),
        Binding("G,end", "last", "Bottom", id="bottom", show=False),
        Binding("pagedown", "page_down", "Page down", id="page-down", show=False),
        Binding("pageup", "page_up", "Page up", id="page-up", show=False),
        Binding("enter", "select", "Open", id="open"),
    ]

    COMPONENT_CLASSES = {"line-list--cursor"}

    DEFAULT_CSS = """
    LineList {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)
    """Index of the highlighted row."""

    class Highlighted(Message):
        """The cursor moved to a row."""

        def __init__(self, line_list: LineList, index: int) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index

        @property
        def control(self) -> LineList:
            return self.line_list

    class Selected(Message):
        """A row was chosen (Enter or a click)."""

        def __init__(self, line_list: LineList, index: int) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index

        @property
        def control(self) -> LineList:
            return self.line_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._strip_cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(512)

    # --- what subclasses provide -------------------------------------------------------

    def row_count(self) -> int:
        raise NotImplementedError

    def row_text(self, index: int, width: int) -> Text:
        """One row, already fitted to ``width`` cells."""
        raise NotImplementedError

    # --- state -------------------------------------------------------------------------

    def rows_changed(self, keep_cursor: int | None = None) -> None:
        """The rows changed: forget drawn lines, resize, keep the cursor in range."""
        self._strip_cache.clear()
        count = self.row_count()
        self.virtual_size = Size(self.size.width, count)
        target = self.cursor if keep_cursor is None else keep_cursor
        self.set_cursor(max(0, min(target, count - 1)), announce=False)
        self.refresh()

    def redraw(self) -> None:
        """Redraw the visible rows (their data changed, not their number)."""
        self._strip_cache.clear()
        self.refresh()

    def set_cursor(self, index: int, *, announce: bool = True) -> None:
        count = self.row_count()
        index = max(0, min(index, count - 1)) if count else 0
        self.set_reactive(LineList.cursor, index)
        self._scroll_to_cursor()
        self.refresh()
        if announce and count:
            self.post_message(self.Highlighted(self, index))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip_cache.clear()

    def on_resize(self, event: events.Resize) -> None:
        self._strip_cache.clear()
        self.virtual_size = Size(event.size.width, self.row_count())
        self._scroll_to_cursor()

    def on_focus(self) -> None:
        self._strip_cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._strip_cache.clear()
        self.refresh()

    # --- drawing -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_y = round(self.scroll_offset.y)
        width = self.scrollable_content_region.width or self.size.width
        index = scroll_y + y
        base = self.rich_style
        if index >= self.row_count():
            return Strip.blank(width, base)
        selected = index == self.cursor
        key = (index, width, selected, self.has_focus)
        cached = self._strip_cache.get(key)
        if cached is not None:
            return cached
        text = self.row_text(index, width)
        segments = list(text.render(self.app.console))
        strip = Strip(segments).crop_extend(0, width, base)
        if selected:
            cursor_style = self.get_component_rich_style("line-list--cursor")
            if not self.has_focus:
                cursor_style = Style(bgcolor=cursor_style.bgcolor)
            strip = Strip(list(Segment.apply_style(iter(strip), post_style=cursor_style)))
        strip = strip.apply_style(base)
        self._strip_cache[key] = strip
        return strip

    # --- actions -----------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.set_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self.set_cursor(0)

    def action_last(self) -> None:
        self.set_cursor(self.row_count() - 1)

    def action_page_down(self) -> None:
        self.set_cursor(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self.set_cursor(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_select(self) -> None:
        if self.row_count():
            self.post_message(self.Selected(self, self.cursor))

    def _row_at(self, event: events.MouseEvent) -> int | None:
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        index = round(self.scroll_offset.y) + offset.y
        return index if 0 <= index < self.row_count() else None

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is None:
            return
        event.stop()
        self.set_cursor(index)
        self.post_message(self.Selected(self, index))
