"""The trainer's ratings: loading them, seeded user samples, the seeded hold-out split and surprise Trainsets.

- `load_ratings` reads the processed ratings.parquet, `load_movielens` MovieLens ml-latest-small's ratings.csv;
  both check the columns and the rating scale and raise `InputError` naming the file.
- `sample_users_of` keeps the ratings of a seeded random sample of users, `split` holds out a seeded 20%.
- `build_trainset` turns a ratings frame into a surprise Trainset directly from arrays (`Encoded`), whose
  inner ids are positions in the sorted raw ids; `encode` maps raw ids to those positions.
"""
from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from surprise import Trainset

import config
from config import COL_ITEM, COL_RATING, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.io import read_table

log = logging.getLogger(__name__)

TEST_SIZE = 0.2
MOVIELENS_RATINGS = Path("movielens") / "ml-latest-small" / "ratings.csv"


def load_ratings(processed_dir: Path, sample_users: int | None = None, seed: int = config.SEED) -> pd.DataFrame:
    """The processed ratings (userId, movieId, rating), optionally restricted to a seeded sample of users."""
    path = Path(processed_dir) / config.RATINGS_FILE
    if not path.is_file():
        raise InputError(f"{path}: missing; build it with `python -m etl` (or pass --processed-dir)")
    df = read_table(path, [COL_USER, COL_ITEM, COL_RATING]).to_pandas()  # InputError naming a bad file
    return sample_users_of(_checked(df, path), sample_users, seed)


def load_movielens(raw_dir: Path) -> pd.DataFrame:
    """MovieLens ml-latest-small ratings with the project's column names (movie ids as strings)."""
    path = Path(raw_dir) / MOVIELENS_RATINGS
    if not path.is_file():
        raise InputError(f"{path}: missing; set RAW_DIR or --raw-dir to the folder holding movielens/")
    # MovieLens uses the project's own column names (userId, movieId, rating).
    df = read_table(path, [COL_USER, COL_ITEM, COL_RATING]).to_pandas()
    df[COL_ITEM] = df[COL_ITEM].astype(str)
    return _checked(df, path)


def _checked(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The ratings as the trainer needs them: whole-number user ids and numeric ratings within the scale."""
    for column, wanted, ok in ((COL_USER, "whole numbers", pd.api.types.is_integer_dtype),
                               (COL_RATING, "numbers", pd.api.types.is_numeric_dtype)):
        if not ok(df[column]):
            raise InputError(f"{path}: column {column} must hold {wanted}; found {df[column].dtype} values "
                             f"such as {df[column].iloc[0]!r}")
    ratings = df[COL_RATING].to_numpy(dtype=np.float64)
    if len(df) == 0 or not np.all((ratings >= RATING_MIN) & (ratings <= RATING_MAX)):
        raise InputError(f"{path}: need ratings within {RATING_MIN}..{RATING_MAX} (found {len(df)} rows)")
    return df


def sample_users_of(df: pd.DataFrame, n_users: int | None, seed: int) -> pd.DataFrame:
    """The ratings of a seeded random sample of `n_users` users (all rows when None or not fewer users)."""
    if n_users is not None:
        users = np.sort(df[COL_USER].unique())
        if n_users < users.size:
            df = df[df[COL_USER].isin(chosen_users(users, n_users, seed))]
    return df.reset_index(drop=True)


def chosen_users(users: np.ndarray, n_users: int | None, seed: int) -> np.ndarray:
    """The seeded sample of `n_users` of the sorted `users` (all of them when None or not fewer); the one
    rule both training engines sample users by."""
    if n_users is None or n_users >= users.size:
        return users
    return np.random.default_rng(seed).choice(users, n_users, replace=False)


def split(df: pd.DataFrame, seed: int, test_size: float = TEST_SIZE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded random hold-out of `test_size` of the rows: (train, test)."""
    perm = np.random.default_rng(seed).permutation(len(df))
    n_test = int(round(test_size * len(df)))
    return df.iloc[perm[n_test:]].reset_index(drop=True), df.iloc[perm[:n_test]].reset_index(drop=True)


HELDOUT_DIR = "heldout"  # beside the processed tables: <processed>/heldout/<data set>.parquet


def heldout_path(processed_dir: Path, name: str) -> Path:
    """Where the held-out pairs of data set `name` ("ratings", "movielens") are kept."""
    return Path(processed_dir) / HELDOUT_DIR / f"{name}.parquet"


def heldout_key(seed: int, n_ratings: int, sample_users: int | None = None) -> dict:
    """What a held-out file was split from: it is reused only for the same seed, test size, sample and size."""
    return {"seed": seed, "test_size": TEST_SIZE, "ratings": int(n_ratings), "sample_users": sample_users}


def write_heldout(test: pd.DataFrame, path: Path, key: dict) -> Path:
    """The held-out (user, title) pairs of a split, in the split's order, so that every training engine is
    scored on exactly these ratings; `key` (heldout_key) goes in the file's metadata."""
    table = pa.Table.from_pandas(test[[COL_USER, COL_ITEM]], preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"heldout": json.dumps(key).encode()})
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
    log.info("held-out pairs (%s) written to %s", f"{len(test):,}", path)
    return path


def read_heldout(path: Path, key: dict) -> pd.DataFrame | None:
    """The held-out pairs of `path` when they were written for `key`; None when the file is missing or was
    written for another split."""
    path = Path(path)
    if not path.is_file():
        return None
    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(b"heldout", b"{}"))
    if meta != key:
        log.info("%s was written for another split (%s); splitting again", path, meta)
        return None
    return table.to_pandas()


@dataclass
class Encoded:
    """A surprise Trainset whose inner ids are positions in the sorted raw-id arrays."""

    trainset: Trainset
    user_ids: np.ndarray
    item_ids: np.ndarray
    user_idx: np.ndarray  # inner user id of every training row
    item_idx: np.ndarray


def build_trainset(df: pd.DataFrame) -> Encoded:
    """A surprise Trainset built directly from arrays (much faster than Dataset.load_from_df on 10M rows).

    Inner ids are the positions in the sorted unique raw ids, so surprise's bu/pu rows line up with
    `user_ids` and bi/qi rows with `item_ids`. Raw ids keep their Python type (int users, str titles, int
    TMDB ids).
    """
    log.debug("building a surprise Trainset from %s ratings", f"{len(df):,}")
    user_idx, user_ids = pd.factorize(df[COL_USER], sort=True)
    item_idx, item_ids = pd.factorize(df[COL_ITEM], sort=True)
    user_ids = np.asarray(user_ids)
    item_ids = np.asarray(item_ids)
    # Title ids are text; whole-number item ids (the Movies catalog's TMDB ids) stay int64, sorted as numbers,
    # so that `encode`'s binary search agrees with the order (text "10" sorts before "9").
    item_ids = item_ids.astype(np.int64) if item_ids.dtype.kind in "iu" else item_ids.astype(str)
    ratings = df[COL_RATING].to_numpy(dtype=np.float64)
    ur = _grouped(user_idx, item_idx, ratings, len(user_ids))
    ir = _grouped(item_idx, user_idx, ratings, len(item_ids))
    trainset = Trainset(ur, ir, len(user_ids), len(item_ids), len(df), (RATING_MIN, RATING_MAX),
                        {raw: inner for inner, raw in enumerate(user_ids.tolist())},
                        {raw: inner for inner, raw in enumerate(item_ids.tolist())})
    return Encoded(trainset, user_ids, item_ids, user_idx.astype(np.int64), item_idx.astype(np.int64))


def _grouped(keys: np.ndarray, values: np.ndarray, ratings: np.ndarray, n_keys: int) -> defaultdict:
    """{key: [(value, rating), ...]} in row order, as surprise's Trainset.ur / .ir."""
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n_keys + 1))
    vals, rats = values[order].tolist(), ratings[order].tolist()
    return defaultdict(list, {k: list(zip(vals[bounds[k]:bounds[k + 1]], rats[bounds[k]:bounds[k + 1]]))
                              for k in range(n_keys)})


def encode(raw: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions of raw ids in the sorted `ids`, -1 where unknown."""
    raw = np.asarray(raw)
    if ids.dtype.kind == "U":
        raw = raw.astype(str)
    pos = np.clip(np.searchsorted(ids, raw), 0, max(ids.size - 1, 0))
    return np.where((ids.size > 0) & (ids[pos] == raw), pos, -1)
