"""`python -m model.train`: train, evaluate and export the SVD recommender (scikit-surprise).

Steps, all seeded (--seed, default config.SEED):
1. hold out 20% of the ratings (a seeded permutation of the rows);
2. choose the hyper-parameters on the training part only: a greedy coordinate search starting from
   surprise's defaults, one hyper-parameter at a time, each candidate fitted on 80% of the training
   ratings of a seeded sample of users and scored by RMSE on the other 20%; the cheapest configuration
   within 0.0005 RMSE of the best wins (full-data training time grows with epochs x factors);
3. fit SVD, BaselineOnly, NormalPredictor and the global mean on the training part and compare them on the
   held-out 20% (model.evaluate: RMSE/MAE, the recommend decision, ranking@10);
4. refit the chosen SVD on all ratings and export it, the content neighbours (model.content) and the model
   card through serving.artifacts (no pickle), replacing --out only when everything succeeded.

The MovieLens ml-latest-small benchmark (`--movielens` alone, and included in a full run unless
--skip-movielens) runs the same steps 1-3 on data whose ratings carry real item signal.

Bad options or inputs print one line and exit with status 2; earlier artifacts stay intact.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform as py_platform
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from surprise import SVD, BaselineOnly, NormalPredictor, Trainset
from tqdm import tqdm

import config
from config import COL_ID, COL_ITEM, COL_RATING, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.io import read_table
from model import card
from model.cli import OneLineParser
from model.evaluate import DEFAULT_K, evaluate_models, rmse, table_markdown
from serving.artifacts import json_default, save_artifacts, sha256_file
from serving.predictor import estimate

TEST_SIZE = 0.2
SEARCH_USERS = 5000
SEARCH_TOLERANCE = 0.0005
MOVIELENS_RATINGS = Path("movielens") / "ml-latest-small" / "ratings.csv"
# surprise's SVD defaults: where the search starts.
DEFAULT_PARAMS: dict[str, Any] = {"n_factors": 100, "n_epochs": 20, "lr_all": 0.005,
                                  "reg_bu": 0.02, "reg_bi": 0.02, "reg_factors": 0.02}
# Searched one at a time, in this order; (lr_all, n_epochs) move together since they trade off.
SEARCH_SPACE: list[tuple[str, list[Any]]] = [
    ("reg_factors", [0.02, 0.1, 0.5]),
    ("reg_bi", [0.02, 0.1, 1.0, 2.0]),
    ("reg_bu", [0.02, 0.1]),
    ("n_factors", [10, 50, 100]),
    ("lr_epochs", [(0.005, 20), (0.01, 20), (0.01, 50)]),
]


def log(message: str) -> None:
    print(f"[train {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---- data ----------------------------------------------------------------------------------------------
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
            chosen = np.random.default_rng(seed).choice(users, n_users, replace=False)
            df = df[df[COL_USER].isin(chosen)]
    return df.reset_index(drop=True)


def split(df: pd.DataFrame, seed: int, test_size: float = TEST_SIZE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeded random hold-out of `test_size` of the rows: (train, test)."""
    perm = np.random.default_rng(seed).permutation(len(df))
    n_test = int(round(test_size * len(df)))
    return df.iloc[perm[n_test:]].reset_index(drop=True), df.iloc[perm[:n_test]].reset_index(drop=True)


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
    `user_ids` and bi/qi rows with `item_ids`. Raw ids keep their Python type (int users, str titles).
    """
    user_idx, user_ids = pd.factorize(df[COL_USER], sort=True)
    item_idx, item_ids = pd.factorize(df[COL_ITEM], sort=True)
    user_ids = np.asarray(user_ids)
    item_ids = np.asarray(item_ids).astype(str)
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


# ---- models --------------------------------------------------------------------------------------------
def make_svd(params: dict[str, Any], seed: int, verbose: bool = False) -> SVD:
    return SVD(n_factors=params["n_factors"], n_epochs=params["n_epochs"], lr_all=params["lr_all"],
               reg_bu=params["reg_bu"], reg_bi=params["reg_bi"], reg_pu=params["reg_factors"],
               reg_qi=params["reg_factors"], random_state=seed, verbose=verbose)


def fit_with_progress(algo: SVD, enc: Encoded) -> SVD:
    """Fit with surprise's per-epoch messages as progress, on stderr so stdout keeps only the results."""
    algo.verbose = True
    with contextlib.redirect_stdout(sys.stderr):
        algo.fit(enc.trainset)
    algo.verbose = False
    return algo


def svd_predictions(algo: SVD | BaselineOnly, enc: Encoded, test: pd.DataFrame) -> np.ndarray:
    """surprise's estimate for every test row, vectorized (the same code the Predictor serves with)."""
    u = encode(test[COL_USER].to_numpy(), enc.user_ids)
    i = encode(test[COL_ITEM].to_numpy(), enc.item_ids)
    pu = getattr(algo, "pu", np.zeros((enc.user_ids.size, 0)))
    qi = getattr(algo, "qi", np.zeros((enc.item_ids.size, 0)))
    return estimate(enc.trainset.global_mean, np.asarray(algo.bu), np.asarray(algo.bi), np.asarray(pu),
                    np.asarray(qi), u, i, (RATING_MIN, RATING_MAX))


def search(train: pd.DataFrame, seed: int, search_users: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Greedy coordinate search on a user sample of the training part; returns (best params, trials)."""
    sample = sample_users_of(train, search_users, seed)
    fit_part, val_part = split(sample, seed + 1)
    enc = build_trainset(fit_part)
    trials: dict[tuple, dict[str, Any]] = {}

    def score(params: dict[str, Any]) -> float:
        key = tuple(sorted(params.items()))
        if key not in trials:
            start = time.perf_counter()
            algo = make_svd(params, seed).fit(enc.trainset)
            rmse_val = rmse(val_part[COL_RATING], svd_predictions(algo, enc, val_part))
            trials[key] = {**params, "val_rmse": rmse_val, "seconds": round(time.perf_counter() - start, 2)}
            bar.set_postfix(best=f"{min(t['val_rmse'] for t in trials.values()):.4f}")
        bar.update(1)
        return trials[key]["val_rmse"]

    total = 1 + sum(len(values) for _, values in SEARCH_SPACE)
    log(f"hyper-parameter search on {sample[COL_USER].nunique():,} users ({len(fit_part):,} ratings to fit, "
        f"{len(val_part):,} to validate)")
    best = dict(DEFAULT_PARAMS)
    with tqdm(total=total, desc="search", unit="trial", file=sys.stderr) as bar:
        best_rmse = score(best)
        for name, values in SEARCH_SPACE:
            for value in values:
                candidate = dict(best)
                if name == "lr_epochs":
                    candidate["lr_all"], candidate["n_epochs"] = value
                else:
                    candidate[name] = value
                rmse_c = score(candidate)
                if rmse_c < best_rmse:
                    best, best_rmse = candidate, rmse_c
    # The cheapest configuration within the tolerance of the best: fewer epochs x factors train faster.
    table = list(trials.values())
    good = [t for t in table if t["val_rmse"] <= best_rmse + SEARCH_TOLERANCE]
    chosen = min(good, key=lambda t: (t["n_epochs"] * (t["n_factors"] + 2), t["val_rmse"]))
    return {k: chosen[k] for k in DEFAULT_PARAMS}, table


def evaluate_split(train: pd.DataFrame, test: pd.DataFrame, params: dict[str, Any], seed: int,
                   threshold: float, name: str) -> pd.DataFrame:
    """Fit the four models on `train`, return the comparison table on `test`."""
    log(f"{name}: building the training set ({len(train):,} ratings)")
    enc = build_trainset(train)
    predictions: dict[str, np.ndarray] = {}
    log(f"{name}: fitting SVD {params}")
    predictions["SVD"] = svd_predictions(fit_with_progress(make_svd(params, seed), enc), enc, test)
    log(f"{name}: fitting BaselineOnly")
    predictions["BaselineOnly"] = svd_predictions(BaselineOnly(verbose=False).fit(enc.trainset), enc, test)
    log(f"{name}: fitting NormalPredictor")
    normal = NormalPredictor().fit(enc.trainset)
    # surprise draws one normal per prediction; the same distribution, drawn vectorized and seeded.
    draws = np.random.default_rng(seed).normal(enc.trainset.global_mean, normal.sigma, len(test))
    predictions["NormalPredictor"] = np.clip(draws, RATING_MIN, RATING_MAX)
    predictions["GlobalMean"] = np.full(len(test), enc.trainset.global_mean)
    log(f"{name}: evaluating on {len(test):,} held-out ratings")
    return evaluate_models(test, predictions, threshold=threshold, k=DEFAULT_K)


def benchmark(df: pd.DataFrame, seed: int, threshold: float, search_users: int, name: str) -> dict[str, Any]:
    """Steps 1-3 (split, search, evaluate) on one ratings frame."""
    train, test = split(df, seed)
    params, trials = search(train, seed, search_users)
    log(f"{name}: chosen {params}")
    table = evaluate_split(train, test, params, seed, threshold, name)
    return {
        "ratings": len(df), "users": int(df[COL_USER].nunique()), "titles": int(df[COL_ITEM].nunique()),
        "train_ratings": len(train), "test_ratings": len(test), "test_size": TEST_SIZE, "seed": seed,
        "threshold": threshold, "k": DEFAULT_K, "hyperparameters": params, "search": trials,
        "table": _finite(table.to_dict(orient="index")),
        "markdown": table_markdown(table, DEFAULT_K),
    }


def movielens_benchmark(raw_dir: Path, seed: int, threshold: float) -> dict[str, Any]:
    df = load_movielens(raw_dir)
    result = benchmark(df, seed, threshold, SEARCH_USERS, "movielens")
    result["input_sha256"] = {str(MOVIELENS_RATINGS): sha256_file(Path(raw_dir) / MOVIELENS_RATINGS)}
    return result


# ---- export --------------------------------------------------------------------------------------------
def export_arrays(algo: SVD, enc: Encoded, titles: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The Predictor's arrays: factors, biases, id maps, each user's rated titles (CSR), title types and
    which titles may be recommended."""
    order = np.lexsort((enc.item_idx, enc.user_idx))
    indptr = np.searchsorted(enc.user_idx[order], np.arange(enc.user_ids.size + 1)).astype(np.int64)
    item_dtype = np.int16 if enc.item_ids.size <= np.iinfo(np.int16).max else np.int32
    types = np.full(enc.item_ids.size, "", dtype="<U8")
    recommendable = np.ones(enc.item_ids.size, dtype=bool)
    if titles is not None:
        by_id = titles.set_index(COL_ID)
        types = by_id["type"].astype(str).reindex(enc.item_ids).fillna("").to_numpy().astype("<U8")
        if "is_placeholder" in by_id:  # the catalog's upload test rows are never recommended
            recommendable = ~by_id["is_placeholder"].reindex(enc.item_ids).fillna(False).to_numpy(dtype=bool)
    return {
        "global_mean": np.array(enc.trainset.global_mean, dtype=np.float64),
        "user_ids": enc.user_ids.astype(np.int64),
        "item_ids": enc.item_ids.astype(str),
        "user_bias": np.asarray(algo.bu, dtype=np.float64),
        "item_bias": np.asarray(algo.bi, dtype=np.float64),
        "user_factors": np.asarray(algo.pu, dtype=np.float64),
        "item_factors": np.asarray(algo.qi, dtype=np.float64),
        "rated_indptr": indptr,
        "rated_items": enc.item_idx[order].astype(item_dtype),
        "item_types": types,
        "item_recommendable": recommendable,
    }


def content_arrays(titles: pd.DataFrame) -> dict[str, np.ndarray]:
    """Content-similarity neighbours (model.content, written by the content helper), saved alongside."""
    from model.content import build_neighbours  # heavy (sklearn TF-IDF); only needed at train time

    log(f"content neighbours for {len(titles):,} titles")
    return build_neighbours(titles)


def library_versions() -> dict[str, str]:
    names = ["scikit-surprise", "numpy", "pandas", "scikit-learn", "pyarrow", "scipy", "huggingface_hub"]
    return {"python": py_platform.python_version(), **{n: version(n) for n in names}}


def train(processed_dir: Path, out_dir: Path, threshold: float, seed: int, sample_users: int | None,
          search_users: int, movielens_dir: Path | None, with_content: bool = True) -> dict[str, Any]:
    """The whole offline run; returns the metrics written to metrics.json."""
    started = time.perf_counter()
    ratings_path = Path(processed_dir) / config.RATINGS_FILE
    titles_path = Path(processed_dir) / config.TITLES_FILE
    if not titles_path.is_file():
        raise InputError(f"{titles_path}: missing; build it with `python -m etl` (or pass --processed-dir)")
    df = load_ratings(processed_dir, sample_users, seed)
    titles = pd.read_parquet(titles_path)
    log(f"{len(df):,} ratings, {df[COL_USER].nunique():,} users, {df[COL_ITEM].nunique():,} titles")

    ours = benchmark(df, seed, threshold, search_users, "our ratings")
    metrics: dict[str, Any] = {"ours": ours}
    if movielens_dir is not None:
        metrics["movielens"] = movielens_benchmark(movielens_dir, seed, threshold)

    params = ours["hyperparameters"]
    log(f"refitting SVD on all {len(df):,} ratings")
    enc = build_trainset(df)
    algo = fit_with_progress(make_svd(params, seed), enc)
    arrays = export_arrays(algo, enc, titles)
    del enc, algo
    if with_content:
        arrays.update(content_arrays(titles))

    inputs = {config.RATINGS_FILE: sha256_file(ratings_path), config.TITLES_FILE: sha256_file(titles_path)}
    if "movielens" in metrics:
        inputs.update(metrics["movielens"]["input_sha256"])
    meta = {
        "model": "surprise.SVD",
        "rating_scale": [RATING_MIN, RATING_MAX],
        "threshold": threshold,
        "seed": seed,
        "sample_users": sample_users,
        "n_users": int(arrays["user_ids"].size),
        "n_titles": int(arrays["item_ids"].size),
        "n_ratings": len(df),
        "hyperparameters": params,
        "metrics": {"ours": ours["table"], **({"movielens": metrics["movielens"]["table"]}
                                               if "movielens" in metrics else {})},
        "inputs_sha256": inputs,
        "library_versions": library_versions(),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    files = {"metrics.json": json.dumps(metrics, indent=2, default=json_default),
             "README.md": card.model_card(meta, metrics, eda=card.read_eda(config.REPORTS_DIR))}
    save_artifacts(out_dir, arrays, meta=meta, files=files)
    log(f"artifacts written to {out_dir} in {time.perf_counter() - started:.0f} s")
    return metrics


# ---- CLI -----------------------------------------------------------------------------------------------
def _whole_number(low: int, high: int | None = None):
    """An argparse type: a whole number from low (to high), with a message that says what is accepted."""
    accepted = f"a whole number from {low} to {high}" if high is not None else f"a whole number >= {low}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {accepted}, got {text!r}")
        return value

    return parse


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not RATING_MIN <= value <= RATING_MAX:
        raise argparse.ArgumentTypeError(f"expected a rating from {RATING_MIN} to {RATING_MAX}, got {text!r}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = OneLineParser(prog="python -m model.train", description=__doc__.split("\n")[0])
    p.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR,
                   help="folder with ratings.parquet and titles.parquet (default data/processed)")
    p.add_argument("--out", type=Path, default=config.ARTIFACTS_DIR, help="artifact folder (default artifacts)")
    p.add_argument("--threshold", type=_threshold, default=config.DEFAULT_THRESHOLD,
                   help="recommend when the predicted rating is at least this (default 3.5)")
    p.add_argument("--seed", type=_whole_number(0, 2**32 - 1), default=config.SEED,
                   help="seed of every random step (default 42)")
    p.add_argument("--sample-users", type=_whole_number(1), default=None,
                   help="train on a seeded sample of this many users (fast runs, tests)")
    p.add_argument("--search-users", type=_whole_number(1), default=SEARCH_USERS,
                   help=f"users sampled for the hyper-parameter search (default {SEARCH_USERS})")
    p.add_argument("--raw-dir", type=Path, default=None, help="raw data folder for MovieLens (default RAW_DIR)")
    p.add_argument("--movielens", action="store_true", help="only run the MovieLens benchmark and print it")
    p.add_argument("--skip-movielens", action="store_true", help="do not include the MovieLens benchmark")
    p.add_argument("--skip-content", action="store_true", help="do not build the content neighbours")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.movielens:
            result = movielens_benchmark(config.raw_dir(args.raw_dir), args.seed, args.threshold)
            print(f"MovieLens ml-latest-small, seeded {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%} split, "
                  f"SVD {result['hyperparameters']}")
            print(result["markdown"])
            print(json.dumps({"svd_rmse": result["table"]["SVD"]["rmse"]}))
            return 0
        movielens_dir = None if args.skip_movielens else config.raw_dir(args.raw_dir)
        metrics = train(args.processed_dir, args.out, args.threshold, args.seed, args.sample_users,
                        args.search_users, movielens_dir, with_content=not args.skip_content)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Our ratings, held-out {TEST_SIZE:.0%}, SVD {metrics['ours']['hyperparameters']}")
    print(metrics["ours"]["markdown"])
    if "movielens" in metrics:
        print(f"\nMovieLens ml-latest-small, SVD {metrics['movielens']['hyperparameters']}")
        print(metrics["movielens"]["markdown"])
    print(f"\nartifacts: {args.out}")
    return 0


def _finite(value: Any) -> Any:
    """NaN -> None so that metrics are strict JSON (and YAML) everywhere."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


if __name__ == "__main__":
    raise SystemExit(main())
