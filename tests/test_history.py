"""Back and forward like a browser, bounded, and kept across restarts."""

from __future__ import annotations

from reader.core import Reader
from reader.history import History, Visit


def _walk(history: History, *urls: str) -> None:
    for url in urls:
        history.visit(Visit(url, title=url.upper()))


def test_back_and_forward() -> None:
    history = History()
    assert history.current is None and history.back() is None
    _walk(history, "a", "b", "c")
    assert history.back() == Visit("b", "B")
    assert history.back() == Visit("a", "A")
    assert history.back() is None
    assert history.forward() == Visit("b", "B")
    assert history.can_go_forward


def test_visiting_from_the_middle_drops_the_forward_part() -> None:
    history = History()
    _walk(history, "a", "b", "c")
    history.back()
    history.back()
    history.visit(Visit("d"))
    assert [v.url for v in history.visits] == ["a", "d"]
    assert not history.can_go_forward


def test_the_same_page_twice_is_one_visit_and_keeps_its_scroll() -> None:
    history = History()
    _walk(history, "a")
    history.remember_scroll(42.0)
    history.visit(Visit("a", "A again"))
    assert history.visits == [Visit("a", "A again", scroll=42.0)]


def test_scroll_is_restored_on_back() -> None:
    history = History()
    _walk(history, "a")
    history.remember_scroll(17.0)
    _walk(history, "b")
    back = history.back()
    assert back is not None and back.scroll == 17.0


def test_a_loop_of_links_never_grows_past_the_limit() -> None:
    history = History(limit=50)
    for n in range(10_000):
        history.visit(Visit(f"page-{n % 3}"))
    assert len(history.visits) == 50
    assert history.index == 49


def test_history_survives_a_restart(reader: Reader, db_path) -> None:
    history = History()
    _walk(history, "https://a.example/1", "https://a.example/2", "https://a.example/3")
    history.back()
    reader.save_history(history)
    reader.close()
    from reader.core import open_reader

    again = open_reader(db_path)
    try:
        restored = again.history()
    finally:
        again.close()
    assert restored.visits == history.visits
    assert restored.current == Visit("https://a.example/2", "HTTPS://A.EXAMPLE/2")
    assert restored.forward() == Visit("https://a.example/3", "HTTPS://A.EXAMPLE/3")


def test_a_damaged_saved_history_starts_empty() -> None:
    assert History.from_json("{not json").visits == []
    assert History.from_json('{"visits": [{"nope": 1}]}').visits == []
    assert History.from_json(None).current is None
