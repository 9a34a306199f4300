"""``reader saved``: the reading list as text, Markdown or JSON (pure; no I/O)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Literal

from reader.models import SavedArticle, local_iso
from reader.sanitize import clean_line, clean_text

SavedFormat = Literal["text", "markdown", "json"]


def _body_text(item: SavedArticle) -> str:
    return clean_text(item.text).strip()


def _body_markdown(item: SavedArticle) -> str:
    if item.article is not None:
        from reader.render import to_markdown

        return clean_text(to_markdown(item.article)).strip()
    from reader.render import escape_markdown

    return escape_markdown(clean_text(item.text)).strip()


def format_saved(items: Sequence[SavedArticle], format: SavedFormat = "text") -> str:
    """Each saved article: title, URL, site, when saved, what it was reached from, text."""
    if format == "json":
        return json.dumps([item.to_dict() for item in items], ensure_ascii=False, indent=2) + "\n"
    if not items:
        return "" if format == "markdown" else "the reading list is empty: press s on an article\n"
    parts: list[str] = []
    for item in items:
        fields = [
            ("URL", clean_line(item.url)),
            ("Site", clean_line(item.site) or "-"),
            ("Saved", local_iso(item.saved_at)),
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
