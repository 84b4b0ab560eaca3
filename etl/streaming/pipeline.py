"""The streaming catalog's ETL run: titles and ratings in, its clean tables and the report out.

    run(raw_dir, out_dir) -> Report     # out_dir is the catalog's folder, e.g. data/processed/streaming
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
from tqdm import tqdm

from config import (
    COL_ID,
    COL_N_RATINGS,
    COL_SCORE,
    COL_USER,
    ETL_REPORT_FILE,
    PLATFORMS,
    QUARANTINE_FILE,
    RATINGS_FILE,
    TITLES_FILE,
)
from errors import InputError
from etl import io
from etl.report import Report, check_row_counts
from etl.streaming.ratings import MAX_QUARANTINED as MAX_QUARANTINED_RATINGS
from etl.streaming.ratings import (
    Collapsed,
    collapse_duplicates,
    ratings_files,
    read_part,
    superseded_files,
    title_scores,
)
from etl.streaming.titles import MAX_QUARANTINED as MAX_QUARANTINED_TITLES
from etl.streaming.titles import build_titles

RAW_SUBDIR = "titles"  # raw_dir / RAW_SUBDIR holds the platforms' title files (and raw_dir / ratings the ratings)

def spark_ratings(files: list[Path], catalog_ids: pa.Array, report: Report, master: str, progress) -> Collapsed:
    """The ratings stage on Spark (etl.streaming.spark_ratings), in a session of its own."""
    from etl.spark_session import spark_session
    from etl.streaming.spark_ratings import collapse_with_spark  # pyspark only when asked for

    spark = spark_session(master, app_name="etl")
    try:
        return collapse_with_spark(spark, files, catalog_ids, report, progress)
    finally:
        spark.stop()


def run(raw_dir: Path, out_dir: Path, quiet: bool = False, accept_row_drop: bool = False,
        engine: str = "local", master: str = "local[*]") -> Report:
    """Build every output in memory, then write them together: a failed run leaves old outputs intact.

    engine "spark": the ratings are read, validated and collapsed by Spark on `master` (etl.streaming.spark_ratings),
    into the same table; everything else is the same code.

    Refused (InputError) before anything is written: a cut-off input file, a file with far fewer rows than
    the previous run read (unless accept_row_drop), a quarantine above a file's declared limit.
    """
    if not raw_dir.is_dir():
        raise InputError(f"{raw_dir}: raw-data directory not found (set --raw-dir or RAW_DIR)")
    io.check_out_dir(out_dir)  # before the work, not after
    report = Report()
    files = ratings_files(raw_dir)
    with tqdm(total=len(PLATFORMS) + len(files) + 1, desc="etl", unit="file", disable=quiet) as progress:
        titles = build_titles(raw_dir, report, progress)
        catalog_ids = pa.array(titles[COL_ID].to_numpy(), pa.string())

        if engine == "spark":
            collapsed = spark_ratings(files, catalog_ids, report, master, progress)
        else:
            parts = []
            for path in files:
                parts.append(read_part(path, catalog_ids, f"ratings/{path.name}", report))
                progress.update(1)
        if not any(f["rows_out"] for name, f in report.files.items() if name.startswith("ratings/")):
            reasons = "; ".join(f"{n:,} {r}" for r, n in report.to_dict()["quarantine"]["by_reason"].items())
            raise InputError(f"{raw_dir / 'ratings'}: no valid rating in any file ({reasons})")
        if engine != "spark":
            collapsed = collapse_duplicates(parts, catalog_ids)
        ratings = collapsed.table
        progress.update(1)

    if not accept_row_drop:
        check_row_counts(report, out_dir)
    report.enforce({"titles/": MAX_QUARANTINED_TITLES, "ratings/": MAX_QUARANTINED_RATINGS})
    scores = title_scores(collapsed, len(titles))
    titles[COL_SCORE] = scores[COL_SCORE].to_numpy()
    titles[COL_N_RATINGS] = scores[COL_N_RATINGS].to_numpy()
    report.add_fix("ratings/*", "rating", "ratings of one user for one title collapsed into their mean",
                   collapsed.rows_merged)

    ratings_in = sum(f["rows_out"] for name, f in report.files.items() if name.startswith("ratings/"))
    report.summary = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "raw_dir": str(raw_dir),
        "titles": {"rows": len(titles), "per_platform": titles.groupby("platform").size().to_dict(),
                   "placeholder_rows": int(titles["is_placeholder"].sum())},
        "ratings": {
            "rows_read": sum(f["rows_in"] for name, f in report.files.items() if name.startswith("ratings/")),
            "rows_valid": ratings_in,
            "rows_out": ratings.num_rows,
            "pairs_rated_more_than_once": collapsed.pairs_repeated,
            "rows_merged_into_their_pair": collapsed.rows_merged,
            "users": len(ratings[COL_USER].unique()),
            "superseded_files": [f"ratings/{p.name}" for p in superseded_files(raw_dir, files)],
        },
    }
    with io.staged(out_dir) as stage:
        io.write_parquet(titles, stage / TITLES_FILE)
        io.write_parquet(ratings, stage / RATINGS_FILE)
        io.write_csv(report.quarantine_table(), stage / QUARANTINE_FILE)
        io.write_json(report.to_dict(), stage / ETL_REPORT_FILE)
    return report


def lines(report: Report) -> list[str]:
    """The summary `python -m etl` prints after the run."""
    return report.lines()
