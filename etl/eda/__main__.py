"""Command line of the EDA: `python -m etl.eda [--catalog NAME|all] [--processed-dir DIR] [--out DIR] [--quiet]`.

Progress goes to the log (and a progress bar over the figures); bad input ends with one line and exit status 2.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from catalog import CATALOGS
from config import PROCESSED_DATA_DIR, REPORTS_DIR
from errors import InputError
from etl.eda.build import run
from etl.eda.words import number

ALL = "all"
log = logging.getLogger("etl.eda")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    names = [spec.name for spec in CATALOGS]
    parser = argparse.ArgumentParser(prog="python -m etl.eda",
                                     description="Exploratory data analysis of the ETL's output: figures, "
                                                 "eda.json (the statistics) and eda.md (the report), per catalog.")
    parser.add_argument("--catalog", choices=[*names, ALL], default=ALL,
                        help=f"which catalog to analyse: {', '.join(names)} or {ALL} (default: {ALL}, and the "
                             "catalogs side by side)")
    parser.add_argument("--processed-dir", type=Path, default=PROCESSED_DATA_DIR,
                        help="the ETL's output directory, one folder per catalog (default: data/processed)")
    parser.add_argument("--out", type=Path, default=REPORTS_DIR,
                        help="output directory; each catalog goes to OUT/<name>/ (default: reports/)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    args = parser.parse_args(argv)
    args.names = names if args.catalog == ALL else [args.catalog]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="eda: %(message)s")
    try:
        results = run(args.processed_dir, args.out, args.names, quiet=args.quiet)
    except InputError as exc:
        print(f"eda: error: {exc}", file=sys.stderr)
        return 2
    for name, result in results.items():
        s = result["numbers"]["item_signal"]
        log.info("%s: per-item mean std %.4f vs shuffled %.4f; split-half r items %s, users %s", name,
                 s["title_mean_std"], s["title_mean_std_shuffled_mean"], number(s["split_half_r_titles"], ".3f"),
                 number(s["split_half_r_users"], ".3f"))
        log.info("wrote %d figures, eda.md and eda.json to %s/", len(result["figures"]), args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
