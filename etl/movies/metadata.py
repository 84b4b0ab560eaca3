"""Raw movies_metadata rows -> clean catalog rows; every faulty row quarantined with its reason, every fix counted.

The same code reads the 5,000-row head and the full file. The file is refused (InputError) when it looks cut off:
no final newline, or a quoted field left open. Checks per record, in order (a row fails at its first fault):
0. the record has as many fields as the header (a line break in an overview splits a row into two short records
   in the full file; pandas would pad them silently);
1. the id is a whole number (a date there, "1997-08-20", marks a row shifted by a column);
2. budget, revenue, popularity, runtime, vote_average, vote_count are numbers where present (text there is the
   other sign of a shifted row);
3. the nested literals parse and have the expected shape (a malformed literal means the row's columns cannot be
   trusted, so the row goes, not just the field);
4. release_date is a real YYYY-MM-DD date (rows without one are dropped, as the brief asks, and counted);
5. the id is not already taken by an earlier valid row (the first is kept).
Fixes: revenue/budget null -> 0, whitespace (embedded newlines) in the text fields collapsed, return computed.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from errors import InputError
from etl.io import check_file, require_columns
from etl.movies import columns as C
from etl.movies.literals import LiteralError, names, record_name
from etl.movies.names import country_name, language_name
from etl.report import Report

log = logging.getLogger(__name__)

ID_RE = r"\d{1,9}"
DATE_RE = r"\d{4}-\d{2}-\d{2}"
NUMBER_RE = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
NUMERIC_COLUMNS = ("budget", "revenue", "popularity", "runtime", "vote_average", "vote_count")
TEXT_COLUMNS = ("title", "overview")
# A TMDB image path as the data gives it; anything else (a URL, text, a bare "/") is no poster: the app builds the
# image's address from it, so only a plain file name is let through.
POSTER_RE = r"/[A-Za-z0-9_-]{1,64}\.(?:jpg|jpeg|png)"
MAX_VALUES_CHARS = 4000     # of a quarantined row's values written to quarantine.csv


def read_records(path: Path) -> tuple[pd.DataFrame, list[int]]:
    """Every record as text (None for empty) and its number of fields; short records are padded, long ones cut,
    for the caller to quarantine. InputError for a file that looks cut off or is not UTF-8 CSV."""
    check_file(path)
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        raise InputError(f"{path}: ends in the middle of a row (no final newline); the file looks cut off")
    if data.count(b'"') % 2:
        raise InputError(f"{path}: a quoted field is not closed; the file looks cut off")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    except csv.Error as exc:
        raise InputError(f"{path}: unreadable CSV ({exc})") from None
    if not records:
        raise InputError(f"{path}: file is empty")
    header, rows = records[0], records[1:]
    if not rows:
        raise InputError(f"{path}: file has a header but no rows")
    n = len(header)
    counts = [len(r) for r in rows]
    cells = [[v if v != "" else None for v in (r if len(r) == n else (r + [""] * n)[:n])] for r in rows]
    return pd.DataFrame(cells, columns=header, dtype=object), counts


def metadata_path(raw_dir: Path) -> Path:
    """The full movies_metadata.csv when it is there, else the 5,000-row head."""
    folder = raw_dir / C.SUBDIR
    for name in C.METADATA_FILES:
        if (folder / name).exists():
            return folder / name
    raise InputError(f"{folder}: no {' or '.join(C.METADATA_FILES)}")


def row_values(df: pd.DataFrame, rows) -> list[str]:
    """The raw rows as JSON text (their non-empty fields), for the quarantine file."""
    out = []
    for record in df.loc[rows].to_dict("records"):
        text = json.dumps({k: v for k, v in record.items() if isinstance(v, str)}, ensure_ascii=False)
        out.append(text if len(text) <= MAX_VALUES_CHARS else text[:MAX_VALUES_CHARS] + "...")
    return out


def duplicate_values(df: pd.DataFrame, ids: pd.Series, rows) -> list[str]:
    """A repeated id's row for the quarantine, prefixed by how it differs from the first row of that id."""
    first = {}
    for i, key in zip(df.index, ids, strict=True):
        first.setdefault(key, i)
    out = []
    for row, text in zip(rows, row_values(df, rows), strict=True):
        a, b = df.loc[first[ids.at[row]]], df.loc[row]
        differs = [c for c in df.columns if not (a[c] == b[c] or (pd.isna(a[c]) and pd.isna(b[c])))]
        out.append(f"differs from row {first[ids.at[row]] + 1} in: {', '.join(differs)} | {text}" if differs
                   else f"identical to row {first[ids.at[row]] + 1} | {text}")
    return out


def collapse_whitespace(values: pd.Series) -> pd.Series:
    """Runs of whitespace (newlines, tabs, spaces) -> one space, edges trimmed; empty -> None."""
    out = [(" ".join(v.split()) or None) if isinstance(v, str) else None for v in values.tolist()]
    return pd.Series(out, index=values.index, dtype=object)


def changed(before: pd.Series, after: pd.Series) -> int:
    b, a = before.astype(object), after.astype(object)
    return int(((b.isna() != a.isna()) | (b.notna() & a.notna() & (b != a))).sum())


def valid_dates(values: pd.Series) -> pd.Series:
    """True where the text is a real calendar date YYYY-MM-DD."""
    text = values.fillna("").str.strip()
    shaped = text.str.fullmatch(DATE_RE)
    parsed = pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")
    return shaped & parsed.notna()


def _parse_literals(df: pd.DataFrame) -> tuple[dict[str, list], pd.Series]:
    """Each literal column parsed to its clean value; the reason of the first malformed literal per row."""
    parsed: dict[str, list] = {c: [None] * len(df) for c in C.LITERAL_COLUMNS}
    reasons = [None] * len(df)
    specs = {
        C.RAW_COLLECTION: record_name,
        C.RAW_GENRES: names,
        C.RAW_COMPANIES: names,
        C.RAW_COUNTRIES: lambda t: names(t, "iso_3166_1"),
        C.RAW_SPOKEN: lambda t: names(t, "iso_639_1"),
    }
    for column, parse in specs.items():
        values = df[column].tolist()
        out = parsed[column]
        for i, text in enumerate(values):
            if reasons[i] is not None:
                continue
            try:
                out[i] = parse(text if isinstance(text, str) else None)
            except LiteralError as exc:
                reasons[i] = f"malformed {column} literal: {exc}"
    return parsed, pd.Series(reasons, index=df.index, dtype=object)


def _quarantine(df, mask, file, reason, report, bad) -> None:
    rows = df.index[mask & ~bad]
    if len(rows):
        report.quarantine(file, rows + 1, reason, row_values(df, rows))
    bad |= mask


def clean_metadata(raw_dir: Path, report: Report) -> tuple[pd.DataFrame, set[int], str]:
    """The clean raw rows (catalog columns, without directors/cast), the ids the raw file holds, its name."""
    path = metadata_path(raw_dir)
    file = f"{C.SUBDIR}/{path.name}"
    log.info("reading %s", path)
    df, field_counts = read_records(path)
    require_columns(path, df.columns, C.RAW_REQUIRED)
    n_in = len(df)
    bad = pd.Series(False, index=df.index)

    counts = pd.Series(field_counts, index=df.index)
    width = len(df.columns)
    for count in sorted(counts[counts != width].unique()):
        kind = "short" if count < width else "long"
        _quarantine(df, counts == count, file, f"{kind} record: {count} fields, the header has {width} (a row split "
                    "or joined by a stray line break or quote)", report, bad)

    ids = df["id"].fillna("").str.strip()
    id_ok = ids.str.fullmatch(ID_RE)
    is_date = ids.str.fullmatch(DATE_RE)
    _quarantine(df, ~id_ok & is_date, file, "row shifted by a column: a date in the id column", report, bad)
    _quarantine(df, ~id_ok, file, "id is not a whole number", report, bad)
    seen_ids = set(ids[id_ok].astype(int))

    for column in NUMERIC_COLUMNS:
        text = df[column].fillna("").str.strip()
        wrong = (text != "") & ~text.str.fullmatch(NUMBER_RE)
        _quarantine(df, wrong, file, f"row shifted by a column: text in {column}, which holds numbers", report, bad)

    parsed, literal_reasons = _parse_literals(df.where(~bad, None))
    for reason in literal_reasons.dropna().unique():
        _quarantine(df, literal_reasons == reason, file, reason, report, bad)

    _quarantine(df, ~valid_dates(df["release_date"]), file, "no valid release_date (YYYY-MM-DD): row dropped",
                report, bad)
    valid_ids = ids.where(~bad)
    duplicate = valid_ids.duplicated() & ~bad
    if duplicate.any():
        kept = df[~bad]
        rows = df.index[duplicate]
        report.quarantine(file, rows + 1, "duplicate id: the first valid row is kept",
                          duplicate_values(kept, ids[~bad], rows))
        bad |= duplicate

    keep = ~bad
    out = pd.DataFrame({C.ID: ids[keep].astype("int64")})
    for column in TEXT_COLUMNS:
        before = df.loc[keep, column]
        after = collapse_whitespace(before)
        report.add_fix(file, column, "whitespace collapsed (embedded newlines, tabs, repeated or edge spaces)",
                       changed(before, after))
        out[column] = after
    out[C.RELEASE_DATE] = df.loc[keep, "release_date"].str.strip()
    out[C.RELEASE_YEAR] = out[C.RELEASE_DATE].str[:4].astype("int64")
    for column in (C.BUDGET, C.REVENUE):
        values = pd.to_numeric(df.loc[keep, column], errors="raise")
        report.add_fix(file, column, "missing: set to 0", int(values.isna().sum()))
        out[column] = values.fillna(0).round().astype("int64")
    out[C.RUNTIME] = pd.to_numeric(df.loc[keep, "runtime"], errors="raise").astype("float64")
    out[C.POPULARITY] = pd.to_numeric(df.loc[keep, "popularity"], errors="raise").astype("float64")
    out[C.VOTE_AVERAGE] = pd.to_numeric(df.loc[keep, "vote_average"], errors="raise").astype("float64")
    out[C.VOTE_COUNT] = pd.to_numeric(df.loc[keep, "vote_count"], errors="raise").round().astype("Int64")
    out[C.LANGUAGE] = df.loc[keep, "original_language"].str.strip().str.lower().replace("", None)
    out[C.STATUS] = df.loc[keep, "status"].str.strip()
    rows = np.flatnonzero(keep.to_numpy())
    out[C.COLLECTION] = [parsed[C.RAW_COLLECTION][i] for i in rows]
    out[C.GENRES] = [parsed[C.RAW_GENRES][i] for i in rows]
    out[C.COMPANIES] = [parsed[C.RAW_COMPANIES][i] for i in rows]
    out[C.COUNTRIES] = [[c.upper() for c in parsed[C.RAW_COUNTRIES][i]] for i in rows]
    out[C.SPOKEN] = [[c.lower() for c in parsed[C.RAW_SPOKEN][i]] for i in rows]
    out[C.ROW_SOURCE] = "raw"
    posters = df.loc[keep, C.POSTER_PATH] if C.POSTER_PATH in df.columns else pd.Series(None, index=out.index)
    out[C.POSTER_PATH] = as_poster(posters)
    report.add_fix(file, C.POSTER_PATH, "not a TMDB image path (/name.jpg): no poster",
                   int((posters.notna() & (posters.str.strip() != "") & out[C.POSTER_PATH].isna()).sum()))
    out = out.reset_index(drop=True)
    add_return(out, file, report)
    report.add_fix(file, ",".join(C.DROPPED_COLUMNS), "columns dropped (as the brief asks)", n_in)
    report.add_file(file, n_in, len(out))
    return out, seen_ids, file


def as_poster(values: pd.Series) -> pd.Series:
    """TMDB poster paths, None where a value is missing or not a plain image path (POSTER_RE)."""
    text = values.astype(object).where(values.notna(), None).map(lambda v: v.strip() if isinstance(v, str) else None)
    return text.where(text.map(lambda v: isinstance(v, str) and re.fullmatch(POSTER_RE, v) is not None), None)


def add_return(out: pd.DataFrame, file: str, report: Report) -> None:
    """return = revenue / budget; 0 where the budget is 0 (or was missing)."""
    budget, revenue = out[C.BUDGET].to_numpy("float64"), out[C.REVENUE].to_numpy("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out[C.RETURN] = np.where(budget > 0, revenue / np.where(budget > 0, budget, 1), 0.0)
    report.add_fix(file, C.RETURN, "budget 0 or missing: return set to 0", int((budget <= 0).sum()))


def add_names(movies: pd.DataFrame, report: Report) -> None:
    """English names of the original language and of the production countries (see names.py)."""
    movies[C.LANGUAGE_NAME] = movies[C.LANGUAGE].map(language_name)
    unnamed = movies.loc[movies[C.LANGUAGE].notna() & movies[C.LANGUAGE_NAME].isna(), C.LANGUAGE]
    report.add_fix("catalog", C.LANGUAGE_NAME, "code without an English name (kept, name left empty): "
                   + ", ".join(sorted(unnamed.unique())), len(unnamed))
    movies[C.COUNTRY_NAMES] = [[country_name(c) or c for c in codes] for codes in movies[C.COUNTRIES]]
    unknown = sorted({c for codes in movies[C.COUNTRIES] for c in codes if country_name(c) is None})
    report.add_fix("catalog", C.COUNTRY_NAMES, "country code without a name (the code is kept as its name): "
                   + ", ".join(unknown), len(unknown))


