"""Boilerplate that readability leaves inside the article, and the phrase lists that
recognise it: ad labels, share and newsletter lines, gallery counters, repeated photo
credits, "Read more" teasers, and the title and byline the header already shows.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Final
from urllib.parse import urlsplit

import lxml.html

from reader.extract.blocks import WORD_RE, WS_RE
from reader.extract.links import READ_MORE_PREFIX_RE, RELATED_HEADING_RE
from reader.extract.metadata import MONTHS
from reader.models import Block

# Elements whose class/id say they are chrome that readability left inside the article.
JUNK_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:share-?(?:bar|buttons?|tools?|links?|icons?|box|container|wrapper|menu|"
    r"modal|this|article)|sharing|sharedaddy|social-?(?:share|links|buttons|icons|follow)|"
    r"newsletter|cookie|consent|cmp|advert|advertisement|ad|ads|adslot|ad-?slot|dfp|gpt|"
    r"sponsor|sponsored|promo|outbrain|taboola|trc|zergnet|paywall|subscribe|subscription|"
    r"related|recommend|recommended|read-?more|readmore|jp-relatedposts|"
    r"likes|like-?post|author-bio|dateline|breadcrumbs?|tags|topics|tag-?list|"
    r"author-?(?:box|info|about|description|details|profile|card)|about-?(?:the-?)?author|"
    r"autor(?:en)?-?(?:box|info|profil)|"
    r"gallery-?(?:counter|count|nav|controls)|slide-?counter|counter|credit|"
    r"visually-?hidden|screen-?reader-?text|sr-only|skip-?link|print-?only)(?:$|[\s_-])",
    re.I,
)
_SHARE_CLASS_RE = re.compile(r"(?:^|\s)(?:share|social)(?:__\S*)?(?:$|\s)", re.I)
_JUNK_ID_RE = re.compile(
    r"^(?:jp-relatedposts|comments?|respond|disqus_thread|related[-_\w]*|taboola[-_\w]*|"
    r"outbrain[-_\w]*|newsletter[-_\w]*|cookie[-_\w]*|sharing|share-?buttons)$",
    re.I,
)
EMBED_MARK: Final = "reader-embedded-post"

# Whole blocks that are chrome, not article text.
_AD_LABELS = frozenset(
    s.casefold()
    for s in (
        "Advertisement",
        "Advertisements",
        "Ad",
        "Ads",
        "Sponsored",
        "Sponsored content",
        "Paid content",
        "PUBLICITÉ",
        "Publicité",
        "Publicite",
        "Anzeige",
        "Werbung",
        "Publicidad",
        "Publicidade",
        "Pubblicità",
        "Reklama",
        "Реклама",
        "Advertentie",
        "Annons",
        "Annonse",
        "Mainos",
        "Reklame",
        "広告",
        "PR",
        "广告",
        "광고",
        "Story continues below advertisement",
        "Article continues below advertisement",
        "Continue reading below",
        "Article continues below",
        "Advertisement - scroll to continue",
        "Scroll to continue with content",
        "Skip Advertisement",
        "Skip ad",
        "Loading...",
        "Loading…",
        "Loader",
    )
)
_CHROME_LINE_RE = re.compile(
    r"""^\W*(?:
        share(?:\s+(?:this|on|via)\b.*)? | share\s+this\s+(?:article|story|post|gallery|page)
      | tweet | pin\s+it | email | print | copy\s+link | link\s+copied | copy\s+to\s+clipboard
      | like\s+this | like | reblog | click\s+to\s+share\b.* | close\s+button
      | partager(?:\s+cet\s+article)? | artikel\s+teilen | teilen | compartir | compartilhar
      | condividi | поделиться | この記事をシェア | シェア
      | follow\s+us\b.* | suivez-nous\b.* | folgen\s+sie\s+uns\b.* | síguenos\b.* | siga-nos\b.*
      | seguici\b.* | подписывайтесь\b.{0,80}
      | sign\s+up\s+for\s+(?:our|the)\b.{0,60}newsletter.*
      | subscribe\s+to\s+(?:our|the)\b.{0,40}newsletter.*
      | (?:get|receive)\s+(?:our|the)\b.{0,40}newsletter.* | newsletter\s+abonnieren
      | abonnez-vous\b.{0,60}newsletter.* | suscríbete\b.{0,60}(?:newsletter|boletín).*
      | we\s+use\s+cookies\b.* | this\s+(?:site|website)\s+uses\s+cookies\b.*
      | (?:comments\s+are\s+closed|leave\s+a\s+comment|show\s+comments|view\s+comments
         |your\s+email\s+address\s+will\s+not\s+be\s+published).*
      | para\s+comentar\s+es\s+necesario\b.* | comment(?:s|aires|arios)? | discussion
      | (?:photo|image|gallery)\s+\d+\s+(?:of|/)\s+\d+
      | \d+\s*(?:of|/|de|sur|von|di|из|из\s+|van|av)\s*\d+
      | advertisement\s*[-–—:]?\s*(?:continue|scroll)\s+reading\b.*
      | read\s+more | continue\s+reading | (?:show|see|load)\s+more
      | (?:promoted|sponsored)\s+by\s+\S+(?:\s+\S+)?
    )\W*$""",
    re.I | re.X,
)
_CHROME_MAX_CHARS: Final = 160
# A heading or line that announces other articles ("You might also like"), in the languages
# readers meet most; alone on a line it is chrome, and the linked lines under it teasers.
_MORE_READING_RE = re.compile(
    r"""^\W*(?:
        (?:das|dies)\s+könnte\s+(?:dich|sie|ihnen|dir)\s+(?:auch\s+)?(?:interessieren|gefallen|schmecken)
      | das\s+thema\s+könnte\s+(?:dich|sie)\s+auch\s+interessieren
      | (?:lesen\s+sie|lies)\s+(?:auch|hier|mehr)\b.{0,40} | auch\s+lesen | mehr\s+zum\s+thema
      | weitere\s+(?:artikel|beiträge|themen|tourentipps|informationen|news|nachrichten)\b.{0,40}
      | weiterführende\s+(?:informationen|links|artikel) | further\s+information
      | entdecke\s+(?:weitere|mehr)\b.{0,40} | discover\s+more\b.{0,40}
      | (?:le|te)\s+puede\s+interesar | también\s+te\s+puede\s+interesar | lee\s+también
      | (?:à\s+)?lire\s+aussi | vous\s+aimerez\s+aussi | sur\s+le\s+même\s+sujet
      | leggi\s+anche | potrebbe\s+interessarti | ti\s+potrebbe\s+interessare
      | (?:you\s+)?(?:might|may)\s+also\s+like | recommended\s+for\s+you
      | more\s+from\s+\S+(?:\s+\S+)?
      | czytaj\s+(?:też|także|również)
    )\W*$""",
    re.I | re.X,
)
_MORE_READING_MAX_CHARS: Final = 80
# "Read also: <another story's headline>" in a line of its own.
_READ_ALSO_LINE_RE = re.compile(
    r"^\W*(?:auch\s+lesen|lesen\s+sie\s+(?:auch|hier|mehr)|mehr\s+zum\s+thema|siehe\s+auch"
    r"|(?:le|te)\s+puede\s+interesar|lee\s+también|(?:à\s+)?lire\s+aussi|leggi\s+anche"
    r"|czytaj\s+(?:też|także|również)|see\s+also|also\s+read|read\s+also)\s*[:：]\s*\S.{0,150}$",
    re.I,
)
# Photo credits and captions that are one: a label ("Foto:", "Crédits photos :"), a
# copyright sign, an agency or picture library after a slash.
_CREDIT_LINE_RE = re.compile(
    r"""^\W*(?:fotos?|photos?|bild(?:er)?|credits?|crédits?(?:\s+photos?)?
              |titelbild|beitragsbild|aufmacherbild|image\s+illustrative|imágenes?|abbildung\s+\d+
              |grafik|illustration)\s*[:：] | ^\W*vergrößern\s
      | \b(?:foto|photo|bild|quelle)\s*:\s*\S
      | \bphoto\s+by\s+.{1,40}\s+on\s+(?:unsplash|pexels|pixabay)\b
      | /\s*(?:istock(?:photo)?|fotolia|shutterstock|getty\s+images|picture[- ]alliance|dpa|afp
              |reuters|epa|wenn\.com|adobe\s*stock|unsplash|pixabay)\b
      | \b(?:istock|fotolia\.com|wenn\.com|shutterstock\.com)\b | \bbild\s+via\b""",
    re.I | re.X,
)
# Promotion of the site itself (subscriptions, newsletters, apps, social accounts,
# donations) and legal notices, in the languages readers meet most.
_PROMO_RE = re.compile(
    r"""follow\s+(?:us|the\s+\S+)\s+on\s+(?:twitter|facebook|instagram|x\b) | s[ií]guenos\s+en
      | subscribe\s+(?:now|today)\b | please\s+subscribe | already\s+a\s+subscriber
      | subscribers?\s+also\s+receive
      | to\s+(?:view|read|continue)\s+(?:reading\s+)?the\s+full\s+(?:story|article)
      | (?:mit\s+unserem|zum|unseren?)\s+newsletter | newsletter\s+(?:abonnieren|bestellen|anmelden)
      | jetzt\s+(?:registrieren|abonnieren|anmelden|mitglied) | nicht\s+eingeloggt
      | wählen\s+sie\s+ihren\s+zugang | straight\s+to\s+your\s+(?:phone|inbox)
      | download\s+(?:the|our)\s+.{1,30}?\s+apps? | if\s+you\s+enjoyed\s+reading
      | consider\s+supporting\s+our | support\s+our\s+(?:work|journalism)
      | unterstütze\s+\S+\s+(?:bereits|jetzt|mit)
      | hazte\s+miembro | suscr[ií]bete | submit\s+your\s+letter
      | all\s+rights\s+reserved | alle\s+rechte\s+vorbehalten | tous\s+droits\s+réservés
      | todos\s+los\s+derechos\s+reservados | copyrighted\s+property | written\s+permission
      | prawem\s+autorskim | wszelkie\s+prawa\s+zastrzeżone | unter\s+der\s+lizenz\s+cc
      | not\s+responsible\s+for\s+the\s+(?:opinions|content) | affiliate[- ]links?
      | um\s+den\s+inhalt\s+von\s+.{1,60}?\s+zu\s+laden
      | click\s+.{1,40}?\s+to\s+load\s+(?:the\s+)?content
      | pour\s+afficher\s+(?:ce|le)\s+contenu | mit\s+diesem\s+button\s+kannst""",
    re.I | re.X,
)
_PROMO_MAX_CHARS: Final = 300
# Navigation and page furniture alone on a line.
_FURNITURE_LINE_RE = re.compile(
    r"""^\W*(?:
        zurück(?:\s+zu[rm]?\s+.{0,40})? | back\s+to\s+.{0,40} | retour | volver
      | (?:tags?|schlagw[öo]rter|stichw[öo]rter|kategorien?|category|categories|themen|topics)
        \s*[:：].{0,120}
      | von\s*[:：] | über\s+den\s+autor | about\s+the\s+author | zum\s+autor
      | (?:keine\s+)?kommentare?\b.{0,70} | no\s+comments\b.{0,40}
      | \(?noch\s+keine\s+bewertungen\)?
      | anzeige | (?:jump\s+to\s+recipe\s*)?print\s+recipe | jump\s+to\s+recipe | rezept\s+drucken
      | (?:\S+\s+){0,3}als\s+pdf\s+herunterladen | pdf\s+herunterladen
      | vorschau\s+auf\s+den\s+nächsten\s+artikel | (?:nächster|vorheriger)\s+artikel
      | (?:next|previous)\s+(?:article|post|story)
      | meist[- ]?(?:gelesen|diskutiert|kommentiert) | most\s+(?:read|popular|viewed|shared)
      | teilnehmende\s+blogs
    )\W*$""",
    re.I | re.X,
)
# Site footer lines: parts between separators that are all legal or contact links.
_FOOTER_PART_RE = re.compile(
    r"^(?:impressum|imprint|datenschutz(?:erklärung)?|privacy(?:\s+policy)?|terms(?:\s+(?:of\s+use|and\s+rules|of\s+service))?"
    r"|kontakt|contact(?:\s+us)?|agb|cookies?(?:\s+settings)?|newsletter(?:\s+abonnieren)?|help|hilfe"
    r"|über\s+uns|about(?:\s+us)?|advertise|werbung|mentions\s+légales|aviso\s+legal|sitemap|faq"
    r"|barrierefreiheit|accessibility|jobs|karriere|careers|rss)$",
    re.I,
)
_FOOTER_SEPARATORS_RE = re.compile(r"\s*[·|•]\s*|\s+[-–]\s+")
_CREDIT_RE = re.compile(
    r"^\W*(?:photo|photos|foto|fotos|image|picture|credit|crédit|bild|source|quelle|фото)\b"
    r"|^\W*©|/\s*(?:AP|AFP|Reuters|Getty Images|dpa|EPA|Shutterstock)\s*$",
    re.I,
)


def prune_junk(root: lxml.html.HtmlElement) -> None:
    """Drop chrome that readability kept inside the article (by class or id)."""
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str) or el is root:
            continue
        if el.get(EMBED_MARK) is not None or el.tag in ("pre", "code"):
            continue
        if any(a.tag in ("pre", "code") for a in el.iterancestors()):
            continue
        # Classes, and only well-known ids: ids are often slugs of headings
        # ("sharing-with-a-single-developer").
        features = el.get("class")
        junk = bool(
            features and (JUNK_CLASS_RE.search(features) or _SHARE_CLASS_RE.search(features))
        )
        junk = junk or bool(_JUNK_ID_RE.match(el.get("id") or ""))
        # ARIA's "note" is content ancillary to the main content: "Main article: …",
        # "For other uses, see …" above a section (Readability.js drops them too).
        junk = junk or (el.get("role") or "").strip().lower() == "note"
        # Chrome is short or mostly links, or other articles' headlines; an author's bio
        # is chrome of any length up to a bio's.
        chrome = junk and (_is_small_or_links(el) or _is_headline_list(el))
        if chrome or _is_author_box(el):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None and not any(a in doomed for a in el.iterancestors()):
            el.drop_tree()


def drop_page_chrome(root: lxml.html.HtmlElement) -> None:
    """When readability kept the whole page, the page's own navigation and footer go.

    They are direct children of ``<body>``; an article's own ``<footer>`` (notes, tags)
    sits inside the article and stays.
    """
    doomed = [
        el
        for el in root.iter("nav", "footer")
        if (parent := el.getparent()) is not None and parent.tag == "body"
    ]
    for el in doomed:
        el.drop_tree()


_TEASER_CARD_MAX_CHARS: Final = 400
_TEASER_CARDS_MIN: Final = 3
_CARD_TAGS: Final = frozenset({"div", "li", "article", "section"})


def drop_teaser_cards(root: lxml.html.HtmlElement) -> None:
    """A run of sibling cards, each a linked headline with a line or two under it, is a
    "more news" list beside the article (not a part of it), however long it is together."""
    doomed = []
    for parent in root.iter():
        cards = [child for child in parent if _is_teaser_card(child)]
        if len(cards) >= _TEASER_CARDS_MIN:
            doomed.extend(cards)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def is_one_of_teaser_cards(el: lxml.html.HtmlElement) -> bool:
    """``el`` is a teaser card among at least two more of its siblings."""
    parent = el.getparent()
    if parent is None or not _is_teaser_card(el):
        return False
    return sum(1 for child in parent if _is_teaser_card(child)) >= _TEASER_CARDS_MIN


def _is_teaser_card(el: lxml.html.HtmlElement) -> bool:
    if el.tag not in _CARD_TAGS:
        return False
    text = " ".join(el.text_content().split())
    if not text or len(text) > _TEASER_CARD_MAX_CHARS:
        return False
    heading = next(el.iter("h2", "h3", "h4", "h5"), None)
    if heading is None:
        return False
    heading_text = " ".join(heading.text_content().split())
    linked = sum(len(" ".join(a.text_content().split())) for a in heading.iter("a"))
    return bool(heading_text) and linked >= 0.9 * len(heading_text)


# A box about the author (class or id): a bio is prose, so unlike other chrome it may be
# long; it is still not the article, up to the length of a short bio.
_AUTHOR_BOX_RE = re.compile(
    r"(?:^|[\s_-])(?:author-?(?:box|bio|info|about|description|details|profile|card)"
    r"|about-?(?:the-?)?author|autor(?:en)?-?(?:box|info|profil))(?:$|[\s_-])",
    re.I,
)
_AUTHOR_BOX_MAX_CHARS: Final = 1200


def _is_author_box(el: lxml.html.HtmlElement) -> bool:
    if el.tag not in ("div", "section", "aside", "footer", "p"):
        return False  # an id on a heading is its slug ("about-the-author")
    features = f"{el.get('class') or ''} {el.get('id') or ''}".replace("__", "-")
    if not _AUTHOR_BOX_RE.search(features):
        return False
    return len(" ".join(el.text_content().split())) <= _AUTHOR_BOX_MAX_CHARS


def _is_headline_list(el: lxml.html.HtmlElement) -> bool:
    """Every heading in it but a first label ("Related") links to another page, and there
    are several: the headlines of other articles with their excerpts ("Related" cards),
    however much text they have. An article's section headings are not links (or link to
    their own anchor)."""
    linked = 0
    for heading in el.iter("h2", "h3", "h4", "h5", "h6"):
        text = " ".join(heading.text_content().split())
        if not text:
            continue
        links = [a for a in heading.iter("a") if not (a.get("href") or "").startswith("#")]
        link_chars = sum(len(" ".join(a.text_content().split())) for a in links)
        if link_chars >= 0.9 * len(text):
            linked += 1
        elif linked or len(text) > _HEADLINE_LABEL_MAX_CHARS:
            return False  # a plain heading among them: a section of the article itself
    return linked >= _HEADLINE_LIST_MIN


_HEADLINE_LIST_MIN: Final = 2
_HEADLINE_LABEL_MAX_CHARS: Final = 60


def _is_small_or_links(el: lxml.html.HtmlElement) -> bool:
    """Chrome is short or mostly links; a container of real paragraphs is never chrome."""
    text = " ".join(el.text_content().split())
    if len(text) < 300:
        return True
    link_chars = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
    return link_chars > 0.5 * len(text)


def _is_chrome_text(text: str, kind: str = "paragraph") -> bool:
    stripped = text.strip()
    if not stripped:
        return True
    if len(stripped) <= _PROMO_MAX_CHARS and _PROMO_RE.search(stripped):
        return True
    if len(stripped) > _CHROME_MAX_CHARS:
        return False
    if stripped.casefold() in _AD_LABELS:
        return True
    if len(stripped) <= _MORE_READING_MAX_CHARS and _MORE_READING_RE.match(stripped):
        return True
    if _READ_ALSO_LINE_RE.match(stripped):
        return True
    if _is_footer_line(stripped) or _FURNITURE_LINE_RE.match(stripped):
        return True
    if kind != "caption" and _CREDIT_LINE_RE.search(stripped):
        # A caption's credit belongs to its figure (Readability.js keeps it); a credit
        # standing as a paragraph is what a figure left behind.
        return True
    return bool(_CHROME_LINE_RE.match(stripped))


def _is_footer_line(text: str) -> bool:
    parts = [part for part in _FOOTER_SEPARATORS_RE.split(text) if part]
    footer = sum(1 for part in parts if _FOOTER_PART_RE.match(part.strip(" .")))
    return len(parts) >= 2 and footer >= len(parts) - 1 and footer >= 2


def _is_teaser(block: Block) -> bool:
    text = block.text.strip()
    if len(text) > 300 or not READ_MORE_PREFIX_RE.match(text):
        return False
    link_chars = sum(len(s.text) for s in block.spans if s.href)
    return link_chars >= 0.5 * len(text)


def _is_linked_heading(block: Block) -> bool:
    if block.kind != "heading":
        return False
    link_chars = sum(len(s.text) for s in block.spans if s.href)
    return link_chars > 0.5 * len(block.text)


def _is_link_only(block: Block) -> bool:
    text = block.text.strip()
    link_chars = sum(len(s.text.strip()) for s in block.spans if s.href)
    return bool(text) and link_chars >= 0.9 * len(text)


def _drop_teaser_runs(blocks: list[Block]) -> list[Block]:
    """A "Read more:" / "Related" label and the headlines linked under it are teasers:
    they belong to the related links, not to the article's text."""
    result: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        end = index + 1
        label = block.text.strip()
        if (
            block.kind in ("paragraph", "heading")
            and len(label) <= 60
            and (RELATED_HEADING_RE.match(label) or _MORE_READING_RE.match(label))
        ):
            while (
                end < len(blocks)
                and blocks[end].kind in ("paragraph", "list_item")
                and len(blocks[end].text) <= 200
                and _is_link_only(blocks[end])
            ):
                end += 1
            if end > index + 1:
                index = end
                continue
        result.append(block)
        index += 1
    return result


_CAPTION_TOGGLE_RE = re.compile(
    r"\s*(?:…|\.\.\.)?\s*(?:less|more|show\s+(?:less|more)|read\s+more|mehr|weniger|plus|moins"
    r"|más|menos|meno|più)\s*$",
    re.I,
)
_FIGURE_NOTICE_RE = re.compile(r"^\W*(?:citation\s*:|©|copyright\b|\(c\)\s*\d{4})", re.I)
# A citation line, or a copyright line about a licence or rights, is boilerplate wherever it
# stands (science news puts them under figures and at the end).
_NOTICE_RE = re.compile(
    r"^\W*citation\s*:|^\W*(?:©|copyright\b).{0,200}(?:licen[cs]e|creative\s+commons|rights)",
    re.I,
)
_FIGURE_NOTICE_MAX_CHARS: Final = 500
_CAPTION_PREFIX_MIN_CHARS: Final = 20
# Network names and share actions; the first set is one alone, the second only together
# with others ("Email" or "X" alone may be a heading of the article).
_SHARE_LABELS: Final = frozenset(
    """facebook twitter pinterest pin whatsapp linkedin reddit download share tweet telegram
    flipboard messenger xing bluesky mastodon teilen partager compartir""".split()
)
_SHARE_WORDS: Final = _SHARE_LABELS | frozenset(
    "x email e-mail mail print threads drucken imprimer".split()
)
_HEADLINE_RUN_MIN: Final = 3
_HEADLINE_MAX_CHARS: Final = 140


def _caption_key(text: str) -> str:
    """A caption as compared with the others: spaces collapsed, toggles and "…" cut off."""
    key = _CAPTION_TOGGLE_RE.sub("", WS_RE.sub(" ", text).strip())
    return key.rstrip(" .…").casefold()


def _is_figure_notice(text: str) -> bool:
    stripped = text.strip()
    return len(stripped) <= _FIGURE_NOTICE_MAX_CHARS and bool(_FIGURE_NOTICE_RE.match(stripped))


def _is_share_labels(text: str) -> bool:
    """Only the names of networks and share actions ("Facebook Twitter Pin Download")."""
    words = re.findall(r"[\w-]+", text.casefold())
    if not words or len(words) > 10 or not all(word in _SHARE_WORDS for word in words):
        return False
    return len(words) >= 2 or words[0] in _SHARE_LABELS


def _is_shouted_headline(block: Block) -> bool:
    text = block.text.strip()
    letters = [char for char in text if char.isalpha()]
    return (
        block.kind in ("paragraph", "list_item", "heading")
        and 0 < len(text) <= _HEADLINE_MAX_CHARS
        and _is_link_only(block)
        and sum(1 for char in letters if char.isupper()) >= 0.8 * len(letters)
    )


def _drop_headline_runs(blocks: list[Block]) -> list[Block]:
    """Three or more linked headlines in capitals in a row are a "trending" block of other
    stories, wherever they stand in the body."""
    result: list[Block] = []
    index = 0
    while index < len(blocks):
        end = index
        while end < len(blocks) and _is_shouted_headline(blocks[end]):
            end += 1
        if end - index >= _HEADLINE_RUN_MIN:
            index = end
            continue
        result.append(blocks[index])
        index += 1
    return result


# What a site puts under every article, after its last paragraph: a badge of its standards
# ("Trust Project", "Conforme a los criterios de ... Saber más") and an invitation to report
# a mistake, in the languages readers meet most.
_CLOSING_RE = re.compile(
    r"""\btrust\s+project\b | \bjournalism\s+trust\s+initiative\b
      | \b(?:report|flag)\s+(?:an?\s+)?(?:error|typo|mistake|correction|inaccuracy)
      | \b(?:spotted|found|see|notice[ds]?)\s+(?:an?\s+)?(?:error|typo|mistake)\b
      | \b(?:submit|request|suggest)\s+a\s+correction\b | \bcorrections?\s+polic(?:y|ies)\b
      | \b(?:tipp)?fehler\s+(?:melden|gefunden|entdeckt)\b | \bfehler\s+im\s+(?:text|artikel)\b
      | \bsignaler\s+une?\s+(?:erreur|faute|coquille)\b
      | \bvous\s+avez\s+(?:repéré|trouvé|vu)\s+une?\s+(?:erreur|faute|coquille)\b
      | \b(?:reportar|informar\s+de|notificar|comunicar|avisar\s+de)\s+(?:un\s+|um\s+)?
        (?:error|erro)\b
      | \b(?:encontraste|encontró|viste)\s+un\s+error\b | \bsegnala(?:re|ci)?\s+un\s+errore\b
      | \bzgłoś\s+(?:błąd|literówkę)\b | \bnahlásit\s+chybu\b | \bnašli\s+jste\s+chybu\b
      | \bnahlásiť\s+chybu\b | \bmeld\s+een\s+fout\b | \bilmoita\s+virhe
      | \bсообщить\s+об\s+ошибке\b | \bнашли\s+(?:ошибку|опечатку)\b | \bctrl\s*\+\s*enter\b""",
    re.I | re.X,
)
_CLOSING_MAX_WORDS: Final = 40
# Where such a footer's links go: the site's pages about itself, its standards and
# corrections, or a mail address.
_SITE_PAGE_PATH_RE = re.compile(
    r"(?:^|[/_#.-])(?:about|about-us|ueber-uns|uber-uns|qui-sommes-nous|quienes-somos|chi-siamo"
    r"|corrections?|correcciones|rectificaciones|erratum|errata|ethics|ethique|etica|standards"
    r"|principles|principes|principios|editorial-polic(?:y|ies)|polic(?:y|ies)|trust(?:-project)?"
    r"|buenas-practicas|bonnes-pratiques|transparen\w*|mission|feedback|kontakt|contact)"
    r"(?:$|[/_#.?-])",
    re.I,
)
_SITE_LINKS_MAX_WORDS: Final = 12
_LEAD_IN_MAX_WORDS: Final = 8  # "Conforme a los criterios de", left before a badge
_LAST_PROSE_MIN_WORDS: Final = 12
_CLOSING_SCAN_BLOCKS: Final = 8
_SENTENCE_END: Final = tuple(".!?…\"'»”“)")


def _links_to_site_pages(block: Block) -> bool:
    """A short line of links to the site's pages about itself ("Learn more" to its ethics
    page, an address to write to)."""
    if len(block.text.split()) > _SITE_LINKS_MAX_WORDS or not _is_link_only(block):
        return False
    urls = [span.href for span in block.spans if span.href]
    for url in urls:
        if url.lower().startswith("mailto:"):
            continue
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        if not _SITE_PAGE_PATH_RE.search(parts.path + "#" + parts.fragment):
            return False
    return bool(urls)


def _is_closing_boilerplate(block: Block) -> bool:
    if block.kind not in ("paragraph", "heading", "list_item", "caption"):
        return False
    text = block.text.strip()
    if len(text.split()) <= _CLOSING_MAX_WORDS and _CLOSING_RE.search(text):
        return True
    # (an item of a list of links is the list's: a nav list is not the site's footer)
    return block.kind == "paragraph" and _links_to_site_pages(block)


def _drop_closing_boilerplate(blocks: list[Block]) -> list[Block]:
    """Drop the site's footer left after the article's last paragraph: a "Trust Project"
    badge, "Report an error" / "Nahlásit chybu", a "Learn more" to its standards page, and
    a few words leading into them. Only short blocks after the last real paragraph are
    looked at, and only those that say so go (a signature, a closing line stay)."""
    doomed: set[int] = set()
    said: set[int] = set()  # the blocks that say what they are (not lead-ins)
    start = max(0, len(blocks) - _CLOSING_SCAN_BLOCKS)
    for index in range(len(blocks) - 1, start - 1, -1):
        block = blocks[index]
        if _is_closing_boilerplate(block):
            doomed.add(index)
            said.add(index)
            continue
        words = len(block.text.split())
        if (
            index + 1 in said
            and block.kind == "paragraph"
            and words <= _LEAD_IN_MAX_WORDS
            and not any(span.href for span in block.spans)
            and not block.text.rstrip().endswith(_SENTENCE_END)
        ):
            doomed.add(index)
            continue
        if block.kind in ("paragraph", "list_item", "code") and words >= _LAST_PROSE_MIN_WORDS:
            break  # the article's last paragraph: what is above it is the article
    return [block for index, block in enumerate(blocks) if index not in doomed]


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Remove ad labels, share lines, teasers, gallery counters and repeated credits."""
    blocks = _drop_headline_runs(_drop_teaser_runs(blocks))
    kept = [
        b
        for b in blocks
        if b.kind == "rule"
        or (b.kind == "code" and b.text.strip())
        or (
            WORD_RE.search(b.text)
            and not _is_chrome_text(b.text, b.kind)
            and not _is_teaser(b)
            and not _is_share_labels(b.text)
            and not (len(b.text) <= _FIGURE_NOTICE_MAX_CHARS and _NOTICE_RE.match(b.text.strip()))
        )
    ]
    # The same caption under every photo is shown once (a gallery repeats it, cut short
    # with "... more" and whole with "less"); a photo credit repeated under every photo is
    # not shown at all, nor a figure's "Citation:" and copyright lines.
    keys = [_caption_key(b.text) if b.kind == "caption" else "" for b in kept]
    counts = Counter(key for key in keys if key)
    seen: list[str] = []
    result: list[Block] = []
    for block, key in zip(kept, keys, strict=True):
        if block.kind == "caption":
            if key in seen:
                continue
            long_enough = len(key) >= _CAPTION_PREFIX_MIN_CHARS
            if long_enough and any(o.startswith(key) and o != key for o in counts):
                continue  # the cut-short copy of a caption shown whole elsewhere
            seen.append(key)
            if counts[key] >= 2 and len(key) <= 80 and _CREDIT_RE.search(key):
                continue
        elif result and result[-1].kind == "caption" and _is_figure_notice(block.text):
            continue
        result.append(block)
    # No rule at the ends or twice in a row.
    final: list[Block] = []
    for block in _drop_closing_boilerplate(result):
        if block.kind == "rule" and (not final or final[-1].kind == "rule"):
            continue
        final.append(block)
    # A linked heading at the very end titles nothing ("Related Searches" whose block is
    # gone); a plain heading there is the page's own and stays.
    while final and (final[-1].kind == "rule" or _is_linked_heading(final[-1])):
        final.pop()
    return final


def drop_title_heading(blocks: list[Block], title: str) -> list[Block]:
    """The header already shows the title: a first heading that says it goes, with the
    kicker above it.

    "Says it" as Readability.js judges a heading to duplicate the title: nearly all of the
    heading's words are the title's, so a title with the site's name after it
    ("… - Breitbart") or a tagline around it still matches.
    """
    if not title:
        return blocks
    for index, block in enumerate(blocks[:_TITLE_SCAN_BLOCKS]):
        if block.kind != "heading":
            if len(block.text.split()) > _KICKER_MAX_WORDS:
                break  # the article has begun: a heading after this is one of its sections
            continue
        if block.level <= _TITLE_HEADING_MAX_LEVEL and (
            _title_similarity(title, block.text) > _TITLE_SIMILARITY
        ):
            # What stands above the title is its kicker ("Wärmewende in Oldenstedt"), not
            # the article; a photo's caption stays.
            kept = [b for b in blocks[:index] if b.kind == "caption"]
            return kept + blocks[index + 1 :]
        break
    return blocks


_TITLE_SCAN_BLOCKS: Final = 3
_TITLE_HEADING_MAX_LEVEL: Final = 2
_TITLE_SIMILARITY: Final = 0.75


def _title_similarity(title: str, heading: str) -> float:
    """Readability.js's text similarity: 1 - the share of the heading (by characters of its
    words) that the title does not have."""
    title_words = set(re.findall(r"\w+", title.casefold()))
    words = re.findall(r"\w+", heading.casefold())
    if not words or not title_words:
        return 0.0
    missing = " ".join(w for w in words if w not in title_words)
    return 1 - len(missing) / len(" ".join(words))


def drop_byline_line(blocks: list[Block], byline: str | None) -> list[Block]:
    """The header already shows the byline: a short line near the top that is the byline
    (with perhaps "By" and a date) goes, as Readability.js removes the byline element."""
    if not byline:
        return blocks
    name = WS_RE.sub(" ", byline).strip().casefold()
    for index, block in enumerate(blocks[:3]):
        text = WS_RE.sub(" ", block.text).strip().casefold()
        if block.kind == "paragraph" and name in text and len(text) <= len(name) + 40:
            return blocks[:index] + blocks[index + 1 :]
    return blocks


# --- the top of the article: what the header already shows ------------------------------

_HEADER_SCAN_BLOCKS: Final = 6
_HEADER_LINE_MAX_CHARS: Final = 160
_KICKER_MAX_WORDS: Final = 4
# What a dateline or byline line is made of besides the name: dates and times in the usual
# notations, zone and clock words, labels, reading time.
_DATELINE_PARTS_RE = re.compile(
    rf"""\d{{1,4}}(?:\s?[./\-:年月日時分秒]\s?\d{{0,4}})*[年月日時分秒]?
      | \b(?:{MONTHS})(?=\W|$)
      | \b(?:uhr|gmt|utc|cet|cest|mez|mesz|bst
          |est|edt|cst|cdt|mst|mdt|pst|pdt|et|pt|jst|kst|aest|am|pm|a\.m\.|p\.m\.)(?=\W|$)
      | \b(?:publié|publiée|publié\s+le|mis\s+à\s+jour|le|à|published|updated|posted|on|at
          |last|modified|aktualisiert|veröffentlicht|am|um|stand|actualizado|publicado|el|a\s+las
          |by|von|par|por|di|door|und|and|et|y
          |min|mins|minutes?|minuten|lesezeit|read|reading|time|de|lecture|lectura|leitura)(?=\W|$)
      | 最終更新|更新|公開|記者|文|読了|分で読めます""",
    re.I | re.X,
)


def drop_header_residue(blocks: list[Block], title: str, byline: str | None) -> list[Block]:
    """The header already shows the title, byline and date: at the top of the body, a
    repeated title (and the kicker above it), a byline line ("Von Ann Lee 18.02.2025, 16:05
    Uhr 4 Min. Lesezeit", "記者：佐藤美咲") and a dateline ("Publié le 01/11/2024 - 9:12
    GMT+1", "Updated 3:45 PM") go."""
    blocks = drop_byline_line(drop_title_heading(blocks, title), byline)
    wanted_title = " ".join(title.split()).casefold()
    name = " ".join((byline or "").split()).casefold()
    result: list[Block] = []
    for index, block in enumerate(blocks):
        text = " ".join(block.text.split())
        top = index < _HEADER_SCAN_BLOCKS and len(text) <= _HEADER_LINE_MAX_CHARS
        if not top or block.kind not in ("paragraph", "heading"):
            result.extend(blocks[index:])
            break
        if wanted_title and text.casefold() == wanted_title:
            # The title again: what came before it is a kicker ("Wärmewende in Oldenstedt").
            result = [b for b in result if len(b.text.split()) > _KICKER_MAX_WORDS]
            continue
        if _is_dateline(text, name):
            continue
        result.append(block)
    return result


def _is_dateline(text: str, name: str) -> bool:
    rest = text.casefold()
    if name:
        rest = rest.replace(name, " ")
    rest = _DATELINE_PARTS_RE.sub(" ", rest)
    had_date = rest != text.casefold() and bool(re.search(r"\d", text))
    return (had_date or bool(name and name in text.casefold())) and not re.search(r"\w", rest)
