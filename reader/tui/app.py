"""The Textual app: themes, app-wide keys, the command palette, background refresh.

``run_app`` is what ``reader`` (no subcommand) calls; ``reader --demo`` runs it against
the bundled news site served on 127.0.0.1 with a temporary store.
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from reader.core import Reader, open_reader
from reader.errors import ReaderError
from reader.sanitize import clean_line
from reader.tui.keys import KeyBinding, bindings_of, check_keymap
from reader.tui.screens.add_feed import AddFeedScreen
from reader.tui.screens.confirm import ConfirmScreen
from reader.tui.screens.help import HelpScreen, Section
from reader.tui.screens.main import MainScreen
from reader.tui.screens.picker import PickerScreen
from reader.tui.theme import BUILT_IN_THEMES
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.entry_list import EntryList
from reader.tui.widgets.feed_list import FeedList
from reader.tui.widgets.line_list import LineList

if TYPE_CHECKING:
    from collections.abc import Mapping

    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from reader.site_server import SiteServer

STATE_THEME = "tui.theme"
"""The theme last picked in the app (the palette); it wins over the config's ``theme``."""
DEFAULT_THEME = "reader-dark"
ARTICLE_KEYS = (
    ("0-9 Enter", "Follow the link of that number"),
    ("click", "Follow the link clicked"),
    ("escape", "Drop the typed number or the highlight; then back a pane"),
)

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
        background_refresh: bool = True,
    ) -> None:
        """``background_refresh`` False turns off the refresh at start and the timed one
        (snapshots, benchmarks). "Now" is always ``reader.clock`` (tests freeze it)."""
        super().__init__()
        self.reader = reader
        self.background_refresh = background_refresh
        for theme in BUILT_IN_THEMES:
            self.register_theme(theme)
        # theme files (ours, then the user's) override the built-in fallback by name
        from reader.tui.themes import load_themes

        themes, self.theme_problems = load_themes(reader.paths.themes_dir)
        for theme in themes:
            self.register_theme(theme)

    def get_default_screen(self) -> Screen[None]:
        return MainScreen(self.reader, background_refresh=self.background_refresh)

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def on_mount(self) -> None:
        config = self.reader.config
        picked = self.reader.get_state(STATE_THEME)
        if picked and picked in self.available_themes:
            self.theme = picked
        elif config.theme in self.available_themes:
            self.theme = config.theme
        else:
            self.theme = DEFAULT_THEME
            self.notify(f"theme {clean_line(config.theme)!r} not found; using {DEFAULT_THEME}",
                        severity="warning", markup=False)  # fmt: skip
        # only what the user picks from now on is remembered, never the start-up choice
        # (whose signal may arrive after this)
        self._start_theme: str | None = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_picked)
        key_problems: list[str] = []
        if config.keys:
            keymap, key_problems = check_keymap(config.keys, self.binding_chains())
            if keymap:
                self.set_keymap(keymap)
        for message in self.theme_problems:
            self.notify(clean_line(message), severity="warning", markup=False)
        for problem in [*map(str, self.reader.config_problems), *key_problems]:
            self.notify(clean_line(problem), severity="warning", markup=False, timeout=8)

    def on_ready(self) -> None:
        # Everything alive once the first frame is drawn (Textual, Rich, the widgets) lives
        # as long as the app: leave it out of the garbage collector's full passes, which
        # otherwise walk it all and stall a key press for 50-70 ms now and then.
        gc.freeze()
        self._warm_up()

    @work(thread=True, exit_on_error=False, group="warm-up")
    def _warm_up(self) -> None:
        """Import what opening an article needs (lxml, readability, httpx: ~0.1 s) while
        the user looks at the lists, so the first Enter does not pay for it."""
        import httpx  # noqa: F401

        import reader.article
        import reader.extract
        import reader.render  # noqa: F401

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        # Every key's action comes through here. A store error in one (the database locked
        # by another program past the busy timeout, a full disk) is a message, not a crash:
        # the action did not happen, everything stored stays, the user can try again.
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except ReaderError as error:
            self.notify(clean_line(str(error)), severity="error", markup=False, timeout=8)
            return True

    def _theme_picked(self, theme: Theme) -> None:
        if theme.name == self._start_theme:
            return
        self._start_theme = None
        try:
            self.reader.set_state(STATE_THEME, theme.name)
        except ReaderError:
            pass  # a theme that can't be remembered still applies

    def binding_chains(self) -> list[list[KeyBinding]]:
        """The groups of bindings active at the same time (for clash checks)."""
        digits = KeyBinding("(link number)", tuple("0123456789"))
        return [
            bindings_of(FeedList, MainScreen, type(self)),
            bindings_of(EntryList, MainScreen, type(self)),
            [digits, *bindings_of(ArticleView, MainScreen, type(self))],
            *(
                bindings_of(modal, type(self))
                for modal in (HelpScreen, AddFeedScreen, ConfirmScreen, PickerScreen)
            ),
        ]

    async def on_unmount(self) -> None:
        gc.unfreeze()  # several apps in one process (tests): let the next ones collect these
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
            ("Article", [*rows(ArticleView.BINDINGS), *ARTICLE_KEYS]),
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
            ("Back", "The previous article, as a browser (h, Backspace, Alt+Left)",
             main.action_history_back),
            ("Forward", "Forward again (l, Alt+Right)", main.action_history_forward),
            ("History", "Every article visited; jump to any (H)", main.action_history_list),
            ("Follow a link", "Pick a link of the article by typing part of it (L)",
             main.action_link_picker),
            ("Open the link in the browser", "The highlighted link (O)",
             main.action_open_link_browser),
            ("Search", "Every entry and cached article (/)", main.action_search),
            ("Show keys", "Every key (?)", self.action_help),
        ]  # fmt: skip
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)


def _demo_reader(directory: Path) -> tuple[Reader, SiteServer]:
    from reader.site_server import SiteServer

    site = SiteServer().start()
    reader = open_reader(directory / "demo.sqlite")
    reader.add_feeds((site.url(path), None, folder) for path, folder in DEMO_FEEDS)
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
    return 0
