"""What the app says, as plain text: no screen needed."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from reader.models import Feed
from reader.tui.format import since
from reader.tui.notices import feed_error, marked_read
from tests.conftest import FROZEN_NOW

DAY = 86400.0


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Dates in UTC, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (0, "just now"),  # it said "(now ago)"
        (-3600, "just now"),  # a clock behind the server's
        (300, "5 min ago"),
        (3 * 3600, "3 h ago"),
        (DAY, "1 day ago"),
        (12 * DAY, "12 days ago"),
        (60 * DAY, "on 5 Oct"),
        (400 * DAY, "on 30 Oct 2025"),  # it said "(2025 ago)"
    ],
)
def test_since(ago: float, said: str, utc: None) -> None:
    assert since(FROZEN_NOW - ago, FROZEN_NOW) == said


def test_a_feed_error_says_what_and_when() -> None:
    feed = Feed(1, "https://a.example/feed", last_error="HTTP 500 Internal Server Error",
                last_error_at=FROZEN_NOW - 7200)  # fmt: skip
    assert feed_error(feed, FROZEN_NOW) == "⚠ HTTP 500 Internal Server Error (2 h ago)"
    assert feed_error(Feed(2, "https://b.example/feed"), FROZEN_NOW) is None


def test_marked_read_counts_as_the_question_did() -> None:
    # "Mark 11,996 entries of 291 feeds read (All)?", then "Marked 11996 entries read";
    # and a feed of one unread entry said "Marked 1 entries read"
    assert marked_read(11996) == "Marked 11,996 entries read"
    assert marked_read(1) == "Marked 1 entry read"
    assert marked_read(0) == "Marked 0 entries read"
