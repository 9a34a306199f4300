"""A cursor list that draws only the rows on screen (the Line API: ``render_line``).

Subclasses say how many rows there are and how one row looks; the list never builds
a widget per row, so 100,000 rows cost what the visible 40 cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.dom import NoScreen
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from reader.tui.actions import bindings


class LineList(ScrollView, can_focus=True):
    """A focusable list of one-line rows with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("lists")]

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
            """The list that sent it."""
            return self.line_list

    class Selected(Message):
        """A row was chosen (Enter or a click)."""

        def __init__(self, line_list: LineList, index: int) -> None:
            super().__init__()
            self.line_list = line_list
            self.index = index

        @property
        def control(self) -> LineList:
            """The list that sent it."""
            return self.line_list

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        # a few screens: each strip keeps the strips cut from it, all tracked by the collector
        self._strip_cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(192)
        self._styles_seen = 0
        """Bumped when the styles change: the drawing context below is then stale."""
        self._drawing: tuple[object, tuple[int, Style, Style]] | None = None

    # --- what subclasses provide -------------------------------------------------------

    def row_count(self) -> int:
        """How many rows there are (subclasses say)."""
        raise NotImplementedError

    def row_text(self, index: int, width: int) -> Text:
        """One row, already fitted to ``width`` cells."""
        raise NotImplementedError

    # --- state -------------------------------------------------------------------------

    def rows_changed(self, keep_cursor: int | None = None) -> None:
        """The rows changed: forget drawn lines, resize, keep the cursor in range."""
        self._strip_cache.clear()
        count = self.row_count()
        self._set_row_count(count)
        target = self.cursor if keep_cursor is None else keep_cursor
        self.set_cursor(max(0, min(target, count - 1)), announce=False)
        self.refresh()

    def _set_row_count(self, count: int) -> None:
        """Size the scrollable area to ``count`` rows without a layout of the screen when
        the scrollbar stays as it is (``virtual_size`` is a layout reactive: setting it
        lays out every widget, ~30 ms, though the list's own size does not change)."""
        size = Size(self.size.width, count)
        if size == self.virtual_size:
            return
        height = self.container_size.height
        if (
            not self.is_mounted
            or not height
            or self.styles.overflow_y != "auto"
            or (count > height) != self.show_vertical_scrollbar
            or self.show_horizontal_scrollbar
        ):
            self.virtual_size = size  # the scrollbar comes or goes: lay out
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)  # the scrollbar's thumb, and scroll_y kept in range

    def flush_repaint(self) -> None:
        """Hand this list's pending repaint (and its scrollbar's) to the screen now.

        A widget asks the screen to draw it once its own message queue is empty, which can
        be just after the screen has drawn a frame: a change made from another widget's
        message (a feed highlighted, its entries listed) then costs a second frame."""
        self._check_refresh()
        if self._vertical_scrollbar is not None:
            self._vertical_scrollbar._check_refresh()

    def redraw(self) -> None:
        """Redraw the visible rows (their data changed, not their number)."""
        self._strip_cache.clear()
        self.refresh()

    def redraw_rows(self, indexes: Iterable[int]) -> None:
        """Redraw only these rows (their data changed): the rest of the list stays drawn."""
        wanted = set(indexes)
        drawn = self._strip_cache.keys()
        for key in [key for key in drawn if key[0] in wanted]:
            self._strip_cache.discard(key)
        top, height = round(self.scroll_y), self.size.height
        for index in wanted:
            if top <= index < top + height:
                self.refresh_line(index)

    def set_cursor(self, index: int, *, announce: bool = True) -> None:
        """Move the cursor to ``index`` (kept in range); ``announce`` posts Highlighted."""
        count = self.row_count()
        index = max(0, min(index, count - 1)) if count else 0
        old = self.cursor
        self.set_reactive(LineList.cursor, index)
        if self._scroll_to_cursor():
            self.refresh()
        else:  # only the two rows the cursor left and reached change
            top, height = round(self.scroll_y), self.size.height
            for row in {old, index}:
                if top <= row < top + height:
                    self.refresh_line(row)
        if announce and count:
            self._announce(self.Highlighted(self, index))

    def _announce(self, message: Message) -> None:
        """Post straight to the screen: it handles the message before this list's own
        repaint reaches it, so what the message changes (the entries of a newly
        highlighted feed) is drawn in the same frame as the cursor, not one frame later."""
        try:
            screen = self.screen
        except NoScreen:
            self.post_message(message)
        else:
            screen.post_message(message)

    def _scroll_to_cursor(self) -> bool:
        """Scroll so the cursor is on screen; whether the list scrolled."""
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return False
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        return round(self.scroll_y) != top

    def notify_style_update(self) -> None:
        """The theme changed: the drawn lines are stale."""
        super().notify_style_update()
        self._strip_cache.clear()
        self._styles_seen += 1

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

    def _drawing_context(self) -> tuple[int, Style, Style]:
        """Width, base style and cursor style: the same for every line of a frame, and
        costly to work out per line (``rich_style`` walks every ancestor's styles)."""
        has_focus = self.has_focus
        key = (self._styles_seen, self.size, self.show_vertical_scrollbar, has_focus)
        if self._drawing is not None and self._drawing[0] == key:
            return self._drawing[1]
        width = self.scrollable_content_region.width or self.size.width
        cursor_style = self.get_component_rich_style("line-list--cursor")
        if not has_focus:
            cursor_style = Style(bgcolor=cursor_style.bgcolor)
        context = (width, self.rich_style, cursor_style)
        self._drawing = (key, context)
        return context

    def render_line(self, y: int) -> Strip:
        width, base, cursor_style = self._drawing_context()
        index = round(self.scroll_offset.y) + y
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
