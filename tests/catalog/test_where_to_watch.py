"""Where to watch (etl/movies/links.py): the title normalisation and the linking rule on tiny frames, the ETL hook
and the CLI; and (slow) precision and recall on the real catalogs against the hand-labelled pairs of
tests/fixtures/where_to_watch_pairs.csv (targets: precision >= 0.98, recall >= 0.90).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import config
from catalog import MOVIES as MOVIES_SPEC
from catalog import STREAMING
from catalog.movies import where_to_watch as R
from etl.movies import columns as C
from etl.movies import links as W
from etl.movies.links import (
    AGREE,
    DISAGREE,
    FAR,
    UNKNOWN,
    accept,
    cast_evidence,
    director_evidence,
    director_words,
    link_catalogs,
    normalise_title,
    runtime_evidence,
    score,
)
from tests.conftest import require

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "where_to_watch_pairs.csv"
FIXTURE_COLUMNS = ["tmdb_id", "tmdb_title", "tmdb_year", "title_id", "stream_title", "stream_year", "label", "note"]
PRECISION_TARGET, RECALL_TARGET = 0.98, 0.90


# ---- normalisation -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("Amélie", "amelie"),
    ("Bébé's Kids", "bebe's kids"),
    ("Tabu", "tabù"),
    ("Mr. Peabody & Sherman", "mr. peabody and sherman"),
    ("Swallows and Amazons", "swallows & amazons"),
    ("The Simpsons Movie", "simpsons movie"),
    ("Lo and Behold: Reveries of the Connected World", "lo and behold, reveries of the connected world"),
    ("Riley's First Date?", "riley’s first date?"),
    ("Aladdin", "aladdin (1992)"),
    ("The Lion King 1½", "the lion king 1 1/2"),
    ("Tucker and Dale vs Evil", "tucker and dale vs. evil"),
    ("ABCD (Any Body Can Dance)", "abcd: any body can dance"),
])
def test_titles_that_name_one_film_normalise_alike(a, b):
    assert normalise_title(a) == normalise_title(b)


@pytest.mark.parametrize("a, b", [
    ("Toy Story", "Toy Story 2"),
    ("The Lion King", "The Lion King 2: Simba's Pride"),
    ("Bad Boys", "Bad Boys II"),
    ("Four", "Forty"),
    ("Aladdin (1992)", "Aladdin 1992"),
])
def test_different_titles_stay_different(a, b):
    assert normalise_title(a) != normalise_title(b)


def test_normalisation_keeps_non_latin_letters_and_only_drops_accents():
    assert normalise_title("기생충") == "기생충"
    assert normalise_title("हम आपके हैं कौन") == "हम आपके हैं कौन"   # the vowel signs are letters, not accents
    assert normalise_title("Çà et là") == "ca et la"
    assert normalise_title("THE   Grand_Seduction!!") == "grand seduction"
    assert normalise_title("The") == "the" and normalise_title(None) == "" and normalise_title(float("nan")) == ""


# ---- evidence ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("stream, tmdb, expected", [
    ("hark tsui", ["Tsui Hark"], AGREE),
    ("joe newman", ["Joseph M. Newman"], AGREE),
    ("neil fearnly", ["Neill Fearnley"], AGREE),
    ("ayaan mukherji", ["Ayan Mukherjee", "Karan Johar"], AGREE),
    ("john stevenson, mark osborne", ["Mark Osborne"], AGREE),
    ("bob nelson", ["Rick Famuyiwa"], DISAGREE),
    ("lionsgate", ["Robert Luketic"], UNKNOWN),
    ("20th_century_fox", ["James Mangold"], UNKNOWN),
    (None, ["Anyone"], UNKNOWN),
    ("someone", [], UNKNOWN),
])
def test_director_evidence(stream, tmdb, expected):
    assert director_evidence(director_words(stream), director_words(tmdb)) == expected


def test_cast_evidence_only_confirms():
    tmdb = director_words(["Elijah Wood", "Courtney B. Vance", "Robbie Coltrane"])
    assert cast_evidence(director_words("courtney vance, jason robards"), tmdb) == AGREE
    assert cast_evidence(director_words("someone else"), tmdb) == UNKNOWN
    assert cast_evidence(director_words("tom elijah"), tmdb) == UNKNOWN   # one shared word is not one person


@pytest.mark.parametrize("a, b, expected", [
    (100, 108, AGREE), (150, 165, AGREE), (47, 60, DISAGREE), (120, 90, DISAGREE), (36, 88, FAR),
    (np.nan, 90, UNKNOWN), (0, 90, UNKNOWN),
])
def test_runtime_evidence(a, b, expected):
    assert runtime_evidence(a, b) == expected


@pytest.mark.parametrize("gap, director, runtime, cast, accepted", [
    (0, UNKNOWN, UNKNOWN, UNKNOWN, True),     # title and year alone
    (0, UNKNOWN, DISAGREE, UNKNOWN, True),    # a platform runtime is sometimes wrong
    (0, UNKNOWN, FAR, UNKNOWN, False),
    (0, DISAGREE, AGREE, UNKNOWN, False),     # same title, same year, another director: another film
    (1, DISAGREE, AGREE, AGREE, True),        # ...unless an actor says the platform's director is wrong
    (2, DISAGREE, AGREE, AGREE, False),
    (1, UNKNOWN, AGREE, UNKNOWN, True),
    (1, UNKNOWN, DISAGREE, UNKNOWN, False),
    (1, AGREE, DISAGREE, UNKNOWN, True),
    (2, AGREE, AGREE, UNKNOWN, True),
    (3, UNKNOWN, UNKNOWN, AGREE, True),
    (2, UNKNOWN, AGREE, UNKNOWN, False),      # two years apart, nobody vouches
    (2, AGREE, DISAGREE, UNKNOWN, False),
    (4, AGREE, AGREE, AGREE, False),
])
def test_acceptance_rule(gap, director, runtime, cast, accepted):
    assert accept(gap, director, runtime, cast) is accepted


def test_score_prefers_more_evidence():
    assert score(0, AGREE, AGREE) > score(1, AGREE, AGREE) > score(0, UNKNOWN, AGREE) > score(0, UNKNOWN, DISAGREE)
    assert score(0, UNKNOWN, AGREE, AGREE) > score(0, UNKNOWN, AGREE)


# ---- link_catalogs on tiny frames --------------------------------------------------------------------------------

def movies_frame(rows: list[tuple]) -> pd.DataFrame:
    """(id, title, year, runtime, directors[, cast])"""
    rows = [r if len(r) == 6 else (*r, []) for r in rows]
    return pd.DataFrame(rows, columns=[C.ID, C.TITLE, C.RELEASE_YEAR, C.RUNTIME, C.DIRECTORS, C.CAST])


def titles_frame(rows: list[tuple]) -> pd.DataFrame:
    """(id, platform, type, title, year, minutes, director[, cast])"""
    rows = [r if len(r) == 8 else (*r, None) for r in rows]
    frame = pd.DataFrame(rows, columns=["id", "platform", "type", "title", "release_year", "duration_int",
                                        "director", "cast"])
    frame["duration_type"] = np.where(frame["type"] == "movie", "min", "season")
    frame["duration_int"] = frame["duration_int"].astype("Int64")
    return frame


MOVIES = movies_frame([
    (8587, "The Lion King", 1994, 89.0, ["Roger Allers", "Rob Minkoff"]),
    (862, "Toy Story", 1995, 81.0, ["John Lasseter"]),
    (863, "Toy Story 2", 1999, 92.0, ["John Lasseter"]),
    (348390, "Confirmation", 2016, 110.0, ["Rick Famuyiwa"]),
    (808, "Shrek", 2001, 90.0, ["Andrew Adamson", "Vicky Jenson"]),
    (1, "Twin", 2010, 90.0, []),
    (2, "Twin", 2010, 95.0, []),
    (3, "Home", 2015, 94.0, ["Tim Johnson"]),
    (4, "Home", 2016, 87.0, ["Frank Lin"]),
])


def test_links_follow_the_rule_on_a_small_catalog():
    titles = titles_frame([
        ("ds632", "disney", "movie", "the lion king", 2019, 118, "jon favreau"),    # remake: year 25 off
        ("ds1", "disney", "movie", "the lion king", 1994, 89, "roger allers, rob minkoff"),
        ("ds2", "disney", "movie", "toy story", 1995, 83, "john lasseter"),
        ("ns2", "netflix", "movie", "Toy Story", 1996, 81, None),                   # second platform, year +1
        ("ns3", "netflix", "tv show", "toy story", 1995, 1, None),                  # a show never links
        ("as1", "amazon", "movie", "the confirmation", 2016, 101, "bob nelson"),    # another film of that year
        ("hs1", "hulu", "movie", "shrek", 2001, 120, None),                         # runtime wrong on Hulu
        ("hs2", "hulu", "movie", "twin", 2010, None, None),                         # two equal candidates: no guess
        ("ns4", "netflix", "movie", "home", 2015, 94, "tim johnson"),              # the right one of two Homes
    ])
    links = link_catalogs(MOVIES, titles)
    assert list(links.columns) == W.LINK_COLUMNS
    assert dict(zip(links[W.TITLE_ID], links[W.TMDB_ID], strict=True)) == {
        "ds1": 8587, "ds2": 862, "ns2": 862, "hs1": 808, "ns4": 3}
    row = links.set_index(W.TITLE_ID).loc["ds2"]
    assert row[W.EVIDENCE] == "title+year(0)+director+runtime" and row[W.PLATFORM] == "disney"
    assert links.set_index(W.TITLE_ID).loc["ns2", W.EVIDENCE] == "title+year(1)+runtime"


def test_the_best_evidence_wins_and_a_tie_links_nothing():
    movies = movies_frame([(1, "Twin", 2010, 90.0, []), (2, "Twin", 2011, 90.0, []), (3, "Pair", 2010, 90.0, []),
                           (4, "Pair", 2010, 90.0, [])])
    titles = titles_frame([("n1", "netflix", "movie", "twin", 2010, 90, None),
                           ("n2", "netflix", "movie", "pair", 2010, 90, None)])
    links = link_catalogs(movies, titles)
    assert links[[W.TITLE_ID, W.TMDB_ID]].values.tolist() == [["n1", 1]]


def test_a_wrong_platform_director_is_overruled_by_the_cast_only():
    movies = movies_frame([(28410, "Tuff Turf", 1985, 112.0, ["Fritz Kiersch"], ["James Spader", "Kim Richards"])])
    titles = titles_frame([
        ("as253", "amazon", "movie", "tuff turf", 1985, 112, "bill bixby, jackie cooper", "james spader, kim richards"),
        ("as254", "amazon", "movie", "tuff turf", 1985, 112, "bill bixby, jackie cooper", "someone else")])
    links = link_catalogs(movies, titles)
    assert links[[W.TITLE_ID, W.TMDB_ID]].values.tolist() == [["as253", 28410]]
    assert links[W.DIRECTOR].tolist() == [DISAGREE] and links[W.CAST].tolist() == [AGREE]


def test_no_candidates_give_an_empty_table_with_the_columns():
    links = link_catalogs(MOVIES, titles_frame([("n1", "netflix", "movie", "nothing alike", 2000, 90, None)]))
    assert links.empty and list(links.columns) == W.LINK_COLUMNS
    assert W.links_table(links).schema == W.SCHEMA


def test_summary_counts_links_platforms_and_rated_movies():
    links = pd.DataFrame({W.TMDB_ID: [1, 1, 2], W.TITLE_ID: ["a1", "n1", "n2"],
                          W.PLATFORM: ["amazon", "netflix", "netflix"]})
    assert W.summary(links, np.array([1, 1, 3])) == {
        "links": 3, "linked_movies": 2, "per_platform": {"amazon": 1, "netflix": 2},
        "rated_movies": 2, "rated_movies_streaming": 1}


def test_lookups_for_the_two_sides_of_the_app(tmp_path):
    links = pd.DataFrame({W.TMDB_ID: [862, 862, 808], W.TITLE_ID: ["ns2", "ds2", "hs1"],
                          W.PLATFORM: ["netflix", "disney", "hulu"]})
    assert R.movie_by_title(links) == {"ns2": 862, "ds2": 862, "hs1": 808}
    missing = R.read_where_to_watch(tmp_path)
    assert missing.empty and list(missing.columns) == W.LINK_COLUMNS
    assert R.movie_by_title(missing) == {}
    assert R.streams_by_movie(missing) == {}
    assert R.streams_by_movie(links) == {808: ({"platform": "hulu", "title_id": "hs1"},),
                                         862: ({"platform": "disney", "title_id": "ds2"},
                                               {"platform": "netflix", "title_id": "ns2"})}
    assert W.WHERE_TO_WATCH_FILE == R.WHERE_TO_WATCH_FILE and W.SCHEMA is R.SCHEMA  # one definition


# ---- the ETL hook and the CLI ------------------------------------------------------------------------------------

def small_titles(path: Path) -> None:
    """The streaming catalog's titles.parquet (in its folder beside the Movies one) for the movies ETL fixture of
    test_movies_etl (Toy Tale 1995, Later Film 2010 are movies there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    titles = titles_frame([("ds1", "disney", "movie", "toy tale", 1995, 81, "john lasseter"),
                           ("hs1", "hulu", "movie", "later film", 2011, 95, None),
                           ("ns1", "netflix", "tv show", "later film", 2010, 2, None)])
    titles.to_parquet(path)


def test_movies_etl_writes_where_to_watch_when_the_streaming_catalog_is_beside_it(tmp_path):
    from etl.movies.pipeline import run
    from tests.etl.test_movies_etl import write_raw

    raw = write_raw(tmp_path / "raw")
    out = tmp_path / "out"
    out.mkdir()
    small_titles(out / STREAMING.name / config.TITLES_FILE)
    run(raw, out / MOVIES_SPEC.name)
    links = R.read_where_to_watch(out / MOVIES_SPEC.name)
    assert R.movie_by_title(links) == {"ds1": 1, "hs1": 10}
    report = json.loads((out / MOVIES_SPEC.name / C.REPORT_FILE).read_text())
    assert report["where_to_watch"] == {"links": 2, "linked_movies": 2, "per_platform": {"disney": 1, "hulu": 1},
                                        "rated_movies": 2, "rated_movies_streaming": 2}
    (out / STREAMING.name / config.TITLES_FILE).unlink()  # without the streaming catalog: no table, no counts
    (out / MOVIES_SPEC.name / W.WHERE_TO_WATCH_FILE).unlink()
    run(raw, out / MOVIES_SPEC.name)
    assert not (out / MOVIES_SPEC.name / W.WHERE_TO_WATCH_FILE).exists()
    assert "where_to_watch" not in json.loads((out / MOVIES_SPEC.name / C.REPORT_FILE).read_text())


def test_cli_rewrites_where_to_watch_from_a_processed_directory(tmp_path, capsys):
    from etl.movies.pipeline import run
    from tests.etl.test_movies_etl import write_raw

    run(write_raw(tmp_path / "raw"), tmp_path / "out" / MOVIES_SPEC.name)
    assert W.main(["--processed-dir", str(tmp_path / "out")]) == 2
    assert "titles.parquet: file not found" in capsys.readouterr().err
    small_titles(tmp_path / "out" / STREAMING.name / config.TITLES_FILE)
    assert W.main(["--processed-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("where to watch: 2 streaming titles linked to 2 movies (disney 1, hulu 1)"), out
    assert len(pd.read_parquet(tmp_path / "out" / MOVIES_SPEC.name / W.WHERE_TO_WATCH_FILE)) == 2


# ---- the hand-labelled fixture -----------------------------------------------------------------------------------

def test_fixture_is_hand_labelled_pairs_of_both_kinds():
    pairs = pd.read_csv(FIXTURE)
    assert list(pairs.columns[:len(FIXTURE_COLUMNS)]) == FIXTURE_COLUMNS
    assert len(pairs) >= 150 and not pairs.duplicated(["tmdb_id", "title_id"]).any()
    assert set(pairs["label"]) == {0, 1} and 0.35 <= pairs["label"].mean() <= 0.65
    assert pairs["note"].str.len().min() > 10
    assert pairs["title_id"].str.match(r"^[adhn]s\d+$").all()


# ---- the real catalogs (slow) ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_processed(raw_dir: Path, tmp_path_factory) -> Path:
    """`python -m etl` (both catalogs) on the real raw data, into a temporary directory."""
    from etl.__main__ import main

    require(raw_dir / C.SUBDIR)
    out = tmp_path_factory.mktemp("processed")
    assert main(["--quiet", "--raw-dir", str(raw_dir), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def real_links(real_processed: Path) -> pd.DataFrame:
    return pd.read_parquet(real_processed / MOVIES_SPEC.name / W.WHERE_TO_WATCH_FILE)


@pytest.mark.slow
def test_real_precision_and_recall_on_the_hand_labelled_pairs(real_links):
    pairs = pd.read_csv(FIXTURE)
    linked = set(zip(real_links[W.TITLE_ID], real_links[W.TMDB_ID], strict=True))
    predicted = np.array([(t, m) in linked for t, m in zip(pairs["title_id"], pairs["tmdb_id"], strict=True)])
    truth = pairs["label"].to_numpy() == 1
    holdout = pairs["kind"].str.startswith("holdout").to_numpy()
    for name, part in (("holdout", holdout), ("all", np.ones(len(pairs), bool))):
        p, t = predicted[part], truth[part]
        tp, fp, fn = int((p & t).sum()), int((p & ~t).sum()), int((~p & t).sum())
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        print(f"\nwhere to watch, {name}: {part.sum()} hand-labelled pairs ({t.sum()} matches): TP {tp}, FP {fp}, "
              f"FN {fn}; precision {precision:.3f}, recall {recall:.3f}")
    print("missed:", pairs.loc[~predicted & truth, "note"].tolist())
    assert precision >= PRECISION_TARGET and recall >= RECALL_TARGET, pairs[predicted != truth]


@pytest.mark.slow
def test_real_links_are_movies_each_linked_once_and_match_link_catalogs(real_processed, real_links):
    import time

    titles = pd.read_parquet(real_processed / STREAMING.name / config.TITLES_FILE).set_index("id")
    movies = pd.read_parquet(real_processed / MOVIES_SPEC.name / C.MOVIES_FILE)
    assert real_links[W.TITLE_ID].is_unique
    assert (titles.loc[real_links[W.TITLE_ID], "type"] == "movie").all()
    assert (titles.loc[real_links[W.TITLE_ID], "platform"].to_numpy() == real_links[W.PLATFORM].to_numpy()).all()
    assert real_links[W.TMDB_ID].isin(movies[C.ID]).all()
    started = time.perf_counter()
    again = link_catalogs(movies, titles.reset_index())
    seconds = time.perf_counter() - started
    pd.testing.assert_frame_equal(again.astype({W.SCORE: "int32", W.YEAR_GAP: "int32"}), real_links,
                                  check_dtype=False)
    assert seconds < 5, seconds
    assert 4_000 <= len(real_links) <= 6_000


@pytest.mark.slow
def test_real_rated_movies_that_stream_are_counted_in_the_report(real_processed, real_links):
    report = json.loads((real_processed / MOVIES_SPEC.name / C.REPORT_FILE).read_text())
    counts = report["where_to_watch"]
    ratings = pd.read_parquet(real_processed / MOVIES_SPEC.name / C.RATINGS_FILE, columns=[C.ID])
    rated = set(ratings[C.ID])
    streaming = rated & set(real_links[W.TMDB_ID])
    print(f"\n{W.describe(counts)}")
    assert counts["links"] == len(real_links) and counts["rated_movies"] == len(rated)
    assert counts["rated_movies_streaming"] == len(streaming)
    assert set(counts["per_platform"]) == set(config.PLATFORMS)
    assert 1_400 <= len(streaming) <= 2_000   # "only ~1,600 rated films stream anywhere"
