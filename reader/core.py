"""The one small API the CLI, the TUI and the tests share: ``open_reader() -> Reader``.

Store operations are plain methods (fast, SQLite); network operations are ``async`` and
use one shared ``httpx.AsyncClient`` per event loop, created on first use.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn

from reader.clock import SYSTEM_CLOCK, Clock
from reader.config import Config, ConfigProblem, load_config
from reader.errors import (
    FeedExistsError,
    FeedNotFoundError,
    InvalidSettingError,
    SyncError,
)
from reader.models import (
    Article,
    Entry,
    EntryFilter,
    Feed,
    ImportReport,
    SavedArticle,
    SearchHit,
    StoreStats,
    StoryLink,
)
from reader.paths import Paths, default_paths
from reader.storage import Storage
from reader.urls import check_web_url, feed_key, without_tracking

if TYPE_CHECKING:
    import httpx

    from reader.fetch import HostLimiter, HttpSettings
    from reader.history import History
    from reader.models import (
        PrefetchProgress,
        PrefetchReport,
        RefreshProgress,
        RefreshReport,
        SyncProgress,
        SyncReport,
    )
    from reader.prefetch import PrefetchMode
    from reader.story import TermStats
    from reader.sync.account import Account
    from reader.sync.engine import SyncStatus
    from reader.sync.greader import GReader
    from reader.workers import WorkerPool


HISTORY_STATE = "history"
"""The state key the browsing history is kept under."""


MEGABYTE: Final = 1024 * 1024
"""Bytes in a megabyte, as ``cache_mb`` counts them."""


@dataclass
class Reader:
    _storage: Storage
    """The store: private to the core (the app and the CLI go through these methods)."""
    paths: Paths
    config: Config = field(default_factory=Config)
    config_problems: list[ConfigProblem] = field(default_factory=list)
    clock: Clock = SYSTEM_CLOCK
    """Now: every time stored or shown comes from it (tests freeze it)."""
    _client: httpx.AsyncClient | None = field(default=None, repr=False)
    _client_loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _host_limiter: HostLimiter | None = field(default=None, repr=False)
    _pool: WorkerPool | None = field(default=None, repr=False)
    _sync_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _story_stats: tuple[int, TermStats] | None = field(default=None, repr=False)

    # --- lifecycle ---------------------------------------------------------------------

    # fetch (email.utils, zlib ...) and opml (xml.sax.saxutils pulls in urllib.request and
    # http) are imported where they are used: the app's start needs neither

    @property
    def http_settings(self) -> HttpSettings:
        from reader.fetch import HttpSettings

        return HttpSettings(
            concurrency=self.config.concurrency,
            per_host=self.config.per_host,
            total_timeout=self.config.timeout,
        )

    def client(self) -> httpx.AsyncClient:
        """The shared client of the running event loop (one per loop: httpx pools are)."""
        from reader.fetch import HostLimiter, make_client

        loop = asyncio.get_running_loop()
        if self._client is None or self._client_loop is not loop or self._client.is_closed:
            self._client = make_client(self.http_settings)
            self._client_loop = loop
            self._host_limiter = HostLimiter(self.config.per_host)
        return self._client

    def host_limiter(self) -> HostLimiter:
        self.client()
        assert self._host_limiter is not None
        return self._host_limiter

    async def aclose(self) -> None:
        if self._client is not None and not self._client.is_closed:
            await self._client.aclose()
        self._client = None

    def warm_up(self, *, network: bool = True) -> None:
        """Import what opening an article needs (lxml, readability: ~0.1 s; with
        ``network``, httpx too), so the app's first Enter does not wait for it (the app
        calls this from a thread)."""
        import reader.article
        import reader.extract
        import reader.render  # noqa: F401

        if network:
            import httpx  # noqa: F401

    def worker_pool(self) -> WorkerPool:
        """The worker processes for CPU-heavy work, started on first need."""
        if self._pool is None:
            from reader.workers import WorkerPool

            self._pool = WorkerPool()
        return self._pool

    def close(self) -> None:
        """Stop the worker processes, if any started, and close the store."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        self._storage.close()

    # --- feeds -------------------------------------------------------------------------

    def feeds(self, *, entry_counts: bool = True) -> list[Feed]:
        """Every feed with its unread count, by folder then title; ``entry_counts`` False
        leaves ``Feed.entry_count`` at 0 and skips counting every entry (~4 ms for
        100,000: the app never shows them)."""
        return self._storage.feeds(entry_counts=entry_counts)

    def get_feed(self, url_or_id: str | int) -> Feed:
        feed = self._storage.get_feed(url_or_id)
        if feed is None:
            self._not_subscribed(url_or_id)
        return feed

    @staticmethod
    def _not_subscribed(url_or_id: str | int) -> NoReturn:
        """Raise why no feed was found: :class:`InvalidURLError` when the argument is not an
        http(s) URL at all (a mistake in the command, as for ``add``), else
        :class:`FeedNotFoundError`."""
        if isinstance(url_or_id, str):
            check_web_url(url_or_id)
        raise FeedNotFoundError(f"not subscribed to {url_or_id}; see `reader feeds`")

    def find_feed(self, url_or_id: str | int) -> Feed | None:
        """The feed with this URL or id, with its counts; None when there is none."""
        return self._storage.get_feed(url_or_id)

    async def add_feed(
        self,
        url: str,
        folder: str | None = None,
        title: str | None = None,
        *,
        local: bool = False,
    ) -> Feed:
        """Subscribe to ``url``: a feed, or a page whose feed is found for it. With a sync
        account the next sync subscribes the server too, unless ``local``."""
        from reader.discover import discover_feed

        url = without_tracking(check_web_url(url, assume_https=True))
        self._check_not_subscribed(url)
        discovered = await discover_feed(self.client(), url)
        site_url = url if discovered.url != url else None
        self._check_not_subscribed(discovered.url)
        feed = self._storage.add_feed(
            discovered.url, title=title, folder=folder or None, site_url=site_url,
            local_only=local,
        )  # fmt: skip
        if feed is None:
            raise FeedExistsError(f"already subscribed to {discovered.url}")
        return feed

    def _check_not_subscribed(self, url: str) -> None:
        """:class:`FeedExistsError` when a feed is subscribed at ``url`` or at another
        address of it (http or https, a trailing slash, tracking parameters)."""
        key = feed_key(url)
        for known in self._storage.feed_urls():
            if known == url or feed_key(known) == key:
                raise FeedExistsError(f"already subscribed to {known}")

    def remove_feed(self, url: str) -> None:
        """Unsubscribe; the feed's entries go, the reading list stays. A synced feed is
        unsubscribed on the server at the next sync."""
        if not self._storage.remove_feed(url):
            self._not_subscribed(url)

    def edit_feed(
        self,
        url_or_id: str | int,
        *,
        title: str | None = None,
        folder: str | None = None,
        local: bool | None = None,
        full_text: str | None = None,
        refresh_minutes: int | None = None,
        user_agent: str | None = None,
    ) -> Feed:
        """Rename (``title``; "" for the feed's own), move (``folder``; "" for none), or
        keep local (``local``: True unsubscribes the server, False lets the next sync
        send it). A synced feed's rename and move go to the server at the next sync.
        The settings of this reader alone: ``full_text`` ("auto", "always", "never"; a
        new mode forgets what "auto" found), ``refresh_minutes`` (0 for the config's),
        ``user_agent`` ("" for reader's own). :class:`InvalidSettingError` for a bad one."""
        feed = self.get_feed(url_or_id)
        settings = feed_settings(full_text, refresh_minutes, user_agent)
        if title is not None or folder is not None:
            self._storage.edit_feed(feed.id, title=title, folder=folder)
        if local is not None and local != feed.local_only:
            self._storage.set_local_only(feed.id, local)
        if settings:
            self._storage.update_feed(feed.id, **settings)
        return self.get_feed(feed.id)

    def add_feeds(self, feeds: Iterable[tuple[str, str | None, str | None]]) -> tuple[int, int]:
        """Subscribe to many (url, title, folder) at once, without fetching them:
        (added, already there)."""
        return self._storage.add_feeds(feeds)

    def import_feeds(self, data: bytes) -> ImportReport:
        """Subscribe to the feeds of an OPML or newsboat urls file; the feeds it adds take
        the settings its ``reader:`` attributes carry (an export of ours)."""
        from reader.opml import parse_subscriptions

        parsed = parse_subscriptions(data)
        known = set(self._storage.feed_urls())
        keys = {feed_key(url) for url in known}
        fresh = []  # not another address of a feed subscribed or listed before
        for subscription in parsed.subscriptions:
            key = feed_key(subscription.url)
            if key not in keys or subscription.url in known:
                keys.add(key)
                fresh.append(subscription)
        variants = len(parsed.subscriptions) - len(fresh)
        added, present = self.add_feeds((s.url, s.title, s.folder) for s in fresh)
        present += variants
        for subscription in fresh:
            if subscription.settings and subscription.url not in known:
                feed = self._storage.get_feed(subscription.url, counts=False)
                if feed is not None:
                    columns = feed_settings(
                        subscription.full_text, subscription.refresh_minutes,
                        subscription.user_agent,
                    )  # fmt: skip
                    self._storage.update_feed(feed.id, **columns)
        return ImportReport(
            added=added, present=present + parsed.duplicates, invalid=parsed.invalid
        )

    def export_opml(self) -> str:
        from reader.opml import export_opml

        return export_opml(self._storage.feeds())

    # --- refresh -----------------------------------------------------------------------

    async def refresh(
        self,
        feed_urls: Sequence[str] | None = None,
        *,
        force: bool = False,
        min_interval: float = 0.0,
        jobs: int | None = None,
        progress: Callable[[RefreshProgress], None] | None = None,
    ) -> RefreshReport:
        """Fetch the due feeds (every one with ``force``; only ``feed_urls`` when given)
        and store what is new. One feed's failure is stored on it, never raised; the
        report counts feeds, new entries, 304s and errors. ``min_interval`` skips feeds
        checked less than that many seconds ago (the app's refresh interval); ``jobs``
        overrides ``config.concurrency`` (feeds fetched at once)."""
        from reader.fetch import HostLimiter, make_client
        from reader.update import refresh_feeds

        if feed_urls is not None:
            for url in feed_urls:
                self.get_feed(url)  # FeedNotFoundError for a URL we do not follow
        settings = self.http_settings
        if jobs is not None and jobs > settings.concurrency:
            # more connections than the shared client's pool: a client for this refresh
            settings = replace(settings, concurrency=jobs)
            async with make_client(settings) as client:
                report = await refresh_feeds(
                    self._storage, client, HostLimiter(settings.per_host), settings,
                    feed_urls=feed_urls, force=force, min_interval=min_interval, jobs=jobs,
                    progress=progress, clock=self.clock, pool=self.worker_pool(),
                )  # fmt: skip
        else:
            report = await refresh_feeds(
                self._storage, self.client(), self.host_limiter(), settings,
                feed_urls=feed_urls, force=force, min_interval=min_interval, jobs=jobs,
                progress=progress, clock=self.clock, pool=self.worker_pool(),
            )  # fmt: skip
        if self.config.prefetch == "off":
            self._storage.clear_article_queue()  # nothing waits for a prefetch never run
        self.apply_retention()
        return report

    # --- prefetch ----------------------------------------------------------------------

    async def prefetch(
        self,
        feed_urls: Sequence[str] | None = None,
        *,
        mode: PrefetchMode | None = None,
        limit: int | None = None,
        progress: Callable[[PrefetchProgress], None] | None = None,
    ) -> PrefetchReport:
        """Fetch, extract and keep the whole articles of the entries waiting for it (only
        those of ``feed_urls`` when given): ``mode`` and ``limit`` default to the config's
        ``prefetch`` and ``prefetch_limit``. Politely (see reader/prefetch.py); what one
        round leaves, the next takes."""
        from reader.prefetch import prefetch_articles

        feed_ids = [self.get_feed(url).id for url in feed_urls] if feed_urls else None
        report = await prefetch_articles(
            self._storage, self.client(), self.host_limiter(), self.http_settings,
            mode=mode or self.config.prefetch,
            limit=self.config.prefetch_limit if limit is None else limit,
            feed_ids=feed_ids, progress=progress, clock=self.clock, pool=self.worker_pool(),
        )  # fmt: skip
        self._storage.evict_articles(self.config.cache_mb * MEGABYTE)
        return report

    # --- retention -----------------------------------------------------------------------

    def apply_retention(self) -> tuple[int, int, int]:
        """``keep_days``: remove the read, unsaved entries older than that, with their
        articles; ``cache_mb``: evict cached articles beyond it (read ones first, oldest
        first; saved ones never). Refresh and prefetch call it as they end. (entries,
        articles with them, articles evicted)."""
        entries = with_them = 0
        if self.config.keep_days:
            before = self.clock() - self.config.keep_days * 86400.0
            entries, with_them = self._storage.remove_old_entries(before)
        evicted, _ = self._storage.evict_articles(self.config.cache_mb * MEGABYTE)
        return entries, with_them, evicted

    def stats(self) -> StoreStats:
        """Feeds, entries, unread, cached articles and their size, saved articles, and the
        database's size on disk."""
        return self._storage.stats()

    def vacuum(self) -> tuple[int, int]:
        """Compact the database (and merge its full-text index): its size before, after."""
        before = self._storage.stats().database_bytes
        self._storage.vacuum()
        return before, self._storage.stats().database_bytes

    def articles_to_fetch(self) -> int:
        """Entries whose article prefetch has still to fetch."""
        from reader.prefetch import MAX_ATTEMPTS

        return self._storage.queued_article_count(MAX_ATTEMPTS)

    def due_feed_count(self, min_interval: float = 0.0) -> int:
        """How many feeds a refresh (not forced) would fetch now."""
        from reader.update import is_due

        now = self.clock()
        checks = self._storage.feeds_to_check()
        return sum(is_due(check, now, min_interval=min_interval) for check in checks)

    # --- entries -----------------------------------------------------------------------

    def entries(
        self, filter: EntryFilter = EntryFilter(), limit: int = 100, offset: int = 0
    ) -> list[Entry]:
        return self._storage.entries(filter, limit, offset)

    def entry(self, entry_id: int) -> Entry | None:
        return self._storage.get_entry(entry_id)

    def entries_by_id(self, ids: Sequence[int]) -> list[Entry]:
        """The entries with these ids, in the order given (missing ones left out)."""
        return self._storage.entries_by_id(ids)

    def entry_ids(self, filter: EntryFilter = EntryFilter()) -> list[int]:
        """Every matching entry id, newest first (cheap for 100,000 entries; thread-safe:
        each thread has its own connection)."""
        return self._storage.entry_ids(filter)

    def count_entries(self, filter: EntryFilter = EntryFilter()) -> int:
        return self._storage.count_entries(filter)

    def entry_position(self, filter: EntryFilter, entry_id: int) -> int | None:
        """Where entry ``entry_id`` is in ``entries(filter)`` (0 is the first), or None
        when the filter leaves it out; cheap, without the list's ids."""
        return self._storage.entry_position(filter, entry_id)

    def unread_counts(self) -> dict[int, int]:
        """Feed id -> unread entries."""
        return self._storage.unread_counts()

    def folder_repeats(self) -> dict[str, int]:
        """Folder -> unread entries two of its feeds have, counted once in the folder:
        its unread count is its feeds' sum less this."""
        return self._storage.folder_repeats()

    def mark_read(self, entry_ids: Sequence[int], read: bool = True) -> int:
        """Mark entries read (or unread), their duplicates in other feeds with them;
        returns how many changed."""
        return self._storage.set_read(entry_ids, read)

    def mark_feed_read(self, feed_id: int | None) -> int:
        return self._storage.mark_feed_read(feed_id)

    def entry_by_url(self, url: str) -> Entry | None:
        """The newest entry linking to ``url``, if any feed has one."""
        return self._storage.entry_by_url(url)

    def mark_urls(self, urls: Sequence[str], read: bool = True) -> tuple[int, list[str]]:
        """Mark every entry linking to one of ``urls`` read (or unread): how many changed,
        and the URLs no entry links to. :class:`InvalidURLError` for one that is no URL."""
        wanted = {url: check_web_url(url) for url in urls}
        found = self._storage.entry_ids_by_url({*wanted, *wanted.values()})
        unknown = [url for url, tidy in wanted.items() if url not in found and tidy not in found]
        ids = {entry_id for ids in found.values() for entry_id in ids}
        return self._storage.set_read(sorted(ids), read), unknown

    # --- articles ----------------------------------------------------------------------

    def cached_article(self, url: str) -> Article | None:
        """The extracted article from the cache (instant, works offline), or None."""
        return self._storage.cached_article(url)

    def ready_article(self, url: str, entry: Entry | None = None) -> Article | None:
        """What opening ``url`` (``entry``'s page, when it is) shows at once, without the
        network: the feed's text with its note for a feed set to full text "never" (its
        page may be cached through another feed), else the cached page; None: neither."""
        if entry is not None and entry.url == url and (entry.content or entry.summary):
            feed = self._storage.get_feed(entry.feed_id, counts=False)
            if feed is not None and feed.full_text == "never":
                from reader.article import FULL_TEXT_OFF, article_from_entry

                return article_from_entry(entry, FULL_TEXT_OFF, self.clock())
        return self._storage.cached_article(url)

    def article_from_entry(self, entry: Entry) -> Article:
        """The feed's own content as an article: instant, shown while the page loads."""
        from reader.article import article_from_entry

        return article_from_entry(entry, now=self.clock())

    def article_from_saved(self, saved: SavedArticle) -> Article:
        """A reading-list article as saved: offline, whatever became of its page."""
        from reader.article import article_from_saved

        return article_from_saved(saved)

    async def get_article(
        self,
        url: str,
        entry: Entry | None = None,
        *,
        use_cache: bool = True,
        revalidate: bool = False,
    ) -> Article:
        """The whole article at ``url``: cache, else fetch and extract (off the event
        loop), else the entry's content with ``article.note`` saying why. An entry's own
        page goes with its feed's user agent; a feed whose content is the whole article
        (``full_text`` "never", or "auto" found so) gives it without the network.
        ``use_cache`` False fetches it again (replacing the cached copy); ``revalidate``
        checks the cached copy with a conditional GET."""
        from reader.article import FEED_IS_WHOLE, FULL_TEXT_OFF, article_from_entry, fetch_article

        user_agent = None
        if entry is not None and entry.url == url:
            feed = self._storage.get_feed(entry.feed_id, counts=False)
            if feed is not None:
                user_agent = feed.user_agent
                if not feed.wants_pages and (entry.content or entry.summary):
                    if feed.full_text == "never":  # the user's choice: the feed's text
                        return article_from_entry(entry, FULL_TEXT_OFF, self.clock())
                    cached = self._storage.cached_article(url) if use_cache else None
                    return cached or article_from_entry(entry, FEED_IS_WHOLE, self.clock())
        return await fetch_article(
            self.client(),
            self._storage,
            url,
            entry,
            use_cache=use_cache,
            revalidate=revalidate,
            timeout=self.config.timeout,
            clock=self.clock,
            user_agent=user_agent,
        )

    # --- more on this story ------------------------------------------------------------

    def more_on_story(
        self, article: Article | None = None, entry: Entry | None = None, limit: int = 5
    ) -> list[StoryLink]:
        """Up to ``limit`` entries of other feeds that report the same story as
        ``article`` (its text when it is the page's, else ``entry``'s title and feed
        text), best first; duplicates of the entry itself are not "more". Store and CPU
        work of tens of milliseconds: call it off the event loop."""
        from reader import story

        feed_text = story.html_text(entry.content or entry.summary) if entry else ""
        page_text = story.article_body(article) if article is not None else ""
        if article is not None and len(page_text.split()) > len(feed_text.split()):
            source = story.story_text(article.title, page_text)  # the page says more
        elif entry is not None:
            source = story.story_text(entry.title, feed_text)
        else:
            return []
        stats = self._term_stats()
        when = entry.date if entry is not None else None
        if when is None and article is not None:
            when = _timestamp(article.published)
        when = self.clock() if when is None else when
        urls = {u for u in (article and article.url, entry and entry.url) if u}
        candidates = self._storage.story_candidates(
            story.fts_any(story.query_terms(source, stats)),
            since=when - story.STORY_WINDOW,
            until=when + story.STORY_WINDOW,
            exclude_feed=entry.feed_id if entry is not None else None,
            exclude_entry=entry.id if entry is not None else None,
            exclude_urls=sorted(urls),
        )
        return [
            StoryLink(
                title=found.title or found.url or "",
                url=found.url or "",
                feed=found.feed_title,
                published=found.published,
                entry_id=found.entry_id,
                score=measured.score,
            )
            for found, measured in story.same_story(source, when, candidates, stats, limit)
            if found.url
        ]

    def prepare_more_on_story(self) -> None:
        """Measure term rarity now (a few hundred ms at 100,000 entries), so the first
        :meth:`more_on_story` is as fast as the next ones."""
        self._term_stats()

    def _term_stats(self) -> TermStats:
        """Term rarity in the store, measured again when it has grown or shrunk by 10%."""
        from reader import story

        count = self._storage.count_texts()
        cached = self._story_stats
        if cached is None or abs(count - cached[0]) > 0.1 * max(cached[0], 1):
            total, rows = self._storage.story_sample(story.SAMPLE_SIZE)
            stats = story.term_stats(
                (story.text_terms(title, story.html_text(text)) for title, text in rows), total
            )
            self._story_stats = cached = (total, stats)
        return cached[1]

    # --- reading list ------------------------------------------------------------------

    def save(self, article: Article, reached_from: str | None = None) -> None:
        """Put ``article`` on the reading list, its text kept for good."""
        from reader.render import to_text

        self._storage.save_article(
            article.url,
            article.title or article.url,
            article.site_name,
            to_text(article),
            article=article,
            reached_from=reached_from,
        )

    def saved_count(self) -> int:
        return self._storage.saved_count()

    def saved_article(self, url: str) -> SavedArticle | None:
        """The reading list's article at ``url``, if it is on it."""
        return self._storage.saved_article(url)

    def unsave(self, url: str) -> bool:
        return self._storage.unsave_article(url)

    async def save_url(self, url: str) -> Article:
        """Get the article at ``url`` (the cache, else fetch and extract, else its entry's
        content) and put it on the reading list, as ``s`` does in the app."""
        url = check_web_url(url)
        article = await self.get_article(url, self.entry_by_url(url))
        self.save(article)
        return article

    def unsave_url(self, url: str) -> bool:
        """Take ``url`` off the reading list, saved under it or under the page it led to."""
        url = check_web_url(url)
        removed = self.unsave(url)
        cached = self.cached_article(url)
        if cached is not None and cached.url != url:
            removed = self.unsave(cached.url) or removed
        return removed

    def is_saved(self, url: str) -> bool:
        return self._storage.is_saved(url)

    def saved(self) -> list[SavedArticle]:
        """The reading list, newest first."""
        return self._storage.saved_articles()

    def open_in_browser(self, url: str) -> str | None:
        """Open ``url`` in the web browser (the config's ``browser``, else the system's);
        None when it opened, else why not. Waits a moment to catch a failing command: call
        it off the event loop."""
        from reader.browser import open_in_browser

        return open_in_browser(url, self.config.browser)

    def terminal_browser_argv(self, url: str) -> list[str] | None:
        """The command line that opens ``url`` when the config's browser runs in the
        terminal (``browser_in_terminal``, or a well-known one such as w3m or lynx): the
        app hands the terminal over and calls ``run_terminal_browser``. None: a graphical
        or the system's browser, for ``open_in_browser``."""
        from reader.browser import terminal_argv

        return terminal_argv(url, self.config.browser, self.config.browser_in_terminal)

    def run_terminal_browser(self, args: list[str]) -> str | None:
        """Run ``args`` in the foreground until it exits (the terminal handed over first);
        None when it ran fine, else why not."""
        from reader.browser import run_in_terminal

        return run_in_terminal(args)

    # --- the app's own state: history, where the user left off ------------------------

    def history(self) -> History:
        """The browsing history between articles, as last saved."""
        from reader.history import History

        return History.from_json(self._storage.get_state(HISTORY_STATE))

    def save_history(self, history: History) -> None:
        self._storage.set_state(HISTORY_STATE, history.to_json())

    def get_state(self, key: str) -> str | None:
        """A value the app keeps between runs (the selection, the theme)."""
        return self._storage.get_state(key)

    def set_state(self, key: str, value: str) -> None:
        self._storage.set_state(key, value)

    def set_states(self, values: Mapping[str, str]) -> None:
        """Several values the app keeps, in one write (``HISTORY_STATE`` is the history's
        JSON)."""
        self._storage.set_states(values)

    def set_busy_timeout(self, seconds: float) -> None:
        """How long the calling thread waits for a store another program has locked
        before :class:`DatabaseLockedError` (five seconds unless set)."""
        self._storage.set_busy_timeout(seconds)

    # --- sync with a feed server (reader/sync/) ---------------------------------------

    def sync_account(self) -> Account | None:
        """The sync server's account, if one is set up."""
        from reader.sync.account import load_account

        return load_account(self.paths.sync_account)

    async def sync_setup(
        self,
        url: str,
        user: str,
        *,
        password: str | None = None,
        password_command: str | None = None,
    ) -> Account:
        """Log in once to check, then keep the account (mode 0600, in the config dir).
        ``url`` is the Google Reader API's address; for FreshRSS its site address works
        too (``/api/greader.php`` is tried after it)."""
        from reader.sync.account import Account, account_password, save_account
        from reader.sync.greader import (
            LoginRefusedError,
            ProtocolError,
            RequestRefusedError,
            shown_address,
        )

        url = check_web_url(url.strip()).rstrip("/")
        account = Account(url=url, user=user, password=password,
                          password_command=password_command)  # fmt: skip
        secret = account_password(account)  # a failing command fails here, at setup
        candidates = [url] if url.endswith("/api/greader.php") else [url, url + "/api/greader.php"]
        for candidate in candidates:
            api = self._greader(replace(account, url=candidate), password=lambda: secret)
            try:
                auth = await api.login()
            except LoginRefusedError:
                raise LoginRefusedError(
                    "login refused: check the user name and the API password (FreshRSS: "
                    "the API password of your profile; Miniflux: the Google Reader user and "
                    "password of its Integrations page)"
                ) from None
            except (ProtocolError, RequestRefusedError):
                continue
            account = replace(account, url=candidate, auth=auth)
            break
        else:
            # a 404, an HTML page or a login without a token: not a Google Reader API
            raise SyncError(
                f"no Google Reader API at {shown_address(url)} (check the URL: for FreshRSS "
                "it ends in /api/greader.php; for Miniflux it is Miniflux's own address, "
                "with the Google Reader API turned on in Settings > Integrations)"
            ) from None
        state = self._storage.sync_state()
        if state.get("account") != account.identity:
            self._storage.forget_sync()  # another server or user: its ids mean nothing here
            self._storage.set_sync_state({"account": account.identity})
        save_account(self.paths.sync_account, account)
        return account

    async def sync(
        self,
        progress: Callable[[SyncProgress], None] | None = None,
        *,
        background: bool = False,
        accept_removals: bool = False,
    ) -> SyncReport | None:
        """Sync with the server now: queued changes go up, the server's feeds, entries and
        read/starred state come down. Raises :class:`SyncError` (stored for ``sync
        status``; the changes stay queued). ``background`` (the app's syncs) returns None
        instead when the last failures ask to wait (backoff, Retry-After) or a sync is
        already running. A server that lost most of the feeds or stars synced with it
        changes nothing here (:class:`~reader.sync.engine.ServerLostDataError`, kept as
        ``sync_status().attention``) unless ``accept_removals``."""
        from reader.sync.engine import Sync, record_failure, record_success

        account = self.sync_account()
        if account is None:
            raise SyncError("no sync account: `reader sync setup URL --user NAME` first")
        now = self.clock()
        if background:
            next_attempt = self._storage.sync_state().get("next_attempt")
            if next_attempt is not None and float(next_attempt) > now:
                return None
        if not self._sync_lock.acquire(blocking=False):
            if background:
                return None
            raise SyncError("a sync is already running")
        try:
            api = self._greader(account)
            try:
                report = await Sync(
                    self._storage, api, clock=self.clock, progress=progress,
                    accept_removals=accept_removals,
                ).run()  # fmt: skip
            except SyncError as error:
                record_failure(self._storage, error, self.clock())
                raise
            record_success(self._storage)
            return report
        finally:
            self._sync_lock.release()

    def sync_status(self) -> SyncStatus:
        """The account, the last sync, the queued changes and the last error."""
        from reader.sync.engine import SyncStatus

        account = self.sync_account()
        state = self._storage.sync_state()
        feeds = self._storage.sync_feeds()
        return SyncStatus.from_state(
            account, state, queued=self._storage.outbox_count(),
            synced_feeds=sum(feed.synced for feed in feeds),
            local_feeds=sum(feed.local_only for feed in feeds),
        )  # fmt: skip

    def sync_off(self) -> bool:
        """Forget the account; feeds and entries stay, as local ones. False if none."""
        from reader.sync.account import forget_account

        self._storage.forget_sync()
        return forget_account(self.paths.sync_account)

    def _greader(self, account: Account, password: Callable[[], str] | None = None) -> GReader:
        from reader.sync.account import account_password, save_account
        from reader.sync.greader import GReader

        def keep_token(auth: str) -> None:
            if self.paths.sync_account.exists():
                save_account(self.paths.sync_account, account.with_auth(auth))

        return GReader(
            self.client(), account.url, account.user,
            password or (lambda: account_password(account)),
            auth=account.auth, on_login=keep_token, timeout=self.config.timeout,
        )  # fmt: skip

    # --- search ------------------------------------------------------------------------

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Entries and cached articles: every word as a prefix, accents folded."""
        return self._storage.search(query, limit)


def feed_settings(
    full_text: str | None = None,
    refresh_minutes: int | None = None,
    user_agent: str | None = None,
) -> dict[str, object]:
    """The feed columns for these settings (None: unchanged), checked:
    :class:`InvalidSettingError` names a bad one."""
    from reader.models import FULL_TEXT_MODES

    columns: dict[str, object] = {}
    if full_text is not None:
        if full_text not in FULL_TEXT_MODES:
            raise InvalidSettingError(
                f"full text must be one of {', '.join(FULL_TEXT_MODES)}, not {full_text!r}"
            )
        columns.update(full_text=full_text, full_text_found=None, full_text_samples=0)
    if refresh_minutes is not None:
        if not 0 <= refresh_minutes <= 100_000:
            raise InvalidSettingError(
                f"refresh minutes must be 0 (the config's) to 100000, not {refresh_minutes}"
            )
        columns["refresh_minutes"] = refresh_minutes or None
    if user_agent is not None:
        agent = user_agent.strip()
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in agent) or len(agent) > 500:
            raise InvalidSettingError("a user agent is one line of at most 500 characters")
        columns["user_agent"] = agent or None
    return columns


DEMO_FEEDS: Final = (("/feed.xml", None), ("/atom.xml", "Port Alder"))
"""The bundled news site's feeds (``reader --demo``), with their folders."""


def open_demo_reader(directory: Path) -> tuple[Reader, Callable[[], None]]:
    """A reader on a new store in ``directory`` that follows the bundled news site, served
    on 127.0.0.1; and the function that stops the site."""
    from reader.site_server import SiteServer

    site = SiteServer().start()
    reader = open_reader(directory / "demo.sqlite")
    reader.add_feeds((site.url(path), None, folder) for path, folder in DEMO_FEEDS)
    return reader, site.stop


def _timestamp(iso: str | None) -> float | None:
    """An article's ISO 8601 date as a timestamp (None when absent or unreadable)."""
    if not iso:
        return None
    from datetime import UTC, datetime

    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def open_reader(
    db: str | Path | None = None,
    *,
    config: Config | None = None,
    paths: Paths | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Reader:
    """The factory the CLI, the TUI and the tests use; ``clock`` stamps every stored time."""
    paths = paths or default_paths(db)
    problems: list[ConfigProblem] = []
    if config is None:
        config, problems = load_config(paths.config_file)
    return Reader(_storage=Storage(paths.database, clock=clock), paths=paths, config=config,
                  config_problems=problems, clock=clock)  # fmt: skip
