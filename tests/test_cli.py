"""The command line of the foundation: add, remove, feeds, import, export, locate."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from reader.site_server import Response, SiteServer
from reader.urls import feed_key


def test_add_a_feed_url_directly(cli, site: SiteServer) -> None:
    result = cli("add", site.url("/atom.xml"))
    assert result.status == 0, result.err
    feeds = cli("feeds", "--json").json()
    assert [f["url"] for f in feeds] == [site.url("/atom.xml")]


def test_add_a_page_finds_its_feed_through_link_rel_alternate(cli, site: SiteServer) -> None:
    result = cli("add", site.url("/index.html"), "--folder", "Local", "--title", "Gazette")
    assert result.status == 0, result.err
    assert "Gazette" in result.out
    feeds = cli("feeds", "--json").json()
    assert [(f["url"], f["folder"], f["title"]) for f in feeds] == [
        (site.url("/feed.xml"), "Local", "Gazette")
    ]


def test_add_a_page_without_link_tries_common_paths(cli, site: SiteServer) -> None:
    result = cli("add", site.url("/nolink.html"))
    assert result.status == 0, result.err
    assert [f["url"] for f in cli("feeds", "--json").json()] == [site.url("/rss.xml")]
    # /feed was tried first (and is a 404 here)
    assert site.hits("/feed")


def test_add_a_page_with_no_feed_at_all(cli, site: SiteServer) -> None:
    for path in ("/feed", "/rss.xml", "/atom.xml", "/index.xml"):
        site.routes[path] = lambda request: Response(404)
    result = cli("add", site.url("/nolink.html"))
    assert result.status == 1
    assert result.err.startswith("reader: no feed found at")
    assert result.err.count("\n") == 1
    assert cli("feeds", "--json").json() == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:alert(1)", "ftp://example.com/feed"]
)
def test_only_http_and_https_are_accepted(cli, url: str) -> None:
    result = cli("add", url)
    assert result.status == 2  # a usage mistake
    assert "only http and https" in result.err
    assert result.err.count("\n") == 1


def test_adding_twice_says_so(cli, site: SiteServer) -> None:
    assert cli("add", site.url("/feed.xml")).status == 0
    again = cli("add", site.url("/feed.xml"))
    assert again.status == 1
    assert "already subscribed" in again.err


def test_adding_another_address_of_a_feed_says_it_is_there(cli, site: SiteServer) -> None:
    """Tracking parameters, a trailing slash, https for http, a fragment: the same feed
    (a second subscription before, or a 404 or TLS error from fetching the variant)."""
    feed = site.url("/feed.xml")
    added = cli("add", feed + "?utm_source=newsletter&utm_medium=email")
    assert added.status == 0
    assert "utm_" not in cli("feeds").out  # kept without them
    requests = len(site.requests)
    host = site.base.removeprefix("http://")
    variants = [feed, feed + "?utm_campaign=x&fbclid=1", feed + "/", feed + "#top",
                feed.replace("http://", "https://"), f"HTTP://{host.upper()}/feed.xml"]  # fmt: skip
    for variant in variants:
        again = cli("add", variant)
        assert (again.status, again.err.strip()) == (1, f"reader: already subscribed to {feed}")
    assert len(site.requests) == requests  # known without fetching
    assert len(cli("feeds").out.splitlines()) == 1


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("http://a.example/feed", "https://a.example/feed/", True),
        ("https://a.example:443/feed?utm_source=x", "https://A.example/feed#x", True),
        ("https://a.example/feed?id=1&utm_medium=y", "https://a.example/feed?id=1", True),
        ("https://a.example/feed?id=1", "https://a.example/feed?id=2", False),
        ("https://a.example/feed", "https://a.example/Feed", False),  # paths keep their case
        ("https://a.example:8080/feed", "https://a.example/feed", False),
    ],
)  # fmt: skip
def test_which_addresses_are_one_feed(a: str, b: str, same: bool) -> None:
    assert (feed_key(a) == feed_key(b)) is same


def test_adding_a_feed_whose_server_fails_says_to_try_again(cli, site: SiteServer) -> None:
    """It said "will retry later", as for a subscribed feed; nothing retries this one."""
    site.routes["/down.xml"] = lambda request: Response(503, b"busy", {})
    added = cli("add", site.url("/down.xml"))
    assert (added.status, added.err) == (
        1, "reader: HTTP 503 Service Unavailable; try again later\n"
    )  # fmt: skip
    assert cli("feeds").out.startswith("no feeds yet")


def test_reading_a_page_whose_server_fails_says_nothing_of_feeds(cli, site: SiteServer) -> None:
    """`reader read` of a failing page said "will retry later" (nothing does) and, of a 410,
    "the feed is gone: remove it": the hints of a subscribed feed."""
    site.routes["/down.html"] = lambda request: Response(503, b"busy", {})
    site.routes["/gone.html"] = lambda request: Response(410, b"gone", {})
    down = cli("read", site.url("/down.html"))
    assert (down.status, down.err) == (1, (
        f"reader: could not fetch {site.url('/down.html')}: "
        "HTTP 503 Service Unavailable; try again later\n"
    ))  # fmt: skip
    gone = cli("read", site.url("/gone.html"))
    assert (gone.status, gone.err) == (1, (
        f"reader: could not fetch {site.url('/gone.html')}: HTTP 410 Gone; the page is gone\n"
    ))  # fmt: skip


def test_importing_other_addresses_of_feeds_counts_them_present(cli, tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text("https://news.example/feed\n")
    assert "1 added" in cli("import", str(urls)).out
    urls.write_text(
        "http://news.example/feed/\nhttps://news.example/feed?utm_source=x\n"
        "https://other.example/rss\nhttp://other.example/rss\n"
    )
    assert "1 added, 3 already present" in cli("import", str(urls)).out


def test_add_when_the_server_is_down(cli) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli("add", f"http://127.0.0.1:{port}/feed.xml")
    assert result.status == 1
    assert "connection refused" in result.err


def test_remove(cli, site: SiteServer) -> None:
    cli("add", site.url("/feed.xml"))
    assert cli("remove", site.url("/feed.xml")).status == 0
    assert cli("feeds", "--json").json() == []
    missing = cli("remove", site.url("/feed.xml"))
    assert missing.status == 1
    assert "not subscribed" in missing.err
    for command in (["remove"], ["edit"], ["entries", "--feed"], ["refresh", "--feed"]):
        missing = cli(*command, site.url("/feed.xml"))  # a URL, not subscribed: exit 1
        assert missing.status == 1 and "not subscribed" in missing.err, command


def test_import_reports_counts_and_bad_lines(cli, tmp_path: Path) -> None:
    urls = tmp_path / "urls"
    urls.write_text('https://a.example/feed tech "~A"\nnot a url at all\nhttps://a.example/feed\n')
    result = cli("import", str(urls))
    assert result.status == 0
    assert result.out.strip() == "1 added, 1 already present, 1 invalid"
    assert "line 2:" in result.err


def test_import_with_nothing_valid_fails(cli, tmp_path: Path) -> None:
    opml = tmp_path / "bad.opml"
    opml.write_text('<opml><body><outline xmlUrl="javascript:x"/></body></opml>')
    result = cli("import", str(opml))
    assert result.status == 1
    assert "0 added" in result.out


@pytest.mark.parametrize(
    ("content", "status", "out", "err"),
    [
        (b"", 1, "", "the file holds no feeds"),
        (b"https://a.example/feed\n\x00\x01\xff\xfe\x1b[31m\nhttps://b.example/feed\n", 0,
         "2 added, 0 already present, 1 invalid\n", "line 2: binary data, not a feed URL"),
    ],
    ids=["empty", "a line of junk"],
)  # fmt: skip
def test_import_reports_on_stderr_what_it_could_not_take(
    cli, tmp_path: Path, content: bytes, status: int, out: str, err: str
) -> None:
    path = tmp_path / "urls"
    path.write_bytes(content)
    result = cli("import", str(path))
    assert (result.status, result.out, result.err) == (status, out, f"reader: {path}: {err}\n")


def test_import_a_missing_file(cli, tmp_path: Path) -> None:
    result = cli("import", str(tmp_path / "nope.opml"))
    assert result.status == 1
    assert result.err.startswith("reader: cannot read")


def test_export_then_import_into_an_empty_store(cli, tmp_path: Path) -> None:
    source = tmp_path / "urls"
    source.write_text('https://a.example/1 news\nhttps://b.example/2 "~B feed"\n')
    cli("import", str(source))
    out = tmp_path / "out.opml"
    assert cli("export", "-o", str(out)).status == 0
    other_db = tmp_path / "other.sqlite"
    from reader.cli import main

    assert main(["import", str(out), "--db", str(other_db)]) == 0
    assert main(["--db", str(other_db), "export", "-o", str(tmp_path / "again.opml")]) == 0
    assert (tmp_path / "again.opml").read_text() == out.read_text()


def test_db_option_before_or_after_the_subcommand(tmp_path: Path, capsys) -> None:
    from reader.cli import main

    first = tmp_path / "first.sqlite"
    second = tmp_path / "second.sqlite"
    main(["--db", str(first), "locate"])
    assert f"database:    {first}" in capsys.readouterr().out
    main(["locate", "--db", str(second)])
    assert f"database:    {second}" in capsys.readouterr().out


def test_locate_honours_reader_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    from reader.cli import main

    monkeypatch.setenv("READER_DB", str(tmp_path / "env.sqlite"))
    main(["locate"])
    out = capsys.readouterr().out
    assert f"database:    {tmp_path / 'env.sqlite'}" in out
    assert "config file:" in out and "themes dir:" in out


def test_usage_errors_exit_2(cli) -> None:
    assert cli("add").status == 2
    assert cli("no-such-command").status == 2


def test_a_damaged_database_is_refused_with_one_line(cli, db_path: Path) -> None:
    db_path.write_bytes(b"this is not sqlite" * 100)
    result = cli("feeds")
    assert result.status == 1
    assert result.err.count("\n") == 1
    assert "not a reader database" in result.err
    assert db_path.read_bytes() == b"this is not sqlite" * 100


def test_feed_titles_with_escape_codes_print_harmlessly(cli, db_path: Path) -> None:
    from reader.storage import Storage

    store = Storage(db_path)
    feed = store.add_feed("https://e.example/feed")
    assert feed is not None
    store.update_feed(feed.id, title="\x1b]0;PWNED\x07Evil \x1b[31mred\u202e title")
    store.close()
    out = cli("feeds").out
    assert "\x1b" not in out and "\u202e" not in out
    assert "Evil red title" in out


def test_the_installed_command_runs(tmp_path: Path) -> None:
    """The console script exists and `reader locate` works in a fresh process."""
    env = {**os.environ, "READER_DB": str(tmp_path / "x.sqlite")}
    result = subprocess.run(
        [sys.executable, "-m", "reader.cli", "locate"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0
    assert str(tmp_path / "x.sqlite") in result.stdout


def test_python_dash_m_reader_runs(tmp_path: Path) -> None:
    env = {**os.environ, "READER_DB": str(tmp_path / "x.sqlite")}
    result = subprocess.run(
        [sys.executable, "-m", "reader", "locate"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "x.sqlite") in result.stdout


def test_the_collector_is_off_while_the_command_starts(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # off for the imports and the app's first frame (the app turns it on); a subcommand
    # has it on once its arguments are read, and it is on again after any command
    import gc

    import reader.__main__ as entry
    from reader import cli

    seen: dict[str, bool] = {}

    def app(db: str | None, demo: bool = False) -> int:
        seen["app"] = gc.isenabled()
        return 0

    def stats(args: object, db: str | None) -> int:
        seen["stats"] = gc.isenabled()
        return 0

    monkeypatch.setattr(cli, "_run_app", app)
    monkeypatch.setitem(cli._HANDLERS, "stats", stats)
    try:
        assert entry.main(["--db", str(db_path)]) == 0
        assert gc.isenabled()
        assert entry.main(["--db", str(db_path), "stats"]) == 0
        assert gc.isenabled()
    finally:
        gc.enable()
    assert seen == {"app": False, "stats": True}


def test_the_site_server_stays_quiet_when_a_client_hangs_up(
    site: SiteServer, capfd: pytest.CaptureFixture[str]
) -> None:
    import socket

    host, port = site.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(b"GET /feed.xml HTTP/1.1\r\nHost: x\r\n")  # no blank line: hang up
        connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )
    # the next request is served, and nothing was printed
    import httpx

    assert httpx.get(site.url("/feed.xml")).status_code == 200
    assert "Traceback" not in capfd.readouterr().err


# --- the command line, consistent (issue 9 §5) --------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["add"], ["read"], ["edit"], ["edit", "--title", "T"], ["remove"], ["refresh", "--feed"],
     ["prefetch", "--feed"], ["entries", "--feed"]],
)  # fmt: skip
def test_a_word_that_is_not_a_url_is_a_usage_error(cli, command: list[str]) -> None:
    result = cli(*command, "notaurl")
    assert result.status == 2
    assert result.err == "reader: not a URL: notaurl; give an http or https URL\n"


def test_a_bare_host_name_still_gets_https(cli, site: SiteServer) -> None:
    from reader.urls import check_web_url

    assert check_web_url("news.example/feed", assume_https=True) == "https://news.example/feed"
    assert check_web_url("news.example:8080/f", assume_https=True) == "https://news.example:8080/f"
    # a local address is typed for a local server, which speaks http (as browsers assume)
    assert check_web_url("localhost/feed", assume_https=True) == "http://localhost/feed"
    assert check_web_url("127.0.0.1:8003/", assume_https=True) == "http://127.0.0.1:8003/"
    # it said "not a URL" for a host with a port: add it the way it is typed
    typed = site.base.removeprefix("http://") + "/feed.xml"
    assert cli("add", typed).status == 0


@pytest.mark.parametrize("query", ["", "  ", '"', "* -", "?"])
def test_an_empty_search_is_a_usage_error(cli, query: str) -> None:
    # a query of marks alone searches for nothing: it said "nothing found", exit 1
    result = cli("search", query)
    assert result.status == 2
    assert result.err.startswith("usage: reader search ")
    assert "the query is empty" in result.err


def test_an_unknown_option_prints_the_subcommands_usage(cli) -> None:
    result = cli("feeds", "--bogus")
    assert result.status == 2
    assert result.err.startswith("usage: reader feeds ")
    assert "unrecognized arguments: --bogus" in result.err
    assert "COMMAND" not in result.err  # not the top-level usage


def _entries_by_url(cli) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {row["url"]: row["read"] for row in cli("entries", "--json").json()}


def test_mark_entries_read_and_unread_by_url(cli, site: SiteServer) -> None:
    assert cli("add", site.url("/feed.xml")).status == 0
    urls = sorted(_entries_by_url(cli))
    assert len(urls) >= 3 and not any(_entries_by_url(cli).values())

    result = cli("mark", urls[0], urls[1], "--read")
    assert (result.status, result.out) == (0, "marked 2 entries read\n")
    assert _entries_by_url(cli) == {url: url in urls[:2] for url in urls}
    again = cli("mark", urls[0], "--read")
    assert again.out == "marked 0 entries read\n"  # already read: nothing changed

    result = cli("mark", urls[1], site.url("/no-such-entry"), "--unread")
    assert result.status == 1
    assert result.out == "marked 1 entry unread\n"
    assert result.err == f"reader: no entry links to {site.url('/no-such-entry')}\n"
    assert _entries_by_url(cli) == {url: url == urls[0] for url in urls}

    assert cli("mark", urls[0]).status == 2  # --read or --unread is required
    assert cli("mark", "notaurl", "--read").status == 2


def test_save_and_unsave_by_url(cli, site: SiteServer) -> None:
    url = site.url("/articles/harbour-bridge-reopens.html")
    result = cli("save", url)
    assert result.status == 0, result.err
    assert result.out == f"saved Harbour bridge reopens after eighteen months of repairs <{url}>\n"
    saved = cli("saved", "--format", "json").json()
    assert [row["url"] for row in saved] == [url]
    assert "The Harbour Bridge reopened" in saved[0]["text"]

    assert cli("unsave", url).out == f"removed {url} from the reading list\n"
    assert cli("saved", "--format", "json").json() == []
    missing = cli("unsave", url)
    assert missing.status == 1
    assert missing.err == f"reader: not on the reading list: {url}; see `reader saved`\n"


def test_save_a_page_that_cannot_be_read_fails_with_one_line(cli, site: SiteServer) -> None:
    result = cli("save", site.url("/nope.html"))
    assert result.status == 1
    assert result.err.count("\n") == 1 and "404" in result.err
    assert cli("saved", "--format", "json").json() == []


def test_unsave_by_the_url_that_redirected(cli, site: SiteServer) -> None:
    final = site.url("/articles/harbour-bridge-reopens.html")
    site.routes["/short"] = lambda request: Response(301, b"", {"Location": final})
    assert cli("save", site.url("/short")).status == 0
    assert [row["url"] for row in cli("saved", "--format", "json").json()] == [final]
    assert cli("unsave", site.url("/short")).status == 0
    assert cli("saved", "--format", "json").json() == []


# --- every text output takes what the app takes (issue 9 §6) ------------------------------

HOSTILE = [
    "Rates [bold]rise[/bold] again [@click=app.quit]x[/]",
    "Red \x1b[31mtext\x1b[0m \x1b]0;PWNED\x07title",
    "NUL\x00 BEL\x07 BS\x08 DEL\x7f C1\x9b end",
    "abc\u202edcba\u202c \u2066iso\u2069 line\u2028sep",
    "x" * 5000,
]
# the first and last days a feed's date can name (feedparser's and JSON Feed's range)
CALENDAR_EDGES = [-62_135_596_800.0, 253_402_300_799.0, 0.0, None]


def _hostile_store(reader) -> None:  # type: ignore[no-untyped-def]
    from reader.models import Article, Block, EntryData, Span

    reader._storage.add_feeds([("https://news.example/feed.xml", HOSTILE[1], HOSTILE[0])])
    feed = reader.feeds()[0]
    reader._storage.store_entries(
        feed.id,
        [
            EntryData(guid=str(index), url=f"https://news.example/{index}", title=title,
                      author=title, published=date, summary=f"<p>{title}</p>")
            for index, title in enumerate(HOSTILE)
            for date in [CALENDAR_EDGES[index % len(CALENDAR_EDGES)]]
        ],
    )  # fmt: skip
    for title in HOSTILE:
        reader.save(
            Article(url=f"https://news.example/{len(title)}", title=title, site_name=title,
                    blocks=(Block("paragraph", (Span(title, href="https://e.x/" + title),)),))
        )  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("entries",),
        ("entries", "--unread", "--limit", "3"),
        ("feeds",),
        ("search", "rates"),
        ("search", "title"),
        ("saved",),
        ("saved", "--format", "markdown"),
    ],
)
def test_text_output_of_hostile_titles_and_dates(cli, reader, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    _hostile_store(reader)
    result = cli(*args)
    assert result.status == 0, result.err
    assert "Traceback" not in result.err
    unsafe = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028]")
    assert not unsafe.search(result.out + result.err), args


def test_entries_dates_at_the_calendars_edges(cli, reader) -> None:  # type: ignore[no-untyped-def]
    _hostile_store(reader)
    out = cli("entries").out
    lines = out.splitlines()
    # in local time, whatever the zone: year 1 may be year 0 west of Greenwich
    assert len(lines) == len(HOSTILE)
    assert all(re.match(r"\* \d{4,5}-\d\d-\d\d \d\d:\d\d  ", line) for line in lines), lines
    assert "Rates [bold]rise[/bold] again [@click=app.quit]x[/]" in out
