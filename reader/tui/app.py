"""The Textual app: themes, app-wide keys, the command palette, background refresh.

``run_app`` is what ``reader`` (no subcommand) calls; ``reader --demo`` runs it against
the bundled news site served on 127.0.0.1 with a temporary store.
"""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.theme import Theme

from reader.core import Reader, open_demo_reader, open_reader
from reader.errors import ReaderError
from reader.sanitize import clean_line
from reader.tui import notices
from reader.tui.actions import ACTIONS, EXTRA_HELP, SCOPE_TITLES, Action, actions_of, bindings
from reader.tui.keys import KeyBinding, bindings_of, check_keymap
from reader.tui.screens.main import MainScreen
from reader.tui.themes import BUILT_IN_THEMES, load_themes
from reader.tui.widgets.article_view import ArticleView
from reader.tui.widgets.entry_list import EntryList
from reader.tui.widgets.feed_list import FeedList

if TYPE_CHECKING:
    from collections.abc import Mapping

    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from reader.tui.screens.help import Section

STATE_THEME = "tui.theme"
"""The theme last picked in the app (the palette); it wins over the config's ``theme``."""
DEFAULT_THEME = "reader-dark"
TEXTUAL_FILTER_STEP = "_refresh_truecolor_filter"
"""The private step of Textual's theme change that start-up repeats (see
``_start_with_theme``); a Textual without it gets the theme the public way."""


class ReaderApp(App[None]):
    """reader's terminal UI over one :class:`Reader`."""

    TITLE = "reader"
    CSS_PATH = str(Path(__file__).with_name("reader.tcss"))  # absolute: subclasses live elsewhere
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [*bindings("app")]

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

        themes, self.theme_problems = load_themes(reader.paths.themes_dir)
        for theme in themes:
            self.register_theme(theme)
        self._theme_missing: str | None = None
        self._start_with_theme(self._start_theme_name())

    def get_default_screen(self) -> Screen[None]:
        """The main screen, over this app's reader."""
        return MainScreen(self.reader, background_refresh=self.background_refresh)

    @property
    def main(self) -> MainScreen:
        """The main screen (always at the bottom of the stack)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def _start_theme_name(self) -> str:
        """The theme to start with: the one last picked, else the config's."""
        config = self.reader.config
        picked = self.reader.get_state(STATE_THEME)
        if picked and picked in self.available_themes:
            return picked
        if config.theme in self.available_themes:
            return config.theme
        self._theme_missing = config.theme
        return DEFAULT_THEME

    def _start_with_theme(self, name: str) -> None:
        """Set the theme before the stylesheet is first read. Setting ``self.theme`` (in
        ``on_mount`` or here) has Textual parse every stylesheet again, built-in ones
        included, and restyle every widget: ~20 ms of CPU before the first frame."""
        refresh_filter = getattr(self, TEXTUAL_FILTER_STEP, None)
        if refresh_filter is None:  # a Textual without this private step: the public way
            self.theme = name
            return
        self.set_reactive(App.theme, name)
        # what App._watch_theme does, less the second parse (nothing is parsed yet)
        dark = self.current_theme.dark
        classes = {old: False for old in self.classes if old.startswith("-theme-")}
        self.update_classes(
            {**classes, f"-theme-{name}": True, "-dark-mode": dark, "-light-mode": not dark},
            update=False,
        )
        refresh_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    def on_mount(self) -> None:
        config = self.reader.config
        missing = self._theme_missing
        if missing is not None:
            self.notify(f"theme {clean_line(missing)!r} not found; using {DEFAULT_THEME}",
                        severity="warning", markup=False)  # fmt: skip
        # only what the user picks from now on is remembered, never the start-up choice
        self._start_theme: str | None = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_picked)
        key_problems: list[str] = []
        if config.keys:
            keymap, key_problems = check_keymap(config.keys, self.binding_chains())
            if keymap:
                self.set_keymap(keymap)
        problems = [*self.theme_problems, *map(str, self.reader.config_problems), *key_problems]
        notice = notices.start_problems(problems)
        if notice is not None:  # one notice for all, not a stack of them over the panes
            self.notify(notice.text, title=notice.title, severity="warning", markup=False,
                        timeout=10)  # fmt: skip

    def on_ready(self) -> None:
        # Everything alive once the first frame is drawn (Textual, Rich, the widgets) lives
        # as long as the app: leave it out of the garbage collector's full passes, which
        # otherwise walk it all and stall a key press for 50-70 ms now and then. The
        # ``reader`` command starts with the collector off (reader/__main__.py): on now.
        gc.freeze()
        gc.enable()
        self.main.first_frame_drawn()

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        # Every key's action comes through here. A store error in one (the database locked
        # by another program past the busy timeout, a full disk) is a message, not a crash:
        # the action did not happen, everything stored stays, the user can try again.
        """Run a key's action; a store error becomes a message, not a crash."""
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
        # the dialogs are imported when needed, not at start
        from reader.tui.screens.add_feed import AddFeedScreen
        from reader.tui.screens.confirm import ConfirmScreen
        from reader.tui.screens.help import HelpScreen
        from reader.tui.screens.picker import PickerScreen

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
        sections: dict[str, list[tuple[str, str]]] = {}
        for scope in ("screen", "app", "lists", "feeds", "article"):
            rows = sections.setdefault(SCOPE_TITLES[scope], [])
            rows.extend((self._keys_for(a), a.help) for a in actions_of(scope))
            rows.extend(EXTRA_HELP.get(scope, ()))
        return list(sections.items())

    def _keys_for(self, action: Action) -> str:
        """The keys of ``action`` as the user has them (remapped in the config, or not)."""
        return self._keymap.get(action.id, action.keys)

    def action_help(self) -> None:
        from reader.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_sections()))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Textual's own "Keys" opens a panel that Escape does not close: ours is the ? screen
        """The palette: Textual's commands (not its Keys panel) and every action of ours."""
        from reader.tui.screens.help import key_label

        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command
        for action in ACTIONS:
            if action.palette is None:
                continue
            keys = key_label(self._keys_for(action))
            target: DOMNode = self if action.scope == "app" else self.main
            yield SystemCommand(
                action.palette, f"{action.help} ({keys})", partial(self._run, target, action)
            )

    def _run(self, target: DOMNode, action: Action) -> None:
        """Run a palette command as its key would."""
        self.call_later(self.run_action, action.action, target)


def run_app(db: str | None = None, demo: bool = False) -> int:
    """Run the app until the user quits; 0 on a normal exit."""
    with tempfile.TemporaryDirectory(prefix="reader-demo-") as scratch:
        if demo:
            reader, stop_site = open_demo_reader(Path(scratch))
        else:
            reader, stop_site = open_reader(db), None
        try:
            ReaderApp(reader).run()
        finally:
            reader.close()
            if stop_site is not None:
                stop_site()
    return 0
