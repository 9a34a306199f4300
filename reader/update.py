"""Refresh: which feeds are due (a pure decider), and the concurrent pipeline that polls them.

The pipeline: ``jobs`` workers fetch through the shared client, each staying on one host
while it has feeds (its kept-alive connection carries the next request: no handshake, and
the client's pool is not churned by hosts taken in turn), within the per-host limit;
conditional GET with the stored ETag and Last-Modified, a hash of the body
to skip parsing bytes already seen, then parse and store off the event loop, one
transaction per fetched feed, so an interrupted refresh keeps every feed it finished. The
bookkeeping of 304s and errors goes in batches.

Large refreshes parse and store in worker processes (one per core, ``reader.workers``),
each with its own connection, taking turns at writing through a shared lock: the parse uses
every core, and the writes never wait for this process's GIL (a writer thread here would,
once per row, behind the event loop). Small refreshes do both in one thread: starting
workers costs more.

What each feed's result writes is decided by a pure function, ``decide(check, outcome,
now) -> FeedUpdate``, that the store applies. A failing feed never stops the others: its
error is stored and it is backed off exponentially, capped at a day, honouring
``Retry-After``. A failure of reader's own (an exception in our code, not the server's
answer) is stored as "internal error: ..." and neither counts against the feed nor delays
it: it is tried again at the next refresh.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar
from urllib.parse import urlsplit

from reader.clock import SYSTEM_CLOCK, Clock
from reader.errors import FetchError, NotAFeedError, ReaderError, StorageError
from reader.fetch import HttpSettings, NotModified, fetch
from reader.models import (
    EntryData,
    FeedCheck,
    FeedFailure,
    FeedMetadata,
    FeedUpdate,
    RefreshProgress,
    RefreshReport,
    ServerAnswer,
)
from reader.parse import parse_feed

if TYPE_CHECKING:
    import httpx

    from reader.fetch import HostLimiter
    from reader.storage import Storage
    from reader.workers import WorkerPool

DAY: Final = 86400.0
BACKOFF_BASE: Final = 60.0
"""Seconds a feed is left alone after its first failure; doubled for each further one."""
PROCESS_POOL_MIN_FEEDS: Final = 16
"""Refreshes of fewer feeds parse in a thread: starting worker processes costs more."""
BATCH_SIZE: Final = 200
"""Bookkeeping rows (304s, errors) written per transaction."""

ParseMode = Literal["auto", "process", "thread"]
_R = TypeVar("_R")


ProgressCallback = Callable[[RefreshProgress], None]


# --- the decider: pure -------------------------------------------------------------------


INTERVAL_SLACK: Final = 60.0
"""Seconds a feed's own refresh interval is shortened by, so a timer or a cron job at that
interval finds it due (its last check ended a little after the timer fired)."""


def is_due(check: FeedCheck, now: float, force: bool = False, min_interval: float = 0.0) -> bool:
    """Should the feed be fetched now? Not before its ``next_check`` (backoff, Retry-After,
    ttl), nor within ``min_interval`` seconds of its last check (the app's refresh
    interval: a restart or a second instance must not poll every feed again). A feed's
    own ``refresh_minutes`` replaces ``min_interval`` (less ``INTERVAL_SLACK``), in the
    app and on the command line."""
    if force:
        return True
    if check.next_check is not None and check.next_check > now:
        return False
    if check.refresh_minutes:
        min_interval = max(0.0, check.refresh_minutes * 60.0 - INTERVAL_SLACK)
    return check.last_checked is None or check.last_checked + min_interval <= now


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


class HostQueue:
    """The feeds of a refresh by host, handed out so that a worker stays on one host while
    it has feeds: the connection kept alive by one feed's answer carries the next (a 304
    costs a round trip, not a TCP handshake, a pool eviction and a round trip). Hosts are
    taken in turn, so the first workers spread over as many hosts as there are; a host
    with feeds left takes a second worker, and more, up to ``per_host``, only when no host
    without one has feeds waiting."""

    def __init__(self, checks: Iterable[FeedCheck], per_host: int) -> None:
        self.per_host = max(1, per_host)
        self._queues: dict[str, deque[FeedCheck]] = {}
        for check in checks:
            self._queues.setdefault(_host_of(check.url), deque()).append(check)
        self._active = dict.fromkeys(self._queues, 0)
        self._turns = deque(self._queues)  # hosts with feeds waiting, the next first

    def take(self, host: str | None) -> tuple[str, FeedCheck] | None:
        """The next feed for a worker that last served ``host`` (None: it had none yet):
        from the same host while it has feeds, else from the next host with feeds and
        room, preferring the hosts served by fewest workers; None when every feed left
        belongs to a host already served by ``per_host`` workers, who will fetch it."""
        if host is not None:
            queue = self._queues[host]
            if queue:
                return host, queue.popleft()
            self._active[host] -= 1
        for least in range(self.per_host):
            for _ in range(len(self._turns)):
                name = self._turns[0]
                if not self._queues[name]:
                    self._turns.popleft()  # done with
                    continue
                self._turns.rotate(-1)
                if self._active[name] == least:
                    self._active[name] += 1
                    return name, self._queues[name].popleft()
        return None


def _host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def body_hash(content: bytes) -> str:
    return hashlib.blake2b(content, digest_size=16).hexdigest()


# --- outcomes, and what each writes: pure ------------------------------------------------


@dataclass(frozen=True)
class Unchanged:
    """The server answered 304, or sent the same bytes as last time: nothing to parse."""

    answer: ServerAnswer
    max_age: float | None = None


@dataclass(frozen=True)
class Parsed:
    """A new body was parsed (its entries are stored with the update)."""

    answer: ServerAnswer
    metadata: FeedMetadata
    max_age: float | None = None
    warning: str | None = None
    """A problem the parse recovered from (malformed XML, a wrong charset): shown as the
    feed's error, though its entries were kept."""


@dataclass(frozen=True)
class Failed:
    """The feed's failure: the network, the server's answer, or a body that is no feed."""

    message: str
    retry_after: float | None = None


@dataclass(frozen=True)
class InternalError:
    """reader's own failure (an exception in our code): not the feed's fault."""

    message: str


Outcome = Unchanged | Parsed | Failed | InternalError


def decide(check: FeedCheck, outcome: Outcome, now: float) -> FeedUpdate:
    """What one refresh of one feed writes to its row."""
    if isinstance(outcome, Failed):
        count = check.error_count + 1
        return FeedUpdate(
            check.id,
            next_check=next_check_after_error(now, count, outcome.retry_after),
            error_count=count,
            error=outcome.message,
            error_at=now,
            checked_at=now,
        )
    if isinstance(outcome, InternalError):
        # not counted, not delayed, not marked checked: the next refresh tries it again
        return FeedUpdate(
            check.id,
            next_check=None,
            error_count=check.error_count,
            error=f"internal error: {outcome.message}",
            error_at=now,
        )
    if isinstance(outcome, Unchanged):
        return FeedUpdate(
            check.id,
            next_check=next_check_after_success(now, check.update_hint, outcome.max_age),
            checked_at=now,
            answer=outcome.answer,
        )
    return FeedUpdate(
        check.id,
        next_check=next_check_after_success(now, outcome.metadata.update_hint, outcome.max_age),
        error=outcome.warning,
        error_at=now if outcome.warning else None,
        checked_at=now,
        answer=outcome.answer,
        metadata=outcome.metadata,
    )


# --- parse and store: in a worker process, or in a thread --------------------------------


@dataclass(frozen=True)
class _StoreJob:
    """A fetched body and what to write with its entries: picklable, for a worker."""

    db_path: str
    check: FeedCheck
    content: bytes
    url: str
    content_type: str
    charset: str | None
    answer: ServerAnswer
    max_age: float | None
    now: float
    digest: str


def parse_and_store(
    storage: Storage, job: _StoreJob, lock: AbstractContextManager[Any] | None = None
) -> tuple[int, int]:
    """Parse the body and store its entries and the feed's row in one transaction:
    (new, updated). ``lock`` serialises the writes of worker processes."""
    parsed = parse_feed(job.content, job.url, job.content_type, job.charset)
    metadata = FeedMetadata(
        body_hash=job.digest,
        title=parsed.title,
        site_url=parsed.site_url,
        update_hint=parsed.ttl,
    )
    update = decide(job.check, Parsed(job.answer, metadata, job.max_age, parsed.warning), job.now)
    # oldest first, so entries without dates still list newest on top (by id)
    entries: list[EntryData] = parsed.entries[::-1]
    with lock if lock is not None else nullcontext():
        return storage.save_fetched_feed(entries, update)


def _parse_and_store_in_worker(job: _StoreJob) -> tuple[int, int]:
    from reader.workers import worker_storage, write_lock

    return parse_and_store(worker_storage(job.db_path), job, write_lock())


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
class _Result:
    """One feed's refresh, for the report."""

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
        pool: WorkerPool | None = None,
    ) -> None:
        """``pool`` runs the parse and store in worker processes (for ``parse_mode``
        "process", or "auto" at PROCESS_POOL_MIN_FEEDS feeds and more); without one,
        a thread does."""
        self.storage = storage
        self.clock = clock
        self.client = client
        self.host_limiter = host_limiter
        self.settings = settings = settings or HttpSettings()
        self.jobs = max(1, jobs or settings.concurrency)
        self.progress = progress
        self.parse_mode = parse_mode
        self.pool = pool
        self._pending: list[FeedUpdate] = []
        self._use_processes = False

    async def run(self, checks: Sequence[FeedCheck], skipped: int = 0) -> RefreshReport:
        started = time.monotonic()
        tally = _Tally()
        failures: list[FeedFailure] = []
        total = len(checks)
        self._use_processes = self.pool is not None and (
            self.parse_mode == "process"
            or (self.parse_mode == "auto" and total >= PROCESS_POOL_MIN_FEEDS)
        )
        # bodies fetched or being fetched but not yet stored: bounds memory when storing
        # lags behind (it does, cold: the workers take turns at writing). ``jobs`` and not
        # twice that: at 64 jobs the doubled queue held 8 MB more for no speed
        self._in_flight = asyncio.Semaphore(self.jobs)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="reader-store")
        self._parser = ThreadPoolExecutor(1, thread_name_prefix="reader-parse")
        # ``jobs`` workers fetch (the global limit), each staying on a host while it has
        # feeds; a fetched body is parsed and stored by a task of its own meanwhile
        hosts = HostQueue(interleave_hosts(checks), self.host_limiter.per_host)
        results: asyncio.Queue[_Result | BaseException] = asyncio.Queue()
        self._stores: set[asyncio.Task[_Result]] = set()
        workers = [
            asyncio.create_task(self._worker(hosts, results)) for _ in range(min(self.jobs, total))
        ]
        tasks = self._stores  # cancelled with the workers, below
        try:
            for _ in range(total):
                result = await results.get()
                if isinstance(result, BaseException):
                    raise result
                tally.done += 1
                if result.error is not None:
                    tally.errors += 1
                    failures.append(FeedFailure(result.url, result.error))
                else:
                    tally.refreshed += 1
                    tally.new_entries += result.new
                    tally.updated_entries += result.updated
                    tally.not_modified += result.not_modified
                if len(self._pending) >= BATCH_SIZE:
                    await self._flush()
                if self.progress is not None:
                    self.progress(
                        RefreshProgress(
                            done=tally.done, total=total, new_entries=tally.new_entries,
                            not_modified=tally.not_modified, errors=tally.errors,
                            url=result.url, error=result.error,
                        )
                    )  # fmt: skip
        finally:
            for task in [*workers, *tasks]:
                task.cancel()
            await asyncio.gather(*workers, *tasks, return_exceptions=True)
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
            await asyncio.get_running_loop().run_in_executor(
                self._writer, self.storage.update_feeds, pending
            )

    def _later(self, check: FeedCheck, outcome: Outcome) -> FeedUpdate:
        """Decide now, write with the next batch."""
        update = decide(check, outcome, self.clock())
        self._pending.append(update)
        return update

    async def _worker(
        self, hosts: HostQueue, results: asyncio.Queue[_Result | BaseException]
    ) -> None:
        """Fetch feed after feed, staying on a host while it has feeds; a body to parse
        goes to a task of its own, so the next fetch does not wait for the parse."""
        host: str | None = None
        try:
            while (taken := hosts.take(host)) is not None:
                host, check = taken
                await self._in_flight.acquire()
                fetched = await self._guarded(check, self._fetch_one(check))
                if isinstance(fetched, _Result):
                    self._in_flight.release()
                    results.put_nowait(fetched)
                    continue
                task = asyncio.create_task(self._guarded(check, self._store_one(fetched)))
                self._stores.add(task)
                task.add_done_callback(lambda done: self._stored(done, results))
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # the store failed: the refresh stops
            results.put_nowait(error)
            raise

    def _stored(
        self, task: asyncio.Task[_Result], results: asyncio.Queue[_Result | BaseException]
    ) -> None:
        self._stores.discard(task)
        self._in_flight.release()
        if not task.cancelled():
            error = task.exception()
            results.put_nowait(error if error is not None else task.result())

    async def _guarded(self, check: FeedCheck, work: Coroutine[Any, Any, _R]) -> _R | _Result:
        """``work``, with a failure stored on the feed (the store's own failure raised)."""
        try:
            return await work
        except StorageError:
            raise  # the store is unusable: no point going on with other feeds
        except (FetchError, NotAFeedError, ReaderError) as error:
            failed = Failed(str(error), getattr(error, "retry_after", None))
            self._later(check, failed)
            return _Result(check.url, error=failed.message)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug of ours, or a parser crash: one feed, not all
            update = self._later(check, InternalError(f"{type(error).__name__}: {error}"))
            return _Result(check.url, error=update.error)

    async def _fetch_one(self, check: FeedCheck) -> _Result | _StoreJob:
        """The feed's answer: a result when there is nothing to parse, else the job."""
        async with self.host_limiter(check.url):
            result = await fetch(
                self.client,
                check.url,
                etag=check.etag,
                last_modified=check.last_modified,
                max_bytes=self.settings.max_bytes,
                total_timeout=self.settings.total_timeout,
                user_agent=check.user_agent,
            )
        if isinstance(result, NotModified):
            answer = ServerAnswer(result.etag, result.last_modified)
            self._later(check, Unchanged(answer, cache_max_age(result.headers)))
            return _Result(check.url, not_modified=True)
        moved_to = result.permanent_redirect
        answer = ServerAnswer(
            result.etag,
            result.last_modified,
            moved_to if moved_to and moved_to != check.url else None,
        )
        max_age = cache_max_age(result.headers)
        digest = body_hash(result.content)
        if digest == check.body_hash:
            # the server ignored our validators but sent the same bytes: nothing to parse
            self._later(check, Unchanged(answer, max_age))
            return _Result(check.url, not_modified=True)
        return _StoreJob(
            db_path=str(self.storage.path),
            check=check,
            content=result.content,
            url=result.url,
            content_type=result.content_type,
            charset=result.charset,
            answer=answer,
            max_age=max_age,
            now=self.clock(),
            digest=digest,
        )

    async def _store_one(self, job: _StoreJob) -> _Result:
        new, updated = await self._parse_and_store(job)
        return _Result(job.check.url, new=new, updated=updated)

    async def _parse_and_store(self, job: _StoreJob) -> tuple[int, int]:
        if self._use_processes and self.pool is not None:
            done = await self.pool.run(_parse_and_store_in_worker, job)
            if done is not None:
                return done
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._parser, parse_and_store, self.storage, job)


async def refresh_feeds(
    storage: Storage,
    client: httpx.AsyncClient,
    host_limiter: HostLimiter,
    settings: HttpSettings | None = None,
    *,
    feed_urls: Sequence[str] | None = None,
    force: bool = False,
    min_interval: float = 0.0,
    jobs: int | None = None,
    progress: ProgressCallback | None = None,
    parse_mode: ParseMode = "auto",
    clock: Clock = SYSTEM_CLOCK,
    pool: WorkerPool | None = None,
) -> RefreshReport:
    """Refresh the due feeds (all of them with ``force``), or only those of ``feed_urls``;
    ``min_interval``: not the feeds checked less than that many seconds ago."""
    now = clock()
    settings = settings or HttpSettings()
    checks = storage.feeds_to_check(feed_urls)
    due = [check for check in checks if is_due(check, now, force, min_interval)]
    refresher = Refresher(
        storage, client, host_limiter, settings,
        jobs=jobs, progress=progress, parse_mode=parse_mode, clock=clock, pool=pool,
    )  # fmt: skip
    report = await refresher.run(due, skipped=len(checks) - len(due))
    # the new entries go into the full-text index in one pass: far cheaper than row by row
    await asyncio.get_running_loop().run_in_executor(None, storage.index_pending)
    return report
