"""Theme files: ours are valid and cover dark, light and high contrast; bad ones are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.tui.themes import bundled_themes_dir, load_theme_file, load_themes


def test_bundled_themes_are_valid_and_include_the_three_kinds() -> None:
    themes, problems = load_themes()
    assert problems == []
    names = {t.name: t for t in themes}
    assert {"reader-dark", "reader-light", "reader-high-contrast"} <= set(names)
    assert names["reader-dark"].dark and not names["reader-light"].dark
    assert len(list(bundled_themes_dir().glob("*.toml"))) == len(themes)


def test_user_themes_load_and_override_ours_by_name(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\ndark = false\n')
    (tmp_path / "override.toml").write_text('name = "reader-dark"\nprimary = "#ff0000"\n')
    themes, problems = load_themes(tmp_path)
    by_name = {t.name: t for t in themes}
    assert problems == []
    assert by_name["mine"].primary == "#123456"
    assert by_name["reader-dark"].primary == "#ff0000"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name = 'x'\nprimary = 'not-a-colour'\n", "bad colour"),
        ("name = 'x'\nprimary = '#fff'\nsparkle = true\n", "unknown keys sparkle"),
        ("primary = '#fff'\n", "needs a name"),
        ("name = 'x'\n", "needs a primary"),
        ("name = 'x'\nprimary = 12\n", "must be a colour"),
        ("name = [\n", "not readable TOML"),
        ("name = 'x'\nprimary = '#fff'\ndark = 'yes'\n", "dark must be"),
    ],
)
def test_an_invalid_theme_file_is_named_and_skipped(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_theme_file(path)
    themes, problems = load_themes(tmp_path)
    assert len(problems) == 1 and "broken.toml" in problems[0]
    assert "x" not in {t.name for t in themes}
