"""The reader pane: an article drawn line by line, wrapped once per width.

Links keep their spans: every body link gets a number in the order it appears
(``link_urls``), and the list at the end continues the numbering with the related
articles, so a later change can follow links by number or highlight them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.models import Article, Block
from reader.sanitize import clean_line, clean_text

MAX_TEXT_WIDTH = 88
WORDS_PER_MINUTE = 230


@dataclass(frozen=True)
class LinkSpot:
    """Where link ``number`` (1-based) was drawn: its first line in the article."""

    number: int
    url: str
    line: int


class ArticleView(ScrollView, can_focus=True):
    """Title, byline, site, date, reading time, the article, and its links at the end."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", id="down", show=False),
        Binding("k,up", "scroll_up", "Up", id="up", show=False),
        Binding("g,home", "scroll_home", "Top", id="top", show=False),
        Binding("G,end", "scroll_end", "Bottom", id="bottom", show=False),
        Binding("pagedown", "page_down", "Page down", id="page-down", show=False),
        Binding("pageup", "page_up", "Page up", id="page-up", show=False),
    ]

    COMPONENT_CLASSES = {
        "article-view--title",
        "article-view--meta",
        "article-view--note",
        "article-view--loading",
        "article-view--heading",
        "article-view--link",
        "article-view--quote",
        "article-view--code",
        "article-view--section",
        "article-view--empty",
    }

    DEFAULT_CSS = """
    ArticleView {
        overflow-x: hidden;
        overflow-y: auto;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.article: Article | None = None
        self.loading = False
        self.message = "Choose an entry to read it here."
        self.link_urls: list[str] = []
        self.link_spots: list[LinkSpot] = []
        self._lines: list[Strip] = []
        self._built_width = -1
        self._scroll_wanted: float | None = None

    # --- what is shown -----------------------------------------------------------------

    def show(self, article: Article, *, loading: bool = False, scroll: float | None = 0) -> None:
        """Show ``article``; ``loading`` adds a mark; ``scroll`` None keeps the position."""
        self.article = article
        self.loading = loading
        self._invalidate()
        if scroll is not None:
            if self._built_width > 0:
                self.scroll_to(y=scroll, animate=False, immediate=True)
            else:  # not laid out yet: scroll once the lines exist
                self._scroll_wanted = scroll

    def show_message(self, message: str) -> None:
        self.article = None
        self.loading = False
        self.message = message
        self._invalidate()
        self.scroll_to(y=0, animate=False, immediate=True)

    def set_loading(self, loading: bool) -> None:
        if loading != self.loading:
            self.loading = loading
            self._invalidate()

    def _invalidate(self) -> None:
        self._built_width = -1
        self._ensure_built()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._built_width = -1
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._ensure_built()
        if self._scroll_wanted is not None and self._built_width > 0:
            wanted, self._scroll_wanted = self._scroll_wanted, None
            self.call_after_refresh(self.scroll_to, y=wanted, animate=False, immediate=True)

    @property
    def text_lines(self) -> list[str]:
        """The drawn lines as plain text (for tests and copying)."""
        self._ensure_built()
        return [strip.text for strip in self._lines]

    # --- drawing -----------------------------------------------------------------------

    def _ensure_built(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        if width <= 0 or width == self._built_width:
            return
        self._built_width = width
        texts = self._build(width)
        console = self.app.console
        base = self.rich_style
        self._lines = [
            Strip(list(text.render(console))).crop_extend(0, width, base).apply_style(base)
            for text in texts
        ]
        self.virtual_size = Size(width, len(self._lines))

    def render_line(self, y: int) -> Strip:
        self._ensure_built()
        width = self.scrollable_content_region.width or self.size.width
        index = round(self.scroll_offset.y) + y
        if 0 <= index < len(self._lines):
            return self._lines[index]
        return Strip.blank(width, self.rich_style)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"article-view--{name}")

    def _build(self, width: int) -> list[Text]:
        pad = 1 if width > 20 else 0
        text_width = max(10, min(MAX_TEXT_WIDTH, width - 2 * pad))
        out: list[Text] = []
        self.link_urls = []
        self.link_spots = []
        article = self.article
        if article is None:
            out.append(Text(""))
            out.extend(self._wrap(Text(self.message, style=self._style("empty")), text_width, pad))
            return out

        out.extend(self._wrap(Text(clean_line(article.title) or "(untitled)",
                                   style=self._style("title")), text_width, pad))  # fmt: skip
        meta = self._meta(article)
        if meta:
            out.extend(self._wrap(Text(meta, style=self._style("meta")), text_width, pad))
        if article.note:
            out.extend(self._wrap(Text(clean_line(article.note), style=self._style("note")),
                                  text_width, pad))  # fmt: skip
        if self.loading:
            out.extend(self._wrap(Text("⟳ loading the full article…", style=self._style("loading")),
                                  text_width, pad))  # fmt: skip
        out.append(Text(""))

        previous: Block | None = None
        for block in article.blocks:
            out.extend(self._block(block, previous, text_width, pad))
            previous = block
        if previous is not None and previous.kind == "list_item":
            out.append(Text(""))

        number = 0
        if article.links or article.related:
            for title, links in (("Links", article.links), ("Related", article.related)):
                if not links:
                    continue
                out.extend(self._wrap(Text(title, style=self._style("section")), text_width, pad))
                for link in links:
                    number += 1
                    label = clean_line(link.text) or clean_line(link.url)
                    line = Text.assemble(
                        (f"[{number}] ", self._style("meta")),
                        (label, self._style("link")),
                        ("  " + clean_line(link.url), self._style("meta")),
                    )
                    self.link_spots.append(LinkSpot(number, link.url, len(out)))
                    out.extend(self._wrap(line, text_width, pad))
                out.append(Text(""))
        return out

    def _meta(self, article: Article) -> str:
        parts = [clean_line(p) for p in (article.byline, article.site_name) if p]
        if article.published:
            parts.append(clean_line(article.published)[:10])
        minutes = article.reading_minutes
        if not minutes and article.blocks:
            words = sum(len(b.text.split()) for b in article.blocks)
            minutes = max(1, round(words / WORDS_PER_MINUTE))
        if minutes:
            parts.append(f"{minutes} min read")
        return " · ".join(p for p in parts if p)

    def _block(self, block: Block, previous: Block | None, width: int, pad: int) -> list[Text]:
        out: list[Text] = []
        if previous is not None and previous.kind == "list_item" and block.kind != "list_item":
            out.append(Text(""))
        quote = Text("│ " * block.quote, style=self._style("quote"))
        if block.kind == "rule":
            return [*out, Text(" " * pad + "─" * min(width, 20), style=self._style("meta")),
                    Text("")]  # fmt: skip
        if block.kind == "code":
            code_style = self._style("code")
            for raw in clean_text(block.text).expandtabs(4).split("\n"):
                out.extend(self._wrap(Text(raw, style=code_style), width, pad, quote, quote))
            out.append(Text(""))
            return out
        text = self._spans(block)
        first, after = quote, quote
        if block.kind == "heading":
            text.stylize(self._style("heading"))
        elif block.kind == "list_item":
            depth = max(1, block.level)
            bullet = f"{block.number}. " if block.number is not None else "• "
            marker = "  " * (depth - 1) + bullet
            first = quote + Text(marker)
            after = quote + Text(" " * len(marker))
        elif block.kind in ("caption", "embed"):
            text.stylize(self._style("meta"))
        out.extend(self._wrap(text, width, pad, first, after))
        if block.kind != "list_item":
            out.append(Text(""))
        return out

    def _spans(self, block: Block) -> Text:
        text = Text()
        for span in block.spans:
            words = clean_text(span.text).replace("\n", " ").replace("\t", " ")
            style = Style()
            if span.style == "em":
                style = Style(italic=True)
            elif span.style == "strong":
                style = Style(bold=True)
            elif span.style == "code":
                style = self._style("code")
            if span.href:
                self.link_urls.append(span.href)
                style = self._style("link") + style
            text.append(words, style=style)
        return text

    def _wrap(
        self,
        text: Text,
        width: int,
        pad: int,
        first: Text | None = None,
        after: Text | None = None,
    ) -> list[Text]:
        """``text`` folded (long words too) into ``width`` cells after the prefixes."""
        first = first or Text("")
        after = after or Text("")
        indent = max(first.cell_len, after.cell_len)
        wrapped = list(text.wrap(self.app.console, max(1, width - indent), overflow="fold"))
        lines: list[Text] = []
        margin = Text(" " * pad)
        for number, line in enumerate(wrapped or [Text("")]):
            prefix = first if number == 0 else after
            built = margin + prefix + line
            built.end = ""
            built.no_wrap = True
            lines.append(built)
        return lines
