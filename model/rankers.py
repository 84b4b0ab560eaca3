"""Top-N ranking models trained on who rated what (implicit feedback), for full-catalog lists.

- `stratified_split`: each user's ratings shuffled with a seed and split 75/25 (Microsoft Recommenders'
  stratified split), so every user with enough ratings is both trained on and tested;
- `Interactions`: the binary user x item matrix of a ratings frame, items = the films rated in it (dense: made
  for the MovieLens-sized sets, hundreds of users);
- `fit_ease`: EASE (Steck 2019), B = I - P diag(1/diag(P)), P = (X'X + lambda I)^-1. The catalogs have far
  fewer users than films, so P comes from the Woodbury identity, P = (I - X'(XX' + lambda I)^-1 X) / lambda:
  a users x users inverse instead of a films x films one;
- `ease_neighbours`: each film's `top` strongest weights (by |weight|) of its row of B as CSR arrays
  (indptr, items, weights), so a visitor's scores are their rated films' rows summed (`neighbour_scores`),
  without the dense matrix;
- `tune_ease`: lambda chosen by nDCG@10 on a validation split carved from the training ratings;
- `fit_als`: implicit-feedback ALS (Hu, Koren, Volinsky 2008) in numpy, confidence 1 + alpha per rating;
- `top_k`: each user's k best items by score, the items they rated in training left out.
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from config import COL_ITEM, COL_RATING, COL_USER
from model.evaluate import DEFAULT_K, top_k_metrics

log = logging.getLogger(__name__)

TEST_SHARE = 0.25
MIN_USER_RATINGS = 4  # fewer: the user stays in training only (no hidden items, so counted nowhere)
EASE_TOP = 200
EASE_LAMBDAS = (10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
ALS_GRID = tuple({"factors": 64, "reg": reg, "alpha": alpha} for reg in (10.0, 30.0, 100.0) for alpha in (2.0, 5.0))
ALS_ITERATIONS = 15
_BLOCK = 512  # rows of B computed at a time by ease_neighbours


def stratified_split(df: pd.DataFrame, seed: int, test_share: float = TEST_SHARE,
                     min_ratings: int = MIN_USER_RATINGS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test): each user's ratings in a seeded random order, the first round((1 - test_share) * n) to
    training, the rest to test; users with fewer than `min_ratings` ratings go to training whole."""
    rng = np.random.default_rng(seed)
    users = df[COL_USER].to_numpy()
    order = np.lexsort((rng.random(len(df)), users))
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    counts = np.diff(np.r_[starts, sorted_users.size])
    rank = np.arange(sorted_users.size) - np.repeat(starts, counts)
    n_train = np.where(counts < min_ratings, counts, np.floor((1.0 - test_share) * counts + 0.5).astype(int))
    is_test = np.empty(len(df), dtype=bool)
    is_test[order] = rank >= np.repeat(n_train, counts)
    return df[~is_test].reset_index(drop=True), df[is_test].reset_index(drop=True)


@dataclass
class Interactions:
    """The training ratings as matrices: users and items are positions in the sorted ids (as model.dataset's
    Encoded), `binary` is 1 where a user rated an item, `ratings` holds the rating there (0 elsewhere)."""

    user_ids: np.ndarray
    item_ids: np.ndarray
    binary: np.ndarray    # users x items, float32
    ratings: np.ndarray   # users x items, float32

    @classmethod
    def of(cls, train: pd.DataFrame) -> Interactions:
        user_idx, user_ids = pd.factorize(train[COL_USER], sort=True)
        item_idx, item_ids = pd.factorize(train[COL_ITEM], sort=True)
        ratings = np.zeros((len(user_ids), len(item_ids)), dtype=np.float32)
        ratings[user_idx, item_idx] = train[COL_RATING].to_numpy(dtype=np.float32)
        return cls(np.asarray(user_ids), np.asarray(item_ids), (ratings > 0).astype(np.float32), ratings)

    @property
    def item_users(self) -> np.ndarray:
        """How many training users rated each item."""
        return self.binary.sum(axis=0).astype(np.int64)

    def hidden(self, test: pd.DataFrame) -> list[np.ndarray]:
        """Each training user's test items as item positions (-2 for an item nobody rated in training: it
        counts as relevant but no list can hold it)."""
        pos = _positions(self.item_ids, test[COL_ITEM].to_numpy())
        users = _positions(self.user_ids, test[COL_USER].to_numpy())
        out: list[list[int]] = [[] for _ in range(self.user_ids.size)]
        for u, i in zip(users.tolist(), pos.tolist(), strict=True):
            if u >= 0:
                out[u].append(i if i >= 0 else -2)
        return [np.array(items, dtype=np.int64) for items in out]

    def evaluate(self, scores: np.ndarray, test: pd.DataFrame, k: int = DEFAULT_K,
                 candidates: np.ndarray | None = None) -> dict[str, float]:
        """`top_k_metrics` of the lists `top_k` makes from `scores` (users x items)."""
        lists = top_k(scores, self.binary > 0, k, candidates)
        return top_k_metrics(lists, self.hidden(test), self.item_users, self.user_ids.size, k)


def _positions(ids: np.ndarray, raw: np.ndarray) -> np.ndarray:
    pos = np.clip(np.searchsorted(ids, raw), 0, ids.size - 1)
    return np.where(ids[pos] == raw, pos, -1)


def top_k(scores: np.ndarray, rated: np.ndarray, k: int = DEFAULT_K,
          candidates: np.ndarray | None = None) -> np.ndarray:
    """users x k item positions, best first (ties: lower position first), leaving out each user's `rated`
    items and, with `candidates` (a boolean per item), the items outside it; -1 where fewer are left."""
    allowed = ~rated if candidates is None else ~rated & candidates[None, :]
    masked = np.where(allowed, scores.astype(np.float64), -np.inf)
    n_items = masked.shape[1]
    part = np.argpartition(-masked, min(k, n_items - 1), axis=1)[:, :k] if n_items > k else \
        np.tile(np.arange(n_items), (masked.shape[0], 1))
    out = np.full((masked.shape[0], k), -1, dtype=np.int64)
    for u, row in enumerate(part):
        # exact order among the partition's survivors, plus anything tied with the k-th score
        cut = masked[u, row].min()
        pool = np.flatnonzero(masked[u] >= cut) if np.isfinite(cut) else row[np.isfinite(masked[u, row])]
        best = pool[np.lexsort((pool, -masked[u, pool]))][:k]
        out[u, :best.size] = best
    return out


# ---- EASE ---------------------------------------------------------------------------------------------
@dataclass
class Ease:
    """A fitted EASE model in Woodbury form: enough for scores and for any row of B, never the dense B."""

    lam: float
    binary: np.ndarray       # users x items the model was fitted on
    kx: np.ndarray           # (XX' + lam I)^-1 X, users x items
    diag_p: np.ndarray       # diag(P), items

    def p_rows(self, rows: np.ndarray) -> np.ndarray:
        """Rows of P = (I - X'(XX' + lam I)^-1 X) / lam."""
        block = -(self.binary[:, rows].T @ self.kx)
        block[np.arange(rows.size), rows] += 1.0
        return block / self.lam

    def b_rows(self, rows: np.ndarray) -> np.ndarray:
        """Rows of B = I - P diag(1/diag(P)) (zero diagonal)."""
        block = -self.p_rows(rows) / self.diag_p[None, :]
        block[np.arange(rows.size), rows] = 0.0
        return block

    def scores(self, x: np.ndarray) -> np.ndarray:
        """x B for rows x (users x items), through X'(...) products only."""
        xp = (x - (x @ self.binary.T) @ self.kx) / self.lam
        return x - xp / self.diag_p[None, :]


def fit_ease(binary: np.ndarray, lam: float) -> Ease:
    """EASE on a users x items 0/1 matrix with L2 weight `lam`."""
    x = binary.astype(np.float64)
    gram = x @ x.T
    gram[np.diag_indices_from(gram)] += lam
    kx = np.linalg.solve(gram, x)
    diag_p = (1.0 - np.einsum("ui,ui->i", x, kx)) / lam
    return Ease(lam, x, kx, diag_p)


def tune_ease(train: pd.DataFrame, seed: int, lambdas: tuple[float, ...] = EASE_LAMBDAS,
              k: int = DEFAULT_K) -> tuple[float, dict[float, float]]:
    """(the lambda with the best validation nDCG@k, nDCG@k per lambda): fitted on a stratified split of
    `train` (seed + 1), scored on its held-out part."""
    fit_part, val_part = stratified_split(train, seed + 1)
    inter = Interactions.of(fit_part)
    ndcg = {}
    for lam in tqdm(lambdas, desc="EASE lambda", unit="fit", file=sys.stderr,
                    disable=not log.isEnabledFor(logging.INFO)):
        ndcg[lam] = inter.evaluate(fit_ease(inter.binary, lam).scores(inter.binary), val_part, k)["ndcg@k"]
    best = max(ndcg, key=lambda lam: ndcg[lam])
    log.info("EASE: lambda %s (validation nDCG@%d %.4f)", best, k, ndcg[best])
    return best, ndcg


def ease_neighbours(model: Ease, top: int = EASE_TOP) -> dict[str, np.ndarray]:
    """Each item's `top` strongest weights (largest |weight|: the negative ones rank too) of its row of B, as
    CSR arrays: ease_indptr (items + 1, int64), ease_items (int32 item positions) and ease_weights (float32),
    strongest first; rows keep only non-zero weights."""
    n_items = model.diag_p.size
    top = min(top, n_items - 1)
    items = np.empty((n_items, top), dtype=np.int32)
    weights = np.empty((n_items, top), dtype=np.float32)
    for start in range(0, n_items, _BLOCK):
        rows = np.arange(start, min(start + _BLOCK, n_items))
        block = model.b_rows(rows)
        strength = np.abs(block)
        strength[np.arange(rows.size), rows] = -1.0  # an item is not its own neighbour
        best = np.argpartition(-strength, top - 1, axis=1)[:, :top]
        order = np.argsort(-np.take_along_axis(strength, best, axis=1), axis=1, kind="stable")
        best = np.take_along_axis(best, order, axis=1)
        items[rows] = best
        weights[rows] = np.take_along_axis(block, best, axis=1)
    keep = weights != 0
    return {"ease_indptr": np.r_[0, np.cumsum(keep.sum(axis=1))].astype(np.int64),
            "ease_items": items[keep].astype(np.int32), "ease_weights": weights[keep].astype(np.float32)}


def neighbour_scores(neighbours: dict[str, np.ndarray], items: np.ndarray, values: np.ndarray,
                     n_items: int) -> np.ndarray:
    """A visitor's score of every item: the sum over their rated `items` of value x that item's neighbour
    weights (the CSR rows of `ease_neighbours`)."""
    indptr, cols, weights = neighbours["ease_indptr"], neighbours["ease_items"], neighbours["ease_weights"]
    scores = np.zeros(n_items, dtype=np.float64)
    for item, value in zip(items.tolist(), values.tolist(), strict=True):
        lo, hi = indptr[item], indptr[item + 1]
        np.add.at(scores, cols[lo:hi], value * weights[lo:hi].astype(np.float64))
    return scores


def fit_ranker(train: pd.DataFrame, seed: int) -> tuple[dict[str, np.ndarray], dict[str, Any], Ease]:
    """The served ranker on `train`: lambda tuned, EASE fitted on all of `train`, truncated to EASE_TOP
    neighbours per item; (arrays aligned with the sorted item ids of `train`, what was chosen and how long,
    the untruncated model)."""
    started = time.perf_counter()
    lam, validation = tune_ease(train, seed)
    model = fit_ease(Interactions.of(train).binary, lam)
    arrays = ease_neighbours(model)
    seconds = round(time.perf_counter() - started, 1)
    log.info("EASE ranker: lambda %s, top %d neighbours per item, %s weights, %.1f s", lam, EASE_TOP,
             f"{arrays['ease_weights'].size:,}", seconds)
    return arrays, {"name": "EASE", "lambda": lam, "top": EASE_TOP, "input": "1 per rated film",
                    "validation_ndcg@10": {f"{k:g}": v for k, v in validation.items()}, "seconds": seconds}, model


# ---- implicit ALS -------------------------------------------------------------------------------------
def fit_als(binary: np.ndarray, factors: int, reg: float, alpha: float, seed: int,
            iterations: int = ALS_ITERATIONS) -> tuple[np.ndarray, np.ndarray]:
    """(user factors, item factors) of implicit ALS: confidence 1 + alpha where rated (preference 1), 1 with
    preference 0 elsewhere, L2 weight `reg`; each half-step solves every row exactly."""
    rng = np.random.default_rng(seed)
    n_users, n_items = binary.shape
    users = rng.normal(0, 0.01, (n_users, factors))
    items = rng.normal(0, 0.01, (n_items, factors))
    by_user = [np.flatnonzero(row) for row in binary]
    by_item = [np.flatnonzero(col) for col in binary.T]
    for _ in range(iterations):
        _als_half(users, items, by_user, reg, alpha)
        _als_half(items, users, by_item, reg, alpha)
    return users, items


def _als_half(solve_for: np.ndarray, fixed: np.ndarray, rated: list[np.ndarray], reg: float, alpha: float) -> None:
    gram = fixed.T @ fixed + reg * np.eye(fixed.shape[1])
    for row, cols in enumerate(rated):
        if cols.size == 0:
            solve_for[row] = 0.0
            continue
        y = fixed[cols]
        solve_for[row] = np.linalg.solve(gram + alpha * (y.T @ y), (1.0 + alpha) * y.sum(axis=0))


def tune_als(train: pd.DataFrame, seed: int, k: int = DEFAULT_K) -> tuple[dict[str, Any], dict[str, float]]:
    """(the ALS_GRID setting with the best validation nDCG@k, nDCG@k per setting), as `tune_ease`."""
    fit_part, val_part = stratified_split(train, seed + 1)
    inter = Interactions.of(fit_part)
    ndcg = {}
    for params in tqdm(ALS_GRID, desc="ALS grid", unit="fit", file=sys.stderr,
                       disable=not log.isEnabledFor(logging.INFO)):
        users, items = fit_als(inter.binary, seed=seed, **params)
        ndcg[_label(params)] = inter.evaluate(users @ items.T, val_part, k)["ndcg@k"]
    best = max(ALS_GRID, key=lambda p: ndcg[_label(p)])
    log.info("ALS: %s (validation nDCG@%d %.4f)", _label(best), k, ndcg[_label(best)])
    return dict(best), ndcg


def _label(params: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in params.items())
