"""The link picker (``L``): the open article's links, filtered by text and URL as you type."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from reader.models import Link
from reader.sanitize import clean_line
from reader.tui.screens.picker import PickerScreen


def link_matches(link: Link, query: str) -> bool:
    """Every word of ``query`` is in the link's text or URL (case-insensitive)."""
    haystack = f"{link.text} {link.url}".casefold()
    return all(word in haystack for word in query.casefold().split())


class LinkPickerScreen(PickerScreen[int]):
    """Dismisses with the chosen link's number (1-based), or None."""

    heading = "Follow a link: type to filter by text or address, Enter follows"
    placeholder = "filter links"
    empty_text = "No link matches."

    def __init__(
        self, links: Sequence[Link], kinds: Sequence[str], highlighted: int | None
    ) -> None:
        """``kinds``: what each link is ("" for the body's, "related", "more on this
        story"), said beside it."""
        super().__init__()
        self.links = list(links)
        self.kinds = list(kinds)
        self.highlighted = highlighted

    def first_highlight(self) -> int:
        """The link highlighted at first: the one highlighted in the reader."""
        if self.highlighted is not None and self.highlighted in self.values:
            return self.values.index(self.highlighted)
        return 0

    def items(self, query: str) -> list[tuple[Text, int]]:
        """The links whose text or address holds ``query``, as picker options."""
        rows: list[tuple[Text, int]] = []
        for number, link in enumerate(self.links, start=1):
            if not link_matches(link, query):
                continue
            kind = self.kinds[number - 1] if number <= len(self.kinds) else ""
            label = Text.assemble(
                (f"[{number}] ", "dim"),
                clean_line(link.text) or clean_line(link.url),
                (f"  {kind}" if kind else "", "italic"),
                "\n",
                (f"    {clean_line(link.url)}", "dim"),
            )
            label.no_wrap = True
            label.overflow = "ellipsis"
            rows.append((label, number))
        return rows
