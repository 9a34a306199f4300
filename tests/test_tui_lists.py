"""The virtual lists with many entries: scrollbars without layouts, one frame per feed
switch, counts kept without queries, the entry row's columns, the collector frozen."""

from __future__ import annotations

import gc
import time
from typing import Any

from textual.screen import Screen

from reader.core import Reader
from reader.models import EntryData, EntryFilter
from reader.tui.app import ReaderApp
from reader.tui.widgets.entry_list import FIXED_CELLS, TITLE_FIRST, feed_column_width
from tests.conftest import FROZEN_NOW as NOW

SIZES = {"Big": 300, "Small": 5, "Middle": 120}


def fill(reader: Reader) -> dict[str, int]:
    """Three feeds: 300, 5 and 120 entries, every third one read; feed ids by title."""
    reader._storage.add_feeds(
        (f"https://{name.lower()}.example/feed.xml", name, None) for name in SIZES
    )
    ids: dict[str, int] = {}
    for feed in reader.feeds():
        assert feed.title is not None
        ids[feed.title] = feed.id
        reader._storage.store_entries(
            feed.id,
            [
                EntryData(
                    guid=f"{feed.id}-{i}",
                    url=None,
                    title=f"{feed.title} story {i}",
                    published=NOW - i * 3600 - feed.id,
                )
                for i in range(SIZES[feed.title])
            ],
        )
    reader.mark_read(reader._storage.entry_ids()[::3])
    return ids


def make(reader: Reader) -> ReaderApp:
    return ReaderApp(reader, background_refresh=False)


async def test_switching_lists_sizes_the_scrollbar_without_a_layout(reader: Reader) -> None:
    ids = fill(reader)
    app = make(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        entries = main.entry_list
        layouts: list[int] = []
        original = Screen._refresh_layout

        def counted(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
            layouts.append(1)
            original(self, *args, **kwargs)

        Screen._refresh_layout = counted  # type: ignore[method-assign]
        try:
            main.feed_list.select_key(f"feed:{ids['Big']}")
            await pilot.pause()
            entries.set_cursor(299)  # the bottom
            await pilot.pause()
            assert entries.virtual_size.height == 300
            assert entries.show_vertical_scrollbar
            assert entries.scroll_y == entries.max_scroll_y > 0
            layouts.clear()

            main.feed_list.select_key(f"feed:{ids['Middle']}")  # fewer rows, still scrolling
            await pilot.pause()
            assert not layouts  # the list's size did not change: no layout of the screen
            assert entries.virtual_size.height == 120
            assert entries.show_vertical_scrollbar
            assert entries.scroll_y == 0 and entries.cursor == 0
            assert entries.vertical_scrollbar.window_virtual_size == 120
            entries.set_cursor(119)
            await pilot.pause()
            assert entries.scroll_y == entries.max_scroll_y == 120 - entries.size.height

            main.feed_list.select_key(f"feed:{ids['Small']}")  # the scrollbar goes
            await pilot.pause()
            assert not entries.show_vertical_scrollbar
            assert entries.scroll_y == 0 and entries.max_scroll_y == 0
            assert entries.scrollable_content_region.width == entries.size.width

            main.feed_list.select_key("all")  # and comes back
            await pilot.pause()
            assert entries.show_vertical_scrollbar
            assert entries.scrollable_content_region.width == entries.size.width - 1
            assert len(entries.source) == 425
            assert entries.current_row is not None
        finally:
            Screen._refresh_layout = original  # type: ignore[method-assign]


async def test_a_feed_switch_is_drawn_in_one_frame(reader: Reader) -> None:
    ids = fill(reader)
    app = make(reader)
    frames: list[float] = []
    original = Screen._compositor_refresh

    def timed(self: Screen[Any]) -> None:
        original(self)
        frames.append(time.perf_counter())

    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        main.show_pane("feeds")
        # lists that all scroll (a scrollbar that comes or goes needs a layout: 2 frames)
        for start, keys in [("all", "jk"), (f"feed:{ids['Big']}", "jk")]:
            main.feed_list.select_key(start)
            await pilot.pause()
            await pilot.pause()
            Screen._compositor_refresh = timed  # type: ignore[method-assign]
            try:
                for key in keys:  # All -> Unread -> All, Big -> Middle -> Big
                    before = main.entry_list.border_title
                    frames.clear()
                    await pilot.press(key)
                    await pilot.pause()
                    assert main.entry_list.border_title != before
                    # the cursor and the new entries together, not one after the other
                    assert len(frames) == 1, (start, key)
            finally:
                Screen._compositor_refresh = original  # type: ignore[method-assign]


async def test_counts_follow_reading_without_drifting_from_the_store(reader: Reader) -> None:
    ids = fill(reader)
    app = make(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main

        def shown() -> dict[str, int]:
            return {row.key: row.unread for row in main.feed_list.rows}

        def stored() -> dict[str, int]:
            counts = reader._storage.unread_counts()
            total = sum(counts.values())
            return {"all": total, "unread": total, "saved": 0,
                    **{f"feed:{i}": counts.get(i, 0) for i in ids.values()}}  # fmt: skip

        assert shown() == stored()
        main.feed_list.select_key(f"feed:{ids['Middle']}")
        main.show_pane("entries")
        await pilot.pause()
        for key in ["enter", "j", "enter", "m", "m", "m", "j", "j", "m", "enter", "enter"]:
            await pilot.press(key)
            await pilot.pause()
            assert shown() == stored(), key
        # an entry already read, opened again: nothing changes, nothing counted twice
        row = main.entry_list.current_row
        assert row is not None and not row.unread
        await pilot.press("enter")
        assert shown() == stored()
        assert reader.mark_read([row.key]) == 0
        assert reader.mark_read([row.key], False) == 1
        unread = reader._storage.count_entries(EntryFilter(feed_id=ids["Middle"], unread_only=True))
        assert unread == stored()[f"feed:{ids['Middle']}"]


async def test_moving_the_cursor_draws_the_rows_it_leaves_and_reaches(reader: Reader) -> None:
    fill(reader)
    app = make(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        entries = main.entry_list
        main.show_pane("entries")
        await pilot.pause()
        drawn: list[int] = []
        original = entries.row_text

        def counted(index: int, width: int) -> Any:
            drawn.append(index)
            return original(index, width)

        entries.row_text = counted  # type: ignore[method-assign]
        await pilot.press("j")
        await pilot.pause()
        assert sorted(drawn) == [0, 1]
        assert entries.cursor == 1
        # the screen shows the cursor on the second row only
        lines = [entries.render_line(y) for y in range(3)]
        cursor = entries.get_component_rich_style("line-list--cursor").bgcolor
        assert [any(s.style and s.style.bgcolor == cursor for s in line) for line in lines] == [
            False,
            True,
            False,
        ]


async def test_the_collector_is_frozen_while_the_app_runs_and_thawed_after(
    reader: Reader,
) -> None:
    fill(reader)
    app = make(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_the_title_gets_its_room_before_the_feed_column() -> None:
    assert feed_column_width(30) == 0
    assert feed_column_width(FIXED_CELLS + TITLE_FIRST + 8) == 0  # 7 cells: too few
    assert feed_column_width(FIXED_CELLS + TITLE_FIRST + 9) == 8
    assert feed_column_width(200) == 20
    for width in range(20, 200):
        feed = feed_column_width(width)
        title = width - FIXED_CELLS - (feed + 1 if feed else 0)
        assert title >= min(TITLE_FIRST, width - FIXED_CELLS)


async def test_titles_have_room_at_120_columns(reader: Reader) -> None:
    fill(reader)
    app = make(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        main = app.main
        await pilot.pause()
        entries = main.entry_list
        assert entries.size.width >= 44  # was 38: feeds narrower, the article no wider
        width = entries.scrollable_content_region.width
        text = entries.row_text(0, width).plain
        assert text.startswith("● Big story 0") or text.startswith("  Big story 0")
        assert "Big" not in text[len("  Big story 0") :]  # no feed column yet: all title


async def test_a_folder_counts_a_story_two_of_its_feeds_carry_once(reader: Reader) -> None:
    """The folder row said 2 for one unread story in two of its feeds; its list shows 1."""
    reader._storage.add_feeds(
        (f"https://{name}.example/feed.xml", name, "News") for name in ("one", "two")
    )
    for feed in reader.feeds():
        reader._storage.store_entries(
            feed.id,
            [
                EntryData(
                    guid=f"{feed.id}",
                    url="https://wire.example/story",
                    title="Story",
                    published=NOW - 3600,
                )
            ],
        )
    app = make(reader)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        counts = {row.key: row.unread for row in app.main.feed_list.rows}
        assert counts["folder:News"] == counts["all"] == 1
        app.main.feed_list.select_key("folder:News")
        app.main.show_pane("entries")
        await pilot.press("enter", "m")  # read, then unread again: still one
        await pilot.pause()
        assert {row.key: row.unread for row in app.main.feed_list.rows}["folder:News"] == 1
