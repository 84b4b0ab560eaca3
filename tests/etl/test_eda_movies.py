"""The Movies catalog's EDA section (etl/movies/eda/): statistics on a small hand-made catalog (fast: outliers
named, 0-vote averages counted, the well-rated subset, captions and report follow the numbers), and its part of
`python -m etl.eda` on the real processed data (slow): the per-movie item signal is real where the streaming one is
not. What every section shares (figures drawn, strict JSON, the builder's outputs and errors) is
tests/etl/test_eda.py."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from catalog import MOVIES, STREAMING
from errors import InputError
from etl.eda import plots
from etl.eda.build import eda_json, figure_entries
from etl.eda.ratings import item_signal
from etl.movies import columns as mc
from etl.movies.eda import CAPTIONS, FIGURES, compute, load, markdown
from etl.movies.eda.data import MOVIE_COLUMNS, MoviesData, ratings_data
from etl.movies.eda.stats import item_signal_well_rated, well_rated
from tests.harness.eda_checks import PNG_SIGNATURE, reject_constant

# (id, title, year, overview, runtime, language, language name, countries, budget, revenue, vote_average,
#  vote_count). Two returns in the millions on budgets typed as 1 and 10 dollars, one real high return on $15,000,
# three 0 averages without votes and one with votes, a 0 and a missing runtime, a 900-minute series.
SMALL_MOVIES = [
    (1, "Less Than Zero", 1987, "A young man comes home.", 98.0, "en", "English", ["United States"], 1, 12_396_383,
     6.1, 80),
    (2, "Nurse 3-D", 2013, "A nurse with a secret.", 99.0, "en", "English", ["United States"], 10, 10_000_000, 4.9, 60),
    (3, "Paranormal Activity", 2007, "A young couple and a demon.", 86.0, "en", "English", ["United States"], 15_000,
     193_355_800, 5.9, 1_000),
    (4, "Big Film", 2011, "Pirates find a fountain.", 136.0, "en", "English", ["United States", "United Kingdom"],
     380_000_000, 1_045_713_802, 6.4, 5_000),
    (5, "Flop", 2001, "A love story.", 110.0, "fr", "French", ["France"], 20_000_000, 5_000_000, 5.0, 40),
    (6, "Centennial", 1978, None, 900.0, "en", "English", ["United States"], 0, 0, 7.5, 12),
    (7, "Roma", 2015, None, 0.0, "it", "Italian", [], 0, 0, 0.0, 0),
    (8, "Silence", 2016, "Love in Rome.", None, "it", "Italian", ["Italy"], 0, 0, 0.0, 0),
    (9, "Empty Room", 1950, None, 90.0, "xx", "No Language", [], 0, 0, 0.0, 0),
    (10, "Hated", 1999, "A man and his love.", 95.0, "en", "English", ["Canada"], 0, 0, 0.0, 3),
    (11, "Love Story", 1970, "Love and loss.", 100.0, "en", "English", ["United States"], 2_200_000, 136_400_000,
     6.6, 300),
    (12, "Man of Love", 2005, "A man in love.", 105.0, "fr", "French", ["France", "Belgium"], 0, 0, 6.0, 5),
]
FIELDS = [mc.ID, mc.TITLE, mc.RELEASE_YEAR, mc.OVERVIEW, mc.RUNTIME, mc.LANGUAGE, mc.LANGUAGE_NAME, mc.COUNTRY_NAMES,
          mc.BUDGET, mc.REVENUE, mc.VOTE_AVERAGE, mc.VOTE_COUNT]


def small_movies() -> pd.DataFrame:
    movies = pd.DataFrame(SMALL_MOVIES, columns=FIELDS)
    movies[mc.RETURN] = np.where(movies[mc.BUDGET] > 0, movies[mc.REVENUE] / movies[mc.BUDGET].clip(lower=1), 0.0)
    return movies[MOVIE_COLUMNS].astype({mc.RELEASE_YEAR: "int32"})


def small_ratings(movie_effect: float = 1.5, n_users: int = 150, seed: int = 0) -> pd.DataFrame:
    """Every user rates the first 10 movies: 3.5 stars + the movie's quality + noise, on half stars."""
    rng = np.random.default_rng(seed)
    ids = small_movies()[mc.ID].to_numpy()[:10]
    quality = rng.normal(0, 1, len(ids))
    users, which = (a.ravel() for a in np.meshgrid(np.arange(1, n_users + 1), np.arange(len(ids)), indexing="ij"))
    raw = 3.5 + movie_effect * quality[which] + rng.normal(0, 1, len(which))
    return pd.DataFrame({mc.USER: users.astype(np.int32), mc.ID: ids[which], mc.ML_MOVIE: which.astype(np.int32),
                         mc.RATING: np.clip(np.round(raw * 2) / 2, 0.5, 5.0).astype(np.float32),
                         mc.TIMESTAMP: np.full(len(which), 1_000_000_000, dtype=np.int64)})


def small_movies_data(movie_effect: float = 1.5) -> MoviesData:
    movies = small_movies()
    report = {"movies": {"rows": len(movies), "from_raw_rows": 5}}
    return MoviesData(movies, report, ratings_data(movies, small_ratings(movie_effect), Path("ratings.parquet")))


def entries(numbers: dict) -> list[dict]:
    """The catalog's eda.json "figures" list from its numbers, as the builder writes it."""
    return figure_entries(MOVIES.name, numbers, FIGURES, CAPTIONS)


@pytest.fixture(scope="module")
def small_numbers() -> tuple[dict, MoviesData]:
    data = small_movies_data()
    return compute(data, n_shuffles=3), data


# --- fast: the hand-made catalog ---------------------------------------------------------------------------------

def test_returns_in_the_millions_are_named_with_their_typed_budgets(small_numbers):
    m = small_numbers[0]["money"]
    assert m["with_budget"] == 6 and m["with_revenue"] == 6 and m["with_both"] == 6
    assert [r["title"] for r in m["highest_returns"]] == ["Less Than Zero", "Nurse 3-D", "Paranormal Activity"]
    assert m["highest_returns"][0] == {"id": 1, "title": "Less Than Zero", "year": 1987, "budget": 1,
                                       "revenue": 12_396_383, "return": 12_396_383}
    assert m["high_return_movies"] == 3 and m["high_return_tiny_budget"] == 2 and m["tiny_budget_movies"] == 2
    assert m["highest_return_plausible_budget"]["title"] == "Paranormal Activity"
    assert m["return_median"] == pytest.approx(np.median([12_396_383, 1e6, 193_355_800 / 15_000,
                                                          1_045_713_802 / 380e6, 0.25, 62]))
    assert m["largest_budget"][0]["title"] == "Big Film"


def test_zero_averages_without_votes_are_counted(small_numbers):
    v = small_numbers[0]["votes"]
    assert v["no_votes"] == 3 and v["no_votes_zero_average"] == 3 and v["zero_average_with_votes"] == 1
    averages = [row[10] for row in SMALL_MOVIES]
    voted = [row[10] for row in SMALL_MOVIES if row[11] > 0]
    assert v["average_mean_all"] == pytest.approx(np.mean(averages))
    assert v["average_mean_voted"] == pytest.approx(np.mean(voted))
    assert v["few_votes_movies"] == 2 and v["many_votes_movies"] == 3  # votes 3 and 5; 300, 1,000 and 5,000
    assert v["most_votes"][0]["title"] == "Big Film"


def test_runtime_years_languages_countries_and_words(small_numbers):
    m = small_numbers[0]
    r = m["runtime"]
    assert r["with_runtime"] == 10 and r["zero_runtime"] == 1 and r["missing"] == 1
    assert r["median"] == pytest.approx(np.median([98, 99, 86, 136, 110, 900, 90, 95, 100, 105]))
    assert r["longest"][0] == {"id": 6, "title": "Centennial", "year": 1978, "runtime": 900}
    assert r["beyond_fence"] == 1
    y = m["release_year"]
    assert (y["min"], y["max"], y["median"]) == (1950, 2016, 2003.0) and y["recent_share"] == pytest.approx(7 / 12)
    lc = m["languages_countries"]
    assert list(lc["top_languages"])[0] == "English" and set(list(lc["top_languages"])[1:3]) == {"French", "Italian"}
    assert lc["top_languages"]["English"] == 7 and lc["top_languages"]["No Language"] == 1
    assert lc["english_share"] == pytest.approx(7 / 12) and lc["languages"] == 4
    assert list(lc["top_countries"])[0] == "United States" and lc["top_countries"]["France"] == 2
    assert lc["no_country"] == 2 and lc["countries"] == 6
    assert list(m["title_words"])[0] == "Love" and m["title_words"]["Love"] == 2
    assert list(m["overview_words"])[0] == "love" and m["with_overview"] == 9
    assert m["movies"] == 12 and m["from_raw_rows"] == 5


def test_ratings_are_summarised_with_the_streaming_code(small_numbers):
    r = small_numbers[0]["ratings"]
    assert r["ratings"] == 1_500 and r["users"] == 150 and r["movies_rated"] == 10
    assert r["rated_share_of_catalog"] == pytest.approx(10 / 12) and r["density"] == 1.0
    assert r["ratings_per_title"]["min"] == r["ratings_per_title"]["max"] == 150
    assert r["single_rating_movies"] == 0


def test_movie_signal_is_found_when_planted_and_not_otherwise():
    planted = compute(small_movies_data(movie_effect=1.5), n_shuffles=3)["item_signal"]
    assert planted["split_half_r_titles"] > 0.9 and planted["title_mean_std_ratio"] > 3
    none = item_signal(small_movies_data(movie_effect=0.0).ratings, n_shuffles=3)
    assert abs(none["split_half_r_titles"] or 0) < 0.8 and none["title_mean_std_ratio"] < 2


def test_the_signal_test_reruns_on_the_well_rated_movies():
    data = small_movies_data()
    every = compute(data, n_shuffles=3)
    assert every["item_signal_well_rated"]["movies"] == 10 and every["item_signal_well_rated"]["ratings"] == 1_500
    assert every["item_signal_well_rated"]["signal"] == every["item_signal"]  # all 10 have 150 ratings
    # Keep 5 ratings of movie 1 and drop user 1's other ratings: movie 1 and user 1 leave the subset.
    ratings = small_ratings()
    first = ratings[ratings[mc.ID] == 1]
    ratings = pd.concat([first.head(5), ratings[(ratings[mc.ID] != 1) & (ratings[mc.USER] != 1)]])
    subset = well_rated(ratings_data(data.movies, ratings, Path("r")), min_ratings=10)
    assert set(subset.titles[mc.ID].to_numpy()[subset.items]) == set(range(2, 11))
    assert subset.n_users == 149 and len(np.unique(subset.users)) == 149  # dense codes: no user without ratings
    none = item_signal_well_rated(data.ratings, n_shuffles=2, seed=0, min_ratings=1_000)
    assert none == {"min_ratings": 1_000, "movies": 0, "ratings": 0, "signal": None}


def test_captions_without_well_rated_movies_still_read(small_numbers):
    numbers = json.loads(json.dumps(small_numbers[0]))
    numbers["item_signal_well_rated"].update(movies=0, ratings=0, signal=None)
    captions = {Path(e["file"]).stem: e["caption"] for e in entries(numbers)}
    assert "ratings or more" not in captions["movies_item_signal_shuffle"]
    assert "add mostly noise). Users" in captions["movies_item_signal_shuffle"]
    assert "ratings or more" not in markdown(numbers, [])
    assert plots.render(FIGURES, "movies_item_signal_shuffle", numbers, small_numbers[1])[:8] == PNG_SIGNATURE


def test_captions_and_report_follow_numbers_changed_in_eda_json(small_numbers):
    numbers = json.loads(eda_json(small_numbers[0], entries(small_numbers[0])), parse_constant=reject_constant)[
        "numbers"]
    movies = numbers
    movies["item_signal"]["split_half_r_titles"] = 0.4321
    movies["votes"]["no_votes"] = 2_846
    movies["money"]["highest_returns"][0].update(title="Some Typo", budget=7, revenue=7_000_000, **{"return": 1e6})
    captions = {Path(e["file"]).stem: e["caption"] for e in entries(numbers)}
    assert captions["movies_votes"].startswith("2,846 movies have no votes")
    assert "'Some Typo' (1987) has a budget of $7 and $7.0M revenue, a return of 1,000,000x" in \
        captions["movies_budget_revenue"]
    assert "agree with r = 0.432, and" in markdown(numbers, entries(numbers))


def test_load_movies_reads_the_tables_and_names_a_bad_ratings_file(tmp_path: Path):
    folder = tmp_path / MOVIES.name
    folder.mkdir()
    small_movies().to_parquet(folder / mc.MOVIES_FILE)
    (folder / mc.REPORT_FILE).write_text(json.dumps({"movies": {"from_raw_rows": 5}}), encoding="utf-8")
    small_ratings().to_parquet(folder / mc.RATINGS_FILE)
    data = load(folder)
    assert len(data.movies) == 12 and len(data.ratings.titles) == 10 and data.ratings.n_users == 150
    assert data.ratings.titles[mc.ID].tolist() == list(range(1, 11))
    assert (data.ratings.titles[mc.ID].to_numpy()[data.ratings.items] == small_ratings()[mc.ID].to_numpy()).all()

    small_ratings().assign(**{mc.ID: 99}).to_parquet(folder / mc.RATINGS_FILE)
    with pytest.raises(InputError, match=r"ratings\.parquet: id values not in movies\.parquet \(e\.g\. \[99\]\)"):
        load(folder)


# --- slow: the real data -------------------------------------------------------------------------------------------


def read_eda(reports: Path, name: str) -> dict:
    return json.loads((reports / name / "eda.json").read_text(encoding="utf-8"), parse_constant=reject_constant)


@pytest.fixture(scope="module")
def eda_movies(eda_reports: Path) -> dict:
    """The Movies catalog's reports of the real `python -m etl.eda` run (tests/conftest.py's eda_reports)."""
    return read_eda(eda_reports, MOVIES.name)


@pytest.mark.slow
def test_movies_ratings_show_the_item_signal_the_streaming_ones_lack(eda_movies: dict, eda_reports: Path):
    movies = eda_movies["numbers"]["item_signal"]
    streaming = read_eda(eda_reports, STREAMING.name)["numbers"]["item_signal"]
    assert movies["split_half_r_titles"] > 0.3 and movies["split_half_n_titles"] > 3_000
    assert movies["title_mean_std"] > 1.1 * max(movies["title_mean_std_shuffled"])
    assert movies["split_half_r_users"] > 0.7 and movies["user_mean_std_ratio"] > 2
    assert abs(streaming["split_half_r_titles"]) < 0.05  # the streaming catalog: no item signal
    assert movies["split_half_r_titles"] > streaming["split_half_r_titles"] + 0.25
    well = eda_movies["numbers"]["item_signal_well_rated"]  # less noise where a movie has more ratings
    assert well["movies"] > 1_000 and well["signal"]["split_half_r_titles"] > movies["split_half_r_titles"]


@pytest.mark.slow
def test_real_outliers_and_zero_vote_averages_are_named(eda_movies: dict):
    m = eda_movies["numbers"]
    top = m["money"]["highest_returns"][0]
    assert top["return"] > 1e6 and top["budget"] < 100 and top["title"]
    assert m["money"]["high_return_tiny_budget"] >= 5
    assert m["votes"]["no_votes"] > 1_000 and m["votes"]["no_votes_zero_average"] == m["votes"]["no_votes"]
    assert m["votes"]["average_mean_voted"] > m["votes"]["average_mean_all"]
    assert m["ratings"]["ratings"] > 90_000 and m["ratings"]["users"] > 600


