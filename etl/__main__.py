"""CLI: `python -m etl [--catalog NAME|all] [--raw-dir DIR] [--out DIR]` builds each catalog's clean tables.

Each declared catalog (catalog.CATALOGS) has its ETL stage in etl/<name>/ (pipeline.run) and writes into
OUT/<name>/. `--catalog all` (the default) builds every catalog in turn; one whose raw folder is missing is
skipped with a note, while naming that catalog requires it.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path
from types import ModuleType

from catalog import CATALOGS
from config import PROCESSED_DATA_DIR
from errors import InputError
from settings import raw_dir

ALL = "all"
ENGINES = ("local", "spark")


def stage(name: str) -> ModuleType:
    """The catalog's ETL stage: etl/<name>/pipeline.py (run, lines, RAW_SUBDIR)."""
    return importlib.import_module(f"etl.{name}.pipeline")


def main(argv: list[str] | None = None) -> int:
    names = [spec.name for spec in CATALOGS]
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--raw-dir", help="raw data directory (default: $RAW_DIR or ../shared/data/raw)")
    parser.add_argument("--out", default=str(PROCESSED_DATA_DIR),
                        help="output directory; each catalog goes to OUT/<name>/ (default: data/processed)")
    parser.add_argument("--catalog", choices=[*names, ALL], default=ALL,
                        help=f"which catalog to build: {', '.join(names)} or {ALL} (default: {ALL}, each in turn)")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="the ratings stage of the catalogs that offer Spark: local (pyarrow and numpy, "
                             "default) or spark (pyspark, the same tables)")
    parser.add_argument("--master", default="local[*]",
                        help="Spark master for --engine spark: local[*] (default), local[N], spark://host:7077, yarn")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.add_argument("--accept-row-drop", action="store_true",
                        help="accept input files with far fewer rows than the previous run read")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    out = Path(args.out)
    chosen = names if args.catalog == ALL else [args.catalog]
    notes = []  # said after the run: a failed run's one line is its error
    try:
        raw = raw_dir(args.raw_dir)
        if args.engine == "spark":
            check_spark(args.master)
        stages = {name: stage(name) for name in chosen}
        if args.catalog == ALL and raw.is_dir():
            missing = [name for name, module in stages.items() if not (raw / module.RAW_SUBDIR).is_dir()]
            if len(missing) == len(stages):
                raise InputError(f"{raw}: no catalog's raw folder in it (expected one of "
                                 f"{', '.join(m.RAW_SUBDIR for m in stages.values())}); set --raw-dir or RAW_DIR")
            notes += [f"etl: note: {raw / stages.pop(name).RAW_SUBDIR} not found: {name} catalog not built"
                      for name in missing]
        for name, module in stages.items():
            report = module.run(raw, out / name, quiet=args.quiet, accept_row_drop=args.accept_row_drop,
                                engine=args.engine, master=args.master)
            if not args.quiet:
                print("\n".join(module.lines(report)))
                print(f"wrote {out / name}/")
    except InputError as exc:
        print(f"etl: error: {exc}", file=sys.stderr)
        return 2
    if notes:
        print("\n".join(notes), file=sys.stderr)
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
