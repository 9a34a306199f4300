"""Refresh: which feeds are due (a pure decider), and the concurrent pipeline that polls them.

The pipeline: fetch through the shared client (a global limit of ``jobs`` requests and a
per-host limit), conditional GET with the stored ETag and Last-Modified, a hash of the body
to skip parsing bytes already seen, then parse and store off the event loop, one
transaction per fetched feed, so an interrupted refresh keeps every feed it finished. The
bookkeeping of 304s and errors goes in batches.

Large refreshes parse and store in worker processes (one per core), each with its own
connection, taking turns at writing through a shared lock: the parse uses every core, and
the writes never wait for this process's GIL (a writer thread here would, once per row,
behind the event loop). Small refreshes do both in one thread: starting workers costs more.

A failing feed never stops the others: its error is stored (``last_error``,
``last_error_at``, ``error_count``) and it is backed off exponentially, capped at a day,
honouring ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import atexit
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urlsplit

from reader.clock import SYSTEM_CLOCK, Clock
from reader.errors import FetchError, NotAFeedError, ReaderError, StorageError
from reader.fetch import HttpSettings, NotModified, fetch
from reader.parse import parse_feed

if TYPE_CHECKING:
    import httpx

    from reader.fetch import HostLimiter
    from reader.storage import Storage

DAY: Final = 86400.0
BACKOFF_BASE: Final = 60.0
"""Seconds a feed is left alone after its first failure; doubled for each further one."""
PROCESS_POOL_MIN_FEEDS: Final = 16
"""Refreshes of fewer feeds parse in a thread: starting worker processes costs more."""
BATCH_SIZE: Final = 200
"""Bookkeeping rows (304s, errors) written per transaction."""

ParseMode = Literal["auto", "process", "thread"]


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshProgress:
    """Sent after each feed: ``done`` of ``total`` feeds, and the running counts."""

    done: int
    total: int
    new_entries: int = 0
    not_modified: int = 0
    errors: int = 0
    url: str = ""
    """The feed just finished."""
    error: str | None = None
    """Its error, when it failed."""


@dataclass(frozen=True)
class FeedFailure:
    url: str
    message: str


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh did. ``total`` counts the feeds it tried (the due ones)."""

    total: int = 0
    refreshed: int = 0
    """Feeds that answered: with a body, or 304, or the same bytes as last time."""
    new_entries: int = 0
    updated_entries: int = 0
    not_modified: int = 0
    errors: int = 0
    skipped: int = 0
    """Feeds not due yet (backing off, Retry-After, ttl, max-age); ``force`` ignores these."""
    elapsed: float = 0.0
    failures: tuple[FeedFailure, ...] = ()

    @property
    def ok(self) -> bool:
        """True unless every feed tried failed."""
        return self.refreshed > 0 or self.total == 0


ProgressCallback = Callable[[RefreshProgress], None]


# --- the decider: pure -------------------------------------------------------------------


@dataclass(frozen=True)
class FeedCheck:
    """What the refresh needs to know about one feed."""

    id: int
    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    next_check: float | None = None
    error_count: int = 0
    update_hint: float | None = None
    """The feed's own ttl or sy:updatePeriod (seconds), from its last parse."""


def is_due(next_check: float | None, now: float, force: bool = False) -> bool:
    """Should the feed be fetched now? ``next_check`` is when it may be, at the earliest."""
    return force or next_check is None or next_check <= now


def cache_max_age(headers: Mapping[str, str]) -> float | None:
    """``Cache-Control: max-age`` in seconds (``s-maxage`` is for shared caches, not us)."""
    value = headers.get("cache-control")
    if not value:
        return None
    max_age = None
    for directive in value.split(","):
        name, _, argument = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-cache", "no-store"):
            return None
        if name == "max-age":
            try:
                max_age = float(argument.strip().strip('"'))
            except ValueError:
                continue
    return max_age if max_age is not None and max_age > 0 else None


def next_check_after_success(
    now: float, ttl: float | None = None, max_age: float | None = None
) -> float | None:
    """When a feed that answered may be fetched again: None means at the next refresh.

    The longer of the feed's own hint (``ttl``, ``sy:updatePeriod``) and the server's
    ``max-age`` wins, but never more than a day: a feed that says "a year" is still read.
    """
    hints = [hint for hint in (ttl, max_age) if hint is not None and hint > 0]
    if not hints:
        return None
    return now + min(max(hints), DAY)


def backoff_delay(error_count: int) -> float:
    """Seconds to wait after ``error_count`` failures in a row: 1 min, 2, 4 ... up to a day."""
    if error_count <= 0:
        return 0.0
    return min(BACKOFF_BASE * 2.0 ** min(error_count - 1, 32), DAY)


def next_check_after_error(now: float, error_count: int, retry_after: float | None = None) -> float:
    """When a failing feed may be tried again: the backoff, or later when the server's
    ``Retry-After`` asks for it (capped at a day: a server cannot switch a feed off)."""
    delay = backoff_delay(error_count)
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, DAY))
    return now + delay


def interleave_hosts(checks: Iterable[FeedCheck]) -> list[FeedCheck]:
    """Round-robin over hosts, so one big host does not hold every slot at the start."""
    by_host: dict[str, list[FeedCheck]] = {}
    for check in checks:
        by_host.setdefault(urlsplit(check.url).netloc.lower(), []).append(check)
    queues = list(by_host.values())
    ordered: list[FeedCheck] = []
    for index in range(max((len(q) for q in queues), default=0)):
        ordered.extend(queue[index] for queue in queues if index < len(queue))
    return ordered


def body_hash(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


# --- the parse pool ----------------------------------------------------------------------

_pool_lock = threading.Lock()
_process_pool: ProcessPoolExecutor | None = None


def _get_process_pool() -> ProcessPoolExecutor:
    """The process pool, created on first use and reused by later refreshes.

    Workers come from a fork server (a fresh interpreter that imported the parser once), not
    a fork of this process: the app has threads, and forking a threaded process is unsafe.
    """
    global _process_pool
    with _pool_lock:
        if _process_pool is None:
            import multiprocessing

            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["reader.update", "reader.storage", "feedparser"])
            _process_pool = ProcessPoolExecutor(
                max_workers=os.cpu_count() or 2,
                mp_context=context,
                initializer=_init_worker,
                initargs=(context.Lock(),),
            )
        return _process_pool


def shutdown_parse_pool() -> None:
    """Stop the worker processes (at exit, or when the pool broke)."""
    global _process_pool
    with _pool_lock:
        pool, _process_pool = _process_pool, None
    if pool is not None:
        # wait: idle workers exit at once, and shutdown(wait=False) leaves the executor's
        # own exit hook writing to a closed pipe ("Exception ignored ... Bad file descriptor")
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_parse_pool)


# --- parse and store: in a worker process, or in a thread --------------------------------


@dataclass(frozen=True)
class _StoreJob:
    """A fetched body and what to write with its entries: picklable, for a worker."""

    db_path: str
    feed_id: int
    content: bytes
    url: str
    content_type: str
    charset: str | None
    values: dict[str, Any]
    max_age: float | None


def parse_and_store(
    storage: Storage, job: _StoreJob, lock: AbstractContextManager[Any] | None = None
) -> tuple[int, int]:
    """Parse the body and store its entries and the feed's columns in one transaction:
    (new, updated). ``lock`` serialises the writes of worker processes."""
    parsed = parse_feed(job.content, job.url, job.content_type, job.charset)
    now = job.values["last_checked"]
    values = dict(job.values)
    values["next_check"] = next_check_after_success(now, parsed.ttl, job.max_age)
    values["update_hint"] = parsed.ttl
    if parsed.title:
        values["title"] = parsed.title
    if parsed.site_url:
        values["site_url"] = parsed.site_url
    if parsed.warning:
        values["last_error"] = parsed.warning
        values["last_error_at"] = now
    # oldest first, so entries without dates still list newest on top (by id)
    entries = parsed.entries[::-1]
    with lock if lock is not None else nullcontext():
        return storage.save_fetched_feed(job.feed_id, entries, values)


# In a worker process: its own connection to the store, and a lock shared by the workers
# so they take turns at writing without SQLite's sleeping busy handler.
_worker_lock: Any = None
_worker_storage: Storage | None = None


def _init_worker(lock: Any) -> None:
    import signal

    global _worker_lock
    _worker_lock = lock
    # Ctrl-C is the parent's to handle: it stops the refresh, the worker finishes its write
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _parse_and_store_in_worker(job: _StoreJob) -> tuple[int, int]:
    global _worker_storage
    from reader.storage import Storage

    if _worker_storage is None or str(_worker_storage.path) != job.db_path:
        if _worker_storage is not None:
            _worker_storage.close()
        _worker_storage = Storage(job.db_path)
    return parse_and_store(_worker_storage, job, _worker_lock)


# --- the pipeline ------------------------------------------------------------------------


@dataclass
class _Tally:
    done: int = 0
    refreshed: int = 0
    new_entries: int = 0
    updated_entries: int = 0
    not_modified: int = 0
    errors: int = 0


@dataclass(frozen=True)
class _Outcome:
    url: str
    new: int = 0
    updated: int = 0
    not_modified: bool = False
    error: str | None = None


class Refresher:
    """One refresh: build it, ``await run(checks)``, read the report."""

    def __init__(
        self,
        storage: Storage,
        client: httpx.AsyncClient,
        host_limiter: HostLimiter,
        settings: HttpSettings | None = None,
        *,
        jobs: int | None = None,
        progress: ProgressCallback | None = None,
        parse_mode: ParseMode = "auto",
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.client = client
        self.host_limiter = host_limiter
        self.settings = settings = settings or HttpSettings()
        self.jobs = max(1, jobs or settings.concurrency)
        self.progress = progress
        self.parse_mode = parse_mode
        self._pending: list[tuple[int, dict[str, Any]]] = []
        self._use_processes = False

    async def run(self, checks: Sequence[FeedCheck], skipped: int = 0) -> RefreshReport:
        started = time.monotonic()
        tally = _Tally()
        failures: list[FeedFailure] = []
        total = len(checks)
        self._use_processes = self.parse_mode == "process" or (
            self.parse_mode == "auto" and total >= PROCESS_POOL_MIN_FEEDS
        )
        self._fetching = asyncio.Semaphore(self.jobs)
        # bodies fetched but not yet stored: bounds memory when parsing lags behind
        self._in_flight = asyncio.Semaphore(self.jobs * 2)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="reader-store")
        self._parser = ThreadPoolExecutor(1, thread_name_prefix="reader-parse")
        tasks = [asyncio.create_task(self._one(check)) for check in interleave_hosts(checks)]
        try:
            for next_done in asyncio.as_completed(tasks):
                outcome = await next_done
                tally.done += 1
                if outcome.error is not None:
                    tally.errors += 1
                    failures.append(FeedFailure(outcome.url, outcome.error))
                else:
                    tally.refreshed += 1
                    tally.new_entries += outcome.new
                    tally.updated_entries += outcome.updated
                    tally.not_modified += outcome.not_modified
                if len(self._pending) >= BATCH_SIZE:
                    await self._flush()
                if self.progress is not None:
                    self.progress(
                        RefreshProgress(
                            done=tally.done, total=total, new_entries=tally.new_entries,
                            not_modified=tally.not_modified, errors=tally.errors,
                            url=outcome.url, error=outcome.error,
                        )
                    )  # fmt: skip
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            # the threads finish the feed they started (a worker process finishes its own,
            # in its own transaction), then the batch goes in: even when interrupted, every
            # feed fetched so far is kept
            self._parser.shutdown(wait=True, cancel_futures=True)
            self._writer.shutdown(wait=True)
            pending, self._pending = self._pending, []
            self.storage.update_feeds(pending)
        return RefreshReport(
            total=total,
            refreshed=tally.refreshed,
            new_entries=tally.new_entries,
            updated_entries=tally.updated_entries,
            not_modified=tally.not_modified,
            errors=tally.errors,
            skipped=skipped,
            elapsed=time.monotonic() - started,
            failures=tuple(failures),
        )

    async def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if pending:
            await self._write(self.storage.update_feeds, pending)

    async def _write(self, function: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._writer, function, *args)

    async def _one(self, check: FeedCheck) -> _Outcome:
        try:
            return await self._refresh_feed(check)
        except StorageError:
            raise  # the store is unusable: no point going on with other feeds
        except (FetchError, NotAFeedError, ReaderError) as error:
            return self._failed(check, str(error), getattr(error, "retry_after", None))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug, or a parser crash: one feed, not the refresh
            return self._failed(check, f"unexpected error: {type(error).__name__}: {error}")

    def _failed(self, check: FeedCheck, message: str, retry_after: float | None = None) -> _Outcome:
        now = self.clock()
        count = check.error_count + 1
        self._pending.append((check.id, {
            "last_error": message, "last_error_at": now, "error_count": count,
            "last_checked": now, "next_check": next_check_after_error(now, count, retry_after),
        }))  # fmt: skip
        return _Outcome(check.url, error=message)

    async def _refresh_feed(self, check: FeedCheck) -> _Outcome:
        async with self._in_flight:
            async with self.host_limiter(check.url), self._fetching:
                result = await fetch(
                    self.client,
                    check.url,
                    etag=check.etag,
                    last_modified=check.last_modified,
                    max_bytes=self.settings.max_bytes,
                    total_timeout=self.settings.total_timeout,
                )
            now = self.clock()
            if isinstance(result, NotModified):
                max_age = cache_max_age(result.headers)
                self._pending.append((check.id, {
                    "etag": result.etag, "last_modified": result.last_modified,
                    "last_checked": now, "last_error": None, "error_count": 0,
                    "next_check": next_check_after_success(now, check.update_hint, max_age),
                }))  # fmt: skip
                return _Outcome(check.url, not_modified=True)
            values: dict[str, Any] = {
                "etag": result.etag,
                "last_modified": result.last_modified,
                "last_checked": now,
                "last_error": None,
                "error_count": 0,
            }
            if result.permanent_redirect and result.permanent_redirect != check.url:
                values["url"] = result.permanent_redirect
            digest = body_hash(result.content)
            if digest == check.body_hash:
                # the server ignored our validators but sent the same bytes: nothing to parse
                values["next_check"] = next_check_after_success(
                    now, check.update_hint, cache_max_age(result.headers)
                )
                self._pending.append((check.id, values))
                return _Outcome(check.url, not_modified=True)
            values["body_hash"] = digest
            job = _StoreJob(
                db_path=str(self.storage.path),
                feed_id=check.id,
                content=result.content,
                url=result.url,
                content_type=result.content_type,
                charset=result.charset,
                values=values,
                max_age=cache_max_age(result.headers),
            )
            new, updated = await self._parse_and_store(job)
            return _Outcome(check.url, new=new, updated=updated)

    async def _parse_and_store(self, job: _StoreJob) -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        if self._use_processes:
            try:
                executor: Executor = _get_process_pool()
                return await loop.run_in_executor(executor, _parse_and_store_in_worker, job)
            except BrokenProcessPool:
                shutdown_parse_pool()  # a worker died (killed, out of memory): start afresh
        return await loop.run_in_executor(self._parser, parse_and_store, self.storage, job)


async def refresh_feeds(
    storage: Storage,
    client: httpx.AsyncClient,
    host_limiter: HostLimiter,
    settings: HttpSettings | None = None,
    *,
    feed_urls: Sequence[str] | None = None,
    force: bool = False,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    parse_mode: ParseMode = "auto",
    clock: Clock = SYSTEM_CLOCK,
) -> RefreshReport:
    """Refresh the due feeds (all of them with ``force``), or only those of ``feed_urls``."""
    now = clock()
    settings = settings or HttpSettings()
    rows = storage.feeds_to_check(feed_urls)
    checks = [FeedCheck(*row) for row in rows]
    due = [check for check in checks if is_due(check.next_check, now, force)]
    refresher = Refresher(
        storage, client, host_limiter, settings,
        jobs=jobs, progress=progress, parse_mode=parse_mode, clock=clock,
    )  # fmt: skip
    return await refresher.run(due, skipped=len(checks) - len(due))
