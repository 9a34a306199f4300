"""Snapshots of the main screens. Deterministic: fixed store, frozen clock, UTC, no network.

Update with ``pytest tests/test_tui_snapshots.py --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from reader.core import Reader
from reader.models import Article, Block, EntryData, Link, Span
from reader.tui.app import ReaderApp
from tests.conftest import FROZEN_NOW as NOW
from tests.conftest import FrozenClock

HOUR = 3600.0
SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


STORIES = [
    ("harbour", "Harbour bridge reopens after eighteen months of repairs", "Mara Lindqvist", 3),
    ("ferry", "Winter ferry timetable cuts late crossings", "Tomas Reyes", 9),
    ("library", "Town library to open on Sundays", "Aiko Tanaka", 26),
    ("solar", "Schools put solar panels on their roofs", "Aiko Tanaka", 50),
    ("market", "Market square to lose its car park", "Mara Lindqvist", 75),
]


def article(slug: str, title: str, byline: str) -> Article:
    text = (
        "The Harbour Bridge reopened to traffic on Thursday morning, eighteen months after "
        "engineers closed it when inspectors found corrosion in two of its steel cables."
    )
    return Article(
        url=f"https://gazette.example/{slug}",
        title=title,
        byline=byline,
        site_name="The Port Alder Gazette",
        published="2026-11-27T08:30:00+00:00",
        reading_minutes=3,
        blocks=(
            Block("paragraph", (Span(text),)),
            Block("heading", (Span("What changed"),), level=2),
            Block(
                "paragraph",
                (
                    Span("The council "),
                    Span("approved the repairs", href="https://gazette.example/council"),
                    Span(" in a "),
                    Span("narrow", style="em"),
                    Span(" vote."),
                ),
            ),
            Block("list_item", (Span("Two new cables"),), level=1),
            Block("list_item", (Span("A wider footpath"),), level=1),
            Block(
                "paragraph", (Span("“It is a good day for the town,” the mayor said."),), quote=1
            ),
        ),
        links=(Link("approved the repairs", "https://gazette.example/council"),),
        related=(
            Link("Winter ferry timetable cuts late crossings", "https://gazette.example/ferry"),
        ),
        fetched_at=NOW,
    )


def fill(reader: Reader, *, error: bool = False) -> None:
    reader._storage.add_feeds(
        [
            ("https://gazette.example/feed.xml", "Port Alder Gazette", None),
            ("https://gazette.example/weather.xml", "Weather and Culture", "Local"),
            ("https://harbour.example/feed.xml", "Harbour Watch", "Local"),
        ]
    )
    feeds = {f.url: f for f in reader.feeds()}
    gazette = feeds["https://gazette.example/feed.xml"]
    reader._storage.store_entries(
        gazette.id,
        [
            EntryData(
                guid=slug,
                url=f"https://gazette.example/{slug}",
                title=title,
                author=byline,
                published=NOW - hours * HOUR,
                summary="<p>Summary.</p>",
            )
            for slug, title, byline, hours in STORIES
        ],
    )
    weather = feeds["https://gazette.example/weather.xml"]
    reader._storage.store_entries(
        weather.id,
        [EntryData(guid="storm", url=None, title="Storm warning for the coast",
                   published=NOW - 5 * HOUR, summary="<p>Gusts of 110 km/h.</p>")],
    )  # fmt: skip
    for slug, title, byline, _ in STORIES:
        reader._storage.cache_article(article(slug, title, byline))
    ids = reader._storage.entry_ids()
    reader.mark_read(ids[3:5])
    if error:
        reader._storage.update_feed(
            feeds["https://harbour.example/feed.xml"].id,
            last_error="HTTP 503 Service Unavailable: try again later",
            last_error_at=NOW - HOUR,
            error_count=3,
        )


def make(reader: Reader) -> ReaderApp:
    return ReaderApp(reader, background_refresh=False)


def run(snap_compare: SnapCompare, app: ReaderApp, size: tuple[int, int] = (120, 34),
        **options: Any) -> bool:  # fmt: skip
    return snap_compare(app, terminal_size=size, **options)


def test_main(snap_compare: SnapCompare, reader: Reader) -> None:
    fill(reader)
    assert run(snap_compare, make(reader))


def test_article(snap_compare: SnapCompare, reader: Reader) -> None:
    fill(reader)
    assert run(snap_compare, make(reader), press=["tab", "enter"])


def test_reading_list(snap_compare: SnapCompare, reader: Reader, clock: FrozenClock) -> None:
    fill(reader)
    clock.now = NOW - 3 * 24 * HOUR  # saved three days ago, whatever today is
    reader.save(article(*STORIES[1][:3]))
    clock.now = NOW
    reader._storage.set_state("tui.selection", "saved")

    async def open_first(pilot: Pilot[None]) -> None:
        await pilot.press("tab", "enter")

    assert run(snap_compare, make(reader), run_before=open_first)


def test_empty(snap_compare: SnapCompare, reader: Reader) -> None:
    assert run(snap_compare, make(reader))


def test_error(snap_compare: SnapCompare, reader: Reader) -> None:
    fill(reader, error=True)

    async def failed(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp)
        app.main.status.set_error("Harbour Watch: HTTP 503 Service Unavailable")
        await pilot.pause()

    assert run(snap_compare, make(reader), run_before=failed)


def test_help(snap_compare: SnapCompare, reader: Reader) -> None:
    fill(reader)
    assert run(snap_compare, make(reader), press=["question_mark"], size=(120, 50))


def test_narrow(snap_compare: SnapCompare, reader: Reader) -> None:
    fill(reader)
    assert run(snap_compare, make(reader), press=["enter"], size=(80, 24))


def test_narrow_article(snap_compare: SnapCompare, reader: Reader) -> None:
    fill(reader)
    assert run(snap_compare, make(reader), press=["enter", "enter"], size=(80, 24))


def test_link_picker(snap_compare: SnapCompare, reader: Reader) -> None:
    fill(reader)
    assert run(snap_compare, make(reader), press=["tab", "enter", "tab", "L", *"ferry"])
