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
