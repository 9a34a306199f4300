"""The config file (TOML): defaults when absent; a bad value is reported and skipped."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

DEFAULT_THEME = "reader-dark"


@dataclass(frozen=True)
class Config:
    refresh_minutes: int = 30
    """Minutes between background refreshes in the app; 0 turns them off."""
    concurrency: int = 64
    """Feeds fetched at once."""
    per_host: int = 4
    """Requests in flight to one host at once."""
    timeout: float = 30.0
    """Seconds one feed or page may take."""
    browser: str | None = None
    """Command that opens a URL (``{url}`` is replaced); None: the system's browser."""
    browser_in_terminal: bool | Literal["auto"] = "auto"
    """True: ``browser`` runs in this terminal (w3m, lynx ...): the app hands the terminal
    over and waits for it to exit; False: it opens its own window; "auto": true for the
    well-known terminal browsers (``reader.browser.TERMINAL_BROWSERS``)."""
    theme: str = DEFAULT_THEME
    """Theme name: one of ours, a user theme file, or a Textual built-in."""
    unread_only: bool = False
    """Show only unread entries in lists."""
    keys: dict[str, list[str]] = field(default_factory=dict)
    """Key remapping: action id -> keys."""
    prefetch: Literal["new", "unread", "off"] = "new"
    """After each refresh, fetch and keep the whole article of every new entry ("new"),
    of every unread one not kept yet ("unread"), or none ("off"): opening is then instant
    and works offline, and search finds words inside the articles."""
    prefetch_limit: int = 500
    """Articles fetched at most per refresh (the rest wait for the next one)."""
    keep_days: int = 0
    """Read entries older than this many days are removed, with their stored article, at
    the end of a refresh; saved ones never. 0 keeps everything."""
    cache_mb: int = 1000
    """Megabytes the stored articles may take; beyond it the articles of read entries go
    first, oldest first. Saved articles are never removed."""


@dataclass(frozen=True)
class ConfigProblem:
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"config: {self.key}{where}: {self.message}; using the default"


def load_config(path: Path) -> tuple[Config, list[ConfigProblem]]:
    """Read ``path``; a missing file is the defaults. Problems come back, never raise."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(), []
    except OSError as error:
        return Config(), [ConfigProblem(str(path), None, f"unreadable: {error.strerror}")]
    try:
        data = tomllib.loads(raw.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError as error:
        return Config(), [ConfigProblem(str(path), getattr(error, "lineno", None), str(error))]
    return config_from_dict(data, raw.decode("utf-8", errors="replace"))


def config_from_dict(data: dict[str, Any], source: str = "") -> tuple[Config, list[ConfigProblem]]:
    config = Config()
    problems: list[ConfigProblem] = []
    types = {f.name: f.type for f in fields(Config)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        line = _line_of(source, key)
        if key not in types:
            problems.append(ConfigProblem(key, line, "unknown key"))
            continue
        checked = _check(key, value)
        if isinstance(checked, str):
            problems.append(ConfigProblem(key, line, checked))
        else:
            values[key] = checked[0]
    return replace(config, **values), problems


_RANGES: dict[str, tuple[int, int]] = {
    "prefetch_limit": (0, 100_000),
    "keep_days": (0, 100_000),
    "cache_mb": (1, 10_000_000),
}


def _check(key: str, value: Any) -> tuple[Any] | str:
    """(value,) when good, else the message."""
    if key in ("refresh_minutes", "concurrency", "per_host"):
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        low = 0 if key == "refresh_minutes" else 1
        if not low <= value <= (10_000 if key == "refresh_minutes" else 256):
            return f"out of range ({value})"
        return (value,)
    if key == "timeout":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            return "must be a positive number of seconds"
        return (float(value),)
    if key in ("browser", "theme"):
        if not isinstance(value, str) or not value.strip():
            return "must be a non-empty string"
        return (value.strip(),)
    if key == "unread_only":
        return (value,) if isinstance(value, bool) else "must be true or false"
    if key == "browser_in_terminal":
        return (
            (value,)
            if isinstance(value, bool) or value == "auto"
            else ('must be true, false or "auto"')
        )
    if key == "prefetch":
        modes = ("new", "unread", "off")
        return (value,) if value in modes else f"must be one of {', '.join(modes)}"
    if key in _RANGES:
        low, high = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if not low <= value <= high:
            return f"out of range ({value}; {low} to {high})"
        return (value,)
    if key == "keys":
        if not isinstance(value, dict):
            return 'must be a table: action = ["key", ...]'
        keys: dict[str, list[str]] = {}
        for action, bound in value.items():
            if isinstance(bound, str):
                bound = [bound]
            if not isinstance(bound, list) or not all(isinstance(k, str) for k in bound):
                return f"{action} must be a key or a list of keys"
            keys[action] = bound
        return (keys,)
    return "unknown key"


def _line_of(source: str, key: str) -> int | None:
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(key) and stripped[len(key) :].lstrip().startswith("="):
            return number
        if stripped == f"[{key}]":
            return number
    return None


def dump_config(config: Config) -> str:
    """The effective config as TOML (what ``reader config`` prints)."""
    lines = []
    for f in fields(Config):
        value = getattr(config, f.name)
        if f.name == "keys" or value is None:
            continue
        lines.append(f"{f.name} = {_toml_value(value)}")
    lines.append("")
    lines.append("[keys]")
    for action, keys in sorted(config.keys.items()):
        lines.append(f"{action} = {_toml_value(keys)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
