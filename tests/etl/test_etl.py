"""ETL: each transformation on small hand-written files, every quirk found in the real data, and bad input."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import config
from catalog import STREAMING
from etl.__main__ import main as etl_main
from etl.streaming.pipeline import run
from tests.harness.cli import run_main

HEADER = "show_id,type,title,director,cast,country,date_added,release_year,rating,duration,listed_in,description\n"
CLEAN_ROW = 's1,Movie,A Film,Jane Doe,"Ann, Bob",France,"March 30, 2021",2014,PG,113 min,"Comedy, Drama",A plot.\n'


def write_raw(root: Path, titles: dict[str, str] | None = None, ratings: dict[str, pd.DataFrame] | None = None):
    """A raw-data tree: one CSV per platform (a single clean row unless given) and the given ratings files."""
    (root / "titles").mkdir(parents=True, exist_ok=True)
    (root / "ratings").mkdir(exist_ok=True)
    titles = titles or {}
    for platform, (_, file_name, _) in config.PLATFORMS.items():
        (root / "titles" / file_name).write_text(titles.get(platform, HEADER + CLEAN_ROW), encoding="utf-8")
    if ratings is None:
        ratings = {"1.parquet": pd.DataFrame({"userId": [1, 2], "rating": [4.0, 3.0], "movieId": ["as1", "ns1"]})}
    for name, frame in ratings.items():
        path = root / "ratings" / name
        frame.to_csv(path, index=False) if name.endswith(".csv") else frame.to_parquet(path)
    return root


def etl(raw: Path, out: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    run(raw, out, quiet=True)
    return (pd.read_parquet(out / config.TITLES_FILE), pd.read_parquet(out / config.RATINGS_FILE),
            json.loads((out / config.ETL_REPORT_FILE).read_text()))


def cli(*args: str) -> subprocess.CompletedProcess:
    """`python -m etl --quiet ARGS`, run in this process (tests/test_settings.py runs the real process)."""
    return run_main(etl_main, ["--quiet", *args])


def fixes(report: dict, column: str) -> dict[str, int]:
    return {f["fix"]: f["count"] for f in report["fixes"] if f["column"] == column}


def test_clean_row_becomes_one_lower_case_title_with_id_platform_date_duration_and_score(tmp_path):
    titles, ratings, _ = etl(write_raw(tmp_path / "raw"), tmp_path / "out")
    assert len(titles) == 4 and set(titles["id"]) == {"as1", "ds1", "hs1", "ns1"}
    row = titles.set_index("id").loc["as1"]
    assert row["platform"] == "amazon" and row["type"] == "movie" and row["title"] == "a film"
    assert row["cast"] == "ann, bob" and row["listed_in"] == "comedy, drama" and row["rating"] == "pg"
    assert row["date_added"] == "2021-03-30" and row["release_year"] == 2014
    assert row["duration_int"] == 113 and row["duration_type"] == "min"
    assert row["score"] == 4.0 and row["n_ratings"] == 1
    unrated = titles.set_index("id").loc["ds1"]
    assert unrated["n_ratings"] == 0 and pd.isna(unrated["score"])
    assert len(ratings) == 2


def test_quirks_of_the_real_catalogs_are_fixed_and_counted(tmp_path):
    hulu = HEADER + (
        # duration in the rating column, and a TV show typed Movie (it runs in seasons)
        's1,Movie,Show One,,,,"October 24, 2021",2021,2 Seasons,,Comedy,A show.\n'
        's2,Movie,Film Two,,,,"October 24, 2021",2020,89 min,,"Arts, Entertainment, and Culture, Drama",A film.\n'
        # the description copied into the director column
        's3,Movie,The Nightingale,"Director Jennifer Kent (""The Babadook"") tells a tale.",,,'
        '"May 1, 2021",2019,R,136 min,Drama,"Director Jennifer Kent (""The Babadook"") tells a tale."\n'
    )
    netflix = HEADER + (
        # leading space in the date, stray separators in the country list, zero-width space in the title
        's1,TV Show,\u200bBlood  & Water ,,,", South Korea,"," August 4, 2017",2021,TV-MA,1 Season,Dramas,Plot.\n'
    )
    amazon = HEADER + (
        # an upload test row, a placeholder description, rating spellings, a missing rating
        's1,Movie,ACT 2 - TITLE 9,1,1,,,2021,,61 min,Action,1\n'
        's2,Movie,Simple Gifts,Habib Azar,,,,2016,AGES_18_,84 min,Documentary,a\n'
        's3,Movie,Other,,,,,2016,NOT_RATE,0 min,Documentary,Plot.\n'
    )
    titles, _, report = etl(write_raw(tmp_path / "raw", {"hulu": hulu, "netflix": netflix, "amazon": amazon}),
                            tmp_path / "out")
    t = titles.set_index("id")
    assert (t.loc["hs1", "type"], t.loc["hs1", "duration_int"], t.loc["hs1", "duration_type"]) == (
        "tv show", 2, "season")
    assert t.loc["hs1", "rating"] == "g" and t.loc["hs2", "duration_int"] == 89 and t.loc["hs2", "type"] == "movie"
    assert t.loc["hs3", "director"] == "jennifer kent"
    assert t.loc["hs2", "listed_in"] == "arts & entertainment & culture, drama"
    assert t.loc["ns1", "title"] == "blood & water" and t.loc["ns1", "country"] == "south korea"
    assert t.loc["ns1", "date_added"] == "2017-08-04" and t.loc["ns1", "duration_type"] == "season"
    assert bool(t.loc["as1", "is_placeholder"])
    assert pd.isna(t.loc["as1", "cast"]) and pd.isna(t.loc["as1", "description"])
    assert not t.loc["as2", "is_placeholder"] and pd.isna(t.loc["as2", "description"])
    assert pd.isna(t.loc["as3", "duration_int"]) and t.loc["as3", "duration"] == "0 min"
    assert t.loc["as2", "rating"] == "18+" and t.loc["as3", "rating"] == "nr" and t.loc["as1", "rating"] == "g"
    assert sorted(t.index[t["rating_filled"]]) == ["as1", "hs1", "hs2"]  # missing, or held a duration

    hulu_fixes = {f["fix"]: f["count"] for f in report["fixes"] if f["file"] == "titles/hulu_titles.csv"}
    assert hulu_fixes["duration found in the rating column: moved to duration"] == 2
    assert hulu_fixes["typed Movie but runs in seasons: set to TV Show"] == 1
    assert hulu_fixes["description found in the director column: replaced by the director named in it"] == 1
    assert fixes(report, "date_added")["stray whitespace or invisible characters removed"] == 1
    assert fixes(report, "country")["empty items or spaces in a comma-separated list removed"] == 1
    assert report["titles"]["placeholder_rows"] == 1


@pytest.mark.slow
def test_text_columns_are_all_lower_case_on_the_real_catalog(titles):
    for column in ["type", "title", "director", "cast", "country", "rating", "duration", "listed_in", "description"]:
        values = titles[column].dropna()
        assert (values == values.str.lower()).all(), column


def test_ratings_duplicates_collapse_to_mean_and_bad_rows_are_quarantined_with_file_row_reason(tmp_path):
    ratings = {
        "1.parquet": pd.DataFrame({"userId": [1, 1, 1, 2, 3, 4], "rating": [4.0, 3.0, 5.0, 7.0, 2.0, 0.0],
                                   "movieId": ["as1", "as1", "ns1", "as1", "zz9", "ns1"]}),
        "2.csv": pd.DataFrame({"userId": [5], "rating": [2.5], "movieId": ["hs1"], "timestamp": [891417042]}),
    }
    _, out, report = etl(write_raw(tmp_path / "raw", ratings=ratings), tmp_path / "out")
    got = {(r.userId, r.movieId): r.rating for r in out.itertuples()}
    assert got == {(1, "as1"): 3.5, (1, "ns1"): 5.0, (5, "hs1"): 2.5}
    assert out.set_index("userId").loc[5, "timestamp"] == 891417042 and out["timestamp"].dtype == "Int64"
    assert report["ratings"]["rows_merged_into_their_pair"] == 1
    quarantine = pd.read_csv(tmp_path / "out" / config.QUARANTINE_FILE)
    assert quarantine[["file", "row", "reason"]].values.tolist() == [
        ["ratings/1.parquet", 4, "rating outside 0.5-5.0"],
        ["ratings/1.parquet", 6, "rating outside 0.5-5.0"],
        ["ratings/1.parquet", 5, "movieId is not a catalog title"],
    ]
    assert report["files"]["ratings/1.parquet"] == {"rows_in": 6, "rows_out": 3, "has_timestamp": False}


def test_timestamped_copy_replaces_its_plain_twin(tmp_path):
    frame = pd.DataFrame({"userId": [1], "rating": [4.0], "movieId": ["as1"]})
    ratings = {"7.parquet": frame, "7_with_timestamp.parquet": frame.assign(timestamp=[891417042])}
    _, out, report = etl(write_raw(tmp_path / "raw", ratings=ratings), tmp_path / "out")
    assert len(out) == 1 and out["timestamp"].iloc[0] == 891417042
    assert report["ratings"]["superseded_files"] == ["ratings/7.parquet"]


def test_unfixable_title_rows_are_quarantined_not_dropped_silently(tmp_path):
    amazon = HEADER + CLEAN_ROW + CLEAN_ROW + 's3,Movie,,,,,,2000,,1 min,Drama,x\ns4,Movie,T,,,,,year,,1 min,Drama,x\n'
    titles, _, report = etl(write_raw(tmp_path / "raw", {"amazon": amazon}), tmp_path / "out")
    assert sorted(titles.loc[titles["platform"] == "amazon", "id"]) == ["as1"]
    quarantine = pd.read_csv(tmp_path / "out" / config.QUARANTINE_FILE)
    assert sorted(quarantine["row"].tolist()) == [2, 3, 4]
    assert set(quarantine["reason"]) == {"duplicate show_id", "missing title", "release_year is not a whole number"}
    assert report["files"]["titles/amazon_prime_titles.csv"] == {"rows_in": 4, "rows_out": 1}


@pytest.mark.parametrize("breakage, message", [
    (lambda raw: (raw / "titles" / "hulu_titles.csv").unlink(), "hulu_titles.csv: file not found"),
    (lambda raw: (raw / "titles" / "hulu_titles.csv").write_text(""), "hulu_titles.csv: file is empty"),
    (lambda raw: (raw / "titles" / "hulu_titles.csv").write_text(HEADER),
     "hulu_titles.csv: file has a header but no rows"),
    (lambda raw: (raw / "titles" / "hulu_titles.csv").write_text("show_id,title\ns1,x\n"), "missing column(s) type"),
    (lambda raw: (raw / "titles" / "hulu_titles.csv").write_bytes(HEADER.encode() + b"s1,\xff\xfe,x\n"), "not UTF-8"),
    (lambda raw: (raw / "ratings" / "1.parquet").write_bytes(b"not parquet"), "1.parquet: unreadable parquet"),
    (lambda raw: pd.DataFrame({"userId": [1]}).to_parquet(raw / "ratings" / "1.parquet"),
     "missing column(s) movieId, rating"),
    (lambda raw: pd.DataFrame({"userId": [1], "rating": [1.0], "movieId": ["as1"]}).iloc[:0].to_parquet(
        raw / "ratings" / "1.parquet"), "1.parquet: file has no rows"),
    (lambda raw: (raw / "ratings" / "1.parquet").unlink(), "no ratings files"),
])
def test_bad_input_is_one_line_exit_2_and_leaves_earlier_outputs_intact(tmp_path, breakage, message):
    raw, out = write_raw(tmp_path / "raw"), tmp_path / "out"
    assert cli("--raw-dir", str(raw), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in (out / STREAMING.name).iterdir()}
    breakage(raw)
    result = cli("--raw-dir", str(raw), "--out", str(out))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr
    assert {p.name: p.read_bytes() for p in (out / STREAMING.name).iterdir()} == before


def test_no_valid_rating_at_all_is_an_input_error(tmp_path):
    ratings = {"1.parquet": pd.DataFrame({"userId": [1, 2], "rating": [7.0, 0.0], "movieId": ["as1", "ns1"]})}
    result = cli("--raw-dir", str(write_raw(tmp_path / "raw", ratings=ratings)), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "no valid rating in any file (2 rating outside 0.5-5.0)" in result.stderr


def test_output_path_that_is_a_file_is_refused_before_the_work(tmp_path):
    (tmp_path / "out").write_text("a file")
    result = cli("--raw-dir", str(write_raw(tmp_path / "raw")), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "out: not a directory" in result.stderr and result.stderr.count("\n") == 1
    assert (tmp_path / "out").read_text() == "a file"


def test_show_ids_differing_only_in_case_are_one_id_and_the_second_is_quarantined(tmp_path):
    netflix = HEADER + CLEAN_ROW + CLEAN_ROW.replace("s1,", "S1,", 1)
    titles, _, report = etl(write_raw(tmp_path / "raw", {"netflix": netflix}), tmp_path / "out")
    assert (titles["id"] == "ns1").sum() == 1
    assert pd.read_csv(tmp_path / "out" / config.QUARANTINE_FILE)[["file", "row", "reason"]].values.tolist() == [
        ["titles/netflix_titles.csv", 2, "duplicate show_id"]]


def test_missing_raw_directory_is_named(tmp_path):
    result = cli("--raw-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "nowhere: raw-data directory not found" in result.stderr
    assert not (tmp_path / "out").exists()


# --- the real data -------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_real_catalog_has_22998_unique_ids_with_the_platform_counts(titles):
    assert len(titles) == 22_998 and titles["id"].is_unique
    assert titles.groupby("platform").size().to_dict() == {
        "amazon": 9668, "disney": 1450, "hulu": 3073, "netflix": 8807}
    assert titles["rating"].notna().all() and titles["n_ratings"].min() > 0  # every title has ratings
    assert titles["n_ratings"].sum() == 11_024_289 - 129_089  # one per (user, title) after collapsing
    assert set(titles["duration_type"].dropna()) == {"min", "season"}
    assert titles["date_added"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


@pytest.mark.slow
def test_real_catalog_spot_checks(titles):
    t = titles.set_index("id")
    assert t.loc["as1", ["title", "date_added", "rating", "duration_int"]].tolist() == [
        "the grand seduction", "2021-03-30", "g", 113]
    assert t.loc["ns2", ["type", "duration_int", "duration_type"]].tolist() == ["tv show", 2, "season"]
    assert t.loc["hs2012", "director"] == "jennifer kent"            # was the description
    assert t.loc["hs51", "type"] == "tv show"                        # typed Movie, runs in seasons
    assert t.loc["ns5542", "duration"] == "74 min"                   # duration was in the rating column
    assert t.loc["ds1", "title"] == "duck the halls: a mickey mouse christmas special"


@pytest.mark.slow
def test_real_ratings_read_collapsed_and_reported(streaming_processed):
    report = json.loads((streaming_processed / STREAMING.name / config.ETL_REPORT_FILE).read_text())
    assert report["ratings"]["rows_read"] == 11_024_289
    assert report["ratings"]["users"] == 115_077
    assert report["ratings"]["rows_out"] == 11_024_289 - report["ratings"]["rows_merged_into_their_pair"]
    assert report["quarantine"]["rows"] == 0
    ratings = pd.read_parquet(streaming_processed / STREAMING.name / config.RATINGS_FILE, columns=["userId", "movieId"])
    assert len(ratings) == report["ratings"]["rows_out"] and not ratings.duplicated().any()
    assert ratings["movieId"].nunique() == 22_998
