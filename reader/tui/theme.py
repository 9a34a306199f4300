"""The built-in theme. Theme files in ``themes/`` (and the user's themes dir) come later
and may override it by name; this one guarantees the default ``Config.theme`` exists."""

from __future__ import annotations

from textual.theme import Theme

READER_DARK = Theme(
    name="reader-dark",
    primary="#5f9ec8",
    secondary="#8fb573",
    accent="#e0a458",
    foreground="#d6d6d0",
    background="#1b1d21",
    surface="#22252a",
    panel="#2c3037",
    warning="#e5c07b",
    error="#e06c75",
    success="#98c379",
    dark=True,
)

BUILT_IN_THEMES: tuple[Theme, ...] = (READER_DARK,)
