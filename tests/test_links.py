"""Related-article links: the shared sample pages, our own pages in the shapes of real ones,
and one small page for each shape of related block and each kind of look-alike list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reader.extract import decode_html
from reader.extract.links import (
    READ_MORE_PREFIX_RE,
    explain_related,
    find_body_links,
    find_related,
    heading_kind,
    is_article_url,
)
from reader.models import Block, Link, Span
from tests.conftest import SHARED

PAGES = SHARED / "pages"
PAGE_DIRS = sorted(p for p in PAGES.glob("*/") if (p / "expected.json").is_file())
OWN = Path(__file__).resolve().parent / "related_pages"
OWN_DIRS = sorted(p for p in OWN.glob("*/") if (p / "expected.json").is_file())
URL = "https://news.example.com/2025/03/01/port-alder-lead-pipe-plan/"
SITE = "https://news.example.com"


def _expected(page_dir: Path) -> tuple[dict[str, Any], list[Link]]:
    expected = json.loads((page_dir / "expected.json").read_text(encoding="utf-8"))
    html = decode_html((page_dir / "page.html").read_bytes())
    return expected, find_related(html, expected["url"])


def _check(page_dir: Path) -> None:
    expected, related = _expected(page_dir)
    assert [{"title": link.text, "url": link.url} for link in related] == expected["related"]
    urls = {link.url for link in related}
    for url in expected.get("not_related", []):
        assert url not in urls


@pytest.mark.skipif(not PAGE_DIRS, reason=f"shared sample pages not found at {PAGES}")
@pytest.mark.parametrize("page_dir", PAGE_DIRS, ids=[p.name for p in PAGE_DIRS])
def test_shared_page_related(page_dir: Path) -> None:
    _check(page_dir)


def test_own_pages_are_there() -> None:
    assert len(OWN_DIRS) >= 10


@pytest.mark.parametrize("page_dir", OWN_DIRS, ids=[p.name for p in OWN_DIRS])
def test_own_page_related(page_dir: Path) -> None:
    """Pages written for these tests in the shapes of real ones, in nine languages."""
    _check(page_dir)


# --- small pages: one article about lead pipes in Port Alder ---------------------------

_STORY = """
<p>The Port Alder council approved on Tuesday a plan to replace every lead service pipe in
the city within eight years, after tests found lead in the water of two schools.</p>
<p>The plan will cost 48 million dollars. The council will borrow half of it and hopes to
win the rest from the state fund for <a href='/2024/12/01/state-lead-fund-opens/'>lead pipe
removal</a>, which opens to applications in the spring.</p>
<p>Residents will not pay for the part of the pipe under their own yard, a change from the
first version of the plan that many had criticised at the public hearing in January.</p>
<p>Crews will start in the older neighbourhoods north of the river, where most of the lead
pipes were laid before 1950, and will publish a map of the streets to be dug each year.</p>
"""


def _page(in_body: str = "", after: str = "", aside: str = "", head: str = "") -> str:
    """An article page: menu, the story (with ``in_body`` after its second paragraph),
    ``after`` below the story and ``aside`` in a sidebar."""
    first, second, *rest = [p for p in _STORY.split("</p>") if p.strip()]
    body = f"{first}</p>{second}</p>{in_body}{'</p>'.join(rest)}</p>"
    return f"""<html><head><title>Port Alder council approves lead pipe plan</title>{head}
<meta property="og:title" content="Port Alder council approves lead pipe replacement plan">
</head><body>
<nav class="menu"><a href="/news/">News</a> <a href="/sports/">Sports</a>
<a href="/2025/02/27/mayor-race-begins-today/">Mayor race begins today</a></nav>
<div class="page"><div class="main"><article><h1>Port Alder council approves lead pipe plan</h1>
<div class="story-body">{body}</div>{after}</article></div>
<div class="sidebar">{aside}</div></div><footer><a href="/privacy/">Privacy</a></footer>
</body></html>"""


def _urls(html: str) -> list[str]:
    return [link.url.removeprefix(SITE) for link in find_related(html, URL)]


_RELATED_LIST = """
<ul><li><a href='/2024/11/18/half-replaced-lead-lines/'>Hundreds of homes left with
half-replaced lead lines</a></li>
<li><a href='/2025/01/22/port-alder-water-rates-rise/'>Port Alder water rates to rise for
a third year</a></li>
<li><a href='/2024/09/30/lead-found-in-school-fountains/'>Parents push for testing after lead
found in school fountains</a></li></ul>"""
_RELATED_URLS = [
    "/2024/11/18/half-replaced-lead-lines/",
    "/2025/01/22/port-alder-water-rates-rise/",
    "/2024/09/30/lead-found-in-school-fountains/",
]


# Shapes of related blocks ---------------------------------------------------------------


def test_heading_box_after_the_story_in_page_order_without_duplicates() -> None:
    html = _page(
        after="<section><h2>Related</h2><ul>"
        "<li><a href='/2024/11/18/half-replaced-lead-lines/'><img src='x.jpg'></a>"
        "<a href='/2024/11/18/half-replaced-lead-lines/'>Hundreds of homes left with"
        " half-replaced lead lines</a></li>"
        "<li><a href='/2025/01/22/port-alder-water-rates-rise/'>Port Alder water rates to rise"
        "</a></li>"
        "<li><a href='/tag/lead-pipes/'>Lead pipes</a></li>"
        f"<li><a href='{URL}#comments'>Comments on the lead pipe plan</a></li>"
        "</ul></section>"
    )
    assert find_related(html, URL) == [
        Link(
            "Hundreds of homes left with half-replaced lead lines",
            f"{SITE}/2024/11/18/half-replaced-lead-lines/",
        ),
        Link("Port Alder water rates to rise", f"{SITE}/2025/01/22/port-alder-water-rates-rise/"),
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "See also",
        "More on this story",
        "Lire aussi",
        "Mehr zum Thema",
        "Leia também",
        "Читайте также",
        "関連記事",
        "관련기사",
        "Baca juga",
        "Leggi anche",
        "Czytaj też",
        "Lue myös",
    ],
)
def test_headings_in_several_languages(heading: str) -> None:
    html = _page(after=f"<div><h3>{heading}</h3>{_RELATED_LIST}</div>")
    assert _urls(html) == _RELATED_URLS


@pytest.mark.parametrize(
    "label",
    [
        "<span class='box-title'>Lesen Sie auch</span>",
        "<div class='head'><strong>Veja também:</strong></div>",
        "<p class='sr-only'>Related stories</p>",
    ],
)
def test_heading_in_a_plain_or_hidden_tag(label: str) -> None:
    html = _page(after=f"<div class='box'>{label}{_RELATED_LIST}</div>")
    assert _urls(html) == _RELATED_URLS


def test_class_named_container_without_heading() -> None:
    html = _page(after=f"<div class='related-articles'>{_RELATED_LIST}</div>")
    assert _urls(html) == _RELATED_URLS


def test_aria_label_names_the_box() -> None:
    html = _page(after=f"<section aria-label='More on this topic'>{_RELATED_LIST}</section>")
    assert _urls(html) == _RELATED_URLS


def test_aside_inside_the_article_body() -> None:
    html = _page(in_body=f"<aside><h4>Read more</h4>{_RELATED_LIST}</aside>")
    assert _urls(html) == _RELATED_URLS


def test_only_the_related_tab_of_a_tabbed_box() -> None:
    html = _page(
        after="<div class='tabs'><ul><li><a href='#t1'>Related</a></li>"
        "<li><a href='#t2'>Most read</a></li></ul>"
        f"<div id='t1'>{_RELATED_LIST}</div>"
        "<div id='t2'><a href='/2025/02/28/stadium-roof-repairs-finished/'>Stadium roof repairs"
        " finished ahead of season</a></div></div>"
    )
    assert _urls(html) == _RELATED_URLS


def test_cards_with_image_link_and_headline() -> None:
    html = _page(
        after="<section class='story-package'><h2>More on this story</h2>"
        "<div class='card'><a href='/2024/11/18/half-replaced-lead-lines/'><img src='a.jpg'"
        " alt=''></a><h3>Hundreds of homes left with half-replaced lead lines</h3></div>"
        "<div class='card'><a href='/2025/01/22/port-alder-water-rates-rise/'><img src='b.jpg'"
        " alt='Port Alder water rates to rise for a third year'></a></div></section>"
    )
    assert [link.text for link in find_related(html, URL)] == [
        "Hundreds of homes left with half-replaced lead lines",
        "Port Alder water rates to rise for a third year",
    ]


@pytest.mark.parametrize(
    "label",
    ["Read more:", "Lesen Sie auch:", "Czytaj też:", "Lee también:", "Leia também:", "Baca juga:"],
)
def test_read_more_line_in_the_body(label: str) -> None:
    html = _page(
        in_body=f"<p><strong>{label}</strong> <a href='/2024/11/18/half-replaced-lead-lines/'>"
        "Hundreds of homes left with half-replaced lead lines</a></p>"
    )
    assert find_related(html, URL) == [
        Link(
            "Hundreds of homes left with half-replaced lead lines",
            f"{SITE}/2024/11/18/half-replaced-lead-lines/",
        )
    ]


def test_label_with_a_site_name_and_arrows() -> None:
    html = _page(
        in_body="<p><strong>READ ALSO ON NEWS.EXAMPLE.COM &gt;&gt;<br></strong><i>"
        "<a href='/2024/11/18/half-replaced-lead-lines/'>Hundreds of homes left with"
        " half-replaced lead lines</a></i></p>"
    )
    assert _urls(html) == ["/2024/11/18/half-replaced-lead-lines/"]


def test_headlines_listed_one_a_line_under_a_bare_label() -> None:
    html = _page(
        in_body="<p><b>Read more:</b></p>"
        "<p><a href='/2024/11/18/half-replaced-lead-lines/'>Hundreds of homes left with"
        " half-replaced lead lines</a></p>"
        "<p> <a href='/2025/01/22/port-alder-water-rates-rise/'>Port Alder water rates to"
        " rise</a> </p>"
    )
    assert _urls(html) == _RELATED_URLS[:2]
    # A label that is itself a link lists nothing (a headline line on the article's subject
    # would count on its own, so this one is on another subject).
    html = _page(
        in_body="<p><a href='/topics/related/'>Related</a></p>"
        "<p><a href='/2024/11/18/harvest-festival-draws-crowds/'>Harvest festival draws record"
        " crowds downtown</a></p>"
    )
    assert _urls(html) == []
    html = html.replace("<a href='/topics/related/'>Related</a>", "<b>Read more:</b>")
    assert _urls(html) == ["/2024/11/18/harvest-festival-draws-crowds/"]


def test_unlabelled_line_styled_like_the_labelled_ones() -> None:
    html = _page(
        in_body="<p><em>Read also: <a href='/2024/11/18/half-replaced-lead-lines/'>Hundreds of"
        " homes left with half-replaced lead lines</a></em></p>"
        "<p><em>The state's answer: <a href='/2024/12/01/state-lead-fund-opens-spring/'>A"
        " lead pipe fund opens in the spring</a></em></p>"
    )
    assert _urls(html) == [
        "/2024/11/18/half-replaced-lead-lines/",
        "/2024/12/01/state-lead-fund-opens-spring/",
    ]


def test_story_card_among_the_paragraphs() -> None:
    html = _page(
        in_body="<figure class='teaser'><a href='/2024/11/18/half-replaced-lead-lines/'>"
        "<img src='a.jpg'><span class='kicker'>Lead pipes</span><strong>Hundreds of homes left"
        " with half-replaced lead lines</strong></a></figure>"
    )
    assert find_related(html, URL) == [
        Link(
            "Hundreds of homes left with half-replaced lead lines",
            f"{SITE}/2024/11/18/half-replaced-lead-lines/",
        )
    ]


@pytest.mark.parametrize(
    "inner",
    [
        "<div class='kicker'>Water</div><h3>Hundreds of homes left with half-replaced lead"
        " lines</h3>",
        "<h3 class='kicker'>WATER</h3><h2 class='headline'><span class='title'>Hundreds of homes"
        " left with half-replaced lead lines</span><time>Nov. 18</time></h2>",
        "<p class='overline-title'>Lead pipes</p><h3 class='teaser__title'>Hundreds of homes left"
        " with half-replaced lead lines</h3><p class='teaser__summary'>Crews stopped at the"
        " property line, and the rest is still lead.</p>",
        "PREVIOUS Hundreds of homes left with half-replaced lead lines",
        "<span>Related</span> Hundreds of homes left with half-replaced lead lines",
    ],
)
def test_a_card_link_is_titled_by_its_headline(inner: str) -> None:
    html = _page(
        after="<div class='related'><h3>Related</h3><div class='card'>"
        f"<a href='/2024/11/18/half-replaced-lead-lines/'>{inner}</a></div></div>"
    )
    assert [link.text for link in find_related(html, URL)] == [
        "Hundreds of homes left with half-replaced lead lines"
    ]


def test_the_headline_link_of_a_card_names_it() -> None:
    html = _page(
        after="<div><h3>Mehr zum Thema</h3><div class='teaser'>"
        "<p class='dachzeile'><a href='/2024/11/18/half-replaced-lead-lines/'>Half a pipe"
        " replaced</a></p><h4 class='headline'><a href='/2024/11/18/half-replaced-lead-lines/'>"
        "Hundreds of homes left with half-replaced lead lines</a></h4>"
        "<p><a href='/2024/11/18/half-replaced-lead-lines/'>Crews stopped at the property line."
        "</a></p></div></div>"
    )
    assert [link.text for link in find_related(html, URL)] == [
        "Hundreds of homes left with half-replaced lead lines"
    ]


def test_schema_related_link_needs_a_title_on_the_page() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "WebPage", "relatedLink": '
        '["https://news.example.com/2024/11/18/half-replaced-lead-lines/", '
        '"https://news.example.com/2025/01/06/untitled-story/"]}</script>'
    )
    html = _page(
        head=head,
        after="<div><a href='/2024/11/18/half-replaced-lead-lines/'>Hundreds of homes left with"
        " half-replaced lead lines</a></div>",
    )
    assert _urls(html) == ["/2024/11/18/half-replaced-lead-lines/"]


def test_story_links_on_a_sister_subdomain() -> None:
    html = _page(
        after="<div><h3>Related</h3><a href='https://archive.example.com/2019/05/02/"
        "lead-pipes-first-survey/'>The first survey of lead pipes in Port Alder</a>"
        "<a href='//news.example.com/2024/11/18/half-replaced-lead-lines/'>Hundreds of homes"
        " left with half-replaced lead lines</a></div>"
    )
    assert [link.url for link in find_related(html, URL)] == [
        "https://archive.example.com/2019/05/02/lead-pipes-first-survey/",
        f"{SITE}/2024/11/18/half-replaced-lead-lines/",
    ]


# Lists that look like related blocks ---------------------------------------------------


_FEED = """
<a href='/2025/02/28/stadium-roof-repairs-finished/'>Stadium roof repairs finished ahead of
the season</a>
<a href='/2025/02/28/bakery-wins-regional-prize/'>Quay Street bakery wins a regional prize</a>
<a href='/2025/02/27/ferry-timetable-summer-changes/'>Ferry timetable changes for the summer
</a>"""


@pytest.mark.parametrize(
    "heading",
    [
        "Most read",
        "Trending now",
        "More from News",
        "Latest stories",
        "Editors' picks",
        "More by Dana Whitfield",
        "Sponsored",
        "Videos",
        "Les plus lus",
        "Meistgelesen",
        "Lo más leído",
        "Mais lidas",
        "Популярное",
        "アクセスランキング",
    ],
)
def test_lists_of_other_kinds_give_nothing(heading: str) -> None:
    html = _page(after=f"<div><h3>{heading}</h3>{_FEED}</div>", aside=f"<h3>{heading}</h3>{_FEED}")
    assert _urls(html) == []


def test_a_related_box_with_a_most_read_part() -> None:
    html = _page(
        after=f"<aside class='suggested-content'><h2>See also</h2>{_RELATED_LIST}"
        f"<div class='popular'><h2>Most read</h2>{_FEED}</div></aside>"
    )
    assert _urls(html) == _RELATED_URLS


def test_class_named_box_under_a_heading_of_another_kind() -> None:
    html = _page(after=f"<h3>Storage best picks</h3><ul class='further-reading'>{_FEED}</ul>")
    assert _urls(html) == []


def test_site_wide_picks_under_a_generic_heading() -> None:
    # "You may also like" over stories of other subjects and sections: the site's picks.
    html = _page(
        after="<div class='recommended'><h3>You may also like</h3>"
        "<a href='/sports/2025/02/28/rovers-clinch-promotion/'>Rovers clinch promotion on the"
        " final day</a>"
        "<a href='/food/2025/02/27/ten-soups-for-winter/'>Ten soups to make this winter</a>"
        "<a href='/tech/2025/02/26/phone-battery-tricks/'>Five tricks to make a phone battery"
        " last</a></div>"
    )
    assert _urls(html) == []
    # The same heading over stories on the subject is the publisher's picks.
    html = _page(after=f"<div class='recommended'><h3>You may also like</h3>{_RELATED_LIST}</div>")
    assert _urls(html) == _RELATED_URLS


def test_tags_previous_next_and_author_links_are_not_stories() -> None:
    html = _page(
        after="<div class='related'><h3>Related</h3>"
        "<a href='/tag/lead-pipes/'>Lead pipes in Port Alder</a>"
        "<a href='/topics/water-quality/'>Water quality in the city</a>"
        "<a href='/author/dana-whitfield/'>More stories by Dana Whitfield</a></div>"
        "<nav class='post-navigation'><a rel='prev' href='/2025/02/28/previous-story-here/'>"
        "Previous: the council budget vote</a></nav>"
    )
    assert _urls(html) == []


def test_sponsored_widgets_and_other_sites_are_never_related() -> None:
    html = _page(
        after="<div class='trc_related_container taboola'><h2>Related</h2>"
        "<a href='https://ads.example.net/offer-for-you-now/?utm_source=taboola'>An offer for"
        " lead pipe owners</a></div>"
        "<div class='related'><h2>Related</h2>"
        "<a rel='sponsored' href='/2025/01/01/paid-story-here/'>"
        "A paid story about water filters</a>"
        "<a href='https://www.facebook.com/sharer/sharer.php?u=x'>Share this story now</a>"
        "<a href='https://partner.example.org/2025/01/01/lead-pipes-partner-story/'>Lead pipes"
        " in another city entirely</a></div>"
    )
    assert _urls(html) == []


def test_links_in_the_prose_and_the_menu_are_not_related() -> None:
    assert _urls(_page()) == []


def test_a_feed_of_stories_newer_than_the_article() -> None:
    html = _page(
        after="<div class='more-articles'>"
        "<a href='/2025/03/05/lead-pipe-crews-start-north/'>Lead pipe crews start north of the"
        " river</a>"
        "<a href='/2025/03/07/council-lead-map-published/'>Council publishes the lead pipe map"
        "</a>"
        "<a href='/2025/03/09/lead-pipe-hotline-opens/'>A hotline for lead pipe questions</a>"
        "</div>"
    )
    assert _urls(html) == []


def test_explain_gives_the_reasons() -> None:
    html = _page(
        after=f"<aside class='related'><h3>Related</h3>{_RELATED_LIST}"
        f"<h3>Most read</h3>{_FEED}</aside>"
    )
    blocks = [b for b in explain_related(html, URL) if b["links"]]
    kept = [b for b in blocks if b["kept"]]
    assert kept and all(b["score"] > 0 for b in kept)
    assert any("heading 'Related'" in reason for b in kept for reason in b["reasons"])
    dropped = [b for b in blocks if not b["kept"]]
    assert dropped and all(b["heading"] == "Most read" for b in dropped)


# Vocabulary and URLs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Read more", "related"),
        ("Related", "related"),
        ("See also", "related"),
        ("More on this", "related"),
        ("Lesen Sie auch", "related"),
        ("Veja também", "related"),
        ("Leia também", "related"),
        ("Читайте также", "related"),
        ("Смотрите также", "related"),
        ("関連記事", "related"),
        ("관련기사", "related"),
        ("Baca juga", "related"),
        ("Leggi anche", "related"),
        ("À lire aussi", "related"),
        ("Lire aussi", "related"),
        ("LIRE AUSSI SUR REGARDS.FR >>", "related"),
        ("Articles en relation", "related"),
        ("Sur ce thème", "related"),
        ("articles correspondants", "related"),
        ("L’auteur vous recommande", "related"),
        ("Nous vous recommandons", "weak"),
        ("Weiterführende Links", "related"),
        ("También puede leer", "related"),
        ("Das könnte Sie auch interessieren", "weak"),
        ("Te puede interesar", "weak"),
        ("You may also like", "weak"),
        ("Most read", "negative"),
        ("More from UK", "negative"),
        ("Plus en Montréal", "negative"),
        ("Related topics", "negative"),
        ("Up next", "negative"),
        ("Storage Reviews", None),
        ("A very long heading that is really the first sentence of a paragraph", None),
    ],
)
def test_heading_kind(heading: str, kind: str | None) -> None:
    assert heading_kind(heading) == kind


@pytest.mark.parametrize(
    ("line", "ok"),
    [
        ("Read more: The first leak", True),
        ("Czytaj też: Wyścig zbrojeń", True),
        ("LIRE AUSSI SUR REGARDS.FR >> Affaire", True),
        ("Lue aiheesta lisää: Kittilässä", True),
        ("Mehr zum Thema SIPRI-Bericht: Waffen", False),
        ("MORE: Group strikes deal to revive the coliseum site", True),
        ("También puede leer: Tras el escándalo, cambios en la Policía", True),
        ("More than 200 people came to the meeting: most left early", False),
        ("Readers said: it was late", False),
    ],
)
def test_read_more_prefix(line: str, ok: bool) -> None:
    assert bool(READ_MORE_PREFIX_RE.match(line)) is ok


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://news.example.com/2025/01/01/a-story/", True),
        ("https://news.example.com/world/some-long-story-slug", True),
        ("https://news.example.com/article/12345.html", True),
        ("https://news.example.com/newsletters/playbook/2019/12/19/meadows-to-leave-487938", True),
        ("https://news.example.com/news/local/", False),
        ("https://news.example.com/tag/some-tag-name/", False),
        ("https://news.example.com/author/jane-doe-smith/", False),
        ("https://news.example.com/newsletters", False),
        ("https://news.example.com/subjects/astronomy-and-astrophysics", False),
        ("https://news.example.com/thema/tesla-model-3-meistverkauftes-auto-in-eu/497039969", True),
        ("https://news.example.com/section/world/port-strike-enters-its-third-week.html", True),
        ("https://news.example.com/thema/tesla-model-3/497039969", False),
        ("https://news.example.com/themen/elektroautos-und-ladestationen-in-oesterreich", False),
        ("https://news.example.com/tag/a-very-long-tag-name-for-a-topic/497039969", False),
        ("https://news.example.com/video/crash-test-of-the-new-model-3-sedan/497039969", False),
        ("https://news.example.com/", False),
        ("https://twitter.com/user/status/123", False),
        ("mailto:someone@example.com", False),
        (URL, False),
        (URL + "?utm_source=x", False),
        (URL + "?page=2", False),
    ],
)
def test_is_article_url(url: str, ok: bool) -> None:
    assert is_article_url(url, URL) is ok


def test_stories_told_apart_by_their_query() -> None:
    page = "https://www.example.kr/news/articleView.html?idxno=20461"
    assert is_article_url("https://www.example.kr/news/articleView.html?idxno=20231", page)
    assert not is_article_url("https://www.example.kr/news/articleView.html?idxno=20461", page)


def test_bad_input_gives_nothing() -> None:
    assert find_related("", URL) == []
    assert find_related("not html at all", URL) == []
    assert find_related(None, URL) == []


def test_body_links_in_order_once() -> None:
    blocks = [
        Block(
            kind="paragraph",
            spans=(
                Span("See "),
                Span("the ", href="https://a.example/x"),
                Span("report", href="https://a.example/x", style="em"),
                Span(" and "),
                Span("data", href="https://b.example/y"),
            ),
        ),
        Block(kind="paragraph", spans=(Span("again", href="https://a.example/x"),)),
    ]
    assert find_body_links(blocks) == [
        Link("the report", "https://a.example/x"),
        Link("data", "https://b.example/y"),
    ]
