"""The reader pane: an article drawn line by line, wrapped once per width.

Every link has a number: the body's links (``Article.links``, each URL once) are numbered
in order and marked inline as ``[3]``; the list at the end repeats them under "Links" and
continues the numbering with the related articles under "Related", then with other feeds'
reports of the same story under "More on this story" (found by the screen in a worker
and added with :meth:`ArticleView.show_more`, each with its feed and age). Digits then Enter,
Tab/Shift+Tab and a click choose one; the view posts :class:`ArticleView.LinkChosen` and
never fetches anything itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.models import Article, Block, Link, Span, StoryLink
from reader.render import (
    TABLE_GAP,
    TABLE_JOIN,
    article_header,
    line_starts,
    table_columns,
)
from reader.sanitize import clean_line, clean_text
from reader.tui.actions import bindings
from reader.tui.format import age

MAX_TEXT_WIDTH = 100
"""The widest measure of text: past it, the column is centred in the pane."""


MAX_TYPED_DIGITS = 4


def middle_ellipsis(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, its middle cut out: a URL keeps its host and
    the end of its path."""
    if cell_len(text) <= width:
        return text
    keep = max(1, width - 1)
    head = keep - keep // 2
    tail = keep - head
    return text[:head] + "…" + (text[-tail:] if tail else "")


@dataclass(frozen=True)
class LinkSpot:
    """Where link ``number`` (1-based) was drawn: its first line in the article."""

    number: int
    url: str
    line: int


class ArticleView(ScrollView, can_focus=True):
    """Title, byline, site, date, reading time, the article, and its links at the end."""

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("article")]

    class LinkChosen(Message):
        """The user chose link ``number`` (1-based) to follow."""

        def __init__(self, number: int, link: Link) -> None:
            super().__init__()
            self.number = number
            self.link = link

    class PaneWanted(Message):
        """Tab with no link to move to: change pane as everywhere else."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    COMPONENT_CLASSES = {
        "article-view--title",
        "article-view--meta",
        "article-view--note",
        "article-view--loading",
        "article-view--heading",
        "article-view--link",
        "article-view--link-number",
        "article-view--link-highlight",
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
        self.fetching = False
        """The page stands in (the feed's content) while its own is fetched. Not Textual's
        ``loading``: that one makes the widget unfocusable (its keys then went nowhere)."""
        self.message = "Choose an entry to read it here."
        self.link_urls: list[str] = []
        """The href of every linked span, in reading order (a URL may repeat)."""
        self.link_spots: list[LinkSpot] = []
        """Where each numbered link is drawn: inline for body links, else the end list."""
        self.highlighted: int | None = None
        """The number of the highlighted link (Tab, Shift+Tab), or None."""
        self.typed = ""
        """Digits typed so far, followed by Enter."""
        self._follows_shown = False
        self.pending: str | None = None
        """The URL being opened from a link, shown under the article while it loads."""
        self.more: tuple[StoryLink, ...] = ()
        """Other feeds' reports of the article's story (numbered after the related)."""
        self._more_now = 0.0
        self._spot_numbers: list[int] = []
        self._numbers: dict[str, int] = {}
        self._lines: list[Strip] = []
        self._built_width = -1
        self._scroll_wanted: float | None = None

    # --- what is shown -----------------------------------------------------------------

    def show(self, article: Article, *, fetching: bool = False, scroll: float | None = 0) -> None:
        """Show ``article``; ``fetching`` adds a mark; ``scroll`` None keeps the position."""
        if article is not self.article:
            self.highlighted = None
            self._set_typed("")
            self.more = ()
        self.article = article
        self.fetching = fetching
        self._invalidate()
        if scroll is not None:
            if self._built_width > 0:
                self.scroll_to(y=scroll, animate=False, immediate=True)
                if round(self.scroll_y) != round(scroll):
                    # refused: the page before had no scroll bar, and this one's is not
                    # laid out yet (Textual scrolls only a widget that shows one)
                    self._scroll_wanted = scroll
                    self.call_after_refresh(self._scroll_to_wanted)
            else:  # not laid out yet: scroll once the lines exist
                self._scroll_wanted = scroll

    def _scroll_to_wanted(self) -> None:
        if self._scroll_wanted is not None:
            wanted, self._scroll_wanted = self._scroll_wanted, None
            self.scroll_to(y=wanted, animate=False, immediate=True)

    @property
    def position(self) -> float:
        """Where the reader is: the scroll offset, or the one asked for and not yet reached
        (a page shown before its lines were laid out)."""
        return float(self._scroll_wanted if self._scroll_wanted is not None else self.scroll_y)

    def show_message(self, message: str) -> None:
        """Show ``message`` instead of an article (nothing open, or it was removed)."""
        self.highlighted = None
        self._set_typed("")
        self.article = None
        self.more = ()
        self.fetching = False
        self.message = message
        self._invalidate()
        self.scroll_to(y=0, animate=False, immediate=True)

    def show_more(self, article: Article, more: Sequence[StoryLink], now: float) -> None:
        """Add "More on this story" under ``article`` if it is still the one shown (the
        list comes from a worker); ``now`` dates the ages. The reader stays where it is."""
        if article is not self.article or tuple(more) == self.more:
            return
        self.more = tuple(more)
        self._more_now = now
        self._invalidate()

    def set_fetching(self, fetching: bool) -> None:
        """Mark the article shown as standing in while its page is fetched."""
        if fetching != self.fetching:
            self.fetching = fetching
            self._invalidate()

    # --- links -----------------------------------------------------------------------

    @property
    def links(self) -> list[Link]:
        """Every numbered link: link ``n`` is ``links[n - 1]`` (body links, related, then
        more on this story)."""
        if self.article is None:
            return []
        more = [Link(story.title, story.url) for story in self.more]
        return [*self.article.links, *self.article.related, *more]

    @property
    def link_kinds(self) -> list[str]:
        """What each numbered link is: "" (the body's), "related", "more on this story"."""
        if self.article is None:
            return []
        return (
            [""] * len(self.article.links)
            + ["related"] * len(self.article.related)
            + ["more on this story"] * len(self.more)
        )

    def link(self, number: int) -> Link | None:
        """Link ``number`` (1-based: body links, related, more on this story), or None."""
        links = self.links
        return links[number - 1] if 1 <= number <= len(links) else None

    def set_pending(self, url: str | None) -> None:
        """Say under the article that ``url`` is being opened (None: nothing is)."""
        self.pending = url
        self._show_subtitle()

    def highlight(self, number: int | None, *, reveal: bool = True) -> None:
        """Highlight link ``number`` and (``reveal``) scroll it into view; None: no
        highlight."""
        if number is not None and self.link(number) is None:
            number = None
        if number == self.highlighted:
            return
        self.highlighted = number
        self._invalidate()
        self._show_subtitle()
        self._footer_follows()
        spot = self._spot(number) if number is not None and reveal else None
        if spot is not None:
            height = self.scrollable_content_region.height or self.size.height
            top = round(self.scroll_y)
            if not top <= spot.line < top + max(1, height - 1):
                target = max(0, spot.line - max(1, height // 3))
                self.scroll_to(y=target, animate=False, immediate=True)

    def _spot(self, number: int) -> LinkSpot | None:
        self._ensure_built()
        return next((spot for spot in self.link_spots if spot.number == number), None)

    def _set_typed(self, typed: str) -> None:
        self.typed = typed
        self._show_subtitle()
        self._footer_follows()

    def _footer_follows(self) -> None:
        """Have the footer show Enter's "Follow" when (and only when) it follows: asked only
        on a change, since the footer is drawn again for it."""
        follows = bool(self.typed) or self.highlighted is not None
        if follows != self._follows_shown:
            self._follows_shown = follows
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter follows (and the footer says so) only when a link is highlighted or a
        number typed."""
        if action == "follow":
            return bool(self.typed) or self.highlighted is not None
        return True

    def _show_subtitle(self) -> None:
        if self.pending is not None:
            text = f"⟳ opening {clean_line(self.pending)}…"
        elif self.typed:
            text = f"link {self.typed}: Enter follows, Esc cancels"
        elif self.highlighted is not None and (link := self.link(self.highlighted)):
            text = f"[{self.highlighted}] {clean_line(link.url)}  (Enter follows)"
        else:
            text = ""
        self.border_subtitle = Content(text[:300]) if text else None

    def action_next_link(self) -> None:
        self._step_link(1)

    def action_previous_link(self) -> None:
        self._step_link(-1)

    def _step_link(self, step: int) -> None:
        count = len(self.links)
        if count == 0:
            self.post_message(self.PaneWanted(step))
            return
        self._set_typed("")
        if self.highlighted is not None:
            self.highlight((self.highlighted - 1 + step) % count + 1)
            return
        # from nothing highlighted: the first link on screen or after it (Shift+Tab: the
        # last on screen or before it), as a browser starts from where the reader is
        self._ensure_built()
        top = round(self.scroll_y)
        bottom = top + (self.scrollable_content_region.height or self.size.height)
        spots = sorted(self.link_spots, key=lambda spot: (spot.line, spot.number))
        if step > 0:
            after = [spot for spot in spots if spot.line >= top]
            chosen = after[0] if after else spots[0] if spots else None
        else:
            before = [spot for spot in spots if spot.line < bottom]
            chosen = before[-1] if before else spots[-1] if spots else None
        self.highlight(chosen.number if chosen is not None else 1 if step > 0 else count)

    def action_follow(self) -> None:
        if self.typed:
            number = int(self.typed)
            self._set_typed("")
            if self.link(number) is None:
                self.notify(f"There is no link {number}", severity="warning", timeout=2)
                return
            # not scrolled to: the page is left where the user had it (back returns there)
            self.highlight(number, reveal=False)
            self.follow(number)
        elif self.highlighted is not None:
            self.follow(self.highlighted)

    def follow(self, number: int) -> None:
        """Ask for link ``number`` to be followed (the screen opens it)."""
        link = self.link(number)
        if link is not None:
            self.post_message(self.LinkChosen(number, link))

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if character is not None and character.isdigit() and character.isascii():
            if self.links and len(self.typed) < MAX_TYPED_DIGITS:
                self._set_typed((self.typed + character).lstrip("0"))
            event.stop()
            event.prevent_default()
        elif self.typed and event.key in ("escape", "backspace"):
            self._set_typed(self.typed[:-1] if event.key == "backspace" else "")
            event.stop()
            event.prevent_default()
        elif self.highlighted is not None and event.key == "escape":
            self.highlight(None)
            event.stop()
            event.prevent_default()

    def on_click(self, event: events.Click) -> None:
        number = event.style.meta.get("link") if event.style else None
        if isinstance(number, int):
            event.stop()
            # not scrolled to: the page is left where the user had it (back returns there)
            self.highlight(number, reveal=False)
            self.follow(number)

    def _invalidate(self) -> None:
        self._built_width = -1
        self._ensure_built()
        self.refresh()

    def notify_style_update(self) -> None:
        """The theme changed: draw the lines again with its colours."""
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
        pad = max(pad, (width - text_width) // 2)  # a wide pane: the column in its middle
        out: list[Text] = []
        self.link_urls = []
        self.link_spots = []
        article = self.article
        if article is None:
            out.append(Text(""))
            out.extend(self._wrap(Text(self.message, style=self._style("empty")), text_width, pad))
            return out

        out.extend(self._wrap(Text(article_header(article).title,
                                   style=self._style("title")), text_width, pad))  # fmt: skip
        meta = self._meta(article)
        if meta:
            out.extend(self._wrap(Text(meta, style=self._style("meta")), text_width, pad))
        if article.note:
            out.extend(self._wrap(Text(clean_line(article.note), style=self._style("note")),
                                  text_width, pad))  # fmt: skip
        if self.fetching:
            out.extend(self._wrap(Text("⟳ loading the full article…", style=self._style("loading")),
                                  text_width, pad))  # fmt: skip
        out.append(Text(""))

        self._numbers = {}
        for number, link in enumerate(article.links, start=1):
            self._numbers.setdefault(link.url, number)
        placed: set[int] = set()
        previous: Block | None = None
        blocks = article.blocks
        index = 0
        while index < len(blocks):
            block = blocks[index]
            self._spot_numbers = []
            if block.kind == "table_row":
                end = index
                while end < len(blocks) and blocks[end].kind == "table_row":
                    end += 1
                lines = self._table(blocks[index:end], previous, text_width, pad)
                block, index = blocks[end - 1], end
            else:
                lines = self._block(block, previous, text_width, pad)
                index += 1
            shared = min(block.quote, previous.quote) if previous is not None else 0
            if shared and out and not out[-1].plain:
                # the blank line between two paragraphs of one quote is inside the quote
                gap = Text(" " * pad) + Text("│ " * shared, style=self._style("quote"))
                gap.rstrip()
                gap.end, gap.no_wrap = "", True
                out[-1] = gap
            self._place_spots(lines, len(out), placed)
            out.extend(lines)
            previous = block
        if previous is not None and previous.kind == "list_item":
            out.append(Text(""))

        number = 0
        more = [Link(story.title, story.url) for story in self.more]
        sources = [self._story_source(story) for story in self.more]
        for title, links, notes in (
            ("Links", article.links, [None] * len(article.links)),
            ("Related", article.related, [None] * len(article.related)),
            ("More on this story", more, sources),
        ):
            if not links:
                continue
            out.extend(self._wrap(Text(title, style=self._style("section")), text_width, pad))
            for link, note in zip(links, notes, strict=True):
                number += 1
                click = Style.from_meta({"link": number})
                marker = Text(f"[{number}] ", style=self._style("meta") + click)
                indent = Text(" " * marker.cell_len)
                label = clean_line(link.text)
                if label == clean_line(link.url):  # a bare address: its line below is enough
                    label = ""
                if number not in placed:
                    placed.add(number)
                    self.link_spots.append(LinkSpot(number, link.url, len(out)))
                if label:
                    out.extend(self._wrap(Text(label, style=self._link_style(number)),
                                          text_width, pad, marker, indent))  # fmt: skip
                # under it, its feed and age (another feed's report), else the address on a
                # line of its own, shortened in the middle
                room = max(8, text_width - indent.cell_len)
                below = note if note is not None else middle_ellipsis(clean_line(link.url), room)
                address = Text(below, style=self._style("meta") + click)
                if not label:
                    address.stylize(self._link_style(number))
                out.extend(self._wrap(address, text_width, pad, indent if label else marker,
                                      indent))  # fmt: skip
            out.append(Text(""))
        return out

    def _story_source(self, story: StoryLink) -> str:
        """ "Le Phare · 2d": whose report it is, and how old."""
        when = age(story.published, self._more_now)
        feed = clean_line(story.feed)
        return f"{feed} · {when}" if when else feed

    def _link_style(self, number: int | None) -> Style:
        """How link ``number`` looks, with its number in the style's meta (for clicks)."""
        if number is None:
            return self._style("link")
        name = "link-highlight" if number == self.highlighted else "link"
        return self._style(name) + Style.from_meta({"link": number})

    def _place_spots(self, lines: list[Text], start: int, placed: set[int]) -> None:
        """Record the line of each link first numbered in this block (by its marker)."""
        line_index = 0
        for number in self._spot_numbers:
            if number in placed:
                continue
            marker = f"[{number}]"
            for index in range(line_index, len(lines)):
                if marker in lines[index].plain:
                    line_index = index
                    break
            placed.add(number)
            link = self.link(number)
            if link is not None:
                self.link_spots.append(LinkSpot(number, link.url, start + line_index))

    def _meta(self, article: Article) -> str:
        return article_header(article).meta

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

    def _table(
        self, rows: Sequence[Block], previous: Block | None, width: int, pad: int
    ) -> list[Text]:
        """A table as ``reader read`` draws it (``render.table_columns``): aligned columns
        with a rule under the header row, cells wrapped in their columns when it is too
        wide, else each row as "Header: value" lines."""
        out: list[Text] = []
        if previous is not None and previous.kind == "list_item":
            out.append(Text(""))
        cells = [[self._cell(cell) for cell in row.cells()] for row in rows]
        columns = max(len(row) for row in cells)
        cells = [row + [Text("")] * (columns - len(row)) for row in cells]
        header = rows[0].level == 1 and len(rows) > 1
        widths = table_columns([[cell.plain for cell in row] for row in cells], width)
        margin = Text(" " * pad)
        meta = self._style("meta")
        if widths is None:
            names = cells[0] if header else []
            runs: list[list[Text]] = []
            named = False  # the header said on a line of its own
            for number, row in enumerate(cells):
                joined = Text(TABLE_JOIN).join(cell for cell in row if cell.plain)
                if number == 0 and header:
                    if joined.cell_len <= width:  # else the names are said in each row
                        joined.stylize(Style(bold=True))
                        out.extend(self._wrap(joined, width, pad))
                        named = True
                elif not names or (named and joined.cell_len <= width):
                    runs.append(self._wrap(joined, width, pad, None, Text("  ")))
                else:
                    run: list[Text] = []
                    for name, value in zip(names, row, strict=True):
                        if value.plain:
                            label = Text(name.plain + ": ", style=meta) if name.plain else Text()
                            run.extend(self._wrap(label + value, width, pad, None, Text("  ")))
                    runs.append(run)
            for number, run in enumerate(runs):
                if (number and (len(run) > 1 or len(runs[number - 1]) > 1)) or (
                    not number and named and len(run) > 1
                ):
                    out.append(Text(""))
                out.extend(run)
            out.append(Text(""))
            return out
        wrapped = any(cell.cell_len > widths[c] for row in cells for c, cell in enumerate(row))
        for number, row in enumerate(cells):
            if wrapped and number and not (header and number == 1):
                out.append(Text(""))
            pieces = [
                self._wrap_line(cell, widths[c]) or [Text("")] if wrapped else [cell]
                for c, cell in enumerate(row)
            ]
            for index in range(max(len(piece) for piece in pieces)):
                parts = []
                for c, piece in enumerate(pieces):
                    part = piece[index].copy() if index < len(piece) else Text("")
                    if header and number == 0:
                        part.stylize(Style(bold=True))
                    parts.append(part + Text(" " * max(0, widths[c] - part.cell_len)))
                line = Text(TABLE_GAP).join(parts)
                line.rstrip()
                built = margin + line
                built.end, built.no_wrap = "", True
                out.append(built)
            if header and number == 0:
                rule = Text(TABLE_GAP.join("─" * w for w in widths), style=meta)
                built = margin + rule
                built.end, built.no_wrap = "", True
                out.append(built)
        out.append(Text(""))
        return out

    def _cell(self, spans: tuple[Span, ...]) -> Text:
        """One cell of a table row on one line, its links numbered as elsewhere."""
        return self._spans(Block("table_row", spans))  # (its newlines are spaces)

    def _spans(self, block: Block) -> Text:
        text = Text()
        spans = block.spans
        for index, span in enumerate(spans):
            words = clean_text(span.text).replace("\t", " ")
            if block.kind == "table_row":  # a row is one line of aligned cells
                words = words.replace("\n", " ")
            style = Style()
            if span.style == "em":
                style = Style(italic=True)
            elif span.style == "strong":
                style = Style(bold=True)
            elif span.style == "code":
                style = self._style("code")
            number = self._numbers.get(span.href) if span.href else None
            if span.href:
                self.link_urls.append(span.href)
                style = self._link_style(number) + style
            run_ends = index + 1 == len(spans) or spans[index + 1].href != span.href
            trail = ""
            if number is not None and run_ends:  # "Text [1] more": "Text[1] more"
                trail = words[len(words.rstrip()) :]
                words = words[: len(words) - len(trail)]
            text.append(words, style=style)
            if number is not None and run_ends:
                # the link's number right after its text, as a browser for the keyboard
                marker_style = self._style("link-number") + Style.from_meta({"link": number})
                if number == self.highlighted:
                    marker_style = self._link_style(number)
                text.append(f"[{number}]", style=marker_style)
                text.append(trail)
                self._spot_numbers.append(number)
        return text

    def _wrap_line(self, text: Text, room: int) -> list[Text]:
        """One line of text (no newline) broken where ``render.line_starts`` says (the same
        rule as ``reader read``: at spaces but not no-break ones, between CJK characters but
        never inside a number or a Latin word); a run longer than the line is folded."""
        lines: list[Text] = []
        for number, piece in enumerate(text.divide(line_starts(text.plain, room))):
            if number:  # a continued line starts at its first word; the first keeps its indent
                piece = piece[len(piece.plain) - len(piece.plain.lstrip()) :]
            piece.rstrip()
            if piece.cell_len > room:
                lines.extend(piece.wrap(self.app.console, room, overflow="fold"))
            else:
                lines.append(piece)
        return lines

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
        room = max(1, width - indent)
        wrapped: list[Text] = []
        # a <br> in the page is a newline in the block: its own line here too
        for line in text.split("\n", allow_blank=True) if "\n" in text.plain else [text]:
            wrapped.extend(self._wrap_line(line, room) or [Text("")])
        lines: list[Text] = []
        margin = Text(" " * pad)
        for number, line in enumerate(wrapped or [Text("")]):
            prefix = first if number == 0 else after
            built = margin + prefix + line
            built.end = ""
            built.no_wrap = True
            lines.append(built)
        return lines
