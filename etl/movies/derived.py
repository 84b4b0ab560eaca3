"""The movies beyond the raw rows, completed from `derived/` (one named source per field), and the agreement of
every such field with the raw rows where both hold the same movie.

Each derived file is cleaned by the rules of the raw file: a row whose id is not a whole number (the shifted rows,
ids "1997-08-20", "2012-09-29", "2014-01-01") and every later row of a duplicate id go to quarantine. Values are
normalized to the catalog's form (the same functions for both sides of the agreement), e.g. the genre names that
mainak97 joins with spaces are split with the known genre list ("Science Fiction", "TV Movie").
"""
from __future__ import annotations

import csv
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from errors import InputError
from etl.io import check_file, require_columns
from etl.movies import columns as C
from etl.movies.metadata import (
    DATE_RE,
    ID_RE,
    as_poster,
    changed,
    collapse_whitespace,
    duplicate_values,
    row_values,
    valid_dates,
)
from etl.report import Report

log = logging.getLogger(__name__)

AGREEMENT_MIN = 0.99
ROW = "_row"   # a derived row's 1-based number in its file, for the quarantine
# TMDB's movie genres; names seen in the raw literals are added to these at run time.
TMDB_GENRES = ("Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family", "Fantasy",
               "Foreign", "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction", "TV Movie",
               "Thriller", "War", "Western")
# Endings of company names that a ", " split would cut off ("Walt Disney Productions, Inc.").
COMPANY_SUFFIX_RE = re.compile(r"(?i)^(?:inc|ltd|llc|l\.l\.c|co|corp|s\.a|s\.l|s\.r\.l|gmbh|plc|a\.g|ag|kg|"
                               r"pty|bv|b\.v|n\.v|sa|srl|spa|s\.p\.a|s\.a\.s|sas|lp|l\.p|jr)\.?$")

# Fields below 99% agreement whose cause is known: the measured figure is reported beside the cause. (None on the
# real files today: every field agrees on >= 99.9%.)
EXPLAINED: dict[str, str] = {}
# Known causes of the small disagreements above 99%, written beside the figure in agreement.csv.
NOTES: dict[str, str] = {
    C.COMPANIES: "derived/ joins names with ', ' and TMDB also has a company named 'Columbia Pictures Corporation, "
                 "Rastar Pictures': where both companies are listed, the split by known names merges them",
}


def read_text_csv(path: Path) -> pd.DataFrame:
    """A machine-written CSV with every column as text (None for empty), read by Arrow's parallel reader."""
    check_file(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), None)
        if not header:
            raise InputError(f"{path}: no header line")
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(
                                   column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=True))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (pa.ArrowException, csv.Error) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"{path}: unreadable CSV ({message})") from None
    if table.num_rows == 0:
        raise InputError(f"{path}: file has a header but no rows")
    return table.to_pandas()


def read_derived(raw_dir: Path, name: str, columns: list[str], report: Report, unique: bool = True) -> pd.DataFrame:
    """A derived file with its id column as int64 `id`; shifted rows and repeated ids quarantined."""
    path = raw_dir / C.SUBDIR / name
    df = read_text_csv(path)
    id_col = C.ID_COLUMNS.get(name, "id")
    require_columns(path, df.columns, [id_col, *columns])
    df = df[[id_col, *columns]].rename(columns={id_col: "_id"}).reset_index(drop=True)
    file = f"{C.SUBDIR}/{name}"
    ids = df["_id"].fillna("").str.strip()
    ok = ids.str.fullmatch(ID_RE)
    for reason, mask in (("row shifted by a column (in the source): a date in the id column",
                          ~ok & ids.str.fullmatch(DATE_RE)),
                         ("id is not a whole number", ~ok & ~ids.str.fullmatch(DATE_RE))):
        if mask.any():
            report.quarantine(file, df.index[mask] + 1, reason, row_values(df, df.index[mask]))
    out = df[ok].copy()
    out[C.ID] = ids[ok].astype("int64")
    out[ROW] = out.index + 1
    out = out.drop(columns="_id")
    if unique:
        dup = out[C.ID].duplicated()
        if dup.any():
            report.quarantine(file, out.index[dup] + 1, "duplicate id: the first row is kept",
                              duplicate_values(df.loc[out.index], out[C.ID], out.index[dup]))
        out = out[~dup]
    else:
        dup = out.duplicated()
        report.add_fix(file, ",".join(columns), "repeated row (same movie and value) removed", int(dup.sum()))
        out = out[~dup]
    report.add_file(file, len(df), len(out))
    return out.reset_index(drop=True)


# ---- normalizers: derived text -> catalog value --------------------------------------------------------------

def as_text(values: pd.Series) -> pd.Series:
    return collapse_whitespace(values)


def as_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def as_money(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").fillna(0).round().astype("int64")


def as_count(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def as_code(values: pd.Series) -> pd.Series:
    text = values.str.strip().str.lower()
    return text.where(text.str.fullmatch(r"[a-z]{2}"), None)


def as_date(values: pd.Series) -> pd.Series:
    text = values.str.strip()
    return text.where(valid_dates(text), None)


def as_codes(values: pd.Series) -> pd.Series:
    return pd.Series([[c.strip().upper() for c in v.split(",") if c.strip()] if isinstance(v, str) else []
                      for v in values], index=values.index, dtype=object)


def longest_known(parts: list[str], start: int, sep: str, known: set[str], longest: int,
                  shortest: int) -> tuple[str | None, int]:
    """The longest name in `known` made of parts[start:start + n] joined by `sep` (n from `longest` down to
    `shortest`) and its n; (None, 1) when there is none."""
    for n in range(min(longest, len(parts) - start), shortest - 1, -1):
        name = sep.join(parts[start:start + n])
        if name in known:
            return name, n
    return None, 1


class GenreSplitter:
    """Space-joined genre names -> the list, split with the known names (longest first)."""

    def __init__(self, known: set[str]):
        self.known = known
        self.longest = max(len(k.split()) for k in known)
        self.with_unknown: set[str] = set()   # texts holding a word outside the known names

    def __call__(self, text: str | None) -> list[str]:
        words = text.split() if isinstance(text, str) else []
        out, i = [], 0
        while i < len(words):
            name, n = longest_known(words, i, " ", self.known, self.longest, shortest=1)
            if name:
                out.append(name)
            else:
                self.with_unknown.add(text)
            i += n
        return out


class CompanySplitter:
    """", "-joined company names -> the list; parts of one name that hold ", " are put back together, by the
    names known from the raw literals and by company-form endings ("Inc.", "Ltd.", "S.A.")."""

    def __init__(self, known: set[str]):
        self.known = {k for k in known if ", " in k}
        self.longest = max((k.count(", ") + 1 for k in self.known), default=1)

    def __call__(self, text: str | None) -> list[str]:
        if not isinstance(text, str) or not text.strip():
            return []
        parts = [p.strip() for p in text.split(", ")]
        out, i = [], 0
        while i < len(parts):
            name, n = longest_known(parts, i, ", ", self.known, self.longest, shortest=2)
            if name:
                out.append(name)
            elif out and COMPANY_SUFFIX_RE.match(parts[i]):
                out[-1] = f"{out[-1]}, {parts[i]}"
            elif parts[i]:
                out.append(parts[i])
            i += n
        return out


def split_each(values: pd.Series, split: Callable[[str | None], list[str]]) -> pd.Series:
    """`split` applied to each text, once per distinct text (the lists are not shared between rows)."""
    texts = values.to_numpy(dtype=object, na_value=None)
    memo = {t: split(t) for t in dict.fromkeys(texts.tolist())}
    return pd.Series([list(memo[t]) for t in texts], index=values.index, dtype=object)


def equal(a, b) -> bool:
    """Equality of two catalog values, where two missing values agree and floats agree to 1e-6 relative."""
    a_missing = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    b_missing = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if a_missing or b_missing:
        return a_missing and b_missing
    if isinstance(a, list | tuple | np.ndarray) or isinstance(b, list | tuple | np.ndarray):
        return list(a) == list(b)
    if isinstance(a, float | np.floating) or isinstance(b, float | np.floating):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
    return a == b


@dataclass
class Source:
    """One field's derived source, its values normalized to the catalog's form, by id."""
    field: str
    file: str
    column: str
    values: pd.Series          # index: id


def load_sources(raw_dir: Path, raw: pd.DataFrame, report: Report) -> tuple[list[Source], pd.DataFrame]:
    """Every field's derived values (C.FIELD_SOURCES, then the overview chain), each file read once; the spine."""
    wanted: dict[str, list[str]] = {}
    for file, column in [*C.FIELD_SOURCES.values(), *C.OVERVIEW_SOURCES]:
        wanted.setdefault(file, []).append(column)
    if C.SPINE not in wanted:
        wanted[C.SPINE] = []
    frames = {file: read_derived(raw_dir, file, sorted(set(cols)), report) for file, cols in wanted.items()}

    known_genres = set(TMDB_GENRES) | {g for gs in raw[C.GENRES] for g in gs}
    known_companies = {c for cs in raw[C.COMPANIES] for c in cs}
    genres = GenreSplitter(known_genres)
    companies = CompanySplitter(known_companies)
    normalizers: dict[str, Callable[[pd.Series], pd.Series]] = {
        C.TITLE: as_text, C.RELEASE_DATE: as_date, C.BUDGET: as_money, C.REVENUE: as_money,
        C.POPULARITY: as_float, C.VOTE_AVERAGE: as_float, C.VOTE_COUNT: as_count, C.RUNTIME: as_float,
        C.LANGUAGE: as_code, C.COUNTRIES: as_codes, C.COLLECTION: as_text,
        C.COMPANIES: lambda v: split_each(v, companies),
        C.GENRES: lambda v: split_each(v, genres),
        C.POSTER_PATH: as_poster,
    }
    normalizers[C.OVERVIEW] = as_text
    sources = []
    for field, (file, column) in [*C.FIELD_SOURCES.items(), *((C.OVERVIEW, s) for s in C.OVERVIEW_SOURCES)]:
        frame = frames[file]
        values = normalizers[field](frame[column])
        normalizer = normalizers[field]
        if normalizer in (as_float, as_money, as_count):
            text = frame[column].str.strip()
            report.add_fix(f"{C.SUBDIR}/{file}", column, "text where a number should be: treated as missing"
                           + (" (0)" if normalizer is as_money else ""),
                           int((text.notna() & (text != "") & pd.to_numeric(text, errors="coerce").isna()).sum()))
        elif normalizer in (as_date, as_code):
            text = frame[column].str.strip()
            report.add_fix(f"{C.SUBDIR}/{file}", column, "not a YYYY-MM-DD date: treated as missing" if normalizer
                           is as_date else "not a two-letter code: treated as missing",
                           int((text.notna() & (text != "") & values.isna()).sum()))
        if normalizer is as_text:
            report.add_fix(f"{C.SUBDIR}/{file}", column, "whitespace collapsed (embedded newlines, tabs, repeated or "
                           "edge spaces)", changed(frame[column], values))
        values.index = frame[C.ID].to_numpy()
        sources.append(Source(field, file, column, values))
    genre_texts = frames[C.D_GENRES][C.FIELD_SOURCES[C.GENRES][1]]
    report.add_fix(f"{C.SUBDIR}/{C.D_GENRES}", "genres", "word(s) outside the known genre names dropped",
                   int(genre_texts.isin(list(genres.with_unknown)).sum()))
    return sources, frames[C.SPINE]


def fill(ids: np.ndarray, sources: list[Source], report: Report) -> pd.Series:
    """One field for `ids`: the first of its sources (in order) that has a value; the count per source reported."""
    field = sources[0].field
    values = pd.Series([None] * len(ids), index=ids, dtype=object)
    missing = pd.Series(True, index=ids)
    for source in sources:
        got = source.values[~source.values.index.duplicated()].reindex(ids)
        present = ([isinstance(v, list) and bool(v) for v in got] if field in C.LIST_FIELDS else got.notna())
        use = missing & np.asarray(present, dtype=bool)
        values[use] = got[use]
        missing &= ~use
        report.summary.setdefault("sources", {}).setdefault(field, {})[f"{C.SUBDIR}/{source.file}"] = int(use.sum())
    return values


def complete(raw_ids: set[int], spine: pd.DataFrame, sources: list[Source], report: Report) -> pd.DataFrame:
    """The movies of the spine that the raw file does not hold, every field from its source."""
    file = f"{C.SUBDIR}/{C.SPINE}"
    rest = spine.loc[~spine[C.ID].isin(raw_ids), [C.ID, ROW]].reset_index(drop=True)
    ids = rest[C.ID].to_numpy()
    out = pd.DataFrame({C.ID: ids})
    by_field: dict[str, list[Source]] = {}
    for source in sources:
        by_field.setdefault(source.field, []).append(source)
    for field, chain in by_field.items():
        values = fill(ids, chain, report)
        if field in (C.GENRES, C.COMPANIES, C.COUNTRIES):
            values = values.map(lambda v: v if isinstance(v, list) else [])
        elif field in (C.BUDGET, C.REVENUE):
            report.add_fix(f"{C.SUBDIR}/{chain[0].file}", field, "missing: set to 0", int(values.isna().sum()))
            values = values.fillna(0).astype("int64")
        elif field == C.VOTE_COUNT:
            values = values.astype("Int64")
        elif field in (C.POPULARITY, C.VOTE_AVERAGE, C.RUNTIME):
            values = values.astype("float64")
        out[field] = values.to_numpy()
    no_date = out[C.RELEASE_DATE].isna()
    if no_date.any():
        report.quarantine(file, rest.loc[no_date, ROW], "no valid release_date (YYYY-MM-DD): row dropped",
                          [f"id={i}, {C.RELEASE_DATE}={d}" for i, d in zip(
                              out.loc[no_date, C.ID], spine.set_index(C.ID).loc[out.loc[no_date, C.ID], "release_date"],
                              strict=True)])
    out = out[~no_date].reset_index(drop=True)
    out[C.RELEASE_YEAR] = out[C.RELEASE_DATE].str[:4].astype("int64")
    out[C.SPOKEN] = [[] for _ in range(len(out))]
    out[C.STATUS] = None
    out[C.ROW_SOURCE] = "derived"
    return out


def agreement(raw: pd.DataFrame, sources: list[Source]) -> pd.DataFrame:
    """Per field, on the movies both the raw rows and the derived source hold: how many values are equal."""
    raw_by_id = raw.set_index(C.ID)
    rows = []
    for source in sources:
        field = source.field
        common = raw_by_id.index.intersection(source.values.index)
        a, b = raw_by_id.loc[common, field].tolist(), source.values.loc[common].tolist()
        agree = sum(equal(x, y) for x, y in zip(a, b, strict=True))
        rows.append((field, f"{C.SUBDIR}/{source.file}", source.column, len(common), agree))
    table = pd.DataFrame(rows, columns=["field", "source", "column", "compared", "agree"])
    table["share"] = (table["agree"] / table["compared"].where(table["compared"] > 0)).round(6)
    return table


def judge(table: pd.DataFrame, explained: dict[str, str] | None = None) -> pd.DataFrame:
    """Each field's status: ok (>= 99%), or the known cause, or an InputError naming the field."""
    explained = EXPLAINED if explained is None else explained
    status = []
    for row in table.itertuples():
        if row.compared == 0 or row.share >= AGREEMENT_MIN:
            status.append("ok")
        elif row.field in explained:
            status.append("explained: " + explained[row.field])
        else:
            raise InputError(f"field {row.field!r} from {row.source} agrees with the raw rows on only "
                             f"{row.share:.2%} of {row.compared:,} movies (< {AGREEMENT_MIN:.0%}, no known cause)")
    notes = [NOTES.get(f, "") if s == "ok" and share < 1 else "" for f, s, share in
             zip(table["field"], status, table["share"].fillna(1), strict=True)]
    return table.assign(status=status, note=notes)
