"""The held-out benchmark of one ratings frame: split, search, fit and evaluate, as the dict metrics.json keeps.

`benchmark` runs the seeded 80/20 split (model.dataset), the hyper-parameter search on the training part
(model.search) and the four-model comparison on the held-out part (model.fit); `movielens_benchmark` does the
same on MovieLens ml-latest-small, whose ratings carry real title signal.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd

from config import COL_ITEM, COL_USER
from model.dataset import MOVIELENS_RATINGS, TEST_SIZE, heldout_key, load_movielens, split, write_heldout
from model.evaluate import DEFAULT_K, table_markdown
from model.fit import evaluate_split
from model.search import SEARCH_USERS, search
from serving.artifacts import sha256_file

log = logging.getLogger(__name__)


def benchmark(df: pd.DataFrame, seed: int, threshold: float, search_users: int, name: str,
              heldout: tuple[Path, dict] | None = None) -> dict[str, Any]:
    """Split, search and evaluate one ratings frame; the result as metrics.json stores it per data set.
    `heldout`: (path, key) where the split's held-out pairs are written for the other engine (model.dataset)."""
    train, test = split(df, seed)
    if heldout is not None:
        write_heldout(test, *heldout)
    params, trials = search(train, seed, search_users)
    log.info("%s: chosen %s", name, params)
    table = evaluate_split(train, test, params, seed, threshold, name)
    return {
        "ratings": len(df), "users": int(df[COL_USER].nunique()), "titles": int(df[COL_ITEM].nunique()),
        "train_ratings": len(train), "test_ratings": len(test), "test_size": TEST_SIZE, "seed": seed,
        "threshold": threshold, "k": DEFAULT_K, "hyperparameters": params, "search": trials,
        "table": finite(table.to_dict(orient="index")),
        "markdown": table_markdown(table, DEFAULT_K),
    }


def movielens_benchmark(raw_dir: Path, seed: int, threshold: float,
                        heldout_file: Path | None = None) -> dict[str, Any]:
    """`benchmark` on MovieLens ml-latest-small under `raw_dir`, with the sha256 of its ratings file (and its
    held-out pairs written to `heldout_file`)."""
    df = load_movielens(raw_dir)
    heldout = None if heldout_file is None else (heldout_file, heldout_key(seed, len(df)))
    result = benchmark(df, seed, threshold, SEARCH_USERS, "movielens", heldout)
    result["input_sha256"] = {str(MOVIELENS_RATINGS): sha256_file(Path(raw_dir) / MOVIELENS_RATINGS)}
    return result


def finite(value: Any) -> Any:
    """NaN -> None (recursively through dicts) so that metrics are strict JSON (and YAML) everywhere."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
