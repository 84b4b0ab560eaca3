"""The SVD hyper-parameter search (the surprise engine's): a seeded greedy coordinate search.

It starts from surprise's defaults (`DEFAULT_PARAMS`) and tries the values of one hyper-parameter at a time
(a recipe's search space, in order), keeping a candidate when it lowers the validation RMSE (`Trials` fits
and scores each candidate once). In the end the cheapest configuration within `SEARCH_TOLERANCE` RMSE of the
best wins (training time grows with epochs x factors).
"""
from __future__ import annotations

import logging
import time
from typing import Any

import pandas as pd
from tqdm import tqdm

from config import COL_RATING
from model.dataset import Encoded
from model.evaluate import rmse
from model.fit import fit_model, make_svd, predict_ratings

log = logging.getLogger(__name__)

# surprise's SVD defaults: where the search starts.
DEFAULT_PARAMS: dict[str, Any] = {"n_factors": 100, "n_epochs": 20, "lr_all": 0.005,
                                  "reg_bu": 0.02, "reg_bi": 0.02, "reg_factors": 0.02}
SEARCH_TOLERANCE = 0.0005


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


def greedy_search(trials: Trials, start: dict[str, Any], space: list[tuple[str, list[Any]]]) -> float:
    """Coordinate descent over `space` from `start`; returns the best validation RMSE seen."""
    best = dict(start)
    best_rmse = trials.score(best)
    for name, values in space:
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
