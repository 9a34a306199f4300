"""The Textual app (a placeholder until the reading app lands)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from reader.core import Reader, open_reader


class ReaderApp(App[None]):
    TITLE = "reader"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, reader: Reader) -> None:
        super().__init__()
        self.reader = reader

    def compose(self) -> ComposeResult:
        yield Header()
        count = len(self.reader.feeds())
        yield Static(f"{count} feeds. The reading app is on its way.", markup=False)
        yield Footer()


def run_app(db: str | None = None, demo: bool = False) -> int:
    reader = open_reader(db)
    try:
        ReaderApp(reader).run()
    finally:
        reader.close()
    return 0
