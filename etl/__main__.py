"""CLI: `python -m etl [--raw-dir DIR] [--out DIR]` builds data/processed from the raw files."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from config import PROCESSED_DATA_DIR, raw_dir
from errors import InputError
from etl.pipeline import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description=__doc__)
    parser.add_argument("--raw-dir", help="raw data directory (default: $RAW_DIR or ../shared/data/raw)")
    parser.add_argument("--out", default=str(PROCESSED_DATA_DIR), help="output directory (default: data/processed)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    parser.add_argument("--accept-row-drop", action="store_true",
                        help="accept input files with far fewer rows than the previous run read")
    args = parser.parse_args(argv)
    try:
        report = run(raw_dir(args.raw_dir), Path(args.out), quiet=args.quiet, accept_row_drop=args.accept_row_drop)
    except InputError as exc:
        print(f"etl: error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print("\n".join(report.lines()))
        print(f"wrote {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
