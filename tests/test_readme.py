"""The README is the user's manual: the parts of it that name what the code defines
(action ids, config keys and their defaults) are checked against the code."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path

from reader.config import Config
from reader.tui.actions import ACTIONS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def test_every_action_id_is_named_in_the_readme() -> None:
    config = _section("Themes and config")
    named = set(re.findall(r"`([a-z]+(?:-[a-z]+)*)`", config))
    missing = sorted({action.id for action in ACTIONS} - named)
    assert not missing, f"README's action ids miss {missing}"


def test_the_readme_config_example_has_every_key_with_its_default() -> None:
    config = _section("Themes and config")
    block = re.search(r"```toml\n(.*?)```", config, re.S)
    assert block is not None
    example = tomllib.loads(block.group(1))
    defaults = Config()
    for f in fields(Config):
        assert f.name in example, f"README's config example misses {f.name}"
    # the example's values are the defaults, but for the ones it shows changed
    shown_changed = {"browser", "theme", "keys"}
    for f in fields(Config):
        if f.name not in shown_changed:
            assert example[f.name] == getattr(defaults, f.name), f.name


def test_the_architecture_names_every_module_and_every_bench_script() -> None:
    architecture = _section("Architecture")
    root = Path(__file__).resolve().parents[1]
    modules = {p.name for p in (root / "reader").rglob("*.py") if p.name != "__init__.py"}
    missing = sorted(name for name in modules if name not in architecture)
    # the one-screen-or-widget-a-file folders are named as folders
    missing = [m for m in missing if not any((root / "reader/tui" / d / m).exists()
                                             for d in ("screens", "widgets"))]  # fmt: skip
    assert not missing, f"README's Architecture misses {missing}"
    scripts = sorted(p.name for p in (root / "bench").glob("*.py"))
    assert [s for s in scripts if s not in README] == []
