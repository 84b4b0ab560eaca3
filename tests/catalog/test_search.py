"""Title search (catalog/search.py) on the real processed catalog: partial, misspelled, accent-free queries."""
from __future__ import annotations

import pytest

from catalog.names import title_key
from catalog.search import TitleIndex
from errors import InputError


def titles_of(items: list[dict]) -> list[str]:
    return [item["title"] for item in items]


def test_title_key_strips_case_accents_and_punctuation():
    assert title_key("Pokémon: The Movie") == "pokemon the movie"
    assert title_key("LES MISÉRABLES") == "les miserables"
    assert title_key("Don’t Tell Amma") == "dont tell amma"


@pytest.mark.slow
def test_partial_title_finds_the_series_first(title_index):
    found = title_index.search("toy stor", limit=5)
    assert titles_of(found)[:4] == ["toy story", "toy story 2", "toy story 3", "toy story 4"]
    assert all(item["match"] == "prefix" for item in found)
    assert found[0] == {"id": "ds1378", "title": "toy story", "platform": "disney", "release_year": 1995,
                        "type": "movie", "score": found[0]["score"], "match": "prefix"}


@pytest.mark.slow
@pytest.mark.parametrize("query, expected", [
    ("godfater", "the black godfather"),       # missing letter
    ("toy stroy", "toy story"),                # swapped letters
    ("frozn", "frozen"),
    ("lion kng", "the lion king"),
    ("dave chapel", "dave chappelle"),
    ("STRANGER THINGS", "stranger things"),   # any case
    ("pokemon", "pokémon the series"),         # without the accent
])
def test_misspelled_or_unaccented_query_finds_the_title(title_index, query, expected):
    assert expected in titles_of(title_index.search(query, limit=5))


@pytest.mark.slow
def test_accented_and_plain_queries_give_the_same_answer(title_index):
    assert title_index.search("Les Misérables") == title_index.search("les miserables")
    found = title_index.search("les miserables", limit=2)
    assert titles_of(found) == ["les misérables", "les misérables"]  # two films, two platforms
    assert {item["platform"] for item in found} == {"amazon", "netflix"}
    assert all(item["match"] == "exact" for item in found)


@pytest.mark.slow
def test_exact_title_ranks_before_longer_ones(title_index):
    assert title_index.search("breaking bad", limit=3)[0]["id"] == "ns5941"
    assert titles_of(title_index.search("breaking bad", limit=3))[1] == "el camino: a breaking bad movie"


@pytest.mark.slow
def test_results_are_ranked_and_limited(title_index):
    found = title_index.search("love", limit=7)
    assert len(found) == 7
    order = {"exact": 3, "prefix": 2, "word": 1, "fuzzy": 0}
    tiers = [order[item["match"]] for item in found]
    assert tiers == sorted(tiers, reverse=True)
    assert all(0 < item["score"] <= 1 for item in found)


@pytest.mark.slow
@pytest.mark.parametrize("query", ["", "   ", "?!"])
def test_empty_query_gives_nothing(title_index, query):
    assert title_index.search(query) == []


@pytest.mark.slow
def test_resolve_accepts_ids_and_exact_titles(title_index):
    assert title_index.resolve("ds1378") == "ds1378"
    assert title_index.resolve(" DS1378 ") == "ds1378"
    assert title_index.resolve("Toy Story") == "ds1378"
    assert title_index.resolve("STRANGER THINGS") == "ns3686"


@pytest.mark.slow
def test_resolve_unknown_title_lists_suggestions_with_ids(title_index):
    with pytest.raises(InputError) as err:
        title_index.resolve("godfater")
    message = str(err.value)
    assert message.startswith("unknown title 'godfater'; did you mean:")
    assert "'the black godfather' (netflix, 2019, id ns3772)" in message


@pytest.mark.slow
def test_resolve_ambiguous_title_lists_every_listing(title_index):
    with pytest.raises(InputError, match="names 2 catalog entries") as err:
        title_index.resolve("les miserables")
    assert "amazon" in str(err.value) and "netflix" in str(err.value) and "by its id" in str(err.value)


@pytest.mark.slow
@pytest.mark.parametrize("text, expected", [
    ("", "empty title"),
    ("🎬 ?!", "empty title"),
    ("ns99999999", "unknown title id 'ns99999999'"),
    ("qqqqqqqqqqqqqqqqqqq", "no catalog title looks like it"),
])
def test_resolve_bad_input_says_what_is_accepted(title_index, text, expected):
    with pytest.raises(InputError, match=expected):
        title_index.resolve(text)


def test_index_builds_on_the_contract_columns(small_titles):
    index = TitleIndex(small_titles)
    assert len(index) == len(small_titles)
    assert index.search("lovly", limit=1)[0]["id"] == "ns5"


@pytest.mark.slow
def test_queries_longer_than_any_title_are_refused(title_index):
    # Unbounded queries cost seconds of CPU each (100k characters: about 3 s); no title is that long.
    assert title_index.search("toy story " + "x" * 190, limit=1) is not None  # 200 characters: still searched
    for text in ("toy story " * 21, "x" * 100_000):
        with pytest.raises(InputError, match="a title is at most 200 characters"):
            title_index.search(text)
        with pytest.raises(InputError, match="a title is at most 200 characters"):
            title_index.resolve(text)


def test_messages_repeat_at_most_about_80_characters_of_the_query(small_titles):
    index = TitleIndex(small_titles)
    for text, char in (("q" * 190, "q"), ("ns" + "1" * 190, "1")):
        with pytest.raises(InputError) as err:
            index.resolve(text)
        assert char * 81 not in str(err.value) and "characters" in str(err.value), str(err.value)


def test_a_title_named_like_a_number_is_a_title_not_an_id(small_titles):
    titles = small_titles.copy()
    titles.loc[titles["id"] == "ns4", "title"] = "1917"
    index = TitleIndex(titles)
    assert index.resolve("1917") == "ns4" and index.resolve("NS4") == "ns4"
