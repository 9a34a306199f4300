"""Offline in the app: a refresh fetches the new articles behind it, the list marks them
stored, and with the site gone they open whole; `e` edits a feed's settings."""

from __future__ import annotations

from textual.pilot import Pilot

from reader.article import FULL_TEXT_OFF
from reader.core import Reader
from reader.site_server import SiteServer
from reader.tui.app import ReaderApp
from reader.tui.screens.feed_settings import FeedSettingsScreen
from tests.conftest import FrozenClock
from tests.test_tui_app import make_app, wait_for


async def test_refresh_then_read_every_new_article_with_the_site_gone(
    reader: Reader, site: SiteServer
) -> None:
    reader.add_feeds([(site.url("/feed.xml"), None, None)])
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await pilot.press("R")
        await wait_for(pilot, lambda: not main.refreshing)
        await wait_for(pilot, lambda: not main.prefetching, timeout=60)
        assert main.status.articles is None  # "articles 3/6" while it ran
        rows = [main.entry_list.source.row(i) for i in range(len(main.entry_list.source))]
        assert len(rows) == 6 and all(row is not None and row.stored for row in rows)
        assert "·" in main.entry_list.row_text(0, 100).plain

        site.stop()  # offline from here
        await pilot.press("tab")
        for _ in range(len(rows)):
            await pilot.press("enter")
            await wait_for(pilot, lambda: not main.article_view.fetching)
            article = main.article_view.article
            assert article is not None and article.source == "page" and article.note is None
            await pilot.press("escape", "j")


async def test_e_edits_the_feeds_settings(reader: Reader, site: SiteServer) -> None:
    reader.add_feeds([(site.url("/feed.xml"), "Gazette", None)])
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        await open_feed_settings(pilot, app)
        screen = app.screen
        assert isinstance(screen, FeedSettingsScreen)
        screen.query_one("#title").value = "Port Alder"  # type: ignore[attr-defined]
        screen.query_one("#folder").value = "Local"  # type: ignore[attr-defined]
        screen.query_one("#full-text").value = "never"  # type: ignore[attr-defined]
        screen.query_one("#minutes").value = "90"  # type: ignore[attr-defined]
        screen.query_one("#agent").value = "Mozilla/5.0 (test)"  # type: ignore[attr-defined]
        await pilot.click("#save")
        await wait_for(pilot, lambda: not isinstance(app.screen, FeedSettingsScreen))
    feed = reader.get_feed(site.url("/feed.xml"))
    assert (feed.title, feed.folder, feed.full_text, feed.refresh_minutes, feed.user_agent) == (
        "Port Alder", "Local", "never", 90, "Mozilla/5.0 (test)"
    )  # fmt: skip


async def test_a_feed_set_to_never_opens_its_own_text_though_its_page_is_kept(
    reader: Reader, site: SiteServer
) -> None:
    """The page kept from before (or through another feed that carries the story) was
    shown at once; 'never' is the feed's own text, saying so."""
    url = site.url("/feed.xml")
    reader.add_feeds([(url, None, None)])
    await reader.refresh()
    await reader.prefetch()
    entry = reader.entries()[0]
    assert entry.url is not None and reader.cached_article(entry.url) is not None
    reader.edit_feed(url, full_text="never")
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        main.feed_list.select_key(next(r.key for r in main.feed_list.rows if r.kind == "feed"))
        main.show_pane("entries")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not main.article_view.fetching)
        article = main.article_view.article
        assert article is not None and (article.source, article.note) == ("feed", FULL_TEXT_OFF)
        assert any(
            "full text is off for this feed" in line for line in main.article_view.text_lines
        )
    await reader.aclose()


async def test_the_settings_reach_their_buttons_at_80x24(reader: Reader, site: SiteServer) -> None:
    """At 24 rows the dialog was taller than the screen: Save and Cancel lay below it."""
    reader.add_feeds([(site.url("/feed.xml"), "Gazette", None)])
    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_feed_settings(pilot, app)
        await pilot.pause()
        dialog = app.screen.query_one("#dialog")
        assert dialog.region.y >= 0 and dialog.region.bottom <= 24  # it was 30 rows high
        for _ in range(5):  # title, folder, full text, minutes, agent, then Save
            await pilot.press("tab")
        await pilot.pause()
        save = app.screen.query_one("#save")
        assert app.screen.focused is save
        assert save.region.bottom <= 24 and save.region.height > 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, FeedSettingsScreen))


async def test_a_kept_page_that_cannot_be_checked_says_offline_copy_on_the_status_line(
    reader: Reader, site: SiteServer, clock: FrozenClock
) -> None:
    """It was a toast of 2 s, gone before it was read; it stays while the page is shown."""
    reader.add_feeds([(site.url("/feed.xml"), None, None)])
    await reader.refresh()
    await reader.prefetch()
    clock.advance(3 * 86400)  # the kept pages are three days old
    await reader.aclose()  # its kept-alive connections would still reach the site
    site.stop()
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        main.feed_list.select_key(next(r.key for r in main.feed_list.rows if r.kind == "feed"))
        main.show_pane("entries")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "offline copy from" in main.status.info)
        assert main.article_view.article is not None
        await pilot.press("escape", "j", "enter")  # the next kept page says it too
        await wait_for(pilot, lambda: "offline copy from" in main.status.info)
    await reader.aclose()


async def open_feed_settings(pilot: Pilot[None], app: ReaderApp) -> None:
    """Select the first feed and press e: its settings dialog is up."""
    main = app.main
    main.feed_list.select_key(next(r.key for r in main.feed_list.rows if r.kind == "feed"))
    await pilot.pause()
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, FeedSettingsScreen))
