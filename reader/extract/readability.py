"""readability-lxml, adapted: our Document subclass (candidates, misused divs, data tables),
embedded posts kept whole, and paragraphs readability dropped brought back.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any, Final
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from readability import Document
from readability.readability import REGEXES as _READABILITY_REGEXES
from readability.readability import clean as _readability_clean

from reader.extract.blocks import HEADINGS, WORD_RE, table_rows
from reader.extract.cleanup import EMBED_MARK, JUNK_CLASS_RE, is_one_of_teaser_cards

logging.getLogger("readability").setLevel(logging.CRITICAL)

# readability's score of one element: {"content_score": float, "elem": the element}.
Candidate = dict[str, Any]

_EMBED_CLASS_RE = re.compile(
    r"twitter-tweet|twitter-video|mastodon-embed|bluesky-embed|instagram-media|tiktok-embed|"
    r"threads-embed|fb-post|reddit-embed",
    re.I,
)

_DIV_TO_P_TAGS = ("blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul")


def _has_block_descendant(el: lxml.html.HtmlElement) -> bool:
    # Same test as readability's regex over the serialised children, without serialising.
    for node in el.iterdescendants():
        tag = node.tag
        if isinstance(tag, str) and tag.lower().startswith(_DIV_TO_P_TAGS):
            return True
    return False


class _ReaderDocument(Document):  # type: ignore[misc]
    """readability's Document with two hot spots done without serialising HTML."""

    summary_root: lxml.html.HtmlElement | None = None
    best_elem: lxml.html.HtmlElement | None = None
    alive: list[lxml.html.HtmlElement] | None = None

    def transform_misused_divs_into_paragraphs(self) -> None:
        inline_tags = {
            "a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub",
            "sup", "u",
        }  # fmt: skip
        for elem in self.tags(self.html, "div"):
            if not _has_block_descendant(elem):
                elem.tag = "p"
        for elem in self.tags(self.html, "div"):
            children = list(elem)
            paragraph = None
            if elem.text and elem.text.strip():
                p = elem.makeelement("p", {})
                p.text = elem.text
                elem.text = None
                elem.insert(0, p)
                paragraph = p
            for child in children:
                if child.tag == "br":
                    paragraph = None
                    continue
                if (
                    child.tag not in inline_tags
                    or (isinstance(child.tag, str) and child.tag.lower().startswith(_DIV_TO_P_TAGS))
                    or _has_block_descendant(child)
                ):
                    paragraph = None
                    continue
                if paragraph is None:
                    paragraph = elem.makeelement("p", {})
                    child.addprevious(paragraph)
                paragraph.append(child)
            for pos, child in reversed(list(enumerate(elem))):
                if child.tail and child.tail.strip():
                    p = elem.makeelement("p", {})
                    p.text = child.tail
                    child.tail = None
                    elem.insert(pos + 1, p)
                if child.tag == "br":
                    child.drop_tree()

    def sanitize(
        self,
        node: lxml.html.HtmlElement,
        candidates: dict[lxml.html.HtmlElement, Candidate],
        keep_all_images: bool = False,
    ) -> str:
        # readability-lxml drops every heading that is mostly a link; Readability.js keeps
        # them (a section title linking to its anchor, a heading linking to a source) and
        # only drops headings whose class or id looks negative. Hide linked headings from
        # that one test, then give them their tag back.
        hidden = []
        for header in node.iter(*HEADINGS):
            if self.class_weight(header) >= 0 and self.get_link_density(header) > 0.33:
                hidden.append((header, header.tag))
                header.tag = _LINKED_HEADING_TAG
        try:
            result: str = super().sanitize(node, candidates, keep_all_images)
        finally:
            for header, tag in hidden:
                header.tag = tag
        return result

    def get_clean_html(self) -> str:
        # Keep the tree for the converter; the regex attribute cleanup is not needed.
        self.summary_root = self.html
        return str(etree.tounicode(self.html, method="html"))

    def _parse(self, input: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
        # readability cleans a copy with lxml's Cleaner and rewrites every link of the page;
        # a plain copy without scripts and styles scores the same, and the converter resolves
        # the few links of the article itself.
        doc = copy.deepcopy(input)
        doomed = [el for el in doc.iter("script", "style", "link", "noscript", "template")]
        drop_elements([*doomed, *hidden_elements(doc)])
        # readability walks the tree a dozen times: keep one Python object per element
        # alive so lxml does not build new ones on every walk.
        self.alive = list(doc.iter())
        return doc

    def get_preserved_elements(
        self, node: lxml.html.HtmlElement
    ) -> dict[lxml.html.HtmlElement, bool]:
        # Readability.js never removes data tables (or anything in them) and keeps lists
        # unless they are mostly links; readability-lxml drops both as "too short" or
        # "too many links", which loses reference lists, bug lists and tables of results.
        # readability's own rules (tables of contents, the lead-in before a quote), with
        # the quote test, which looks at every <div>'s ancestors, only when there is one.
        allowed: dict[lxml.html.HtmlElement, bool] = {
            elem: True for elem in self.tags(node, "ul") if self.is_toc_list(elem)
        }
        if node.find(".//blockquote") is not None:
            # is_quote_lead asks of each <div> and each of its ancestors whether the next
            # element holds a quote and the text ends with ':': the answer for one
            # element is the same whichever <div> asks, so it is found once
            leads: dict[lxml.html.HtmlElement, bool] = {}
            for elem in self.tags(node, "div", "section"):
                if any(self._quote_lead(lead, leads) for lead in (elem, *elem.iterancestors())):
                    allowed[elem] = True
        if self.best_elem is not None:
            # The container readability chose is the article: its own conditional cleaning
            # ("too many images" in a photo essay) must not drop it and leave nothing.
            allowed[self.best_elem] = True
        for table in node.iter("table"):
            if _is_data_table(table):
                allowed[table] = True
                for inner in table.iterdescendants("table", "ul", "ol", "div", "section"):
                    allowed[inner] = True
        for lst in node.iter("ul", "ol"):
            if lst.find(".//input") is None and self.class_weight(lst) >= 0:
                allowed[lst] = True
        return allowed

    def _quote_lead(
        self, lead: lxml.html.HtmlElement, known: dict[lxml.html.HtmlElement, bool]
    ) -> bool:
        """readability's test of one element in ``is_quote_lead``, remembered in ``known``."""
        found = known.get(lead)
        if found is None:
            following = lead.getnext()
            found = False
            if following is not None and following.find(".//blockquote") is not None:
                text = _readability_clean(lead.text_content() or "")
                found = len(text) >= self.min_text_length and text.endswith(":")
            known[lead] = found
        return found

    def remove_unlikely_candidates(self) -> None:
        # readability-lxml runs two XPath queries on every element whose class or id looks
        # unlikely; the elements under <pre>/<code> and above <main>/<article>/<math> are
        # the same for all of them, so they are found once.
        unlikely = _READABILITY_REGEXES["unlikelyCandidatesRe"]
        maybe = _READABILITY_REGEXES["okMaybeItsACandidateRe"]
        html = self.html
        holds_article: set[lxml.html.HtmlElement] = set()
        for el in html.iter("main", "article", "math"):
            holds_article.add(el)
            holds_article.update(el.iterancestors())
        in_code: set[lxml.html.HtmlElement] = set()
        for el in html.iter("pre", "code"):
            in_code.update(el.iter())
        doomed = []
        # only elements with a class or an id can look unlikely: lxml finds those
        for elem in _NAMED_DESCENDANTS(html):
            features = f"{elem.get('class', '')} {elem.get('id', '')}"
            if (
                unlikely.search(features)
                and not maybe.search(features)
                # As Readability.js: a link is never removed for its class (an
                # annotation "popup" link in the text is a part of a sentence).
                and elem.tag not in ("html", "body", "a")
                and elem not in in_code
                and elem not in holds_article
            ):
                doomed.append(elem)
        for elem in doomed:
            elem.drop_tree()

    def score_paragraphs(self) -> dict[lxml.html.HtmlElement, Candidate]:
        # readability-lxml's scoring with whitespace collapsed by str.split instead of three
        # regexes per paragraph (the same scores but for runs of no-break spaces).
        min_len = self.min_text_length
        candidates: dict[lxml.html.HtmlElement, Candidate] = {}
        ordered = []
        for elem in self.tags(self._html(), "p", "pre", "td", "blockquote"):
            parent = elem.getparent()
            if parent is None:
                continue
            grand_parent = parent.getparent()
            inner_text = " ".join((elem.text_content() or "").split())
            length = len(inner_text)
            if length < min_len:
                continue
            if parent not in candidates:
                candidates[parent] = self.score_node(parent)
                ordered.append(parent)
            if grand_parent is not None and grand_parent not in candidates:
                candidates[grand_parent] = self.score_node(grand_parent)
                ordered.append(grand_parent)
            score = 1 + len(inner_text.split(",")) + min(length / 100, 3)
            candidates[parent]["content_score"] += score
            if grand_parent is not None:
                candidates[grand_parent]["content_score"] += score / 2.0
        for elem in ordered:
            candidates[elem]["content_score"] *= 1 - self.get_link_density(elem)
        return candidates

    def select_best_candidate(
        self, candidates: dict[lxml.html.HtmlElement, Candidate]
    ) -> Candidate | None:
        self.best_elem = None
        best: Candidate | None = super().select_best_candidate(candidates)
        if best is None:
            return None
        self.best_elem = best["elem"]
        ranked = sorted(candidates.values(), key=lambda c: c["content_score"], reverse=True)
        if best is not ranked[0]:
            return best  # articleBody or a nested <article>: readability knows better
        elem = _common_top_ancestor(best, ranked[1:_TOP_CANDIDATES])
        if elem is None:
            elem = _better_parent(best, candidates)
        if elem is None:
            return best
        candidate = candidates.get(elem)
        if candidate is None:
            candidate = self.score_node(elem)
            candidates[elem] = candidate
        # The siblings' threshold follows the winner's score, as it did for the child.
        candidate["content_score"] = max(candidate["content_score"], best["content_score"])
        self.best_elem = elem
        return candidate

    def get_link_density(self, elem: lxml.html.HtmlElement) -> float:
        # Same ratio as readability's, with whitespace collapsed by str.split instead of
        # three regexes over the text of every nested element.
        link_length = sum(_squashed_len(a) for a in elem.iterdescendants("a"))
        return float(link_length) / max(_squashed_len(elem), 1)


_TOP_CANDIDATES: Final = 5
_LINKED_HEADING_TAG: Final = "reader-linked-heading"
_MIN_CLOSE_CANDIDATES: Final = 3
_CLOSE_SCORE_RATIO: Final = 0.75


def _common_top_ancestor(best: Candidate, others: list[Candidate]) -> lxml.html.HtmlElement | None:
    """Readability.js's fix for an article split into sections of similar weight.

    When at least three of the next top candidates score within 75% of the best one, the
    article is their common container: the nearest ancestor of the best candidate that
    holds three of them (below ``<body>``).
    """
    score = best["content_score"]
    if score <= 0:
        return None
    close = [c["elem"] for c in others if c["content_score"] >= _CLOSE_SCORE_RATIO * score]
    if len(close) < _MIN_CLOSE_CANDIDATES:
        return None
    ancestor_sets = [set(el.iterancestors()) for el in close]
    node = best["elem"].getparent()
    while node is not None and node.tag not in ("body", "html"):
        if sum(1 for ancestors in ancestor_sets if node in ancestors) >= _MIN_CLOSE_CANDIDATES:
            return node
        node = node.getparent()
    return None


def _better_parent(
    best: Candidate, candidates: dict[lxml.html.HtmlElement, Candidate]
) -> lxml.html.HtmlElement | None:
    """Readability.js's climb: going up from the best candidate, an ancestor whose score
    rises again (before falling under a third of the best) holds more of the article.
    """
    score = best["content_score"]
    threshold = score / 3
    last = score
    node = best["elem"].getparent()
    while node is not None and node.tag not in ("body", "html"):
        candidate = candidates.get(node)
        if candidate is not None:
            if candidate["content_score"] < threshold:
                break
            if candidate["content_score"] > last:
                return node
            last = candidate["content_score"]
        node = node.getparent()
    return None


def _is_data_table(table: lxml.html.HtmlElement) -> bool:
    """Readability.js's test for a table of data (as opposed to one used for layout)."""
    if (table.get("role") or "").lower() == "presentation" or table.get("datatable") == "0":
        return False
    if table.get("summary"):
        return True
    caption = table.find("caption")
    if caption is not None and len(caption):
        return True
    for tag in ("col", "colgroup", "tfoot", "thead", "th"):
        if table.find(".//" + tag) is not None:
            return True
    if table.find(".//table") is not None:
        return False
    rows = list(table_rows(table))
    columns = max((len(row) for row in rows), default=0)
    return len(rows) >= 10 or columns > 4 or len(rows) * columns > 10


_NAMED_DESCENDANTS: Final = etree.XPath("descendant::*[@class != '' or @id != '']")


def _squashed_len(el: lxml.html.HtmlElement) -> int:
    return len(" ".join(el.text_content().split()))


_DISPLAY_NONE_RE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)",
    re.I,
)


def protect_embeds(root: lxml.html.HtmlElement) -> None:
    """Keep embedded posts: readability drops anything whose class says "tweet"."""
    for el in root.iter("blockquote", "div", "iframe"):
        features = " ".join(v for v in (el.get("class"), el.get("id")) if v)
        if not features or not _EMBED_CLASS_RE.search(features):
            continue
        if el.tag == "iframe":
            src = el.get("src") or el.get("data-src") or ""
            if not src:
                continue
            quote = lxml.html.fragment_fromstring("<blockquote/>")
            link = lxml.html.fragment_fromstring("<a/>")
            link.set("href", src.replace("/embed", ""))
            link.text = "Embedded post: " + (urlsplit(src).hostname or src)
            quote.append(link)
            quote.tail = el.tail
            el.getparent().replace(el, quote)
            el = quote
        else:
            el.tag = "blockquote"
        el.attrib.pop("class", None)
        el.attrib.pop("id", None)
        el.set(EMBED_MARK, "1")


_RID: Final = "data-reader-id"  # an element's position in the original page
_UNLIKELY_RE = re.compile(
    r"combx|comment|community|disqus|extra|foot|header|menu|remark|rss|shoutbox|sidebar|"
    r"sponsor|ad-break|agegate|pagination|pager|popup|related|promo|share|social|newsletter",
    re.I,
)
_NOT_BODY_TAGS = frozenset({"nav", "aside", "footer", "header", "form", "figure", "li", "td"})


def number_elements(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    for index, el in enumerate(elements):
        el.set(_RID, str(index))
    return elements


def _rid(el: lxml.html.HtmlElement) -> int:
    try:
        return int(el.get(_RID, "-1"))
    except ValueError:
        return -1


def recover_paragraphs(
    elements: list[lxml.html.HtmlElement], summary_root: lxml.html.HtmlElement
) -> None:
    """Add the article's paragraphs that readability left in a neighbouring container.

    readability keeps one container and its siblings; an intro paragraph in the parent (or
    the container's sibling wrapper) is lost. Only plain, long, link-poor paragraphs within
    two levels of what readability kept are added, in page order.
    """
    tops = [el for el in summary_root if isinstance(el.tag, str) and _rid(el) >= 0]
    if not tops:
        return
    kept = {_rid(el) for el in summary_root.iter() if isinstance(el.tag, str)}
    spans: list[tuple[int, int]] = []
    ancestors: list[lxml.html.HtmlElement] = []
    for top in tops:
        original = elements[_rid(top)]
        last = max((_rid(d) for d in original.iter() if isinstance(d.tag, str)), default=0)
        spans.append((_rid(top), last))
        parent = original.getparent()
        for _ in range(2):
            if parent is None or parent.tag in ("body", "html"):
                break
            if all(parent is not a for a in ancestors):
                ancestors.append(parent)
            parent = parent.getparent()
    known = " ".join(summary_root.text_content().split())
    found: dict[int, lxml.html.HtmlElement] = {}
    for ancestor in ancestors:
        for paragraph in ancestor.iter("p"):
            rid = _rid(paragraph)
            if rid in kept or rid in found or any(a <= rid <= b for a, b in spans):
                continue
            text = " ".join(paragraph.text_content().split())
            if len(text) < 80 or text in known or _looks_like_chrome_paragraph(paragraph, text):
                continue
            links = sum(len(" ".join(a.text_content().split())) for a in paragraph.iter("a"))
            if links > 0.2 * len(text):
                continue
            if _in_chrome(paragraph, ancestor):
                continue
            found[rid] = paragraph
    for rid in sorted(found):
        copy_ = copy.deepcopy(found[rid])
        copy_.tail = None
        position = sum(1 for a, _ in spans if a < rid)
        summary_root.insert(position + sum(1 for r in found if r < rid), copy_)


def misses_the_titled_article(
    elements: list[lxml.html.HtmlElement], summary_root: lxml.html.HtmlElement, title: str
) -> bool:
    """readability kept a block outside the ``<article>``/``<main>`` that holds the page's
    title heading: another article, a teaser list or a sidebar won over the article."""
    wanted = " ".join(title.split()).casefold()
    if not wanted:
        return False
    headings = []
    for heading in elements[0].iter("h1"):
        text = " ".join(heading.text_content().split()).casefold()
        if text and (text in wanted or wanted in text):
            headings.append(heading)
    if len(headings) != 1:
        return False
    container = next((a for a in headings[0].iterancestors("article", "main")), None)
    if container is None:
        return False
    first = _rid(container)
    last = max((_rid(el) for el in container.iter() if isinstance(el.tag, str)), default=first)
    kept = [rid for el in summary_root.iter() if isinstance(el.tag, str) and (rid := _rid(el)) >= 0]
    return bool(kept) and not any(first <= rid <= last for rid in kept)


_META_CLASS_RE = re.compile(
    r"byline|author|date|time|meta|signature|teaser|excerpt|summary|caption|credit|promo|"
    r"related|subscribe|newsletter",
    re.I,
)


def _looks_like_chrome_paragraph(paragraph: lxml.html.HtmlElement, text: str) -> bool:
    """A byline, dateline or teaser excerpt: not worth adding back."""
    features = " ".join(v for v in (paragraph.get("class"), paragraph.get("id")) if v)
    if features and _META_CLASS_RE.search(features):
        return True
    return text.endswith(("…", "...")) or text.count(" | ") >= 2


def hidden_elements(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Elements a browser does not show: ``hidden``, ``display: none``, ``visibility: hidden``."""
    found: list[lxml.html.HtmlElement] = root.xpath("//*[@hidden]")
    for el in root.xpath("//*[@style]"):
        if _DISPLAY_NONE_RE.search(el.get("style") or ""):
            found.append(el)
    return found


def drop_elements(elements: list[lxml.html.HtmlElement]) -> None:
    for el in elements:
        if el.getparent() is not None:
            el.drop_tree()


def _is_hidden(el: lxml.html.HtmlElement) -> bool:
    return el.get("hidden") is not None or bool(_DISPLAY_NONE_RE.search(el.get("style") or ""))


def _in_chrome(el: lxml.html.HtmlElement, stop: lxml.html.HtmlElement) -> bool:
    if _is_hidden(el) or any(_is_hidden(a) for a in el.iterancestors()):
        return True
    node = el.getparent()
    depth = 0
    while node is not None and node is not stop:
        depth += 1
        if depth > 4 or node.tag in _NOT_BODY_TAGS:
            return True
        if node.get("aria-hidden") == "true" or is_one_of_teaser_cards(node):
            return True
        features = " ".join(v for v in (node.get("class"), node.get("id")) if v)
        if features and (_UNLIKELY_RE.search(features) or JUNK_CLASS_RE.search(features)):
            return True
        node = node.getparent()
    return False


def readability_root(tree: lxml.html.HtmlElement, url: str) -> lxml.html.HtmlElement | None:
    doc = _ReaderDocument(tree, url=None)
    doc.summary(html_partial=True)
    return doc.summary_root


_STANDFIRST_TAGS: Final = frozenset({"p", "div", "h2", "h3", "h4", "span", "strong", "em"})
_STANDFIRST_MIN_CHARS: Final = 40
_STANDFIRST_MAX_CHARS: Final = 600
_STANDFIRST_MIN_AGREEMENT: Final = 0.85
# Between the standfirst and the body there may be a byline, a date, a photo; more text
# than this, or more elements (a hero with its media, share bars, a table of contents),
# and the paragraph stands in the page's header rather than at the top of the article
# (Readability.js leaves those out, and so do we).
_STANDFIRST_MAX_GAP_CHARS: Final = 600
_STANDFIRST_MAX_GAP_ELEMENTS: Final = 30
_STANDFIRST_MAX_ELEMENTS: Final = 30  # a paragraph's own links, spans and emphasis


def _agreement(ours: list[str], description: str, theirs: list[str]) -> float:
    """How far a text (its words, ``ours``) says what ``description`` (``theirs``) says: the
    share of the longer one's words that both have, in order from the start (a
    description is often cut with "…")."""
    if not ours or not theirs or ours[0] != theirs[0]:
        return 0.0
    same = 0
    for a, b in zip(ours, theirs, strict=False):
        if a != b:
            break
        same += 1
    cut = description.rstrip().endswith(("…", "...")) and len(ours) >= len(theirs)
    return same / (len(theirs) if cut else max(len(ours), len(theirs)))


def find_standfirst(
    elements: list[lxml.html.HtmlElement],
    summary_root: lxml.html.HtmlElement,
    descriptions: tuple[str, ...],
) -> lxml.html.HtmlElement | None:
    """The standfirst (dek, lead, intro) printed above the article, outside the container
    readability kept: the element just before the body that says what the page's own
    description says.

    Many pages set their summary in the article's header (``p.lead``, ``div.intro``,
    ``h2.deck``) and the body in another container, so readability keeps the body alone.
    A paragraph before the body is only taken when the publisher's description agrees with
    it word for word (a teaser or a caption does not), and nothing much stands between it
    and the body.
    """
    if not descriptions:
        return None
    kept = [rid for el in summary_root.iter() if isinstance(el.tag, str) and (rid := _rid(el)) >= 0]
    if not kept:
        return None
    start = min(kept)
    wanted = [(d, WORD_RE.findall(d.casefold())) for d in descriptions]
    first_words = {words[0] for _, words in wanted if words}
    holds_body = set(elements[start].iterancestors())
    # Only the last elements before the body can be near enough to it.
    window = _STANDFIRST_MAX_GAP_ELEMENTS + _STANDFIRST_MAX_ELEMENTS
    for el in elements[max(0, start - window) : start]:
        if el.tag not in _STANDFIRST_TAGS or el in holds_body:
            continue
        if _longer_than(el, _STANDFIRST_MAX_CHARS):
            continue  # measured without joining the text of every wrapper of the page
        text = " ".join(el.text_content().split())
        if not _STANDFIRST_MIN_CHARS <= len(text) <= _STANDFIRST_MAX_CHARS:
            continue
        first = WORD_RE.search(text.casefold())
        if first is None or first.group() not in first_words:
            continue
        words = WORD_RE.findall(text.casefold())
        if max(_agreement(words, d, w) for d, w in wanted) < _STANDFIRST_MIN_AGREEMENT:
            continue
        if _in_standfirst_chrome(el):
            continue
        last = max(_rid(d) for d in el.iter() if isinstance(d.tag, str))
        between = elements[last + 1 : start]
        gap = sum(
            len((e.text or "").strip()) + len((e.tail or "").strip())
            for e in between
            if e.tag not in ("script", "style", "noscript", "template")
        )
        if gap > _STANDFIRST_MAX_GAP_CHARS or len(between) > _STANDFIRST_MAX_GAP_ELEMENTS:
            return None
        return el
    return None


def _longer_than(el: lxml.html.HtmlElement, limit: int) -> bool:
    total = 0
    for chunk in el.itertext():
        total += len(chunk.strip())
        if total > limit:
            return True
    return False


def _in_standfirst_chrome(el: lxml.html.HtmlElement) -> bool:
    if _is_hidden(el):
        return True
    for node in el.iterancestors():
        if node.tag in ("head", "nav", "aside", "footer", "form", "li", "figure", "a"):
            return True
        if _is_hidden(node) or node.get("aria-hidden") == "true":
            return True
    return False
