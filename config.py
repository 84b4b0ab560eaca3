"""Project paths, column names and shared constants: the one place every stage looks things up.

A leaf: it imports nothing of the project. Environment variables are read in settings.py only; the paths here are
their defaults. Each catalog's tables live in PROCESSED_DATA_DIR/<its name>/ (the name its declaration gives).
"""
from __future__ import annotations

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

