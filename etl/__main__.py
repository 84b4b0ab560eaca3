"""CLI: `python -m etl [--raw-dir DIR] [--out DIR] [--catalog {streaming,movies,all}]` builds data/processed.

The streaming catalog goes to OUT (titles.parquet, ratings.parquet, ...), the Movies Dataset catalog to
OUT/movies/ (movies.parquet, ratings.parquet, agreement.csv, quarantine.csv, etl_report.json). With the default
`--catalog all`, a raw directory without tmdb/ builds the streaming catalog only (and says so); `--catalog movies`
requires it.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from config import PROCESSED_DATA_DIR, raw_dir
from errors import InputError
from etl.movies import columns as movie_columns
from etl.movies.pipeline import run as run_movies
from etl.pipeline import run

CATALOGS = ("streaming", "movies", "all")
ENGINES = ("local", "spark")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", help="raw data directory (default: $RAW_DIR or ../shared/data/raw)")
    parser.add_argument("--out", default=str(PROCESSED_DATA_DIR), help="output directory (default: data/processed)")
    parser.add_argument("--catalog", choices=CATALOGS, default="all",
                        help="which catalog to build: the streaming one, the movies one (into OUT/movies) or all "
                             "(default)")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="the streaming ratings stage: local (pyarrow and numpy, default) or spark (pyspark, "
                             "the same ratings.parquet)")
    parser.add_argument("--master", default="local[*]",
                        help="Spark master for --engine spark: local[*] (default), local[N], spark://host:7077, yarn")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.add_argument("--accept-row-drop", action="store_true",
                        help="accept input files with far fewer rows than the previous run read")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    try:
        raw = raw_dir(args.raw_dir)
        if args.engine == "spark":
            check_spark(args.master)
        if args.catalog in ("streaming", "all"):
            report = run(raw, out, quiet=args.quiet, accept_row_drop=args.accept_row_drop, engine=args.engine,
                         master=args.master)
            if not args.quiet:
                print("\n".join(report.lines()))
                print(f"wrote {out}/")
        movies_raw = raw / movie_columns.SUBDIR
        if args.catalog == "all" and raw.is_dir() and not movies_raw.is_dir():
            print(f"etl: note: {movies_raw} not found: movies catalog not built", file=sys.stderr)
        elif args.catalog in ("movies", "all"):
            movies_out = out / movie_columns.OUT_SUBDIR
            report = run_movies(raw, movies_out, quiet=args.quiet, accept_row_drop=args.accept_row_drop)
            if not args.quiet:
                print("\n".join(report.lines()))
                summary = report.summary
                print(f"movies: {summary['movies']['rows']:,} ({summary['movies']['from_raw_rows']:,} from "
                      f"{summary['metadata_file']}, {summary['movies']['from_derived']:,} completed from derived/); "
                      f"ratings: {summary['ratings']['rows_out']:,} of {summary['ratings']['rows_read']:,}; "
                      f"{summary['seconds']} s")
                print(f"wrote {movies_out}/")
    except InputError as exc:
        print(f"etl: error: {exc}", file=sys.stderr)
        return 2
    return 0


def check_spark(master: str) -> None:
    """InputError (one line, exit 2) for a malformed master, or pyspark or Java missing."""
    from etl.spark_session import check_master, check_runtime

    try:
        check_master(master)
    except ValueError as exc:
        raise InputError(f"--master: {exc}") from None
    check_runtime()


if __name__ == "__main__":
    sys.exit(main())
