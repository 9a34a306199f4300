"""A feed's settings (``e``): title, folder, full text, refresh interval, user agent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from reader.models import FULL_TEXT_MODES, Feed
from reader.sanitize import clean_line

FULL_TEXT_LABELS = {
    "auto": "auto: the page, unless the feed carries the whole article",
    "always": "always: fetch each entry's page",
    "never": "never: show the feed's content",
}


@dataclass(frozen=True)
class FeedSettings:
    """What the dialog sets (each as ``Reader.edit_feed`` takes it)."""

    title: str
    folder: str
    full_text: str
    refresh_minutes: int
    user_agent: str


class FeedSettingsScreen(ModalScreen[FeedSettings | None]):
    """Dismisses with the feed's settings, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="settings-cancel"),
    ]

    def __init__(self, feed: Feed) -> None:
        super().__init__()
        self.feed = feed

    def compose(self) -> ComposeResult:
        feed = self.feed
        found = {"feed": " (auto found the feed whole)", "page": " (auto fetches pages)"}
        # scrolls on a short terminal: at 24 rows the buttons were below its edge
        with VerticalScroll(id="dialog"):
            yield Label(f"Settings of {clean_line(feed.url)}", markup=False)
            yield Label("Title (empty: the feed's own)")
            yield Input(value=feed.title or "", id="title")
            yield Label("Folder (empty: none)")
            yield Input(value=feed.folder or "", id="folder")
            yield Label("Full text" + found.get(feed.full_text_found or "", ""))
            yield Select(
                [(FULL_TEXT_LABELS[mode], mode) for mode in FULL_TEXT_MODES],
                value=feed.full_text, allow_blank=False, id="full-text",
            )  # fmt: skip
            yield Label("Refresh every N minutes (0: as the config says)")
            yield Input(value=str(feed.refresh_minutes or 0), type="integer", id="minutes")
            yield Label("User agent (empty: reader's)")
            yield Input(value=feed.user_agent or "", id="agent")
            with Horizontal(id="buttons"):
                yield Button("Save", id="save", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        minutes = self.query_one("#minutes", Input).value.strip() or "0"
        if not minutes.isdigit() or int(minutes) > 100_000:
            self.notify("Refresh minutes: a whole number, 0 to 100000", severity="warning")
            self.query_one("#minutes", Input).focus()
            return
        self.dismiss(
            FeedSettings(
                title=self.query_one("#title", Input).value.strip(),
                folder=self.query_one("#folder", Input).value.strip(),
                full_text=str(self.query_one("#full-text", Select).value),
                refresh_minutes=int(minutes),
                user_agent=self.query_one("#agent", Input).value.strip(),
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
