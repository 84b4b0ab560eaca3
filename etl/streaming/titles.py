"""The four platform catalogs -> one clean titles table (one row per title, id = platform initial + show_id)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from config import COL_ID, COL_PLATFORM, PLATFORMS
from errors import InputError
from etl.io import read_csv_text, require_columns
from etl.report import QuarantineLimit, Report

RAW_COLUMNS = ["show_id", "type", "title", "director", "cast", "country", "date_added",
               "release_year", "rating", "duration", "listed_in", "description"]
TEXT_COLUMNS = [c for c in RAW_COLUMNS if c != "release_year"]
LIST_COLUMNS = ["director", "cast", "country", "listed_in"]
DEFAULT_MATURITY_RATING = "G"
# No row of the four real catalogs is quarantined; far more means a cut-off or wrong file.
MAX_QUARANTINED = QuarantineLimit(share=0.001)

# Spellings of one maturity rating that the platforms write differently.
MATURITY_SPELLINGS = {"AGES_18_": "18+", "AGES_16_": "16+", "16": "16+", "ALL_AGES": "ALL",
                      "NOT_RATE": "NR", "NOT RATED": "NR", "UR": "UNRATED"}
# An Amazon genre whose name has commas in it, which would split it into three genres.
GENRES_WITH_COMMAS = {"Arts, Entertainment, and Culture": "Arts & Entertainment & Culture"}
DURATION_RE = re.compile(r"^(\d+)\s*(min|mins|minutes?|seasons?)$", re.IGNORECASE)
# Amazon's catalog holds upload test entries: cast "1" or "1, 2, 3", or test wording in a text field.
PLACEHOLDER_CAST_RE = r"^\d+(?:, ?\d+)*$"
PLACEHOLDER_TITLE_RE = (r"(?i)test title|testing title|curation testing|qa ?test|tombstone_?test|_test_|"
                        r"smoke test|1c test|multiple test \d|onboarding|^movie\d+[a-z]$|^image test$|"
                        r"sslmreg|projectununapproved|primevideoqa")
PLACEHOLDER_VALUE_RE = r"(?i)^(?:test|test title|test movie for upload|test season|clip\d*|\w{1,2})$"
INVISIBLE_CHARS = "[\u200b\u200c\u200d\u2060\ufeff]"
# Hulu rows whose director field holds the description, e.g. 'Director Alex Winter goes inside ...'.
DIRECTOR_IN_SENTENCE_RE = r"^Director ((?:[A-Z][\w.'-]*\s)+)"


def read_platform(raw_dir: Path, platform: str) -> tuple[pd.DataFrame, str]:
    _, file_name, _ = PLATFORMS[platform]
    path = raw_dir / "titles" / file_name
    frame = read_csv_text(path)
    require_columns(path, frame.columns, RAW_COLUMNS)
    return frame[RAW_COLUMNS], f"titles/{file_name}"


def _changed(before: pd.Series, after: pd.Series) -> int:
    """How many cells differ, where a missing value differs from any text."""
    b, a = before.astype(object), after.astype(object)
    both = b.notna() & a.notna()
    return int(((b.isna() != a.isna()) | (both & (b != a))).sum())


def _normalise_whitespace(df: pd.DataFrame, file: str, report: Report) -> None:
    for col in TEXT_COLUMNS:
        before = df[col]
        after = (before.str.replace(INVISIBLE_CHARS, "", regex=True)
                 .str.replace(r"\s+", " ", regex=True).str.strip().replace("", None))
        report.add_fix(file, col, "stray whitespace or invisible characters removed", _changed(before, after))
        df[col] = after


def _flag_placeholders(df: pd.DataFrame, file: str, report: Report) -> None:
    placeholder = df["cast"].fillna("").str.match(PLACEHOLDER_CAST_RE)
    placeholder |= df["title"].fillna("").str.contains(PLACEHOLDER_TITLE_RE)
    df["is_placeholder"] = placeholder
    report.add_fix(file, "*", "placeholder test row (cast like '1', or test wording): kept because ratings refer "
                   "to its id, director/cast/description cleared, flagged is_placeholder", int(placeholder.sum()))
    df.loc[placeholder, ["director", "cast", "description"]] = None
    junk = df["description"].fillna("").str.match(PLACEHOLDER_VALUE_RE)
    df.loc[junk, "description"] = None
    report.add_fix(file, "description", "placeholder value (like 'a', '1' or 'test') cleared", int(junk.sum()))


def _move_misplaced_values(df: pd.DataFrame, file: str, report: Report) -> None:
    duration_in_rating = df["rating"].fillna("").str.match(DURATION_RE.pattern, flags=re.IGNORECASE)
    movable = duration_in_rating & df["duration"].isna()
    df.loc[movable, "duration"] = df.loc[movable, "rating"]
    df.loc[duration_in_rating, "rating"] = None
    report.add_fix(file, "rating", "duration found in the rating column: moved to duration", int(movable.sum()))
    report.add_fix(file, "rating", "duration found in the rating column beside a duration: cleared",
                   int((duration_in_rating & ~movable).sum()))

    copied = df["director"].notna() & (df["director"] == df["description"])
    names = df.loc[copied, "director"].str.extract(DIRECTOR_IN_SENTENCE_RE)[0].str.strip()
    df.loc[copied, "director"] = names
    report.add_fix(file, "director", "description found in the director column: replaced by the director "
                   "named in it", int(names.notna().sum()))
    report.add_fix(file, "director", "description found in the director column: cleared", int(names.isna().sum()))


def _normalise_maturity_rating(df: pd.DataFrame, file: str, report: Report) -> None:
    for spelling, canonical in MATURITY_SPELLINGS.items():
        hit = df["rating"] == spelling
        df.loc[hit, "rating"] = canonical
        report.add_fix(file, "rating", f"maturity rating '{spelling}' spelled '{canonical}'", int(hit.sum()))
    missing = df["rating"].isna()
    df["rating_filled"] = missing  # so that a filled-in 'g' is not read as "for kids"
    df.loc[missing, "rating"] = DEFAULT_MATURITY_RATING
    report.add_fix(file, "rating", f"missing maturity rating set to '{DEFAULT_MATURITY_RATING}'", int(missing.sum()))


def _normalise_lists(df: pd.DataFrame, file: str, report: Report) -> None:
    for label, one_item in GENRES_WITH_COMMAS.items():
        hit = df["listed_in"].fillna("").str.contains(label, regex=False)
        df.loc[hit, "listed_in"] = df.loc[hit, "listed_in"].str.replace(label, one_item, regex=False)
        report.add_fix(file, "listed_in", f"genre '{label}' holds commas: written '{one_item}' so that it stays "
                       "one genre", int(hit.sum()))
    for col in LIST_COLUMNS:
        before = df[col]
        after = before.str.split(",").map(
            lambda parts: ", ".join(p.strip() for p in parts if p.strip()) if isinstance(parts, list) else None
        ).replace("", None)
        report.add_fix(file, col, "empty items or spaces in a comma-separated list removed", _changed(before, after))
        df[col] = after


def _parse_dates(df: pd.DataFrame, file: str, report: Report) -> None:
    parsed = pd.to_datetime(df["date_added"], format="%B %d, %Y", errors="coerce")
    bad = df["date_added"].notna() & parsed.isna()
    report.add_fix(file, "date_added", "unparseable date cleared", int(bad.sum()))
    report.add_fix(file, "date_added", "date written as YYYY-MM-DD", int(parsed.notna().sum()))
    df["date_added"] = parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)


def _split_duration(df: pd.DataFrame, file: str, report: Report) -> None:
    parts = df["duration"].str.extract(DURATION_RE.pattern, flags=re.IGNORECASE)
    df["duration_int"] = pd.to_numeric(parts[0]).astype("Int64")
    unit = parts[1].str.lower()
    df["duration_type"] = np.where(unit.str.startswith("season"), "season",
                                   np.where(unit.str.startswith("min"), "min", None))
    df["duration_type"] = df["duration_type"].astype(object).where(unit.notna(), None)
    zero = df["duration_int"] == 0
    df.loc[zero, "duration_int"] = pd.NA
    report.add_fix(file, "duration", "duration of 0 left out of duration_int (no title runs 0 minutes)",
                   int(zero.sum()))
    unparsed = df["duration"].notna() & parts[0].isna()
    report.add_fix(file, "duration", "unrecognised duration left out of duration_int", int(unparsed.sum()))
    report.add_fix(file, "duration", "'Seasons' and 'Season' both mapped to duration_type 'season'",
                   int((unit == "seasons").sum()))
    season_movie = (df["type"].str.lower() == "movie") & (df["duration_type"] == "season")
    df.loc[season_movie, "type"] = "TV Show"
    report.add_fix(file, "type", "typed Movie but runs in seasons: set to TV Show", int(season_movie.sum()))


def _quarantine_unfixable(df: pd.DataFrame, file: str, report: Report) -> pd.DataFrame:
    year = pd.to_numeric(df["release_year"], errors="coerce")
    reasons = {
        "missing show_id": df["show_id"].isna(),
        "duplicate show_id": df["show_id"].notna() & df["show_id"].duplicated(keep="first"),
        "missing title": df["title"].isna(),
        "release_year is not a whole number": year.isna() | (year % 1 != 0),
    }
    bad = pd.Series(False, index=df.index)
    for reason, mask in reasons.items():
        mask = mask & ~bad
        rows = df.index[mask]
        report.quarantine(file, rows + 1, reason,
                          [f"show_id={s}, title={t}" for s, t in zip(df.loc[rows, "show_id"], df.loc[rows, "title"])])
        bad |= mask
    kept = df[~bad].copy()
    kept["release_year"] = year[~bad].astype("int64")
    return kept


def clean_platform(raw: pd.DataFrame, platform: str, file: str, report: Report) -> pd.DataFrame:
    """One platform's raw catalog -> clean rows; every change is counted in `report`."""
    df = raw.copy()
    _normalise_whitespace(df, file, report)
    df["show_id"] = df["show_id"].str.lower()  # "S1" and "s1" would become the same id
    _flag_placeholders(df, file, report)
    _move_misplaced_values(df, file, report)
    _normalise_maturity_rating(df, file, report)
    _normalise_lists(df, file, report)
    _parse_dates(df, file, report)
    _split_duration(df, file, report)
    df = _quarantine_unfixable(df, file, report)

    lowered = 0
    for col in TEXT_COLUMNS:
        before = df[col]
        df[col] = before.str.lower()
        lowered += _changed(before, df[col])
    report.add_fix(file, "*", "text lower-cased", lowered)

    prefix = PLATFORMS[platform][0]
    df.insert(0, COL_PLATFORM, platform)
    df.insert(0, COL_ID, prefix + df["show_id"])
    report.add_file(file, len(raw), len(df))
    return df


def build_titles(raw_dir: Path, report: Report, progress=None) -> pd.DataFrame:
    """All four catalogs as one table; ids are unique by construction and checked."""
    frames = []
    for platform in PLATFORMS:
        raw, file = read_platform(raw_dir, platform)
        frames.append(clean_platform(raw, platform, file, report))
        if progress is not None:
            progress.update(1)
    titles = pd.concat(frames, ignore_index=True)
    duplicated = titles[COL_ID].duplicated()
    if duplicated.any():  # cannot happen once show_id is unique per file; guards the id rule itself
        raise InputError(f"titles: duplicate ids {titles.loc[duplicated, COL_ID].head().tolist()}")
    for col in TEXT_COLUMNS + [COL_PLATFORM, "duration_type"]:
        titles[col] = titles[col].astype("str")
    for flag in ("is_placeholder", "rating_filled"):
        titles[flag] = titles[flag].astype(bool)
    return titles
