"""Related-article links from the original page, pure (no I/O).

readability's output has lost the publisher's "related" blocks, so they are read from the
whole page. Precision over recall: a wrong related link costs the reader more than a
missing one, so only blocks that say what they are (by heading, class, id or aria-label,
schema.org ``relatedLink``, or an in-body "Read more: <headline>" line) are used, and every
link must look like an article on the web (not a tag, section, author, legal, share or ad
link, nor the article itself).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from reader.models import Block, Link

__all__ = [
    "READ_MORE_PREFIX_RE",
    "RELATED_HEADING_RE",
    "base_url_of",
    "find_body_links",
    "find_related",
    "is_article_url",
    "normalize_url",
    "parse_page",
]

# Headings that introduce a related-articles block, in the languages readers meet most.
_RELATED_HEADING_RE = re.compile(
    r"""^\W*(?:
        related(?:\s+(?:articles?|stories|story|content|coverage|news|posts?|reading|links|topics))?
      | see\s+also | read\s+(?:more|also|next) | also\s+read | further\s+reading
      | more\s+on\s+this\s+(?:story|topic|subject) | more\s+about\s+this\s+story
      | in\s+other\s+news | more\s+stories\s+like\s+this
      | you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)
      | recommended(?:\s+(?:for\s+you|stories|articles|reading))?
      | lire\s+aussi | à\s+lire\s+aussi | a\s+lire\s+aussi | voir\s+aussi
      | à\s+découvrir(?:\s+(?:également|aussi))? | sur\s+le\s+même\s+sujet
      | dans\s+la\s+même\s+rubrique | articles?\s+liés | nos\s+articles\s+sur\s+le\s+sujet
      | mehr\s+zum\s+thema | das\s+könnte\s+sie\s+(?:auch\s+)?interessieren
      | auch\s+interessant | lesen\s+sie\s+auch | weitere\s+artikel(?:\s+zum\s+thema)?
      | passend\s+zum\s+thema | verwandte\s+artikel
      | leia\s+(?:também|mais) | veja\s+também | notícias\s+relacionadas | relacionad[ao]s
      | lee\s+(?:también|más) | te\s+puede\s+interesar | (?:también\s+)?te\s+puede\s+interesar
      | noticias\s+relacionadas | más\s+información | temas\s+relacionados
      | leggi\s+anche | potrebbe\s+interessarti | articoli\s+correlati | correlati
      | lees\s+ook | gerelateerd | meer\s+over\s+dit\s+onderwerp
      | читайте\s+также | читайте\s+еще | читайте\s+ещё | по\s+теме | смотрите\s+также
      | ещё\s+по\s+теме | еще\s+по\s+теме | похожие\s+(?:новости|статьи)
      | 関連記事 | 関連ニュース | あわせて読みたい | こちらもおすすめ
      | 相关阅读 | 相关文章 | 相关新闻 | 相關新聞 | 延伸閱讀 | 관련\s*기사
    )\W*$""",
    re.I | re.X,
)
RELATED_HEADING_RE = _RELATED_HEADING_RE

# In-body teaser lines: "Read more: <headline>".
READ_MORE_PREFIX_RE = re.compile(
    r"""^\W{0,3}(?:
        read\s+more | read\s+also | also\s+read | related | see\s+also | more\s+on\s+this
      | lire\s+aussi | à\s+lire\s+aussi | a\s+lire\s+aussi | voir\s+aussi
      | lesen\s+sie\s+auch | mehr\s+zum\s+thema | auch\s+interessant
      | leia\s+também | leia\s+mais | veja\s+também | lee\s+también | te\s+puede\s+interesar
      | leggi\s+anche | lees\s+ook | читайте\s+также | читайте\s+ещё | читайте\s+еще
      | 関連記事 | あわせて読みたい | 相关阅读 | 延伸閱讀
    )\s*[:：»>|–—-]""",
    re.I | re.X,
)

# class/id/aria-label of containers that hold related articles.
_RELATED_CLASS_RE = re.compile(
    r"related|relacionad|recommend|more-?stories|more-?articles|read-?also|see-?also"
    r"|also-?read|mehr-?zum-?thema|lire-?aussi|leia-?tambem|story-?package|yarpp",
    re.I,
)
# ... unless they (or an ancestor) are sponsored widgets, site-wide lists or chrome.
_EXCLUDED_CLASS_RE = re.compile(
    r"taboola|outbrain|trc_|(?:^|[\s_-])ob[-_]|zergnet|revcontent|mgid|plista|sponsor|partner"
    r"|(?:^|[\s_-])(?:ad|ads|advert|advertisement|promo|banner)(?:$|[\s_-])"
    r"|most-?(?:read|popular|viewed|shared|commented)|popular|trending|ranking|meistgelesen"
    r"|mas-?leidas|plus-?lus|plus-?consultes|top-?stories|breadcrumb|share|sharing|social"
    r"|newsletter|comment|footer|(?:^|[\s_-])(?:nav|menu)(?:$|[\s_-])|tags?(?:$|[\s_-])|topics",
    re.I,
)
_HEADING_LIKE_CLASS_RE = re.compile(r"title|heading|header|hdr|headline|label", re.I)

# Path segments of pages that are not articles.
_NON_ARTICLE_SEGMENTS = frozenset(
    """
    tag tags topic topics thema themen theme themes category categories categoria categorias
    categorie rubrique rubriques section sections ressort author authors autor autores auteur
    auteurs autoren people person staff profile profiles user users member members journalist
    journalists reporter reporters search suche buscar recherche login signin sign-in register
    registro regist subscribe subscription subscriptions suscripcion abo abonnement account
    newsletter newsletters about about-us contact contacto kontakt privacy privacy-policy
    terms terms-of-service terms-of-use legal cookies cookie cookie-policy impressum
    datenschutz agb aviso-legal politica-de-privacidad politica-de-cookies rss feed feeds
    shop store advertise advertising mediadaten jobs careers sponsored partner-content
    traueranzeigen esquelas obituaries archive archives page policy tagged label labels
    """.split()
)
_NON_ARTICLE_HOSTS_RE = re.compile(
    r"(?:^|\.)(?:taboola\.com|outbrain\.com|doubleclick\.net|googlesyndication\.com"
    r"|facebook\.com|twitter\.com|x\.com|t\.co|linkedin\.com|whatsapp\.com|t\.me|telegram\.me"
    r"|vk\.com|ok\.ru|pinterest\.com|reddit\.com|line\.me|hatena\.ne\.jp|instagram\.com"
    r"|youtube\.com|tiktok\.com|mastodon\.social|bsky\.app|getpocket\.com|flipboard\.com"
    r"|carbonads\.net|buysellads\.com|news\.google\.com)$",
    re.I,
)
_AD_QUERY_KEYS = frozenset({"tblci", "obOrigUrl", "dicbo", "ob_click_id", "share", "replytocom"})
_AD_QUERY_VALUES_RE = re.compile(r"taboola|outbrain|sponsor", re.I)
_GENERIC_LINK_TEXT_RE = re.compile(
    r"^\W*(?:read\s+more|more|continue\s+reading|see\s+all.*|view\s+all.*|show\s+more|"
    r"weiterlesen|mehr|lire\s+la\s+suite|leer\s+más|ler\s+mais|подробнее|続きを読む)\W*$",
    re.I,
)
_WS_RE = re.compile(r"\s+")
_SKIP_TEXT_TAGS = frozenset({"time", "script", "style", "noscript", "button", "svg"})
_MAX_CONTAINER_LINKS = 40  # a "related" container with more links is a site-wide list


def parse_page(html: str) -> lxml.html.HtmlElement | None:
    """Parse a whole page with lxml's HTML parser; None when nothing could be parsed."""
    if not html or not html.strip():
        return None
    try:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError, TypeError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


def normalize_url(url: str) -> str:
    """The URL without its fragment, for comparisons and deduplication."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def _same_page(a: str, b: str) -> bool:
    try:
        pa, pb = urlsplit(a), urlsplit(b)
    except ValueError:
        return a == b
    host_a = pa.netloc.lower().removeprefix("www.")
    host_b = pb.netloc.lower().removeprefix("www.")
    return host_a == host_b and pa.path.rstrip("/") == pb.path.rstrip("/")


def is_article_url(url: str, article_url: str = "") -> bool:
    """Whether ``url`` can be another article (not chrome, a list page, an ad or this one)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    host = (parts.hostname or "").lower()
    if _NON_ARTICLE_HOSTS_RE.search(host) or host.startswith(("ad.", "ads.", "adclick.")):
        return False
    if article_url and _same_page(url, article_url):
        return False
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in _AD_QUERY_KEYS or (key.startswith("utm_") and _AD_QUERY_VALUES_RE.search(value)):
            return False
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return False
    if any(segment.lower() in _NON_ARTICLE_SEGMENTS for segment in segments):
        return False
    last = segments[-1].lower()
    # An article's address ends in a slug, an id or a file; a section's in one plain word.
    if re.search(r"\.(?:s?html?|php|aspx?|jsp|cms)$", last):
        return True
    if re.search(r"\d", last):
        return True
    joins = last.count("-") + last.count("_")
    # /2025/01/02/short-slug/ is an article too: dated paths with a slug.
    return joins >= 2 or (joins >= 1 and bool(re.search(r"\d", parts.path)))


def _features(el: lxml.html.HtmlElement) -> str:
    return " ".join(
        value for value in (el.get("class"), el.get("id"), el.get("aria-label")) if value
    )


def _text(el: lxml.html.HtmlElement) -> str:
    """The element's visible text, whitespace collapsed, without dates and buttons."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if isinstance(node.tag, str) and node.tag not in _SKIP_TEXT_TAGS:
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    parts.append(child.tail)

    walk(el)
    return _WS_RE.sub(" ", "".join(parts)).strip()


def _is_excluded(el: lxml.html.HtmlElement, stop: lxml.html.HtmlElement | None = None) -> bool:
    """An element inside a sponsored widget, a site-wide list or page chrome."""
    node: lxml.html.HtmlElement | None = el
    while node is not None and node is not stop:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag in ("nav", "form", "header"):
            return True
        if tag == "footer" and not _inside(node, ("article",)):
            return True
        if _EXCLUDED_CLASS_RE.search(_features(node)):
            return True
        node = node.getparent()
    return False


def _inside(el: lxml.html.HtmlElement, tags: Sequence[str]) -> bool:
    return any(isinstance(a.tag, str) and a.tag in tags for a in el.iterancestors())


def _anchor_title(anchor: lxml.html.HtmlElement) -> str:
    # Prefer the headline inside a card-like link over its kicker, section or date.
    for heading in anchor.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        text = _text(heading)
        if text:
            return text
    for el in anchor.iter():
        if el is not anchor and re.search(r"title|headline", el.get("class") or "", re.I):
            text = _text(el)
            if text:
                return text
    text = _text(anchor)
    if not text:
        text = _WS_RE.sub(" ", anchor.get("title") or "").strip()
    return text


def _links_in(
    container: lxml.html.HtmlElement, base_url: str, article_url: str
) -> Iterator[tuple[lxml.html.HtmlElement, str, str]]:
    for anchor in container.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        if "sponsored" in (anchor.get("rel") or "").lower():
            continue
        if _is_excluded(anchor, stop=container):
            continue
        try:
            url = urljoin(base_url, href)
        except ValueError:
            continue
        if not is_article_url(url, article_url):
            continue
        title = _anchor_title(anchor)
        if _GENERIC_LINK_TEXT_RE.match(title):
            title = ""
        yield anchor, normalize_url(url), title


def _heading_container(heading: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The smallest ancestor of a "Related" heading that holds links besides the heading."""
    node = heading
    for _ in range(4):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html", "main", "article"):
            return None
        anchors = [a for a in parent.iter("a") if not _is_descendant(a, heading)]
        if anchors:
            if len(anchors) > _MAX_CONTAINER_LINKS:
                return None
            # The body itself is no related block: its text is mostly not links.
            text = len(_text(parent))
            link_text = sum(len(_text(a)) for a in anchors)
            if text - link_text - len(_text(heading)) > 400:
                return None
            return parent
        node = parent
    return None


def _is_descendant(el: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement) -> bool:
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def _related_containers(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    found: list[lxml.html.HtmlElement] = []
    body = root.find("body")
    scope = body if body is not None else root
    for el in scope.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "body", "html", "main", "article"):
            continue
        features = _features(el)
        if features and _RELATED_CLASS_RE.search(features) and not _is_excluded(el):
            found.append(el)
            continue
        if el.tag in ("h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "div", "span", "header"):
            is_heading = el.tag.startswith("h") or bool(
                _HEADING_LIKE_CLASS_RE.search(el.get("class") or "")
            )
            if not is_heading or len(el) > 3:
                continue
            text = _text(el)
            if 0 < len(text) <= 60 and _RELATED_HEADING_RE.match(text) and not _is_excluded(el):
                container = _heading_container(el)
                if container is not None:
                    found.append(container)
    # Keep the outermost of nested containers.
    outer: list[lxml.html.HtmlElement] = []
    for el in found:
        if any(_is_descendant(el, other) for other in found if other is not el):
            continue
        if all(el is not o for o in outer):
            outer.append(el)
    return outer


def _head_text(el: lxml.html.HtmlElement, limit: int = 48) -> str:
    """The first characters of an element's text, read lazily (cheap on big containers)."""
    collected = ""
    for piece in el.itertext():
        collected += piece
        if len(collected) >= limit:
            break
    return _WS_RE.sub(" ", collected).strip()


def _teaser_lines(root: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """In-body "Read more: <headline>" paragraphs, and the headline links listed one per
    paragraph under a bare "Read more:" / "Related" label."""
    for el in root.iter("p", "div", "li", "h3", "h4", "h5", "h6", "aside"):
        if len(el) > 6:
            continue
        head = _head_text(el, 64)
        if el.tag in ("p", "div") and len(head) <= 60 and _RELATED_HEADING_RE.match(head):
            if el.find(".//a") is None and not _is_excluded(el):
                yield from _links_under_label(el)
            continue
        if not READ_MORE_PREFIX_RE.match(head):
            continue
        text = _text(el)
        if not text or len(text) > 300 or _is_excluded(el):
            continue
        anchors = list(el.iter("a"))
        if not anchors:
            continue
        link_text = sum(len(_text(a)) for a in anchors)
        if link_text >= 0.5 * len(text):
            yield el


def _links_under_label(label: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The label's next siblings while each is one short line that is all link."""
    sibling = label.getnext()
    while sibling is not None and sibling.tag in ("p", "div", "li"):
        text = _text(sibling)
        if not text or len(text) > 200:
            return
        link_text = sum(len(_text(a)) for a in sibling.iter("a"))
        if link_text < 0.9 * len(text):
            return
        yield sibling
        sibling = sibling.getnext()


def _json_ld_related(root: lxml.html.HtmlElement) -> list[str]:
    urls: list[str] = []

    def visit(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "relatedLink":
                    items = item if isinstance(item, list) else [item]
                    urls.extend(
                        str(u.get("url") or u.get("@id") or "") if isinstance(u, dict) else str(u)
                        for u in items
                    )
                else:
                    visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            visit(json.loads(script.text or ""))
        except (ValueError, RecursionError):
            continue
    for el in root.xpath("descendant-or-self::*[@itemprop='relatedLink']"):
        href = el.get("href") or el.get("content")
        if href:
            urls.append(href)
    return [u for u in urls if u]


def find_related(html_or_tree: str | lxml.html.HtmlElement | None, url: str) -> list[Link]:
    """The publisher's related articles as (title, absolute URL), in page order, no duplicates.

    ``html_or_tree`` is the original page (a string, or a tree from :func:`parse_page`); it is
    not modified. A page without a related block gives ``[]``.
    """
    root = parse_page(html_or_tree) if isinstance(html_or_tree, str) else html_or_tree
    if root is None:
        return []
    try:
        return _find_related(root, url)
    except (RecursionError, ValueError):
        return []


def base_url_of(root: lxml.html.HtmlElement, url: str) -> str:
    base = root.find(".//base[@href]")
    if base is not None:
        try:
            return str(urljoin(url, str(base.get("href") or "")))
        except ValueError:
            return url
    return url


def _find_related(root: lxml.html.HtmlElement, url: str) -> list[Link]:
    base_url = base_url_of(root, url)
    canonical = root.find(".//link[@rel='canonical']")
    article_urls = [url]
    if canonical is not None and canonical.get("href"):
        article_urls.append(urljoin(base_url, canonical.get("href") or ""))
    position = {el: index for index, el in enumerate(root.iter())}

    candidates: list[tuple[int, str, str]] = []  # (position, url, title)

    def take(container: lxml.html.HtmlElement) -> None:
        found = list(_links_in(container, base_url, url))
        if len({u for _, u, _ in found}) > _MAX_CONTAINER_LINKS:
            return
        for anchor, link_url, title in found:
            if any(_same_page(link_url, a) for a in article_urls):
                continue
            candidates.append((position.get(anchor, 0), link_url, title))

    for container in _related_containers(root):
        take(container)
    for teaser in _teaser_lines(root):
        take(teaser)

    # schema.org relatedLink: only with a title the page itself gives the link.
    declared = {normalize_url(urljoin(base_url, u)) for u in _json_ld_related(root)}
    if declared:
        for anchor in root.iter("a"):
            href = (anchor.get("href") or "").strip()
            if not href:
                continue
            try:
                link_url = normalize_url(urljoin(base_url, href))
            except ValueError:
                continue
            if link_url in declared and is_article_url(link_url, url):
                if _is_excluded(anchor):
                    continue
                candidates.append((position.get(anchor, 0), link_url, _anchor_title(anchor)))

    candidates.sort(key=lambda item: item[0])
    titles: dict[str, str] = {}
    for _, link_url, title in candidates:
        if link_url not in titles or (not titles[link_url] and title):
            titles[link_url] = title
    return [Link(text=title, url=link_url) for link_url, title in titles.items() if title]


def find_body_links(blocks: Iterable[Block]) -> list[Link]:
    """The body's links as (text, absolute URL), in order, each URL once."""
    seen: dict[str, Link] = {}
    for block in blocks:
        # A link styled in parts is several spans with the same href: one link.
        runs: list[tuple[str, str]] = []
        for span in block.spans:
            if span.href and runs and runs[-1][0] == span.href:
                runs[-1] = (span.href, runs[-1][1] + span.text)
            elif span.href:
                runs.append((span.href, span.text))
            else:
                runs.append(("", ""))
        for href, raw_text in runs:
            text = _WS_RE.sub(" ", raw_text).strip()
            if href and text and href not in seen:
                seen[href] = Link(text=text, url=href)
    return list(seen.values())
