"""The ``?`` screen: every key, by where it works."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

Section = tuple[str, Sequence[tuple[str, str]]]


def key_label(keys: str) -> str:
    """``j,down`` -> ``j ↓``: how a binding's keys read on the help screen."""
    names = {
        "down": "↓", "up": "↑", "left": "←", "right": "→", "enter": "Enter",
        "escape": "Esc", "tab": "Tab", "shift+tab": "Shift+Tab", "space": "Space",
        "pagedown": "PgDn", "pageup": "PgUp", "home": "Home", "end": "End",
        "question_mark": "?", "ctrl+p": "Ctrl+P", "shift+space": "Shift+Space",
        "slash": "/", "backspace": "Backspace", "alt+left": "Alt+←", "alt+right": "Alt+→",
    }  # fmt: skip
    return " ".join(names.get(key.strip(), key.strip()) for key in keys.split(","))


class HelpScreen(ModalScreen[None]):
    """Lists the sections it is given; any of Escape, ``q`` or ``?`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help-close"),
        Binding("j,down", "scroll_down", "Down", id="help-down", show=False),
        Binding("k,up", "scroll_up", "Up", id="help-up", show=False),
    ]

    def __init__(self, sections: Sequence[Section]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(self._text(), id="keys")

    def _text(self) -> Group:
        """A title, then each section as a table of two columns: the keys, and what they do
        (a long line wraps within its column, under its own start)."""
        width = max(
            (len(key_label(keys)) for _, rows in self.sections for keys, _ in rows), default=8
        )
        parts: list[RenderableType] = [
            Text.assemble(("reader: keys", "bold"), ("  (Esc, q or ? closes)", "dim"))
        ]
        for title, rows in self.sections:
            table = Table(box=None, show_header=False, padding=(0, 1), expand=False)
            table.add_column(min_width=width, no_wrap=True, style="bold")
            table.add_column(ratio=1)
            for keys, description in rows:
                table.add_row(Text(key_label(keys)), Text(description))
            parts.extend([Text(""), Text(title, style="bold underline"), table])
        return Group(*parts)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one("#dialog").scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#dialog").scroll_up()
