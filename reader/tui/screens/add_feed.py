"""The add-a-feed dialog: a feed URL or a page whose feed is found, and a folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


@dataclass(frozen=True)
class NewFeed:
    url: str
    folder: str | None


class AddFeedScreen(ModalScreen[NewFeed | None]):
    """Dismisses with what to subscribe to, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="add-cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Add a feed: its address, or a web page that links to it")
            yield Input(placeholder="https://example.com/", id="url")
            yield Label("Folder (optional)")
            yield Input(placeholder="News", id="folder")
            with Horizontal(id="buttons"):
                yield Button("Add", id="add", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#url", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter adds, from either field: the folder is optional."""
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "add":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        url = self.query_one("#url", Input).value.strip()
        if not url:
            self.notify("Type the address of a feed or of a site", severity="warning")
            self.query_one("#url", Input).focus()
            return
        folder = self.query_one("#folder", Input).value.strip() or None
        self.dismiss(NewFeed(url, folder))

    def action_cancel(self) -> None:
        self.dismiss(None)
