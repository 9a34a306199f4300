"""Search (``/``): entries and cached articles as you type, best match first, then newest."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.text import Text

from reader.errors import ReaderError
from reader.models import SearchHit
from reader.sanitize import clean_line
from reader.tui.screens.picker import PickerScreen

if TYPE_CHECKING:
    from reader.core import Reader

SEARCH_LIMIT = 100


class SearchScreen(PickerScreen[SearchHit]):
    """Dismisses with the chosen hit, or None."""

    heading = "Search titles and text of every entry and cached article"
    placeholder = "words (prefixes match; accents optional)"
    empty_text = "Nothing found."

    def __init__(self, reader: Reader, initial: str = "") -> None:
        super().__init__(initial)
        self.reader = reader

    def empty_message(self, query: str) -> str:
        """Nothing is found only once something is looked for."""
        return self.empty_text if query.strip() else ""

    def items(self, query: str) -> list[tuple[Text, SearchHit]]:
        """The search hits for ``query``, best first, as picker options."""
        if not query.strip():
            return []
        try:
            hits = self.reader.search(query, limit=SEARCH_LIMIT)
        except ReaderError:
            return []
        rows: list[tuple[Text, SearchHit]] = []
        for hit in hits:
            where = clean_line(hit.feed_title) if hit.feed_title else "article"
            day = time.strftime("%Y-%m-%d", time.localtime(hit.date)) if hit.date else ""
            label = Text.assemble(
                clean_line(hit.title) or clean_line(hit.url or "") or "(untitled)",
                "\n",
                (f"  {where} · {day}" if day else f"  {where}", "dim"),
            )
            label.no_wrap = True
            label.overflow = "ellipsis"
            rows.append((label, hit))
        return rows
