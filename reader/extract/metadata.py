"""Title, byline, date, site name, language and lead image from meta tags, JSON-LD and
the page itself.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from reader.extract.blocks import BLOCK_TAGS, WORD_RE, WS_RE, nfc

_ARTICLE_TYPES_RE = re.compile(
    r"^(?:Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|"
    r"AskPublicNewsArticle|BackgroundNewsArticle|BlogPosting|DiscussionForumPosting|"
    r"LiveBlogPosting|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|"
    r"SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|"
    r"TechArticle|WebPage|Recipe|VideoObject)$"
)
MONTHS: Final = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"|(?:janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)[a-zé]*\.?"
)
# A date after the name: "May 20, 2019", "20 May 2019", "2019-05-20", "20.05.2019".
_TRAILING_DATE_RE = re.compile(
    rf"\s(?:(?:updated|published|posted|on|le|am|at|el|il|um|vom|du)\s+)?"
    rf"(?:(?:{MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\.?\s+(?:{MONTHS})\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    r"|\d{1,2}\.?\s+(?:de\s+)?\w+\.?,?\s+(?:de\s+)?\d{4}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}:\d{2})\b.*$",
    re.I,
)
_DATE_LABEL_RE = re.compile(
    r"^\W*(?:last\s+)?(?:updated|published|posted|modified|date|datum|publiziert|veröffentlicht"
    r"|aktualisiert|erstellt|publié|mis à jour|publicado|actualizado)\b\W*(?:on|at|am|le|el)?\W*$",
    re.I,
)
BYLINE_PREFIX_RE = re.compile(
    r"^\s*(?:by|par|von|por|di|door|av|af|автор|текст|記者|文|written\s+by|posted\s+by)"
    r"\s*[:：]?\s+",
    re.I,
)


def _meta(root: lxml.html.HtmlElement) -> dict[str, str]:
    """The page's meta values by lowercased key; ``DC.creator`` is read as ``dc:creator``.

    A ``property`` (RDFa: Open Graph, Dublin Core) wins over a ``name`` with the same key;
    otherwise the first value wins. One attribute may hold several keys.
    """
    values: dict[str, str] = {}
    properties: dict[str, str] = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        content = WS_RE.sub(" ", content).strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                target = properties if attr == "property" else values
                for name in key.lower().split():
                    if name.startswith(("dc.", "dcterm.", "dcterms.")):
                        name = name.replace(".", ":")
                    target.setdefault(name, content)
    values.update(properties)
    return values


def _json_ld(root: lxml.html.HtmlElement) -> dict[str, Any]:
    """The first article-like object of the page's JSON-LD."""
    found: list[dict[str, Any]] = []

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
        elif isinstance(value, dict):
            types = value.get("@type")
            names = types if isinstance(types, list) else [types]
            if any(isinstance(t, str) and _ARTICLE_TYPES_RE.match(t) for t in names):
                found.append(value)
            if "@graph" in value:
                visit(value["@graph"])

    for script in root.iter("script"):
        if (script.get("type") or "").lower().strip() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        raw = raw.removeprefix("<!--").removesuffix("-->").strip()
        raw = raw.removeprefix("<![CDATA[").removesuffix("]]>").strip()
        try:
            visit(json.loads(raw))
        except (ValueError, RecursionError):
            continue
    # Prefer a real article over a WebPage.
    for item in found:
        types = item.get("@type")
        names = types if isinstance(types, list) else [types]
        if not any(t in ("WebPage", "VideoObject", "Recipe") for t in names):
            return item
    return found[0] if found else {}


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value for n in _ld_names(item)]
    return []


def _clean(text: str | None) -> str:
    if not text:
        return ""
    # JSON-LD strings often still hold HTML entities ("&#8211;").
    return nfc(WS_RE.sub(" ", html_lib.unescape(text)).strip())


def normalize_date(value: str | None) -> str | None:
    """ISO 8601 when the page's date can be read, else the page's own text."""
    if not value:
        return None
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    return value


_TITLE_SEPARATORS: Final = (" | ", " - ", " – ", " — ", " :: ", " · ", " / ", " • ", " » ", " ǀ ")
_SITE_PART_MAX_WORDS: Final = 6  # "Bahamas Local News", "brand eins online"
_SITE_KEY_MIN_CHARS: Final = 3  # below this a site's name must match whole ("DW")
_HEADLINE_MIN_CHARS: Final = 6  # what is left must still be a headline
# Labels of an address that name no site: "www.", "m.", and the "co" of "co.uk".
_HOST_NOISE: Final = frozenset(
    "www www1 www2 m mobile amp en de fr es it co com org net ac gov ne or".split()
)


def _site_key(text: str) -> str:
    """A name for comparing: letters and digits only, case folded ("Chefkoch.de" and
    "chefkoch de" both "chefkochde")."""
    return "".join(char for char in text.casefold() if char.isalnum())


def _host_keys(url: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a page's address says the site is called: its name ("brandeins", and
    "brandeinsde" for www.brandeins.de, "anarcat" for anarc.at), then its other labels
    ("advertising" of advertising.jodel.com), which only count whole."""
    try:
        host = (urlsplit(url).hostname or "").casefold()
    except ValueError:
        return (), ()
    labels = [label for label in host.split(".") if label]
    while len(labels) > 2 and labels[0] in _HOST_NOISE:
        labels = labels[1:]
    if len(labels) < 2:
        return (), ()
    names = [label for label in labels[:-1] if label not in _HOST_NOISE]
    main = [_site_key(".".join(labels))] + [_site_key(label) for label in names[-1:]]
    others = [_site_key(label) for label in names[:-1]]
    return tuple(key for key in main if key), tuple(key for key in others if key)


def _is_site_part(
    part: str, names: tuple[str, ...], hosts: tuple[tuple[str, ...], tuple[str, ...]]
) -> bool:
    """Whether one end of a title ("Chefkoch", "brand eins online", "痞客邦") names the
    site: the same as one of its names or its address, or one of them and a little more."""
    key = _site_key(part)
    if not key or len(part.split()) > _SITE_PART_MAX_WORDS:
        return False
    for name in (_site_key(n) for n in names):
        if not name:
            continue
        if key == name:
            return True
        if min(len(key), len(name)) >= _SITE_KEY_MIN_CHARS and (
            key.startswith(name) or name.startswith(key)
        ):
            return True
    main, others = hosts
    if key in others:
        return True
    return any(
        key == host or (len(host) > _SITE_KEY_MIN_CHARS and key.startswith(host)) for host in main
    )


def without_site_name(title: str, site_names: tuple[str, ...], url: str = "") -> str:
    """``title`` without the site's name before or after it ("Story - Yahoo!ニュース",
    "Story | brand eins online" on brandeins.de, "Story – 痞客邦" when the site calls itself
    "痞客邦 PIXNET"). The name is one of ``site_names`` or the page's address, give or take
    a word; a headline is never cut into: what is left must be a headline still, and a part
    of it that names no site stays."""
    names = tuple(dict.fromkeys(n for n in site_names if n))
    hosts = _host_keys(url) if url else ((), ())
    if not names and not hosts[0]:
        return title
    if _site_key(title) in {_site_key(name) for name in names}:
        return title  # the title is a name of the site ("Yahoo News - Latest News"): kept
    for name in names:  # the exact name, also after ": " ("Site: Story")
        for sep in (*_TITLE_SEPARATORS, ": "):
            if title.endswith(sep + name) and len(title) > len(sep + name):
                return title[: -len(sep + name)].strip()
            if title.startswith(name + sep) and len(title) > len(name + sep):
                return title[len(name + sep) :].strip()
    # the shortest end that names the site, after or before any of the separators
    best: str | None = None
    for sep in _TITLE_SEPARATORS:
        start = title.find(sep)
        while start > 0:
            head, tail = title[:start].strip(), title[start + len(sep) :].strip()
            for rest, part in ((head, tail), (tail, head)):
                longer = best is None or len(rest) > len(best)
                if (
                    longer
                    and len(rest) >= _HEADLINE_MIN_CHARS
                    and _is_site_part(part, names, hosts)
                ):
                    best = rest
            start = title.find(sep, start + 1)
    return best if best is not None else title


def _page_title(root: lxml.html.HtmlElement, site_names: tuple[str, ...], url: str) -> str:
    title_el = root.find(".//title")
    title = _clean(title_el.text_content() if title_el is not None else "")
    if not title:
        return ""
    if (without := without_site_name(title, site_names, url)) != title:
        return without
    for sep in (" | ", " - ", " – ", " — ", " :: "):
        if sep in title:
            head, _, tail = title.rpartition(sep)
            if len(head.split()) >= 3 and len(tail) < len(head):
                return head.strip()
    return title


def _first_time(root: lxml.html.HtmlElement) -> str | None:
    for xpath in (
        ".//*[@itemprop='datePublished']",
        ".//time[contains(@class,'publish')]",
        ".//time[@pubdate]",
        ".//article//time[@datetime]",
        ".//time[@datetime]",
    ):
        for el in root.xpath(xpath):
            value = el.get("datetime") or el.get("content")
            if value and re.match(r"\d{4}-\d{2}-\d{2}", value.strip()):
                return str(value)
    return None


# Labels before the name, in the languages of the pages: "Post author By", "Artikel von:",
# "Auteur :", "Geschrieben von", "Text und Interview:", "Zeige alle Beiträge von" (case
# folded; a label run into the name, "AuthorAndreas Kalt", ends where a capital starts).
_LEAD_LABEL_RE = re.compile(
    r"^[\s,;:|·•–—-]*(?:"
    r"(?:post|article|recipe|story|photos?|words|reporting|interview|written|posted|published"
    r"|created)\s+(?:author\s+)?by"
    r"|(?:post\s+)?(?:author|autor(?:in)?|auteure?|autore|autora|verfasser(?:in)?|redakteur(?:in)?)"
    r"(?:\s+(?:by|von|par|di|por))?"
    r"|(?:zeige\s+)?alle\s+(?:beiträge|artikel)\s+von|(?:artikel|beitrag|bericht|text)\s+von"
    r"|(?:erstellt|geschrieben|verfasst|veröffentlicht|publiziert|gepostet|eingestellt)\s+von"
    r"|(?:publié|écrit|rédigé)\s+par|(?:publicado|escrito)\s+por"
    r"|(?:text|interview|fotos?|bilder?|photos?|words)(?:\s+(?:und|and|&|et|y|e)\s+\w+)?"
    r"\s*(?=[:：])"
    r")(?:\s*[:：]\s*|\s+|$|(?=(?-i:[A-ZÀ-ÖØ-ÞĀ-Ž])))",
    re.I,
)
# After the name: an address, a handle, "Published: ...", "Alle Artikel", "| Kontakt".
_TRAILING_JUNK_RE = re.compile(
    r"\s+(?:(?:published|updated|veröffentlicht|aktualisiert|publié|publicado|actualizado)\b"
    r"|(?:alle|alles|mehr)\s+(?:artikel|beiträge|von)\b|(?:more|all\s+posts)\s+(?:by|from)\b"
    r"|\|).*$",
    re.I,
)
_ADDRESS_RE = re.compile(
    r"\(?(?:https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+|\[email[^\]]*\]|@\w+)\)?"
)
# "Veröffentlicht am 8. Februar 2022 von PETA-Team": the name after a date and "von".
_DATED_BY_RE = re.compile(r"^\D{0,40}?\d.{0,30}?\d\s+(?:von|by|par|por|di)\s+(\S.*)$", re.I)
_TRAILING_WORD_RE = re.compile(r"\s+(?:am|at|on|le|um|vom)$")  # left by a date: "Ann Lee am"
_LABEL_AFTER_NAME_RE = re.compile(r"\s+\w+\s*[:：](?:\s.*)?$")  # "Ann Lee TOPIC: ..."
# A commenter ("Art Edwards says:", "Peter sagt:"), a form field ("Name *"), a placeholder.
_NOT_A_BYLINE_RE = re.compile(
    r"(?:says|sagt|dit|dice|disse|schreibt|schrieb|wrote|napisał)\s*[:：]"
    r"|^(?:your\s+)?name\s*(?:\*|\(.*\))?$|^(?:unknown|unbenannt|anonymous|anonym|undefined|null"
    r"|none|n/a)$",
    re.I,
)
# Where a byline-looking element is someone else's: comments and their forms, testimonials,
# share bars, the site's own footer (outside any article).
_NOT_BYLINE_PLACE_RE = re.compile(r"comment|respond|reply|testimonial", re.I)


def tidy_byline(text: str | None) -> str | None:
    """The name in a byline as a page writes it, or None when there is none: labels
    ("Post author By", "Artikel von:"), a dateline, addresses and trailing furniture go;
    a commenter's "X says:", a form label or a placeholder is no byline."""
    text = _clean(text)
    if not text or _NOT_A_BYLINE_RE.search(text):
        return None
    text = WS_RE.sub(" ", _ADDRESS_RE.sub(" ", text)).strip(" ,;|·•–—-")
    text = _DATED_BY_RE.sub(r"\1", text)
    for _ in range(3):  # "Post author By Helge": labels one after the other
        stripped = BYLINE_PREFIX_RE.sub("", _LEAD_LABEL_RE.sub("", text, count=1), count=1)
        if stripped == text:
            break
        text = stripped
    if _DATE_LABEL_RE.match(_strip_byline_date(text)):
        return None  # "Last updated: January 7, 2025" is a date, not a byline
    text = _strip_byline_date(_TRAILING_JUNK_RE.sub("", text))
    if text.endswith((":", "：")):
        return None  # "Artikel empfehlen:": a label alone
    text = _LABEL_AFTER_NAME_RE.sub("", text)
    text = _TRAILING_WORD_RE.sub("", text.strip(" ,;:|·•–—-/")).strip(" ,;:|·•–—-/")
    if not text or _DATE_LABEL_RE.match(text) or not any(c.isalpha() for c in text):
        return None
    if len(text) > 80 or _NOT_A_BYLINE_RE.search(text):
        return None
    return text


_SITE_FOOTER_RE = re.compile(r"^(?:site|page|global|main)?[-_]?footer$", re.I)
_POST_MARKS: Final = frozenset({"post", "hentry", "entry", "type-post"})


def _in_byline_place(el: lxml.html.HtmlElement) -> bool:
    """Is ``el`` where an article's byline can be (not a comment, a form, the footer)?"""
    if "share" in (el.get("class") or "").lower():
        return False  # "author_share": a share bar's "recommend this article:"
    in_footer = False
    for node in (el, *el.iterancestors()):
        tag = node.tag
        if tag in ("body", "html"):
            break  # the body's classes describe the page ("comments-open")
        if tag in ("form", "label"):
            return False
        marks = f"{node.get('class') or ''} {node.get('id') or ''}"
        if _NOT_BYLINE_PLACE_RE.search(marks):
            return False
        tokens = marks.split()
        if tag == "article" or _POST_MARKS.intersection(tokens):
            return True  # the post's own footer holds its author
        if tag == "footer" or any(_SITE_FOOTER_RE.match(token) for token in tokens):
            in_footer = True
    return not in_footer


def _byline_candidates(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Elements that may hold the byline, best first: ``rel=author``, the name inside an
    ``itemprop=author``, the ``itemprop=author`` itself, ``class=author-name``, then any
    class with byline or author in it (any case, as Readability.js matches them).

    One pass in Python: faster than five XPath queries over a big page.
    """
    rel, props, names, classes = [], [], [], []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str) or tag in ("meta", "link"):
            continue
        if el.get("rel") == "author":
            rel.append(el)
        itemprop = el.get("itemprop")
        if itemprop and "author" in itemprop.split():
            props.append(el)
        cls = el.get("class")
        if cls:
            if "author-name" in cls.split():
                names.append(el)
            folded = cls.lower()
            if "byline" in folded or "author" in folded:
                classes.append(el)
    inner = [d for el in props for d in el.iterdescendants() if d.get("itemprop") == "name"]
    return [*rel, *dict.fromkeys(inner), *props, *names, *classes]


def _byline_from_page(root: lxml.html.HtmlElement) -> str | None:
    for el in _byline_candidates(root):
        text = WS_RE.sub(" ", _text_with_breaks(el)).strip()
        if len(text) > 160:
            continue  # an author's biography, not the byline
        text = _AUTHOR_IN_LABELS_RE.sub(r"\1", text)
        byline = tidy_byline(text)  # "Last updated: January 7, 2025" is a date: None
        if byline is not None and _in_byline_place(el):
            return byline
    return None


# "Datum: 19.11.2021 Autor: Fritz Imhof Quelle: Livenet": the name after the author label.
_AUTHOR_IN_LABELS_RE = re.compile(
    r"^\w+\s*:.*?\b(?:autor(?:in)?|author|auteure?|autore|autora|by|von|par|por)\s*:\s*"
    r"(.+?)(?:\s+\w+\s*:.*)?$",
    re.I,
)


def _text_with_breaks(root: lxml.html.HtmlElement) -> str:
    """An element's text with a space at each ``<br>`` and block ("Name<br>Date")."""
    parts: list[str] = []
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if not isinstance(el.tag, str):
            if el.tail:
                parts.append(el.tail)  # a comment's own text is not the page's
            continue
        if event == "start":
            if el.tag in BLOCK_TAGS or el.tag == "br":
                parts.append(" ")
            if el.text:
                parts.append(el.text)
        elif el is not root and el.tail:
            parts.append(el.tail)
    return "".join(parts)


def _strip_byline_date(text: str) -> str:
    """ "Joshua Sokol May 20, 2019" -> "Joshua Sokol": a byline's dateline is not a name."""
    match = _TRAILING_DATE_RE.search(text)
    if match and match.start() >= 2:
        return text[: match.start()].rstrip(" ,|·•–—-")
    return text


@dataclass
class _Metadata:
    title: str = ""
    byline: str | None = None
    published: str | None = None
    site_name: str | None = None
    language: str | None = None
    lead_image: str | None = None
    # What the publisher gives as the article's summary (meta descriptions, JSON-LD): the
    # standfirst printed above the article usually says the same.
    descriptions: tuple[str, ...] = ()


def read_metadata(root: lxml.html.HtmlElement, url: str) -> _Metadata:
    """Title, byline, date, site name, language and lead image from the original page."""
    meta = _meta(root)
    ld = _json_ld(root)
    publisher = next(iter(_ld_names(ld.get("publisher"))), None)
    site_names = tuple(
        _clean(name)
        for name in (publisher, meta.get("og:site_name"), meta.get("application-name"))
        if name and _clean(name)
    )
    site_name = site_names[0] if site_names else None
    title = _clean(
        _ld_title(ld, root)
        or meta.get("dc:title")
        or meta.get("dcterm:title")
        or meta.get("og:title")
        or meta.get("weibo:article:title")
        or meta.get("title")
        or meta.get("twitter:title")
        or meta.get("parsely-title")
        or _ld_str(ld.get("name"))
    ) or _page_title(root, site_names, url)
    if title:  # an og:title can carry the site's name as <title> does
        title = without_site_name(title, site_names, url)
    if not title:
        h1 = root.find(".//h1")
        title = _clean(h1.text_content()) if h1 is not None else ""
    authors = [_clean(a) for a in _ld_names(ld.get("author")) if _clean(a)]
    byline = (
        ", ".join(dict.fromkeys(authors))
        or meta.get("dc:creator")
        or meta.get("dcterm:creator")
        or meta.get("author")
        or meta.get("article:author")
        or meta.get("parsely-author")
        or meta.get("sailthru.author")
        or _byline_from_page(root)
    )
    if byline and (re.match(r"https?://", byline) or " | " in byline):
        byline = _byline_from_page(root)  # an address, or the site's title: not a name
    byline = tidy_byline(byline)
    published = normalize_date(
        _ld_str(ld.get("datePublished"))
        or meta.get("article:published_time")
        or meta.get("og:article:published_time")
        or meta.get("datepublished")
        or meta.get("date")
        or meta.get("dc:date")
        or meta.get("dc:date:issued")
        or meta.get("dcterms:created")
        or meta.get("parsely-pub-date")
        or meta.get("sailthru.date")
        or meta.get("publishdate")
        or meta.get("pubdate")
        or _first_time(root)
    )
    html_el = root if root.tag == "html" else root.getroottree().getroot()
    language = (html_el.get("lang") or html_el.get("xml:lang") or "").strip()
    if not language:
        locale = (
            meta.get("og:locale") or _ld_str(ld.get("inLanguage")) or meta.get("content-language")
        )
        language = (locale or "").replace("_", "-").strip()
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
    if not image:
        images = ld.get("image")
        image = next(iter(_ld_urls(images)), None)
    lead_image = None
    if image:
        try:
            lead_image = urljoin(url, image) if url else image
        except ValueError:
            lead_image = None
    descriptions = (
        meta.get("description"),
        meta.get("og:description"),
        meta.get("twitter:description"),
        _ld_str(ld.get("description")),
    )
    return _Metadata(
        descriptions=tuple(dict.fromkeys(_clean(d) for d in descriptions if d and _clean(d))),
        title=title,
        byline=byline,
        published=published,
        site_name=site_name,
        language=language or None,
        lead_image=lead_image,
    )


def _ld_title(ld: dict[str, Any], root: lxml.html.HtmlElement) -> str | None:
    """JSON-LD's headline, or its name when that is what the page's <title> says.

    Some sites put a description in ``headline`` ("constitutional monarchy in Oceania")
    and the title in ``name``: of the two, the one closer to <title> wins.
    """
    headline, name = _ld_str(ld.get("headline")), _ld_str(ld.get("name"))
    if headline and name and _clean(headline) != _clean(name):
        title_el = root.find(".//title")
        page_title = title_el.text_content() if title_el is not None else ""
        if _similarity(name, page_title) > _similarity(headline, page_title):
            return name
    return headline


def _similarity(text: str, reference: str) -> float:
    """The share of ``reference``'s words (by characters) that ``text`` also has."""
    words = {w.casefold() for w in WORD_RE.findall(text)}
    ref = [w.casefold() for w in WORD_RE.findall(reference)]
    if not ref:
        return 0.0
    missing = " ".join(w for w in ref if w not in words)
    return 1 - len(missing) / len(" ".join(ref))


def _ld_str(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and isinstance(value[0], str):
        return value[0]
    return None


def _ld_urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl")
        return [url] if isinstance(url, str) else []
    if isinstance(value, list):
        return [u for item in value for u in _ld_urls(item)]
    return []
