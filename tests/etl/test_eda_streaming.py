"""The streaming catalog's EDA section (etl/streaming/eda/): statistics on a small hand-made catalog (fast),
captions, report and model card that follow the numbers of its eda.json, and its part of `python -m etl.eda` on the
real processed data (slow): the key numbers show the ratings' missing item signal. What every section shares
(figures drawn, strict JSON, the builder's outputs and errors) is tests/etl/test_eda.py."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import config
from catalog import STREAMING
from errors import InputError
from etl.eda.build import eda_json, figure_entries
from etl.eda.ratings import EdaData, _correlation, item_signal
from etl.streaming.eda import CAPTIONS, FIGURES, compute, markdown
from etl.streaming.eda import stats as stats
from etl.streaming.eda.data import TITLE_COLUMNS
from model import card
from tests.harness.eda_checks import reject_constant


@pytest.fixture(scope="module")
def eda_out(eda_reports: Path) -> Path:
    """The streaming catalog's reports of the real `python -m etl.eda` run (tests/etl/test_eda.py's eda_reports)."""
    return eda_reports / STREAMING.name


@pytest.fixture(scope="module")
def eda(eda_out: Path) -> dict:
    return json.loads((eda_out / "eda.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_the_figures_the_issue_asks_for(eda: dict):
    names = {Path(f["file"]).stem for f in eda["figures"]}
    assert {"titles_per_platform", "release_years", "date_added", "durations", "maturity_ratings", "top_genres",
            "top_countries", "missing_values", "ratings_distribution", "ratings_per_user_and_title",
            "title_wordcloud", "etl_fixes", "item_signal_shuffle", "item_signal_split_half"} <= names


@pytest.mark.slow
def test_report_says_there_is_no_item_signal(eda_out: Path):
    assert "no item signal" in (eda_out / "eda.md").read_text(encoding="utf-8").lower()


@pytest.mark.slow
def test_numbers_show_no_item_signal_but_a_user_signal(eda: dict):
    n = eda["numbers"]
    assert n["titles"] == 22_998 and n["users"] == 115_077 and n["ratings"] > 10_000_000
    s = n["item_signal"]
    assert s["n_shuffles"] == len(s["title_mean_std_shuffled"]) >= 5
    # The observed spread of per-title means sits inside the shuffled (no-signal) spread ...
    assert s["title_mean_std"] == pytest.approx(s["title_mean_std_shuffled_mean"], rel=0.02)
    assert s["title_mean_std"] == pytest.approx(s["title_mean_std_expected"], rel=0.02)
    assert abs(s["split_half_r_titles"]) < 0.05
    # ... while users differ for real.
    assert s["user_mean_std_ratio"] > 1.5
    assert 0.5 < s["split_half_r_users"] < 0.9


@pytest.mark.slow
def test_duration_outliers_are_named(eda: dict):
    durations = eda["numbers"]["durations"]
    longest = durations["movies_longest"][0]
    assert longest["minutes"] > 500 and longest["title"] and longest["platform"] == "amazon"
    assert durations["shows_most_seasons"][0]["seasons"] >= 30


@pytest.mark.slow
def test_shuffles_are_seeded(streaming_processed: Path, eda: dict):
    """A second run draws the same shuffles (the first two are enough to show it and keep the test quick)."""
    from etl.streaming.eda import load

    again = item_signal(load(streaming_processed / STREAMING.name), n_shuffles=2)
    assert again["title_mean_std_shuffled"] == eda["numbers"]["item_signal"]["title_mean_std_shuffled"][:2]
    assert again["title_mean_std"] == eda["numbers"]["item_signal"]["title_mean_std"]
    # The random halves have their own seeded stream: the same split whatever the number of shuffles.
    assert again["split_half_r_titles"] == eda["numbers"]["item_signal"]["split_half_r_titles"]


@pytest.mark.slow
def test_ratings_without_timestamps_still_give_every_figure(streaming_processed: Path, tmp_path: Path):
    from etl.eda.build import run

    folder = tmp_path / "processed" / STREAMING.name
    folder.mkdir(parents=True)
    for name in (config.TITLES_FILE, config.ETL_REPORT_FILE):
        (folder / name).write_bytes((streaming_processed / STREAMING.name / name).read_bytes())
    ratings = pd.read_parquet(streaming_processed / STREAMING.name / config.RATINGS_FILE).iloc[::20]
    ratings.assign(timestamp=pd.array([None] * len(ratings), dtype="Int64")).to_parquet(folder / config.RATINGS_FILE)
    result = run(folder.parent, tmp_path / "out", [STREAMING.name], quiet=True)[STREAMING.name]
    assert len(result["figures"]) == len(FIGURES) and result["numbers"]["timestamped_ratings"] == 0
    assert "No rating has a timestamp" in (tmp_path / "out" / STREAMING.name / "eda.md").read_text()


# --- a small hand-made catalog: statistics, captions and the card without the real data ---------------------------

NA = pd.NA
# (id, platform, type, title, duration, duration_int, duration_type, is_placeholder); the other columns are filled
# in below. as2 is what the ETL makes of "0 min": duration_type "min" but no duration_int.
SMALL_CATALOG = [
    ("as1", "amazon", "movie", "love story", "90 min", 90, "min", False),
    ("as2", "amazon", "movie", "zero minutes", "0 min", NA, "min", False),
    ("as3", "amazon", "movie", "rain for sleep 10 hours", "600 min", 600, "min", False),
    ("as4", "amazon", "tv show", "kid detectives", "2 seasons", 2, "season", False),
    ("as5", "amazon", "movie", "test row", "0 min", NA, "min", True),
    ("ds1", "disney", "movie", "little world", "100 min", 100, "min", False),
    ("ds2", "disney", "tv show", "the simpsons", "32 seasons", 32, "season", False),
    ("ds3", "disney", "movie", "frozen love", "105 min", 105, "min", False),
    ("hs1", "hulu", "movie", "no duration", None, NA, None, False),
    ("hs2", "hulu", "tv show", "house hunters", "3 seasons", 3, "season", False),
    ("hs3", "hulu", "tv show", "love island", "1 season", 1, "season", False),
    ("ns1", "netflix", "movie", "man of love", "120 min", 120, "min", False),
    ("ns2", "netflix", "tv show", "kid story", "1 season", 1, "season", False),
    ("ns3", "netflix", "movie", "spider-man", "95 min", 95, "min", False),
]
SMALL_ETL_REPORT = {"fixes": [
    {"file": "titles/hulu_titles.csv", "column": "rating", "fix": "missing maturity rating set to 'g'", "count": 1},
    {"file": "titles/amazon_prime_titles.csv", "column": "duration",
     "fix": "duration of 0 left out of duration_int (no title runs 0 minutes)", "count": 2},
    {"file": "titles/netflix_titles.csv", "column": "title", "fix": "text lower-cased", "count": 12},
], "quarantine": {"rows": 0}}


def entries(numbers: dict) -> list[dict]:
    """The catalog's eda.json "figures" list from its numbers, as the builder writes it."""
    return figure_entries(STREAMING.name, numbers, FIGURES, CAPTIONS)


def small_titles() -> pd.DataFrame:
    rows = []
    for i, (id_, platform, kind, title, duration, minutes, unit, placeholder) in enumerate(SMALL_CATALOG):
        rows.append({
            "id": id_, "platform": platform, "type": kind, "title": title,
            "director": None if platform == "hulu" else "ann lee", "cast": None if platform == "hulu" else "bob ray",
            "country": None if platform == "amazon" else ("united states, india" if i % 2 else "india"),
            "date_added": None if platform == "amazon" else f"20{19 + i % 3}-0{1 + i % 9}-15",
            "release_year": 1960 + 5 * i, "rating": ["13+", "tv-ma", "g", "pg"][i % 4], "duration": duration,
            "duration_int": minutes, "duration_type": unit, "listed_in": "drama, comedy" if i % 3 else "drama",
            "description": f"title {i}", "is_placeholder": placeholder})
    titles = pd.DataFrame(rows, columns=TITLE_COLUMNS)
    return titles.astype({"duration_int": "Int64", "release_year": "int64", "is_placeholder": bool})


def small_data(title_effect: float = 0.0, user_effect: float = 0.0, n_users: int = 60, seed: int = 0) -> EdaData:
    """Every user rates every title: 3 stars + a title's quality + a user's generosity + noise, on half stars."""
    titles = small_titles()
    rng = np.random.default_rng(seed)
    users, items = (codes.ravel() for codes in np.meshgrid(np.arange(n_users), np.arange(len(titles)),
                                                            indexing="ij"))
    quality, generosity = rng.normal(0, 1, len(titles)), rng.normal(0, 1, n_users)
    raw = 3 + title_effect * quality[items] + user_effect * generosity[users] + rng.normal(0, 1, len(items))
    ratings = np.clip(np.round(raw * 2) / 2, config.RATING_MIN, config.RATING_MAX)
    ratings[0] = 3.25  # the mean of a user's duplicate ratings lands between half stars
    timed = np.arange(len(items)) % 4 == 0  # a quarter of the ratings have a timestamp
    return EdaData(titles, SMALL_ETL_REPORT, users.astype(np.int32), items.astype(np.int32), ratings,
                   np.full(timed.sum(), 2000), titles["release_year"].to_numpy()[items[timed]])


def test_movie_minutes_median_leaves_out_the_movies_the_etl_gave_no_minutes():
    """The broken statistic: "0 min" movies keep duration_type "min" with no duration_int, which made the median
    and the fence NaN. They are listed by name instead; the Amazon test row stays out."""
    d = stats.durations(small_titles())
    assert d["movie_minutes_median"] == 102.5  # of 90, 95, 100, 105, 120 and 600
    assert d["movies"] == 7 and d["movies_with_minutes"] == 6
    assert [m["id"] for m in d["movies_without_minutes"]] == ["as2"]
    assert d["movie_minutes_far_out_fence"] == pytest.approx(116.25 + 3 * 20)  # q3 + 3 IQR
    assert d["movies_beyond_fence"] == 1 and d["movies_longest"][0]["id"] == "as3"
    assert d["very_long_movies_per_platform"] == {"amazon": 1}
    assert d["shows_most_seasons"][0] == {"id": "ds2", "title": "the simpsons", "platform": "disney", "seasons": 32}
    assert d["shows_one_season_share"] == pytest.approx(2 / 5)
    assert d["titles_without_duration"] == {"hulu movie": 1}


def test_undefined_statistics_are_null_not_nan():
    assert stats.durations(small_titles().iloc[[3, 6]])["movie_minutes_median"] is None  # no movies at all
    assert _correlation(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])) is None
    assert stats.timestamps(EdaData(small_titles(), {}, *(np.array([], dtype=int),) * 5))[
        "timestamped_ratings_before_release_share"] is None


def test_small_catalog_statistics():
    numbers = compute(small_data(), n_shuffles=3)
    assert numbers["titles"] == 14 and numbers["placeholder_titles"] == 1 and numbers["users"] == 60
    assert numbers["titles_per_platform"] == {"amazon": 5, "disney": 3, "hulu": 3, "netflix": 3}
    assert numbers["tv_show_share_per_platform"]["hulu"] == pytest.approx(2 / 3)
    assert numbers["ratings_distribution"]["between_half_stars"] == 1
    assert sum(numbers["ratings_distribution"]["counts"]) == numbers["ratings"] - 1
    assert numbers["ratings_per_title"]["min"] == numbers["ratings_per_title"]["max"] == 60
    assert numbers["timestamped_ratings"] == 210 and numbers["timestamp_years"] == {"first": 2000, "last": 2000}
    assert numbers["release_year"] == {"min": 1960, "max": 2025, "recent_since": 2010, "recent_share": 4 / 14,
                                       "old_before": 1970, "old": 2, "old_per_platform": {"amazon": 2}}
    assert numbers["date_added"]["known_share_per_platform"]["amazon"] == 0
    assert numbers["maturity_ratings"]["filled_in_as_g_per_platform"] == {"hulu": 1}
    assert list(numbers["top_genres"]) == ["drama", "comedy"] and numbers["top_genres"]["drama"]["amazon"] == 5
    assert numbers["missing_share"]["director"]["hulu"] == 1 and numbers["country_missing_share"] == 5 / 14
    assert list(numbers["title_words"])[0] == "love" and numbers["title_words"]["kid"] == 2
    assert "test" not in numbers["title_words"]  # "test row" is a placeholder: left out
    assert numbers["etl"] == {"fix_kinds": 3, "values_changed": 15, "quarantined_rows": 0}
    assert numbers["item_signal"]["n_shuffles"] == len(numbers["item_signal"]["title_mean_std_shuffled"]) == 3


def streaming_card(meta: dict, metrics: dict, eda: dict | None = None) -> str:
    """The streaming model card, as model.train writes it (the recipe's text through the one generator)."""
    from model.streaming.recipe import card_text

    return card.model_card(meta, metrics, card_text(meta, metrics, eda))


def card_inputs() -> tuple[dict, dict]:
    """The smallest meta and metrics model_card accepts."""
    row = {"rmse": 1.0, "mae": 0.8, "f1": 0.5, "roc_auc": 0.5}
    result = {"table": {"SVD": row, "BaselineOnly": row}, "ratings": 1000, "users": 10, "items": 12,
              "test_size": 0.2, "test_ratings": 200, "seed": 42, "hyperparameters": {"n_factors": 2},
              "markdown": "| model | rmse |"}
    meta = {"threshold": 3.5, "n_ratings": 1000, "n_users": 10, "n_titles": 12, "hyperparameters": {"n_factors": 2},
            "seed": 42, "library_versions": {"scikit-surprise": "1.1.5"}}
    return meta, {"benchmarks": {"ours": result}}


def test_caption_report_and_model_card_follow_a_number_changed_in_eda_json(tmp_path: Path):
    """Nothing measured is typed in: change the split-half title correlation (and the shuffled std) in eda.json,
    and the regenerated caption, eda.md and model card all show the new numbers."""
    numbers = compute(small_data(), n_shuffles=2)
    numbers["item_signal"].update(split_half_r_titles=0.4321, title_mean_std_shuffled_mean=0.0777)
    (tmp_path / "eda.json").write_text(eda_json(numbers, entries(numbers)), encoding="utf-8")

    eda = card.read_eda(tmp_path)
    captions = {Path(e["file"]).stem: e["caption"] for e in entries(eda)}
    assert "r = 0.432" in captions["item_signal_split_half"]
    assert "0.0777 shuffled" in captions["item_signal_shuffle"]
    report = markdown(eda, entries(eda))
    assert "titles r = 0.432" in report and "agree with r = 0.432" in report and "(0.0777, ratio" in report
    model_card = streaming_card(*card_inputs(), eda=eda)
    assert "correlate 0.432, against" in model_card and "against 0.0777 after shuffling" in model_card
    assert f"{eda['item_signal']['split_half_r_users']:.3f} for per-user means" in model_card
    assert "0.004" not in model_card and "0.67" not in model_card  # the card's old hard-coded figures


def test_model_card_without_the_eda_says_it_was_not_run(tmp_path: Path):
    assert card.read_eda(tmp_path) is None
    model_card = streaming_card(*card_inputs())
    assert "not run" in model_card and "`python -m etl.eda`" in model_card
    assert "Why the two results differ" in model_card and "correlate" not in model_card


@pytest.mark.parametrize("text, problem", [
    ('{"numbers": {"item_signal": {"split_half_r_titles": NaN}}}', "not strict JSON"),
    ("{not json", "not strict JSON"),
    ('{"numbers": {"titles": 3}}', "no numbers.item_signal"),
])
def test_read_eda_rejects_a_broken_eda_json_naming_it(tmp_path: Path, text: str, problem: str):
    (tmp_path / "eda.json").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem) as raised:
        card.read_eda(tmp_path)
    assert str(tmp_path / "eda.json") in str(raised.value)


# --- the real eda.json -------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_eda_json_is_strict_json_and_the_movie_minutes_median_a_number(eda_out: Path):
    parsed = json.loads((eda_out / "eda.json").read_text(encoding="utf-8"), parse_constant=reject_constant)
    durations = parsed["numbers"]["durations"]
    assert 60 < durations["movie_minutes_median"] < 120
    assert durations["movie_minutes_median"] < durations["movie_minutes_far_out_fence"] < 300
    assert durations["movies_beyond_fence"] > 0 and durations["movies_without_minutes"]


@pytest.mark.slow
def test_captions_are_regenerated_from_eda_json_alone(eda: dict, eda_out: Path):
    assert entries(eda["numbers"]) == eda["figures"]
    assert markdown(eda["numbers"], eda["figures"]) == (eda_out / "eda.md").read_text(encoding="utf-8")
    assert card.read_eda(eda_out) == eda["numbers"]


@pytest.mark.slow
def test_readme_quotes_the_measured_signal_table(eda: dict):
    from etl.streaming.eda.captions import signal_table

    readme = (config.PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    assert signal_table(eda["numbers"]) in readme, signal_table(eda["numbers"])
