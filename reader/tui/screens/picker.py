"""A filterable list in a dialog: the base of the link picker, the history and search.

An ``Input`` on top filters (or searches) as the user types; Up/Down move through the
list while the Input keeps focus; Enter chooses; Escape cancels. Every label is built
from untrusted text with :func:`reader.sanitize.clean_line` into ``Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

T = TypeVar("T")


class PickerScreen(ModalScreen[T | None], Generic[T]):
    """Dismisses with the chosen item's value, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker-cancel"),
        Binding("down", "move(1)", "Down", id="picker-down", show=False, priority=True),
        Binding("up", "move(-1)", "Up", id="picker-up", show=False, priority=True),
        Binding("pagedown", "move(10)", "Page down", id="picker-page-down", show=False),
        Binding("pageup", "move(-10)", "Page up", id="picker-page-up", show=False),
    ]

    heading = "Choose"
    placeholder = "type to filter"
    empty_text = "Nothing matches."

    def __init__(self, initial: str = "") -> None:
        super().__init__()
        self.initial = initial
        self.values: list[T] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="picker"):
            yield Label(Content(self.heading), id="picker-title")
            yield Input(value=self.initial, placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-options")
            yield Label("", id="picker-empty")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.show_items(self.items(self.initial), self.initial)

    def items(self, query: str) -> Sequence[tuple[Text, T]]:
        """The (label, value) rows for ``query``; subclasses decide."""
        raise NotImplementedError

    def first_highlight(self) -> int:
        """The option highlighted when the picker opens (subclasses choose)."""
        return 0

    def empty_message(self, query: str) -> str:
        """What an empty list says for ``query`` (subclasses may say nothing to a blank one)."""
        return self.empty_text

    def show_items(self, rows: Sequence[tuple[Text, T]], query: str = "") -> None:
        """List the options matching what is typed."""
        options = self.query_one(OptionList)
        options.clear_options()
        self.values = [value for _, value in rows]
        options.add_options([Option(label) for label, _ in rows])
        if rows:
            options.highlighted = min(self.first_highlight(), len(rows) - 1)
        empty = self.query_one("#picker-empty", Label)
        message = self.empty_message(query) if not rows else ""
        empty.update(Content(message))
        empty.display = bool(message)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.show_items(self.items(event.value), event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def _choose(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.values):
            self.dismiss(self.values[index])

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.values:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(len(self.values) - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
