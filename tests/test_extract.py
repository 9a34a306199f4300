"""Article extraction: the shared sample pages, and small inline cases for each rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from reader.errors import NotAnArticleError
from reader.extract import (
    MAX_ELEMENTS,
    _limit_size,
    article_from_feed_content,
    decode_html,
    extract_article,
    html_to_blocks,
    is_too_thin,
    reading_minutes,
)
from reader.extract.links import parse_page
from reader.extract.metadata import tidy_byline
from reader.models import Article, Block, Span
from reader.render import to_text
from tests.conftest import SHARED

PAGES = SHARED / "pages"
PAGE_DIRS = sorted(p for p in PAGES.glob("*/") if (p / "expected.json").is_file())
URL = "https://news.example.com/2025/01/02/a-story-about-things/"
FILLER = (
    "The council met on Tuesday evening to discuss the budget for the coming year, "
    "and several residents spoke about the state of the roads in their neighbourhoods. "
)

needs_pages = pytest.mark.skipif(
    not PAGE_DIRS, reason=f"shared sample pages not found at {PAGES} (../shared beside the repo)"
)


def _load(page_dir: Path) -> tuple[dict[str, Any], Article]:
    expected = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
    html = decode_html((page_dir / "page.html").read_bytes())
    return expected, extract_article(html, expected["url"])


@pytest.fixture(scope="module", params=PAGE_DIRS, ids=[p.name for p in PAGE_DIRS])
def page(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Article]:
    return _load(request.param)


def _page(html_body: str, head: str = "") -> str:
    return f"<html><head><title>A story</title>{head}</head><body>{html_body}</body></html>"


def _article(body: str) -> str:
    """A page with enough text around ``body`` for readability to pick the article."""
    paras = "".join(f"<p>{FILLER * 2}</p>" for _ in range(3))
    return _page(f"<article><h1>A story</h1>{paras}{body}{paras}</article>")


# --- the shared pages ------------------------------------------------------------------


@needs_pages
def test_paragraphs_in_order(page: tuple[dict[str, Any], Article]) -> None:
    expected, article = page
    text = to_text(article)
    position = 0
    for paragraph in expected["paragraphs_in_order"]:
        found = text.find(paragraph, position)
        assert found >= 0, f"missing or out of order: {paragraph!r}"
        position = found + len(paragraph)


@needs_pages
def test_nothing_unwanted(page: tuple[dict[str, Any], Article]) -> None:
    expected, article = page
    text = to_text(article)
    for unwanted in expected["must_not_contain"]:
        assert unwanted not in text


@needs_pages
@pytest.mark.parametrize("field", ["title", "byline", "published", "language", "site_name"])
def test_metadata(page: tuple[dict[str, Any], Article], field: str) -> None:
    expected, article = page
    if field not in expected:
        pytest.skip(f"{field} not given")
    assert getattr(article, field) == expected[field]


@needs_pages
def test_body_links(page: tuple[dict[str, Any], Article]) -> None:
    expected, article = page
    links = {(link.text, link.url) for link in article.links}
    for link in expected.get("body_links", []):
        assert (link["text"], link["url"]) in links
    urls = [link.url for link in article.links]
    assert len(urls) == len(set(urls))
    assert all(url.startswith(("http://", "https://", "mailto:")) for url in urls)


@needs_pages
def test_reading_time(page: tuple[dict[str, Any], Article]) -> None:
    _, article = page
    assert 1 <= article.reading_minutes <= 10
    assert not is_too_thin(article)


def test_seed_text_matches_euronews() -> None:
    seed = SHARED / "seed" / "euronews-fr-russie-iran.txt"
    page_dir = PAGES / "euronews-fr-russie-iran"
    if not seed.is_file() or not page_dir.is_dir():
        pytest.skip("shared seed or page not found")
    _, article = _load(page_dir)
    text = to_text(article)
    # Every long paragraph of the page's text dump that belongs to the article is in ours.
    body = [
        p.strip()
        for p in seed.read_text(encoding="utf-8").split("\n\n")
        if len(p.strip()) > 150 and "\n" not in p.strip()
    ]
    assert body
    for paragraph in body:
        assert paragraph.strip() in text


# --- inline rules ----------------------------------------------------------------------


def test_drop_cap_does_not_split_the_word() -> None:
    html = _article('<p><span class="dropcap">Z</span>imbabwe held an election today.</p>')
    text = to_text(extract_article(html, URL))
    assert "Zimbabwe held an election today." in text
    assert "Z\n" not in text and "Z imbabwe" not in text


def test_inline_tags_never_add_breaks() -> None:
    html = _article("<p>A <b>bold</b><i>italic</i> and <a href='/x'>linked</a>word here.</p>")
    text = to_text(extract_article(html, URL))
    assert "A bolditalic and linkedword here." in text


def test_list_items_are_not_glued() -> None:
    html = _article(
        "<ul><li>apples from the northern orchards</li><li>pears from the southern hills</li>"
        "</ul><ol><li>one step to take first of all</li><li>two steps to take after that</li></ol>"
    )
    article = extract_article(html, URL)
    items = [b for b in article.blocks if b.kind == "list_item"]
    assert [b.text for b in items] == [
        "apples from the northern orchards",
        "pears from the southern hills",
        "one step to take first of all",
        "two steps to take after that",
    ]
    assert [b.number for b in items] == [None, None, 1, 2]
    text = to_text(article)
    assert "- apples from the northern orchards\n- pears" in text
    assert "1. one step to take first of all\n2. two" in text
    assert "orchardspears" not in text


def test_nested_lists_keep_their_depth() -> None:
    root = lxml.html.fragment_fromstring(
        "<ul><li>fruit<ul><li>apple</li><li>pear<ol start='3'><li>deep</li></ol></li></ul></li>"
        "<li>vegetables</li></ul>",
        create_parent="div",
    )
    items = [b for b in html_to_blocks(root, URL) if b.kind == "list_item"]
    assert [(b.text, b.level, b.number) for b in items] == [
        ("fruit", 1, None),
        ("apple", 2, None),
        ("pear", 2, None),
        ("deep", 3, 3),
        ("vegetables", 1, None),
    ]


def test_ad_labels_and_share_lines_removed() -> None:
    html = _article(
        "<p>Advertisement</p><div>PUBLICITÉ</div><p>Anzeige</p><p>Publicidad</p>"
        "<p>Share this article</p><p>Follow us on Twitter</p><p>Publicité</p>"
    )
    text = to_text(extract_article(html, URL))
    for label in ("Advertisement", "PUBLICITÉ", "Anzeige", "Publicidad", "Share", "Follow"):
        assert label not in text
    assert FILLER.strip() in text


def test_credits_promotion_and_furniture_lines_removed() -> None:
    html = _article(
        "<p>Foto: Anna Berg / picture-alliance</p><p>Photo by Sam Lee on Unsplash</p>"
        "<p>Mit unserem Newsletter bleiben Sie informiert.</p>"
        "<p>To view the full story, please subscribe to the Courier.</p>"
        "<p>© 2024 The Courier. All rights reserved.</p><p>Zurück zur Startseite</p>"
        "<p>Tags: roads, council</p><p>Das könnte Sie auch interessieren</p>"
        "<p>Impressum · Datenschutz · Kontakt</p>"
        "<p>Lesen Sie auch: Neue Buslinie fährt ab Montag durch die Altstadt</p>"
        "<p>Klicken Sie auf den Button, um den Inhalt von www.maps.example zu laden.</p>"
        "<figure><img src='/a.jpg'><figcaption>The bridge at dusk. Foto: Anna Berg</figcaption>"
        "</figure>"
    )
    text = to_text(extract_article(html, URL))
    for line in ("picture-alliance", "Unsplash", "Newsletter", "subscribe", "rights reserved",
                 "Startseite", "Tags:", "interessieren", "Impressum", "Buslinie",
                 "maps.example"):  # fmt: skip
        assert line not in text
    # A caption's credit belongs to its figure, as Readability.js keeps it.
    assert "The bridge at dusk. Foto: Anna Berg" in text
    assert FILLER.strip() in text


def test_read_more_teaser_removed_from_body() -> None:
    html = _article(
        '<p><strong>Read more:</strong> <a href="/2024/05/06/an-older-story-here/">'
        "An older story about the roads</a></p>"
    )
    article = extract_article(html, URL)
    assert "Read more" not in to_text(article)
    assert [link.url for link in article.related] == [
        "https://news.example.com/2024/05/06/an-older-story-here/"
    ]


def test_headlines_under_a_read_more_label_leave_the_body() -> None:
    html = _article(
        "<p><b>Read more:</b></p>"
        "<p><a href='/2024/11/18/an-earlier-report/'>An earlier report on the pipes</a></p>"
        "<p><a href='/2024/10/02/the-first-leak/'>The first leak</a></p>"
    )
    article = extract_article(html, URL)
    text = to_text(article)
    assert "Read more" not in text
    assert "An earlier report" not in text
    assert [link.text for link in article.related] == [
        "An earlier report on the pipes",
        "The first leak",
    ]
    # Under a plain heading, linked lines are the article's own (a list of sources).
    html = _article(
        "<h2>Sources</h2><p><a href='https://example.org/report'>The council report</a></p>"
    )
    assert "The council report" in to_text(extract_article(html, URL))


def test_repeated_caption_and_gallery_counter() -> None:
    figures = "".join(
        f"<figure><img src='/{i}.jpg'><figcaption><span>{i} of 3</span>"
        f"<p>Picture number {i} shows the harbour.</p><span>Photo: Staff / Agency</span>"
        "</figcaption></figure>"
        for i in range(1, 4)
    )
    text = to_text(extract_article(_article(figures), URL))
    for i in range(1, 4):
        assert f"Picture number {i} shows the harbour." in text
        assert f"{i} of 3" not in text
    assert "Staff / Agency" not in text


def test_same_caption_twice_is_shown_once() -> None:
    figure = "<figure><img src='/a.jpg'><figcaption>The harbour at dawn.</figcaption></figure>"
    text = to_text(extract_article(_article(figure + figure), URL))
    assert text.count("The harbour at dawn.") == 1


def test_tweet_kept_as_quote_with_author_and_link() -> None:
    tweet = (
        '<blockquote class="twitter-tweet"><p lang="en">The bridge is closed tonight.</p>'
        "&mdash; City Roads (@cityroads) "
        '<a href="https://twitter.com/cityroads/status/1">March 1, 2025</a></blockquote>'
    )
    article = extract_article(_article(tweet), URL)
    quoted = [b for b in article.blocks if b.quote]
    assert any("The bridge is closed tonight." in b.text for b in quoted)
    assert any("City Roads (@cityroads)" in b.text for b in quoted)
    assert "https://twitter.com/cityroads/status/1" in [link.url for link in article.links]
    assert "> The bridge is closed tonight." in to_text(article)


def test_table_rows_keep_their_cells_apart() -> None:
    table = (
        "<table><thead><tr><th>Size</th><th>Memory</th><th>Note</th></tr></thead>"
        "<tbody><tr><td>500</td><td>148 <b>MB</b></td><td>a | b</td></tr>"
        '<tr><td rowspan="2">1000</td><td colspan="2">n/a</td></tr>'
        "<tr><td></td><td><ul><li>one</li><li>two</li></ul></td></tr></tbody></table>"
    )
    root = lxml.html.fragment_fromstring(table, create_parent="div")
    rows = [b for b in html_to_blocks(root, URL) if b.kind == "table_row"]
    cells = [["".join(s.text for s in cell) for cell in row.cells()] for row in rows]
    assert cells == [
        ["Size", "Memory", "Note"],
        ["500", "148 MB", "a | b"],  # a "|" in a cell is the cell's
        ["1000", "n/a", ""],  # a cell across two columns, then an empty one
        ["", "", "one two"],  # under a cell across two rows, an empty one; a list is words
    ]
    assert [row.level for row in rows] == [1, 0, 0, 0]  # the header row
    assert rows[1].text == "500 | 148 MB | a | b"  # the row reads as text too
    # th cells make a header row without <thead>; one title cell across the row does not
    titled = lxml.html.fragment_fromstring(
        '<table><tr><th colspan="2">For the dough:</th></tr><tr><th>Flour</th><th>Salt</th>'
        "</tr><tr><td>500 g</td><td>1 tsp</td></tr></table>",
        create_parent="div",
    )
    assert [b.level for b in html_to_blocks(titled, URL)] == [0, 1, 0]
    # A table used for layout is not a table: its cells are paragraphs.
    layout = lxml.html.fragment_fromstring(
        "<table><tr><td><p>First paragraph.</p><p>Second one.</p></td></tr></table>",
        create_parent="div",
    )
    blocks = html_to_blocks(layout, URL)
    assert [(b.kind, b.text) for b in blocks] == [
        ("paragraph", "First paragraph."),
        ("paragraph", "Second one."),
    ]


def test_headings_quotes_code_and_links() -> None:
    body = (
        "<h2>Second part</h2><blockquote><p>Quoted words here.</p></blockquote>"
        "<pre><code>x = 1\n    y = 2</code></pre>"
        "<p>See <a href='../other-page-about-things/'>this</a> and "
        "<a href='javascript:void(0)'>that</a>.</p>"
    )
    article = extract_article(_article(body), URL)
    kinds = {b.kind: b for b in article.blocks}
    assert kinds["heading"].text == "Second part" and kinds["heading"].level == 2
    assert any(b.quote == 1 and b.text == "Quoted words here." for b in article.blocks)
    assert kinds["code"].text == "x = 1\n    y = 2"
    assert [link.url for link in article.links] == [
        "https://news.example.com/2025/01/02/other-page-about-things/"
    ]


def test_br_breaks_a_line_without_splitting_words() -> None:
    html = _article("<p>First line<br>second line<br><br>New paragraph</p>")
    blocks = [b.text for b in extract_article(html, URL).blocks]
    assert "First line\nsecond line" in blocks
    assert "New paragraph" in blocks


def test_metadata_from_meta_tags_and_json_ld() -> None:
    head = (
        '<meta property="og:site_name" content="The Example">'
        '<meta property="og:image" content="/lead.jpg">'
        '<meta property="og:locale" content="fr_FR">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Headline",'
        ' "datePublished": "2025-01-02T03:04:05Z", "author": {"name": "Ann Author"}}</script>'
    )
    html = _page(f"<article><p>{FILLER * 3}</p><p>{FILLER * 3}</p></article>", head)
    article = extract_article(html, URL)
    assert article.title == "Headline"
    assert article.byline == "Ann Author"
    assert article.published == "2025-01-02T03:04:05+00:00"
    assert article.site_name == "The Example"
    assert article.language == "fr-FR"
    assert article.lead_image == "https://news.example.com/lead.jpg"


def _meta_article(head: str, body: str = "", title: str = "A story") -> Article:
    paras = f"<p>{FILLER * 3}</p><p>{FILLER * 3}</p>"
    html = (
        f"<html><head><title>{title}</title>{head}</head>"
        f"<body><article>{body}{paras}</article></body></html>"
    )
    return extract_article(html, URL)


def test_json_ld_in_cdata_and_its_precedence() -> None:
    head = (
        '<meta property="og:site_name" content="Example.com">'
        '<meta property="article:published_time" content="2019-12-11T14:28:34Z">'
        '<script type="application/ld+json"><![CDATA[{"@context": "https://schema.org",'
        ' "@type": "Article", "headline": "A headline", "datePublished": "2019-10-15T02:19:15Z",'
        ' "author": {"@type": "Organization", "name": "Contributors"},'
        ' "publisher": {"@type": "Organization", "name": "Example Publishing"}}]]></script>'
    )
    article = _meta_article(head)
    assert article.title == "A headline"
    assert article.byline == "Contributors"
    # The structured data wins over Open Graph, as in Readability.js.
    assert article.published == "2019-10-15T02:19:15+00:00"
    assert article.site_name == "Example Publishing"


def test_json_ld_name_or_headline_by_the_page_title() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "Article", "name": "New Zealand",'
        ' "headline": "constitutional monarchy in Oceania"}</script>'
    )
    assert _meta_article(ld, title="New Zealand - Wikipedia").title == "New Zealand"
    ld = (
        '<script type="application/ld+json">{"@type": "Article", "name": "Home",'
        ' "headline": "The bridge reopens on Monday"}</script>'
    )
    title = "The bridge reopens on Monday | City News"
    assert _meta_article(ld, title=title).title == "The bridge reopens on Monday"


def test_dublin_core_properties_and_parsely_title() -> None:
    head = (
        '<meta name="DC.title" content="Dublin Core name title">'
        '<meta property="dc:title" content="Dublin Core property title">'
        '<meta name="author" content="Meta name author">'
        '<meta name="DC.creator" content="Dublin Core name author">'
        '<meta property="dc:creator twitter:site_name" content="Dublin Core property author">'
    )
    article = _meta_article(head)
    assert article.title == "Dublin Core property title"
    assert article.byline == "Dublin Core property author"
    assert _meta_article('<meta name="parsely-title" content="Parsely">').title == "Parsely"


def test_byline_from_the_page() -> None:
    # itemprop holding several values, and a class in any case.
    body = (
        '<p itemprop="author creator" itemscope>By <a href="/by/corey">'
        '<span itemprop="name">Corey Kilgannon</span></a></p>'
    )
    assert _meta_article("", body).byline == "Corey Kilgannon"
    body = '<div class="FeatureByline"> By <b>Nathan Willis</b><br>March 25, 2015 </div>'
    assert _meta_article("", body).byline == "Nathan Willis"
    body = '<div class="byline">By<!-- --> <b>Ann Author</b></div>'
    assert _meta_article("", body).byline == "Ann Author"
    body = '<div class="author">Joshua Sokol 20 May 2019</div>'
    assert _meta_article("", body).byline == "Joshua Sokol"
    # A date with a label is no byline.
    body = '<div class="byline-date">Last Updated: January 7, 2025</div>'
    assert _meta_article("", body).byline is None


@pytest.mark.parametrize(
    ("written", "byline"),
    [
        ("Post author By Helge Berg", "Helge Berg"),
        ("Artikel von: Hausinfo", "Hausinfo"),
        ("Auteur : Anna Kovac", "Anna Kovac"),
        ("AuthorAndreas Klein", "Andreas Klein"),  # label and name run together
        ("Geschrieben vonElisa Mar", "Elisa Mar"),
        ("Zeige alle Beiträge von Petra Rulf", "Petra Rulf"),
        ("Text und Interview: Harald Wille", "Harald Wille"),
        ("Veröffentlicht am 8. Februar 2022 von Tierteam", "Tierteam"),
        ("Jörn Mecher am 12.03.2021", "Jörn Mecher"),
        ("Published by NEWSTEAM at 10:04", "NEWSTEAM"),
        ("Ann Lee - ann@example.org", "Ann Lee"),
        ("Wire Service (www.wire.example)", "Wire Service"),
        ("Frank Bolt - https://bolt.example", "Frank Bolt"),
        ("AFP - [email protected] Published: 28 Apr, 2020", "AFP"),
        ("Martin Jung Alle Artikel", "Martin Jung"),
        ("Laura Ortiz 22 de Abril de 2022 - 00:00", "Laura Ortiz"),
        (", par Attac Nord", "Attac Nord"),
        ("Ariel H -", "Ariel H"),
        ("Daniel Nowak DOTYCZY: gazociąg", "Daniel Nowak"),
        # no byline at all: a commenter, a form field, a label, a date, a placeholder
        ("Art Edwards says:", None),
        ("Peter sagt: 9. Dezember 2013 at 14:57 Schöne Einleitung", None),
        ("Name *", None),
        ("Name (erforderlich)", None),
        ("Publiziert am", None),
        ("Article by", None),
        ("09.10.2021", None),
        ("Unknown", None),
        ("so Artikel empfehlen:", None),
    ],
)  # fmt: skip
def test_a_byline_keeps_only_the_name(written: str, byline: str | None) -> None:
    assert tidy_byline(written) == byline


def test_a_byline_is_not_taken_from_comments_forms_or_the_site_footer() -> None:
    """A commenter's name, the comment form's "Name *" and the footer's theme credit
    have author classes too; the article's own byline wins, or there is none."""
    comments = (
        '<div id="comments" class="comments-area"><ol class="commentlist"><li class="comment">'
        '<div class="comment-author vcard">Art Edwards says:</div><p>Nice.</p></li></ol>'
        '<div id="respond"><form class="comment-form"><p class="comment-form-author">'
        "<label>Name *</label><input></p></form></div></div>"
        '<footer id="footer"><div class="author">Theme by Smartica</div></footer>'
    )
    page = (
        f"<html><head><title>A story</title></head><body><div class='main'>"
        f"<h1>A story</h1><p>{FILLER * 3}</p><p>{FILLER * 3}</p></div>{{own}}{comments}"
        "</body></html>"
    )
    assert extract_article(page.format(own=""), URL).byline is None
    own = (  # a post's own footer (no <article>) holds its author
        "<div class='post hentry'><div class='post-footer'>"
        "<span class='author'>Ned Dale</span></div></div>"
    )
    assert extract_article(page.format(own=own), URL).byline == "Ned Dale"


def test_a_site_title_as_the_author_gives_way_to_the_pages_byline() -> None:
    ld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "author": '
        '{"name": "Noticias - La Prensa | Informate"}}</script>'
    )
    body = '<p class="news-author">Por Laura Ortiz / Juan Vela</p>'
    assert _meta_article(ld, body).byline == "Laura Ortiz / Juan Vela"


def test_time_element_and_html_lang() -> None:
    html = (
        '<html lang="de"><head><title>Ein langer Artikel heute - Zeitung</title></head><body>'
        "<article>"
        f'<time datetime="2024-06-01T10:00:00+02:00">1. Juni</time><p>{FILLER * 4}</p>'
        "</article></body></html>"
    )
    article = extract_article(html, URL)
    assert article.published == "2024-06-01T10:00:00+02:00"
    assert article.language == "de"
    assert article.title == "Ein langer Artikel heute"


def test_reading_minutes_words_and_cjk() -> None:
    words = Block(kind="paragraph", spans=(Span(text="word " * 460),))
    assert reading_minutes([words]) == 2
    cjk = Block(kind="paragraph", spans=(Span(text="漢" * 1500),))
    assert reading_minutes([cjk]) == 3
    assert reading_minutes([]) == 0
    assert reading_minutes([Block(kind="paragraph", spans=(Span(text="hi"),))]) == 1


# --- bad pages -------------------------------------------------------------------------


def test_empty_page() -> None:
    with pytest.raises(NotAnArticleError):
        extract_article("", URL)
    with pytest.raises(NotAnArticleError):
        extract_article("   \n ", URL)


def test_not_html() -> None:
    with pytest.raises(NotAnArticleError):
        extract_article("%PDF-1.7 binary junk \x00\x01 no markup here", URL)


def test_huge_nested_divs_do_not_hang() -> None:
    depth = 1_000_000
    html = "<html><body>" + "<div>" * depth + "deep" + "</div>" * depth + "</body></html>"
    assert len(html) > 10_000_000  # cut to MAX_HTML_CHARS, then nested too deeply to read
    try:
        article = extract_article(html, URL)
    except NotAnArticleError:
        pass
    else:
        assert is_too_thin(article)


def test_many_sibling_elements_are_cut() -> None:
    # readability's scoring grows faster than linearly with the element count, so a page is
    # cut to MAX_ELEMENTS before it is scored (the time it takes is bench/'s business).
    html = "<html><body>" + "<div><p>x y</p></div>" * 200_000 + "</body></html>"
    root = parse_page(html)
    assert root is not None
    _limit_size(root)
    assert sum(1 for _ in root.iter()) <= MAX_ELEMENTS
    try:
        extract_article(html, URL)
    except NotAnArticleError:
        pass


def test_broken_markup_still_reads() -> None:
    html = (
        "<html><body><div><p>" + FILLER * 3 + "<p><b>unclosed " + FILLER * 3 + "</div></i></span>"
        "<table><tr><td>cell"
    )
    text = to_text(extract_article(html, URL))
    assert "The council met on Tuesday evening" in text


def test_no_body_element() -> None:
    html = "<p>" + FILLER * 4 + "</p><p>" + FILLER * 4 + "</p>"
    text = to_text(extract_article(html, URL))
    assert "The council met on Tuesday evening" in text


def test_wrong_charset_declaration() -> None:
    page = _article("<p>Les élèves ont étudié à l’école.</p>").replace(
        "<head>", '<head><meta charset="iso-8859-1">'
    )
    # Declared Latin-1, served as UTF-8: decoding follows the declaration (mojibake), and
    # extraction still works.
    text = decode_html(page.encode("utf-8"))
    article = extract_article(text, URL)
    assert "The council met on Tuesday evening" in to_text(article)
    # The HTTP charset wins over the page's declaration.
    assert "élèves" in decode_html(page.encode("utf-8"), "utf-8")


def test_decode_meta_charset() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><p>Привет</p></body></html>'
    assert "Привет" in decode_html(page.encode("cp1251"))


def _sentences(topic: str, count: int) -> str:
    return " ".join(
        f"Sentence {i} about the {topic}, with a detail, a number and a place."
        for i in range(count)
    )


def test_article_split_into_cousin_sections_is_read_whole() -> None:
    # Each step sits in its own wrapper, so the steps are cousins, not siblings: readability
    # alone keeps one of them. Readability.js takes the container of the close top scorers.
    steps = "".join(
        f"<section class='step'><h3>Step {i}</h3><div class='body'><div class='text'>"
        f"<p>{_sentences(f'step {i}', 4)}</p></div></div></section>"
        for i in range(1, 6)
    )
    aside = "<aside><ul><li><a href='/a'>Another story</a></li></ul></aside>"
    html = _page(f"<div id='page'><div id='howto'>{steps}</div>{aside}</div>")
    text = to_text(extract_article(html, URL))
    for i in range(1, 6):
        assert f"Sentence 0 about the step {i}," in text
    assert "Another story" not in text
    assert text.index("step 1,") < text.index("step 5,")


def test_container_climbs_to_a_parent_whose_score_rises_again() -> None:
    # The densest block is three levels down; its grandparent scores higher than its
    # parent again, so the article is the grandparent with its heading and list.
    commas = "a detail, a number, a place, a name, a time, a date, a cost, a view, "
    dense = "".join(f"<p>Dense {i}: {commas * 2}and an end.</p>" for i in range(4))
    intro = "".join(
        f"<p>Outer paragraph {i} of the story, with one detail, and another, and more, "
        f"and a fourth, and a fifth, and the end of it all here.</p>"
        for i in range(6)
    )
    html = _page(
        "<div id='outer'>"
        f"{intro}<h2>The subheading</h2><ul><li>First listed point</li>"
        "<li>Second listed point</li></ul>"
        f"<div id='mid'><div id='inner'>{dense}</div></div></div>"
        "<div class='sidebar'><p>Sidebar text that is not the story.</p></div>"
    )
    text = to_text(extract_article(html, URL))
    assert "Dense 3:" in text
    assert "Outer paragraph 0" in text
    assert "The subheading" in text
    assert "Second listed point" in text
    assert "Sidebar text" not in text


def test_bare_read_more_button_line_removed() -> None:
    html = _article("<p><span class='button'>Read more</span></p><p>Continue reading</p>")
    text = to_text(extract_article(html, URL))
    assert "Read more" not in text
    assert "Continue reading" not in text


def test_linked_headings_inside_the_article_are_kept() -> None:
    body = (
        "<h2><a href='https://example.org/games/rez'>Rez Infinite ($30)</a></h2>"
        f"<p>{FILLER}</p>"
        "<h2 class='section'><a href='#values'>Values</a></h2>"
        f"<p>{FILLER}</p>"
    )
    article = extract_article(_article(body), URL)
    headings = [b.text for b in article.blocks if b.kind == "heading"]
    assert "Rez Infinite ($30)" in headings
    assert "Values" in headings
    assert "https://example.org/games/rez" in [link.url for link in article.links]


def test_trailing_linked_heading_and_promoted_by_line_dropped() -> None:
    html = _page(
        f"<article><p>{FILLER * 2}</p><p>{FILLER * 2}</p><p>{FILLER * 2}</p>"
        "<h2><a href='https://ads.example.net/q'>Related Searches</a></h2>"
        "<div class='widget-pw'>Promoted By Zergnet</div><h2>Last words</h2>"
        f"<p>{FILLER}</p><h2>Closing header</h2></article>"
    )
    text = to_text(extract_article(html, URL))
    assert "Promoted By" not in text
    assert "Last words" in text
    # A plain heading at the end is the page's own; a linked one titled a removed block.
    assert "Closing header" in text
    html = _page(
        f"<article><p>{FILLER * 2}</p><p>{FILLER * 2}</p><p>{FILLER * 2}</p>"
        "<h2><a href='https://ads.example.net/q'>Related Searches</a></h2></article>"
    )
    assert "Related Searches" not in to_text(extract_article(html, URL))


def test_photo_essay_container_is_not_emptied_by_its_images() -> None:
    # More images than readability allows for its paragraphs: its conditional cleaning
    # used to drop the chosen container itself, leaving nothing.
    images = "".join(f"<img src='/photo{i}.jpg'>" for i in range(8))
    words = "The boats come in at dawn and the nets are laid out on the quay to dry. " * 4
    html = _page(
        f"<div id='page'><div class='essay article-body'><p>First. {words}</p>{images}"
        f"<p>Last. {words}</p></div></div>"
    )
    text = to_text(extract_article(html, URL))
    assert "First. The boats come in" in text
    assert "Last. The boats come in" in text


def test_intro_four_levels_beside_the_container_is_added_back() -> None:
    intro = "The intro paragraph sets the scene for the review: " + _sentences("intro", 3)
    block = "".join(
        f"<div class='c-text'><p>{_sentences(f'part {i}', 5)}</p></div>" for i in range(3)
    )
    html = _page(
        "<main><article><div class='frame'>"
        f"<div class='block'><div class='grid'><div class='cell'><div class='c-intro'>"
        f"<p>{intro}</p></div></div></div></div>"
        f"<div class='body-wrap'>{block}</div>"
        "</div></article></main>"
    )
    text = to_text(extract_article(html, URL))
    assert "The intro paragraph sets the scene" in text
    assert text.index("The intro paragraph") < text.index("part 0")


def test_unlikely_classes_spare_code_and_article_holders() -> None:
    # Our faster pass over "unlikely" classes keeps readability's two exceptions: anything
    # holding an <article>, and anything inside <pre>/<code>.
    code = "<pre><code><span class='comment'># keep this comment line</span>\nx = 1</code></pre>"
    html = _page(
        "<div class='sidebar-wrapper'><article>"
        f"<p>{FILLER * 2}</p><p>{FILLER * 2}</p>{code}<p>{FILLER * 2}</p>"
        "</article></div><div class='sidebar'><p>Sidebar text that is not the story.</p></div>"
    )
    text = to_text(extract_article(html, URL))
    assert FILLER.strip() in text
    assert "# keep this comment line" in text
    assert "Sidebar text" not in text


def test_thin_page_is_too_thin() -> None:
    html = _page("<div id='app'>Loading…</div><noscript>Enable JavaScript</noscript>")
    assert is_too_thin(extract_article(html, URL))


# --- feed content ----------------------------------------------------------------------


def test_article_from_feed_html() -> None:
    article = article_from_feed_content(
        "<p>First <a href='/more-on-this-thing/'>link</a>.</p><ul><li>a</li><li>b</li></ul>"
        "<p>Advertisement</p>",
        URL,
        "Feed title",
    )
    assert article.source == "feed"
    assert article.title == "Feed title"
    assert [b.text for b in article.blocks] == ["First link.", "a", "b"]
    assert article.links[0].url == "https://news.example.com/more-on-this-thing/"


def test_article_from_feed_text() -> None:
    article = article_from_feed_content("One paragraph.\n\nAnother one.", URL, "T")
    assert [b.text for b in article.blocks] == ["One paragraph.", "Another one."]
    assert article_from_feed_content("", URL, "T").blocks == ()


def test_the_byline_line_is_not_repeated_in_the_body() -> None:
    """The header shows the byline; the page's own byline line (and its author link) goes."""
    paragraph = "<p>" + "The council met on Thursday to discuss the harbour plan. " * 6 + "</p>"
    page = (
        "<html><head><title>Plan</title><meta name='author' content='Mara Lindqvist'></head>"
        "<body><article><h1>Plan</h1>"
        "<p class='byline'>By <a rel='author' href='/author/mara'>Mara Lindqvist</a> · "
        "<time datetime='2026-11-27'>2026-11-27</time></p>"
        f"{paragraph * 3}"
        "<p>Mara Lindqvist is our harbour reporter and has covered the council since 2019, "
        "when the plan was first drawn up by the old port authority.</p>"
        "</article></body></html>"
    )
    article = extract_article(page, "https://news.example/plan")
    assert article.byline == "Mara Lindqvist"
    texts = [block.text for block in article.blocks]
    assert not any(text.startswith("By Mara") for text in texts)
    assert all("/author/mara" not in link.url for link in article.links)
    assert any(text.startswith("Mara Lindqvist is our harbour reporter") for text in texts)


def test_a_body_outside_the_titled_article_is_checked_against_a_second_opinion() -> None:
    sidebar = "".join(
        f"<p>Another story of the week number {n}, with enough words in it to weigh, about "
        "the harbour, the ferries, the council and the roads of the town this winter.</p>"
        for n in range(8)
    )
    html = (
        "<html><head><title>Ferry adds a late sailing</title></head><body>"
        "<main><article><h1>Ferry adds a late sailing</h1>"
        "<p>The ferry will run an extra crossing at 23:40 on Fridays from next month.</p>"
        "<p>Commuters had asked for a later boat since the timetable was cut.</p>"
        "<p>The trial runs until October, when the council decides whether to keep it.</p>"
        f"</article></main><div class='more'>{sidebar}</div></body></html>"
    )
    text = to_text(extract_article(html, URL))
    assert "The ferry will run an extra crossing at 23:40 on Fridays" in text


def test_text_and_title_come_in_composed_form() -> None:
    """A letter spelled in two ways (e + combining accent) compares as one: NFC."""
    page = (Path(__file__).parent / "extract_pages/composed-letters/page.html").read_text("utf-8")
    article = extract_article(page, "https://example.com/cafe")
    assert article.title.startswith("A caf\u00e9 on the river")
    assert "e\u0301" not in to_text(article) and "\u09df" not in to_text(article)


def test_the_site_name_leaves_a_meta_title_too() -> None:
    # a Japanese portal's og:title ends with its og:site_name, which the header shows next
    head = (
        '<meta property="og:site_name" content="Yahoo!ニュース">'
        '<meta property="og:title"'
        ' content="公衆無線LANを安全に使うアプリ（CNET Japan） - Yahoo!ニュース">'
    )
    assert _meta_article(head).title == "公衆無線LANを安全に使うアプリ（CNET Japan）"
    alone = (
        '<meta property="og:site_name" content="Atlas"><meta property="og:title" content="Atlas">'
    )
    assert _meta_article(alone).title == "Atlas"  # never emptied


def test_section_edit_links_leave_headings() -> None:
    """A wiki's "[edit]" beside each section title, marked by class, by its action=edit
    address or only by its bracketed word, in any language, is not part of the heading."""
    html = (
        '<h2><span class="mw-headline">History</span><span class="mw-editsection">'
        '<span class="mw-editsection-bracket">[</span>'
        '<a href="/w/index.php?title=Ferry&amp;action=edit&amp;section=1">edit</a>'
        '<span class="mw-editsection-bracket">]</span></span></h2>'
        "<p>The first ferry crossed in 1901.</p>"
        '<h2>Geschichte<span>[<a href="/index.php?title=F%C3%A4hre&amp;veaction=edit'
        '&amp;section=2">Bearbeiten</a> | <a href="/index.php?title=F%C3%A4hre&amp;'
        'action=edit&amp;section=2">Quelltext bearbeiten</a>]</span></h2>'
        "<p>Die erste Fähre fuhr 1901.</p>"
        "<h3>Histoire [modifier | modifier le code]</h3>"
        '<h3>Arrays: int[] and <a href="/wiki/Edit">edit</a> [sic]</h3>'
    )
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    headings = [b.text for b in html_to_blocks(root, URL) if b.kind == "heading"]
    assert headings == ["History", "Geschichte", "Histoire", "Arrays: int[] and edit [sic]"]
    article = extract_article(_article(html), URL)
    assert "[edit]" not in to_text(article) and "History" in to_text(article)


@pytest.mark.parametrize(
    ("url", "head", "title"),
    [
        # meta titles (<title> has a rougher rule of its own): the site's name, give or
        # take a word or a domain ending
        ("https://chronik.example/a", '<meta property="og:site_name" content="Chronik.de">'
         '<meta property="og:title" content="Der Stadtrat beschließt den Haushalt | Chronik">',
         "Der Stadtrat beschließt den Haushalt"),
        # no name given: the address says it
        ("https://www.seeblick-zeitung.de/lokal/faehre",
         '<meta property="og:title" content="Die Fähre fährt wieder - Seeblick Zeitung">',
         "Die Fähre fährt wieder"),
        ("https://lephare.example/x", '<meta name="application-name" content="Le Phare">'
         '<meta property="og:title" content="Le Phare – Le budget est voté à Caen">',
         "Le budget est voté à Caen"),
        ("https://food.example/tw", '<meta property="og:site_name" content="痞客邦 PIXNET">'
         '<meta property="og:title" content="台北最好吃的牛肉麵 – 痞客邦">', "台北最好吃的牛肉麵"),
        # a headline with a dash in it, and no site named at either end: whole
        ("https://sport.example/b", '<meta property="og:site_name" content="Sportblatt">'
         '<meta property="og:title" content="Dortmund - Gladbach: Das Spiel live sehen">',
         "Dortmund - Gladbach: Das Spiel live sehen"),
        # the site's name inside the headline stays; only the end goes
        ("https://www.seeblick.example/c",
         '<meta property="og:title" content="Seeblick-Verein feiert Jubiläum | Seeblick">',
         "Seeblick-Verein feiert Jubiläum"),
        # the title is the site's own name: nothing to cut
        ("https://news.example/", '<meta name="application-name" content="Kurier - Nachrichten">'
         '<meta property="og:title" content="Kurier - Nachrichten">', "Kurier - Nachrichten"),
    ],
)  # fmt: skip
def test_title_loses_the_site_name_it_ends_with(url: str, head: str, title: str) -> None:
    from reader.extract.metadata import read_metadata

    root = parse_page(f"<html><head>{head}</head><body><p>Text.</p></body></html>")
    assert root is not None
    assert read_metadata(root, url).title == title


def _article_ending(body: str) -> str:
    """A page whose article ends with ``body``."""
    paras = "".join(f"<p>{FILLER * 2}</p>" for _ in range(4))
    return _page(f"<article><h1>A story</h1>{paras}{body}</article><footer>Site</footer>")


@pytest.mark.parametrize(
    ("footer", "gone"),
    [
        ('<div class="badge"><p>This story follows the <a href="/about/standards/">Trust '
         'Project</a> guidelines.</p></div><p><a href="/corrections/">Report an error</a></p>',
         ["Trust Project", "Report an error"]),
        ('<p>Conforme a los criterios de</p><p><img alt="Trust"></p>'
         '<p><a href="https://news.example.com/buenas-practicas/">Saber más</a></p>',
         ["Conforme a los criterios de", "Saber más"]),
        ('<p><a href="mailto:redakce@noviny.example">Nahlásit chybu</a></p>', ["Nahlásit chybu"]),
        ("<p>Druckansicht | Artikel versenden | Tippfehler melden</p>", ["Tippfehler melden"]),
        ('<p>Vous avez repéré une erreur ? <a href="mailto:web@journal.example">Écrivez-nous'
         "</a></p>", ["repéré une erreur"]),
    ],
)  # fmt: skip
def test_the_sites_footer_after_the_last_paragraph_goes(footer: str, gone: list[str]) -> None:
    closing = (
        "<p>Asked whether the ferry would run again next winter, the mayor said only that "
        "the council would decide in March.</p><p>Ann Lee reports from the harbour.</p>"
    )
    text = to_text(extract_article(_article_ending(closing + footer), URL))
    assert "the council would decide in March." in text
    assert "Ann Lee reports from the harbour." in text
    for line in gone:
        assert line not in text


def test_a_closing_paragraph_about_errors_stays() -> None:
    """Only the site's short lines go: a last paragraph of the article that speaks of
    errors and corrections, or a short line of it, is the article's."""
    closing = (
        "<p>The council admitted that its report contained an error, and it promised to "
        "publish a correction before the next meeting of the transport committee.</p>"
        "<p>Report an error in the timetable to the harbour office, the notice says, "
        "whose staff will check each complaint by hand before the boats are moved again, "
        "and the mayor has promised to answer every letter sent to the town hall this "
        "winter about the crossings.</p>"
        "<p>Read the full report at the town hall.</p>"
    )
    text = to_text(extract_article(_article_ending(closing), URL))
    assert "publish a correction" in text and "Report an error in the timetable" in text
    assert "Read the full report at the town hall." in text
