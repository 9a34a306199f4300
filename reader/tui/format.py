"""Small text helpers the widgets share: ages, dates, fitting text into cells."""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from reader.sanitize import clean_line

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def age(timestamp: float | None, now: float) -> str:
    """A short age: ``now``, ``5m``, ``3h``, ``12d``, ``4 Mar``, ``2024``."""
    if not timestamp:
        return ""
    seconds = now - timestamp
    if seconds < MINUTE:
        return "now"
    if seconds < HOUR:
        return f"{int(seconds // MINUTE)}m"
    if seconds < DAY:
        return f"{int(seconds // HOUR)}h"
    if seconds < 30 * DAY:
        return f"{int(seconds // DAY)}d"
    then = time.localtime(timestamp)
    if then.tm_year == time.localtime(now).tm_year:
        return time.strftime("%d %b", then).lstrip("0")
    return str(then.tm_year)


def since(timestamp: float, now: float) -> str:
    """When, as a phrase: ``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``, ``on
    4 Mar``, ``on 4 Mar 2024`` (a time ahead of ``now`` reads as just now)."""
    seconds = now - timestamp
    if seconds < MINUTE:
        return "just now"
    if seconds < HOUR:
        return f"{int(seconds // MINUTE)} min ago"
    if seconds < DAY:
        return f"{int(seconds // HOUR)} h ago"
    if seconds < 30 * DAY:
        days = int(seconds // DAY)
        return f"{days} day{'s' if days != 1 else ''} ago"
    then = time.localtime(timestamp)
    day = time.strftime("%d %b", then).lstrip("0")
    return (
        f"on {day}" if then.tm_year == time.localtime(now).tm_year else f"on {day} {then.tm_year}"
    )


def clock_time(timestamp: float) -> str:
    """``14:05`` in local time."""
    return time.strftime("%H:%M", time.localtime(timestamp))


def safe(text: str | None, style: Style | str = "") -> Text:
    """Untrusted text as one line of literal text: no markup, no control characters."""
    return Text(clean_line(text), style=style, no_wrap=True, overflow="ellipsis", end="")


def fit(text: Text, width: int) -> Text:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    if width <= 0:
        return Text("", end="")
    text = text.copy()
    text.no_wrap = True
    text.end = ""
    if cell_len(text.plain) > width:
        text.truncate(width, overflow="ellipsis")
    else:
        text.pad_right(width - cell_len(text.plain))
    return text
