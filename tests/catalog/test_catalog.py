"""Catalog queries on a 13-title fixture (tests/conftest.py SMALL_TITLES_ROWS): every answer computed by hand,
every input error, and the streaming catalog's declaration (catalog.streaming) matching StreamingCatalog's methods."""
from __future__ import annotations

import inspect
import json
import math

import pandas as pd
import pytest

from catalog import STREAMING
from catalog.streaming.queries import StreamingCatalog, load_streaming_catalog
from errors import InputError
from inputs.choices import parse_duration_type
from inputs.numbers import parse_score, parse_year
from inputs.platforms import display_name, parse_platform

QUERIES = STREAMING.questions


def titles_of(answer: dict) -> list[str]:
    return [item["title"] for item in answer["items"]]


# ---------------------------------------------------------------- platforms and input parsing

@pytest.mark.parametrize("text, key", [
    ("netflix", "netflix"), ("NETFLIX", "netflix"), ("  Hulu ", "hulu"), ("amazon", "amazon"),
    ("Amazon Prime Video", "amazon"), ("amazon  prime", "amazon"), ("disney", "disney"), ("Disney+", "disney"),
    ("disney plus", "disney"), ("Disney Plus", "disney"),
])
def test_parse_platform_accepts_keys_and_full_names(text, key):
    assert parse_platform(text) == key


def test_parse_platform_unknown_lists_valid_names_and_suggests_closest():
    with pytest.raises(InputError) as err:
        parse_platform("netflx")
    message = str(err.value)
    assert "'netflx'" in message and "Did you mean 'netflix'?" in message
    for key in ("amazon", "disney", "hulu", "netflix"):
        assert key in message


def test_parse_platform_suggests_the_key_not_an_alias():
    with pytest.raises(InputError, match="Did you mean 'disney'"):
        parse_platform("disney pls")


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_platform_requires_a_value(text):
    with pytest.raises(InputError, match="platform is required"):
        parse_platform(text)


def test_parse_platform_without_close_match_still_lists_names():
    with pytest.raises(InputError) as err:
        parse_platform("hbo max")
    assert "Did you mean" not in str(err.value) and "netflix" in str(err.value)


def test_display_name():
    assert display_name("disney plus") == "Disney+"


@pytest.mark.parametrize("value, year", [(2020, 2020), (2020.0, 2020), ("2020", 2020), (" 1990 ", 1990)])
def test_parse_year_accepts_whole_numbers_in_any_shape(value, year):
    assert parse_year(value, (1990, 2021)) == year


@pytest.mark.parametrize("value, pattern", [
    ("abc", "whole number between 1990 and 2021"), (2020.5, "whole number"), (True, "required"),
    (None, "required"), ("", "required"), (float("nan"), "whole number"), (1989, "outside .* 1990-2021"),
    (2022, "outside .* 1990-2021"),
])
def test_parse_year_rejects(value, pattern):
    with pytest.raises(InputError, match=pattern):
        parse_year(value, (1990, 2021))


@pytest.mark.parametrize("value, expected", [(3.5, 3.5), ("3.5", 3.5), ("3,5", 3.5), (0.5, 0.5), (5, 5.0)])
def test_parse_score_accepts(value, expected):
    assert parse_score(value) == expected


@pytest.mark.parametrize("value", [0.4, 5.1, "abc", None, "", float("nan"), float("inf"), True])
def test_parse_score_rejects_with_accepted_range(value):
    with pytest.raises(InputError, match="0.5 to 5.0"):
        parse_score(value)


@pytest.mark.parametrize("value, unit", [("min", "min"), ("MINS", "min"), ("minute", "min"), ("Minutes", "min"),
                                         ("season", "season"), ("Seasons", "season")])
def test_parse_duration_type_spellings(value, unit):
    assert parse_duration_type(value) == unit


def test_parse_duration_type_rejects_with_accepted_list():
    with pytest.raises(InputError, match="min .*season") as err:
        parse_duration_type("hours")
    assert "got 'hours'" in str(err.value)


# ---------------------------------------------------------------- the nine questions, by hand

def test_year_range_and_value_lists(small_catalog):
    assert small_catalog.year_range == (1990, 2021)
    assert small_catalog.ratings == ["18+", "g", "pg", "pg-13", "r", "tv-14", "tv-ma"]
    assert small_catalog.countries == ["india", "japan", "united kingdom", "united states"]
    assert "tv comedies" in small_catalog.genres


def test_get_max_duration(small_catalog):
    c = small_catalog
    assert c.get_max_duration() == {"title": "epsilon", "id": "as1", "platform": "amazon", "release_year": 2020,
                                    "duration_int": 200, "duration_type": "min", "message": None}
    # beta love and delta both run 150 min: alphabetical.
    assert c.get_max_duration(platform="netflix")["title"] == "beta love"
    assert c.get_max_duration(2019, "netflix")["title"] == "delta"
    assert c.get_max_duration(2020)["title"] == "epsilon"
    assert c.get_max_duration(2020, "Disney+")["title"] == "kappa"  # kappa and lambda tie at 80 min
    assert c.get_max_duration(duration_type="Seasons")["title"] == "eta"
    assert c.get_max_duration(2019, "hulu", "season")["duration_int"] == 2


def test_get_max_duration_blank_filters_mean_any(small_catalog):
    assert small_catalog.get_max_duration("", "", "min")["title"] == "epsilon"
    assert small_catalog.get_max_duration(None, "all")["title"] == "epsilon"
    assert small_catalog.get_max_duration(2019, "hulu", "")["message"].endswith("in minutes.")
    assert small_catalog.get_max_duration(2019, "hulu", None)["duration_type"] == "min"


def test_get_max_duration_no_match_is_an_answer(small_catalog):
    answer = small_catalog.get_max_duration(2021, "hulu")
    assert answer["title"] is None and answer["id"] is None and answer["duration_int"] is None
    assert answer["platform"] == "hulu" and answer["release_year"] == 2021 and answer["duration_type"] == "min"
    assert answer["message"] == "No titles on hulu released in 2021 have a duration in minutes."
    assert small_catalog.get_max_duration(1995)["message"] == "No titles released in 1995 have a duration in minutes."


def test_get_score_count(small_catalog):
    c = small_catalog
    # netflix movies of 2020: alpha 4.0, beta love 3.0, lovely day 4.5 (the TV show gamma 4.5 does not count).
    assert c.get_score_count("netflix", 3.5, 2020) == {"platform": "netflix", "scored": 3.5, "year": 2020,
                                                      "count": 2, "message": None}
    assert c.get_score_count("Netflix", "4.0", "2020")["count"] == 1  # strictly greater
    assert c.get_score_count("netflix", 0.5, 2019)["count"] == 1


def test_get_score_count_zero_says_so(small_catalog):
    answer = small_catalog.get_score_count("netflix", 4.5, 2020)
    assert answer["count"] == 0 and "No netflix movies released in 2020 have a score above 4.5" in answer["message"]
    answer = small_catalog.get_score_count("disney", 1, 2021)
    assert answer["count"] == 0 and "disney has no movies released in 2021" in answer["message"]


def test_get_count_platform(small_catalog):
    counts = {p: small_catalog.get_count_platform(p)["count"] for p in ("netflix", "amazon", "hulu", "disney")}
    assert counts == {"netflix": 5, "amazon": 2, "hulu": 1, "disney": 2}
    assert small_catalog.get_count_platform("AMAZON PRIME VIDEO") == {"platform": "amazon", "count": 2,
                                                                      "message": None}


def test_get_actor(small_catalog):
    c = small_catalog
    # netflix 2020: ann lee 2, bob ray 2, cara sun 2, dan fox 1 -> alphabetical among the three.
    assert c.get_actor("netflix", 2020) == {"actor": "ann lee", "count": 2, "platform": "netflix", "year": 2020,
                                           "message": None}
    assert c.get_actor("disney", 2020)["actor"] == "bob ray" and c.get_actor("disney", 2020)["count"] == 2
    assert c.get_actor("amazon", "2020")["actor"] == "ann lee"  # ann lee 1, zed 1
    assert c.get_actor("amazon", 2021)["count"] == 1


def test_get_actor_when_the_data_cannot_answer(small_catalog):
    hulu = small_catalog.get_actor("hulu", 2020)
    assert hulu["actor"] is None and hulu["count"] == 0 and "no cast data for hulu" in hulu["message"]
    no_cast = small_catalog.get_actor("netflix", 2019)
    assert no_cast["actor"] is None and no_cast["message"].startswith(
        "No cast is listed for the netflix titles released in 2019 (1)")
    none_that_year = small_catalog.get_actor("netflix", 2021)
    assert none_that_year["message"] == "No netflix titles were released in 2021."


def test_get_contents(small_catalog):
    answer = small_catalog.get_contents("TV-MA")
    assert answer["rating"] == "tv-ma" and answer["count"] == 4 and answer["message"] is None
    assert titles_of(answer) == ["alpha", "beta love", "eta", "iota"]
    assert answer["items"][0] == {"id": "ns1", "title": "alpha", "platform": "netflix", "release_year": 2020,
                                  "type": "movie"}


def test_get_contents_rejects_unknown_rating_with_suggestion(small_catalog):
    with pytest.raises(InputError, match="Did you mean 'tv-ma'") as err:
        small_catalog.get_contents("tv-m")
    assert "18+, g, pg" in str(err.value)
    with pytest.raises(InputError, match="rating must be one of"):
        small_catalog.get_contents("")


def test_prod_per_county(small_catalog):
    c = small_catalog
    answer = c.prod_per_county("movie", "India", 2020)
    assert (answer["tipo"], answer["pais"], answer["anio"], answer["count"]) == ("movie", "india", 2020, 3)
    assert titles_of(answer) == ["alpha", "beta love", "epsilon"]
    assert titles_of(c.prod_per_county("TV", "india", "2020")) == ["eta"]
    usa = c.prod_per_county("films", "USA", 2020)
    assert usa["pais"] == "united states" and titles_of(usa) == ["beta love", "kappa", "lambda", "theta"]


def test_prod_per_county_no_match_is_an_answer(small_catalog):
    answer = small_catalog.prod_per_county("movie", "india", 2019)
    assert answer["count"] == 0 and answer["items"] == []
    assert answer["message"] == "No movie titles produced in india were released in 2019."
    typo = small_catalog.prod_per_county("movie", "indai", 2020)
    assert typo["count"] == 0 and "Did you mean 'india'?" in typo["message"]


def test_get_word_count(small_catalog):
    c = small_catalog
    love = c.get_word_count("netflix", "Love")
    assert love["count"] == 1 and titles_of(love) == ["beta love"]  # whole word: not "lovely day"
    assert love["keyword"] == "love" and love["platform"] == "netflix"
    assert titles_of(c.get_word_count("amazon", "love story")) == ["zeta love story"]
    assert titles_of(c.get_word_count("netflix", "spider-man")) == ["spider-man: far"]
    assert titles_of(c.get_word_count("netflix", "spider man")) == ["spider-man: far"]
    assert titles_of(c.get_word_count("netflix", "man")) == ["spider-man: far"]


def test_get_word_count_no_match_is_an_answer(small_catalog):
    answer = small_catalog.get_word_count("amazon", "story love")  # a phrase keeps its word order
    assert answer["count"] == 0 and answer["items"] == []
    assert answer["message"] == "No amazon titles contain the word 'story love'."
    assert small_catalog.get_word_count("hulu", "love")["count"] == 0


def test_get_second_score(small_catalog):
    c = small_catalog
    # netflix movies: delta 4.5, lovely day 4.5, alpha 4.0...: equal scores alphabetical, so lovely day is second.
    assert c.get_second_score("netflix") == {"platform": "netflix", "title": "lovely day", "id": "ns5",
                                            "score": 4.5, "release_year": 2020, "message": None}
    assert c.get_second_score("disney")["title"] == "lambda"
    assert c.get_second_score("amazon")["title"] == "zeta love story"


def test_get_second_score_with_a_single_movie(small_catalog):
    answer = small_catalog.get_second_score("hulu")
    assert answer["title"] is None and "no second best" in answer["message"]


def test_get_listedin(small_catalog):
    c = small_catalog
    comed = c.get_listedin("Comed")
    assert (comed["genre"], comed["platform"], comed["count"]) == ("comed", "netflix", 3)
    assert comed["counts"] == {"amazon": 2, "disney": 0, "hulu": 1, "netflix": 3}
    assert comed["matched_genres"] == ["comedies", "comedy", "tv comedies"]
    # Singular and plural count alike: netflix says "comedies", amazon and hulu "comedy".
    for form in ("comedy", "Comedies"):
        answer = c.get_listedin(form)
        assert answer["matched_genres"] == ["comedies", "comedy", "tv comedies"] and answer["count"] == 3
    assert c.get_listedin("dramas")["matched_genres"] == ["drama", "dramas"]
    assert c.get_listedin("documentary")["matched_genres"] == ["documentaries"]
    assert (c.get_listedin("drama")["platform"], c.get_listedin("drama")["count"]) == ("amazon", 2)  # tie: a < n
    assert c.get_listedin("HORROR")["platform"] == "hulu"
    assert c.get_listedin("family")["count"] == 2


def test_get_listedin_no_match_is_an_answer(small_catalog):
    answer = small_catalog.get_listedin("westrn")
    assert answer["platform"] is None and answer["count"] == 0
    assert answer["message"].startswith("No genre label contains 'westrn'.")


# ---------------------------------------------------------------- input errors at every question

BAD_CALLS = [
    ("get_max_duration", (2020, "netflx", "min"), "Did you mean 'netflix'"),
    ("get_max_duration", (1800, None, "min"), "1990-2021"),
    ("get_max_duration", (None, None, "hours"), "duration_type must be one of"),
    ("get_score_count", ("netflix", 6, 2020), "0.5 to 5.0"),
    ("get_score_count", ("netflix", "abc", 2020), "scored must be a number"),
    ("get_score_count", ("netflix", 3.5, 2030), "1990-2021"),
    ("get_score_count", ("hbo", 3.5, 2020), "Valid platforms"),
    ("get_count_platform", ("",), "platform is required"),
    ("get_actor", ("netflix", "twenty"), "whole number"),
    ("get_actor", ("disny", 2020), "Did you mean 'disney'"),
    ("get_contents", ("xyz",), "rating must be one of"),
    ("prod_per_county", ("documentary", "india", 2020), "tipo must be one of"),
    ("prod_per_county", ("movie", "  ", 2020), "pais is required"),
    ("prod_per_county", ("movie", "india", 1900), "anio 1900 is outside"),
    ("get_word_count", ("netflix", ""), "keyword is required"),
    ("get_word_count", ("netflix", "!!!"), "letter or a digit"),
    ("get_word_count", ("nflx", "love"), "Valid platforms"),
    ("get_second_score", ("prime tv",), "Valid platforms"),
    ("get_listedin", ("",), "genre is required"),
    ("get_listedin", (None,), "genre is required"),
]


@pytest.mark.parametrize("name, args, pattern", BAD_CALLS, ids=[f"{c[0]}{c[1]}" for c in BAD_CALLS])
def test_bad_input_raises_input_error(small_catalog, name, args, pattern):
    with pytest.raises(InputError, match=pattern):
        getattr(small_catalog, name)(*args)


def test_every_question_has_an_error_case():
    assert {name for name, _, _ in BAD_CALLS} == {spec.name for spec in QUERIES}


# ---------------------------------------------------------------- answers are plain, safe data

def test_answers_are_plain_json_with_a_message_key(small_catalog):
    calls = {"get_max_duration": (), "get_score_count": ("netflix", 3.5, 2020), "get_count_platform": ("hulu",),
             "get_actor": ("netflix", 2020), "get_contents": ("g",), "prod_per_county": ("movie", "india", 2020),
             "get_word_count": ("netflix", "love"), "get_second_score": ("netflix",), "get_listedin": ("comedy",)}
    for spec in QUERIES:
        answer = spec.run(small_catalog, *calls[spec.name])
        assert "message" in answer and answer["message"] is None
        text = json.dumps(answer, allow_nan=False)  # no numpy types, no NaN
        assert json.loads(text) == answer
        for value in answer.values():
            assert type(value) in (str, int, float, list, dict, type(None)), (spec.name, value)


def test_changing_an_answer_does_not_change_the_catalog(small_catalog):
    first = small_catalog.get_contents("tv-ma")
    first["items"][0]["title"] = "changed"
    first["items"].clear()
    again = small_catalog.get_contents("tv-ma")
    assert titles_of(again) == ["alpha", "beta love", "eta", "iota"]


def test_rows_order_does_not_matter(small_titles):
    shuffled = StreamingCatalog(small_titles.sample(frac=1, random_state=1))
    assert shuffled.get_max_duration(platform="netflix")["title"] == "beta love"
    assert shuffled.get_second_score("netflix")["title"] == "lovely day"
    assert shuffled.get_actor("netflix", 2020)["actor"] == "ann lee"


def test_missing_score_counts_nowhere(small_titles):
    small_titles.loc[small_titles["id"] == "ns1", "score"] = math.nan
    catalog = StreamingCatalog(small_titles)
    assert catalog.get_score_count("netflix", 0.5, 2020)["count"] == 2
    assert catalog.get_count_platform("netflix")["count"] == 5  # still a movie


# ---------------------------------------------------------------- loading

def test_catalog_rejects_a_table_without_the_contract_columns(small_titles):
    with pytest.raises(InputError, match=r"lacks columns \['score'\].*python -m etl"):
        StreamingCatalog(small_titles.drop(columns=["score"]))
    with pytest.raises(InputError, match="empty"):
        StreamingCatalog(small_titles.iloc[0:0])


def test_load_catalog_reads_the_processed_parquet(small_titles, tmp_path):
    small_titles.assign(description="x").to_parquet(tmp_path / "titles.parquet")
    assert load_streaming_catalog(tmp_path).get_count_platform("netflix")["count"] == 5


def test_load_catalog_missing_file_says_how_to_build_it(tmp_path):
    with pytest.raises(InputError, match="titles.parquet not found.*python -m etl"):
        load_streaming_catalog(tmp_path)


# ---------------------------------------------------------------- the registry the UI and REST are built from

def test_registry_names_and_routes():
    assert ["/" + r.api_name for r in STREAMING.routes] == ["/max_duration", "/score_count", "/count_platform",
                                                            "/actor", "/contents", "/prod_per_county", "/word_count",
                                                            "/second_score", "/listedin"]
    assert [r.path for r in STREAMING.routes] == ["/max_duration", "/score_count", "/count_platform/{platform}",
                                                  "/actor", "/contents/{rating}", "/prod_per_county", "/word_count",
                                                  "/second_score/{platform}", "/listedin/{genre}"]
    assert [s.name for s in QUERIES] == ["get_max_duration", "get_score_count", "get_count_platform", "get_actor",
                                         "get_contents", "prod_per_county", "get_word_count", "get_second_score",
                                         "get_listedin"]


@pytest.mark.parametrize("spec", QUERIES, ids=[s.name for s in QUERIES])
def test_registry_matches_the_method_signature(spec):
    signature = inspect.signature(getattr(StreamingCatalog, spec.name))
    params = [p for p in signature.parameters.values() if p.name != "self"]
    assert [p.name for p in spec.params] == [p.name for p in params]
    for declared, actual in zip(spec.params, params):
        assert declared.required == (actual.default is inspect.Parameter.empty), declared.name
        if not declared.required:
            assert declared.default == actual.default, declared.name
        assert callable(declared.parse) and declared.help
    assert spec.label and len(spec.definition) > 40 and "\n" not in spec.definition
    assert 2 <= len(spec.examples) <= 3 and all(len(row) == len(spec.params) for row in spec.examples)


def test_registry_catalog_values_name_catalog_lists(small_catalog):
    for spec in QUERIES:
        for param in spec.params:
            if param.catalog_values:
                values = getattr(small_catalog, param.catalog_values)
                assert isinstance(values, list) and values == sorted(values)


def test_registry_choices_are_accepted(small_catalog):
    for spec in QUERIES:
        for param in spec.params:
            for choice in param.choices or ():
                if param.name == "platform":
                    assert parse_platform(choice) == choice
                elif param.name == "duration_type":
                    assert parse_duration_type(choice) == choice


def test_fixture_has_the_contract_dtypes(small_titles):
    assert pd.api.types.is_integer_dtype(small_titles["release_year"])
    assert str(small_titles["duration_int"].dtype) == "Int64"
