"""Open a page in the user's web browser: the config's ``browser`` command, else the
system's. Says what went wrong instead of failing silently."""

from __future__ import annotations

import shlex
import subprocess
import tempfile
from typing import Final

QUICK_FAILURE: Final = 2.0
"""Seconds a browser command is watched: one that exits with an error by then failed
(a browser that stays open is fine; one that hands the page to a running browser and
exits 0 is fine too)."""


def open_in_browser(url: str, command: str | None) -> str | None:
    """Open ``url``; None when it was opened, else why not, in a sentence for the user.

    Blocks up to QUICK_FAILURE seconds: call it off the event loop."""
    if not command:
        import webbrowser

        try:
            opened = webbrowser.open(url)
        except webbrowser.Error as error:
            opened, detail = False, f": {error}"
        else:
            detail = ""
        if not opened:
            return (f"No web browser could be started{detail}; set browser in the config "
                    "file (reader locate shows where)")  # fmt: skip
        return None
    try:
        parts = shlex.split(command)
    except ValueError as error:
        return f"The browser command {command!r} is not valid ({error}); fix it in the config"
    if not parts:
        return "The browser command in the config is empty"
    # newsboat's %u stands for the address as {url} does (a browser line copied over)
    args = [part.replace("{url}", url).replace("%u", url) for part in parts]
    if "{url}" not in command and "%u" not in command:
        args.append(url)
    # its messages go to a file, not a pipe: a browser that stays open and writes a lot
    # must never block on a pipe nobody reads
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        except FileNotFoundError:
            return f"The browser command {parts[0]!r} was not found; fix browser in the config"
        except OSError as error:
            return f"The browser command {parts[0]!r} could not start: {error.strerror}"
        try:
            status = process.wait(QUICK_FAILURE)
        except subprocess.TimeoutExpired:
            return None  # still running: a browser window
        if status == 0:
            return None
        errors.seek(0)
        reason = errors.read(4000).decode("utf-8", "replace").strip().splitlines()
    detail = f": {reason[-1][:200]}" if reason else ""
    return f"The browser command {parts[0]!r} failed (exit status {status}){detail}"
