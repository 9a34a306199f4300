"""The config file: defaults, good values, and one message per bad key with its line."""

from __future__ import annotations

from pathlib import Path

from reader.config import Config, config_from_dict, load_config


def test_a_missing_file_means_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "absent.toml") == (Config(), [])


def test_good_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'refresh_minutes = 10\nconcurrency = 8\nbrowser = "firefox {url}"\n'
        'theme = "reader-light"\nunread_only = true\n\n[keys]\nrefresh = ["f5", "ctrl+r"]\n'
    )
    config, problems = load_config(path)
    assert problems == []
    assert config == Config(
        refresh_minutes=10, concurrency=8, browser="firefox {url}", theme="reader-light",
        unread_only=True, keys={"refresh": ["f5", "ctrl+r"]},
    )  # fmt: skip


def test_bad_values_and_unknown_keys_name_the_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "reader-light"\nrefresh_minutes = "soon"\ncolour = "red"\n')
    config, problems = load_config(path)
    assert config.theme == "reader-light"
    assert config.refresh_minutes == Config().refresh_minutes
    assert [str(p) for p in problems] == [
        "config: refresh_minutes (line 2): must be a whole number; using the default",
        "config: colour (line 3): unknown key; using the default",
    ]


def test_broken_toml_gives_defaults_and_one_message(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = \n")
    config, problems = load_config(path)
    assert config == Config()
    assert len(problems) == 1 and "line 1" in str(problems[0])


def test_reader_config_prints_the_effective_config(cli, isolated_home: Path) -> None:
    config_file = isolated_home / "config" / "reader" / "config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text("refresh_minutes = 5\nbogus = 1\n")
    result = cli("config")
    assert result.status == 0
    assert "refresh_minutes = 5" in result.out
    assert 'theme = "reader-dark"' in result.out
    assert "bogus (line 2): unknown key" in result.err


def test_browser_in_terminal_takes_true_false_or_auto() -> None:
    for value in (True, False, "auto"):
        config, problems = config_from_dict({"browser_in_terminal": value})
        assert problems == [] and config.browser_in_terminal == value
    config, problems = config_from_dict({"browser_in_terminal": "yes"})
    assert config.browser_in_terminal == "auto"
    assert [p.message for p in problems] == ['must be true, false or "auto"']
