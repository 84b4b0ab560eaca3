"""Ratings files -> one clean ratings table: valid ratings of catalog titles, one row per (user, title)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from config import COL_ITEM, COL_RATING, COL_TIMESTAMP, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.io import read_table
from etl.report import QuarantineLimit, Report

REQUIRED = [COL_USER, COL_ITEM, COL_RATING]
TIMESTAMPED_SUFFIX = "_with_timestamp"
NO_TIMESTAMP = -1
# No real streaming rating is quarantined; many "not a catalog title" rows mean the catalog lost titles.
MAX_QUARANTINED = QuarantineLimit(share=0.001)


@dataclass
class RatingsPart:
    """One input file's valid rows, as arrays ready to combine."""
    users: np.ndarray      # int64
    items: np.ndarray      # int32 index into the catalog ids
    ratings: np.ndarray    # float64
    timestamps: np.ndarray  # int64, NO_TIMESTAMP where unknown


def ratings_files(raw_dir: Path) -> list[Path]:
    """The ratings files to read; `N_with_timestamp.parquet` replaces `N.parquet` (same rows, plus timestamps)."""
    folder = raw_dir / "ratings"
    if not folder.is_dir():
        raise InputError(f"{folder}: ratings directory not found")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".parquet", ".csv") and p.is_file())
    if not files:
        raise InputError(f"{folder}: no ratings files (*.parquet or *.csv)")
    stems = {p.stem for p in files}
    superseded = {p.stem[: -len(TIMESTAMPED_SUFFIX)] for p in files if p.stem.endswith(TIMESTAMPED_SUFFIX)}
    return sorted((p for p in files if p.stem not in superseded or p.stem + TIMESTAMPED_SUFFIX not in stems),
                  key=_natural_order)


def _natural_order(path: Path) -> list:
    """'2.parquet' before '10.parquet'."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def superseded_files(raw_dir: Path, used: list[Path]) -> list[Path]:
    folder = raw_dir / "ratings"
    return sorted(p for p in folder.iterdir() if p.suffix in (".parquet", ".csv") and p not in used)


def read_part(path: Path, catalog_ids: pa.Array, file: str, report: Report) -> RatingsPart:
    """Valid rows of one file; the others go to quarantine with their row number and reason."""
    table = read_table(path, REQUIRED, optional=(COL_TIMESTAMP,))
    try:
        users = table[COL_USER].cast(pa.int64())
        ratings = table[COL_RATING].cast(pa.float64())
        items = table[COL_ITEM].cast(pa.string())
        timestamps = (table[COL_TIMESTAMP].cast(pa.int64()) if COL_TIMESTAMP in table.column_names
                      else pa.nulls(table.num_rows, pa.int64()))
    except pa.ArrowInvalid as exc:
        raise InputError(f"{path}: a column has the wrong type ({str(exc).splitlines()[0]}); expected integer "
                         f"{COL_USER}, numeric {COL_RATING}, text {COL_ITEM}") from None
    codes = pc.index_in(items, value_set=catalog_ids)
    checks = [
        ("missing userId, movieId or rating",
         pc.or_(pc.or_(pc.is_null(users), pc.is_null(ratings)), pc.is_null(items))),
        (f"rating outside {RATING_MIN}-{RATING_MAX}",
         pc.invert(pc.and_(pc.greater_equal(ratings, RATING_MIN), pc.less_equal(ratings, RATING_MAX)))),
        ("movieId is not a catalog title", pc.is_null(codes)),
    ]
    bad = np.zeros(table.num_rows, dtype=bool)
    for reason, mask in checks:
        mask = pc.fill_null(mask, True).to_numpy(zero_copy_only=False) & ~bad
        rows = np.flatnonzero(mask)
        if len(rows):
            values = [f"userId={u}, movieId={m}, rating={r}" for u, m, r in
                      zip(users.take(rows).to_pylist(), items.take(rows).to_pylist(), ratings.take(rows).to_pylist())]
            report.quarantine(file, rows + 1, reason, values)
        bad |= mask
    keep = ~bad
    part = RatingsPart(
        users=pc.fill_null(users, 0).to_numpy()[keep],
        items=pc.fill_null(codes, 0).to_numpy().astype(np.int32)[keep],
        ratings=pc.fill_null(ratings, 0).to_numpy()[keep],
        timestamps=pc.fill_null(timestamps, NO_TIMESTAMP).to_numpy()[keep],
    )
    report.add_file(file, table.num_rows, int(keep.sum()), has_timestamp=COL_TIMESTAMP in table.column_names)
    return part


@dataclass
class Collapsed:
    table: pa.Table          # one row per (user, title), sorted by user then title
    items: np.ndarray        # the table's titles as indexes into the catalog ids
    pairs_repeated: int      # pairs rated more than once
    rows_merged: int         # rows those pairs lost by collapsing


def collapse_duplicates(parts: list[RatingsPart], catalog_ids: pa.Array) -> Collapsed:
    """One row per (user, title): the mean of its ratings and the latest known timestamp."""
    users = np.concatenate([p.users for p in parts])
    items = np.concatenate([p.items for p in parts])
    ratings = np.concatenate([p.ratings for p in parts])
    timestamps = np.concatenate([p.timestamps for p in parts])
    key = users * np.int64(len(catalog_ids)) + items
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    counts = np.diff(np.r_[starts, len(key)])
    mean = np.add.reduceat(ratings[order], starts) / counts
    latest = np.maximum.reduceat(timestamps[order], starts)
    first = order[starts]
    return collapsed_table(users[first], items[first], mean, latest, counts, catalog_ids)


def collapsed_table(users: np.ndarray, items: np.ndarray, mean: np.ndarray, latest: np.ndarray, counts: np.ndarray,
                    catalog_ids: pa.Array) -> Collapsed:
    """The clean ratings table of collapsed pairs (sorted by user, then catalog position), whichever engine
    collapsed them (numpy here, Spark in etl.streaming.spark_ratings): `items` are catalog positions, `latest` the
    latest timestamp (NO_TIMESTAMP: unknown), `counts` the rows of each pair."""
    table = pa.table({
        COL_USER: users,
        COL_ITEM: pa.DictionaryArray.from_arrays(items, catalog_ids).cast(pa.string()),
        COL_RATING: mean,
        COL_TIMESTAMP: pa.array(latest, mask=latest == NO_TIMESTAMP),
    })
    # pandas metadata so that pandas reads the timestamp back as nullable Int64, not float.
    like = pd.DataFrame({COL_USER: pd.Series([], dtype="int64"), COL_ITEM: pd.Series([], dtype="str"),
                         COL_RATING: pd.Series([], dtype="float64"), COL_TIMESTAMP: pd.Series([], dtype="Int64")})
    table = table.replace_schema_metadata(pa.Schema.from_pandas(like, preserve_index=False).metadata)
    repeated = counts > 1
    return Collapsed(table, items, int(repeated.sum()), int(counts[repeated].sum() - repeated.sum()))


def title_scores(collapsed: Collapsed, n_titles: int) -> pd.DataFrame:
    """Mean rating and number of ratings of every catalog title (NaN and 0 for an unrated title)."""
    n = np.bincount(collapsed.items, minlength=n_titles)
    total = np.bincount(collapsed.items, weights=collapsed.table[COL_RATING].to_numpy(), minlength=n_titles)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = total / n
    return pd.DataFrame({"score": score, "n_ratings": n.astype("int64")})
