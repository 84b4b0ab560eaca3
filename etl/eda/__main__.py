"""Command line of the EDA: `python -m etl.eda [--processed-dir DIR] [--out DIR] [--quiet]`.

Progress goes to the log (and a progress bar over the figures); bad input ends with one line and exit status 2.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from config import PROCESSED_DATA_DIR, REPORTS_DIR
from errors import InputError
from etl.eda.build import run
from etl.eda.captions import number

log = logging.getLogger("etl.eda")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m etl.eda",
                                     description="Exploratory data analysis of the ETL's output: figures, "
                                                 "eda.json (the statistics) and eda.md (the report).")
    parser.add_argument("--processed-dir", type=Path, default=PROCESSED_DATA_DIR,
                        help="the ETL's output directory (default: data/processed)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR, help="output directory (default: reports/)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="eda: %(message)s")
    try:
        result = run(args.processed_dir, args.out, quiet=args.quiet)
    except InputError as exc:
        print(f"eda: error: {exc}", file=sys.stderr)
        return 2
    s = result["numbers"]["item_signal"]
    log.info("per-title mean std %.4f vs shuffled %.4f; split-half r titles %s, users %s", s["title_mean_std"],
             s["title_mean_std_shuffled_mean"], number(s["split_half_r_titles"], ".3f"),
             number(s["split_half_r_users"], ".3f"))
    if "movies" in result["numbers"]:
        m = result["numbers"]["movies"]["item_signal"]
        log.info("Movies: per-movie mean std %.4f vs shuffled %.4f; split-half r movies %s, users %s",
                 m["title_mean_std"], m["title_mean_std_shuffled_mean"], number(m["split_half_r_titles"], ".3f"),
                 number(m["split_half_r_users"], ".3f"))
    else:
        log.info("no Movies catalog in %s (movies/movies.parquet): the streaming catalog only", args.processed_dir)
    log.info("wrote %d figures, eda.md and eda.json to %s/", len(result["figures"]), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
