"""What the app tells the user, as plain text: built here, shown by the screens.

Pure functions (no Textual), so the wording of each notice has plain tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reader.models import Feed, FeedFailure, RefreshReport
from reader.sanitize import clean_line
from reader.tui.format import since

FAILURES_LISTED = 3
"""Failed feeds named in a refresh's notice; the rest are counted."""


@dataclass(frozen=True)
class Notice:
    title: str
    text: str


def refresh_failures(failures: Sequence[FeedFailure], titles: Mapping[str, str]) -> Notice:
    """The feeds a refresh could not read, the first few by name."""
    lines = [
        f"{clean_line(titles.get(f.url, f.url))}: {clean_line(f.message)}"
        for f in failures[:FAILURES_LISTED]
    ]
    more = len(failures) - len(lines)
    if more > 0:
        lines.append(f"and {more} more (see `reader feeds`)")
    count = len(failures)
    return Notice(f"{count} feed{'s' if count != 1 else ''} failed", "\n".join(lines))


def refresh_summary(report: RefreshReport, unread: int) -> str:
    return f"{report.new_entries} new · {unread} unread"


def feed_error(feed: Feed, now: float) -> str | None:
    """The line at the top of a failing feed's list: its message and when."""
    if not feed.last_error:
        return None
    when = f" ({since(feed.last_error_at, now)})" if feed.last_error_at else ""
    return f"⚠ {clean_line(feed.last_error)}{when}"


def start_problems(problems: Sequence[str]) -> Notice | None:
    """Everything wrong with the config, the keys and the themes, in one notice."""
    if not problems:
        return None
    count = len(problems)
    title = "The config has a problem" if count == 1 else f"The config has {count} problems"
    return Notice(title, "\n".join(f"• {clean_line(problem)}" for problem in problems))


def mark_read_question(entries: int, feeds: int, where: str) -> str:
    return f"Mark {entries:,} entries of {feeds:,} feeds read ({where})?"


def marked_read(entries: int) -> str:
    """What ``A`` did, counted as its question counts."""
    return f"Marked {entries:,} entr{'y' if entries == 1 else 'ies'} read"
