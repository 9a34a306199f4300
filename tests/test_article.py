"""Getting an article: charsets, non-HTML, redirects, the cache, the feed fallback."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from reader.article import describe_content_type
from reader.core import Reader
from reader.errors import FetchError, NotAnArticleError
from reader.extract import decode_html
from reader.models import Entry
from reader.site_server import Request, Response, SiteServer
from tests.conftest import FrozenClock

SAMPLES = {
    "fr": "Les élèves ont déjà répondu à l'enquête ; où est passé l'été ?",
    "de": "Die Fernwärme wird ausgebaut: Straßen, Bürger und Gebäude profitieren.",
    "ru": "Отопительный сезон начнётся раньше: в городе похолодало.",
    "zh": "城市公交线路将于下月调整，市民出行需留意新的时刻表。",
    "ja": "市営バスの路線が再編され、来月から新しい時刻表になります。",
}


def _page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("language", "encoding", "where"),
    [
        ("fr", "iso-8859-1", "header"),
        ("de", "windows-1252", "meta"),
        ("ru", "windows-1251", "meta"),
        ("ru", "koi8-r", "header"),
        ("zh", "gbk", "header"),
        ("ja", "shift_jis", "meta"),
        ("ja", "euc-jp", "meta"),
        ("fr", "utf-8", "none"),
    ],
)
def test_declared_charsets_decode_right(language: str, encoding: str, where: str) -> None:
    text = SAMPLES[language]
    meta = f'<meta charset="{encoding}">' if where == "meta" else ""
    content = _page(text, meta).encode(encoding)
    header = encoding if where == "header" else None
    assert text in decode_html(content, header)


def test_the_header_wins_over_meta() -> None:
    content = _page(SAMPLES["ru"], '<meta charset="iso-8859-1">').encode("koi8-r")
    assert SAMPLES["ru"] in decode_html(content, "koi8-r")


def test_a_bom_wins_when_the_header_says_nothing() -> None:
    content = codecs.BOM_UTF16_LE + _page(SAMPLES["zh"]).encode("utf-16-le")
    assert SAMPLES["zh"] in decode_html(content, None)


def test_a_wrong_declaration_falls_through_to_what_decodes() -> None:
    # declared ISO-8859-1, actually UTF-8: reads as UTF-8, not as mojibake
    content = _page(SAMPLES["de"], '<meta charset="iso-8859-1">').encode("utf-8")
    assert SAMPLES["de"] in decode_html(content, "iso-8859-1")
    # declared UTF-8, actually windows-1251: detection takes over
    content = _page(SAMPLES["ru"] * 5).encode("windows-1251")
    assert SAMPLES["ru"] in decode_html(content, "utf-8")


def test_undeclared_legacy_encoding_is_detected() -> None:
    content = _page(SAMPLES["ru"] * 5).encode("windows-1251")
    assert SAMPLES["ru"] in decode_html(content, None)


def test_unknown_charset_names_are_skipped() -> None:
    assert SAMPLES["fr"] in decode_html(_page(SAMPLES["fr"]).encode(), "x-no-such-charset")


@pytest.mark.parametrize(
    ("content_type", "words"),
    [("application/pdf", "PDF"), ("image/png", "an image"), ("video/mp4", "a video")],
)
def test_describe_content_type(content_type: str, words: str) -> None:
    assert words in describe_content_type(content_type)


ARTICLE = "/articles/harbour-bridge-reopens.html"


async def test_an_article_is_fetched_extracted_and_cached(reader: Reader, site: SiteServer) -> None:
    url = site.url(ARTICLE)
    article = await reader.get_article(url)
    assert article.source == "page"
    assert article.title == "Harbour bridge reopens after eighteen months of repairs"
    assert article.byline and "Mara Lindqvist" in article.byline
    text = " ".join(block.text for block in article.blocks)
    assert "The Harbour Bridge reopened to traffic" in text
    assert "Advertisement" not in text and "newsletter" not in text.lower()
    assert [link.text for link in article.related] == [
        "Winter ferry timetable cuts late crossings",
        "Market square to lose its car park",
    ]
    assert len(site.hits(ARTICLE)) == 1
    again = await reader.get_article(url)
    assert again == article
    assert len(site.hits(ARTICLE)) == 1  # served from the cache
    await reader.aclose()


async def test_a_redirect_gives_the_final_url_and_the_cache_knows_both(
    reader: Reader, site: SiteServer
) -> None:
    site.routes["/short"] = lambda request: Response(302, b"", {"Location": site.url(ARTICLE)})
    article = await reader.get_article(site.url("/short"))
    assert article.url == site.url(ARTICLE)
    assert reader.cached_article(site.url("/short")) == article
    await reader.aclose()


def _entry(url: str, content: str | None = "<p>The feed's own words about it.</p>") -> Entry:
    return Entry(
        id=1, feed_id=1, guid="g", url=url, title="From the feed", content=content,
        feed_title="Gazette",
    )  # fmt: skip


async def test_a_missing_page_falls_back_to_the_feed_and_says_so(
    reader: Reader, site: SiteServer
) -> None:
    url = site.url("/articles/gone.html")
    article = await reader.get_article(url, _entry(url))
    assert article.source == "feed"
    assert article.note and "404" in article.note
    assert "The feed's own words" in " ".join(b.text for b in article.blocks)
    assert reader.cached_article(url) is None  # a fallback is not cached: try again later
    await reader.aclose()


async def test_a_missing_page_without_feed_content_is_an_error(
    reader: Reader, site: SiteServer
) -> None:
    with pytest.raises(FetchError, match="404"):
        await reader.get_article(site.url("/articles/gone.html"))
    await reader.aclose()


async def test_a_pdf_is_not_an_article(reader: Reader, site: SiteServer) -> None:
    site.routes["/paper.pdf"] = lambda request: Response(
        200, b"%PDF-1.7 ...", {"Content-Type": "application/pdf"}
    )
    with pytest.raises(NotAnArticleError, match="PDF") as caught:
        await reader.get_article(site.url("/paper.pdf"))
    assert caught.value.content_type == "application/pdf"
    shown = await reader.get_article(site.url("/paper.pdf"), _entry(site.url("/paper.pdf")))
    assert shown.source == "feed" and shown.note and "browser" in shown.note
    await reader.aclose()


async def test_a_page_over_the_size_cap_is_refused(reader: Reader, site: SiteServer) -> None:
    def endless(request: Request) -> Response:
        return Response(200, (b"<p>" + b"x" * 65536 for _ in range(10_000)),
                        {"Content-Type": "text/html"})  # fmt: skip

    site.routes["/endless"] = endless
    with pytest.raises(FetchError, match="response larger than 10 MB"):
        await reader.get_article(site.url("/endless"))
    await reader.aclose()


@pytest.mark.parametrize("encoding", ["gzip, gzip", "br", "deflate, br"])
async def test_a_compressed_page_bomb_stops_at_the_cap(
    reader: Reader, site: SiteServer, encoding: str, traced_peak
) -> None:
    from reader.fetch import DEFAULT_MAX_BYTES
    from reader.site_server import bomb_route

    site.routes["/bomb.html"] = bomb_route(encoding, "text/html")
    await reader.get_article(site.url(ARTICLE))  # what reading needs is loaded first
    with traced_peak() as peak, pytest.raises(FetchError) as caught:
        await reader.get_article(site.url("/bomb.html"))
    await reader.aclose()
    assert str(caught.value).endswith(": response larger than 10 MB")
    assert peak.bytes < 2 * DEFAULT_MAX_BYTES, f"{peak.bytes / DEFAULT_MAX_BYTES:.1f} x the cap"


def test_reader_read_from_a_file(cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(
        (Path(__file__).parent / "sites/news" / ARTICLE.lstrip("/")).read_bytes()
        .replace(b"{{base}}", b"https://gazette.example")
    )  # fmt: skip
    url = "https://gazette.example" + ARTICLE
    result = cli("read", url, "--html", str(page), "--format", "json")
    assert result.status == 0, result.err
    data = result.json()
    assert set(data) == {
        "url", "title", "byline", "published", "site_name", "language", "reading_minutes",
        "source", "text", "markdown", "links", "related", "more_on_story",
    }  # fmt: skip
    assert data["source"] == "page"
    assert data["more_on_story"] == []  # a page from a file: the store is not asked
    assert data["site_name"] == "The Port Alder Gazette"
    assert data["related"][0] == {
        "title": "Winter ferry timetable cuts late crossings",
        "url": "https://gazette.example/articles/ferry-timetable-winter.html",
    }
    assert "The Harbour Bridge reopened" in data["text"]  # the drop cap joined its word
    text = cli("read", url, "--html", str(page))
    assert text.status == 0
    assert text.out.startswith("Harbour bridge reopens after eighteen months of repairs")
    assert "Mara Lindqvist" in text.out.split("\n\n")[0]


def test_reader_read_over_the_network(cli, site: SiteServer) -> None:
    result = cli("read", site.url(ARTICLE), "--format", "markdown")
    assert result.status == 0, result.err
    assert result.out.startswith("# Harbour bridge reopens")
    assert "## Related" in result.out


def test_reader_read_a_dead_link_fails_with_one_line(cli, site: SiteServer) -> None:
    result = cli("read", site.url("/nope.html"))
    assert result.status == 1
    assert result.err.count("\n") == 1 and "404" in result.err


def test_reader_read_a_pdf_says_what_it_is(cli, site: SiteServer) -> None:
    site.routes["/paper.pdf"] = lambda request: Response(
        200, b"%PDF-1.7 ...", {"Content-Type": "application/pdf"}
    )
    result = cli("read", site.url("/paper.pdf"))
    assert result.status == 1
    assert result.err == (
        "reader: the link is a PDF document, not a web page; open it in a browser instead\n"
    )


async def test_a_locked_store_still_gives_the_article(site: SiteServer, db_path: Path) -> None:
    import sqlite3

    from reader.core import open_reader
    from reader.storage import Storage

    reader = open_reader(db_path)
    reader._storage.close()
    reader._storage = Storage(db_path, busy_timeout=0.1)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        article = await reader.get_article(site.url(ARTICLE))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await reader.aclose()
    assert article.title.startswith("Harbour bridge reopens")
    assert reader.cached_article(site.url(ARTICLE)) is None  # not cached, and no crash
    reader.close()


def test_a_saved_article_kept_only_as_text_reads_as_paragraphs() -> None:
    from reader.article import article_from_saved
    from reader.models import SavedArticle

    saved = SavedArticle(
        id=1, url="https://e.example/a", title="A", site="Site", saved_at=0.0,
        text="First paragraph.\n\nSecond\nparagraph.",
    )  # fmt: skip
    article = article_from_saved(saved)
    assert (article.title, article.site_name) == ("A", "Site")
    assert [b.text for b in article.blocks] == ["First paragraph.", "Second paragraph."]
    assert article.reading_minutes == 1  # the header shows a time, as for any article


def test_reader_read_markdown_escapes_related_titles(cli, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = "<p>" + "Plenty of words about the harbour and its bridge today. " * 20 + "</p>"
    page.write_text(
        f"<html><body><article><h1>T</h1>{body}{body}</article>"
        "<aside class='related'><h2>Related</h2><ul>"
        "<li><a href='/a/1'>Evil](javascript:alert(1)) [title</a></li>"
        "</ul></aside></body></html>"
    )
    result = cli("read", "https://e.example/a/0", "--html", str(page), "--format", "markdown")
    assert result.status == 0, result.err
    line = next(x for x in result.out.splitlines() if x.startswith("- "))
    assert line == r"- [Evil\](javascript:alert(1)) \[title](<https://e.example/a/1>)"


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (bytes(range(256)) * 4, "a binary file"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "an image (image/png)"),
    ],
    ids=["bytes", "pdf", "png"],
)
def test_reader_read_a_binary_file_says_it_is_not_a_page(
    cli, tmp_path: Path, content: bytes, kind: str
) -> None:
    path = tmp_path / "file.html"
    path.write_bytes(content)
    result = cli("read", "https://e.example/a", "--html", str(path))
    assert result.status == 1
    assert result.err == f"reader: {path} is {kind}, not an HTML page\n"
    assert result.out == ""


def test_reader_read_a_utf16_file_is_still_a_page(cli, tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(codecs.BOM_UTF16_LE + _page(SAMPLES["zh"] * 20).encode("utf-16-le"))
    result = cli("read", "https://e.example/a", "--html", str(path))
    assert result.status == 0, result.err
    assert SAMPLES["zh"] in result.out


MARKET = "/articles/market-square-redesign.html"


def test_reader_read_as_text_numbers_the_links_as_the_app_does(cli, site: SiteServer) -> None:
    result = cli("read", site.url(ARTICLE))
    assert result.status == 0, result.err
    ferry = site.url("/articles/ferry-timetable-winter.html")
    assert "when the winter ferry timetable[1] resumes" in result.out
    assert "on the council's harbour page[2]." in result.out
    links = result.out.partition("\n\nLinks:\n")[2]
    assert links.splitlines() == [
        f"[1] winter ferry timetable  <{ferry}>",
        f"[2] on the council's harbour page  <{site.url('/tag/harbour')}>",
        "",
        "Related:",
        f"[3] Winter ferry timetable cuts late crossings  <{ferry}>",
        f"[4] Market square to lose its car park  <{site.url(MARKET)}>",
    ]
    # the JSON text stays plain: the links are listed beside it
    data = cli("read", site.url(ARTICLE), "--format", "json").json()
    assert "timetable[1]" not in data["text"] and data["links"][0]["url"] == ferry


async def test_a_stale_copy_is_checked_with_a_conditional_get(
    reader: Reader, site: SiteServer, clock: FrozenClock
) -> None:
    url = site.url("/articles/harbour-bridge-reopens.html")
    first = await reader.get_article(url)
    assert first.fetched_at == clock.now
    clock.advance(2 * 86400)
    checked = await reader.get_article(url, revalidate=True)
    # the server's ETag went back with the request; it answered 304: the copy is kept
    assert site.hits("/articles/harbour-bridge-reopens.html")[-1].headers["if-none-match"]
    assert checked.blocks == first.blocks and checked.fetched_at == clock.now
    assert reader.cached_article(url).fetched_at == clock.now  # type: ignore[union-attr]

    # the page changed: the check brings the new text and replaces the copy
    site.routes["/articles/harbour-bridge-reopens.html"] = lambda request: Response(
        200, b"<html><body><h1>Bridge</h1><p>" + b"Rewritten text of the story. " * 40
        + b"</p></body></html>", {"Content-Type": "text/html", "ETag": '"v2"'},
    )  # fmt: skip
    clock.advance(2 * 86400)
    changed = await reader.get_article(url, revalidate=True)
    assert "Rewritten text" in changed.blocks[0].text or any(
        "Rewritten text" in b.text for b in changed.blocks
    )
    again = await reader.get_article(url, use_cache=False)  # F: past the cache
    assert (
        site.hits("/articles/harbour-bridge-reopens.html")[-1].headers.get("if-none-match") is None
    )
    assert again.fetched_at == clock.now
    await reader.aclose()
