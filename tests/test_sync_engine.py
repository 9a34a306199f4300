"""The sync's pure parts: item ids in both forms, conflicts, the feed plan, the outbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from reader.models import EntryData, Feed
from reader.storage import OutboxChange, Storage, SyncedEntry
from reader.sync.engine import (
    lost_message,
    lost_too_much,
    plan_feeds,
    recent_since,
    resolve_change,
)
from reader.sync.greader import (
    ProtocolError,
    Subscription,
    canonical_item_id,
    folder_of,
    long_item_id,
    parse_items,
    server_label,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("tag:google.com,2005:reader/item/00000000148b9369", "00000000148b9369"),
        ("tag:google.com,2005:reader/item/2f2", "00000000000002f2"),  # short hex
        ("000000000000048c", "000000000000048c"),  # bare hex: a leading zero
        ("12345", f"{12345:016x}"),  # decimal
        ("1796173363530448", f"{1796173363530448:016x}"),  # FreshRSS's decimal
        ("tag:google.com,2005:reader/item/0006619C3349CAD0", "0006619c3349cad0"),
        ("tag:google.com,2005:reader/item/5d0cf1a2b3c4d5e6f7a8b9c0", "5d0cf1a2b3c4d5e6f7a8b9c0"),
    ],
)
def test_item_ids_in_both_forms_are_one(raw: str, canonical: str) -> None:
    assert canonical_item_id(raw) == canonical
    assert canonical_item_id(long_item_id(canonical)) == canonical


def test_the_decimal_and_long_forms_of_one_item_agree() -> None:
    decimal = "1796173363530448"
    long_form = "tag:google.com,2005:reader/item/" + format(int(decimal), "016x")
    assert canonical_item_id(decimal) == canonical_item_id(long_form)


@pytest.mark.parametrize("raw", ["", "tag:google.com,2005:reader/item/", "xyz", "12-3"])
def test_garbage_ids_are_refused(raw: str) -> None:
    with pytest.raises(ProtocolError):
        canonical_item_id(raw)


def test_labels_and_server_labels() -> None:
    assert folder_of("user/-/label/News") == "News"
    assert folder_of("user/1/label/Tech/Sub") == "Tech/Sub"
    assert folder_of("user/-/state/com.google/starred") is None
    assert server_label("https://me:secret@rss.example.org:8443/api?x=1") == "rss.example.org:8443"


def test_items_are_read_whatever_the_user_part_of_their_states() -> None:
    body = {
        "items": [
            {
                "id": "tag:google.com,2005:reader/item/000000000000002a",
                "origin": {"streamId": "feed/3"},
                "categories": ["user/1/state/com.google/read", "user/1/state/com.google/starred"],
                "canonical": [{"href": "https://example.org/a"}],
                "summary": {"content": "<p>Hi</p>"},
                "published": 1700000000,
                "updated": 1700000500,
                "crawlTimeMsec": "1700000001000",
            },
            {"id": "garbage!", "origin": {"streamId": "feed/3"}},
            {"id": "43"},  # no origin: skipped
        ]
    }
    [item] = parse_items(body)
    assert (item.id, item.feed) == ("000000000000002a", "feed/3")
    assert item.read and item.starred
    assert (item.url, item.content, item.changed, item.crawled) == (
        "https://example.org/a", "<p>Hi</p>", 1700000500.0, 1700000001.0
    )  # fmt: skip


def change(value: bool, base: bool, changed_at: float = 100.0) -> OutboxChange:
    return OutboxChange(1, "read", "00000000000000aa", value, base, None, changed_at, 1)


@pytest.mark.parametrize(
    ("queued", "server_state", "server_changed", "verdict"),
    [
        (change(True, False), True, None, "drop"),  # the server has it already
        (change(True, False), False, None, "send"),  # only changed here
        (change(True, False), False, 50.0, "send"),  # the server's is older
        (change(True, False, 100.0), False, 150.0, "server"),  # the server's is newer
        (change(True, False, 100.0), False, 100.0, "send"),  # a tie: ours
        (change(False, False), True, None, "server"),  # set back here: nothing to send
        (change(False, False), False, None, "drop"),
        # a star added here goes whatever the server's time (it moves on a read there)
        (OutboxChange(1, "starred", "aa", True, False, None, 100.0, 1), False, 150.0, "send"),
        (OutboxChange(1, "starred", "aa", False, True, None, 100.0, 1), True, 150.0, "server"),
    ],
)
def test_resolve_change(
    queued: OutboxChange, server_state: bool, server_changed: float | None, verdict: str
) -> None:
    assert resolve_change(queued, server_state, server_changed) == verdict


def feed(feed_id: int, url: str, **values: object) -> Feed:
    return Feed(id=feed_id, url=url, **values)  # type: ignore[arg-type]


def sub(stream_id: str, url: str, title: str = "T", folder: str | None = None) -> Subscription:
    return Subscription(stream_id=stream_id, url=url, title=title, folder=folder)


def test_plan_feeds_brings_both_sides_together() -> None:
    local = [
        feed(1, "https://a/feed", remote_id="feed/1", title="T"),  # unchanged
        feed(2, "https://b/feed", remote_id="feed/2", title="Old"),  # renamed there
        feed(3, "https://c/feed", remote_id="feed/3", title="T"),  # gone there
        feed(4, "https://d/feed"),  # ours, the server has it too: linked
        feed(5, "https://e/feed"),  # ours only: subscribed there
        feed(6, "https://f/feed", local_only=True),  # local: never sent, its twin ignored
    ]
    remote = [
        sub("feed/1", "https://a/feed"),
        sub("feed/2", "https://b/feed", title="New", folder="News"),
        sub("feed/4", "https://d/feed"),
        sub("feed/6", "https://f/feed"),
        sub("feed/7", "https://g/feed"),  # the server's only: added here
    ]
    plan = plan_feeds(local, remote, [])
    assert plan.link == [(4, "feed/4")]
    assert [f.id for f in plan.subscribe] == [5]
    assert [f.id for f in plan.remove] == [3]
    assert [(i, s.title) for i, s in plan.update] == [(2, "New")]
    assert [s.stream_id for s in plan.add] == ["feed/7"]


def test_plan_feeds_sends_queued_edits_and_unsubscriptions_first() -> None:
    edit = OutboxChange(1, "edit", "feed/2", None, None, '{"title": "Mine"}', 1.0, 1)
    gone = OutboxChange(2, "unsubscribe", "feed/3", None, None, "https://c/feed", 1.0, 1)
    stale = OutboxChange(3, "unsubscribe", "feed/9", None, None, "https://z/feed", 1.0, 1)
    local = [feed(2, "https://b/feed", remote_id="feed/2", title="Mine")]
    remote = [sub("feed/2", "https://b/feed", title="Theirs"), sub("feed/3", "https://c/feed")]
    plan = plan_feeds(local, remote, [edit, gone, stale])
    assert [c.id for c, _ in plan.edit] == [1]
    assert [c.id for c in plan.unsubscribe] == [2]
    assert [c.id for c in plan.drop] == [3]
    assert plan.update == []  # our rename is queued: the server's title waits
    assert plan.add == []  # the feed being unsubscribed is not added back


def test_recent_since() -> None:
    assert recent_since({}, 1000.0) is None  # the first sync
    assert recent_since({"newest": "10000"}, 0) == 10000 - 3600
    assert recent_since({"last_sync": "100000"}, 0) == 100000 - 86400


# --- the outbox, in the store ------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path, clock: Callable[[], float]) -> Storage:
    storage = Storage(tmp_path / "db.sqlite", clock=clock)
    storage.add_synced_feed("https://a/feed", "feed/1", title="A", folder=None, site_url=None)
    feed_id = storage.sync_feeds()[0].id
    storage.store_synced_entries(
        feed_id,
        [SyncedEntry(f"{n:016x}", EntryData(guid=f"g{n}", url=f"https://a/{n}")) for n in (1, 2)],
    )
    return storage


def test_marking_read_queues_one_change_per_item_and_a_toggle_back_sends_nothing(
    store: Storage, clock: Callable[[], float]
) -> None:
    ids = [entry.id for entry in store.entries()]
    store.set_read(ids, True)
    assert store.outbox_count() == 2
    clock.advance(1)  # type: ignore[attr-defined]
    store.set_read(ids[:1], False)
    assert store.outbox_count() == 1  # set back as it was: nothing to send for it
    [one, two] = sorted(store.outbox(), key=lambda c: c.changed_at)
    assert (one.value, one.base, one.version) == (True, False, 1)
    assert (two.value, two.base, two.version) == (False, False, 2)


def test_a_change_made_while_a_sync_sends_it_is_not_lost(store: Storage) -> None:
    entry = store.entries()[0]
    store.set_read([entry.id], True)
    [sent] = store.outbox()  # a sync reads it and sends it ...
    store.set_read([entry.id], False)  # ... meanwhile it is set back here
    store.outbox_done([sent])
    [left] = store.outbox()
    assert (left.value, left.base) == (False, True)  # the server has read now: unread goes


def test_saving_queues_a_star_for_the_synced_entries_of_the_url(store: Storage) -> None:
    store.save_article("https://a/1", "One", None, "text")
    [starred] = store.outbox()
    assert (starred.kind, starred.target, starred.value) == ("starred", f"{1:016x}", True)
    store.save_article("https://a/1", "One again", None, "text")  # resaved
    assert store.outbox_count() == 1
    store.unsave_article("https://a/1")
    assert store.outbox_count() == 0


def test_the_server_state_does_not_overwrite_a_queued_change(store: Storage) -> None:
    by_url = {entry.url: entry for entry in store.entries()}
    first, second = by_url["https://a/1"], by_url["https://a/2"]
    store.set_read([first.id], True)
    changes = store.apply_remote_state(unread=[f"{1:016x}"], starred=[f"{2:016x}"])
    entries = {entry.id: entry for entry in store.entries()}
    assert entries[first.id].read  # queued here: kept, though unread there
    assert entries[second.id].read  # not in the server's unread: read
    assert changes.read == 1 and changes.to_save == [second.id]


def test_an_item_arriving_for_an_article_saved_here_stars_it_there(store: Storage) -> None:
    store.save_article("https://a/3", "Three", None, "kept text")  # from a link, say
    feed_id = store.sync_feeds()[0].id
    store.store_synced_entries(
        feed_id, [SyncedEntry(f"{3:016x}", EntryData(guid="g3", url="https://a/3"))]
    )
    [starred] = store.outbox()
    assert (starred.kind, starred.target, starred.value) == ("starred", f"{3:016x}", True)
    changes = store.apply_remote_state(unread=[], starred=[])
    assert changes.to_unsave == [] and store.is_saved("https://a/3")


@pytest.mark.parametrize(
    ("lost", "known", "too_much"),
    [
        (0, 0, False),
        (1, 1, False),  # the one feed (or star) removed there: it syncs
        (1, 2, False),
        (2, 2, True),  # all of them
        (2, 3, True),
        (2, 4, False),  # half: a cleanup there
        (5, 10, False),
        (6, 10, True),
        (283, 324, True),  # the reinstalled server
    ],
)
def test_lost_too_much(lost: int, known: int, too_much: bool) -> None:
    assert lost_too_much(lost, known) is too_much


def test_lost_message_is_one_line_naming_what_was_lost() -> None:
    both = lost_message((1, 2), (2, 2))
    assert both.startswith("the server has lost 1 of 2 feeds and 2 of 2 starred articles we")
    assert lost_message((283, 324), (0, 5)).startswith("the server has lost 283 of 324 feeds we")
    assert "\n" not in both and "`reader sync --accept-removals`" in both
