"""The footer: the keys of the focused pane, drawn as one line by one widget.

Textual's ``Footer`` makes a widget per key and builds them all again whenever the focus
moves (Tab, Enter, Escape): about 110 ms of CPU with the main screen's 15 keys, after the
frame that moved the focus, so the screen was not whole again until then. This one looks
the same (key in bold, its description, the palette key on the right) and redraws its
line in place. A click on a key presses it; the pointer over one shows its help.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget


@dataclass(frozen=True)
class FooterItem:
    """One key as the footer shows it."""

    key: str
    """The key pressed when the item is clicked."""
    label: str
    """The key as shown (``⏎``, ``^p``)."""
    description: str
    tooltip: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    """The active bindings of the screen, one line at the bottom."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--separator"}

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: tuple[FooterItem, ...] = ()
        """The keys shown on the left, in the screen's order."""
        self.palette: FooterItem | None = None
        """The command palette's key, shown on the right."""
        self._spans: list[tuple[int, int, FooterItem]] = []
        """Where each item was drawn: start and end column."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if not self.app.app_focus or screen is not self.screen:
            return
        items: list[FooterItem] = []
        seen: set[str] = set()
        palette: FooterItem | None = None
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            item = FooterItem(binding.key, self.app.get_key_display(binding),
                              binding.description, tooltip or binding.tooltip
                              or binding.description, enabled)  # fmt: skip
            if binding.key == self.app.COMMAND_PALETTE_BINDING and self.app.ENABLE_COMMAND_PALETTE:
                palette = item
            elif binding.show and binding.action not in seen:
                seen.add(binding.action)  # one item per action, as Textual's footer
                items.append(item)
        if (tuple(items), palette) != (self.items, self.palette):
            self.items, self.palette = tuple(items), palette
            self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        blank = Style(bgcolor=base.bgcolor)  # spaces carry no colour, as in Textual's
        if y != 0 or width <= 0:
            return Strip.blank(width, blank)
        key_style = base + self.get_component_rich_style("key-footer--key")
        description_style = base + self.get_component_rich_style("key-footer--description")
        dim = Style(dim=True)
        right: list[Segment] = []
        palette = self.palette
        if palette is not None:
            # as Textual draws its palette key: a thin rule, the key, then the words
            separator = base + self.get_component_rich_style("key-footer--separator")
            right = [Segment("▏", separator), Segment(palette.label, key_style)]
            if palette.description:
                right.append(Segment(f" {palette.description}", description_style))
            right.append(Segment(" ", blank))
        room = max(0, width - Segment.get_line_length(right))
        left: list[Segment] = []
        self._spans = []
        column = 0
        for item in self.items:
            segments = [Segment(f" {item.label} ", key_style)]
            if item.description:
                segments.append(Segment(f"{item.description} ", description_style))
            if not item.enabled:
                segments = [Segment(s.text, (s.style or base) + dim) for s in segments]
            size = Segment.get_line_length(segments)
            left.extend(segments)
            self._spans.append((column, min(column + size, room), item))
            column += size
        if palette is not None:
            self._spans.append((room, width, palette))
        # the palette key lies over the end of a row of keys too long for the line
        line = Strip(left).crop_extend(0, room, blank)
        return Strip([*line, *right]).crop_extend(0, width, blank)

    def _item_at(self, x: int) -> FooterItem | None:
        for start, end, item in self._spans:
            if start <= x < end:
                return item
        return None

    def on_click(self, event: events.Click) -> None:
        item = self._item_at(event.x)
        if item is None:
            return
        event.stop()
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event.x)
        self.tooltip = item.tooltip if item is not None else None
