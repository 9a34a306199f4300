"""Prefetch: the whole article of every new entry, fetched, extracted and kept before it is
opened, so opening is instant, reading works offline and search sees inside articles.

New entries wait in the store's article queue (a trigger puts each one there as it is
inserted); a prefetch round takes the newest of them, at most ``limit``:

- politely: at most ``PER_HOST`` requests to one host (inside the refresh's own per-host
  limit and the global one), the same size cap and timeout as opening an article, the
  feed's user agent; a host that answers 429 or 503 with a short ``Retry-After`` is waited
  for while the others go on (a long one is remembered, and the host left alone until
  then); a host that fails (refused, timed out, a server error) is left alone for the
  rest of the round, its entries kept for the next one;
- extraction (CPU: ~20 ms a page, 300 ms for a huge one) runs in the worker processes the
  refresh parses in, each storing its article and taking the entry off the queue in one
  transaction: Ctrl-C or quitting mid-way keeps every article finished, writes no half of
  one, and the next round carries on with the rest;
- a page that is not HTML, too thin, or gone (404) keeps the feed's content with the
  reason noted, as opening does;
- ``full_text = "auto"`` feeds are decided from their first ``AUTO_SAMPLES`` entries
  (:func:`feed_carries_article`): when the feed's content is the whole article, the
  feed's other entries are not fetched, now or later.

The deferred full-text pass indexes the new articles when the round ends.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import urlsplit

from reader.clock import SYSTEM_CLOCK, Clock
from reader.errors import FetchError, NotAnArticleError, StorageError
from reader.fetch import HttpSettings, HttpStatusError, NotModified, TooLargeError, fetch
from reader.models import Article, Entry, PrefetchProgress, PrefetchReport, QueuedArticle

if TYPE_CHECKING:
    import httpx

    from reader.fetch import HostLimiter
    from reader.storage import Storage
    from reader.workers import WorkerPool

PER_HOST: Final = 2
"""Article requests in flight to one host at once."""
MAX_WAIT: Final = 10.0
"""Seconds of ``Retry-After`` a round waits for; a longer one stops the host till then."""
MAX_WAITS: Final = 3
"""Times a round waits for one host before leaving it for the next round."""
MAX_ATTEMPTS: Final = 3
"""Rounds an entry is tried in before the queue gives it up (opening still tries)."""
AUTO_SAMPLES: Final = 3
"""Entries ``full_text = "auto"`` compares before it decides a feed is whole."""
PROCESS_MIN_ARTICLES: Final = 8
"""Fewer articles are extracted in a thread: starting worker processes costs more."""
DAY: Final = 86400.0

PrefetchMode = Literal["new", "unread", "off"]


ProgressCallback = Callable[[PrefetchProgress], None]


# --- the auto decision: pure -------------------------------------------------------------

_WORD: Final = re.compile(r"\w+")
START_WORDS: Final = 12
"""The page's first words that must open the feed's content (give or take a lead-in)."""
LEAD_IN: Final = 40
"""Words the feed's content may carry before the page's start (a byline, a caption)."""
WHOLE_SHARE: Final = 0.8
"""How much of the page's length the feed's content must have to count as whole."""
MIN_WORDS: Final = 50


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def feed_carries_article(feed_text: str, page_text: str) -> bool:
    """Does the feed's content hold the whole article? Long (most of the page's words)
    and starting where the page starts, give or take a lead-in on either side (a byline,
    a caption, the title the page repeats)."""
    feed_words, page_words = words(feed_text), words(page_text)
    if len(feed_words) < max(MIN_WORDS, WHOLE_SHARE * len(page_words)):
        return False
    return _opens(page_words[:START_WORDS], feed_words) or _opens(
        feed_words[:START_WORDS], page_words
    )


def _opens(start: list[str], text: list[str]) -> bool:
    """Is ``start`` found within the first words of ``text``?"""
    window = text[: LEAD_IN + len(start)]
    return any(window[i : i + len(start)] == start for i in range(len(window) - len(start) + 1))


def _article_text(article: Article) -> str:
    return " ".join(block.text for block in article.blocks)


# --- extract and store: in a worker process, or in a thread -------------------------------


@dataclass(frozen=True)
class _ArticleJob:
    """A fetched page (or the reason there is none) and its entry: picklable."""

    db_path: str
    entry: Entry
    requested_url: str
    now: float
    final_url: str = ""
    content: bytes = b""
    content_type: str = ""
    charset: str | None = None
    validators: tuple[str | None, str | None] = (None, None)
    """The page's ETag and Last-Modified, kept for a conditional GET later."""
    error: str | None = None
    """Why no page came (a 404, too large): the feed's content is kept with it."""
    sample: bool = False
    """Compare the feed's content with the page (``full_text = "auto"``)."""


@dataclass(frozen=True)
class _Stored:
    source: Literal["page", "feed"] | None
    """What was kept: the page, the feed's content, or nothing (None)."""
    note: str | None = None
    carries: bool | None = None
    """For a sample: whether the feed's content is the whole article."""


def store_article(
    storage: Storage, job: _ArticleJob, lock: AbstractContextManager[Any] | None = None
) -> _Stored:
    """Extract the page (or fall back on the feed's content), keep it and take the entry
    off the queue, in one transaction; ``lock`` serialises the writes of worker processes."""
    from reader.article import article_from_entry, page_article

    entry = job.entry
    article: Article | None
    note: str | None
    try:
        if job.error is not None:
            if not (entry.content or entry.summary):
                raise NotAnArticleError(job.error)
            article = article_from_entry(entry, f"the page could not be fetched ({job.error})",
                                         job.now)  # fmt: skip
        else:
            article = page_article(job.content, job.final_url, job.content_type, job.charset,
                                   entry, job.now)  # fmt: skip
        note = article.note
    except NotAnArticleError as error:
        article, note = None, str(error)
    carries = None
    if job.sample and article is not None:
        if article.source == "feed":
            carries = job.error is None  # the page gave less than the feed
        else:
            feed_article = article_from_entry(entry, now=job.now)
            carries = feed_carries_article(_article_text(feed_article), _article_text(article))
    with lock if lock is not None else nullcontext():
        validators = job.validators if article is not None and article.source == "page" else None
        storage.store_prefetched(article, entry.id, job.requested_url, validators or (None, None))
    return _Stored(article.source if article is not None else None, note, carries)


def _store_article_in_worker(job: _ArticleJob) -> _Stored:
    from reader.workers import worker_storage, write_lock

    return store_article(worker_storage(job.db_path), job, write_lock())


# --- the round ---------------------------------------------------------------------------


@dataclass
class _Host:
    name: str
    queue: deque[tuple[QueuedArticle, Entry, bool]] = field(default_factory=deque)
    stopped: bool = False
    paused_until: float = 0.0  # time.monotonic()
    waits: int = 0


@dataclass
class _Tally:
    done: int = 0
    fetched: int = 0
    kept_feed: int = 0
    failed: int = 0
    deferred: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


class Prefetcher:
    """One round: build it, ``await run(queued)``, read the report."""

    def __init__(
        self,
        storage: Storage,
        client: httpx.AsyncClient,
        host_limiter: HostLimiter,
        settings: HttpSettings | None = None,
        *,
        progress: ProgressCallback | None = None,
        clock: Clock = SYSTEM_CLOCK,
        pool: WorkerPool | None = None,
    ) -> None:
        self.storage = storage
        self.client = client
        self.host_limiter = host_limiter
        self.settings = settings or HttpSettings()
        self.progress = progress
        self.clock = clock
        self.pool = pool
        self._tally = _Tally()
        self._total = 0
        self._hosts: dict[str, _Host] = {}
        self._use_processes = False
        self._slots = asyncio.Semaphore(self.settings.concurrency)
        self._thread: ThreadPoolExecutor | None = None

    async def run(self, queued: Sequence[QueuedArticle], skipped: int = 0) -> PrefetchReport:
        started = time.monotonic()
        waits = self.storage.host_waits(self.clock())
        ready: list[QueuedArticle] = []
        for item in queued:
            if _host(item.url) in waits:
                self._tally.deferred += 1  # the host asked us to wait: the next round
            else:
                ready.append(item)
        self._total = len(ready)
        self._use_processes = self.pool is not None and len(ready) >= PROCESS_MIN_ARTICLES
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="reader-extract")
        entries = {e.id: e for e in self.storage.entries_by_id([i.entry_id for i in ready])}
        samples, rest = _split_samples(ready)
        try:
            verdicts = await self._run_phase(samples, entries)
            found = self._decide(samples, verdicts)
            whole = [item for item in rest if found.get(item.feed_id) == "feed"]
            if whole:
                self.storage.dequeue_articles([item.entry_id for item in whole])
                skipped += len(whole)
                self._total -= len(whole)
            rest = [item for item in rest if found.get(item.feed_id) != "feed"]
            await self._run_phase([(item, False) for item in rest], entries)
        finally:
            self._thread.shutdown(wait=True, cancel_futures=True)
        tally = self._tally
        return PrefetchReport(
            total=self._total,
            fetched=tally.fetched,
            kept_feed=tally.kept_feed,
            failed=tally.failed,
            deferred=tally.deferred,
            skipped=skipped,
            elapsed=time.monotonic() - started,
            failures=tuple(tally.failures),
        )

    def _decide(
        self, samples: Sequence[tuple[QueuedArticle, bool]], verdicts: dict[int, list[bool]]
    ) -> dict[int, str]:
        """What auto found for each sampled feed, written to the feed: "page" at the first
        entry the feed's content does not carry whole, "feed" after AUTO_SAMPLES that it
        does; undecided (more samples next round) in between."""
        found: dict[int, str] = {}
        before = {item.feed_id: item.full_text_samples for item, _ in samples}
        for feed_id, results in verdicts.items():
            count = before.get(feed_id, 0) + len(results)
            if not all(results):
                found[feed_id] = "page"
                self.storage.update_feed(feed_id, full_text_found="page", full_text_samples=count)
            elif count >= AUTO_SAMPLES:
                found[feed_id] = "feed"
                self.storage.update_feed(feed_id, full_text_found="feed", full_text_samples=count)
            else:
                self.storage.update_feed(feed_id, full_text_samples=count)
        return found

    async def _run_phase(
        self, jobs: Iterable[tuple[QueuedArticle, bool]], entries: dict[int, Entry]
    ) -> dict[int, list[bool]]:
        """Fetch and store ``jobs`` (item, sample?) host by host; the samples' verdicts
        by feed."""
        verdicts: dict[int, list[bool]] = {}
        for item, sample in jobs:
            entry = entries.get(item.entry_id)
            if entry is None:  # removed since it was queued
                self._done()
                continue
            host = self._hosts.setdefault(_host(item.url), _Host(_host(item.url)))
            host.queue.append((item, entry, sample))
        busy = [host for host in self._hosts.values() if host.queue]
        tasks = [
            asyncio.create_task(self._host_worker(host, verdicts))
            for host in busy
            for _ in range(min(PER_HOST, len(host.queue)))
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return verdicts

    async def _host_worker(self, host: _Host, verdicts: dict[int, list[bool]]) -> None:
        while host.queue and not host.stopped:
            pause = host.paused_until - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)  # Retry-After: this host waits, the others go on
                continue
            item, entry, sample = host.queue.popleft()
            stored = await self._one(host, item, entry, sample)
            if stored is not None and stored.carries is not None:
                verdicts.setdefault(item.feed_id, []).append(stored.carries)
        if host.stopped:
            while host.queue:  # left queued for the next round
                host.queue.popleft()
                self._tally.deferred += 1
                self._done()

    async def _one(
        self, host: _Host, item: QueuedArticle, entry: Entry, sample: bool
    ) -> _Stored | None:
        from reader.article import ACCEPT_HTML

        job = _ArticleJob(str(self.storage.path), entry, item.url, self.clock(), sample=sample)
        async with self._slots:
            try:
                async with self.host_limiter(item.url):
                    if host.stopped:
                        raise _Deferred
                    result = await fetch(
                        self.client, item.url, accept=ACCEPT_HTML,
                        max_bytes=self.settings.max_bytes,
                        total_timeout=self.settings.total_timeout, user_agent=item.user_agent,
                    )  # fmt: skip
                assert not isinstance(result, NotModified)  # no validators were sent
                job = _replace_job(job, result)
            except _Deferred:
                self._tally.deferred += 1
                self._done()
                return None
            except HttpStatusError as error:
                if error.status in (429, 503):
                    self._asked_to_wait(host, item, entry, sample, error.retry_after)
                    return None
                if 400 <= error.status < 500 and error.status != 408:
                    job = _replace_job(job, error=str(error))  # the page's fault
                else:
                    self._host_failed(host, item, str(error))
                    return None
            except TooLargeError as error:
                job = _replace_job(job, error=str(error))
            except FetchError as error:
                self._host_failed(host, item, str(error))
                return None
            stored = await self._store(job)
        if stored.source is None:
            self._failed(item.url, stored.note or "no article")
        else:
            self._tally.fetched += 1
            self._tally.kept_feed += stored.source == "feed"
            self._done()
        return stored

    async def _store(self, job: _ArticleJob) -> _Stored:
        if self._use_processes and self.pool is not None:
            stored = await self.pool.run(_store_article_in_worker, job)
            if stored is not None:
                return stored
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, store_article, self.storage, job)

    def _asked_to_wait(
        self, host: _Host, item: QueuedArticle, entry: Entry, sample: bool, retry: float | None
    ) -> None:
        if retry is not None and retry <= MAX_WAIT and host.waits < MAX_WAITS:
            host.waits += 1
            host.paused_until = max(host.paused_until, time.monotonic() + retry)
            host.queue.appendleft((item, entry, sample))  # tried again once the wait is over
            return
        host.stopped = True
        if retry is not None:
            self._save_wait(host.name, self.clock() + min(retry, DAY))
        self._tally.deferred += 1
        self._done()

    def _host_failed(self, host: _Host, item: QueuedArticle, message: str) -> None:
        host.stopped = True  # the rest of this host's entries wait for the next round
        try:
            self.storage.prefetch_failed(item.entry_id)
        except StorageError:
            pass  # counted next time
        self._failed(item.url, message)

    def _save_wait(self, host: str, not_before: float) -> None:
        try:
            self.storage.set_host_wait(host, not_before)
        except StorageError:
            pass

    def _failed(self, url: str, message: str) -> None:
        self._tally.failed += 1
        self._tally.failures.append((url, message))
        self._done()

    def _done(self) -> None:
        self._tally.done += 1
        if self.progress is not None:
            tally = self._tally
            self.progress(
                PrefetchProgress(
                    done=min(tally.done, self._total), total=self._total,
                    fetched=tally.fetched, failed=tally.failed,
                )
            )  # fmt: skip


class _Deferred(Exception):
    """The host stopped while this entry waited for it."""


def _replace_job(job: _ArticleJob, result: Any = None, error: str | None = None) -> _ArticleJob:
    from dataclasses import replace

    if result is None:
        return replace(job, error=error)
    return replace(job, final_url=result.url, content=result.content,
                   content_type=result.content_type, charset=result.charset,
                   validators=(result.etag, result.last_modified))  # fmt: skip


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _split_samples(
    items: Sequence[QueuedArticle],
) -> tuple[list[tuple[QueuedArticle, bool]], list[QueuedArticle]]:
    """The entries that decide undecided "auto" feeds (the newest few of each), then the
    rest, fetched once the decisions are in."""
    wanted: dict[int, int] = {}
    samples: list[tuple[QueuedArticle, bool]] = []
    rest: list[QueuedArticle] = []
    for item in items:
        if item.full_text == "auto" and item.full_text_found is None:
            taken = wanted.setdefault(item.feed_id, 0)
            if item.full_text_samples + taken < AUTO_SAMPLES:
                wanted[item.feed_id] = taken + 1
                samples.append((item, True))
                continue
        rest.append(item)
    return samples, rest


async def prefetch_articles(
    storage: Storage,
    client: httpx.AsyncClient,
    host_limiter: HostLimiter,
    settings: HttpSettings | None = None,
    *,
    mode: PrefetchMode = "new",
    limit: int = 500,
    feed_ids: Sequence[int] | None = None,
    progress: ProgressCallback | None = None,
    clock: Clock = SYSTEM_CLOCK,
    pool: WorkerPool | None = None,
) -> PrefetchReport:
    """One round over the queue (only ``feed_ids``' entries when given): "new" takes what
    the refreshes queued, "unread" queues every unread entry not stored first."""
    loop = asyncio.get_running_loop()
    if mode == "off":
        return PrefetchReport()
    if mode == "unread":
        await loop.run_in_executor(None, storage.queue_unread_articles)
    skipped = await loop.run_in_executor(None, storage.prune_article_queue)
    queued = storage.queued_articles(limit, feed_ids, MAX_ATTEMPTS)
    prefetcher = Prefetcher(
        storage, client, host_limiter, settings, progress=progress, clock=clock, pool=pool
    )
    report = await prefetcher.run(queued, skipped=skipped)
    # the new articles go into the full-text index in one pass
    await loop.run_in_executor(None, storage.index_pending)
    return report
