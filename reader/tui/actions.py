"""Every action of the app in one table: its id, default keys, labels and where it works.

The table feeds the bindings of each screen and widget, the footer, the ``?`` screen and
the command palette (harlequin's ``actions.py``), so a key, its label and its help text
are written once. The ids are what the config's ``[keys]`` table remaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from textual.binding import Binding

Scope = Literal["app", "screen", "lists", "feeds", "article"]
"""Where an action's keys work: anywhere, on the main screen, in the feeds and entries
lists, in the feeds pane, in the reader pane."""

SCOPE_TITLES: Final[dict[Scope, str]] = {
    "screen": "Everywhere",
    "app": "Everywhere",
    "lists": "Feeds and entries lists",
    "feeds": "Feeds pane",
    "article": "Article",
}


@dataclass(frozen=True)
class Action:
    id: str
    """The binding id: what the config's ``[keys]`` remaps."""
    keys: str
    """Default keys, comma-separated, as Textual names them."""
    action: str
    """The Textual action run (on the screen or widget of ``scope``)."""
    label: str
    """Short: the footer."""
    help: str
    """A sentence: the ``?`` screen and the tooltip."""
    scope: Scope
    palette: str | None = None
    """The command palette's title for it (None: not in the palette)."""
    footer: bool = False
    """Shown in the footer."""


ACTIONS: Final[tuple[Action, ...]] = (
    # the app
    Action("quit", "q", "quit", "Quit", "Quit reader", "app", footer=True),
    Action("help", "question_mark", "help", "Keys", "Every key", "app", "Show keys", footer=True),
    # the main screen
    Action("next-pane", "tab", "next_pane", "Next pane", "Move to the next pane", "screen"),
    Action("previous-pane", "shift+tab", "previous_pane", "Previous pane",
           "Move to the previous pane", "screen"),
    Action("back", "escape", "back", "Back",
           "Go back a pane (in the reader: first drop a typed number or the highlight)",
           "screen"),
    Action("page-article", "space", "page_article(1)", "Page",
           "Page down through the article", "screen"),
    Action("page-article-up", "shift+space", "page_article(-1)", "Page up",
           "Page up through the article", "screen"),
    Action("next-unread", "n", "next_unread", "Next unread",
           "Open the next unread entry, across feeds", "screen", "Next unread", footer=True),
    Action("previous-unread", "p", "previous_unread", "Prev unread",
           "Open the previous unread entry, across feeds", "screen", "Previous unread"),
    Action("toggle-read", "m", "toggle_read", "Read", "Mark the entry read or unread",
           "screen", "Toggle read", footer=True),
    Action("mark-feed-read", "A", "mark_feed_read", "Feed read",
           "Mark the feed (folder, or all) read", "screen", "Mark the feed read"),
    Action("toggle-saved", "s", "toggle_saved", "Save",
           "Save to or remove from the reading list", "screen", "Save or unsave", footer=True),
    Action("open-browser", "o", "open_browser", "Browser", "Open the page in the web browser",
           "screen", "Open in browser"),
    Action("copy-url", "y", "copy_url", "Copy URL", "Copy the page's address", "screen",
           "Copy URL"),
    Action("fetch-again", "F", "fetch_again", "Fetch again",
           "Fetch the page again, past the cache (its copy is replaced)", "screen",
           "Fetch the page again"),
    Action("refresh-feed", "r", "refresh_feed", "Refresh",
           "Refresh the highlighted feed or folder", "screen", "Refresh this feed"),
    Action("refresh-all", "R", "refresh_all", "Refresh all", "Refresh every feed", "screen",
           "Refresh all feeds", footer=True),
    Action("history-back", "h,backspace,alt+left", "history_back", "Back",
           "Back to the previous article, as a browser", "screen", "Back"),
    Action("history-forward", "l,alt+right", "history_forward", "Forward",
           "Forward again, as a browser", "screen", "Forward"),
    Action("history-list", "H", "history_list", "History",
           "Every article visited: jump to any", "screen", "History"),
    Action("link-picker", "L", "link_picker", "Links",
           "Pick a link of the article by typing part of it", "screen", "Follow a link",
           footer=True),
    Action("open-link-browser", "O", "open_link_browser", "Link in browser",
           "Open the highlighted link in the web browser", "screen",
           "Open the link in the browser"),
    Action("search", "slash", "search", "Search", "Search every entry and cached article",
           "screen", "Search", footer=True),
    Action("reading-view", "z", "toggle_reading_view", "Wide",
           "Read the article full width (again: the panes)", "screen",
           "Full-width reading view", footer=True),
    Action("add-feed", "a", "add_feed", "Add feed", "Add a feed from its address or a page's",
           "screen", "Add a feed", footer=True),
    Action("edit-feed", "e", "edit_feed", "Feed settings",
           "The highlighted feed's settings: title, folder, full text, refresh, user agent",
           "screen", "Edit the feed's settings"),
    Action("remove-feed", "d", "remove_feed", "Remove feed",
           "Remove the highlighted feed (asks first)", "screen", "Remove the feed"),
    # the feeds and entries lists
    Action("down", "j,down", "cursor_down", "Down", "Down", "lists"),
    Action("up", "k,up", "cursor_up", "Up", "Up", "lists"),
    Action("top", "g,home", "first", "Top", "To the top", "lists"),
    Action("bottom", "G,end", "last", "Bottom", "To the bottom", "lists"),
    Action("page-down", "pagedown", "page_down", "Page down", "A page down", "lists"),
    Action("page-up", "pageup", "page_up", "Page up", "A page up", "lists"),
    Action("open", "enter", "select", "Open", "Open the feed or the entry", "lists",
           footer=True),
    # the feeds pane
    Action("unfold", "right", "unfold", "Open folder", "Open the folder", "feeds"),
    Action("fold", "left", "fold", "Close folder", "Close the folder", "feeds"),
    # the reader pane
    Action("down", "j,down", "scroll_down", "Down", "Down a line", "article"),
    Action("up", "k,up", "scroll_up", "Up", "Up a line", "article"),
    Action("top", "g,home", "scroll_home", "Top", "To the top", "article"),
    Action("bottom", "G,end", "scroll_end", "Bottom", "To the bottom", "article"),
    Action("page-down", "pagedown", "page_down", "Page down", "A page down", "article"),
    Action("page-up", "pageup", "page_up", "Page up", "A page up", "article"),
    Action("next-link", "tab", "next_link", "Next link",
           "Highlight the next link (changes pane when there are none)", "article"),
    Action("previous-link", "shift+tab", "previous_link", "Previous link",
           "Highlight the previous link (changes pane when there are none)", "article"),
    Action("follow-link", "enter", "follow", "Follow",
           "Follow the typed link number, else the highlighted link", "article", footer=True),
)  # fmt: skip

EXTRA_HELP: Final[dict[Scope, tuple[tuple[str, str], ...]]] = {
    "screen": (("ctrl+p", "Command palette: every action by name"),),
    "feeds": (("click ▸", "Open or close a folder"),),
    "article": (
        ("0-9 Enter", "Follow the link of that number"),
        ("click", "Follow the link clicked"),
    ),
}
"""Keys that are not bindings of their own, for the ``?`` screen."""


def actions_of(scope: Scope) -> list[Action]:
    return [action for action in ACTIONS if action.scope == scope]


def bindings(scope: Scope) -> list[Binding]:
    """The Textual bindings of ``scope``, each with its id, label and help text."""
    return [
        Binding(a.keys, a.action, a.label, id=a.id, tooltip=a.help, show=a.footer)
        for a in actions_of(scope)
    ]
