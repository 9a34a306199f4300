"""Related-article links from the original page, pure (no I/O).

readability's output has lost the publisher's "related" blocks, so they are read from the
whole page. A wrong related link costs the reader more than a missing one, so the search
works in two steps:

1. *Candidates*: every place that could be a related block: a heading or label that says
   so ("Related", "Lesen Sie auch", "Читайте также", "관련기사" ...), an in-body line
   "Read more: <headline>", a container whose class, id or aria-label says so, a story
   card embedded in the article body, schema.org ``relatedLink``.
2. *Confidence*: each candidate gets a score from signals that, on real pages, separate
   the publisher's related picks from the lists that look like them (most read, latest,
   section feeds, site-wide "you may like" boxes, sponsored widgets): what its heading
   says, where it sits relative to the article, whether its headlines share the article's
   subject, how many links it has, whether the same links fill the navigation, and
   whether they point to stories newer than this one. Only candidates above a threshold
   give links, and each link must itself look like another article of the same site with
   a headline (not a tag, section, author, legal, share or ad link, nor the article itself).

The weights were set on a hand-labelled development set of real pages in nine languages
(``../shared/related-dev``) and checked on small pages written for the tests; each signal
below says why it is there. :func:`explain_related` shows the candidates and their scores.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from reader.models import Block, Link

__all__ = [
    "READ_MORE_PREFIX_RE",
    "RELATED_HEADING_RE",
    "base_url_of",
    "explain_related",
    "find_body_links",
    "find_related",
    "heading_kind",
    "is_article_url",
    "normalize_url",
    "parse_page",
]

# --------------------------------------------------------------------------------------
# Vocabulary: what headings and labels say
# --------------------------------------------------------------------------------------

# Headings that say "these stories are on this subject" (matched on the whole heading,
# after trimming punctuation; a short tail such as "zum Thema Bahn" may follow).
# Publishers write these over hand-picked or topic-matched lists.
_TOPIC_PHRASES = r"""
    related(?:\s+(?:articles?|stories|story|content|coverage|news|posts?|reading|links|items))?
  | further\s+reading | more\s+(?:on|about)\s+(?:this|the|that)\s+(?:story|topic|subject|issue|case)
  | more\s+on\s+this | more\s+stories\s+like\s+this | (?:previous|earlier|past)\s+coverage
  | on\s+the\s+same\s+(?:topic|subject) | in\s+(?:this|the\s+same)\s+series
  | sur\s+le\s+même\s+(?:sujet|thème) | articles?\s+similaires
  | (?:articles?\s+)?en\s+relation | sur\s+ce\s+(?:sujet|thème) | articles?\s+correspondants?
  | pour\s+approfondir | pour\s+aller\s+plus\s+loin | dans\s+le\s+même\s+dossier
  | nos\s+articles\s+sur\s+le\s+sujet
  | (?:mehr\s+)?zum\s+thema | mehr\s+zu\s+diesem\s+thema | mehr\s+dazu
  | weitere\s+artikel\s+zum\s+thema | weiterführende\s+(?:links|artikel|beiträge)
  | passend\s+zum\s+thema | (?:verwandte|ähnliche)\s+(?:artikel|beiträge|nachrichten)
  | (?:[\w-]+\s+){0,2}relacionad[ao]s? | (?:[\w-]+\s+){0,2}relacionat(?:s|des)?
  | (?:[\w-]+\s+){0,2}correlat[ie] | (?:[\w-]+\s+){0,2}(?:liés|connexes)
  | más\s+sobre\s+(?:este|el)\s+tema | veja\s+mais\s+sobre
  | approfondimenti | approfondisci
  | gerelateerd(?:e\s+artikelen)? | meer\s+over\s+dit\s+onderwerp
  | powiązane(?:\s+(?:artykuły|tematy|treści))? | (?:więcej\s+)?na\s+ten\s+temat
  | читайте\s+по\s+теме | (?:ещё\s+|еще\s+)?по\s+теме | (?:материалы|новости|статьи)\s+по\s+теме
  | (?:похожие|связанные)\s+(?:новости|статьи|материалы) | за\s+темою | по\s+темі
  | lue\s+aiheesta\s+lisää | aiheesta\s+(?:lisää|muualla)
  | aiheeseen\s+liittyv(?:ät|iä)(?:\s+artikkelit)?
  | relaterat | relaterade\s+artiklar | mer\s+om\s+ämnet | relater(?:te|ede)\s+(?:artikler|saker)
  | související(?:\s+články)? | súvisiace(?:\s+články)?
  | ilgili\s+(?:haberler|haber|yazılar) | benzer\s+haberler | (?:berita|artikel)\s+terkait
  | 関連記事 | 関連ニュース | 関連リンク | 関連する記事
  | 관련\s*기사 | 관련\s*뉴스
  | 相关阅读 | 相关文章 | 相关新闻 | 相关报道 | 相關新聞 | 相關文章 | 相關報導 | 延伸閱讀 | 延伸阅读
  | (?:مواضيع|أخبار|مقالات)\s+ذات\s+صلة | संबंधित\s+खबरें
  | (?:tin|bài)\s+liên\s+quan | σχετικά\s+άρθρα
  | kapcsolódó\s+cikkek | articole\s+similare | כתבות\s+קשורות
"""

# Headings that say "read this too": the publisher's picks as well, but also the name of
# some site-wide promotion boxes, so a box under one needs its headlines to share the
# article's subject a little.
_ALSO_PHRASES = r"""
    see\s+also | read\s+(?:also|more) | also\s+read | more\s+reading | more\s+on
  | (?:à\s+|a\s+)?lire\s+(?:aussi|également|egalement) | (?:à\s+|a\s+)?voir\s+aussi
  | l[’']auteur\s+vous\s+recommande
  | lesen\s+sie\s+(?:auch|mehr) | auch\s+lesenswert
  | (?:leia|veja)\s+também | leia\s+mais
  | (?:lee|lea|leer)\s+(?:también|más) | (?:seguir|sigue)\s+leyendo
  | (?:también\s+)?puedes?\s+leer(?:\s+también)?
  | leggi\s+(?:anche|pure) | vedi\s+anche | lees\s+(?:ook|meer) | zie\s+ook
  | (?:czytaj|przeczytaj|zobacz)\s+(?:też|także|również) | czytaj\s+więcej
  | читайте\s+(?:также|ещё|еще|також) | смотрите\s+также | см\.?\s+также | также\s+читайте
  | дивіться\s+також
  | lue\s+(?:myös|lisää) | läs\s+(?:också|även|mer) | (?:læs|les)\s+(?:også|mere|mer)
  | čtěte\s+(?:také|též|dále) | prečítajte\s+si\s+(?:tiež|aj)
  | baca\s+(?:juga|pula) | lihat\s+juga
  | (?:あわせて|合わせて)読みたい | 함께\s*(?:보면|읽으면)\s*좋은\s*(?:기사|뉴스)
  | اقرأ\s+أيضا | اقرأ\s+أيضاً | (?:यह|ये)\s+भी\s+पढ़ें | xem\s+thêm | đọc\s+thêm
  | διαβάστε\s+(?:επίσης|ακόμα) | citește\s+și | קראו\s+גם
"""
_RELATED_PHRASES = f"{_TOPIC_PHRASES} | {_ALSO_PHRASES}"

# Headings of generic recommendation boxes. Sometimes the publisher's picks on the subject,
# often a site-wide feed under a friendly name; such a box counts only with other evidence
# (its headlines share the article's subject, it sits with the article).
_WEAK_PHRASES = r"""
    you\s+(?:may|might|could)\s+(?:also\s+)?(?:like|enjoy|want\s+to\s+read|be\s+interested\s+in)
  | recommended(?:\s+(?:for\s+you|stories|articles|reading))? | we\s+recommend | read\s+next
  | what\s+to\s+read\s+next | more\s+stories\s+for\s+you
  | (?:das\s+)?könnte\s+sie\s+(?:auch\s+)?interessieren | auch\s+interessant | empfohlene\s+artikel
  | (?:à\s+|a\s+)?découvrir(?:\s+(?:aussi|également))? | vous\s+aimerez\s+aussi
  | (?:la\s+rédaction|nous)\s+vous\s+recommand(?:e|ons)
  | (?:también\s+)?(?:te|le)\s+(?:puede|podría)\s+interesar | más\s+información
  | (?:você\s+)?(?:pode\s+)?(?:também\s+)?gostar | saiba\s+mais | veja\s+mais
  | (?:ti\s+)?potrebbe\s+interessarti | ti\s+potrebbe\s+(?:interessare|piacere)
  | per\s+saperne\s+di\s+più
  | ook\s+interessant | polecamy | рекомендуем | вам\s+может\s+быть\s+интересно
  | lue\s+seuraavaksi | (?:bunlar\s+da\s+)?ilginizi\s+çekebilir
  | こちらもおすすめ | おすすめ記事 | 推荐阅读 | 推薦閱讀 | 猜你喜欢 | 相关推荐
  | 您可能(?:會|会)有(?:興趣|兴趣)的文章 | 你可能(?:感兴趣|會喜歡|会喜欢)
"""

# Headings of lists that are never the publisher's related picks: most read, latest,
# section and author feeds, previous/next, tags, ads, media. Checked first and matched at
# the start of the heading, so "More from UK" or "Plus en Montréal" are caught whatever
# the section's name.
_NEGATIVE_PHRASES = r"""
    most\s+(?:read|popular|viewed|shared|commented|watched|emailed|recent) | popular | trending
  | latest | newest | recent(?:ly)? | top\s+(?:stories|news|\d+|picks|headlines)
  | last\s+(?:news|stories|posts|articles)
  | breaking | editor'?s'?\s+(?:picks?|choice) | editors'?\s+(?:picks?|choice) | staff\s+picks
  | don'?t\s+miss | more\s+(?:from|in|by|stories|news|headlines|videos?) | also\s+by
  | other\s+(?:posts|articles|stories)\s+by | read\s+the\s+latest | up\s+next
  | (?:next|previous|prev)(?:\s+(?:article|story|post|page))?$ | sponsored | promoted
  | partner | advertisement | paid | from\s+(?:our|the)\s+(?:partners|web|network)
  | around\s+the\s+web | videos? | watch | podcasts? | photos? | galler(?:y|ies) | newsletter
  | tags? | topics? | subjects? | categor(?:y|ies) | filed\s+under | in\s+case\s+you\s+missed
  | related\s+(?:topics|tags|subjects|categories|videos?|searches)
  | meist(?:\s*gelesen|gelesen|kommentiert|geklickt) | am\s+meisten | beliebt | neueste
  | aktuell | top[\s-]?(?:themen|news|artikel|meldungen)
  | weitere\s+(?:meldungen|themen|nachrichten)
  | mehr\s+(?:aus|von) | aus\s+dem\s+ressort | nachrichten\s+aus | anzeige | werbung
  | ähnliche\s+themen | themen | schlagw(?:orte|ort) | bilder | das\s+beste | newsticker
  | nächste\s+seite | stellen(?:markt|angebote) | jobs | karriere
  | (?:les\s+)?plus\s+(?:lus|populaires|partagés|commentés|vus|en|dans|de|par)
  | populaires? | dernières?\s+(?:nouvelles|actualités|infos|articles|minute)
  | à\s+la\s+une | en\s+ce\s+moment | du\s+même\s+auteur | dans\s+la\s+(?:même\s+)?rubrique
  | article\s+(?:précédent|suivant) | à\s+suivre | mots[\s-]clés | sponsoris | publicité
  | partenaires? | vidéos? | en\s+images
  | (?:las\s+|los\s+|lo\s+)?más\s+(?:leíd[ao]s?|vist[ao]s?|populares|compartid|de|en)
  | últim[ao]s?\s+(?:noticias|notas|notícias|matérias) | lo\s+último | destacad | temas
  | tópicos | lo\s+que\s+se\s+lee | en\s+portada | del\s+mismo\s+autor
  | (?:nota|noticia)\s+(?:anterior|siguiente) | publicidad | patrocinad | contenido\s+patrocinado
  | (?:as\s+|os\s+)?mais\s+(?:lid[ao]s?|vist[ao]s?|populares|recentes|em|de|na|no)
  | principais\s+manchetes | manchetes | \+\s*(?:na|no|em|lidas) | destaques? | em\s+destaque
  | do\s+mesmo\s+autor | publicidade | vídeos?
  | (?:i\s+)?più\s+(?:letti|lett[ei]|visti|popolari|condivisi|recenti)
  | ultim[ei]\s+(?:notizie|articoli|news)
  | topnews | primo\s+piano | in\s+evidenza | dello\s+stesso\s+autore | altri\s+articoli\s+di
  | argomenti | sponsorizzat | pubblicità
  | najczęściej | najpopularniejsze | popularne | najnowsze | najważniejsze | warte\s+przeczytania
  | z\s+ostatniej\s+chwili | więcej\s+(?:z|od) | reklama | materiał\s+(?:sponsorowany|partnera)
  | wideo | dziś\s+w | rekomendacje | zobacz\s+więcej
  | самое | популярн | последние | лента | новости$ | главное | материалы\s+автора
  | другие\s+материалы | реклама | партн | видео | фото
  | luetuimmat | uusimmat | tuoreimmat | pääuutiset | suosituimmat | kaupallinen | kirjoittajan
  | mainos | meest\s+gelezen | populair | laatste\s+nieuws | meer\s+uit | gesponsord | advertentie
  | mest\s+(?:läst|lästa|delade) | senaste | çok\s+okunan\w* | en\s+çok | son\s+dakika | reklam
  | nejčtenější | nejnovější | nejoblíbenější | الأكثر | آخر\s+الأخبار | إعلان
  | ランキング | 人気 | 最新 | 新着 | 広告 | 많이\s*본 | 인기 | 최신 | 광고 | 热门 | 熱門 | 排行
  | 广告 | 廣告
"""

_X = re.I | re.X
_RELATED_RE = re.compile(rf"(?:{_RELATED_PHRASES})(?:\s+\S+){{0,3}}", _X)
_TOPIC_RE = re.compile(rf"(?:{_TOPIC_PHRASES})(?:\s+\S+){{0,3}}", _X)
_WEAK_RE = re.compile(rf"(?:{_WEAK_PHRASES})(?:\s+\S+){{0,3}}", _X)
_NEGATIVE_RE = re.compile(rf"(?:{_NEGATIVE_PHRASES})(?:\b|$)", _X)
_HEADING_TRIM_RE = re.compile(r"^[\W_]+|[\W_]+$")
# Separators left around a headline by its label ("Read more: ", " »").
_TITLE_TRIM_RE = re.compile(r"^[\s:：|–—\-»>›•·]+|[\s:：|–—\-»>›•·]+$")
_MAX_HEADING_CHARS = 60

# A heading that introduces a related-articles block (any of the phrases above), for the
# extraction's body cleanup: such a label and the headline links under it are not text.
RELATED_HEADING_RE = re.compile(
    rf"^[\W_]*(?:(?:{_RELATED_PHRASES})|(?:{_WEAK_PHRASES}))(?:\s+\S+){{0,3}}?[\W_]*$", _X
)

# In-body teaser lines: "Read more: <headline>", "Czytaj też: <headline>",
# "LIRE AUSSI SUR REGARDS.FR >> <headline>".
READ_MORE_PREFIX_RE = re.compile(
    rf"^[\W_]{{0,3}}(?:(?:{_RELATED_PHRASES})|(?:{_WEAK_PHRASES})|nota\s+relacionada|more)"
    r"(?:\s+(?:sur|on|at|in|en|em|no|na|auf|bei|de|di|su|w|на|в)\s+[\w.'’-]+)?"
    r"\s*(?:[:：»>|–—-]|\.\.\.|…)",
    _X,
)


def _clean_heading(text: str) -> str:
    # casefold() turns Turkish "İ" into "i" and a combining dot: the dot goes.
    return _HEADING_TRIM_RE.sub("", _WS_RE.sub(" ", text).strip()).casefold().replace("\u0307", "")


def _names_the_subject(heading: str) -> bool:
    """A heading that says "on this subject" (Related, Mehr zum Thema), not "read this too"."""
    return bool(_TOPIC_RE.fullmatch(_clean_heading(heading)))


def heading_kind(text: str) -> str | None:
    """What a heading says about the links under it: ``"related"`` (the publisher's picks
    on this subject), ``"weak"`` (a generic recommendation box), ``"negative"`` (most
    read, latest, section, author, ads ...) or None (says nothing we know)."""
    return _heading_kind(text)


@lru_cache(maxsize=4096)
def _heading_kind(text: str) -> str | None:
    cleaned = _clean_heading(text)
    if not cleaned or len(cleaned) > _MAX_HEADING_CHARS:
        return None
    if _NEGATIVE_RE.match(cleaned):
        return "negative"
    if _RELATED_RE.fullmatch(cleaned):
        return "related"
    if _WEAK_RE.fullmatch(cleaned):
        return "weak"
    return None


# class/id words of containers that hold related articles.
_RELATED_CLASS_RE = re.compile(
    r"related|relacionad|correlat|recommend|read-?also|see-?also|seealso|also-?read"
    r"|more-?on-?(?:the-?)?(?:subject|topic|this)|mehr-?zum-?thema|zum-?thema|lire-?aussi"
    r"|lee-?tambien|leia-?tambem|veja-?tambem|saiba-?mais|leggi-?anche|czytaj|powiazane"
    r"|further-?reading|stories-?linked|story-?package|yarpp|crp_related|more-?like-?this"
    r"|similar-?(?:posts|articles|stories)",
    re.I,
)
# class/id words of lists that are not related: feeds, rankings, authors, pagers, media.
_NEGATIVE_CLASS_RE = re.compile(
    r"most-?(?:read|popular|viewed|shared|commented)|popular|trending|ranking|meistgelesen"
    r"|mas-?leid|mais-?lid|plus-?lus|latest|newest|recent|ultim[ao]s|breaking|ticker"
    r"|same-?section|more-?from|author|byline|(?<!read-)(?<!read_)(?<!read)next|prev|pager"
    r"|pagination|video|gallery"
    r"|podcast|newsletter|(?:^|[\s_-])(?:nav|menu|navbar|megamenu|dropdown)(?:$|[\s_-])"
    r"|breadcrumb|footer-?links|(?:^|[\s_-])tags?(?:$|[\s_-])|keywords|mots-?cles|topics",
    re.I,
)
# Sponsored and ad widgets: no link inside one is ever related.
_AD_CLASS_RE = re.compile(
    r"taboola|outbrain|trc_|(?:^|[\s_-])ob[-_]|zergnet|revcontent|mgid|plista|sponsor|partner"
    r"|(?:^|[\s_-])(?:ad|ads|advert|advertisement|adv|adslot|dfp|banner|anzeige|publicidad)"
    r"(?:$|[\s_-])|share|sharing|social|comment",
    re.I,
)
_TITLE_CLASS_RE = re.compile(r"(?<!sub)(?:title|headline)", re.I)
# The line above a headline (section, series, "Exclusive"), named in many ways.
_KICKER_CLASS_RE = re.compile(
    r"kicker|overline|eyebrow|dateline|topline|dachzeile|rubric|category|flag|label|tag", re.I
)
_CHROME_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|megamenu|mega-menu|dropdown|site-header"
    r"|masthead|breadcrumbs?)(?:$|[\s_-])",
    re.I,
)
_SIDEBAR_CLASS_RE = re.compile(r"sidebar|side-bar|(?:^|[\s_-])(?:rail|aside|secondary)", re.I)

# --------------------------------------------------------------------------------------
# URLs
# --------------------------------------------------------------------------------------

# Path segments of pages that are not articles.
_NON_ARTICLE_SEGMENTS = frozenset(
    """
    tag tags tagi topic topics subject subjects archiv thema themen theme themes tema temas tematy
    category categories
    categoria categorias categorie rubrique rubriques section sections ressort author authors
    autor autores auteur auteurs autoren people person staff profile profiles user users member
    members journalist journalists reporter reporters search suche buscar recherche login
    signin sign-in register registro regist subscribe subscription subscriptions suscripcion
    abo abonnement account about about-us contact contacto kontakt
    privacy privacy-policy terms terms-of-service terms-of-use legal cookies cookie
    cookie-policy impressum datenschutz agb aviso-legal politica-de-privacidad
    politica-de-cookies rss feed feeds shop store boutique advertise advertising mediadaten
    jobs careers sponsored partner-content traueranzeigen esquelas obituaries archive archives
    page policy tagged label labels motcle mots-cles schlagwort stichwort argomenti etiqueta
    etiquetas topicos assunto assuntos video videos galeria gallery galleries podcast podcasts
    """.split()
)
# Segments that make a list page only at the end of a path (/newsletters/ is a sign-up
# page, /newsletters/playbook/2019/12/19/... one issue).
_LAST_ONLY_SEGMENTS = frozenset({"newsletter", "newsletters"})
_NON_ARTICLE_HOSTS_RE = re.compile(
    r"(?:^|\.)(?:taboola\.com|outbrain\.com|doubleclick\.net|googlesyndication\.com"
    r"|facebook\.com|twitter\.com|x\.com|t\.co|linkedin\.com|whatsapp\.com|t\.me|telegram\.me"
    r"|vk\.com|ok\.ru|pinterest\.com|reddit\.com|line\.me|hatena\.ne\.jp|instagram\.com"
    r"|youtube\.com|tiktok\.com|mastodon\.social|bsky\.app|getpocket\.com|flipboard\.com"
    r"|carbonads\.net|buysellads\.com|news\.google\.com)$",
    re.I,
)
_AD_QUERY_KEYS = frozenset({"tblci", "obOrigUrl", "dicbo", "ob_click_id", "share", "replytocom"})
# utm_campaign=Inline-Ad: the publisher's own ads (for its shop, its paid issues).
_AD_QUERY_VALUES_RE = re.compile(
    r"taboola|outbrain|sponsor|advert|(?:^|[\W_])ads?(?:$|[\W_])", re.I
)
_GENERIC_LINK_TEXT_RE = re.compile(
    r"^\W*(?:read\s+more|more|continue\s+reading|see\s+all.*|view\s+all.*|show\s+more|"
    r"weiterlesen|mehr|lire\s+la\s+suite|leer\s+más|ler\s+mais|leia\s+mais|подробнее|続きを読む)\W*$",
    re.I,
)
# Second-level labels under which registries sell names (example.co.uk, example.com.br).
_PUBLIC_SECOND_LEVEL = frozenset("co com net org gov edu ac or ne go gob nic mil".split())


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


# Query parameters that track a visit or page a story, not name another one.
_IGNORED_QUERY_KEYS = frozenset(
    {"ref", "ref_src", "fbclid", "gclid", "mc_cid", "mc_eid", "page", "output", "amp", "s"}
)


def _same_page(a: str, b: str) -> bool:
    """Whether two URLs are the same story (also its next page or a tracked link to it);
    ``articleView.html?idxno=1`` and ``?idxno=2`` are two stories."""
    try:
        pa, pb = urlsplit(a), urlsplit(b)
    except ValueError:
        return a == b
    host_a = pa.netloc.lower().removeprefix("www.")
    host_b = pb.netloc.lower().removeprefix("www.")
    if host_a != host_b or pa.path.rstrip("/") != pb.path.rstrip("/"):
        return False

    def naming(query: str) -> set[tuple[str, str]]:
        return {
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if k not in _IGNORED_QUERY_KEYS and not k.startswith("utm_")
        }

    return naming(pa.query) == naming(pb.query)


def _site_of(url: str) -> str:
    """The registrable part of a URL's host: news.example.co.uk -> example.co.uk."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _PUBLIC_SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


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
    if any(s.lower() in _NON_ARTICLE_SEGMENTS for s in segments) and not (
        _story_under_list_segment(segments)
    ):
        return False
    # A newsletter's sign-up page, not one of its dated issues.
    if segments[-1].lower() in _LAST_ONLY_SEGMENTS:
        return False
    last = segments[-1].lower()
    # An article's address ends in a slug, an id or a file; a section's in one plain word.
    if re.search(r"\.(?:s?html?|php|aspx?|jsp|cms|read)$", last):
        return True
    if re.search(r"\d", last):
        return True
    joins = last.count("-") + last.count("_")
    # /2025/01/02/short-slug/ is an article too: dated paths with a slug.
    return joins >= 2 or (joins >= 1 and bool(re.search(r"\d", parts.path)))


# List words some sites also file their stories under ("/thema/<headline-slug>/497039969").
_LIST_SEGMENTS = frozenset(
    """
    thema themen theme themes tema temas tematy topic topics subject subjects category categories
    categoria categorias categorie rubrique rubriques section sections ressort archiv archive
    archives
    """.split()
)
_HEADLINE_SLUG_JOINS = 4  # a headline's words, not a topic's name ("donald-trump")


def _story_under_list_segment(segments: Sequence[str]) -> bool:
    """Whether a path with a list word in it is still one story: the list word is of a kind
    stories are filed under (a topic, a section, not a tag, an author or a video), and it
    is followed by a headline's slug ending in a long id or a page file."""
    lowered = [segment.lower() for segment in segments]
    if any(s in _NON_ARTICLE_SEGMENTS and s not in _LIST_SEGMENTS for s in lowered):
        return False
    last = max(i for i, s in enumerate(lowered) if s in _LIST_SEGMENTS)
    rest = lowered[last + 1 :]
    slug = any(s.count("-") + s.count("_") >= _HEADLINE_SLUG_JOINS for s in rest)
    ending = bool(rest) and bool(re.search(r"\d{5,}|\.s?html?$", rest[-1]))
    return slug and ending


def base_url_of(root: lxml.html.HtmlElement, url: str) -> str:
    base = root.find(".//base[@href]")
    if base is not None:
        try:
            return str(urljoin(url, str(base.get("href") or "")))
        except ValueError:
            return url
    return url


_STAMP_DATE_RE = re.compile(r"(?<!\d)(20\d\d|19\d\d)[/-]?(0[1-9]|1[0-2])[/-]?(0[1-9]|[12]\d|3[01])")
_STAMP_ID_RE = re.compile(r"\d{5,}")


def _url_stamp(url: str) -> tuple[str, int] | None:
    """A comparable publication mark in a URL: its date, else its longest numeric id."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    date = _STAMP_DATE_RE.search(path)
    if date:
        return ("date", int("".join(date.groups())))
    ids = _STAMP_ID_RE.findall(path)
    if not ids:
        return None
    longest = max(ids, key=len)
    return (f"id{len(longest)}", int(longest))


# --------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_SKIP_TEXT_TAGS = frozenset(
    {"time", "script", "style", "noscript", "button", "svg", "template", "select"}
)
_BLOCK_TAGS = frozenset(
    "div p h1 h2 h3 h4 h5 h6 li ul ol figure figcaption section article aside header footer"
    " br dt dd blockquote table tr td".split()
)
_WORD_RE = re.compile(r"\w+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CJK_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LABEL_TAGS = frozenset(
    {
        *_HEADING_TAGS,
        "strong",
        "b",
        "em",
        "i",
        "u",
        "span",
        "p",
        "div",
        "header",
        "legend",
        "label",
        "dt",
        "summary",
        "figcaption",
        "a",
        "li",
        "button",
    }
)


def _features(el: lxml.html.HtmlElement) -> str:
    return " ".join(
        value for value in (el.get("class"), el.get("id"), el.get("aria-label")) if value
    )


def _text(el: lxml.html.HtmlElement) -> str:
    """The element's visible text, whitespace collapsed, without dates and buttons."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if isinstance(node.tag, str) and node.tag not in _SKIP_TEXT_TAGS:
            block = node.tag in _BLOCK_TAGS
            if block:
                parts.append(" ")  # a kicker and a headline in two boxes are two words
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    parts.append(child.tail)
            if block:
                parts.append(" ")

    walk(el)
    return _WS_RE.sub(" ", "".join(parts)).strip()


def _head_text(el: lxml.html.HtmlElement, limit: int = 48) -> str:
    """The first characters of an element's text, read lazily (cheap on big containers)."""
    collected = ""
    for piece in el.itertext():
        collected += piece
        if len(collected) >= limit:
            break
    return _WS_RE.sub(" ", collected).strip()


# Function words of the languages met most (four letters or more; shorter words are
# ignored anyway): they are on every headline and say nothing of its subject.
_STOPWORDS = frozenset(
    """
    that this with from have were been they their there them then than what when where which
    while would could should about after before into over under more most other some such
    only also just like said says will your very much many even back being because does
    done each made make here those these both between through during without again against
    dass sich nicht oder auch eine einer einem einen eines sind wird werden wurde wurden
    haben hatte hatten sein seine seiner ihre ihren ihrer über unter nach noch schon sehr
    mehr wenn weil aber doch dann denn diese dieser dieses diesem diesen kann können soll
    sollen muss müssen will wollen zwei drei beim durch gegen ohne zwischen sowie etwa
    bereits immer jetzt heute alle allen alles andere anderen damit dabei dazu hier dort
    wieder also ganz viel viele dans pour avec sont mais plus tout tous toute toutes cette
    cela comme leur leurs elle elles nous vous être avoir fait faire peut sans sous entre
    aussi alors encore même depuis donc très bien deux trois était avait sera selon après
    avant chez dont quand quel quelle para como pero más este esta estos estas todo todos
    toda todas sobre cuando desde hasta porque también donde según sido está están tiene
    tienen había hace puede pueden ante tras cual cuál otro otra otros otras sólo solo
    mismo misma ellos ellas nuestro parte durante aunque mais isso esse essa quando até
    foram estão têm havia pode podem ainda após pela pelo pelos pelas seus suas muito
    mesmo outro outra outros outras della delle degli dello sono anche più questo questa
    questi queste tutto tutti tutta tutte sulla sulle dalla dalle nella nelle negli alla
    alle agli però dove perché ancora dopo prima essere stato stata hanno aveva molto loro
    fino secondo voor zijn niet maar ook over deze door naar heeft hebben werd worden wordt
    nog zich onder omdat tussen tegen zoals jest oraz przez jako jego tego tych które który
    która także również może będzie było były został została tylko jeszcze nawet przed
    między kiedy gdzie bardzo что это как так его она они для при после было были будет
    если еще ещё уже также только может чтобы этот этого которые который которая более
    всех между однако когда joka jotka mutta myös sekä kuin ovat olivat ollut mukaan hänen
    heidän tämä tämän nämä vain vielä jälkeen sitä siitä niin
    """.split()
)


def _words(text: str) -> set[str]:
    """The words that can carry a subject: four letters or more, no function words, no
    numbers; CJK text (no spaces) as character pairs."""
    words: set[str] = set()
    lowered = text.casefold()
    for run in _CJK_RUN_RE.findall(lowered):
        words.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD_RE.findall(_CJK_RUN_RE.sub(" ", lowered)):
        if len(word) >= 4 and not word.isdigit() and word not in _STOPWORDS:
            words.add(word)
    return words


def _same_word(a: str, b: str) -> bool:
    """Two forms of one word (Rosja/Rosji, Israel/Israeli, leasen/Leasing): a shared
    beginning of four letters or more that leaves at most two letters of either."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= min(4, len(a), len(b)) and common >= min(len(a), len(b)) - 2


def _is_headline(title: str) -> bool:
    """A story's headline, not a tag, a section, a date or a button: a few words at least."""
    if len(_CJK_RE.findall(title)) >= 6:
        return True
    words = [w for w in _WORD_RE.findall(title) if not w.isdigit()]
    return len(words) >= 3 and len(title) >= 12


def _is_title_box(el: lxml.html.HtmlElement) -> bool:
    """A heading or an element named headline or title, not a kicker."""
    names = el.get("class") or ""
    return (el.tag in _HEADING_TAGS or bool(_TITLE_CLASS_RE.search(names))) and not (
        _KICKER_CLASS_RE.search(names)
    )


def _anchor_title(anchor: lxml.html.HtmlElement) -> str:
    # Prefer the headline inside a card-like link over its kicker, section, teaser or date:
    # the innermost heading or element named headline or title, else bold text that is a
    # headline, else the link's text without a leading label ("PREVIOUS", "Related").
    boxes = [el for el in anchor.iter() if el is not anchor and isinstance(el.tag, str)]
    titles = [el for el in boxes if _is_title_box(el)]
    innermost = [
        el for el in titles if not any(o is not el and _is_descendant(o, el) for o in titles)
    ]
    texts = [text for text in (_text(el) for el in innermost) if text]
    # A label in its own title box inside the link ("<h3>Read also</h3><h4>headline</h4>")
    # says what the link is; the headline is the other box.
    if len(texts) > 1:
        texts = [text for text in texts if heading_kind(text) not in ("related", "weak")]
    for text in texts:
        if _is_headline(text):
            return text
    if texts:
        return texts[0]
    for el in anchor.iter("strong", "b"):
        text = _text(el)
        if _is_headline(text):
            return text
    text = _text(anchor)
    first = boxes[0] if boxes and not (anchor.text or "").strip() else None
    if first is not None and heading_kind(_text(first)) and _text(first) != text:
        text = text.removeprefix(_text(first)).strip()  # an eyebrow element: "Related"
    label = _CAPS_LABEL_RE.match(text)
    if label and heading_kind(label.group(1)):
        text = text[label.end() :]  # an eyebrow in capitals: "PREVIOUS", "VIDEO"
    if not text:
        text = _WS_RE.sub(" ", anchor.get("title") or "").strip()
    return _TITLE_TRIM_RE.sub("", text) if text else ""


_CAPS_LABEL_RE = re.compile(r"^([A-ZÀ-ÖØ-ÞА-ЯЁ]{3,}(?:\s+[A-ZÀ-ÖØ-ÞА-ЯЁ]{2,}){0,2})[\s:|]+(?=\S)")


def _is_descendant(el: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement) -> bool:
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


# --------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------


@dataclass
class _Page:
    """What every candidate is measured against: the article, its subject, the chrome."""

    root: lxml.html.HtmlElement
    url: str
    base_url: str
    self_urls: list[str]
    sites: frozenset[str]  # the page's site, and its canonical one (a syndicated copy)
    body: lxml.html.HtmlElement | None  # the element holding the story's paragraphs
    article: lxml.html.HtmlElement | None  # its <article> (or articleBody) wrapper, or body
    stamp: tuple[str, int] | None
    _targets: dict[lxml.html.HtmlElement, str | None] = field(default_factory=dict)
    _hrefs: dict[str, str | None] = field(default_factory=dict)
    _prose: dict[lxml.html.HtmlElement, int] = field(default_factory=dict)
    _indexes: dict[tuple[str, ...], dict[str, list[tuple[str, float]]]] = field(
        default_factory=dict
    )

    # Measured only when a candidate needs them (most pages have none or few).

    @cached_property
    def order(self) -> dict[lxml.html.HtmlElement, int]:
        return {el: index for index, el in enumerate(self.root.iter())}

    @cached_property
    def subject(self) -> _Subject:
        texts = [text for text in (a.text_content() for a in self.root.iter("a")) if text.strip()]
        return _subject(self.root, self.body, texts)

    @cached_property
    def profile_index(self) -> dict[str, list[tuple[str, float]]]:
        """The article's subject words by their first four letters."""
        return _profile_index(_article_profile(self.subject))

    def profile_index_without(
        self, anchors: Sequence[lxml.html.HtmlElement]
    ) -> dict[str, list[tuple[str, float]]]:
        """The same, leaving a block's own links out of the site's vocabulary."""
        own = tuple(
            sorted(text for text in (a.text_content() for a in set(anchors)) if text.strip())
        )
        if own not in self._indexes:
            self._indexes[own] = _profile_index(_article_profile(self.subject, own))
        return self._indexes[own]

    @cached_property
    def chrome_hrefs(self) -> set[str]:
        """The links of the menus and the page header, as written."""
        boxes = self.root.xpath(
            "//nav | //header | //*[@role='navigation'] | //*[contains(@class, 'nav')"
            " or contains(@class, 'menu') or contains(@class, 'Nav') or contains(@class, 'Menu')"
            " or contains(@class, 'dropdown') or contains(@class, 'masthead')"
            " or contains(@class, 'breadcrumb') or contains(@class, 'header')"
            " or contains(@id, 'nav') or contains(@id, 'menu') or contains(@id, 'header')]"
        )
        # <body class="navbar-is-fixed-top"> names the page's state, not a menu; nor is a
        # box around the story itself one.
        return {
            (anchor.get("href") or "").strip()
            for box in boxes
            if box.tag not in ("body", "html")
            and not (self.body is not None and _is_descendant(self.body, box))
            and _is_chrome_box(box)
            for anchor in box.iter("a")
        }

    def prose_length(self, el: lxml.html.HtmlElement) -> int:
        if el not in self._prose:
            self._prose[el] = _prose_length(el)
        return self._prose[el]

    def target(self, anchor: lxml.html.HtmlElement) -> str | None:
        """The anchor's URL when it can be a related article of this page, else None."""
        if anchor in self._targets:
            return self._targets[anchor]
        self._targets[anchor] = url = self._target(anchor)
        return url

    def _target(self, anchor: lxml.html.HtmlElement) -> str | None:
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:")):
            return None
        if "sponsored" in (anchor.get("rel") or "").lower():
            return None
        if href not in self._hrefs:
            self._hrefs[href] = self._resolve(href)
        return self._hrefs[href]

    def _resolve(self, href: str) -> str | None:
        try:
            url = normalize_url(urljoin(self.base_url, href))
        except ValueError:
            return None
        if not is_article_url(url, self.url):
            return None
        if any(_same_page(url, own) for own in self.self_urls):
            return None
        # Other sites' stories are sources, partners or networks, not this site's picks.
        # A copy of a story on another host (syndicated, AMP cache, mirror) links the
        # publisher's: the site its <link rel=canonical> or og:url names is this site too.
        if _site_of(url) not in self.sites:
            return None
        return url

    def position(self, el: lxml.html.HtmlElement) -> int:
        return self.order.get(el, 0)

    def inside_body(self, el: lxml.html.HtmlElement) -> bool:
        return self.body is not None and _is_descendant(el, self.body)

    def where(self, el: lxml.html.HtmlElement) -> str:
        """Where an element sits: "body" (among the story's paragraphs), "after" (below
        the story, in its column), "elsewhere" (below it, away from it), "sidebar",
        "footer", "before" (above the story) or "unknown" (no story found)."""
        if self.body is None:
            return "unknown"
        if _is_descendant(el, self.body):
            return "body"
        for node in el.iterancestors():
            if node.tag in ("body", "html"):
                break
            if self.article is not None and _is_descendant(self.article, node):
                break  # a wrapper of the story itself: what it says is about the page
            if node.tag == "footer" or re.search(r"footer", _features(node), re.I):
                return "footer"
            if node.tag == "aside" or _SIDEBAR_CLASS_RE.search(_features(node)):
                return "sidebar"
        if self.position(el) < self.position(self.body):
            return "before"
        # Below the story: in its column (the story's wrapper and a few boxes around it),
        # or elsewhere on the page.
        column = self.article if self.article is not None else self.body
        for _ in range(3):
            parent = column.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            column = parent
        return "after" if _is_descendant(el, column) else "elsewhere"


def _is_chrome_box(node: lxml.html.HtmlElement) -> bool:
    """A navigation bar, a menu or the page header."""
    tag = node.tag
    if tag == "nav" or (node.get("role") or "") == "navigation":
        return True
    if tag == "header" and not any(a.tag == "article" for a in node.iterancestors()):
        return True
    return bool(_CHROME_CLASS_RE.search(_features(node)))


def _is_chrome(el: lxml.html.HtmlElement) -> bool:
    """Inside navigation, menus or the page header: site-wide lists, never one story's
    picks."""
    for node in (el, *el.iterancestors()):
        if node.tag in ("body", "html"):
            return False
        if isinstance(node.tag, str) and _is_chrome_box(node):
            return True
    return False


def _in_ad(el: lxml.html.HtmlElement, stop: lxml.html.HtmlElement | None = None) -> bool:
    node: lxml.html.HtmlElement | None = el
    while node is not None and node is not stop:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if _AD_CLASS_RE.search(_features(node)):
            return True
        node = node.getparent()
    return False


def _find_body(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The element holding the article's paragraphs (where in-body picks are found)."""
    scores: Counter[lxml.html.HtmlElement] = Counter()  # paragraph text of its children
    totals: Counter[lxml.html.HtmlElement] = Counter()  # paragraph text anywhere under it
    for tag in ("p", "div"):
        for para in root.iter(tag):
            if tag == "div" and (len(para) > 4 or not (para.text or "").strip()):
                continue
            text = para.text_content()
            if len(text) < 80:
                continue
            links = sum(len(a.text_content()) for a in para.iter("a"))
            if links > 0.5 * len(text):
                continue
            parent = para.getparent()
            if parent is None:
                continue
            scores[parent] += len(text)
            grand = parent.getparent()
            if grand is not None and grand.tag not in ("body", "html"):
                scores[grand] += len(text) // 2
            for ancestor in list(para.iterancestors())[:9]:
                totals[ancestor] += len(text)
    if not scores:
        return None
    body = max(scores, key=lambda el: scores[el])
    # A story split in parts (around ads or cards, or in sections each wrapped in a few
    # layout boxes): the box that holds all of them.
    for ancestor in list(body.iterancestors())[:6]:
        if ancestor.tag in ("body", "html"):
            break
        if totals[ancestor] >= 1.4 * totals[body]:
            body = ancestor
    return body


def _article_of(body: lxml.html.HtmlElement | None) -> lxml.html.HtmlElement | None:
    """The story's wrapper around its paragraphs: the nearest <article> or articleBody."""
    if body is None:
        return None
    for ancestor in (body, *list(body.iterancestors())[:4]):
        if ancestor.tag == "article" or (ancestor.get("itemprop") or "") == "articleBody":
            return ancestor
    return body


@dataclass
class _Subject:
    """What the article is about, before the site's vocabulary is taken out: its headline's
    words, its description's and keywords', the body's words by frequency, and how many of
    the page's links each word (by its first four letters) is on."""

    title: set[str]
    about: set[str]
    frequency: list[tuple[str, int]]
    link_words: Counter[str]
    links: int


def _subject(
    root: lxml.html.HtmlElement, body: lxml.html.HtmlElement | None, anchors: Sequence[str]
) -> _Subject:
    def meta(*xpaths: str) -> set[str]:
        return _words(" ".join(str(v) for xpath in xpaths for v in root.xpath(xpath)[:4]))

    title = meta(
        "//meta[@property='og:title']/@content",
        "//meta[@name='twitter:title']/@content",
        "//title/text()",
        "(//h1)[1]//text()",
    )
    about = meta(
        "//meta[@name='description']/@content",
        "//meta[@property='og:description']/@content",
        "//meta[@name='keywords']/@content",
        "//meta[@name='news_keywords']/@content",
        "//meta[@property='article:tag']/@content",
    )
    frequency: Counter[str] = Counter()
    if body is not None:
        for para in body.iter("p"):
            frequency.update(_words(para.text_content()))
    return _Subject(title, about, frequency.most_common(), _link_words(anchors), len(anchors))


def _link_words(texts: Iterable[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({word[:4] for word in _words(text)})
    return counts


def _article_profile(subject: _Subject, own: Sequence[str] = ()) -> dict[str, float]:
    """The article's subject as weighted words: its headline's weigh 2; those of its
    description, keywords and the body's most frequent words 1.

    Words found on more than a tenth of the page's links are the site's vocabulary (its
    name, "news", section names), not the subject, and are left out. ``own`` are the link
    texts of the block being judged: they do not count, or a page with few links would
    lose its subject's words just because the related block repeats them.
    """
    df = subject.link_words - _link_words(own) if own else subject.link_words
    limit = max(3.0, _SITE_WORD_SHARE * (subject.links - len(own)))
    key_words = [word for word, count in subject.frequency if count >= 2 and df[word[:4]] <= limit][
        :_KEY_WORDS
    ]
    profile = dict.fromkeys([*subject.about, *key_words], 1.0)
    profile.update(dict.fromkeys(subject.title, 2.0))
    return {word: weight for word, weight in profile.items() if df[word[:4]] <= limit}


def _profile_index(profile: dict[str, float]) -> dict[str, list[tuple[str, float]]]:
    """The profile's words by their first four letters."""
    index: dict[str, list[tuple[str, float]]] = {}
    for word, weight in profile.items():
        index.setdefault(word[:4], []).append((word, weight))
    return index


_KEY_WORDS = 20  # the body's words that say what it is about (more only add noise)
_SITE_WORD_SHARE = 0.1


def _make_page(root: lxml.html.HtmlElement, url: str) -> _Page:
    base_url = base_url_of(root, url)
    self_urls = [url]
    for xpath in ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"):
        for href in root.xpath(xpath)[:1]:
            try:
                self_urls.append(urljoin(base_url, str(href)))
            except ValueError:
                continue
    body = _find_body(root)
    return _Page(
        root=root,
        url=url,
        base_url=base_url,
        self_urls=self_urls,
        sites=frozenset(_site_of(own) for own in [urljoin(base_url, url), *self_urls[1:]]) - {""},
        body=body,
        article=_article_of(body),
        stamp=_url_stamp(url),
    )


# --------------------------------------------------------------------------------------
# Candidates
# --------------------------------------------------------------------------------------


@dataclass
class _Candidate:
    source: str  # heading, tab, markup, line, card, schema
    element: lxml.html.HtmlElement  # where it sits (the heading's box, the line, the card)
    anchors: list[lxml.html.HtmlElement]
    heading: str = ""
    kind: str | None = None  # heading_kind of the heading, "other" for an unknown heading
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    links: list[tuple[int, str, str]] = field(default_factory=list)  # (position, url, title)


def _label_text(el: lxml.html.HtmlElement) -> str | None:
    """The text of a short heading-like element, or None if it is not one (a wrapper
    whose text is all in its children is not one either: the child is)."""
    if len(el) > 4 or not ((el.text or "").strip() or el.tag in _HEADING_TAGS or _after_icon(el)):
        return None
    if not len(el):
        text = _WS_RE.sub(" ", el.text or "").strip()
        return text if text and len(text) <= _MAX_HEADING_CHARS else None
    text = _head_text(el, _MAX_HEADING_CHARS + 12)
    if not text or len(text) > _MAX_HEADING_CHARS:
        return None
    return _text(el) if len(el) else text


def _after_icon(el: lxml.html.HtmlElement) -> bool:
    """Whether an element's text starts after an empty first child: an icon
    (``<div><i class="fa fa-bullhorn"></i>RELATED NEWS</div>``)."""
    first = el[0] if len(el) else None
    return (
        first is not None
        and isinstance(first.tag, str)
        and not first.text_content().strip()
        and bool((first.tail or "").strip())
    )


_SHARE_CLASS_RE = re.compile(r"share|sharing|social", re.I)


def _in_share_widget(el: lxml.html.HtmlElement) -> bool:
    """Inside a share widget (its nearest boxes say so): a heading there names the
    buttons ("Social Share"), not a list of stories."""
    for node in (el, *list(el.iterancestors())[:3]):
        if node.tag in ("body", "html"):
            return False
        if _SHARE_CLASS_RE.search(_features(node)):
            return True
    return False


def _is_section_heading(page: _Page, el: lxml.html.HtmlElement) -> str | None:
    """A heading that starts another list (returns its kind, "other" when unknown); card
    headlines (linked to their story) and labels of no known kind in plain tags are not."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag not in _LABEL_TAGS or tag == "a":
        return None
    text = _label_text(el)
    if not text:
        return None
    if any(page.target(a) for a in el.iter("a")) or any(a.tag == "a" for a in el.iterancestors()):
        return None
    if _in_share_widget(el):
        return None
    kind = heading_kind(text)
    if kind:
        return kind
    # A heading of no known kind starts another list, unless it is the headline of a
    # one-story card (a card whose link is on its image).
    if tag in _HEADING_TAGS and not _in_card(page, el):
        return "other"
    return None


def _prose_length(el: lxml.html.HtmlElement) -> int:
    """Characters of text outside links: a paragraph of the story, not a teaser line."""
    if el.tag == "p":
        text = len(el.text_content())
        return text - sum(len(a.text_content()) for a in el.iter("a"))
    own = (el.text or "").strip()
    return len(own) + sum(len((child.tail or "").strip()) for child in el)


_MAX_BLOCK_LINKS = 25  # a list longer than this is a site-wide feed


def _in_card(page: _Page, el: lxml.html.HtmlElement) -> bool:
    """Whether a text sits in one story's card (its excerpt), not in the story's body: the
    nearest box around it with story links links to one story only."""
    for ancestor in list(el.iterancestors())[:4]:
        urls: set[str] = set()
        for anchor in ancestor.iter("a"):
            url = page.target(anchor)
            if url:
                urls.add(url)
                if len(urls) > 1:
                    return False
        if urls:
            return True
    return False


def _links_after_heading(page: _Page, heading: lxml.html.HtmlElement) -> list[Any]:
    """The story links that follow a heading, until the next heading, prose or the end of
    its box: the siblings after it, or after its wrapper when it is alone in one."""
    node = heading
    for _ in range(4):
        anchors: list[lxml.html.HtmlElement] = []
        urls: set[str] = set()
        stopped = False
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str):
                continue
            for el in sibling.iter():
                if not isinstance(el.tag, str):
                    continue
                if el.tag == "a":
                    url = page.target(el)
                    if url:
                        anchors.append(el)
                        urls.add(url)
                    continue
                if (
                    el.tag in ("p", "div")
                    and page.prose_length(el) >= 200
                    and not _in_card(page, el)
                ):
                    stopped = True
                    break
                if _is_section_heading(page, el):
                    stopped = True
                    break
            if stopped or len(urls) > _MAX_BLOCK_LINKS:
                break
        if anchors or stopped:
            return anchors
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html") or parent is page.body:
            return []
        node = parent
    return []


def _card_around_label(page: _Page, label: lxml.html.HtmlElement) -> list[Any]:
    """The link of the one-story card a label sits in, when the link comes before it (an
    image link, or an empty link laid over the whole card): "<div><a href=story></a>
    <h3>Read also</h3><h4>headline</h4></div>"."""
    for ancestor in list(label.iterancestors())[:3]:
        if ancestor.tag in ("body", "html") or ancestor is page.body:
            return []
        anchors = [a for a in ancestor.iter("a") if page.target(a)]
        if not anchors:
            continue
        if len({page.target(a) for a in anchors}) > 1 or len(_text(ancestor)) > _MAX_CARD_CHARS:
            return []
        return anchors
    return []


def _tab_panel(page: _Page, heading: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The panel a tab label controls (``href="#id"``, ``aria-controls``, ``data-target``):
    in a tabbed box only the related tab's panel counts."""
    inner = [a for a in heading.iter("a", "button") if a is not heading]
    nodes = [heading, *inner[:1], *list(heading.iterancestors())[:2]]
    for el in nodes:
        if el.tag in ("body", "html"):
            break
        for attr in ("href", "aria-controls", "data-target", "data-tab", "data-bs-target"):
            value = (el.get(attr) or "").strip()
            if attr == "href" and not value.startswith("#"):
                continue
            ident = value.lstrip("#")
            if ident:
                found = page.root.xpath("//*[@id=$ident]", ident=ident)
                if found and not _is_descendant(found[0], el):
                    return found[0]  # type: ignore[no-any-return]
    return None


# Elements with text of their own, in page order: where labels and headings can be.
_WITH_OWN_TEXT = etree.XPath("//body//*[text()[normalize-space()]]")


def _heading_candidates(page: _Page) -> Iterator[_Candidate]:
    seen: set[lxml.html.HtmlElement] = set()
    for el in _WITH_OWN_TEXT(page.root):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag not in _LABEL_TAGS:
            continue
        if tag == "a" and not (el.get("href") or "#").startswith("#"):
            continue  # a link's text is no label (a tab's "#panel" link can be)
        text = _label_text(el)
        if not text or text.count(" ") > 8:
            continue
        kind = heading_kind(text)
        if kind not in ("related", "weak"):
            continue
        # The same label wrapped twice (<div class="title"><span>Related</span></div>).
        if any(child in seen for child in el) or el.getparent() in seen:
            seen.add(el)
            continue
        seen.add(el)
        panel = _tab_panel(page, el)
        if panel is not None:
            anchors = [a for a in panel.iter("a") if page.target(a)]
            if anchors:
                yield _Candidate("tab", panel, anchors, text, kind)
            continue
        if any(page.target(a) for a in el.iter("a")):
            continue  # a line "Read more: <a>..</a>" is the line candidates' business
        if (tag == "a" or el.find(".//a[@href]") is not None) and page.inside_body(el):
            continue  # in the story, a link "Related" goes to a topic page; it labels nothing
        anchors = _links_after_heading(page, el) or _card_around_label(page, el)
        if anchors:
            box = anchors[0].getparent() if len(anchors) == 1 else _common_ancestor(anchors)
            yield _Candidate("heading", box if box is not None else el, anchors, text, kind)


def _common_ancestor(elements: Sequence[lxml.html.HtmlElement]) -> lxml.html.HtmlElement | None:
    if not elements:
        return None
    chain = [elements[0], *elements[0].iterancestors()]
    for other in elements[1:]:
        ancestors = {id(a) for a in (other, *other.iterancestors())}
        chain = [el for el in chain if id(el) in ancestors]
    return chain[0] if chain else None


def _heading_before(page: _Page, el: lxml.html.HtmlElement) -> tuple[str, str | None]:
    """The heading just above a box (its nearest previous sibling with text, or its
    parent's when the box comes first): ("", None) when there is none."""
    node = el
    for _ in range(2):
        for sibling in node.itersiblings(preceding=True):
            if not isinstance(sibling.tag, str) or not _head_text(sibling, 4):
                continue
            kind = _is_section_heading(page, sibling)
            return (_text(sibling), kind) if kind else ("", None)
        parent = node.getparent()
        if parent is None or parent is page.body or parent.tag in ("body", "html"):
            break
        node = parent
    return "", None


def _own_heading(page: _Page, el: lxml.html.HtmlElement) -> tuple[str, str | None]:
    """The first heading inside a box (not a headline of its links), else the one above."""
    for node in el.iter():
        if node is not el and isinstance(node.tag, str) and node.tag != "a":
            kind = _is_section_heading(page, node)
            if kind:
                return _text(node), kind
    return _heading_before(page, el)


# Pieces of _RELATED_CLASS_RE's words: a cheap first sieve before the expression.
_RELATED_CLASS_PIECES = (
    "relat",
    "relacion",
    "correlat",
    "recommend",
    "also",
    "thema",
    "aussi",
    "tambien",
    "tambem",
    "saiba",
    "leggi",
    "czytaj",
    "powiazane",
    "further",
    "linked",
    "package",
    "yarpp",
    "more",
    "similar",
)
# The same sieve as one expression: a single pass over the names, not one a piece.
_RELATED_CLASS_SIEVE = re.compile("|".join(map(re.escape, _RELATED_CLASS_PIECES)))
# Elements that have a class, an id or an aria-label (the only ones markup can name).
_WITH_NAMES = etree.XPath("//body//*[@class or @id or @aria-label]")


def _markup_candidates(page: _Page) -> Iterator[_Candidate]:
    """Containers whose class, id or aria-label say related, split by the headings in them:
    a box called "related" that holds "Most read" too gives two candidates."""
    taken: list[lxml.html.HtmlElement] = []
    for el in _WITH_NAMES(page.root):
        if not isinstance(el.tag, str) or el.tag in ("a", "body", "html", "main", "img"):
            continue
        features = _features(el)
        label = el.get("aria-label") or ""
        lowered = features.lower()
        if not (
            _RELATED_CLASS_SIEVE.search(lowered) and _RELATED_CLASS_RE.search(features)
        ) and not (label and heading_kind(label) in ("related", "weak")):
            continue
        if any(_is_descendant(el, other) for other in taken):
            continue
        taken.append(el)
        heading, kind = (label, heading_kind(label)) if label else _heading_before(page, el)
        anchors: list[lxml.html.HtmlElement] = []
        for node in el.iter():
            if not isinstance(node.tag, str) or node is el:
                continue
            if node.tag == "a":
                if page.target(node):
                    anchors.append(node)
                continue
            section = _is_section_heading(page, node)
            if section:
                if anchors:
                    yield _Candidate("markup", el, anchors, heading, kind)
                anchors = []
                heading, kind = _text(node), section
        if anchors:
            yield _Candidate("markup", el, anchors, heading, kind)


_LINE_TAGS = ("p", "div", "li", "h2", "h3", "h4", "h5", "h6", "aside", "blockquote", "dd")
_SEPARATOR_RE = re.compile(r"[:：»>|–—-]|\.\.\.|…")
_MAX_LABEL_CHARS = 48
_LABEL_START_RE = re.compile(rf"^[\W_]{{0,3}}(?:{_RELATED_PHRASES}|{_WEAK_PHRASES}|nota|more)", _X)


def _line_signature(line: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement) -> tuple[str, ...]:
    path = [anchor.tag]
    for ancestor in anchor.iterancestors():
        if ancestor is line:
            break
        path.append(ancestor.tag)
    return (line.tag, line.get("class") or "", *reversed(path))


def _line_candidates(page: _Page) -> Iterator[_Candidate]:
    """In-body "Read more: <headline>" lines, and lines styled exactly like them."""
    signatures: set[tuple[str, ...]] = set()
    lines: list[lxml.html.HtmlElement] = []
    # A line starts with its label: look only at the lines around texts that can be one.
    for start in _WITH_OWN_TEXT(page.root):
        texts = [start.text or "", *(child.tail or "" for child in start)]
        # A label is a few words and a separator (here or just after the element).
        after = (start.tail or "").lstrip()[:3]
        if not any(
            (_SEPARATOR_RE.search(text[:_MAX_LABEL_CHARS]) or _SEPARATOR_RE.match(after))
            and _LABEL_START_RE.match(text)
            for text in texts
            if text.strip()
        ):
            continue
        for el in (start, *list(start.iterancestors())[:3]):
            if el.tag in _LINE_TAGS and all(el is not line for line in lines):
                lines.append(el)
                break
    for el in lines:
        if len(el) > 6 or not READ_MORE_PREFIX_RE.match(_head_text(el, 64)):
            continue
        anchors = [a for a in el.iter("a") if page.target(a)]
        if not anchors:
            continue
        text = _text(el)
        if not text or len(text) > 300:
            continue
        if sum(len(_text(a)) for a in anchors) >= 0.4 * len(text):
            signatures.add(_line_signature(el, anchors[0]))
            yield _Candidate("line", el, anchors, _head_text(el, 30))
    yield from _marker_lines(page)
    yield from _bare_headline_lines(page)
    if not signatures or page.body is None:
        return
    # "A standalone headline line styled exactly like the prefixed ones": the whole line in
    # one inline wrapper (italic, bold) around the link, like the page's labelled lines.
    for el in page.body.iter("p", "div", "li"):
        children = [c for c in el if isinstance(c.tag, str)]
        if len(children) != 1 or (el.text or "").strip() or (children[0].tail or "").strip():
            continue
        anchors = [a for a in el.iter("a") if page.target(a)]
        if len(anchors) != 1 or _line_signature(el, anchors[0]) not in signatures:
            continue
        if len(_text(el)) <= 200 and not READ_MORE_PREFIX_RE.match(_head_text(el, 64)):
            yield _Candidate("line", el, anchors, "", "styled")


# Arrows that stand for "read more" before a headline line: ">>> ", "» ", "► ", "→ ".
_MARKER_RE = re.compile(r"^\s*(?:>{2,}|»|►|▶|→|➔|⇒|››?)\s*")


def _marker_lines(page: _Page) -> Iterator[_Candidate]:
    """In-body lines that are an arrow and one headline linked to another story (">>>
    Zulieferer profitiert vom Aufschwung"): a teaser line without words for a label."""
    if page.body is None:
        return
    for el in page.body.iter("p", "li", "div", "h3", "h4", "h5", "h6"):
        if len(el) > 3 or not _MARKER_RE.match(_head_text(el, 8)):
            continue
        text = _text(el)
        marker = _MARKER_RE.match(text)
        if not marker or len(text) > 200:
            continue
        anchors = [a for a in el.iter("a") if page.target(a)]
        if len({page.target(a) for a in anchors}) != 1:
            continue
        title = _text(anchors[0])
        rest = text[marker.end() :]
        if _is_headline(_MARKER_RE.sub("", title)) and len(title) >= 0.8 * len(rest):
            yield _Candidate("line", el, anchors, "", "marker")


def _bare_headline_lines(page: _Page) -> Iterator[_Candidate]:
    """A paragraph of the story that is nothing but one headline linked to another story
    (no label, no arrow): a teaser line when it shares the article's subject."""
    if page.body is None:
        return
    for el in page.body.iter("p"):
        anchors = [a for a in el.iter("a") if page.target(a)]
        if len(anchors) != 1 or len(el) > 2:
            continue
        text = _text(el)
        title = _text(anchors[0])
        if (
            text == title
            and _is_headline(title)
            and len(text) <= 150
            and _among_paragraphs(page, el)
        ):
            yield _Candidate("line", el, anchors, "", "bare")


_CARD_TAGS = ("aside", "figure", "section", "div", "article", "blockquote", "table")


def _among_paragraphs(page: _Page, el: lxml.html.HtmlElement) -> bool:
    """Whether an element sits in the flow of the story's paragraphs (an embedded card),
    not in a list of teasers at its end or beside it."""
    node = el
    for _ in range(2):
        parent = node.getparent()
        if parent is None:
            return False
        prose = sum(
            1
            for sibling in parent
            if sibling is not node
            and isinstance(sibling.tag, str)
            and sibling.tag in ("p", "div", "blockquote", "h2", "h3", "ul")
            and page.prose_length(sibling) >= 80
        )
        if prose >= 2:
            return True
        node = parent
    return False


def _card_candidates(page: _Page) -> Iterator[_Candidate]:
    """Story cards embedded in the article body: a box among the story's paragraphs with
    one to three headlines linked to other stories and little else (a kicker, a teaser,
    an image)."""
    if page.body is None:
        return
    taken: set[lxml.html.HtmlElement] = set()
    # whether a box is too big to be a card, once a box: the links of one paragraph share
    # their ancestors, and the outer ones hold the whole story's text
    too_big: dict[lxml.html.HtmlElement, bool] = {}
    for anchor in page.body.iter("a"):
        if not page.target(anchor):
            continue
        # The boxes around the link small enough to be a card, outermost first.
        boxes: list[lxml.html.HtmlElement] = []
        for node in anchor.iterancestors():
            if node is page.body:
                break
            big = too_big.get(node)
            if big is None:
                big = too_big[node] = _visible_chars(node) > _MAX_CARD_CHARS
            if big:
                break
            if node.tag in _CARD_TAGS:
                boxes.insert(0, node)
        for el in boxes:
            if el in taken or any(ancestor in taken for ancestor in el.iterancestors()):
                break
            card = _card(page, el)
            if card is not None:
                taken.add(el)
                yield card
                break


_MAX_CARD_CHARS = 600  # a kicker, a headline and a teaser of two or three sentences


def _visible_chars(node: lxml.html.HtmlElement) -> int:
    """Characters of a box's text, spaces aside, leaving out what is not shown: a card
    link of an inline related-posts plugin carries its own <style> block."""
    chars = len("".join(node.text_content().split()))
    if chars > _MAX_CARD_CHARS:
        for hidden in node.iter("style", "script", "template"):
            chars -= len("".join(hidden.text_content().split()))
    return chars


def _card(page: _Page, el: lxml.html.HtmlElement) -> _Candidate | None:
    anchors = [a for a in el.iter("a") if page.target(a)]
    if not anchors or len({page.target(a) for a in anchors}) > 3:
        return None
    text = _text(el)
    if len(text) > _MAX_CARD_CHARS or not any(_is_headline(_anchor_title(a)) for a in anchors):
        return None
    if not _among_paragraphs(page, el):
        return None
    heading, kind = _own_heading(page, el)
    if not kind:
        heading, kind = _label_in_links(anchors)
    # Mostly link text: a paragraph with a link in it is prose, not a card (unless a label
    # in it says what the link is).
    link_text = sum(len(_text(a)) for a in anchors)
    if link_text < (0.3 if kind in ("related", "weak") else 0.6) * len(text):
        return None
    # A short paragraph whose link is part of a sentence ("The Queen's husband has <a>spent
    # three weeks in hospital</a>"), or a source line ("Journal information: <a>..</a>"),
    # is prose too: a card's headline is a text of its own, not words in a line.
    if kind not in ("related", "weak") and all(_in_sentence(a) for a in anchors):
        return None
    # A card's own heading of another kind ("Trending", "Advertisement") condemns it; any
    # other heading in a card is its kicker.
    return _Candidate("card", el, anchors, heading, kind if kind != "other" else None)


def _label_in_links(anchors: Sequence[lxml.html.HtmlElement]) -> tuple[str, str | None]:
    """A related label inside a card's link, in an element of its own ("<a><h3>Lesen Sie
    auch</h3><h4>headline</h4></a>"): the card's heading, though it is part of the link."""
    for anchor in anchors:
        for el in anchor.iter():
            if el is anchor or not isinstance(el.tag, str):
                continue
            text = _label_text(el)
            if text and heading_kind(text) in ("related", "weak"):
                return text, heading_kind(text)
    return "", None


def _in_sentence(anchor: lxml.html.HtmlElement) -> bool:
    """Whether a link is words in a line of text: its box has words of its own right
    before or after it (not only punctuation or a bullet)."""
    node = anchor
    # An inline wrapper around the link (<strong><a>..</a></strong>) is part of the link.
    parent = node.getparent()
    while parent is not None and parent.tag in _INLINE_TAGS and len(parent) == 1:
        if (parent.text or "").strip():
            break
        node, parent = parent, parent.getparent()
    if parent is None:
        return False
    previous = node.getprevious()
    before = parent.text if previous is None else previous.tail
    after = node.tail
    if any(_WORD_RE.search(text or "") for text in (before, after)):
        return True
    # "<strong>Journal information:</strong> <a>..</a>": a labelled line of another kind
    # (a related label makes the box a candidate of its own kind first).
    return (
        previous is not None
        and previous.tag in _INLINE_TAGS
        and _text(previous).endswith((":", "："))
        and not heading_kind(_text(previous))
    )


_INLINE_TAGS = frozenset({"strong", "b", "em", "i", "span", "u", "mark"})


def _schema_candidates(page: _Page) -> Iterator[_Candidate]:
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

    for script in page.root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            visit(json.loads(script.text or ""))
        except (ValueError, RecursionError):
            continue
    for el in page.root.xpath("descendant-or-self::*[@itemprop='relatedLink']"):
        href = el.get("href") or el.get("content")
        if href:
            urls.append(str(href))
    declared: set[str] = set()
    for url in urls:
        try:
            declared.add(normalize_url(urljoin(page.base_url, url)))
        except ValueError:
            continue
    if not declared:
        return
    anchors = [a for a in page.root.iter("a") if page.target(a) in declared]
    if anchors:
        box = _common_ancestor(anchors)
        yield _Candidate("schema", box if box is not None else anchors[0], anchors)


# --------------------------------------------------------------------------------------
# Confidence
# --------------------------------------------------------------------------------------

# A block gives links from this score up: a heading that says related (3) needs nothing
# against it; a generic heading (1), a class name (1) or a card (1.5) need other evidence.
# On the development set 2.0 lets in five false links and 3.0 loses four true ones; the
# pages written for the tests are exact anywhere from 2.0 to 3.5.
_THRESHOLD = 2.5


def _block_links(page: _Page, candidate: _Candidate) -> list[tuple[int, str, str]]:
    """(position, url, title) of the candidate's story links, each URL once, with the
    best headline any of its anchors (or its card) gives."""
    best: dict[str, tuple[int, str, int]] = {}
    for anchor in candidate.anchors:
        url = page.target(anchor)
        if not url or _in_ad(anchor, stop=candidate.element):
            continue
        title = _anchor_title(anchor)
        label = READ_MORE_PREFIX_RE.match(title)
        if label and _is_headline(title[label.end() :]):
            title = title[label.end() :].strip()  # a whole line linked: "Related: <headline>"
        if _GENERIC_LINK_TEXT_RE.match(title):
            title = ""
        # A card links its story several times (kicker, headline, teaser, image): the
        # link in the headline's box names it best, then any that reads as a headline.
        rank = _is_headline(title) + any(_is_title_box(a) for a in list(anchor.iterancestors())[:2])
        position = page.position(anchor)
        if url not in best:
            best[url] = (position, title, rank)
        elif rank > best[url][2]:
            best[url] = (best[url][0], title, rank)
    links = []
    for url, (position, title, _) in best.items():
        if not _is_headline(title):
            title = _card_title(page, candidate.anchors, candidate.element, url)
        if _is_headline(title):
            links.append((position, url, title))
    return links


def _card_title(
    page: _Page, anchors: Sequence[lxml.html.HtmlElement], box: lxml.html.HtmlElement, url: str
) -> str:
    """An image-only (or empty, overlaid) link's headline: the card's heading, else the
    image's alt text. A heading that is a label ("Read also") is not the headline."""
    for anchor in anchors:
        if page.target(anchor) != url:
            continue
        card = anchor
        for _ in range(3):
            parent = card.getparent()
            if parent is None or parent is box.getparent():
                break
            if len({page.target(a) for a in parent.iter("a")} - {None}) > 1:
                break
            card = parent
        for heading in card.iter("h1", "h2", "h3", "h4", "h5", "h6"):
            text = _text(heading)
            if _is_headline(text) and heading_kind(text) not in ("related", "weak"):
                return text
        for image in anchor.iter("img"):
            alt = _WS_RE.sub(" ", image.get("alt") or "").strip()
            if _is_headline(alt):
                return alt
    return ""


_ON_TOPIC_WEIGHT = 2.0  # one word of the article's headline, or two of its body


def _on_topic(
    page: _Page, title: str, index: dict[str, list[tuple[str, float]]] | None = None
) -> bool:
    """Whether a headline shares the article's subject (weighted shared stems)."""
    index = page.profile_index if index is None else index
    weight = 0.0
    for word in _words(title):
        weight += max(
            (w for key, w in index.get(word[:4], ()) if _same_word(word, key)),
            default=0.0,
        )
    return weight >= _ON_TOPIC_WEIGHT


def _own_boxes(page: _Page, el: lxml.html.HtmlElement, levels: int) -> list[Any]:
    """The element and its nearest ancestors, short of the page's wrappers around the body
    (whose classes, such as WordPress's "tag-x category-y", describe the whole page)."""
    boxes = [el]
    for ancestor in el.iterancestors():
        if len(boxes) > levels or ancestor.tag in ("body", "html"):
            break
        if page.body is not None and _is_descendant(page.body, ancestor):
            break
        boxes.append(ancestor)
    return boxes


def _section_of(url: str) -> str:
    """The section part of a URL's path: its segments before the story's own (and before
    any date or id)."""
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return ""
    sections: list[str] = []
    for segment in segments[:-1]:
        # A date, an id or a story's slug ("/suisse/<slug>/story/123") ends the section.
        if re.search(r"\d", segment) or segment.count("-") + segment.count("_") >= 2:
            break
        sections.append(segment.lower())
    return "/".join(sections)


_POSITION_POINTS = {
    "chrome": (-4.0, "in navigation"),
    "body": (1.0, "in the article's body"),
    "after": (0.5, "after the article"),
    "sidebar": (0.0, ""),  # rails hold the site's lists and related boxes alike
    "footer": (-1.0, "in the page footer"),
    "before": (-1.0, "above the article"),
    "elsewhere": (-0.5, "away from the article"),
    "unknown": (0.0, ""),
}


def _score(page: _Page, candidate: _Candidate) -> None:
    links = candidate.links
    score = 0.0

    def add(points: float, why: str) -> None:
        nonlocal score
        score += points
        candidate.reasons.append(f"{points:+.1f} {why}")

    el = candidate.element
    boxes = " ".join(_features(box) for box in _own_boxes(page, el, 2))
    # What the block says it is. A line "Read more: <headline>" in the body is the most
    # explicit form there is; a heading that names the subject comes next; a generic
    # "you may like" needs support; a heading of another kind means another list.
    explicit = candidate.source == "line" or candidate.kind == "related"
    topic_heading = candidate.kind == "related" and _names_the_subject(candidate.heading)
    if candidate.source == "line":
        points = {"styled": 2.5, "marker": 2.0, "bare": 0.5}.get(candidate.kind or "", 3.5)
        add(points, "prefixed in-body line")
    elif candidate.kind == "related":
        add(3.0, f"heading {candidate.heading!r}")
    elif candidate.kind == "weak":
        add(1.0, f"generic heading {candidate.heading!r}")
    elif candidate.kind == "negative":
        add(-6.0, f"heading of another list {candidate.heading!r}")
    elif candidate.kind == "other":
        add(-2.5, f"heading says something else {candidate.heading!r}")
    # Publishers' templates name their related boxes; a name alone is no proof (site-wide
    # boxes are called "related" too), so it only adds.
    if candidate.source == "markup" or _RELATED_CLASS_RE.search(boxes):
        add(1.0, "class/id says related")
    if candidate.source == "card":
        add(1.5, "story card among the paragraphs")
    if candidate.source == "schema":
        add(1.0, "schema.org relatedLink")
    # Where it sits: picks attached to the story are in its body or right after it; the
    # sidebars, footers and the top of the page hold the site's lists. Menus never hold
    # one story's picks.
    where = "chrome" if _is_chrome(el) else page.where(el)
    points, why = _POSITION_POINTS[where]
    if points:
        add(points, why)
    # The subject's words, not counting this block's links as the site's vocabulary.
    subject = page.profile_index_without(candidate.anchors) if links else page.profile_index
    on_subject = (
        sum(_on_topic(page, title, subject) for _, _, title in links) / len(links) if links else 0
    )
    # A class of a feed or pager says the box is the site's list, unless a related heading
    # sits over headlines that mostly share the article's subject: then the class only
    # names the template's parts (a related box paged by script is "ajax-pagination").
    feed_class = bool(_NEGATIVE_CLASS_RE.search(boxes))
    if feed_class and not (candidate.kind == "related" and len(links) >= 2 and on_subject >= 0.6):
        add(-2.0, "class/id of a feed, ranking or pager")
    newer = _newer_share(page, links)
    if (
        len(links) == 1
        and (candidate.source != "line" or candidate.kind == "bare")
        and _on_topic(page, links[0][2], subject)
    ):
        add(1.0, "headline on the subject")
    if len(links) >= 2 and candidate.source != "line":
        # Whether the headlines share the article's subject: what tells a "Lesen Sie auch"
        # of leasing stories from one of grilling tips and share prices. Word overlap
        # misses picks worded differently, so an explicit heading loses less by it.
        share = on_subject
        if share >= 0.6:
            add(1.0, f"{share:.0%} of headlines on the subject")
        elif topic_heading and (
            share > 0
            or len(links) < 3
            or (where in ("body", "after") and not feed_class and newer < 0.6)
        ):
            # "Related" over loosely related picks is still the publisher's word, and so is
            # "Mehr zum Thema" in or right under the story over picks worded differently
            # (unless its markup or its dates say it is a feed).
            pass
        elif share < 0.25:
            penalty = 1.5 if explicit else (3.5 if len(links) >= 3 else 1.5)
            add(-penalty, f"{share:.0%} of headlines on the subject")
        # Picks come from the story's own section, or else share its words; a box of
        # other sections' stories that mostly do not is the site's choice of the day.
        own = _section_of(page.url)
        sections = {_section_of(url) for _, url, _ in links}
        if share < 0.5 and own and len(links) >= 3 and own not in sections and len(sections) >= 3:
            add(-1.5, f"links from {len(sections)} other sections")
    # Long lists are feeds; related picks are a handful.
    if len(links) > 12:
        add(-2.0 if len(links) <= _MAX_BLOCK_LINKS else -4.0, f"{len(links)} links")
    # The same stories in the menus: a site-wide list, not this story's.
    in_menus = {
        page.target(a)
        for a in candidate.anchors
        if (a.get("href") or "").strip() in page.chrome_hrefs
    }
    if links and sum(url in in_menus for _, url, _ in links) >= 0.5 * len(links):
        add(-2.0, "links repeated in the navigation")
    # Stories published after this one were not picked for it when it was written: a
    # "latest" feed. (Boxes under an explicit heading may be kept up to date: not them.)
    if newer >= 0.6 and not explicit:
        add(-1.5, f"{newer:.0%} of links newer than the article")
    candidate.score = score


def _newer_share(page: _Page, links: Sequence[tuple[int, str, str]]) -> float:
    """The share of a block's links dated (or numbered) after the article, 0 when fewer
    than two can be compared."""
    if not page.stamp or len(links) < 2:
        return 0.0
    stamps = [_url_stamp(url) for _, url, _ in links]
    comparable = [s for s in stamps if s and s[0] == page.stamp[0]]
    if len(comparable) < 2:
        return 0.0
    return sum(s[1] > page.stamp[1] for s in comparable) / len(comparable)


def _candidates(page: _Page) -> list[_Candidate]:
    found: list[_Candidate] = []
    for source in (
        _heading_candidates,
        _markup_candidates,
        _line_candidates,
        _card_candidates,
        _schema_candidates,
    ):
        found.extend(source(page))
    for candidate in found:
        candidate.links = _block_links(page, candidate)
        _score(page, candidate)
    return found


def _find_related(root: lxml.html.HtmlElement, url: str) -> list[Link]:
    page = _make_page(root, url)
    chosen: dict[str, tuple[int, str]] = {}
    for candidate in _candidates(page):
        if candidate.score < _THRESHOLD:
            continue
        for position, link_url, title in candidate.links:
            if link_url not in chosen or position < chosen[link_url][0]:
                chosen[link_url] = (position, title)
    ordered = sorted(chosen.items(), key=lambda item: item[1][0])
    return [Link(text=title, url=link_url) for link_url, (_, title) in ordered]


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


def explain_related(html: str, url: str) -> list[dict[str, Any]]:
    """Every candidate block with its score, the reasons for it and its links (for
    ``bench/related_quality.py --page`` and for debugging a page)."""
    root = parse_page(html)
    if root is None:
        return []
    page = _make_page(root, url)
    return [
        {
            "source": c.source,
            "element": f"{c.element.tag}.{c.element.get('class') or ''}"
            f"#{c.element.get('id') or ''}",
            "heading": c.heading,
            "score": round(c.score, 2),
            "kept": c.score >= _THRESHOLD,
            "reasons": c.reasons,
            "links": [{"title": t, "url": u} for _, u, t in c.links],
        }
        for c in _candidates(page)
    ]


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
