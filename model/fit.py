"""Fitting surprise's models and scoring them on held-out ratings.

- `make_svd` builds an SVD from the search's hyper-parameter dict (reg_factors sets both reg_pu and reg_qi);
- `fit_model` fits any surprise algorithm with its own console output off (surprise prints "Processing epoch N"
  to stdout when verbose) and logs one line with the time instead;
- `predict_ratings` gives surprise's estimate for every row of a ratings frame, vectorized with the same code
  the Predictor serves with (serving.predictor.estimate);
- `heldout_predictions` fits SVD, BaselineOnly, NormalPredictor and the global mean on a training part and
  predicts a test part; `evaluate_split` turns those into the comparison table (model.evaluate).
"""
from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from surprise import SVD, AlgoBase, BaselineOnly, NormalPredictor, Trainset

from config import COL_ITEM, COL_USER, RATING_MAX, RATING_MIN
from model.dataset import Encoded, build_trainset, encode
from model.evaluate import DEFAULT_K, evaluate_models
from serving.predictor import estimate

log = logging.getLogger(__name__)


def make_svd(params: dict[str, Any], seed: int) -> SVD:
    """An unfitted, seeded SVD with the given hyper-parameters and surprise's epoch prints off."""
    return SVD(n_factors=params["n_factors"], n_epochs=params["n_epochs"], lr_all=params["lr_all"],
               reg_bu=params["reg_bu"], reg_bi=params["reg_bi"], reg_pu=params["reg_factors"],
               reg_qi=params["reg_factors"], random_state=seed, verbose=False)


def fit_model(algo: AlgoBase, enc: Encoded, label: str | None = None) -> AlgoBase:
    """`algo` fitted on the encoded ratings; with a label, one INFO line says how long it took (else DEBUG)."""
    algo.verbose = False  # surprise's per-epoch / per-step prints go to stdout, which carries the results
    started = time.perf_counter()
    algo.fit(enc.trainset)
    log.log(logging.INFO if label else logging.DEBUG, "%s%s fitted on %s ratings in %.1f s",
            f"{label}: " if label else "", type(algo).__name__, f"{enc.trainset.n_ratings:,}",
            time.perf_counter() - started)
    return algo


def predict_ratings(algo: SVD | BaselineOnly, enc: Encoded, ratings: pd.DataFrame) -> np.ndarray:
    """surprise's estimate for every (user, title) row of `ratings`; BaselineOnly as SVD without factors."""
    u = encode(ratings[COL_USER].to_numpy(), enc.user_ids)
    i = encode(ratings[COL_ITEM].to_numpy(), enc.item_ids)
    pu = getattr(algo, "pu", np.zeros((enc.user_ids.size, 0)))
    qi = getattr(algo, "qi", np.zeros((enc.item_ids.size, 0)))
    return estimate(enc.trainset.global_mean, np.asarray(algo.bu), np.asarray(algo.bi), np.asarray(pu),
                    np.asarray(qi), u, i, (RATING_MIN, RATING_MAX))


def normal_predictions(trainset: Trainset, n: int, seed: int) -> np.ndarray:
    """NormalPredictor's predictions for `n` rows: surprise draws one normal per prediction; here the same
    distribution (training mean and sigma), drawn vectorized and seeded, clipped to the rating scale."""
    normal = NormalPredictor()
    normal.fit(trainset)
    draws = np.random.default_rng(seed).normal(trainset.global_mean, normal.sigma, n)
    return np.clip(draws, RATING_MIN, RATING_MAX)


def heldout_predictions(train: pd.DataFrame, test: pd.DataFrame, params: dict[str, Any], seed: int,
                        name: str) -> dict[str, np.ndarray]:
    """Each model's predictions for `test` after fitting on `train`: SVD (with `params`), BaselineOnly,
    NormalPredictor and the global mean, in the comparison table's row order."""
    log.info("%s: building the training set (%s ratings)", name, f"{len(train):,}")
    enc = build_trainset(train)
    log.info("%s: fitting SVD %s", name, params)
    svd = fit_model(make_svd(params, seed), enc, name)
    baseline = fit_model(BaselineOnly(verbose=False), enc, name)
    return {
        "SVD": predict_ratings(svd, enc, test),
        "BaselineOnly": predict_ratings(baseline, enc, test),
        "NormalPredictor": normal_predictions(enc.trainset, len(test), seed),
        "GlobalMean": np.full(len(test), enc.trainset.global_mean),
    }


def evaluate_split(train: pd.DataFrame, test: pd.DataFrame, params: dict[str, Any], seed: int,
                   threshold: float, name: str) -> pd.DataFrame:
    """Fit the four models on `train`, return the comparison table on `test` (one row per model)."""
    predictions = heldout_predictions(train, test, params, seed, name)
    log.info("%s: evaluating on %s held-out ratings", name, f"{len(test):,}")
    return evaluate_models(test, predictions, threshold=threshold, k=DEFAULT_K)
