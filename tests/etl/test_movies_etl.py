"""Movies catalog ETL (etl/movies): each fault of the raw Movies Dataset on small hand-written files, the safe
literal parser, the agreement rule, the CLI; and the real files (slow: read from RAW_DIR, fail under CI=true).
"""
from __future__ import annotations

import ast
import contextlib
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import config
import settings
from catalog import MOVIES as MOVIES_SPEC
from catalog import STREAMING
from errors import InputError
from etl.__main__ import main as etl_main
from etl.movies import columns as C
from etl.movies.derived import GenreSplitter, agreement, judge
from etl.movies.literals import LiteralError, names, parse_records, record_name
from etl.movies.names import country_name, language_name
from etl.movies.pipeline import run
from tests.conftest import require

RAW_HEADER = ["adult", "belongs_to_collection", "budget", "genres", "homepage", "id", "imdb_id", "original_language",
              "original_title", "overview", "popularity", "poster_path", "production_companies",
              "production_countries", "release_date", "revenue", "runtime", "spoken_languages", "status", "tagline",
              "title", "video", "vote_average", "vote_count"]

# Movies 1-3 are raw rows (and in derived/), 10-11 are only in derived/.
MOVIES = {
    1: dict(title="Toy Tale", date="1995-10-30", budget="30000000", revenue="373554033", popularity="21.946943",
            runtime="81.0", lang="en", collection="Toy Tale Collection", genres=["Animation", "Comedy", "Family"],
            companies=["Pixar Animation Studios"], countries=["US"], spoken=["en"], va="7.7", vc="5415",
            overview="Led by Woody.", directors=["John Lasseter"], cast=["Tom Hanks", "Tim Allen", "Don Rickles"]),
    2: dict(title="Space Film", date="1997-05-07", budget="10", revenue="25", popularity="3.5", runtime="120.0",
            lang="fr", collection=None, genres=["Science Fiction", "TV Movie"],
            companies=["Walt Disney Productions, Inc.", "Gaumont"], countries=["FR", "GB"], spoken=["fr", "en"],
            va="6.1", vc="12", overview="Into space.", directors=["Luc B", "Ann C"], cast=["A", "B", "C"]),
    3: dict(title="Quiet One", date="2001-01-02", budget="0", revenue="5000", popularity="0.5", runtime="",
            lang="xx", collection=None, genres=[], companies=[], countries=["SU"], spoken=[], va="0.0", vc="0",
            overview=None, directors=[], cast=[]),
    10: dict(title="Later Film", date="2010-03-04", budget="2000000", revenue="8000000", popularity="9.25",
             runtime="95.0", lang="cn", collection="Later Collection", genres=["Drama", "Science Fiction"],
             companies=["Studio A", "Studio B"], countries=["HK"], spoken=[], va="6.5", vc="40",
             overview="A later film.", directors=["Wong K"], cast=[]),
    11: dict(title="Last Film", date="2015-06-07", budget="0", revenue="0", popularity="1.0", runtime="88.0",
             lang="ja", collection=None, genres=["Horror"], companies=[], countries=["JP"], spoken=[], va="5.0",
             vc="3", overview=None, directors=[], cast=[]),
}
RAW_IDS = (1, 2, 3)


def literal_list(key: str, items: list[str]) -> str:
    return repr([{key: item, "id": i} if key == "name" else {key: item, "name": item} for i, item in enumerate(items)])


def raw_row(movie_id, m: dict, **override) -> dict:
    row = {"adult": "False", "belongs_to_collection": repr({"id": 1, "name": m["collection"], "poster_path": None})
           if m["collection"] else "", "budget": m["budget"], "genres": literal_list("name", m["genres"]),
           "homepage": "", "id": str(movie_id), "imdb_id": f"tt{movie_id:07d}", "original_language": m["lang"],
           "original_title": m["title"], "overview": m["overview"] or "", "popularity": m["popularity"],
           "poster_path": "/p.jpg", "production_companies": literal_list("name", m["companies"]),
           "production_countries": literal_list("iso_3166_1", m["countries"]), "release_date": m["date"],
           "revenue": m["revenue"], "runtime": m["runtime"], "spoken_languages": literal_list("iso_639_1", m["spoken"]),
           "status": "Released", "tagline": "", "title": m["title"], "video": "False", "vote_average": m["va"],
           "vote_count": m["vc"]}
    row.update(override)
    return row


def to_csv(header: list[str], rows: list[dict] | list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return buffer.getvalue()


def derived_files(movies: dict[int, dict]) -> dict[str, str]:
    """The derived/ files as their authors wrote them (float money, ", "-joined names, space-joined genres)."""
    ids = list(movies)
    rows = {name: [] for name in ("core", "votes", "runtime", "language", "countries", "companies", "collection",
                                  "genres", "fermuba", "head", "vc50")}
    for i in ids:
        m = movies[i]
        rows["core"].append([m["title"], m["date"], m["date"][:4] + ".0", float(m["revenue"] or 0),
                             float(m["budget"] or 0), 0.0, m["collection"] or "", "", "", "", i, m["va"],
                             m["vc"] + ".0", m["popularity"], (m["genres"] or [""])[0]])
        rows["votes"].append([i, m["title"], m["date"][:4], m["va"], m["vc"] + ".0"])
        rows["runtime"].append([i, m["title"], m["runtime"], m["date"][:4]])
        rows["language"].append([i, m["lang"]])
        rows["countries"].append([i, ", ".join(m["countries"])])
        rows["companies"].append([i, ", ".join(m["companies"]), float(m["revenue"] or 0)])
        rows["collection"].append([i, m["collection"] or "", float(m["revenue"] or 0)])
        rows["genres"].append([" " + " ".join(m["genres"]), i, m["title"], "/p.jpg"])
        rows["fermuba"] += [[len(rows["fermuba"]), i, d] for d in m["directors"]]
        if m["overview"] and int(m["vc"]) >= 40:   # niyatithacker: movies with 50+ votes (40 here)
            rows["vc50"].append([i, m["title"], m["overview"], repr(m["genres"]), m["va"], m["vc"] + ".0"])
        if m["overview"] and i < 10:                 # prasoon950: the first rows only
            rows["head"].append([i, f"tt{i:07d}", m["overview"], "", m["title"], m["va"], m["vc"], 1, 2, 3, 4, 5,
                                 6, 7])
    return {
        C.D_CORE: to_csv(["title", "release_date", "release_year", "revenue", "budget", "return",
                          "belongs_to_collection", "production_companies", "production_countries",
                          "spoken_languages", "id", "vote_average", "vote_count", "popularity", "genero"],
                         rows["core"]),
        C.D_VOTES: to_csv(["id", "title", "release_year", "vote_average", "vote_count"], rows["votes"]),
        C.D_RUNTIME: to_csv(["id", "title", "runtime", "release_year"], rows["runtime"]),
        C.D_LANGUAGE: to_csv(["id", "original_language"], rows["language"]),
        C.D_COUNTRIES: to_csv(["id", "production_countries"], rows["countries"]),
        C.D_COMPANIES: to_csv(["id", "production_companies", "revenue"], rows["companies"]),
        C.D_COLLECTION: to_csv(["id", "name_collection", "revenue"], rows["collection"]),
        C.D_GENRES: to_csv(["genres", "id", "original_title", "poster_path"], rows["genres"]),
        C.D_DIRECTORS: to_csv(["", "id_movie", "name"], rows["fermuba"]),
        C.D_OVERVIEW_HEAD: to_csv(["id", "imdb_id", "overview", "tagline", "title", "vote_average", "vote_count",
                                   "movieId", "imdbId", "tmdbId", "movieId", "rating", "timestamp", "userId"],
                                  rows["head"]),
        C.D_OVERVIEW_VC50: to_csv(["id", "title", "overview", "genres", "vote_average", "vote_count"], rows["vc50"]),
    }


def write_raw(root: Path, raw_rows: list[dict] | None = None, derived: dict[str, str] | None = None,
              ratings: str | None = None, links: str | None = None) -> Path:
    """A raw tree `tmdb/...` with the given pieces, the clean fixture for the rest."""
    folder = root / C.SUBDIR
    (folder / "derived").mkdir(parents=True, exist_ok=True)
    rows = raw_rows if raw_rows is not None else [raw_row(i, MOVIES[i]) for i in RAW_IDS]
    (folder / "movies_metadata_head5000.csv").write_text(to_csv(RAW_HEADER, rows), encoding="utf-8")
    heads = [[i, ", ".join(MOVIES[i]["cast"]), (MOVIES[i]["directors"] or [""])[0]] for i in RAW_IDS]
    (folder / C.CREDITS_HEAD_FILE).write_text(to_csv(["id", "top_cast", "director"], heads), encoding="utf-8")
    files = derived_files(MOVIES)
    files.update(derived or {})
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / C.LINKS_FILE).write_text(links or "movieId,imdbId,tmdbId\r\n1,0114709,1\r\n2,0113497,10\r\n"
                                       "3,0113228,\r\n4,0114885,999\r\n", encoding="utf-8")
    (folder / C.RATINGS_FILE_IN).write_text(ratings or "userId,movieId,rating,timestamp\r\n1,1,4.0,1260759144\r\n"
                                            "1,2,3.5,1260759179\r\n2,3,5.0,1260759182\r\n2,4,1.0,1260759185\r\n"
                                            "3,1,2.5,1260759200\r\n", encoding="utf-8")
    return root


def etl(raw: Path, out: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    run(raw, out)
    quarantine = pd.read_csv(out / C.QUARANTINE_FILE, dtype={"row": str})
    return (pd.read_parquet(out / C.MOVIES_FILE).set_index(C.ID), pd.read_parquet(out / C.RATINGS_FILE),
            json.loads((out / C.REPORT_FILE).read_text()), quarantine)


def fixes(report: dict, column: str) -> dict[str, int]:
    return {f["fix"]: f["count"] for f in report["fixes"] if f["column"] == column}


def reasons(quarantine: pd.DataFrame, file: str) -> list[tuple[str, str]]:
    rows = quarantine[quarantine["file"] == f"{C.SUBDIR}/{file}"]
    return sorted(zip(rows["row"].astype(str), rows["reason"], strict=True))


def cli(*args: str, subprocess_run: bool = False) -> subprocess.CompletedProcess:
    """`python -m etl --quiet ARGS`: in this process (fast) unless `subprocess_run`."""
    if subprocess_run:
        return subprocess.run([sys.executable, "-m", "etl", "--quiet", *args], capture_output=True, text=True,
                              cwd=config.PROJ_ROOT)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = etl_main(["--quiet", *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


# ---- the clean fixture -----------------------------------------------------------------------------------------

def test_raw_rows_and_derived_movies_make_one_catalog_with_every_field(tmp_path):
    movies, ratings, report, quarantine = etl(write_raw(tmp_path / "raw"), tmp_path / "out")
    assert sorted(movies.index) == [1, 2, 3, 10, 11]
    assert movies.loc[[1, 2, 3], C.ROW_SOURCE].tolist() == ["raw"] * 3
    assert movies.loc[[10, 11], C.ROW_SOURCE].tolist() == ["derived"] * 2
    toy = movies.loc[1]
    assert (toy[C.TITLE], toy[C.RELEASE_DATE], toy[C.RELEASE_YEAR]) == ("Toy Tale", "1995-10-30", 1995)
    assert (toy[C.BUDGET], toy[C.REVENUE], round(toy[C.RETURN], 6)) == (30_000_000, 373_554_033, 12.451801)
    assert toy[C.COLLECTION] == "Toy Tale Collection" and list(toy[C.GENRES]) == ["Animation", "Comedy", "Family"]
    assert list(toy[C.DIRECTORS]) == ["John Lasseter"]
    assert list(toy[C.CAST]) == ["Tom Hanks", "Tim Allen", "Don Rickles"]
    assert (toy[C.LANGUAGE], toy[C.LANGUAGE_NAME]) == ("en", "English") and toy[C.VOTE_COUNT] == 5415
    space = movies.loc[2]
    assert list(space[C.COUNTRIES]) == ["FR", "GB"] and list(space[C.COUNTRY_NAMES]) == ["France", "United Kingdom"]
    assert list(space[C.SPOKEN]) == ["fr", "en"] and list(space[C.DIRECTORS]) == ["Luc B", "Ann C"]  # fermuba's
    later = movies.loc[10]
    assert (later[C.TITLE], later[C.RELEASE_YEAR], later[C.BUDGET], later[C.RETURN]) == ("Later Film", 2010,
                                                                                          2_000_000, 4.0)
    assert list(later[C.GENRES]) == ["Drama", "Science Fiction"] and later[C.COLLECTION] == "Later Collection"
    assert list(later[C.COMPANIES]) == ["Studio A", "Studio B"] and list(later[C.DIRECTORS]) == ["Wong K"]
    assert (later[C.LANGUAGE], later[C.LANGUAGE_NAME]) == ("cn", "Cantonese") and later[C.OVERVIEW] == "A later film."
    assert movies.loc[3, C.LANGUAGE_NAME] == "No Language" and list(movies.loc[3, C.COUNTRY_NAMES]) == ["Soviet Union"]
    assert pd.isna(movies.loc[3, C.RUNTIME]) and pd.isna(movies.loc[11, C.OVERVIEW])
    assert report["movies"] == {"rows": 5, "from_raw_rows": 3, "from_derived": 2}
    assert report["sources"][C.VOTE_COUNT] == {f"{C.SUBDIR}/{C.D_VOTES}": 2}
    assert report["sources"][C.OVERVIEW] == {f"{C.SUBDIR}/{C.D_OVERVIEW_HEAD}": 0, f"{C.SUBDIR}/{C.D_OVERVIEW_VC50}": 1}
    assert report["sources"]["raw rows"] == "tmdb/movies_metadata_head5000.csv"
    assert all(row["share"] == 1.0 and row["status"] == "ok" for row in report["agreement"]), report["agreement"]
    assert report["files"]["tmdb/movies_metadata_head5000.csv"] == {"rows_in": 3, "rows_out": 3}
    assert list(ratings.columns) == [C.USER, C.ID, C.ML_MOVIE, C.RATING, C.TIMESTAMP]


def test_genres_joined_with_spaces_are_split_by_the_known_names():
    split = GenreSplitter({"Science Fiction", "TV Movie", "Drama", "Music", "Movie"})
    assert split(" Science Fiction TV Movie Drama") == ["Science Fiction", "TV Movie", "Drama"]
    assert split("Drama Carousel Music") == ["Drama", "Music"] and split.with_unknown == {"Drama Carousel Music"}
    assert split(None) == [] and split("") == []


def test_company_names_with_a_comma_survive_the_derived_split(tmp_path):
    movies, *_ = etl(write_raw(tmp_path / "raw"), tmp_path / "out")
    assert list(movies.loc[2, C.COMPANIES]) == ["Walt Disney Productions, Inc.", "Gaumont"]


# ---- faults of the raw file ------------------------------------------------------------------------------------

def test_shifted_rows_are_quarantined_with_their_reason(tmp_path):
    good = MOVIES[1]
    rows = [raw_row(1, good),
            # the real shift: the tail of the overview in `adult`, the release date where the id should be
            raw_row(1, good, adult=" - Written by Ørnås", belongs_to_collection="0.065736", budget="/ff9q.jpg",
                    id="1997-08-20", genres="[{'name': 'Carousel Productions', 'id': 11176}]"),
            raw_row(2, MOVIES[2], budget="/poster.jpg"),            # text where budget should be a number
            raw_row(3, MOVIES[3], popularity="Beware Of Frost Bites")]  # text in popularity
    movies, _, report, quarantine = etl(write_raw(tmp_path / "raw", rows), tmp_path / "out")
    assert 1 in movies.index and movies.loc[1, C.ROW_SOURCE] == "raw"
    assert reasons(quarantine, "movies_metadata_head5000.csv") == [
        ("2", "row shifted by a column: a date in the id column"),
        ("3", "row shifted by a column: text in budget, which holds numbers"),
        ("4", "row shifted by a column: text in popularity, which holds numbers")]
    assert report["files"]["tmdb/movies_metadata_head5000.csv"] == {"rows_in": 4, "rows_out": 1}
    values = json.loads(quarantine.loc[quarantine["row"] == "2", "values"].iloc[0])
    assert values["id"] == "1997-08-20"   # the row itself is kept in the quarantine file
    # ids 2 and 3 were in the raw file: they are not completed from derived/ behind the quarantine's back
    assert 2 not in movies.index and 3 not in movies.index


def test_a_row_split_by_a_line_break_becomes_two_short_records_both_quarantined(tmp_path):
    raw = write_raw(tmp_path / "raw")
    path = raw / C.SUBDIR / "movies_metadata_head5000.csv"
    # as in the full file: the first half ends inside the overview, the second half starts with its tail, so
    # every later column is shifted (the release date lands in the id column)
    path.write_text(path.read_text() + "False,,0,[],,77,tt0000077,en,Midnight Man,The first half of the overview\n"
                    " - Written by X,0.065736,/ff9q.jpg,\"[{'name': 'Carousel Productions', 'id': 11176}]\",\"[]\","
                    "1997-08-20,0,104.0,\"[{'iso_639_1': 'en', 'name': 'English'}]\",Released,,Midnight Man,False,"
                    "6.0,1\n", encoding="utf-8")
    movies, _, report, quarantine = etl(raw, tmp_path / "out")
    assert 77 not in movies.index and len(movies) == 5
    assert reasons(quarantine, "movies_metadata_head5000.csv") == [
        ("4", "short record: 10 fields, the header has 24 (a row split or joined by a stray line break or quote)"),
        ("5", "short record: 15 fields, the header has 24 (a row split or joined by a stray line break or quote)")]
    assert report["files"]["tmdb/movies_metadata_head5000.csv"] == {"rows_in": 5, "rows_out": 3}


@pytest.mark.parametrize("cut, message", [
    (lambda text: text[:-1], "no final newline"),
    (lambda text: text + 'False,,0,"[{\'id\': 1,\n', "a quoted field is not closed"),
])
def test_a_cut_off_metadata_file_is_refused(tmp_path, cut, message):
    raw = write_raw(tmp_path / "raw")
    path = raw / C.SUBDIR / "movies_metadata_head5000.csv"
    path.write_text(cut(path.read_text()), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        run(raw, tmp_path / "out")


def test_too_many_quarantined_rows_or_far_fewer_rows_than_last_time_refuse_the_run(tmp_path):
    raw, out = write_raw(tmp_path / "raw"), tmp_path / "out"
    run(raw, out)
    ratings = "userId,movieId,rating,timestamp\n" + "".join(f"{u},4,3.0,1\n" for u in range(12))
    write_raw(raw, ratings=ratings)   # 12 ratings of a film outside the catalog: 12 > 1% + 10
    with pytest.raises(InputError, match=r"ratings_small.csv: 12 of 12 rows quarantined, more than the 1.0% \(\+10\)"):
        run(raw, out, accept_row_drop=True)
    write_raw(raw, ratings="userId,movieId,rating,timestamp\n1,1,4.0,1\n")   # 1 row where the last run read 5
    with pytest.raises(InputError, match="1 rows where the previous run read 5"):
        run(raw, out)
    assert run(raw, out, accept_row_drop=True).summary["ratings"]["rows_read"] == 1


def test_duplicate_id_keeps_the_first_valid_row(tmp_path):
    rows = [raw_row(1, MOVIES[1], release_date=""), raw_row(1, MOVIES[1]), raw_row(2, MOVIES[2]),
            raw_row(1, MOVIES[1], title="Copy")]
    movies, _, report, quarantine = etl(write_raw(tmp_path / "raw", rows), tmp_path / "out")
    assert movies.loc[1, C.TITLE] == "Toy Tale"
    assert reasons(quarantine, "movies_metadata_head5000.csv") == [
        ("1", "no valid release_date (YYYY-MM-DD): row dropped"), ("4", "duplicate id: the first valid row is kept")]


def test_malformed_literals_are_quarantined_never_evaluated(tmp_path):
    rows = [raw_row(1, MOVIES[1], genres="[{'id': 16, 'name': 'Animation'}"),
            raw_row(2, MOVIES[2], production_companies="__import__('os').system('echo pwned')"),
            raw_row(3, MOVIES[3], production_countries="[{'iso_3166_1': 'US'}, 'stray']")]
    movies, _, _, quarantine = etl(write_raw(tmp_path / "raw", rows), tmp_path / "out")
    assert sorted(movies.index) == [10, 11]
    got = reasons(quarantine, "movies_metadata_head5000.csv")
    assert [r for r, _ in got] == ["1", "2", "3"]
    assert got[0][1].startswith("malformed genres literal") and got[1][1].startswith("malformed production_companies")
    assert got[2][1] == "malformed production_countries literal: expected a list of dicts with text 'iso_3166_1'"


def test_invalid_release_dates_drop_the_row_and_are_counted(tmp_path):
    rows = [raw_row(1, MOVIES[1], release_date="1995-13-45"), raw_row(2, MOVIES[2], release_date=""),
            raw_row(3, MOVIES[3], release_date="1 May 2001"), raw_row(4, MOVIES[1])]
    movies, _, report, quarantine = etl(write_raw(tmp_path / "raw", rows), tmp_path / "out")
    assert 4 in movies.index and not {1, 2, 3} & set(movies.index)
    assert report["quarantine"]["by_reason"]["no valid release_date (YYYY-MM-DD): row dropped"] == 3


def test_embedded_newlines_in_overview_are_collapsed_and_counted(tmp_path):
    # id 4 is not in derived/, so nothing compares it (the agreement of overviews is measured elsewhere)
    rows = [raw_row(4, MOVIES[1], overview="Led by Woody,\nAndy's toys\r\n  live happily. "), raw_row(2, MOVIES[2])]
    movies, _, report, _ = etl(write_raw(tmp_path / "raw", rows), tmp_path / "out")
    assert movies.loc[4, C.OVERVIEW] == "Led by Woody, Andy's toys live happily."
    assert fixes(report, "overview") == {"whitespace collapsed (embedded newlines, tabs, repeated or edge spaces)": 1}


def test_null_revenue_and_budget_become_0_and_return_is_0_where_budget_is_0(tmp_path):
    rows = [raw_row(4, MOVIES[1], budget="", revenue=""), raw_row(2, MOVIES[2]), raw_row(3, MOVIES[3])]
    movies, _, report, _ = etl(write_raw(tmp_path / "raw", rows), tmp_path / "out")
    assert (movies.loc[4, C.BUDGET], movies.loc[4, C.REVENUE], movies.loc[4, C.RETURN]) == (0, 0, 0.0)
    assert movies.loc[2, C.RETURN] == 2.5 and movies.loc[3, C.RETURN] == 0.0  # 25 / 10; budget 0, revenue 5000
    assert movies.loc[1, C.RETURN] == 373_554_033 / 30_000_000  # completed from derived/, same rule
    assert movies.loc[11, C.RETURN] == 0.0
    assert fixes(report, C.BUDGET) == {"missing: set to 0": 1} and fixes(report, C.REVENUE) == {"missing: set to 0": 1}
    returns = {f["file"]: f["count"] for f in report["fixes"] if f["column"] == C.RETURN}
    assert returns == {"tmdb/movies_metadata_head5000.csv": 2, f"tmdb/{C.D_CORE}": 1}  # raw 4 and 3; derived 11


def test_the_full_raw_files_replace_the_head_through_the_same_code(tmp_path):
    raw = write_raw(tmp_path / "raw")
    rows = [raw_row(i, MOVIES[i]) for i in (1, 2, 3, 10)]
    (raw / C.SUBDIR / "movies_metadata.csv").write_text(to_csv(RAW_HEADER, rows), encoding="utf-8")
    cast = repr([{"cast_id": 1, "character": "X", "name": "Second", "order": 1},
                 {"cast_id": 2, "character": "Y", "name": "First", "order": 0}])
    crew = repr([{"job": "Producer", "name": "P"}, {"job": "Director", "name": "D1"},
                 {"job": "Director", "name": "D2"}])
    lasseter = repr([{"job": "Director", "name": "John Lasseter"}])
    (raw / C.SUBDIR / C.CREDITS_RAW_FILE).write_text(to_csv(["cast", "crew", "id"], [
        ["[]", lasseter, 1], ["[", "[]", 2], [cast, crew, 3]]))
    movies, _, report, quarantine = etl(raw, tmp_path / "out")
    assert report["metadata_file"] == "tmdb/movies_metadata.csv" and report["credits_file"] == "tmdb/credits.csv"
    assert movies.loc[10, C.ROW_SOURCE] == "raw" and movies.loc[11, C.ROW_SOURCE] == "derived"
    assert list(movies.loc[3, C.CAST]) == ["First", "Second"] and list(movies.loc[3, C.DIRECTORS]) == ["D1", "D2"]
    assert list(movies.loc[1, C.DIRECTORS]) == ["John Lasseter"]
    assert list(movies.loc[2, C.DIRECTORS]) == ["Luc B", "Ann C"]  # its credits row is quarantined: fermuba's
    assert reasons(quarantine, C.CREDITS_RAW_FILE) == [("2", "malformed cast or crew literal: not a Python literal "
                                                              "(SyntaxError)")]


# ---- faults of derived/ ----------------------------------------------------------------------------------------

def test_shifted_and_duplicate_rows_of_derived_files_are_quarantined(tmp_path):
    files = derived_files(MOVIES)
    files[C.D_CORE] += ",,,0.0,0.0,0.0,,,,,1997-08-20,,,,Carousel Productions\n"
    files[C.D_CORE] += "Undated,,,0.0,0.0,0.0,,,,,12,5.0,1.0,0.1,Drama\n"   # no release date: not in the catalog
    files[C.D_VOTES] += "1997-08-20,,0,,\n10,Later Film (copy),2010,1.0,1.0\n"
    files[C.D_RUNTIME] = files[C.D_RUNTIME].replace("11,Last Film,88.0", "11,Last Film,Released")
    files[C.D_GENRES] += (" Carousel Productions Vision View ,1997-08-20,\"[{'iso_639_1': 'en', 'name': 'English'}]\","
                          "Midnight Man\n")
    movies, _, report, quarantine = etl(write_raw(tmp_path / "raw", derived=files), tmp_path / "out")
    assert sorted(movies.index) == [1, 2, 3, 10, 11] and movies.loc[10, C.VOTE_AVERAGE] == 6.5
    assert reasons(quarantine, C.D_VOTES) == [("6", "row shifted by a column (in the source): a date in the id column"),
                                              ("7", "duplicate id: the first row is kept")]
    assert reasons(quarantine, C.D_CORE) == [("6", "row shifted by a column (in the source): a date in the id column"),
                                             ("7", "no valid release_date (YYYY-MM-DD): row dropped")]
    assert len(reasons(quarantine, C.D_GENRES)) == 1
    assert report["files"][f"tmdb/{C.D_VOTES}"] == {"rows_in": 7, "rows_out": 5}
    assert pd.isna(movies.loc[11, C.RUNTIME])   # text in a numeric column of derived/: missing, and counted
    assert fixes(report, "runtime") == {"text where a number should be: treated as missing": 1}


def test_a_field_below_99_percent_agreement_fails_the_build_naming_it_and_keeps_old_outputs(tmp_path):
    raw, out = write_raw(tmp_path / "raw"), tmp_path / "out"
    assert cli("--catalog", "movies", "--raw-dir", str(raw), "--out", str(out)).returncode == 0
    before = {p.name: p.read_bytes() for p in (out / MOVIES_SPEC.name).iterdir()}
    files = derived_files(MOVIES)
    files[C.D_RUNTIME] = files[C.D_RUNTIME].replace("1,Toy Tale,81.0", "1,Toy Tale,91.0")
    write_raw(raw, derived=files)
    result = cli("--catalog", "movies", "--raw-dir", str(raw), "--out", str(out))
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "field 'runtime' from tmdb/derived/runtime_all__mandrad3.csv agrees with the raw rows on only 66.67%" \
        in result.stderr
    assert {p.name: p.read_bytes() for p in (out / MOVIES_SPEC.name).iterdir()} == before


def test_a_known_cause_below_99_percent_is_reported_not_fatal():
    raw = pd.DataFrame({C.ID: [1, 2], C.LANGUAGE: ["en", "fr"]})
    from etl.movies.derived import Source
    source = Source(C.LANGUAGE, C.D_LANGUAGE, "original_language", pd.Series(["en", "de"], index=[1, 2]))
    table = agreement(raw, [source])
    assert table[["compared", "agree", "share"]].values.tolist() == [[2, 1, 0.5]]
    assert judge(table, {C.LANGUAGE: "codes against names"})["status"].tolist() == ["explained: codes against names"]
    with pytest.raises(InputError, match="field 'original_language'"):
        judge(table, {})


# ---- ratings ---------------------------------------------------------------------------------------------------

def test_ratings_that_point_at_no_catalog_film_are_quarantined_and_counted(tmp_path):
    _, ratings, report, quarantine = etl(write_raw(tmp_path / "raw"), tmp_path / "out")
    assert ratings[[C.USER, C.ID, C.ML_MOVIE, C.RATING]].values.tolist() == [[1, 1, 1, 4.0], [1, 10, 2, 3.5],
                                                                             [3, 1, 1, 2.5]]
    assert reasons(quarantine, C.RATINGS_FILE_IN) == [("3", "movieId has no TMDB id in links_small.csv"),
                                                      ("4", "TMDB id not in the catalog")]
    assert report["ratings"]["quarantined"] == {"movieId has no TMDB id in links_small.csv": 1,
                                                "TMDB id not in the catalog": 1}
    assert report["files"][f"tmdb/{C.RATINGS_FILE_IN}"] == {"rows_in": 5, "rows_out": 3}


# ---- literals and names ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[{'id': 16, 'name': 'Animation'}, {'id': 35, 'name': 'Comedy'}]",
    "[{'iso_3166_1': 'US', 'name': 'United States of America'}]",
    "[{'name': \"Rock 'n' Roll Films\", 'id': 3}]",
    "[{'name': 'Caf\\xe9 \\\\ Bar', 'id': 3}]",
    "[]", "[{'name': ' Spaced ', 'id': 1}, {'name': '', 'id': 2}]",
])
def test_fast_path_and_literal_eval_agree(text):
    expected = [d["name"].strip() for d in ast.literal_eval(text) if d["name"].strip()]
    assert names(text) == expected


@pytest.mark.parametrize("text", ["[{'id': 16, 'name': 'Animation'}", "__import__('os').system('true')",
                                  "[{'id': 1}]", "{'name': 'x'}", "[1, 2]", "[" * 500 + "]" * 500,
                                  "[{'name': '" + "x" * 30_000 + "'}]"])
def test_bad_literals_raise_literal_error(text):
    with pytest.raises(LiteralError):
        names(text)


@pytest.mark.parametrize("apostrophe", [False, True])  # True: double-quoted strings, so the literal_eval path
def test_cast_and_crew_fast_path_and_literal_eval_agree(apostrophe):
    from etl.movies.credits import _directors, _top_cast
    from etl.movies.literals import adjacent_pairs
    extra = "O'Brien" if apostrophe else "Obrien"
    cast = [{"cast_id": i, "character": "C", "credit_id": "52fe", "gender": 2, "id": i, "name": name, "order": order,
             "profile_path": None} for i, (name, order) in enumerate([("D", 3), ("A", 0), (extra, 2), ("B", 1)])]
    crew = [{"credit_id": "52fe", "department": dep, "gender": 0, "id": i, "job": job, "name": name,
             "profile_path": "/x.jpg"} for i, (dep, job, name) in enumerate(
                [("Writing", "Screenplay", "W"), ("Directing", "Director", extra), ("Directing", "Director", "Z"),
                 ("Directing", "Director", extra)])]
    assert (adjacent_pairs(repr(cast), "name", "order", True) is None) == apostrophe
    assert _top_cast(repr(cast)) == ["A", "B", extra]
    assert _directors(repr(crew)) == [extra, "Z"]
    assert _top_cast(None) == [] and _directors("[]") == []


def test_collection_literal_and_empty_values():
    assert record_name("{'id': 10194, 'name': 'Toy Story Collection', 'poster_path': None}") == "Toy Story Collection"
    assert record_name(None) is None and names("") == [] and parse_records(None) == []


def test_language_and_country_names_follow_the_documented_rule():
    assert [language_name(c) for c in ("fr", "ja", "xx", "cn", "mo", "zz", None)] == [
        "French", "Japanese", "No Language", "Cantonese", "Moldavian", None, None]
    assert [country_name(c) for c in ("US", "KR", "GB", "XC", "SU", "QQ")] == [
        "United States", "South Korea", "United Kingdom", "Czechoslovakia", "Soviet Union", None]


# ---- CLI -------------------------------------------------------------------------------------------------------

def test_cli_movies_catalog_writes_its_own_directory(tmp_path):
    result = cli("--catalog", "movies", "--raw-dir", str(write_raw(tmp_path / "raw")), "--out", str(tmp_path / "out"),
                 subprocess_run=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out" / MOVIES_SPEC.name).iterdir()) == sorted(
        [C.MOVIES_FILE, C.RATINGS_FILE, C.AGREEMENT_FILE, C.QUARANTINE_FILE, C.REPORT_FILE])
    assert not (tmp_path / "out" / STREAMING.name).exists()


@pytest.mark.parametrize("breakage, message", [
    (lambda raw: (raw / "tmdb" / "movies_metadata_head5000.csv").unlink(), "no movies_metadata.csv or"),
    (lambda raw: (raw / "tmdb" / C.D_VOTES).write_text("id,title\n1,x\n"), "missing column(s) vote_average"),
    (lambda raw: (raw / "tmdb" / C.RATINGS_FILE_IN).write_text(""), "ratings_small.csv: file is empty"),
    (lambda raw: (raw / "tmdb" / "movies_metadata_head5000.csv").write_bytes(b"id,title\n1,\xff\n"), "not UTF-8"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, breakage, message):
    raw = write_raw(tmp_path / "raw")
    breakage(raw)
    result = cli("--catalog", "movies", "--raw-dir", str(raw), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def test_missing_tmdb_directory_is_an_error_for_the_movies_catalog(tmp_path):
    (tmp_path / "raw").mkdir()
    result = cli("--catalog", "movies", "--raw-dir", str(tmp_path / "raw"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "tmdb: movies raw-data directory not found" in result.stderr


# ---- the real data ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real(tmp_path_factory):
    root = settings.raw_dir()
    for name in ("movies_metadata_head5000.csv", C.CREDITS_HEAD_FILE, C.RATINGS_FILE_IN, C.LINKS_FILE,
                 *(f for f, _ in C.FIELD_SOURCES.values()), *(f for f, _ in C.OVERVIEW_SOURCES), C.D_DIRECTORS):
        require(root / C.SUBDIR / name)
    out = tmp_path_factory.mktemp("movies")
    movies, ratings, report, quarantine = etl(root, out)
    return movies, ratings, report, quarantine


@pytest.mark.slow
def test_real_head5000_rows_in_and_out(real):
    _, _, report, quarantine = real
    assert report["files"]["tmdb/movies_metadata_head5000.csv"] == {"rows_in": 5000, "rows_out": 4995}
    assert reasons(quarantine, "movies_metadata_head5000.csv") == [
        ("1466", "duplicate id: the first valid row is kept"),
        ("3461", "no valid release_date (YYYY-MM-DD): row dropped"),
        ("3629", "no valid release_date (YYYY-MM-DD): row dropped"),
        ("712", "no valid release_date (YYYY-MM-DD): row dropped"),
        ("735", "no valid release_date (YYYY-MM-DD): row dropped")]
    assert fixes(report, "overview")["whitespace collapsed (embedded newlines, tabs, repeated or edge spaces)"] > 0


@pytest.mark.slow
def test_real_catalog_size_and_shape(real):
    movies, _, report, quarantine = real
    # 45,379 derived rows with a valid release date, less 3 shifted rows and 30 repeated ids
    assert len(movies) == 45_346 == report["movies"]["rows"] and movies.index.is_unique
    assert report["movies"]["from_raw_rows"] == 4995
    assert movies[C.RELEASE_DATE].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all() and movies[C.RELEASE_YEAR].min() > 1800
    for shifted in ("1997-08-20", "2012-09-29", "2014-01-01"):
        assert (quarantine["reason"].str.startswith("row shifted") & quarantine["values"].str.contains(shifted)).any()
    assert report["quarantine"]["by_reason"]["duplicate id: the first row is kept"] >= 30 * 8
    toy = movies.loc[862]
    assert list(toy[C.DIRECTORS]) == ["John Lasseter"]
    assert list(toy[C.CAST]) == ["Tom Hanks", "Tim Allen", "Don Rickles"]
    assert toy[C.COLLECTION] == "Toy Story Collection" and round(toy[C.RETURN], 4) == 12.4518
    coded = movies[C.LANGUAGE].notna()
    assert coded.sum() > 45_300 and movies.loc[coded, C.LANGUAGE_NAME].notna().all()
    assert set(movies[C.RETURN][movies[C.BUDGET] == 0]) == {0.0}
    known = {"Science Fiction", "TV Movie", "Drama", "Comedy"}
    assert known <= {g for gs in movies[C.GENRES] for g in gs}
    assert report["seconds"] < 60  # the time itself is measured by `python -m bench.movies_etl`


@pytest.mark.slow
def test_real_agreement_of_every_derived_field_is_at_least_99_percent_or_explained(real):
    _, _, report, _ = real
    table = pd.DataFrame(report["agreement"])
    fields = set(table["field"])
    assert set(C.FIELD_SOURCES) | {C.OVERVIEW, C.DIRECTORS} == fields
    assert (table["compared"] > 2000).all()
    assert ((table["share"] >= 0.99) | table["status"].str.startswith("explained")).all(), table


@pytest.mark.slow
def test_real_ratings_counts(real):
    _, ratings, report, _ = real
    assert report["ratings"]["rows_read"] == 100_004 and report["ratings"]["users"] == 671
    assert report["ratings"]["quarantined"]["movieId has no TMDB id in links_small.csv"] == 71
    assert 100 <= report["ratings"]["quarantined"]["TMDB id not in the catalog"] <= 200
    assert len(ratings) == 100_004 - 71 - report["ratings"]["quarantined"]["TMDB id not in the catalog"]
