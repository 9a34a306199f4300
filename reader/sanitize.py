"""Untrusted text is data: strip what could drive a terminal before anyone shows it."""

from __future__ import annotations

import re
from typing import Final

# C0 controls but \t and \n, DEL, C1 controls, bidi embeddings/overrides/isolates,
# and the line/paragraph separators some terminals treat as newlines.
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)
_ESCAPE_SEQUENCE: Final = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|.)")


def clean_text(text: str | None) -> str:
    """``text`` without escape sequences or control characters (keeps ``\\n`` and ``\\t``)."""
    if not text:
        return ""
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE.sub("", text)
    return _UNSAFE.sub("", text)


def clean_line(text: str | None) -> str:
    """``clean_text`` on one line: newlines and tabs become spaces, runs of spaces fold."""
    return " ".join(clean_text(text).split())
