"""Browser-like navigation between articles: back, forward, jump; kept across restarts.

Pure and small: a list of visits and a cursor. Visiting from the middle drops the forward
part, as a browser does; the list keeps the last ``limit`` pages, so a loop of pages that
link to each other never grows memory without bound.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Final

HISTORY_LIMIT: Final = 500


@dataclass(frozen=True)
class Visit:
    url: str
    title: str = ""
    scroll: float = 0.0  # where the reader was in the article
    entry_id: int | None = None  # the feed entry it was opened from, if any
    reached_from: str | None = None  # the article whose link led here


@dataclass
class History:
    visits: list[Visit] = field(default_factory=list)
    index: int = -1  # the current visit; -1 when empty
    limit: int = HISTORY_LIMIT

    @property
    def current(self) -> Visit | None:
        return self.visits[self.index] if 0 <= self.index < len(self.visits) else None

    @property
    def can_go_back(self) -> bool:
        return self.index > 0

    @property
    def can_go_forward(self) -> bool:
        return self.index < len(self.visits) - 1

    def visit(self, visit: Visit) -> Visit:
        """Go to a new page: the forward part is dropped; the same page twice is one visit."""
        current = self.current
        if current is not None and current.url == visit.url:
            self.visits[self.index] = replace(visit, scroll=current.scroll)
            return self.visits[self.index]
        del self.visits[self.index + 1 :]
        self.visits.append(visit)
        overflow = len(self.visits) - self.limit
        if overflow > 0:
            del self.visits[:overflow]
        self.index = len(self.visits) - 1
        return visit

    def back(self) -> Visit | None:
        if not self.can_go_back:
            return None
        self.index -= 1
        return self.current

    def forward(self) -> Visit | None:
        if not self.can_go_forward:
            return None
        self.index += 1
        return self.current

    def go_to(self, index: int) -> Visit | None:
        if not 0 <= index < len(self.visits):
            return None
        self.index = index
        return self.current

    def remember_scroll(self, scroll: float) -> None:
        """Keep the reading position of the current page, for when the user comes back."""
        if self.current is not None:
            self.visits[self.index] = replace(self.current, scroll=scroll)

    def to_json(self) -> str:
        return json.dumps(
            {"index": self.index, "visits": [asdict(v) for v in self.visits]},
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | None, limit: int = HISTORY_LIMIT) -> History:
        """A history from its JSON; anything unreadable gives an empty one."""
        try:
            data: dict[str, Any] = json.loads(raw or "{}")
            visits = [Visit(**v) for v in data.get("visits", [])][-limit:]
            index = int(data.get("index", len(visits) - 1))
        except (ValueError, TypeError):
            return cls(limit=limit)
        index = min(max(index, -1 if not visits else 0), len(visits) - 1)
        return cls(visits=visits, index=index, limit=limit)
