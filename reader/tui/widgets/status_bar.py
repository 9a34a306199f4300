"""The status line: refresh progress as a bar with counts, the last error, the articles
being fetched after a refresh ("articles 120/300"), the sync with the feed server
("sync: ..."), the last refresh."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from reader.sanitize import clean_line
from reader.tui.format import clock_time, fit

BAR_WIDTH = 16


@dataclass(frozen=True)
class Progress:
    done: int = 0
    total: int = 0
    new_entries: int = 0
    errors: int = 0


class StatusBar(Widget):
    """One line at the bottom of the main screen."""

    COMPONENT_CLASSES = {
        "status-bar--bar",
        "status-bar--bar-empty",
        "status-bar--error",
        "status-bar--dim",
    }

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.progress: Progress | None = None
        self.last_error: str | None = None
        self.last_refresh: float | None = None
        self.info = ""
        self.sync: str | None = None
        self.sync_failed = False
        self.articles: tuple[int, int] | None = None

    def set_progress(self, progress: Progress | None) -> None:
        """Show a refresh's progress (None: no refresh running)."""
        self.progress = progress
        self.refresh()

    def set_error(self, message: str | None) -> None:
        """Show the last error (None: no error to show)."""
        self.last_error = clean_line(message) if message else None
        self.refresh()

    def set_refreshed(self, when: float) -> None:
        """Say when the last refresh ended."""
        self.last_refresh = when
        self.refresh()

    def set_sync(self, text: str | None, *, failed: bool = False) -> None:
        """The sync's progress ("sync: 120/900 new entries"), its last error, or None."""
        self.sync = clean_line(text) if text else None
        self.sync_failed = failed
        self.refresh()

    def set_articles(self, done: int | None, total: int = 0) -> None:
        """The prefetch's progress ("articles 120/300"), or None when none runs."""
        self.articles = None if done is None else (done, total)
        self.refresh()

    def set_info(self, info: str) -> None:
        """Show a short piece of information on the left."""
        self.info = clean_line(info)
        self.refresh()

    def render(self) -> Text:
        """The one line: progress or info, sync, the error, the last refresh."""
        width = self.size.width
        dim = self.get_component_rich_style("status-bar--dim")
        left = Text(" ")
        if self.progress is not None:
            p = self.progress
            filled = round(BAR_WIDTH * p.done / p.total) if p.total else 0
            left.append("refreshing ")
            left.append("━" * filled, style=self.get_component_rich_style("status-bar--bar"))
            left.append(
                "━" * (BAR_WIDTH - filled),
                style=self.get_component_rich_style("status-bar--bar-empty"),
            )
            left.append(f" {p.done}/{p.total} feeds · {p.new_entries} new")
            if p.errors:
                left.append(f" · {p.errors} failed",
                            style=self.get_component_rich_style("status-bar--error"))  # fmt: skip
        elif self.info:
            left.append(self.info, style=dim)
        right = Text(style=dim)
        if self.articles is not None and self.articles[1]:
            right.append(f"articles {self.articles[0]}/{self.articles[1]}  ")
        if self.sync:
            style = self.get_component_rich_style("status-bar--error") if self.sync_failed else dim
            sync = Text(self.sync, style=style)
            room = max(8, width // 3)
            right.append(fit(sync, room) if sync.cell_len > room else sync)
            right.append("  ")
        if self.last_refresh is not None:
            right.append(f"refreshed {clock_time(self.last_refresh)} ")
        middle = Text("")
        if self.last_error:
            middle = Text(f"! {self.last_error}", style=self.get_component_rich_style(
                "status-bar--error"))  # fmt: skip
        room = width - left.cell_len - right.cell_len
        if room > 4 and middle.plain:
            middle = fit(Text("  ") + middle, room)
        else:
            middle = fit(Text(""), max(0, room))
        line = Text.assemble(left, middle, right)
        line.no_wrap = True
        line.truncate(width, overflow="ellipsis")
        return line
