"""Per-feed settings: full text, refresh interval, user agent; `reader edit` and OPML."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.article import FEED_IS_WHOLE, FULL_TEXT_OFF
from reader.core import Reader, open_reader
from reader.errors import InvalidSettingError
from reader.render import header_text
from reader.site_server import SiteServer


def test_edit_sets_shows_and_resets_each_setting(cli, site: SiteServer) -> None:  # type: ignore[no-untyped-def]
    url = site.url("/feed.xml")
    assert cli("add", url).status == 0
    shown = cli("edit", url, "--full-text", "never", "--refresh-minutes", "90",
                "--user-agent", "Mozilla/5.0 (X11) reader-test")  # fmt: skip
    assert shown.status == 0, shown.err
    assert "full text: never" in shown.out
    assert "refresh: every 90 minutes" in shown.out
    assert "user agent: Mozilla/5.0 (X11) reader-test" in shown.out
    feed = cli("feeds", "--json").json()[0]
    assert (feed["full_text"], feed["refresh_minutes"], feed["user_agent"]) == (
        "never", 90, "Mozilla/5.0 (X11) reader-test"
    )  # fmt: skip

    reset = cli("edit", url, "--full-text", "auto", "--refresh-minutes", "0", "--user-agent", "")
    assert reset.status == 0
    assert "full text: auto (not decided yet)" in reset.out
    assert "refresh: as configured" in reset.out and "user agent: reader" in reset.out
    feed = cli("feeds", "--json").json()[0]
    assert (feed["full_text"], feed["refresh_minutes"], feed["user_agent"]) == ("auto", None, None)


def test_edit_with_no_option_prints_the_settings_and_changes_nothing(cli, site: SiteServer) -> None:  # type: ignore[no-untyped-def]
    url = site.url("/feed.xml")
    cli("add", url, "--folder", "News")
    cli("edit", url, "--refresh-minutes", "45")
    shown = cli("edit", url)
    assert shown.status == 0, shown.err
    assert "[News]" in shown.out and "refresh: every 45 minutes" in shown.out
    assert "full text: auto (" in shown.out and "user agent: reader" in shown.out
    assert cli("feeds", "--json").json()[0]["refresh_minutes"] == 45
    assert shown.out.splitlines()[0] == "The Port Alder Gazette in [News]"  # no sync: no "(local)"
    cli("edit", url, "--local")
    assert cli("edit", url).out.splitlines()[0].endswith("in [News] (local only)")
    assert "(local only)" in cli("feeds").out
    missing = cli("edit", site.url("/nothere.xml"))
    assert missing.status == 1 and "not subscribed" in missing.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--full-text", "sometimes"), "invalid choice"),
        (("--refresh-minutes", "-3"), "must be at least 0"),
        (("--refresh-minutes", "999999"), "refresh minutes must be 0"),
        (("--user-agent", "two\nlines"), "one line"),
    ],
)
def test_edit_refuses_bad_settings_as_usage_errors(cli, site: SiteServer, args, message) -> None:  # type: ignore[no-untyped-def]
    url = site.url("/feed.xml")
    cli("add", url)
    result = cli("edit", url, *args)
    assert result.status == 2
    assert message in result.err
    assert cli("feeds", "--json").json()[0]["refresh_minutes"] is None


async def test_a_feeds_user_agent_goes_with_its_requests(reader: Reader, site: SiteServer) -> None:
    feed = reader.add_feeds([(site.url("/feed.xml"), None, None)])
    assert feed == (1, 0)
    await reader.refresh()
    assert "reader" in site.hits("/feed.xml")[-1].headers["user-agent"].lower()
    reader.edit_feed(site.url("/feed.xml"), user_agent="Mozilla/5.0 (X11; Linux) Firefox/140")
    await reader.refresh(force=True)
    await reader.aclose()
    assert (
        site.hits("/feed.xml")[-1].headers["user-agent"] == "Mozilla/5.0 (X11; Linux) Firefox/140"
    )


def test_settings_survive_export_and_import(reader: Reader, tmp_path: Path) -> None:
    reader.add_feeds([
        ("https://a.example/feed", "A", "News/Local"),
        ("https://b.example/feed", None, None),
        ("https://c.example/feed", "C", None),
    ])  # fmt: skip
    reader.edit_feed("https://a.example/feed", full_text="always", refresh_minutes=120,
                     user_agent='Mozilla/5.0 "quoted" & <angled>')  # fmt: skip
    reader.edit_feed("https://b.example/feed", full_text="never")
    exported = reader.export_opml()
    assert 'xmlns:reader="urn:reader-tui:opml"' in exported
    assert exported.count("reader:fullText") == 2  # the defaults are not written

    def settings(instance: Reader) -> set[tuple[object, ...]]:
        return {(f.url, f.title, f.folder, f.full_text, f.refresh_minutes, f.user_agent)
                for f in instance.feeds()}  # fmt: skip

    other = open_reader(tmp_path / "other.sqlite")
    try:
        assert other.import_feeds(exported.encode()).added == 3
        assert settings(other) == settings(reader)
    finally:
        other.close()


def test_other_readers_ignore_our_attributes_and_bad_ones_are_reported(reader: Reader) -> None:
    data = b"""<?xml version="1.0"?><opml version="2.0" xmlns:reader="urn:reader-tui:opml">
    <body>
    <outline text="Fine" xmlUrl="https://a.example/feed" reader:fullText="never"/>
    <outline text="Odd" xmlUrl="https://b.example/feed" reader:fullText="sometimes"
             reader:refreshMinutes="soon" fullText="always"/>
    </body></opml>"""
    report = reader.import_feeds(data)
    assert report.added == 2
    assert report.invalid == [
        "line 5: reader:fullText must be auto, always or never",
        "line 5: reader:refreshMinutes must be a whole number",
    ]
    modes = {feed.url: (feed.full_text, feed.refresh_minutes) for feed in reader.feeds()}
    assert modes == {"https://a.example/feed": ("never", None),
                     "https://b.example/feed": ("auto", None)}  # fmt: skip


def test_a_new_full_text_mode_forgets_what_auto_found(reader: Reader) -> None:
    reader.add_feeds([("https://a.example/feed", None, None)])
    feed = reader.get_feed("https://a.example/feed")
    reader._storage.update_feed(feed.id, full_text_found="feed", full_text_samples=3)
    assert not reader.get_feed(feed.id).wants_pages
    assert reader.edit_feed(feed.id, full_text="always").wants_pages
    assert reader.edit_feed(feed.id, full_text="auto").full_text_found is None
    with pytest.raises(InvalidSettingError):
        reader.edit_feed(feed.id, full_text="maybe")


async def test_never_shows_the_feeds_content_and_pages_go_with_the_feeds_agent(
    reader: Reader, site: SiteServer
) -> None:
    url = site.url("/feed.xml")
    reader.add_feeds([(url, None, None)])
    await reader.refresh()
    entry = reader.entries()[0]
    assert entry.url is not None
    page = entry.url.removeprefix(site.base)
    reader.edit_feed(url, full_text="never")
    article = await reader.get_article(entry.url, entry)
    # the note says why (it said "the page itself could not be read")
    assert (article.source, article.note, site.hits(page)) == ("feed", FULL_TEXT_OFF, [])
    assert header_text(article).splitlines()[-1] == "full text is off for this feed"

    reader.edit_feed(url, full_text="always", user_agent="Mozilla/5.0 (reader-test)")
    article = await reader.get_article(entry.url, entry)
    assert article.source == "page"
    assert [hit.headers["user-agent"] for hit in site.hits(page)] == ["Mozilla/5.0 (reader-test)"]
    # never again, with the page kept: the feed's text, as chosen
    reader.edit_feed(url, full_text="never")
    article = await reader.get_article(entry.url, entry)
    await reader.aclose()
    assert (article.source, article.note) == ("feed", FULL_TEXT_OFF)


async def test_a_feed_auto_found_whole_says_so(reader: Reader, site: SiteServer) -> None:
    url = site.url("/feed.xml")
    reader.add_feeds([(url, None, None)])
    await reader.refresh()
    entry = reader.entries()[0]
    assert entry.url is not None
    feed = reader.feeds()[0]
    reader._storage.update_feed(feed.id, full_text_found="feed")
    article = await reader.get_article(entry.url, entry)
    await reader.aclose()
    assert (article.source, article.note) == ("feed", FEED_IS_WHOLE)
    assert "could not" not in header_text(article)
