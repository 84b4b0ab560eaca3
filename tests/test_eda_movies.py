"""The EDA of the Movies catalog (etl/eda/movies_*.py): statistics on a small hand-made catalog (fast: outliers
named, 0-vote averages counted, strict JSON, every figure draws, captions follow the numbers), and `python -m
etl.eda` on the real processed data with the Movies catalog (slow): the per-movie item signal is real where the
streaming one is not, every figure is a readable PNG with a caption, the captions follow eda.json."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import config
from catalog import STREAMING
from errors import InputError
from etl.eda import eda_json, figure_entries, markdown
from etl.eda.movies_captions import MOVIES_CAPTIONS
from etl.eda.movies_data import MOVIE_COLUMNS, Catalogs, MoviesData, load_movies, ratings_data
from etl.eda.movies_figures import CATALOG, MOVIES_FIGURES, render_movies
from etl.eda.movies_stats import compute_movies, item_signal_well_rated, well_rated
from etl.eda.stats import compute, item_signal
from etl.movies import columns as mc
from tests.test_eda import PNG_SIGNATURE, png_size, reject_constant, run_eda, small_data

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


@pytest.fixture(scope="module")
def small_numbers() -> tuple[dict, Catalogs]:
    streaming = small_data()
    movies = small_movies_data()
    numbers = compute(streaming, n_shuffles=2)
    numbers["movies"] = compute_movies(movies, n_shuffles=3)
    return numbers, Catalogs(movies, streaming)


# --- fast: the hand-made catalog ---------------------------------------------------------------------------------

def test_returns_in_the_millions_are_named_with_their_typed_budgets(small_numbers):
    m = small_numbers[0]["movies"]["money"]
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
    v = small_numbers[0]["movies"]["votes"]
    assert v["no_votes"] == 3 and v["no_votes_zero_average"] == 3 and v["zero_average_with_votes"] == 1
    averages = [row[10] for row in SMALL_MOVIES]
    voted = [row[10] for row in SMALL_MOVIES if row[11] > 0]
    assert v["average_mean_all"] == pytest.approx(np.mean(averages))
    assert v["average_mean_voted"] == pytest.approx(np.mean(voted))
    assert v["few_votes_movies"] == 2 and v["many_votes_movies"] == 3  # votes 3 and 5; 300, 1,000 and 5,000
    assert v["most_votes"][0]["title"] == "Big Film"


def test_runtime_years_languages_countries_and_words(small_numbers):
    m = small_numbers[0]["movies"]
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
    r = small_numbers[0]["movies"]["ratings"]
    assert r["ratings"] == 1_500 and r["users"] == 150 and r["movies_rated"] == 10
    assert r["rated_share_of_catalog"] == pytest.approx(10 / 12) and r["density"] == 1.0
    assert r["ratings_per_title"]["min"] == r["ratings_per_title"]["max"] == 150
    assert r["single_rating_movies"] == 0


def test_movie_signal_is_found_when_planted_and_not_otherwise():
    planted = compute_movies(small_movies_data(movie_effect=1.5), n_shuffles=3)["item_signal"]
    assert planted["split_half_r_titles"] > 0.9 and planted["title_mean_std_ratio"] > 3
    none = item_signal(small_movies_data(movie_effect=0.0).ratings, n_shuffles=3)
    assert abs(none["split_half_r_titles"] or 0) < 0.8 and none["title_mean_std_ratio"] < 2


def test_the_signal_test_reruns_on_the_well_rated_movies():
    data = small_movies_data()
    every = compute_movies(data, n_shuffles=3)
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
    numbers["movies"]["item_signal_well_rated"].update(movies=0, ratings=0, signal=None)
    entries = {Path(e["file"]).stem: e["caption"] for e in figure_entries(numbers)}
    assert "ratings or more" not in entries["item_signal_both"] + entries["movies_item_signal_shuffle"]
    assert "add mostly noise). Users" in entries["movies_item_signal_shuffle"]
    render_movies("item_signal_both", numbers, small_numbers[1])


def test_strict_json_with_a_catalog_and_a_caption_for_every_figure(small_numbers):
    numbers, _ = small_numbers
    assert list(MOVIES_CAPTIONS) == list(MOVIES_FIGURES) == list(CATALOG)
    entries = figure_entries(numbers)
    parsed = json.loads(eda_json(numbers, entries), parse_constant=reject_constant)
    assert parsed["numbers"] == numbers and parsed["figures"] == entries
    catalogs = [e["catalog"] for e in entries]
    assert set(catalogs) == {"streaming", "movies", "both"} and catalogs.count("both") == 2
    assert {"file", "title", "caption", "catalog"} == set(entries[-1]) and all(e["caption"].strip() for e in entries)
    # Without the Movies numbers the list is the streaming one alone.
    alone = figure_entries({k: v for k, v in numbers.items() if k != "movies"})
    assert [e["catalog"] for e in alone] == ["streaming"] * len(alone) == catalogs[:len(alone)]
    broken = {**numbers, "movies": {**numbers["movies"], "votes": {"average_mean_voted": float("nan")}}}
    with pytest.raises(ValueError):
        eda_json(broken, entries)


def test_every_movies_figure_draws(small_numbers):
    numbers, catalogs = small_numbers
    for name in MOVIES_FIGURES:
        assert render_movies(name, numbers, catalogs)[:8] == PNG_SIGNATURE, name


def test_captions_and_report_follow_numbers_changed_in_eda_json(small_numbers):
    numbers = json.loads(eda_json(*(small_numbers[0], figure_entries(small_numbers[0]))))["numbers"]
    movies = numbers["movies"]
    movies["item_signal"]["split_half_r_titles"] = 0.4321
    movies["votes"]["no_votes"] = 2_846
    movies["money"]["highest_returns"][0].update(title="Some Typo", budget=7, revenue=7_000_000, **{"return": 1e6})
    entries = {Path(e["file"]).stem: e["caption"] for e in figure_entries(numbers)}
    assert "r = 0.432 over" in entries["item_signal_split_half_both"]
    assert "Movies 0.432" in entries["item_signal_both"]
    assert entries["movies_votes"].startswith("2,846 movies have no votes")
    assert "'Some Typo' (1987) has a budget of $7 and $7.0M revenue, a return of 1,000,000x" in \
        entries["movies_budget_revenue"]
    assert "agree with r = 0.432 (streaming" in markdown(numbers, figure_entries(numbers))


def test_without_the_movies_catalog_nothing_is_loaded(tmp_path: Path):
    assert load_movies(tmp_path) is None
    assert "## The Movies catalog" not in markdown(compute(small_data(), n_shuffles=2), [])


def test_load_movies_reads_the_tables_and_names_a_bad_ratings_file(tmp_path: Path):
    folder = tmp_path / mc.OUT_SUBDIR
    folder.mkdir()
    small_movies().to_parquet(folder / mc.MOVIES_FILE)
    (folder / mc.REPORT_FILE).write_text(json.dumps({"movies": {"from_raw_rows": 5}}), encoding="utf-8")
    small_ratings().to_parquet(folder / mc.RATINGS_FILE)
    data = load_movies(tmp_path)
    assert len(data.movies) == 12 and len(data.ratings.titles) == 10 and data.ratings.n_users == 150
    assert data.ratings.titles[mc.ID].tolist() == list(range(1, 11))
    assert (data.ratings.titles[mc.ID].to_numpy()[data.ratings.items] == small_ratings()[mc.ID].to_numpy()).all()

    small_ratings().assign(**{mc.ID: 99}).to_parquet(folder / mc.RATINGS_FILE)
    with pytest.raises(InputError, match=r"ratings\.parquet: id values not in movies\.parquet \(e\.g\. \[99\]\)"):
        load_movies(tmp_path)


# --- slow: the real data -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def processed_with_movies(raw_dir: Path, streaming_processed: Path, tmp_path_factory) -> Path:
    """The session's streaming output (linked) beside a Movies build of the real raw data."""
    from etl.movies.pipeline import run as run_movies
    from tests.conftest import require

    require(raw_dir / mc.SUBDIR)
    out = tmp_path_factory.mktemp("processed_movies")
    for name in (config.TITLES_FILE, config.RATINGS_FILE, config.ETL_REPORT_FILE):
        (out / name).symlink_to(streaming_processed / STREAMING.name / name)
    run_movies(raw_dir, out / mc.OUT_SUBDIR, quiet=True)
    return out


@pytest.fixture(scope="module")
def eda_movies_out(processed_with_movies: Path, tmp_path_factory) -> tuple[Path, float]:
    out = tmp_path_factory.mktemp("reports_movies")
    start = time.perf_counter()
    result = run_eda("--processed-dir", str(processed_with_movies), "--out", str(out))
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    print(f"python -m etl.eda with both catalogs: {seconds:.1f} s")
    return out, seconds


@pytest.fixture(scope="module")
def eda_movies(eda_movies_out) -> dict:
    return json.loads((eda_movies_out[0] / "eda.json").read_text(encoding="utf-8"), parse_constant=reject_constant)


@pytest.mark.slow
def test_movies_ratings_show_the_item_signal_the_streaming_ones_lack(eda_movies: dict):
    movies, streaming = eda_movies["numbers"]["movies"]["item_signal"], eda_movies["numbers"]["item_signal"]
    assert movies["split_half_r_titles"] > 0.3 and movies["split_half_n_titles"] > 3_000
    assert movies["title_mean_std"] > 1.1 * max(movies["title_mean_std_shuffled"])
    assert movies["split_half_r_users"] > 0.7 and movies["user_mean_std_ratio"] > 2
    assert abs(streaming["split_half_r_titles"]) < 0.05  # the streaming catalog: no item signal
    assert movies["split_half_r_titles"] > streaming["split_half_r_titles"] + 0.25
    well = eda_movies["numbers"]["movies"]["item_signal_well_rated"]  # less noise where a movie has more ratings
    assert well["movies"] > 1_000 and well["signal"]["split_half_r_titles"] > movies["split_half_r_titles"]


@pytest.mark.slow
def test_real_outliers_and_zero_vote_averages_are_named(eda_movies: dict):
    m = eda_movies["numbers"]["movies"]
    top = m["money"]["highest_returns"][0]
    assert top["return"] > 1e6 and top["budget"] < 100 and top["title"]
    assert m["money"]["high_return_tiny_budget"] >= 5
    assert m["votes"]["no_votes"] > 1_000 and m["votes"]["no_votes_zero_average"] == m["votes"]["no_votes"]
    assert m["votes"]["average_mean_voted"] > m["votes"]["average_mean_all"]
    assert m["ratings"]["ratings"] > 90_000 and m["ratings"]["users"] > 600


@pytest.mark.slow
def test_every_figure_of_both_catalogs_is_a_readable_png_with_a_caption(eda_movies_out, eda_movies: dict):
    from etl.eda import FIGURES

    out, seconds = eda_movies_out
    entries = eda_movies["figures"]
    assert len(entries) == len(FIGURES) + len(MOVIES_FIGURES)
    new = [e for e in entries if e["catalog"] in ("movies", "both")]
    assert {Path(e["file"]).stem for e in new} == set(MOVIES_FIGURES)
    report = (out / "eda.md").read_text(encoding="utf-8")
    for entry in new:
        path = out / entry["file"]
        assert path.stat().st_size > 10_000, f"{path} is nearly empty"
        width, height = png_size(path)
        assert 850 <= width <= 1000 and height >= 400, (path, width, height)
        assert entry["title"].strip() and entry["caption"].strip()
        assert f"*{entry['caption']}*" in report
    assert "## The Movies catalog" in report
    assert figure_entries(eda_movies["numbers"]) == entries  # the captions come from eda.json alone
    assert seconds < 240


@pytest.mark.slow
def test_a_real_caption_follows_a_number_changed_in_eda_json(eda_movies: dict):
    numbers = json.loads(json.dumps(eda_movies["numbers"]))
    before = {Path(e["file"]).stem: e["caption"] for e in eda_movies["figures"]}
    r = numbers["movies"]["item_signal"]["split_half_r_titles"]
    assert f"r = {r:.3f} over" in before["item_signal_split_half_both"]
    numbers["movies"]["item_signal"]["split_half_r_titles"] = 0.0123
    after = {Path(e["file"]).stem: e["caption"] for e in figure_entries(numbers)}
    assert "r = 0.012 over" in after["item_signal_split_half_both"]
    assert f"r = {r:.3f}" not in after["item_signal_split_half_both"]
