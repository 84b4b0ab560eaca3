"""The one recommender core every catalog serves with: a factor model (SVD, or BaselineOnly with zero-width
factors) and item-item neighbour rows, loaded from verified pickle-free artifacts.

`Recommender` reproduces surprise's `SVD.predict(uid, iid).est` exactly from the exported factors:

    est = global_mean + b_u + b_i + q_i . p_u      (user and item known)
    est = global_mean + b_i                         (unknown user)
    est = global_mean + b_u                         (unknown item)
    est = global_mean                               (both unknown)

clipped to the rating scale; the verdict is "recommend when est >= threshold". It also folds a visitor in (their
bias and factors in closed form, with one term per rated item) and picks the top k of any score (partition, then
an exact sort with ties broken by id). `Neighbours` serves item-item rows (content neighbours, the EASE list
ranker): a list is a visitor's ratings times the rows of their rated items, and "because" is each rated item's
term. Ids may be integers or strings; the catalogs parse their own inputs and add their own item facts.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from config import DEFAULT_THRESHOLD, RATING_MAX, RATING_MIN
from serving.artifacts import ArtifactError, Artifacts, load_artifacts

REQUIRED_ARRAYS = ("global_mean", "user_ids", "item_ids", "user_bias", "item_bias", "user_factors",
                   "item_factors", "rated_indptr", "rated_items")
RANKER_ARRAYS = ("ease_indptr", "ease_items", "ease_weights")  # the list ranker's rows (model.rankers)


@dataclass(frozen=True)
class Explanation:
    """Why the model predicted what it did: the terms of the estimate and which fallback applied."""

    global_mean: float
    user_bias: float
    title_bias: float
    factor_term: float
    raw_estimate: float           # before clipping to the rating scale
    clipped: bool
    user_n_ratings: int           # ratings the model was trained on for this user (0 when unknown)
    known_user: bool
    known_title: bool
    fallback: str | None          # None, "unknown user", "unknown title" or "unknown user and title"


@dataclass(frozen=True)
class Prediction:
    """One predicted rating, the verdict at the threshold, and why."""

    user: int
    item: int | str
    rating: float
    recommend: bool
    threshold: float
    explanation: Explanation


def estimate(global_mean: float, user_bias: np.ndarray, item_bias: np.ndarray, user_factors: np.ndarray,
             item_factors: np.ndarray, u: np.ndarray, i: np.ndarray, rating_scale: tuple[float, float],
             chunk_size: int = 1 << 20) -> np.ndarray:
    """surprise's SVD estimate for many (user row, item row) pairs at once; -1 marks an unknown id.

    Terms are added in surprise's order (mean, user bias, item bias, factor term) and clipped to the scale.
    """
    u, i = np.asarray(u), np.asarray(i)
    est = np.full(u.shape, global_mean, dtype=np.float64)
    known_u, known_i = u >= 0, i >= 0
    est[known_u] += user_bias[u[known_u]]
    est[known_i] += item_bias[i[known_i]]
    both = np.flatnonzero(known_u & known_i)
    for start in range(0, both.size, chunk_size):  # bounded memory for millions of pairs
        rows = both[start:start + chunk_size]
        est[rows] += np.einsum("ij,ij->i", item_factors[i[rows]], user_factors[u[rows]])
    return np.clip(est, *rating_scale)


def _design(factors: np.ndarray) -> np.ndarray:
    design = np.empty((factors.shape[0], factors.shape[1] + 1))
    design[:, 0] = 1.0
    design[:, 1:] = factors
    return design


def solve_fold_in(residuals: np.ndarray, factors: np.ndarray, reg_bu: float, reg_pu: float) -> tuple[float, np.ndarray]:
    """(bias, factors) minimising sum (residual_j - b - q_j . p)^2 + n (reg_bu b^2 + reg_pu |p|^2): the
    regularised least squares surprise's SGD minimises for one user, `residuals` being r_j - mu - b_j of the
    n rated items and `factors` their q_j rows (n x k)."""
    n, k = factors.shape
    design = _design(factors)
    ridge = np.full(k + 1, n * reg_pu)
    ridge[0] = n * reg_bu
    if n <= k:  # the n x n dual form is cheaper: x = D^-1 A^T (A D^-1 A^T + I)^-1 y
        scaled = design / ridge
        x = scaled.T @ np.linalg.solve(scaled @ design.T + np.eye(n), residuals)
    else:
        x = np.linalg.solve(design.T @ design + np.diag(ridge), design.T @ residuals)
    return float(x[0]), x[1:]


def fold_in_terms(residuals: np.ndarray, factors: np.ndarray, targets: np.ndarray, reg_bu: float,
                  reg_pu: float) -> np.ndarray:
    """What each rated item adds to the folded-in part (b + q_i . p) of each target's prediction:
    (len(targets), n), row sums equal to that part exactly (up to rounding). x = M^-1 D' y with D = [1, q_j],
    M = D'D + R, so a target's part [1, q_i] . x is one term per rated item."""
    n, k = factors.shape
    design = _design(factors)
    ridge = np.full(k + 1, n * reg_pu)
    ridge[0] = n * reg_bu
    scaled = design / ridge  # M^-1 D' = R^-1 D' (D R^-1 D' + I)^-1: an n x n solve
    weights = np.linalg.solve(scaled @ design.T + np.eye(n), scaled).T
    return (_design(targets) @ weights) * residuals


def top_k(keep: np.ndarray, scores: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
    """The rows of the n best `scores` among `keep`, best first, ties broken by ascending id."""
    candidates = np.flatnonzero(keep)
    s = scores[candidates]
    if candidates.size > n:  # partial selection, then an exact sort of the few survivors (and ties at the cut)
        cut = np.partition(s, candidates.size - n)[candidates.size - n]
        candidates, s = candidates[s >= cut], s[s >= cut]
    return candidates[np.lexsort((ids[candidates], -s))[:n]]


def _row_of(ids: np.ndarray, value: object) -> int | None:
    pos = int(np.searchsorted(ids, value))
    return pos if pos < ids.size and ids[pos] == value else None


class Neighbours:
    """Item-item rows: row r lists its neighbours' rows and weights, strongest first. Either CSR arrays (indptr,
    items, weights) or fixed-width ones (items and weights n_rows x k, indptr None): read in place, never copied."""

    def __init__(self, items: np.ndarray, weights: np.ndarray, indptr: np.ndarray | None = None):
        self.items, self.weights, self.indptr = items, weights, indptr

    @classmethod
    def ranker(cls, arrays: Mapping[str, np.ndarray]) -> Neighbours | None:
        """The EASE list ranker's rows in `arrays`, None when the artifacts have none."""
        if not all(name in arrays for name in RANKER_ARRAYS):
            return None
        return cls(arrays["ease_items"], arrays["ease_weights"], arrays["ease_indptr"])

    @property
    def n_rows(self) -> int:
        return self.items.shape[0] if self.indptr is None else self.indptr.size - 1

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        """(neighbour rows, weights) of row r, strongest first."""
        if self.indptr is None:
            return self.items[r], self.weights[r]
        lo, hi = self.indptr[r], self.indptr[r + 1]
        return self.items[lo:hi], self.weights[lo:hi]

    def scores(self, rows: np.ndarray, values: np.ndarray, n_items: int) -> np.ndarray:
        """A list's score of every item: sum over the given `rows` of value x that row's weights."""
        parts = [self.row(int(r)) for r in rows]
        if not parts:
            return np.zeros(n_items)
        cols = np.concatenate([p[0] for p in parts])
        weights = np.concatenate([p[1].astype(np.float64) * v for p, v in zip(parts, values.tolist(), strict=True)])
        return np.bincount(cols, weights=weights, minlength=n_items)

    def terms(self, rows: np.ndarray, values: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(len(targets), len(rows)): what each given row adds to each target's score (value x weight)."""
        out = np.zeros((targets.size, rows.size))
        dense = np.zeros(self.n_rows)
        for j, (r, value) in enumerate(zip(rows.tolist(), values.tolist(), strict=True)):
            cols, weights = self.row(r)
            dense[cols] = weights
            out[:, j] = value * dense[targets]
            dense[cols] = 0.0
        return out


def because_shares(terms: np.ndarray, top: int) -> list[list[tuple[int, float]]]:
    """For each row of `terms` (targets x rated items), up to `top` (rated item's column, share), largest first:
    only positive terms, share = the term / the sum of the row's positive terms."""
    out = []
    for row in terms:
        total = float(row[row > 0].sum())
        order = [j for j in np.argsort(-row, kind="stable")[:top] if row[j] > 0]
        out.append([(int(j), float(row[j]) / total) for j in order])
    return out


class Recommender:
    """A factor model at serving time: lookups, exact estimates with their terms, scores of every item for a known
    user, fold-in of a visitor, top-k, and the list ranker's neighbour rows when the artifacts hold them."""

    label = "SVD model"   # how summary() names the model
    noun = "items"        # and its items
    required: tuple[str, ...] = ()  # a catalog's extra arrays
    id_dtype: type | None = None    # cast the ids to this (the Movies' TMDB ids to int64)

    def __init__(self, artifacts: Artifacts, threshold: float | None = None):
        for name in (*REQUIRED_ARRAYS, *self.required):
            artifacts.array(name)  # an ArtifactError naming the file when one is missing
        a = artifacts.arrays
        self.artifacts, self.manifest = artifacts, artifacts.manifest
        self.global_mean = float(a["global_mean"])
        self.user_ids: np.ndarray = a["user_ids"] if self.id_dtype is None else a["user_ids"].astype(self.id_dtype)
        self.item_ids: np.ndarray = a["item_ids"] if self.id_dtype is None else a["item_ids"].astype(self.id_dtype)
        self.user_bias, self.item_bias = a["user_bias"], a["item_bias"]
        self.user_factors, self.item_factors = a["user_factors"], a["item_factors"]
        self.rated_indptr, self.rated_items = a["rated_indptr"], a["rated_items"]
        self.ranker = Neighbours.ranker(a)
        self._check_shapes()
        hp = self.manifest.get("hyperparameters", {})
        self.reg_bu = float(hp.get("reg_bu", 0.02))
        self.reg_pu = float(hp.get("reg_factors", 0.02))
        lo, hi = self.manifest.get("rating_scale", [RATING_MIN, RATING_MAX])
        self.rating_min, self.rating_max = float(lo), float(hi)
        default = self.manifest.get("threshold", DEFAULT_THRESHOLD)
        self.threshold = float(default if threshold is None else threshold)

    @classmethod
    def from_dir(cls, directory: str | os.PathLike, threshold: float | None = None):
        """Load and verify artifacts (checksums, format version) from a directory."""
        return cls(load_artifacts(directory), threshold)

    # ---- lookups -------------------------------------------------------------------------------------
    def user_row(self, user: int) -> int | None:
        """Row of a user id in the factor matrices, None for an unknown one."""
        return _row_of(self.user_ids, user)

    def item_row(self, item: int | str) -> int | None:
        """Row of an item id, None for an unknown one."""
        return _row_of(self.item_ids, item)

    def rated_rows(self, u: int) -> np.ndarray:
        """The item rows user row u rated in training."""
        return self.rated_items[self.rated_indptr[u]:self.rated_indptr[u + 1]]

    def n_rated_of(self, u: int | None) -> int:
        return 0 if u is None else int(self.rated_indptr[u + 1] - self.rated_indptr[u])

    # ---- estimates -----------------------------------------------------------------------------------
    def explained(self, u: int | None, i: int | None) -> tuple[float, Explanation]:
        """surprise's estimate for user row u and item row i (None: unknown, with surprise's fallbacks), clipped,
        and its terms."""
        # Same operations in the same order as surprise's SVD.estimate, so the floats are identical.
        est = self.global_mean
        user_bias = title_bias = factor_term = 0.0
        if u is not None:
            user_bias = float(self.user_bias[u])
            est += self.user_bias[u]
        if i is not None:
            title_bias = float(self.item_bias[i])
            est += self.item_bias[i]
        if u is not None and i is not None:
            factor_term = float(np.dot(self.item_factors[i], self.user_factors[u]))
            est += np.dot(self.item_factors[i], self.user_factors[u])
        raw = float(est)
        rating = min(self.rating_max, max(self.rating_min, raw))
        fallback = {(True, True): None, (False, True): "unknown user", (True, False): "unknown title",
                    (False, False): "unknown user and title"}[(u is not None, i is not None)]
        return rating, Explanation(self.global_mean, user_bias, title_bias, factor_term, raw, rating != raw,
                                   self.n_rated_of(u), u is not None, i is not None, fallback)

    def prediction(self, user: int, item: int | str) -> Prediction:
        """The predicted rating of a (parsed) user and item id, the verdict and its explanation."""
        rating, explanation = self.explained(self.user_row(user), self.item_row(item))
        return Prediction(user, item, rating, rating >= self.threshold, self.threshold, explanation)

    def user_scores(self, u: int | None) -> np.ndarray:
        """Predicted rating of every item for user row u (None: mean + item bias, the cold-start estimate)."""
        est = self.global_mean + self.item_bias
        if u is not None:
            est = est + self.user_bias[u] + self.item_factors @ self.user_factors[u]
        return np.clip(est, self.rating_min, self.rating_max)

    # ---- visitors ------------------------------------------------------------------------------------
    def fold_in(self, rows: np.ndarray, values: np.ndarray) -> tuple[float, np.ndarray]:
        """A visitor's (bias, factors) from their ratings `values` of item `rows`, the items held fixed."""
        return solve_fold_in(values - self.global_mean - self.item_bias[rows], self.item_factors[rows],
                             self.reg_bu, self.reg_pu)

    def visitor_predictions(self, rows: np.ndarray, values: np.ndarray,
                            targets: np.ndarray | None = None) -> np.ndarray:
        """A visitor's folded-in predicted rating of the `targets` item rows (None: every item), clipped."""
        bias, factors = self.fold_in(rows, values)
        targets = slice(None) if targets is None else targets
        return np.clip(self.global_mean + bias + self.item_bias[targets] + self.item_factors[targets] @ factors,
                       self.rating_min, self.rating_max)

    def fold_in_terms(self, rows: np.ndarray, values: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """(len(targets), len(rows)): each rated item's term of each target's folded-in part (fold_in_terms)."""
        residuals = values - self.global_mean - self.item_bias[rows]
        return fold_in_terms(residuals, self.item_factors[rows], self.item_factors[targets], self.reg_bu,
                             self.reg_pu)

    def list_scores(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The list ranker's score of every item for someone who rated item `rows` (their ratings x its rows)."""
        if self.ranker is None:
            raise ArtifactError(f"{self.artifacts.directory}: no list ranker ({', '.join(RANKER_ARRAYS)})")
        return self.ranker.scores(rows, values, self.item_ids.size)

    def top(self, keep: np.ndarray, scores: np.ndarray, n: int) -> np.ndarray:
        """Rows of the n best scores among `keep`, best first, ties by id."""
        return top_k(keep, scores, self.item_ids, n)

    # ---- info ------------------------------------------------------------------------------------------
    @property
    def built_at(self) -> str:
        return str(self.manifest.get("created_at", "unknown"))

    def summary(self) -> str:
        """One line for logs and the app: size, hyper-parameters and when it was built."""
        hp = self.manifest.get("hyperparameters", {})
        return (f"{self.label}: {self.user_ids.size:,} users x {self.item_ids.size:,} {self.noun}, "
                f"{hp.get('n_factors', '?')} factors, threshold {self.threshold}, built {self.built_at}")

    def expect_shapes(self, expected: Mapping[str, tuple[int, ...]]) -> None:
        """ArtifactError naming the first array whose shape differs."""
        for name, shape in expected.items():
            if self.artifacts.arrays[name].shape != shape:
                self.bad(name, f"shape {self.artifacts.arrays[name].shape}, expected {shape}")

    def _check_shapes(self) -> None:
        n_users, n_items = self.user_ids.size, self.item_ids.size
        self.expect_shapes({"user_bias": (n_users,), "item_bias": (n_items,), "rated_indptr": (n_users + 1,)})
        if self.user_factors.ndim != 2 or self.user_factors.shape[0] != n_users:
            self.bad("user_factors", f"shape {self.user_factors.shape}, expected ({n_users}, k)")
        if self.item_factors.shape != (n_items, self.user_factors.shape[1]):
            self.bad("item_factors", f"shape {self.item_factors.shape}, expected ({n_items}, "
                                     f"{self.user_factors.shape[1]})")
        if self.ranker is not None and self.ranker.n_rows != n_items:
            self.bad("ease_indptr", f"{self.ranker.n_rows} rows, expected one per item ({n_items})")

    def bad(self, name: str, detail: str) -> None:
        raise ArtifactError(f"{Path(self.artifacts.directory) / (name + '.npy')}: {detail}")
