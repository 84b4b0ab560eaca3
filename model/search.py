"""The SVD hyper-parameter search: a seeded greedy coordinate search on the training part only.

It starts from surprise's defaults (`DEFAULT_PARAMS`) and tries the values of one hyper-parameter at a time
(`SEARCH_SPACE`, in order), keeping a candidate when it lowers the validation RMSE. Every candidate is fitted
on 80% of the training ratings of a seeded sample of users and scored by RMSE on the other 20%. In the end the
cheapest configuration within `SEARCH_TOLERANCE` RMSE of the best wins (training time grows with
epochs x factors). Progress is a tqdm bar on stderr, shown when this module's logger is at INFO.
"""
from __future__ import annotations

import logging
import sys
import time
from typing import Any

import pandas as pd
from tqdm import tqdm

from config import COL_RATING, COL_USER
from model.dataset import Encoded, build_trainset, sample_users_of, split
from model.evaluate import rmse
from model.fit import fit_model, make_svd, predict_ratings

log = logging.getLogger(__name__)

SEARCH_USERS = 5000
SEARCH_TOLERANCE = 0.0005
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
N_TRIALS = 1 + sum(len(values) for _, values in SEARCH_SPACE)  # the start, then every candidate value


class Trials:
    """Fits and scores hyper-parameter candidates once each, remembering every trial in the order tried."""

    def __init__(self, enc: Encoded, validation: pd.DataFrame, seed: int, bar: tqdm):
        self.enc, self.validation, self.seed, self.bar = enc, validation, seed, bar
        self._by_key: dict[tuple, dict[str, Any]] = {}

    def score(self, params: dict[str, Any]) -> float:
        """The validation RMSE of `params` (fitted the first time it is asked for); advances the bar."""
        key = tuple(sorted(params.items()))
        if key not in self._by_key:
            started = time.perf_counter()
            algo = fit_model(make_svd(params, self.seed), self.enc)
            val_rmse = rmse(self.validation[COL_RATING], predict_ratings(algo, self.enc, self.validation))
            self._by_key[key] = {**params, "val_rmse": val_rmse, "seconds": round(time.perf_counter() - started, 2)}
            log.debug("trial %s: validation RMSE %.4f", params, val_rmse)
            self.bar.set_postfix(best=f"{min(t['val_rmse'] for t in self._by_key.values()):.4f}")
        self.bar.update(1)
        return self._by_key[key]["val_rmse"]

    def table(self) -> list[dict[str, Any]]:
        """Every distinct trial: its hyper-parameters, validation RMSE and fit seconds, in the order tried."""
        return list(self._by_key.values())


def with_value(params: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
    """A copy of `params` with one search-space coordinate set (`lr_epochs` sets lr_all and n_epochs,
    `reg_all` the three regularisation constants, as surprise's reg_all)."""
    candidate = dict(params)
    if name == "lr_epochs":
        candidate["lr_all"], candidate["n_epochs"] = value
    elif name == "reg_all":
        candidate["reg_bu"] = candidate["reg_bi"] = candidate["reg_factors"] = value
    else:
        candidate[name] = value
    return candidate


def greedy_search(trials: Trials, start: dict[str, Any] | None = None,
                  space: list[tuple[str, list[Any]]] | None = None) -> float:
    """Coordinate descent over `space` (SEARCH_SPACE) from `start` (DEFAULT_PARAMS); returns the best
    validation RMSE seen."""
    best = dict(DEFAULT_PARAMS if start is None else start)
    best_rmse = trials.score(best)
    for name, values in SEARCH_SPACE if space is None else space:
        for value in values:
            candidate = with_value(best, name, value)
            candidate_rmse = trials.score(candidate)
            if candidate_rmse < best_rmse:
                best, best_rmse = candidate, candidate_rmse
    return best_rmse


def cheapest_within(table: list[dict[str, Any]], best_rmse: float,
                    tolerance: float = SEARCH_TOLERANCE) -> dict[str, Any]:
    """The hyper-parameters of the cheapest trial (fewest epochs x factors) within `tolerance` of the best."""
    good = [t for t in table if t["val_rmse"] <= best_rmse + tolerance]
    chosen = min(good, key=lambda t: (t["n_epochs"] * (t["n_factors"] + 2), t["val_rmse"]))
    return {k: chosen[k] for k in DEFAULT_PARAMS}


def search(train: pd.DataFrame, seed: int, search_users: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Greedy coordinate search on a user sample of the training part; returns (chosen params, trial table)."""
    sample = sample_users_of(train, search_users, seed)
    fit_part, val_part = split(sample, seed + 1)
    log.info("hyper-parameter search on %s users (%s ratings to fit, %s to validate)",
             f"{sample[COL_USER].nunique():,}", f"{len(fit_part):,}", f"{len(val_part):,}")
    enc = build_trainset(fit_part)
    with tqdm(total=N_TRIALS, desc="search", unit="trial", file=sys.stderr,
              disable=not log.isEnabledFor(logging.INFO)) as bar:
        trials = Trials(enc, val_part, seed, bar)
        best_rmse = greedy_search(trials)
    table = trials.table()
    return cheapest_within(table, best_rmse), table
