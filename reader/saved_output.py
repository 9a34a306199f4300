"""``reader saved``: the reading list as text, Markdown or JSON (pure; no I/O)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from reader.models import SavedArticle
from reader.sanitize import clean_line, clean_text

SavedFormat = Literal["text", "markdown", "json"]


def saved_at_iso(timestamp: float) -> str:
    """Local time with its offset, to the second: ``2026-11-28T14:05:09+01:00``."""
    return datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def _body_text(item: SavedArticle) -> str:
    return clean_text(item.text).strip()


def _body_markdown(item: SavedArticle) -> str:
    if item.article is not None:
        from reader.render import to_markdown

        return clean_text(to_markdown(item.article)).strip()
    from reader.render import escape_markdown

    return escape_markdown(clean_text(item.text)).strip()


def _as_dict(item: SavedArticle) -> dict[str, Any]:
    return {
        "title": item.title,
        "url": item.url,
        "site": item.site,
        "saved_at": saved_at_iso(item.saved_at),
        "reached_from": item.reached_from,
        "text": item.text,
    }


def format_saved(items: Sequence[SavedArticle], format: SavedFormat = "text") -> str:
    """Each saved article: title, URL, site, when saved, what it was reached from, text."""
    if format == "json":
        return json.dumps([_as_dict(i) for i in items], ensure_ascii=False, indent=2) + "\n"
    if not items:
        return "" if format == "markdown" else "the reading list is empty: press s on an article\n"
    parts: list[str] = []
    for item in items:
        fields = [
            ("URL", clean_line(item.url)),
            ("Site", clean_line(item.site) or "-"),
            ("Saved", saved_at_iso(item.saved_at)),
            ("Reached from", clean_line(item.reached_from) or "-"),
        ]
        title = clean_line(item.title) or clean_line(item.url)
        if format == "markdown":
            from reader.render import escape_markdown

            lines = [f"# {escape_markdown(title)}", ""]
            lines += [f"- {name}: {escape_markdown(value)}" for name, value in fields]
            lines += ["", _body_markdown(item)]
            parts.append("\n".join(lines).rstrip() + "\n")
        else:
            lines = [title, "=" * min(len(title), 72)]
            lines += [f"{name + ':':<14}{value}" for name, value in fields]
            lines += ["", _body_text(item)]
            parts.append("\n".join(lines).rstrip() + "\n")
    separator = "\n---\n\n" if format == "markdown" else "\n" + "-" * 72 + "\n\n"
    return separator.join(parts)
