"""Project paths, column names and shared constants: the one place every stage looks things up.

Environment variables are read in settings.py only; the paths here are their defaults.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parent

# Raw inputs are never copied into the project: they are read from RAW_DIR, by default ../shared/data/raw.
DEFAULT_RAW_DIR = PROJ_ROOT.parent / "shared" / "data" / "raw"
DATA_DIR = PROJ_ROOT / "data"
PROCESSED_DATA_DIR = DATA_DIR / "processed"
ARTIFACTS_DIR = PROJ_ROOT / "artifacts"
REPORTS_DIR = PROJ_ROOT / "reports"

TITLES_FILE = "titles.parquet"
RATINGS_FILE = "ratings.parquet"
ETL_REPORT_FILE = "etl_report.json"
QUARANTINE_FILE = "quarantine.csv"

# Ratings columns (the names the raw files use).
COL_USER = "userId"
COL_ITEM = "movieId"
COL_RATING = "rating"
COL_TIMESTAMP = "timestamp"

# Catalog columns added by the ETL.
COL_ID = "id"
COL_PLATFORM = "platform"
COL_SCORE = "score"
COL_N_RATINGS = "n_ratings"

RATING_MIN, RATING_MAX = 0.5, 5.0
DEFAULT_THRESHOLD = 3.5
SEED = 42

# platform key -> (id prefix, raw file name, display name)
PLATFORMS = {
    "amazon": ("a", "amazon_prime_titles.csv", "Amazon Prime Video"),
    "disney": ("d", "disney_plus_titles.csv", "Disney+"),
    "hulu": ("h", "hulu_titles.csv", "Hulu"),
    "netflix": ("n", "netflix_titles.csv", "Netflix"),
}


def raw_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """The raw-data directory: the CLI option wins, then RAW_DIR, then ../shared/data/raw."""
    if cli_value:
        return Path(cli_value)
    from settings import load_settings  # settings imports this module's defaults

    return load_settings().raw_dir
