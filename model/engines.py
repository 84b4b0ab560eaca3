"""The training engines behind one interface: surprise (one process, here) and Spark (model.spark_engine).

A recipe (model/<catalog>/recipe.py) asks an engine for four things, whatever the catalog:

- `benchmark`: a seeded 80/20 split of a ratings frame (or file), the hyper-parameter search on the training
  part and the comparison table on the held-out part (the model, BaselineOnly, NormalPredictor, global mean);
- `search`: the hyper-parameter search alone, over a recipe's search space, on a training frame;
- `heldout_table`: the tuned model, the engine's default model and the baselines fitted on a surprise
  Trainset and scored on its test set (a recipe that reproduces surprise's own split);
- `fit`: the chosen model fitted on ratings, as `Factors` (what model.export turns into the served arrays).

Ratings come as a pandas frame or as a `RatingsFile` (the processed ratings, optionally a user sample), which
the Spark engine reads itself so that the ratings never have to fit in one Python process.
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from surprise import SVD, BaselineOnly, Trainset
from tqdm import tqdm

from config import COL_ITEM, COL_RATING, COL_USER
from model.dataset import TEST_SIZE, build_trainset, heldout_key, load_ratings, sample_users_of, split, write_heldout
from model.evaluate import DEFAULT_K, evaluate_models, finite, table_markdown
from model.fit import evaluate_split, fit_model, make_svd, normal_predictions
from model.search import DEFAULT_PARAMS, Trials, cheapest_within, greedy_search

log = logging.getLogger(__name__)

ENGINES = ("surprise", "spark")
# What manifest.json calls each engine's model.
MODEL_NAMES = {"surprise": "surprise.SVD",
               "spark": "pyspark.ml ALS on the residuals of BaselineOnly biases (Spark aggregates)"}


@dataclass(frozen=True)
class Rows:
    """The names of an engine's rows in the held-out tables: `benchmark`'s model and baseline rows, and
    `heldout_table`'s tuned, baseline and default-model rows."""

    model: str
    baseline: str
    tuned: str
    default: str


ROWS = {"surprise": Rows("SVD", "BaselineOnly", "SVD (tuned)", "SVD (surprise defaults)"),
        "spark": Rows("ALS (Spark)", "BaselineOnly (Spark)", "ALS (Spark, tuned)", "ALS (Spark defaults)")}


@dataclass(frozen=True)
class RatingsFile:
    """The processed ratings of a catalog folder (ratings.parquet), optionally a seeded sample of users."""

    folder: Path
    sample_users: int | None = None
    seed: int = 0


def sample_of(ratings: pd.DataFrame | RatingsFile) -> int | None:
    """The user sample a ratings source was cut to (None: all users, or a frame as given)."""
    return ratings.sample_users if isinstance(ratings, RatingsFile) else None


@dataclass
class Factors:
    """A fitted biased factor model, whichever engine fitted it: rows are positions in the sorted raw ids,
    and (user_idx, item_idx) is the row pair of every training rating."""

    global_mean: float
    user_bias: np.ndarray
    item_bias: np.ndarray
    user_factors: np.ndarray
    item_factors: np.ndarray
    user_ids: np.ndarray
    item_ids: np.ndarray
    user_idx: np.ndarray
    item_idx: np.ndarray


class Engine:
    """The interface every engine implements (see the module docstring); `meta` is what manifest.json records
    about it (engine, Spark version, master)."""

    name = "surprise"
    meta: dict[str, Any] = {"engine": "surprise", "spark_version": None, "master": None}

    def __init__(self) -> None:
        self._loaded: dict[RatingsFile, pd.DataFrame] = {}

    @property
    def rows(self) -> Rows:
        return ROWS[self.name]

    def load(self, ratings: pd.DataFrame | RatingsFile) -> pd.DataFrame:
        """The ratings as a frame (a RatingsFile read once; InputError naming a missing or bad file)."""
        if isinstance(ratings, pd.DataFrame):
            return ratings
        if ratings not in self._loaded:
            self._loaded[ratings] = load_ratings(ratings.folder, ratings.sample_users, ratings.seed)
        return self._loaded[ratings]

    def benchmark(self, ratings: pd.DataFrame | RatingsFile, seed: int, threshold: float, search_users: int,
                  label: str, space: list[tuple[str, list[Any]]], heldout: Path | None = None) -> dict[str, Any]:
        """`heldout`: the file of the split's held-out pairs (model.dataset), shared by the engines."""
        raise NotImplementedError

    def search(self, train: pd.DataFrame, seed: int, space: list[tuple[str, list[Any]]],
               search_users: int | None = None, label: str = "search") -> tuple[dict[str, Any], list[dict]]:
        raise NotImplementedError

    def heldout_table(self, trainset: Trainset, testset: list[tuple], params: dict[str, Any], seed: int,
                      threshold: float, relevant_at: float) -> pd.DataFrame:
        raise NotImplementedError

    def fit(self, ratings: pd.DataFrame | RatingsFile, params: dict[str, Any], seed: int, label: str) -> Factors:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the engine holds (the Spark session)."""


def benchmark_result(label: str, counts: dict[str, int], test_ratings: int, seed: int, threshold: float,
                     params: dict[str, Any], trials: list[dict], table: pd.DataFrame, relevant_at: float | None = None,
                     columns: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """One benchmark as metrics.json keeps it (the one shape for every engine and catalog): what data, its
    sizes (`counts`: ratings, users, items, ...), the split, the chosen hyper-parameters and search trials, and
    the held-out table (as a dict, and as markdown: its `columns`, default all)."""
    return {"data": label, **counts, "test_ratings": test_ratings, "test_size": TEST_SIZE, "seed": seed,
            "threshold": threshold, "relevant_at": threshold if relevant_at is None else relevant_at, "k": DEFAULT_K,
            "hyperparameters": params, "search": trials, **extra,
            "table": finite(table.to_dict(orient="index")),
            "markdown": table_markdown(table if columns is None else table[columns])}


def counts(df: pd.DataFrame) -> dict[str, int]:
    """The ratings, users and items of a ratings frame."""
    return {"ratings": len(df), "users": int(df[COL_USER].nunique()), "items": int(df[COL_ITEM].nunique())}


class SurpriseEngine(Engine):
    """scikit-surprise's SVD and baselines in this process."""

    def benchmark(self, ratings, seed, threshold, search_users, label, space, heldout=None):
        df = self.load(ratings)
        train, test = split(df, seed)
        if heldout is not None:  # the held-out pairs, so that the Spark engine is scored on the same ratings
            write_heldout(test, heldout, heldout_key(seed, len(df), sample_of(ratings)))
        params, trials = self.search(train, seed, space, search_users)
        log.info("%s: chosen %s", label, params)
        table = evaluate_split(train, test, params, seed, threshold, label)
        return benchmark_result(label, {**counts(df), "train_ratings": len(train)}, len(test), seed, threshold,
                                params, trials, table)

    def search(self, train, seed, space, search_users=None, label="search"):
        """Greedy coordinate search over `space` from surprise's defaults (model.search) on a seeded user sample
        of `train` (all users when None), each candidate fitted on 80% and scored on the other 20%."""
        sample = sample_users_of(train, search_users, seed)
        fit_part, val_part = split(sample, seed + 1)
        log.info("%s: %s users (%s ratings to fit, %s to validate)", label, f"{sample[COL_USER].nunique():,}",
                 f"{len(fit_part):,}", f"{len(val_part):,}")
        enc = build_trainset(fit_part)
        with tqdm(total=1 + sum(len(v) for _, v in space), desc=label, unit="trial", file=sys.stderr,
                  disable=not log.isEnabledFor(logging.INFO)) as bar:
            trials = Trials(enc, val_part, seed, bar)
            best = greedy_search(trials, DEFAULT_PARAMS, space)
        table = trials.table()
        return cheapest_within(table, best), table

    def heldout_table(self, trainset, testset, params, seed, threshold, relevant_at):
        """The five models fitted on `trainset`, scored on `testset` with surprise's own predictions."""
        test = pd.DataFrame(testset, columns=[COL_USER, COL_ITEM, COL_RATING])
        predictions = {"NormalPredictor": normal_predictions(trainset, len(test), seed),
                       "GlobalMean": np.full(len(test), trainset.global_mean)}
        for name, algo in ((self.rows.baseline, BaselineOnly(verbose=False)),
                           (self.rows.default, SVD(random_state=seed)),
                           (self.rows.tuned, make_svd(params, seed))):
            started = time.perf_counter()
            algo.verbose = False
            algo.fit(trainset)
            predictions[name] = np.array([p.est for p in algo.test(testset)])
            log.info("%s fitted and tested in %.1f s", name, time.perf_counter() - started)
        return evaluate_models(test, predictions, threshold=threshold, k=DEFAULT_K, relevant_at=relevant_at)

    def fit(self, ratings, params, seed, label):
        df = self.load(ratings)
        log.info("%s: fitting SVD on %s ratings", label, f"{len(df):,}")
        enc = build_trainset(df)
        algo = fit_model(make_svd(params, seed), enc, label)
        return Factors(enc.trainset.global_mean, algo.bu, algo.bi, algo.pu, algo.qi, enc.user_ids, enc.item_ids,
                       enc.user_idx, enc.item_idx)
