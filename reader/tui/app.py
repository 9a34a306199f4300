"""The Textual app: themes, app-wide keys, the command palette, background refresh.

``run_app`` is what ``reader`` (no subcommand) calls; ``reader --demo`` runs it against
the bundled news site served on 127.0.0.1 with a temporary store.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.core import Reader, open_reader
from reader.sanitize import clean_line
from reader.tui.screens.help import HelpScreen, Section
from reader.tui.screens.main import MainScreen
from reader.tui.theme import BUILT_IN_THEMES
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.feed_list import FeedList
from reader.tui.widgets.line_list import LineList

if TYPE_CHECKING:
    from reader.site_server import SiteServer

DEMO_FEEDS = (
    ("/feed.xml", None),
    ("/atom.xml", "Port Alder"),
)


class ReaderApp(App[None]):
    """reader's terminal UI over one :class:`Reader`."""

    TITLE = "reader"
    CSS_PATH = str(Path(__file__).with_name("reader.tcss"))  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark", "help", "Keys", id="help"),
    ]

    def __init__(
        self,
        reader: Reader,
        *,
        clock: Callable[[], float] = time.time,
        background_refresh: bool = True,
    ) -> None:
        """``clock`` gives "now" for ages (tests freeze it); ``background_refresh`` False turns
        off the refresh at start and the timed one (snapshots, benchmarks)."""
        super().__init__()
        self.reader = reader
        self.clock = clock
        self.background_refresh = background_refresh
        for theme in BUILT_IN_THEMES:
            self.register_theme(theme)
        # theme files (ours, then the user's) override the built-in fallback by name
        from reader.tui.themes import load_themes

        themes, self.theme_problems = load_themes(reader.paths.themes_dir)
        for theme in themes:
            self.register_theme(theme)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.reader, clock=self.clock, background_refresh=self.background_refresh)

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        config = self.reader.config
        if config.theme in self.available_themes:
            self.theme = config.theme
        else:
            self.theme = "reader-dark"
            self.notify(f"theme {clean_line(config.theme)!r} not found; using reader-dark",
                        severity="warning", markup=False)  # fmt: skip
        if config.keys:
            self.set_keymap({action: ",".join(keys) for action, keys in config.keys.items()})
        for message in self.theme_problems:
            self.notify(clean_line(message), severity="warning", markup=False)
        for problem in self.reader.config_problems:
            self.notify(clean_line(str(problem)), severity="warning", markup=False)

    async def on_unmount(self) -> None:
        await self.reader.aclose()

    # --- help and the palette ----------------------------------------------------------

    def help_sections(self) -> list[Section]:
        """Every key, grouped by where it works (the ``?`` screen shows these)."""

        def rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
            found: list[tuple[str, str]] = []
            for binding in bindings:
                if isinstance(binding, Binding):
                    keys = self._keys_for(binding)
                    found.append((keys, binding.tooltip or binding.description))
            return found

        return [
            (
                "Everywhere",
                [*rows(MainScreen.BINDINGS), *rows(self.BINDINGS), ("ctrl+p", "Command palette")],
            ),
            ("Feeds and entries lists", rows(LineList.BINDINGS)),
            ("Feeds pane", [*rows(FeedList.BINDINGS), ("click ▸", "Open or close a folder")]),
            ("Article", rows(ArticleView.BINDINGS)),
        ]

    def _keys_for(self, binding: Binding) -> str:
        if binding.id and binding.id in self._keymap:
            return self._keymap[binding.id]
        return binding.key

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections()))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        commands: list[tuple[str, str, Callable[[], object]]] = [
            ("Refresh all feeds", "Fetch every feed now (R)", main.action_refresh_all),
            ("Refresh this feed", "Fetch the highlighted feed or folder (r)",
             main.action_refresh_feed),
            ("Add a feed", "Subscribe to a feed or a site (a)", main.action_add_feed),
            ("Remove the feed", "Unsubscribe from the highlighted feed (d)",
             main.action_remove_feed),
            ("Mark the feed read", "Every entry of the highlighted feed (A)",
             main.action_mark_feed_read),
            ("Toggle read", "Mark the highlighted entry read or unread (m)",
             main.action_toggle_read),
            ("Save or unsave", "Add to or remove from the reading list (s)",
             main.action_toggle_saved),
            ("Next unread", "Open the next unread entry, across feeds (n)",
             main.action_next_unread),
            ("Previous unread", "Open the previous unread entry (p)",
             main.action_previous_unread),
            ("Open in browser", "Open the page in the web browser (o)",
             main.action_open_browser),
            ("Copy URL", "Copy the page's address (y)", main.action_copy_url),
            ("Show keys", "Every key (?)", self.action_help),
        ]  # fmt: skip
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)


def _demo_reader(directory: Path) -> tuple[Reader, SiteServer]:
    from reader.site_server import SiteServer

    site = SiteServer().start()
    reader = open_reader(directory / "demo.sqlite")
    reader.storage.add_feeds((site.url(path), None, folder) for path, folder in DEMO_FEEDS)
    return reader, site


def run_app(db: str | None = None, demo: bool = False) -> int:
    """Run the app until the user quits; 0 on a normal exit."""
    with tempfile.TemporaryDirectory(prefix="reader-demo-") as scratch:
        site: SiteServer | None = None
        if demo:
            reader, site = _demo_reader(Path(scratch))
        else:
            reader = open_reader(db)
        try:
            ReaderApp(reader).run()
        finally:
            reader.close()
            if site is not None:
                site.stop()
            update = sys.modules.get("reader.update")
            if update is not None:
                update.shutdown_parse_pool()
    return 0
