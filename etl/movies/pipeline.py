"""The movies catalog ETL run: raw metadata + derived/ + credits + ratings in; its own clean tables out.

    run(raw_dir, out_dir) -> Report     # raw_dir holds tmdb/; out_dir is the catalog's folder, data/processed/movies

Every output is built in memory and written together through a staging folder, so a failed run leaves the
earlier outputs intact. Refused (InputError) before anything is written, like the streaming ETL: a cut-off input,
a file with far fewer rows than the previous run read (unless accept_row_drop), a quarantine above a file's
declared limit (QUARANTINE_LIMITS), a field below 99% agreement without a known cause.
"""
from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from catalog import MOVIES, STREAMING
from config import TITLES_FILE
from errors import InputError
from etl import io
from etl.movies import columns as C
from etl.movies import links as where_to_watch
from etl.movies.credits import assign, directors_agreement, fermuba_directors, read_credits
from etl.movies.derived import agreement, complete, judge, load_sources
from etl.movies.metadata import add_names, add_return, clean_metadata
from etl.movies.ratings import build_ratings
from etl.report import QuarantineLimit, Report, check_row_counts

log = logging.getLogger(__name__)

RAW_SUBDIR = C.SUBDIR

SCHEMA = pa.schema([
    (C.ID, pa.int64()), (C.TITLE, pa.string()), (C.RELEASE_DATE, pa.string()), (C.RELEASE_YEAR, pa.int32()),
    (C.OVERVIEW, pa.string()), (C.GENRES, pa.list_(pa.string())), (C.RUNTIME, pa.float64()),
    (C.LANGUAGE, pa.string()), (C.LANGUAGE_NAME, pa.string()), (C.SPOKEN, pa.list_(pa.string())),
    (C.COUNTRIES, pa.list_(pa.string())), (C.COUNTRY_NAMES, pa.list_(pa.string())),
    (C.COMPANIES, pa.list_(pa.string())), (C.COLLECTION, pa.string()), (C.BUDGET, pa.int64()),
    (C.REVENUE, pa.int64()), (C.RETURN, pa.float64()), (C.POPULARITY, pa.float64()),
    (C.VOTE_AVERAGE, pa.float64()), (C.VOTE_COUNT, pa.int64()), (C.DIRECTORS, pa.list_(pa.string())),
    (C.CAST, pa.list_(pa.string())), (C.STATUS, pa.string()), (C.ROW_SOURCE, pa.string()),
    (C.POSTER_PATH, pa.string()),
])
# Share of a file's rows that may be quarantined (plus 10 rows) before the input is taken for a wrong or cut-off
# file. Real rates: head5000 0.1%, the full metadata file about 0.3% (87 undated, 30 duplicate, 3 split rows),
# each derived file 0.07-0.1%, ratings_small 0.19%.
QUARANTINE_LIMITS = {
    f"{C.SUBDIR}/movies_metadata": QuarantineLimit(0.01),
    f"{C.SUBDIR}/derived/": QuarantineLimit(0.005),
    f"{C.SUBDIR}/credits": QuarantineLimit(0.005),
    f"{C.SUBDIR}/{C.LINKS_FILE}": QuarantineLimit(0.005),
    f"{C.SUBDIR}/{C.RATINGS_FILE_IN}": QuarantineLimit(0.01),
}
RATINGS_SCHEMA = pa.schema([(C.USER, pa.int32()), (C.ID, pa.int64()), (C.ML_MOVIE, pa.int32()),
                            (C.RATING, pa.float32()), (C.TIMESTAMP, pa.int64())])


def _table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    arrays = []
    for field in schema:
        values = frame[field.name]
        if pa.types.is_list(field.type):
            arrays.append(pa.array([list(v) for v in values], field.type))
        else:
            arrays.append(pa.array(values.astype(object).where(values.notna(), None).tolist(), field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def build(raw_dir: Path, quiet: bool = True) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Report]:
    """movies, ratings, the agreement table and the report, all in memory."""
    folder = raw_dir / C.SUBDIR
    if not folder.is_dir():
        raise InputError(f"{folder}: movies raw-data directory not found (set --raw-dir or RAW_DIR)")
    report = Report()
    started = time.perf_counter()
    with tqdm(total=5, desc="etl movies", unit="step", disable=quiet) as progress:
        raw, raw_ids, raw_file = clean_metadata(raw_dir, report)
        log.info("%s: %d clean rows", raw_file, len(raw))
        progress.update(1)
        sources, spine = load_sources(raw_dir, raw, report)
        log.info("derived/: %d sources read, spine of %d movies", len(sources), len(spine))
        progress.update(1)
        derived = complete(raw_ids, spine, sources, report)
        add_return(derived, f"{C.SUBDIR}/{C.SPINE}", report)
        movies = pd.concat([raw, derived], ignore_index=True)
        add_names(movies, report)
        progress.update(1)
        crew_cast, credits_file, raw_credits = read_credits(raw_dir, report)
        fermuba = fermuba_directors(raw_dir, report)
        movies = assign(movies, crew_cast, credits_file, raw_credits, fermuba, report)
        table = agreement(raw, sources)
        table = pd.concat([table, pd.DataFrame([directors_agreement(crew_cast, credits_file, raw_credits, fermuba)])],
                          ignore_index=True)
        table = judge(table)
        log.info("catalog: %d movies (%d completed from derived/); agreement measured on %d fields", len(movies),
                 len(derived), len(table))
        progress.update(1)
        ratings, ratings_summary = build_ratings(raw_dir, movies[C.ID].to_numpy(), report)
        progress.update(1)
    movies = movies[C.MOVIE_COLUMNS]
    report.summary = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "raw_dir": str(raw_dir),
        "catalog": MOVIES.name,
        "metadata_file": raw_file,
        "credits_file": credits_file,
        "movies": {"rows": len(movies), "from_raw_rows": int((movies[C.ROW_SOURCE] == "raw").sum()),
                   "from_derived": int((movies[C.ROW_SOURCE] == "derived").sum())},
        "ratings": ratings_summary,
        "sources": {"raw rows": raw_file, **report.summary.get("sources", {})},
        "agreement": table.to_dict("records"),
        "seconds": round(time.perf_counter() - started, 2),
    }
    return movies, ratings, table, report


def run(raw_dir: Path, out_dir: Path, quiet: bool = True, accept_row_drop: bool = False, engine: str = "local",
        master: str | None = None) -> Report:
    """Build everything, then write movies.parquet, ratings.parquet, agreement.csv, quarantine.csv and
    etl_report.json together into out_dir; plus where_to_watch.parquet (etl/movies/links.py) when the streaming
    catalog's titles.parquet is in its folder beside out_dir, as `python -m etl` puts it. The ratings are small
    enough to be read locally whatever the engine."""
    io.check_out_dir(out_dir)
    movies, ratings, table, report = build(raw_dir, quiet=quiet)
    if not accept_row_drop:
        check_row_counts(report, out_dir)
    report.enforce(QUARANTINE_LIMITS)
    with io.staged(out_dir) as stage:
        io.write_parquet(_table(movies, SCHEMA), stage / C.MOVIES_FILE)
        io.write_parquet(_table(ratings, RATINGS_SCHEMA), stage / C.RATINGS_FILE)
        io.write_csv(table, stage / C.AGREEMENT_FILE)
        io.write_csv(report.quarantine_table(), stage / C.QUARANTINE_FILE)
        titles_path = out_dir.parent / STREAMING.name / TITLES_FILE  # the streaming catalog, when built beside
        if titles_path.is_file():
            links = where_to_watch.link_catalogs(movies, where_to_watch.read_titles(titles_path))
            io.write_parquet(where_to_watch.links_table(links), stage / where_to_watch.WHERE_TO_WATCH_FILE)
            report.summary["where_to_watch"] = where_to_watch.summary(links, ratings[C.ID].to_numpy())
        io.write_json(report.to_dict(), stage / C.REPORT_FILE)
    return report


def lines(report: Report) -> list[str]:
    """The summary `python -m etl` prints after the run."""
    summary = report.summary
    return [*report.lines(),
            f"movies: {summary['movies']['rows']:,} ({summary['movies']['from_raw_rows']:,} from "
            f"{summary['metadata_file']}, {summary['movies']['from_derived']:,} completed from derived/); "
            f"ratings: {summary['ratings']['rows_out']:,} of {summary['ratings']['rows_read']:,}; "
            f"{summary['seconds']} s"]
