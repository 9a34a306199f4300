"""Open a page in the user's web browser: the config's ``browser`` command, else the
system's. Says what went wrong instead of failing silently.

A graphical browser is started apart and watched a moment; a terminal browser (w3m,
lynx ...) needs the terminal itself: ``terminal_argv`` says so and gives the command line,
the app hands its terminal over and ``run_in_terminal`` runs it in the foreground."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final, Literal

QUICK_FAILURE: Final = 2.0
"""Seconds a browser command is watched: one that exits with an error by then failed
(a browser that stays open is fine; one that hands the page to a running browser and
exits 0 is fine too)."""


TERMINAL_BROWSERS: Final = frozenset(
    {"w3m", "lynx", "elinks", "links", "links2", "browsh", "carbonyl"}
)
"""Programs taken for terminal browsers when ``browser_in_terminal`` is "auto"."""


def browser_argv(url: str, command: str) -> list[str] | str:
    """The command line that opens ``url`` with ``command``, else why there is none.

    ``{url}`` and newsboat's ``%u`` stand for the address; without either it goes last."""
    try:
        parts = shlex.split(command)
    except ValueError as error:
        return f"The browser command {command!r} is not valid ({error}); fix it in the config"
    if not parts:
        return "The browser command in the config is empty"
    args = [part.replace("{url}", url).replace("%u", url) for part in parts]
    if "{url}" not in command and "%u" not in command:
        args.append(url)
    return args


def terminal_argv(
    url: str, command: str | None, in_terminal: bool | Literal["auto"] = "auto"
) -> list[str] | None:
    """The command line to run in the foreground when ``command`` is a terminal browser
    (``in_terminal`` true, or "auto" and a program of TERMINAL_BROWSERS); None when it
    opens a window of its own (or is not valid: ``open_in_browser`` says why)."""
    if not command or in_terminal is False:
        return None
    args = browser_argv(url, command)
    if isinstance(args, str):
        return None
    program = os.path.basename(args[0])
    graphical = program in ("links", "links2") and "-g" in args  # links' graphics mode
    if in_terminal is True or (program in TERMINAL_BROWSERS and not graphical):
        return args
    return None


def run_in_terminal(args: list[str]) -> str | None:
    """Run a terminal browser in the foreground on this terminal until it exits; None when
    it ran fine, else why not, in a sentence for the user. The caller hands the terminal
    over first (the app suspends itself)."""
    try:
        with _interrupts_go_to_the_browser():
            status = subprocess.run(args).returncode
    except FileNotFoundError:
        return f"The browser command {args[0]!r} was not found; fix browser in the config"
    except OSError as error:
        return f"The browser command {args[0]!r} could not start: {error.strerror}"
    if status != 0:
        return f"The browser command {args[0]!r} failed (exit status {status})"
    return None


@contextmanager
def _interrupts_go_to_the_browser() -> Iterator[None]:
    """Ctrl+C in the browser reaches this process too (one foreground group): let it stop
    the browser only. A handler, not SIG_IGN, as an ignored signal stays ignored in the
    child; signals can only be set from the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda number, frame: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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
    args = browser_argv(url, command)
    if isinstance(args, str):
        return args
    parts = args
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
