"""The core never loads Textual: `reader refresh` in cron must stay light."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import reader

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(reader.__path__, "reader.")
    if not m.name.startswith("reader.tui")
)


def test_there_are_core_modules_to_check() -> None:
    assert {"reader.core", "reader.storage", "reader.cli", "reader.sync.engine"} <= set(
        CORE_MODULES
    )


def test_core_modules_do_not_import_textual_or_rich() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


TUI_MAY_IMPORT = {
    "reader.core",  # the one API: the store and the network only through it
    "reader.models",
    "reader.errors",
    "reader.sanitize",
    "reader.config",
    "reader.paths",
    "reader.clock",  # the type of the one clock
    "reader.navigation",  # the reading state machine, pure
    "reader.history",  # its history of visits
    "reader.render",  # the one article header, shared with `reader read`
}


def test_the_tui_goes_through_the_core_api() -> None:
    import ast
    from pathlib import Path

    tui = Path(reader.__file__).parent / "tui"
    found: dict[str, set[str]] = {}
    for path in tui.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("reader.") and not name.startswith("reader.tui"):
                    found.setdefault(name, set()).add(path.name)
    assert {name: files for name, files in found.items() if name not in TUI_MAY_IMPORT} == {}
    assert "reader.core" in found


def test_the_navigation_module_needs_no_screen() -> None:
    code = (
        "import sys, reader.navigation\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_app_starts_without_importing_its_dialogs() -> None:
    # they are imported when opened (~6 ms of imports at start)
    code = (
        "import sys\n"
        "import reader.tui.app\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('reader.tui.screens.'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "reader.tui.screens.main"
