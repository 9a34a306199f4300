"""Search from the app, theme persistence, theme file and config problems, key remaps."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandList

from reader.config import Config
from reader.core import Reader, open_reader
from reader.models import Article, Block, Span
from reader.site_server import SiteServer
from reader.tui.app import STATE_THEME, ReaderApp
from reader.tui.keys import KeyBinding, check_keymap
from reader.tui.screens.main import MainScreen
from reader.tui.screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.test_tui_app import make_app, subscribed, wait_for


def notes(app: ReaderApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_search_from_the_app_with_and_without_accents(
    reader: Reader, site: SiteServer
) -> None:
    await subscribed(reader, site)
    market = site.url("/articles/market-square-redesign.html")
    await reader.get_article(market)  # cached: its text says "café"
    await reader.aclose()
    reader._storage.cache_article(
        Article(
            url=site.url("/articles/port-safety.html"),
            title="Sécurité du port renforcée",
            blocks=(Block("paragraph", (Span("Les quais sont fermés la nuit."),)),),
            fetched_at=1.0,
        )
    )
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        main = app.main
        await pilot.press("slash")
        search = app.screen
        assert isinstance(search, SearchScreen)
        await pilot.press(*"securite")  # no accents typed: finds "Sécurité"
        assert [hit.title for hit in search.values] == ["Sécurité du port renforcée"]
        await pilot.press("enter")  # a cached article: through the link pipeline
        assert isinstance(app.screen, MainScreen)
        await wait_for(pilot, lambda: main.page is not None and main.page.url is not None
                       and main.page.url.endswith("port-safety.html"))  # fmt: skip
        assert main.history.current is not None
        assert main.history.current.url.endswith("port-safety.html")

        await pilot.press("slash", *"café")  # accents typed, and a word from the text
        search = app.screen
        assert isinstance(search, SearchScreen)
        assert search.values and search.values[0].url == market
        # the text matched in the cached article; a feed has it: opened as from its list
        await pilot.press("enter")
        await wait_for(pilot, lambda: main.page is not None and main.page.entry is not None)
        assert main.page is not None and main.page.entry is not None
        assert main.page.entry.url == market
        entry = reader._storage.get_entry(main.page.entry.id)
        assert entry is not None and entry.read
        assert main.pane == "article"

        await pilot.press("slash", *"zzzqqq")
        search = app.screen
        assert isinstance(search, SearchScreen) and search.values == []
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_search_says_nothing_found_only_once_something_is_typed(reader: Reader) -> None:
    # "/" opened on "Nothing found." under an empty box, before a word was typed
    app = make_app(reader)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("slash")
        search = app.screen
        assert isinstance(search, SearchScreen)
        empty = search.query_one("#picker-empty")
        assert not empty.display
        await pilot.press(*"zzzqqq")
        assert empty.display and "Nothing found." in str(empty.render())
        await pilot.press(*["backspace"] * 6, "space")  # blank again
        assert not empty.display


async def test_the_picked_theme_persists_and_wins_over_the_config(db_path: Path) -> None:
    reader = open_reader(db_path, config=Config(theme="reader-high-contrast"), clock=FrozenClock())
    app = make_app(reader)
    async with app.run_test(size=(130, 40)) as pilot:
        assert app.theme == "reader-high-contrast"  # the config's at first
        assert reader._storage.get_state(STATE_THEME) is None  # nothing picked yet

        def first_option() -> str:
            commands = app.screen.query(CommandList)
            if not commands or commands.first().option_count == 0:
                return ""
            return str(commands.first().get_option_at_index(0).prompt)

        await pilot.press("ctrl+p", *"theme")
        await wait_for(pilot, lambda: first_option().startswith("Theme"))
        await pilot.press("enter")  # the theme list, in the palette
        await wait_for(pilot, lambda: first_option() != "" and "Theme" not in first_option())
        await pilot.press(*"reader-light")
        await wait_for(pilot, lambda: first_option() == "reader-light")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "reader-light")
    reader.close()
    assert open_reader(db_path).get_state(STATE_THEME) == "reader-light"

    reader = open_reader(db_path, config=Config(theme="reader-high-contrast"), clock=FrozenClock())
    app = make_app(reader)
    async with app.run_test(size=(130, 40)):
        assert app.theme == "reader-light"
    reader.close()


async def test_unknown_theme_and_bad_theme_files_are_named(
    reader: Reader, isolated_home: Path
) -> None:
    user_themes = reader.paths.themes_dir
    user_themes.mkdir(parents=True, exist_ok=True)
    (user_themes / "broken.toml").write_text('name = "broken"\nprimary = "not a colour"\n')
    from dataclasses import replace

    reader.config = replace(reader.config, theme="no-such-theme")
    app = make_app(reader)
    async with app.run_test(size=(130, 40), notifications=True):
        assert app.theme == "reader-dark"
        assert any("broken.toml" in n for n in notes(app))
        assert any("no-such-theme" in n for n in notes(app))


async def test_config_problems_and_key_remaps(db_path: Path, isolated_home: Path) -> None:
    config_file = open_reader(db_path).paths.config_file
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(
        "refresh_minutes = -3\n"
        "colour = 'blue'\n"
        "[keys]\n"
        'refresh-all = ["f5"]\n'  # a free key: remapped
        'toggle-saved = ["m"]\n'  # m is toggle-read's key: refused, s stays
        'no-such-action = ["x"]\n'
    )
    reader = open_reader(db_path, clock=FrozenClock())
    assert [p.key for p in reader.config_problems] == ["refresh_minutes", "colour"]
    app = make_app(reader)
    async with app.run_test(size=(130, 40), notifications=True) as pilot:
        messages = notes(app)
        assert any("refresh_minutes (line 1)" in n for n in messages)
        assert any("colour (line 2)" in n and "unknown key" in n for n in messages)
        clash = [n for n in messages if "'m'" in n]
        assert len(clash) == 1 and "toggle-saved" in clash[0] and "toggle-read" in clash[0]
        assert any("no-such-action" in n for n in messages)
        assert app._keymap == {"refresh-all": "f5"}
        await pilot.pause()
        # m still marks read (not removed by the refused remap) and s still saves
        keys = {key: b.binding.id for key, b in app.screen.active_bindings.items()}
        assert keys.get("m") == "toggle-read" and keys.get("s") == "toggle-saved"
        assert keys.get("f5") == "refresh-all" and "R" not in keys
    reader.close()


def test_check_keymap_on_its_own() -> None:
    lists = [KeyBinding("down", ("j", "down")), KeyBinding("open", ("enter",))]
    screen = [KeyBinding("save", ("s",)), KeyBinding("read", ("m",)), KeyBinding("quit", ("q",))]
    modal = [KeyBinding("close", ("escape", "q")), KeyBinding("quit", ("q",))]
    chains = [[*lists, *screen], modal]
    # a swap is fine: each key is free once the other moved
    keymap, problems = check_keymap({"save": ["m"], "read": ["s"]}, chains)
    assert keymap == {"save": "m", "read": "s"} and problems == []
    # bindings never active together may share a key
    keymap, problems = check_keymap({"close": ["j"]}, chains)
    assert keymap == {"close": "j"} and problems == []
    keymap, problems = check_keymap({"quit": ["escape"], "save": []}, chains)
    assert keymap == {}
    assert "save has no key" in problems[0]
    assert "'escape' for quit is already the key of close" in problems[1]
    # an unknown id: the ? screen shows no ids, so the message names the likely one
    keymap, problems = check_keymap({"sav": ["x"], "refresh_all": ["x"], "zzz": ["x"]}, chains)
    assert keymap == {}
    assert problems[0].endswith("unknown action 'sav'; did you mean 'save'?")
    assert "unknown action 'refresh_all'" in problems[1]
    assert "README" in problems[2] and "? screen" not in " ".join(problems)


def test_every_colour_in_our_styles_comes_from_the_theme() -> None:
    import re

    import reader.tui as tui

    folder = Path(tui.__file__).parent
    sources = [p.read_text() for p in folder.glob("*.tcss")]
    sources += [
        m.group(1)
        for p in folder.rglob("*.py")
        for m in re.finditer(r'DEFAULT_CSS = """(.*?)"""', p.read_text(), re.S)
    ]
    colour_rule = re.compile(
        r"^\s*([a-z-]*(?:color|background|border)[a-z-]*)\s*:\s*([^;]+);", re.M
    )
    plain = re.compile(r"\d+%|round|solid|tall|none|hidden")
    checked = 0
    for source in sources:
        for name, value in colour_rule.findall(source):
            words = [w for w in value.split() if not plain.fullmatch(w)]
            assert all(w.startswith("$") or w == "transparent" for w in words), (name, value)
            checked += 1
    assert checked > 30
