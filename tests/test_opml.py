"""Subscription lists: OPML and newsboat urls files, good and broken."""

from __future__ import annotations

import pytest

from reader.core import Reader
from reader.errors import ImportFileError
from reader.opml import export_opml, parse_newsboat_urls, parse_opml, parse_subscriptions


def _nested_opml(count: int) -> bytes:
    """``count`` feeds spread over nested folders, some at the top level."""
    parts = ['<?xml version="1.0"?>', '<opml version="2.0"><head><title>t</title></head><body>']
    for group in range(count // 30):
        parts.append(f'<outline text="Group {group}">')
        for sub in range(3):
            parts.append(f'<outline text="Sub {sub}">')
            for n in range(9):
                parts.append(
                    f'<outline type="rss" text="Feed {group}.{sub}.{n}" '
                    f'xmlUrl="https://site{group}.example/{sub}/{n}.xml"/>'
                )
            parts.append("</outline>")
        for n in range(3):
            parts.append(
                f'<outline type="rss" text="Top {group}.{n}" xmlUrl="https://g{group}.example/{n}"/>'
            )
        parts.append("</outline>")
    parts.append("</body></opml>")
    return "\n".join(parts).encode()


def test_opml_round_trip_with_300_feeds_in_nested_folders(reader: Reader, tmp_path) -> None:
    report = reader.import_feeds(_nested_opml(300))
    assert (report.added, report.present, report.invalid) == (300, 0, [])
    before = {(f.url, f.title, f.folder) for f in reader.feeds()}
    assert ("https://site3.example/2/8.xml", "Feed 3.2.8", "Group 3/Sub 2") in before
    assert ("https://g9.example/1", "Top 9.1", "Group 9") in before

    exported = reader.export_opml()
    from reader.core import open_reader

    other = open_reader(tmp_path / "other.sqlite")
    try:
        again = other.import_feeds(exported.encode())
        assert again.added == 300
        after = {(f.url, f.title, f.folder) for f in other.feeds()}
    finally:
        other.close()
    assert after == before
    # importing the same file twice adds nothing
    assert reader.import_feeds(exported.encode()).present == 300


def test_opml_1_0_with_top_level_feeds() -> None:
    data = b"""<?xml version="1.0"?><opml version="1.0"><head/><body>
    <outline title="Plain" xmlUrl="http://example.com/rss"/>
    <outline text="Folder"><outline text="In" xmlUrl="https://example.com/in"/></outline>
    </body></opml>"""
    parsed = parse_opml(data)
    assert [(s.url, s.title, s.folder) for s in parsed.subscriptions] == [
        ("http://example.com/rss", "Plain", None),
        ("https://example.com/in", "In", "Folder"),
    ]


def test_broken_opml_imports_the_valid_feeds_and_reports_each_bad_one_by_line() -> None:
    data = b"""<?xml version="1.0"?>
<opml version="2.0"><body>
<outline text="ok" xmlUrl="https://good.example/feed"/>
<outline text="no url" type="rss"/>
<outline text="file" xmlUrl="file:///etc/passwd"/>
<outline text="js" xmlUrl="javascript:alert(1)"/>
<outline text="dup" xmlUrl="https://good.example/feed"/>
<outline text="ok2" xmlUrl="https://good2.example/feed"/>
</body>"""  # no closing </opml>: broken XML
    parsed = parse_subscriptions(data)
    assert [s.url for s in parsed.subscriptions] == [
        "https://good.example/feed",
        "https://good2.example/feed",
    ]
    assert parsed.duplicates == 1
    joined = "\n".join(parsed.invalid)
    assert "line 4: outline without xmlUrl" in joined
    assert "line 5: file: URLs are not supported" in joined
    assert "line 6: javascript: URLs are not supported" in joined


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(ImportFileError, match="binary"):
        parse_subscriptions(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


@pytest.mark.parametrize("data", [b"", b"\n  \n", b"# only a comment\n\n", b"<opml><body/></opml>"])
def test_a_file_without_feeds_says_so(data: bytes) -> None:
    with pytest.raises(ImportFileError, match=r"^the file holds no feeds$"):
        parse_subscriptions(data)


@pytest.mark.parametrize(
    ("bad_line", "problem"),
    [
        (b"\x89PNG\x00\x00\x1a\xff\xfe junk \x07", "binary data, not a feed URL"),
        (b"https://example.org/" + b"x" * 100_000, "100,020 characters, too long for a feed URL"),
    ],
    ids=["binary junk", "100,000 characters"],
)
def test_one_bad_line_of_a_urls_file_costs_only_that_line(bad_line: bytes, problem: str) -> None:
    data = b"https://a.example/feed news\n" + bad_line + b'\nhttps://b.example/feed "~B"\n'
    parsed = parse_subscriptions(data)
    assert [(s.url, s.title) for s in parsed.subscriptions] == [
        ("https://a.example/feed", None),
        ("https://b.example/feed", "B"),
    ]
    assert parsed.invalid == [f"line 2: {problem}"]


def test_a_urls_file_in_a_legacy_encoding_still_reads() -> None:
    parsed = parse_subscriptions('https://a.example/feed "~Café"\n'.encode("latin-1"))
    assert [(s.url, s.title) for s in parsed.subscriptions] == [("https://a.example/feed", "Café")]


def test_xml_that_is_not_opml_at_all() -> None:
    with pytest.raises(ImportFileError):
        parse_subscriptions(b"<")


def test_newsboat_urls_file() -> None:
    text = """# my feeds
https://lwn.net/headlines/rss tech "~LWN headlines"
https://example.org/a.xml "world news" daily

http://example.com/untagged
query:unread "unread = \\"yes\\""
ftp://example.com/x tech
https://example.org/a.xml dup
"""
    parsed = parse_newsboat_urls(text)
    assert [(s.url, s.title, s.folder) for s in parsed.subscriptions] == [
        ("https://lwn.net/headlines/rss", "LWN headlines", "tech"),
        ("https://example.org/a.xml", None, "world news"),
        ("http://example.com/untagged", None, None),
    ]
    assert parsed.duplicates == 1
    assert parsed.invalid == [
        "line 6: newsboat query: feeds are not supported",
        "line 7: ftp: URLs are not supported; only http and https",
    ]


def test_format_is_detected_from_the_content() -> None:
    urls = parse_subscriptions(b"https://example.org/feed\n")
    assert [s.url for s in urls.subscriptions] == ["https://example.org/feed"]
    opml = parse_subscriptions(
        b'\xef\xbb\xbf  <opml version="2.0"><body><outline xmlUrl="https://e.org/f"/></body></opml>'
    )
    assert [s.url for s in opml.subscriptions] == ["https://e.org/f"]


def test_export_escapes_titles_and_survives_control_characters() -> None:
    from reader.models import Feed

    feeds = [
        Feed(id=1, url="https://e.org/?a=1&b=2", title='A "quoted" <b>\x1b title', folder="x/y")
    ]
    exported = export_opml(feeds)
    parsed = parse_opml(exported.encode())
    assert parsed.invalid == []
    assert [(s.url, s.title, s.folder) for s in parsed.subscriptions] == [
        ("https://e.org/?a=1&b=2", 'A "quoted" <b> title', "x/y")
    ]
