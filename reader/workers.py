"""Worker processes for CPU-heavy work (parsing and storing feeds), owned by one Reader.

Workers are spawned (fresh interpreters that import what they need once), not forked from
this process: the app has threads, and forking a threaded process is unsafe. Spawned
rather than forked by a fork server: the fork server was one more process of 30 MB, for
a start-up saving of a fraction of a second once per pool. Each worker opens its own
connection to the store; the workers take turns at writing through one lock, so none
waits in SQLite's sleeping busy handler.

Two things the Textual app needs:
- multiprocessing hands ``sys.stderr``'s descriptor to its resource tracker; inside the
  app ``sys.stderr`` is a capture object whose ``fileno()`` is -1, and starting helpers
  there failed every feed with "bad value(s) in fds_to_keep". The pool starts its
  helpers with a real descriptor in place.
- a worker's stray output would be drawn over the screen: workers write to /dev/null
  (their exceptions come back through their futures).
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from reader.storage import Storage

WORKER_NICENESS = 10
"""How much lower the workers' CPU priority is than the app's (parsing and extracting in
the background must not slow the keys down)."""

J = TypeVar("J")
T = TypeVar("T")

PRELOAD = ("reader.update", "reader.storage")
"""Imported by each worker as it starts, before its first job (feedparser only when a
feed needs it: most are read by the plain RSS path)."""


class WorkerPool:
    """A process pool, started on first need and reused until ``close()``."""

    def __init__(self, max_workers: int | None = None, preload: Sequence[str] = PRELOAD) -> None:
        self.max_workers = max_workers or os.cpu_count() or 2
        self.preload = list(preload)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def executor(self) -> ProcessPoolExecutor:
        """The running pool (started now, if not yet; its workers as jobs come)."""
        with self._lock:
            if self._executor is None:
                self._executor = self._start()
            return self._executor

    def _start(self) -> ProcessPoolExecutor:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        # the resource tracker (started by the first lock) starts here, with a real stderr;
        # the workers, spawned later, need none
        with _stderr_with_descriptor():
            executor = ProcessPoolExecutor(
                max_workers=self.max_workers,
                mp_context=context,
                initializer=_init_worker,
                initargs=(context.Lock(), self.preload),
            )
        return executor

    async def run(self, function: Callable[[J], T], job: J) -> T | None:
        """``function(job)`` in a worker process; None when the pool broke (a worker was
        killed, or ran out of memory): it is reset, and the caller does the job itself."""
        import asyncio

        try:
            return await asyncio.get_running_loop().run_in_executor(self.executor(), function, job)
        except BrokenProcessPool:
            self.reset()
            return None

    def reset(self) -> None:
        """Drop a broken pool (a worker was killed); the next ``executor()`` starts afresh."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers (idle ones exit at once; a busy one finishes its feed)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            # wait: shutdown(wait=False) leaves the executor's exit hook writing to a closed
            # pipe ("Exception ignored ... Bad file descriptor")
            executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _stderr_with_descriptor() -> Iterator[None]:
    """``sys.stderr`` with a real file descriptor for as long as the block runs."""
    current = sys.stderr
    try:
        usable = current is not None and current.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable:
        yield
        return
    original = sys.__stderr__
    try:
        original_usable = original is not None and original.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        original_usable = False
    devnull = None if original_usable else open(os.devnull, "w")  # noqa: SIM115
    sys.stderr = original if devnull is None else devnull
    try:
        yield
    finally:
        sys.stderr = current
        if devnull is not None:
            devnull.close()


# --- inside a worker process ---------------------------------------------------------

_write_lock: Any = None
_storage: Storage | None = None


def _init_worker(lock: Any, preload: Sequence[str] = ()) -> None:
    import importlib
    import signal

    for name in preload:
        importlib.import_module(name)

    global _write_lock
    _write_lock = lock
    # Ctrl-C is the parent's to handle: it stops the refresh, the worker finishes its write
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the app's own process draws the screen: on a busy machine its keys come first
    try:
        os.nice(WORKER_NICENESS)
    except OSError:
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)


def worker_storage(db_path: str) -> Storage:
    """This worker's own connection to the store at ``db_path``."""
    global _storage
    from reader.storage import Storage

    if _storage is None or str(_storage.path) != db_path:
        if _storage is not None:
            _storage.close()
        _storage = Storage(db_path)
    return _storage


def write_lock() -> Any:
    """The lock the workers share for writing (None outside a worker)."""
    return _write_lock
