"""Serving-time SVD recommender: predictions, decisions, explanations and top-N from pickle-free artifacts.

`Predictor` reproduces surprise's `SVD.predict(uid, iid).est` exactly from the exported factors:

    est = global_mean + b_u + b_i + q_i . p_u      (user and title known)
    est = global_mean + b_i                         (unknown user)
    est = global_mean + b_u                         (unknown title)
    est = global_mean                               (both unknown)

clipped to the rating scale (0.5..5.0). The product's decision is "recommend when est >= threshold".
`top_n` scores the whole catalog in one matrix-vector product and leaves out what the user already rated.
No surprise import is needed here: the app imports only this module (and the Hub loader).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from config import COL_ID, DEFAULT_THRESHOLD
from inputs.choices import parse_optional_content_type
from inputs.numbers import parse_n, parse_user_id
from inputs.platforms import id_letter, parse_optional_platform
from inputs.titles import parse_title_id
from serving.artifacts import ArtifactError, Artifacts, load_artifacts

# The arrays this module needs (written by model.train).
REQUIRED_ARRAYS = ("global_mean", "user_ids", "item_ids", "user_bias", "item_bias", "user_factors",
                   "item_factors", "rated_indptr", "rated_items", "item_types", "item_recommendable")


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
    """One predicted rating and the product's decision."""

    user: int
    title: str
    rating: float
    recommend: bool
    threshold: float
    explanation: Explanation


def estimate(global_mean: float, user_bias: np.ndarray, item_bias: np.ndarray, user_factors: np.ndarray,
             item_factors: np.ndarray, u: np.ndarray, i: np.ndarray, rating_scale: tuple[float, float],
             chunk_size: int = 1 << 20) -> np.ndarray:
    """surprise's SVD estimate for many (user row, title row) pairs at once; -1 marks an unknown id.

    Terms are added in surprise's order (mean, user bias, title bias, factor term) and clipped to the scale.
    Used for evaluation at train time; BaselineOnly is the same with zero-width factor matrices.
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


def explained_estimate(model: Any, u: int | None, i: int | None) -> tuple[float, Explanation]:
    """surprise's SVD estimate for user row `u` and item row `i` (None: unknown, with surprise's fallbacks),
    clipped to the model's scale, and its terms. `model` has the factor arrays, biases, global_mean,
    rated_indptr and rating_min/rating_max of Predictor or the Movies recommender."""
    # Same operations in the same order as surprise's SVD.estimate, so the floats are identical.
    est = model.global_mean
    user_bias = title_bias = factor_term = 0.0
    if u is not None:
        user_bias = float(model.user_bias[u])
        est += model.user_bias[u]
    if i is not None:
        title_bias = float(model.item_bias[i])
        est += model.item_bias[i]
    if u is not None and i is not None:
        factor_term = float(np.dot(model.item_factors[i], model.user_factors[u]))
        est += np.dot(model.item_factors[i], model.user_factors[u])
    raw = float(est)
    rating = min(model.rating_max, max(model.rating_min, raw))
    fallback = {(True, True): None, (False, True): "unknown user", (True, False): "unknown title",
                (False, False): "unknown user and title"}[(u is not None, i is not None)]
    n_ratings = 0 if u is None else int(model.rated_indptr[u + 1] - model.rated_indptr[u])
    explanation = Explanation(model.global_mean, user_bias, title_bias, factor_term, raw, rating != raw,
                              n_ratings, u is not None, i is not None, fallback)
    return rating, explanation


class Predictor:
    """Predicts ratings, decides "recommend / don't recommend" and ranks titles for a user."""

    def __init__(self, artifacts: Artifacts, threshold: float | None = None):
        for name in REQUIRED_ARRAYS:
            artifacts.array(name)  # an ArtifactError naming the file when one is missing
        a = artifacts.arrays
        self.artifacts = artifacts
        self.manifest = artifacts.manifest
        self.global_mean = float(a["global_mean"])
        self.user_ids: np.ndarray = a["user_ids"]
        self.item_ids: np.ndarray = a["item_ids"]
        self.user_bias: np.ndarray = a["user_bias"]
        self.item_bias: np.ndarray = a["item_bias"]
        self.user_factors: np.ndarray = a["user_factors"]
        self.item_factors: np.ndarray = a["item_factors"]
        self.rated_indptr: np.ndarray = a["rated_indptr"]
        self.rated_items: np.ndarray = a["rated_items"]
        self.item_types: np.ndarray = a["item_types"]
        self.item_recommendable: np.ndarray = a["item_recommendable"]  # False for the catalog's test rows
        self._check_shapes()
        lo, hi = self.manifest.get("rating_scale", [0.5, 5.0])
        self.rating_min, self.rating_max = float(lo), float(hi)
        default = self.manifest.get("threshold", DEFAULT_THRESHOLD)
        self.threshold = float(default if threshold is None else threshold)
        # The platform of a title is the first letter of its id.
        self.item_platform_letter = self.item_ids.astype("<U1")

    @classmethod
    def from_dir(cls, directory: str | os.PathLike, threshold: float | None = None) -> Predictor:
        """Load and verify artifacts (checksums, format version) from a directory."""
        return cls(load_artifacts(directory), threshold)

    # ---- lookups -------------------------------------------------------------------------------------
    def user_index(self, user: object) -> int | None:
        """Row of a user in the factor matrices, None for a well-formed but unknown user."""
        uid = parse_user_id(user)
        pos = int(np.searchsorted(self.user_ids, uid))
        return pos if pos < self.user_ids.size and self.user_ids[pos] == uid else None

    def item_index(self, title: object) -> int | None:
        """Row of a title in the factor matrices, None for a well-formed but unknown title."""
        tid = parse_title_id(title)
        pos = int(np.searchsorted(self.item_ids, tid))
        return pos if pos < self.item_ids.size and self.item_ids[pos] == tid else None

    def is_known_user(self, user: object) -> bool:
        return self.user_index(user) is not None

    def n_rated(self, user: object) -> int:
        """How many titles the user rated in the training data (0 for an unknown user)."""
        u = self.user_index(user)
        return 0 if u is None else int(self.rated_indptr[u + 1] - self.rated_indptr[u])

    # ---- predictions ---------------------------------------------------------------------------------
    def predict(self, user: object, title: object) -> Prediction:
        """Predicted rating (exactly surprise's SVD estimate), decision at the threshold, and explanation."""
        uid, tid = parse_user_id(user), parse_title_id(title)
        u, i = self.user_index(uid), self.item_index(tid)
        rating, explanation = explained_estimate(self, u, i)
        return Prediction(uid, tid, rating, rating >= self.threshold, self.threshold, explanation)

    def scores(self, user: object) -> np.ndarray:
        """Predicted rating of every title in `item_ids` for the user, vectorized and clipped."""
        u = self.user_index(user)
        if u is None:  # cold start: mean + title bias, the same estimate predict() gives
            est = self.global_mean + self.item_bias
        else:
            est = self.global_mean + self.user_bias[u] + self.item_bias + self.item_factors @ self.user_factors[u]
        return np.clip(est, self.rating_min, self.rating_max)

    def top_n(self, user: object, n: object = 10, platform: object = None,
              content_type: object = None) -> pd.DataFrame:
        """The user's n best titles (n from 1 to inputs.numbers.MAX_N) over the whole catalog, leaving out
        titles they already rated (and test rows).

        platform: amazon/disney/hulu/netflix or a full name, any case (None/"" for all);
        content_type: movie or tv show (and their usual spellings; None/"" for both).
        Returns columns id, predicted_rating, recommend, best first (ties broken by id).
        """
        n = parse_n(n)
        u = self.user_index(user)
        keep = self.item_recommendable.copy()
        platform = parse_optional_platform(platform)
        if platform is not None:
            keep &= self.item_platform_letter == id_letter(platform)
        content_type = parse_optional_content_type(content_type)
        if content_type is not None:
            keep &= self.item_types == content_type
        if u is not None:
            keep[self.rated_items[self.rated_indptr[u]:self.rated_indptr[u + 1]]] = False
        candidates = np.flatnonzero(keep)
        scores = self.scores(user)[candidates]
        if candidates.size > n:  # partial selection, then an exact sort of the few survivors
            cut = np.partition(scores, candidates.size - n)[candidates.size - n]
            mask = scores >= cut
            candidates, scores = candidates[mask], scores[mask]
        order = np.lexsort((self.item_ids[candidates], -scores))[:n]
        best = candidates[order]
        return pd.DataFrame({
            COL_ID: self.item_ids[best].astype(str),
            "predicted_rating": scores[order],
            "recommend": scores[order] >= self.threshold,
        })

    # ---- info ------------------------------------------------------------------------------------------
    @property
    def built_at(self) -> str:
        return str(self.manifest.get("created_at", "unknown"))

    def summary(self) -> str:
        """One line for logs and the app: size, hyper-parameters and when it was built."""
        hp = self.manifest.get("hyperparameters", {})
        return (f"SVD model: {self.user_ids.size:,} users x {self.item_ids.size:,} titles, "
                f"{hp.get('n_factors', '?')} factors, threshold {self.threshold}, built {self.built_at}")

    def _check_shapes(self) -> None:
        n_users, n_items = self.user_ids.size, self.item_ids.size
        expected = {
            "user_bias": (n_users,), "item_bias": (n_items,), "item_types": (n_items,),
            "item_recommendable": (n_items,),
            "rated_indptr": (n_users + 1,),
        }
        for name, shape in expected.items():
            if self.artifacts.arrays[name].shape != shape:
                self._bad(name, f"shape {self.artifacts.arrays[name].shape}, expected {shape}")
        if self.user_factors.ndim != 2 or self.user_factors.shape[0] != n_users:
            self._bad("user_factors", f"shape {self.user_factors.shape}, expected ({n_users}, k)")
        if self.item_factors.shape != (n_items, self.user_factors.shape[1]):
            self._bad("item_factors", f"shape {self.item_factors.shape}, expected ({n_items}, "
                                      f"{self.user_factors.shape[1]})")

    def _bad(self, name: str, detail: str) -> None:
        raise ArtifactError(f"{Path(self.artifacts.directory) / (name + '.npy')}: {detail}")
