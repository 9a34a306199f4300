"""One sync with the server: what moves, decided by pure functions, then done over the store.

The order of a sync, each step safe to interrupt (every write is a transaction, and a
queued change leaves the outbox only once the server has confirmed it):

0. the guard: the server's feeds and starred items against what we synced with it; a
   server that lost most of them (reinstalled, restored from an old backup) stops the
   sync before anything changes on either side (:func:`lost_too_much`,
   :class:`ServerLostDataError`), unless the user accepts its removals;
1. feeds: the queued unsubscriptions and edits go up, local feeds the server lacks are
   subscribed there (a refusal keeps the feed local), the server's feeds and folders come
   down (:func:`plan_feeds`);
2. state: the ids of the server's unread and starred items (all of them, in pages);
3. new items: the unread, the starred and the recent ones (by the server's ``ot``) that
   are not stored here, fetched a page at a time and stored page by page (an item for
   an entry read or saved here queues its read or star change);
4. the queued read and star changes are sent, or give way to the server's when it
   changed the item later (:func:`resolve_change`);
5. the server's read and starred state is applied to the entries with no change queued;
   an article the server unstarred leaves the reading list with its text kept.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Final, Literal, TypeVar

from reader.clock import SYSTEM_CLOCK, Clock
from reader.errors import ReaderError, SyncError
from reader.models import SyncPhase as Phase
from reader.models import SyncProgress, SyncReport
from reader.sync.greader import (
    ITEMS_PER_REQUEST,
    READ,
    READING_LIST,
    STARRED,
    GReader,
    Item,
    RequestRefusedError,
    RetryLaterError,
    Subscription,
)

if TYPE_CHECKING:
    from reader.models import Feed
    from reader.storage import OutboxChange, Storage, SyncedEntry
    from reader.sync.account import Account

T = TypeVar("T")

# The first sync also takes this many of the newest items, read or not: some history.
FIRST_SYNC_RECENT: Final = 100
# Later syncs ask for the items the server got since the newest one seen, less this much
# (a feed fetched slowly on the server stores items a little out of order).
RECENT_OVERLAP: Final = 3600.0


@dataclass(frozen=True)
class SyncStatus:
    """What ``reader sync status`` prints."""

    account: str | None  # user@server, None without an account
    url: str | None = None
    user: str | None = None
    password_command: bool = False
    last_sync: float | None = None
    queued: int = 0
    last_error: str | None = None
    last_error_at: float | None = None
    next_attempt: float | None = None
    attention: str | None = None  # what needs the user (a server that lost its data)
    synced_feeds: int = 0
    local_feeds: int = 0

    @classmethod
    def from_state(
        cls,
        account: Account | None,
        state: dict[str, str],
        *,
        queued: int,
        synced_feeds: int,
        local_feeds: int,
    ) -> SyncStatus:
        return cls(
            account=account.identity if account else None,
            url=account.url if account else None,
            user=account.user if account else None,
            password_command=bool(account and account.password_command),
            last_sync=_float(state.get("last_sync")),
            queued=queued,
            last_error=state.get("last_error"),
            last_error_at=_float(state.get("last_error_at")),
            next_attempt=_float(state.get("next_attempt")),
            attention=state.get("attention"),
            synced_feeds=synced_feeds,
            local_feeds=local_feeds,
        )


class ServerLostDataError(SyncError):
    """The server no longer has most of what we synced with it: nothing was applied."""


# --- pure decisions --------------------------------------------------------------------


def lost_too_much(lost: int, known: int) -> bool:
    """Whether ``lost`` of the ``known`` feeds (or starred items) we synced with a server
    gone from it at once says the server lost its data rather than that someone removed
    them there: more than half of them, and more than one (a feed or a star removed on
    the server syncs as ever)."""
    return lost >= 2 and lost * 2 > known


def lost_message(feeds: tuple[int, int], starred: tuple[int, int]) -> str:
    """``(lost, known)`` of feeds and starred items: the one line that says so."""
    parts = [f"{lost} of {known} feeds" for lost, known in [feeds] if lost]
    parts += [f"{lost} of {known} starred articles" for lost, known in [starred] if lost]
    return (
        f"the server has lost {' and '.join(parts)} we synced with it; nothing was removed "
        "here: `reader sync --accept-removals` to apply it, or `reader sync off`"
    )


@dataclass
class FeedPlan:
    """How the feeds here and there come together."""

    link: list[tuple[int, str]] = field(default_factory=list)  # (feed id, stream id)
    add: list[Subscription] = field(default_factory=list)  # the server's, new here
    update: list[tuple[int, Subscription]] = field(default_factory=list)  # renamed, moved
    remove: list[Feed] = field(default_factory=list)  # gone from the server
    subscribe: list[Feed] = field(default_factory=list)  # ours, new there
    unsubscribe: list[OutboxChange] = field(default_factory=list)
    edit: list[tuple[OutboxChange, Subscription]] = field(default_factory=list)
    drop: list[OutboxChange] = field(default_factory=list)  # queued for a feed gone there


def plan_feeds(
    local: Sequence[Feed], remote: Sequence[Subscription], queued: Sequence[OutboxChange]
) -> FeedPlan:
    plan = FeedPlan()
    by_stream = {sub.stream_id: sub for sub in remote}
    by_url = {sub.url: sub for sub in remote}
    unsubscribing = {c.target for c in queued if c.kind == "unsubscribe"}
    editing = {c.target for c in queued if c.kind == "edit"}
    for change in queued:
        if change.kind not in ("unsubscribe", "edit"):
            continue
        sub = by_stream.get(change.target)
        if sub is None:
            plan.drop.append(change)
        elif change.kind == "unsubscribe":
            plan.unsubscribe.append(change)
        else:
            plan.edit.append((change, sub))
    claimed: set[str] = set(unsubscribing)
    for feed in local:
        if feed.remote_id is not None:
            sub = by_stream.get(feed.remote_id)
            if sub is None:
                plan.remove.append(feed)
                continue
            claimed.add(sub.stream_id)
            if feed.remote_id not in editing and (
                (sub.title and sub.title != feed.title) or sub.folder != feed.folder
            ):
                plan.update.append((feed.id, sub))
        elif feed.local_only:
            match = by_url.get(feed.url)
            if match is not None:
                claimed.add(match.stream_id)  # the server's twin of a local feed: not ours
        else:
            match = by_url.get(feed.url)
            if match is not None and match.stream_id not in claimed:
                plan.link.append((feed.id, match.stream_id))
                claimed.add(match.stream_id)
            else:
                plan.subscribe.append(feed)
    plan.add = [sub for sub in remote if sub.stream_id not in claimed]
    return plan


Resolution = Literal["send", "drop", "server"]


def resolve_change(
    change: OutboxChange, server_state: bool, server_changed: float | None
) -> Resolution:
    """A queued read or star change against the server's state of the item.

    - ``drop``: the server has it already; nothing to send.
    - ``server``: no change in the end here (set back as it was), or the server changed
      the item after the change was made here (its ``updated`` time, when it gives one):
      the server's state wins.
    - ``send``: the change made here is the newest.

    A star added here is sent whatever the server's time says: the server's ``updated``
    moves with any change of the item (read on the phone), and losing the star would
    take the article off the reading list here.
    """
    if change.value == server_state:
        return "drop"
    if change.value == change.base:
        return "server"
    if change.kind == "starred" and change.value:
        return "send"
    if server_changed is not None and server_changed > change.changed_at:
        return "server"
    return "send"


def recent_since(state: dict[str, str], now: float) -> float | None:
    """The ``ot`` of the recent items to ask for: None on the first sync."""
    newest = _float(state.get("newest"))
    if newest is not None:
        return newest - RECENT_OVERLAP
    last = _float(state.get("last_sync"))
    return None if last is None else last - 24 * 3600.0


def batches(values: Sequence[T], size: int = ITEMS_PER_REQUEST) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def synced_entry(item: Item) -> SyncedEntry:
    from reader.models import EntryData
    from reader.storage import SyncedEntry

    return SyncedEntry(
        remote_id=item.id,
        entry=EntryData(
            guid=item.url or f"greader:{item.id}",
            url=item.url,
            title=item.title,
            author=item.author,
            published=item.published or item.crawled,
            content=item.content,
        ),
        read=item.read,
        starred=item.starred,
    )


# --- the sync --------------------------------------------------------------------------


class Sync:
    """One sync of ``storage`` with the server behind ``api``."""

    def __init__(
        self,
        storage: Storage,
        api: GReader,
        *,
        clock: Clock = SYSTEM_CLOCK,
        progress: Callable[[SyncProgress], None] | None = None,
        accept_removals: bool = False,
    ) -> None:
        self.storage = storage
        self.api = api
        self.clock = clock
        self.accept_removals = accept_removals
        self._progress = progress
        self.report = SyncReport(server=api.server)
        self.state = storage.sync_state()

    def progress(self, phase: Phase, done: int = 0, total: int = 0) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(phase, done, total))

    async def run(self) -> SyncReport:
        started = self.clock()
        self.progress("feeds")
        remote = await self.api.subscriptions()
        starred = await self.api.item_ids(STARRED)
        if not self.accept_removals:
            await asyncio.to_thread(self.check_kept, remote, starred)
        feed_ids, unsubscribed = await self.sync_feeds(remote)
        self.progress("state")
        unread = await self.api.item_ids(READING_LIST, exclude=READ)
        if unsubscribed:  # their items went with them
            starred = await self.api.item_ids(STARRED)
        since = recent_since(self.state, started)
        if since is None:
            recent = await self.api.item_ids(READING_LIST, limit=FIRST_SYNC_RECENT)
        else:
            recent = await self.api.item_ids(READING_LIST, since=since)
        wanted = list(dict.fromkeys([*unread, *starred, *recent]))
        # first the new items: one for an entry read or saved here queues its change,
        # sent below in this same sync (the first sync sends the reading list's stars)
        await self.fetch_new(wanted, feed_ids)
        keep_read, keep_starred = await self.send_changes(set(unread), set(starred))
        # the big writes run in a thread: the app's event loop (and screen) carries on
        changes = await asyncio.to_thread(
            partial(
                self.storage.apply_remote_state,
                unread, starred, keep_read=keep_read, keep_starred=keep_starred,
            )
        )  # fmt: skip
        self.report.read_received = changes.read + changes.unread
        await asyncio.to_thread(self.save_starred, changes.to_save)
        for url in changes.to_unsave:
            self.storage.unsave_article(url, sync=False, keep_text=True)
        self.report.starred_received = len(changes.to_save) + len(changes.to_unsave)
        self.report.queued = self.storage.outbox_count()
        finished = self.clock()
        self.storage.set_sync_state({"last_sync": repr(started)})
        self.report.elapsed = max(0.0, finished - started)
        self.progress("done")
        return self.report

    # --- feeds -------------------------------------------------------------------------

    def check_kept(self, remote: Sequence[Subscription], starred: Sequence[str]) -> None:
        """:class:`ServerLostDataError` when the server lost too much of what we synced
        with it (:func:`lost_too_much`) to apply its removals here."""
        linked = [feed.remote_id for feed in self.storage.sync_feeds() if feed.remote_id]
        streams = {sub.stream_id for sub in remote}
        feeds = (sum(stream not in streams for stream in linked), len(linked))
        known = self.storage.starred_remote_ids()
        stars = (len(known - set(starred)), len(known))
        if lost_too_much(*feeds) or lost_too_much(*stars):
            raise ServerLostDataError(lost_message(feeds, stars))

    async def sync_feeds(self, remote: list[Subscription]) -> tuple[dict[str, int], int]:
        """Bring the feeds together; returns stream id -> feed id of every synced feed,
        and how many were unsubscribed there."""
        queued = self.storage.outbox()
        plan = plan_feeds(self.storage.sync_feeds(), remote, queued)
        done: list[OutboxChange] = list(plan.drop)
        for change in plan.unsubscribe:
            try:
                await self.api.unsubscribe(change.target)
            except RequestRefusedError:
                pass  # already gone there: the same outcome
            done.append(change)
            self.report.feeds_sent += 1
        for change, sub in plan.edit:
            detail = json.loads(change.detail or "{}")
            title = detail.get("title") or None
            folder = detail.get("folder")
            await self.api.edit_subscription(
                sub.stream_id, title=title, folder=folder, old_folder=sub.folder
            )
            done.append(change)
            self.report.feeds_sent += 1
        self.storage.outbox_done(done)
        for feed_id, stream_id in plan.link:
            self.storage.link_feed(feed_id, stream_id)
        if plan.subscribe:
            remote = await self.subscribe(plan.subscribe, remote)
        for feed in plan.remove:
            self.storage.remove_feed(feed.url, sync=False)
            self.report.feeds_removed += 1
        for feed_id, sub in plan.update:
            self.storage.update_feed(feed_id, user_title=sub.title, folder=sub.folder)
            self.report.feeds_updated += 1
        for sub in plan.add:
            self.storage.add_synced_feed(
                sub.url, sub.stream_id, title=sub.title, folder=sub.folder,
                site_url=sub.site_url,
            )  # fmt: skip
            self.report.feeds_added += 1
        feed_ids = {
            feed.remote_id: feed.id
            for feed in self.storage.sync_feeds()
            if feed.remote_id is not None
        }
        return feed_ids, len(plan.unsubscribe)

    async def subscribe(
        self, feeds: Sequence[Feed], before: Sequence[Subscription]
    ) -> list[Subscription]:
        """Subscribe the server to our feeds and link each to its new stream id; a feed
        the server refuses stays here, local."""
        sent: list[Feed] = []
        for feed in feeds:
            try:
                await self.api.subscribe(feed.url, title=feed.title, folder=feed.folder)
            except RequestRefusedError:
                self.storage.set_local_only(feed.id, True)
                self.report.feeds_refused.append(feed.url)
                continue
            sent.append(feed)
            self.report.feeds_sent += 1
        if not sent:
            return list(before)
        after = await self.api.subscriptions()
        old = {sub.stream_id for sub in before}
        new = [sub for sub in after if sub.stream_id not in old]
        unmatched: list[Feed] = []
        for feed in sent:
            match = next((sub for sub in new if sub.url == feed.url), None)
            if match is None:
                unmatched.append(feed)
                continue
            new.remove(match)
            self.storage.link_feed(feed.id, match.stream_id)
        if len(unmatched) == 1 and len(new) == 1:
            # the server stored it under another URL (a redirect, discovery): still ours
            self.storage.link_feed(unmatched[0].id, new[0].stream_id)
        return after

    # --- read and starred --------------------------------------------------------------

    async def send_changes(self, unread: set[str], starred: set[str]) -> tuple[set[str], set[str]]:
        """Send the queued read and star changes that win; returns the item ids whose
        state here must not be overwritten by the (older) lists ``unread``/``starred``."""
        changes = [c for c in self.storage.outbox() if c.kind in ("read", "starred")]
        if not changes:
            return set(), set()

        def server_state(change: OutboxChange) -> bool:
            if change.kind == "read":
                return change.target not in unread
            return change.target in starred

        differing = [c for c in changes if c.value != server_state(c) and c.value != c.base]
        changed_at = await self.server_change_times([c.target for c in differing])
        to_send: dict[tuple[str, bool], list[OutboxChange]] = {}
        settled: list[OutboxChange] = []
        for change in changes:
            verdict = resolve_change(change, server_state(change), changed_at.get(change.target))
            if verdict == "send":
                assert change.value is not None
                to_send.setdefault((change.kind, change.value), []).append(change)
            else:
                if verdict == "server" and change.value != change.base:
                    self.report.conflicts += 1
                settled.append(change)
        self.storage.outbox_done(settled)
        total = sum(len(group) for group in to_send.values())
        if total:
            self.progress("sending", 0, total)
        keep: dict[str, set[str]] = {"read": set(), "starred": set()}
        for (kind, value), group in to_send.items():
            tag = READ if kind == "read" else STARRED
            for batch in batches(group):
                ids = [change.target for change in batch]
                if value:
                    await self.api.edit_tag(ids, add=tag)
                else:
                    await self.api.edit_tag(ids, remove=tag)
                self.storage.outbox_done(batch)
                keep[kind].update(ids)
                if kind == "read":
                    self.report.read_sent += len(ids)
                else:
                    self.report.starred_sent += len(ids)
        return keep["read"], keep["starred"]

    async def server_change_times(self, ids: Sequence[str]) -> dict[str, float]:
        """When the server last changed these items, for the servers that say (Miniflux's
        ``updated``); FreshRSS does not, and once that is known it is not asked."""
        if not ids or self.state.get("change_times") == "0":
            return {}
        found: dict[str, float] = {}
        for batch in batches(list(ids)):
            for item in await self.api.items(batch):
                self.learn(item)
                if item.changed is not None:
                    found[item.id] = item.changed
        return found

    def learn(self, item: Item) -> None:
        """Note what the server tells about items: whether it gives change times, and
        the newest item it stored (the next sync asks for what came after)."""
        if "change_times" not in self.state:
            self.state["change_times"] = "1" if item.changed is not None else "0"
            self.storage.set_sync_state({"change_times": self.state["change_times"]})
        if item.crawled is not None and item.crawled > (_float(self.state.get("newest")) or 0):
            self.state["newest"] = repr(item.crawled)

    # --- new items ---------------------------------------------------------------------

    async def fetch_new(self, wanted: Sequence[str], feed_ids: dict[str, int]) -> None:
        known = await asyncio.to_thread(self.storage.known_remote_ids, wanted)
        missing = [item_id for item_id in wanted if item_id not in known]
        if not missing:
            return
        self.progress("entries", 0, len(missing))
        done = 0
        for batch in batches(missing):
            items = await self.api.items(batch)
            by_feed: dict[int, list[SyncedEntry]] = {}
            for item in items:
                self.learn(item)
                feed_id = feed_ids.get(item.feed)
                if feed_id is not None:
                    by_feed.setdefault(feed_id, []).append(synced_entry(item))
            for feed_id, entries in by_feed.items():
                self.report.new_entries += await asyncio.to_thread(
                    self.storage.store_synced_entries, feed_id, entries
                )
            # stored: the next sync may start after these, even if this one stops here
            if "newest" in self.state:
                self.storage.set_sync_state({"newest": self.state["newest"]})
            done += len(batch)
            self.progress("entries", done, len(missing))

    def save_starred(self, entry_ids: Sequence[int]) -> None:
        """Put the entries the server starred on the reading list, with the text of the
        article when it is cached, else of the feed's content."""
        from reader.article import article_from_entry
        from reader.render import to_text

        for entry_id in entry_ids:
            entry = self.storage.get_entry(entry_id)
            if entry is None or entry.url is None or self.storage.is_saved(entry.url):
                continue
            try:
                article = self.storage.cached_article(entry.url) or article_from_entry(entry)
            except ReaderError:
                continue
            self.storage.save_article(
                entry.url, article.title or entry.title or entry.url, article.site_name,
                to_text(article), article=article, sync=False,
            )  # fmt: skip


# --- bookkeeping around a sync: errors, backoff ------------------------------------------


def record_success(storage: Storage) -> None:
    storage.set_sync_state(
        {"last_error": None, "failures": None, "next_attempt": None, "attention": None}
    )


def record_failure(storage: Storage, error: SyncError, now: float) -> float:
    """Store the error and when to try again (backoff, or the server's Retry-After);
    returns that time."""
    from reader.update import next_check_after_error

    state = storage.sync_state()
    failures = int(state.get("failures", "0") or 0) + 1
    retry_after = error.retry_after if isinstance(error, RetryLaterError) else None
    next_attempt = next_check_after_error(now, failures, retry_after)
    values: dict[str, str | None] = {
        "last_error": str(error),
        "last_error_at": repr(now),
        "failures": str(failures),
        "next_attempt": repr(next_attempt),
    }
    if isinstance(error, ServerLostDataError):
        values["attention"] = str(error)  # said until a sync goes through
    storage.set_sync_state(values)
    return next_attempt


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
