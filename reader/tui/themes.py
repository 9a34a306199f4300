"""Themes: the built-in fallback, and theme files (one palette per TOML file) loaded at
start beside Textual's own themes.

Ours come from the top-level ``themes/`` folder (shipped in the wheel as
``reader/themes``); files in the user's themes dir load after them and win by name. A file
that is not a valid theme is reported by name and skipped.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Final

from textual.theme import Theme

COLOUR_KEYS: Final = (
    "primary", "secondary", "accent", "foreground", "background", "surface", "panel",
    "warning", "error", "success",
)  # fmt: skip
ALLOWED_KEYS: Final = frozenset(("name", "dark", *COLOUR_KEYS))

# The built-in theme: the files in ``themes/`` (and the user's) come later and may replace
# it by name; this one guarantees that the default ``Config.theme`` exists.
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


def bundled_themes_dir() -> Path:
    """Our theme files: inside the installed package, else the source checkout's."""
    packaged = Path(str(resources.files("reader"))) / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "themes"


def load_theme_file(path: Path) -> Theme:
    """One theme from ``path``; ``ValueError`` with a message naming the file if invalid."""
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"theme {path.name}: not readable TOML ({error}); skipped") from None
    unknown = sorted(set(data) - ALLOWED_KEYS)
    if unknown:
        raise ValueError(f"theme {path.name}: unknown keys {', '.join(unknown)}; skipped")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"theme {path.name}: needs a name; skipped")
    if "primary" not in data:
        raise ValueError(f"theme {path.name}: needs a primary colour; skipped")
    if not isinstance(data.get("dark", True), bool):
        raise ValueError(f"theme {path.name}: dark must be true or false; skipped")
    for key in COLOUR_KEYS:
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"theme {path.name}: {key} must be a colour string; skipped")
    theme = Theme(**data)
    try:
        # the constructor accepts any string: generating the palette is what checks colours
        theme.to_color_system().generate()
    except Exception as error:
        raise ValueError(f"theme {path.name}: bad colour ({error}); skipped") from None
    return theme


def load_themes(user_dir: Path | None = None) -> tuple[list[Theme], list[str]]:
    """Our themes, then the user's (overriding ours by name), and the problems found."""
    by_name: dict[str, Theme] = {}
    problems: list[str] = []
    folders = [bundled_themes_dir()]
    if user_dir is not None:
        folders.append(user_dir)
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except ValueError as error:
                problems.append(str(error))
                continue
            by_name[theme.name] = theme
    return list(by_name.values()), problems
