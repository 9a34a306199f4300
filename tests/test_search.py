"""Search from the command line: entries and cached articles, accents folded."""

from __future__ import annotations

from reader.core import Reader
from reader.models import Article, Block, EntryData, Span


def _fill(reader: Reader) -> None:
    feed = reader._storage.add_feed("https://news.example/feed", title="News")
    assert feed is not None
    reader._storage.store_entries(
        feed.id,
        [
            EntryData("1", url="https://news.example/1", title="Sécurité routière renforcée",
                      published=1000.0, content="<p>Les contrôles augmentent.</p>"),
            EntryData("2", url="https://news.example/2", title="Weather report",
                      published=2000.0, summary="Rain and wind, sécurité first"),
            EntryData("3", url="https://news.example/3", title="Sports", published=3000.0),
        ],
    )  # fmt: skip
    reader._storage.cache_article(
        Article(
            url="https://elsewhere.example/deep",
            title="A page reached by a link",
            blocks=(Block("paragraph", (Span("about securite of bridges"),)),),
            fetched_at=500.0,
        )
    )


def test_search_with_and_without_accents_ranks_title_matches_first(reader: Reader) -> None:
    _fill(reader)
    plain = [hit.title for hit in reader.search("securite")]
    accented = [hit.title for hit in reader.search("sécurité")]
    assert plain == accented
    assert plain[0] == "Sécurité routière renforcée"
    assert set(plain) == {
        "Sécurité routière renforcée", "Weather report", "A page reached by a link",
    }  # fmt: skip


def test_search_prefixes_and_all_words(reader: Reader) -> None:
    _fill(reader)
    assert [hit.title for hit in reader.search("rout renf")] == ["Sécurité routière renforcée"]
    assert reader.search("routière sports") == []


def test_reader_search_cli(cli, db_path) -> None:
    from reader.core import open_reader

    reader = open_reader(db_path)
    _fill(reader)
    reader.close()
    result = cli("search", "bridges", "--json")
    assert result.status == 0
    assert [(hit["kind"], hit["url"]) for hit in result.json()] == [
        ("article", "https://elsewhere.example/deep")
    ]
    text = cli("search", "weather")
    assert text.status == 0 and "Weather report  [News]" in text.out
    none = cli("search", "zebra")
    assert none.status == 1 and none.err.strip() == "nothing found"
