"""The history list (``H``): every page visited, newest first; Enter jumps there."""

from __future__ import annotations

from rich.text import Text

from reader.history import History
from reader.sanitize import clean_line
from reader.tui.screens.picker import PickerScreen


class HistoryScreen(PickerScreen[int]):
    """Dismisses with the index of the chosen visit in ``history.visits``, or None."""

    heading = "History: newest first; Enter goes there"
    placeholder = "filter by title or address"
    empty_text = "No page matches."

    def __init__(self, history: History) -> None:
        super().__init__()
        self.history = history

    def first_highlight(self) -> int:
        """The visit highlighted at first: the current one."""
        if self.history.index in self.values:
            return self.values.index(self.history.index)
        return 0

    def items(self, query: str) -> list[tuple[Text, int]]:
        """The visits matching ``query``, newest first, as picker options."""
        words = query.casefold().split()
        rows: list[tuple[Text, int]] = []
        for index in range(len(self.history.visits) - 1, -1, -1):
            visit = self.history.visits[index]
            if not all(w in f"{visit.title} {visit.url}".casefold() for w in words):
                continue
            here = index == self.history.index
            label = Text.assemble(
                ("▶ " if here else "  ", "bold"),
                (clean_line(visit.title) or clean_line(visit.url), "bold" if here else ""),
                "\n",
                (f"  {clean_line(visit.url)}", "dim"),
            )
            label.no_wrap = True
            label.overflow = "ellipsis"
            rows.append((label, index))
        return rows
