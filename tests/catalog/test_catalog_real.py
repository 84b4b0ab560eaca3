"""Catalog queries on the real catalog (the ETL run on ../shared/data/raw once per session, tests/conftest.py):
the indexed answers equal a plain pandas filter (tests/harness/naive.py) over many inputs, the declaration's examples
give real answers, and the known gaps of the data (hulu has no cast) are said plainly."""
from __future__ import annotations

import json

import pytest

from catalog import STREAMING
from config import PLATFORMS
from tests.harness import naive

pytestmark = pytest.mark.slow
PLATFORM_KEYS = list(PLATFORMS)


def test_catalog_covers_the_whole_table(real_catalog, titles):
    assert len(titles) == 22_998
    assert real_catalog.year_range == (int(titles["release_year"].min()), int(titles["release_year"].max()))
    assert real_catalog.ratings == sorted(titles["rating"].unique())
    assert sum(real_catalog.get_count_platform(p)["count"] for p in PLATFORM_KEYS) == (titles["type"] == "movie").sum()


@pytest.mark.parametrize("platform", PLATFORM_KEYS)
def test_count_platform_and_second_score_match_pandas(real_catalog, titles, platform):
    assert real_catalog.get_count_platform(platform)["count"] == naive.count_platform(titles, platform)
    assert real_catalog.get_second_score(platform)["title"] == naive.second_score(titles, platform)


def test_max_duration_matches_pandas_for_every_filter(real_catalog, titles):
    years = [None, *sorted(titles["release_year"].unique()[::7].tolist())]
    checked = 0
    for unit in ("min", "season"):
        for platform in [None, *PLATFORM_KEYS]:
            for year in years:
                expected = naive.max_duration(titles, year, platform, unit)
                assert real_catalog.get_max_duration(year, platform, unit)["title"] == expected, (year, platform, unit)
                checked += expected is not None
    assert checked > 100


def test_score_count_matches_pandas(real_catalog, titles):
    for platform in PLATFORM_KEYS:
        for year in (1990, 2005, 2015, 2018, 2019, 2020, 2021):
            for scored in (0.5, 3.5, 3.55, 3.6):
                got = real_catalog.get_score_count(platform, scored, year)["count"]
                assert got == naive.score_count(titles, platform, scored, year), (platform, year, scored)


def test_actor_matches_pandas_for_every_platform_year(real_catalog, titles):
    pairs = titles[["platform", "release_year"]].drop_duplicates().itertuples(index=False)
    answered = 0
    for platform, year in pairs:
        expected = naive.actor(titles, platform, int(year))
        answer = real_catalog.get_actor(platform, int(year))
        assert (None if answer["actor"] is None else (answer["actor"], answer["count"])) == expected, (platform, year)
        answered += expected is not None
    assert answered > 150


def test_hulu_has_no_cast_so_actor_says_it_cannot_answer(real_catalog, titles):
    assert titles.loc[titles["platform"] == "hulu", "cast"].isna().all()
    answer = real_catalog.get_actor("Hulu", 2018)
    assert answer["actor"] is None and answer["count"] == 0 and "no cast data for hulu" in answer["message"]


def test_contents_match_pandas_for_every_rating(real_catalog, titles):
    for rating in real_catalog.ratings:
        answer = real_catalog.get_contents(rating)
        assert [item["id"] for item in answer["items"]] == naive.contents(titles, rating)
        assert answer["count"] == len(answer["items"]) > 0


@pytest.mark.parametrize("tipo, pais, anio", [("movie", "india", 2019), ("tv show", "united states", 2020),
                                              ("movie", "japan", 2018), ("movie", "france", 2010),
                                              ("tv show", "south korea", 2021), ("movie", "niger", 2019)])
def test_prod_per_county_matches_pandas(real_catalog, titles, tipo, pais, anio):
    answer = real_catalog.prod_per_county(tipo, pais, anio)
    assert [item["id"] for item in answer["items"]] == naive.prod_per_county(titles, tipo, pais, anio)


@pytest.mark.parametrize("platform, keyword", [("netflix", "love"), ("disney", "christmas"), ("amazon", "star"),
                                               ("hulu", "the"), ("netflix", "man"), ("amazon", "the"),
                                               ("disney", "star wars"), ("netflix", "spider-man"),
                                               ("hulu", "2"), ("netflix", "zzzqqq")])
def test_word_count_matches_a_word_boundary_regex(real_catalog, titles, platform, keyword):
    answer = real_catalog.get_word_count(platform, keyword)
    assert [item["id"] for item in answer["items"]] == naive.word_count(titles, platform, keyword)


@pytest.mark.parametrize("genre", ["comedy", "comed", "drama", "documentar", "horror", "anime", "kids", "zzz"])
def test_listedin_matches_pandas(real_catalog, titles, genre):
    answer = real_catalog.get_listedin(genre)
    expected = naive.listedin(titles, genre)
    assert (None if answer["platform"] is None else (answer["platform"], answer["count"])) == expected


@pytest.mark.parametrize("spec", STREAMING.questions, ids=[s.name for s in STREAMING.questions])
def test_registry_examples_give_real_answers(real_catalog, spec):
    for row in spec.examples:
        answer = spec.run(real_catalog, *row)
        assert answer["message"] is None, (row, answer["message"])
        assert answer.get("count", 1) > 0 and answer.get("title", "x") and answer.get("actor", "x")
        assert answer.get("platform", "x"), (row, answer)
        json.dumps(answer, allow_nan=False)
