"""The Movies catalog's recommender at serving time: fold-in for visitors, top-N and predictions for known users.

Loads the Movies model (its artifacts folder, written by `python -m model.train --catalog movies`) through
`serving.artifacts.load_artifacts` (format version and sha256 checked, no pickle). Item ids are TMDB ids.
Imports nothing from model/, etl/ or surprise.

A **visitor** (someone the model never saw) gives at least three (TMDB id, rating) pairs:

- `fold_in` solves their bias and factors against the fixed item factors and biases, in closed form: the
  regularised least squares that surprise's SGD minimises for one user (each rating adds reg * |p|^2 and
  reg_bu * b^2, so the ridge is n_ratings x the training regularisation):

      min_{b, p}  sum_j (r_j - mu - b_j - b - q_j . p)^2 + n (reg_bu b^2 + reg_pu |p|^2)

- `because` splits each pick's folded-in prediction (b + q_i . p) exactly into one term per rated film
  (`fold_in_terms`) and names the films that raise it most: "Because you rated Toy Story, Up".

- `for_visitor` ranks every film the model knows (the rated ones left out). Plain fold-in alone ranks by
  `mu + b + b_i + q_i . p`; with three to five ratings the ridge keeps |p| small, so the item biases win and
  everyone gets the same well-liked films (see the model card: genre share of the top 10 for themed
  visitors). The default method ("blend") ranks by a weighted sum of three z-scored signals over the
  candidates: the folded-in prediction, the similarity of each film's factors to the rated films' factors
  (cosine, weighted by how far each rating sits from the mean rating) and the same for the films' genres;
  candidates need `min_support` training ratings, since factors of films rated once or twice are noise.
  The weights live in the manifest (`visitor_method`), chosen by the trainer from the numbers it reports.

Known users (the MovieLens users): `predict` (surprise's estimate with its explanation) and `top_n_for_user`
(filters by genres, release years and a set of allowed TMDB ids, e.g. the films on the visitor's platforms,
which the caller derives from where_to_watch.parquet).

Errors are `errors.InputError` (every door shows them as a 4xx / gr.Error): fewer than three rated films,
ratings outside 0.5-5 or off the half-star grid, films the model does not know (listed), a film rated twice.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from catalog.search import TitleIndex
from config import COL_ID, COL_PLATFORM, DEFAULT_THRESHOLD, RATING_MAX, RATING_MIN
from errors import InputError, NotFound
from inputs.numbers import parse_n, parse_user_id, whole_number
from inputs.ratings import parse_visitor_ratings
from inputs.text import echo
from inputs.titles import parse_tmdb_id
from serving.artifacts import ArtifactError, Artifacts, load_artifacts
from serving.predictor import Explanation, explained_estimate

BECAUSE_TOP = 3  # rated films named as the reason of a visitor's pick
REQUIRED_ARRAYS = ("global_mean", "user_ids", "item_ids", "user_bias", "item_bias", "user_factors",
                   "item_factors", "rated_indptr", "rated_items", "item_n_ratings", "item_titles", "item_years",
                   "item_genres", "genre_names")
# Used when a manifest has no `visitor_method` (the trainer always writes one).
DEFAULT_VISITOR_METHOD = {"name": "blend", "w_prediction": 1.0, "w_factors": 1.0, "w_genres": 1.0,
                          "min_support": 10}


@dataclass(frozen=True)
class MoviePrediction:
    """A known user's predicted rating of one film, the decision at the threshold, and why."""

    user: int
    id: int
    title: str | None
    rating: float
    recommend: bool
    threshold: float
    explanation: Explanation


def solve_fold_in(residuals: np.ndarray, factors: np.ndarray, reg_bu: float, reg_pu: float) -> tuple[float, np.ndarray]:
    """(bias, factors) minimising sum (residual_j - b - q_j . p)^2 + n (reg_bu b^2 + reg_pu |p|^2).

    `residuals` are r_j - mu - b_j for the n rated items, `factors` their q_j rows (n x k).
    """
    n, k = factors.shape
    design = np.empty((n, k + 1))
    design[:, 0] = 1.0
    design[:, 1:] = factors
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
    """What each rated film adds to the folded-in part (b + q_i . p) of the prediction of each target film.

    solve_fold_in's (b, p) is x = M^-1 D' y, with D = [1, q_j] (n x k+1, one row per rated film), M = D'D + R
    (R the diagonal ridge n*reg_bu, n*reg_pu, ...) and y the residuals. A target film's fold-in part is
    [1, q_i] . x = sum_j ([1, q_i] M^-1 [1, q_j]') y_j: one term per rated film, and the terms sum to it exactly
    (up to rounding). Returns (len(targets), n): row i holds film i's terms, `targets` being its q_i rows.
    """
    n, k = factors.shape
    design = np.empty((n, k + 1))
    design[:, 0] = 1.0
    design[:, 1:] = factors
    ridge = np.full(k + 1, n * reg_pu)
    ridge[0] = n * reg_bu
    # M^-1 D' = R^-1 D' (D R^-1 D' + I)^-1 (the same identity as solve_fold_in's dual form): an n x n solve.
    scaled = design / ridge
    weights = np.linalg.solve(scaled @ design.T + np.eye(n), scaled).T  # (k+1) x n, symmetric system
    target_design = np.empty((targets.shape[0], k + 1))
    target_design[:, 0] = 1.0
    target_design[:, 1:] = targets
    return (target_design @ weights) * residuals


def _zscore(values: np.ndarray) -> np.ndarray:
    std = values.std()
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


class MovieRecommender:
    """The Movies model: fold-in and top-N for visitors, predictions and top-N for known users."""

    def __init__(self, artifacts: Artifacts, threshold: float | None = None):
        for name in REQUIRED_ARRAYS:
            artifacts.array(name)
        a = artifacts.arrays
        self.artifacts, self.manifest = artifacts, artifacts.manifest
        self.global_mean = float(a["global_mean"])
        self.user_ids: np.ndarray = a["user_ids"].astype(np.int64)
        self.item_ids: np.ndarray = a["item_ids"].astype(np.int64)
        self.user_bias, self.item_bias = a["user_bias"], a["item_bias"]
        self.user_factors, self.item_factors = a["user_factors"], a["item_factors"]
        self.rated_indptr, self.rated_items = a["rated_indptr"], a["rated_items"]
        self.item_n_ratings: np.ndarray = a["item_n_ratings"]
        self.item_titles: np.ndarray = a["item_titles"]
        self.item_years: np.ndarray = a["item_years"]
        self.item_genres: np.ndarray = a["item_genres"].astype(bool)
        self.genre_names: np.ndarray = a["genre_names"]
        # Content neighbours of every catalog film (model.content.build_movie_neighbours), TMDB ids ascending.
        # The trainer's evaluation models have none: their similar_by_content is empty.
        self.content_ids: np.ndarray = a.get("content_ids", np.empty(0, dtype=np.int64)).astype(np.int64)
        self.content_idx = a.get("content_idx", np.empty((0, 0), dtype=np.int32))
        self.content_score = a.get("content_score", np.empty((0, 0), dtype=np.float32))
        self._check_shapes()
        hp = self.manifest.get("hyperparameters", {})
        self.reg_bu = float(hp.get("reg_bu", 0.02))
        self.reg_pu = float(hp.get("reg_factors", 0.02))
        lo, hi = self.manifest.get("rating_scale", [RATING_MIN, RATING_MAX])
        self.rating_min, self.rating_max = float(lo), float(hi)
        self.threshold = float(self.manifest.get("threshold", DEFAULT_THRESHOLD) if threshold is None else threshold)
        self.method = {**DEFAULT_VISITOR_METHOD, **self.manifest.get("visitor_method", {})}
        # Unit-length factor rows and genre rows: cosine similarities are then plain matrix products.
        norms = np.linalg.norm(self.item_factors, axis=1, keepdims=True)
        # float32: they only rank (similarities), and half the memory of the float64 factors.
        self._unit_factors = (self.item_factors / np.where(norms > 0, norms, 1.0)).astype(np.float32)
        # Subnormal floats (factors of films SGD barely moved) make every product with them ~30x slower.
        self._unit_factors[np.abs(self._unit_factors) < 1e-12] = 0.0
        genre_counts = self.item_genres.sum(axis=1, keepdims=True)
        self._unit_genres = (self.item_genres / np.sqrt(np.where(genre_counts > 0, genre_counts, 1))).astype(np.float32)
        self._genre_index = {str(g).lower(): j for j, g in enumerate(self.genre_names)}
        self._title_index: TitleIndex | None = None
        self._index_lock = threading.Lock()

    @classmethod
    def from_dir(cls, directory: str | os.PathLike,
                 threshold: float | None = None) -> MovieRecommender:
        """Load and verify the Movies artifacts (checksums, format version) from a directory."""
        return cls(load_artifacts(directory), threshold)

    # ---- lookups -------------------------------------------------------------------------------------
    def item_index(self, tmdb_id: int) -> int | None:
        pos = int(np.searchsorted(self.item_ids, tmdb_id))
        return pos if pos < self.item_ids.size and self.item_ids[pos] == tmdb_id else None

    def user_index(self, user_id: int) -> int | None:
        pos = int(np.searchsorted(self.user_ids, user_id))
        return pos if pos < self.user_ids.size and self.user_ids[pos] == user_id else None

    def _items_of(self, ratings: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        ids = np.array([tid for tid, _ in ratings], dtype=np.int64)
        pos = np.clip(np.searchsorted(self.item_ids, ids), 0, self.item_ids.size - 1)
        unknown = ids[self.item_ids[pos] != ids]
        if unknown.size:
            raise InputError(f"the model knows no ratings of these movie ids, so it cannot use them: "
                             f"{', '.join(map(str, unknown.tolist()))}. Rate movies with MovieLens ratings "
                             f"({self.item_ids.size:,} of the catalog's films).")
        return pos, np.array([r for _, r in ratings], dtype=np.float64)

    # ---- visitors --------------------------------------------------------------------------------------
    def _fold_in(self, items: np.ndarray, values: np.ndarray) -> tuple[float, np.ndarray]:
        """A visitor's (bias, factors), solved against the fixed item factors and biases (see the module doc)."""
        residuals = values - self.global_mean - self.item_bias[items]
        return solve_fold_in(residuals, self.item_factors[items], self.reg_bu, self.reg_pu)

    def visitor_method(self, method: str | dict[str, Any] | None = None) -> dict[str, Any]:
        """The ranking method: the manifest's (None), "plain" (fold-in prediction only, no support floor),
        "blend" (the manifest's weights) or a dict overriding some of name/weights/min_support."""
        if method is None or method == "blend":
            return {**self.method, "name": "blend"} if method else dict(self.method)
        if method == "plain":
            return {"name": "plain", "min_support": 0}
        if isinstance(method, dict):
            return {**self.method, **method}
        raise InputError(f"method must be 'blend' or 'plain'; got {echo(method)}.")

    def visitor_components(self, items: np.ndarray, values: np.ndarray,
                           parts: Collection[str] = ("factors", "genres")) -> dict[str, np.ndarray]:
        """The signals the visitor methods rank by, for every item: the folded-in predicted rating
        ("predicted"), and z-scores over all items of the prediction ("prediction"), of the factor similarity
        ("factors") and of the genre similarity ("genres") to the rated films (those in `parts`; the others
        are zeros)."""
        bias, factors = self._fold_in(items, values)
        predicted = np.clip(self.global_mean + bias + self.item_bias + self.item_factors @ factors,
                            self.rating_min, self.rating_max)
        # How much each rated film says about taste: liked (above the mean rating) pulls, disliked pushes.
        weight = (values - self.global_mean).astype(np.float32)  # float32 like the unit rows: no upcast copies
        zeros = np.zeros_like(predicted)
        return {
            "predicted": predicted,
            "prediction": _zscore(predicted),
            "factors": (_zscore(self._unit_factors @ (self._unit_factors[items].T @ weight)) if "factors" in parts
                        else zeros),
            "genres": (_zscore(self._unit_genres @ (self._unit_genres[items].T @ weight)) if "genres" in parts
                       else zeros),
        }

    @staticmethod
    def combine(components: dict[str, np.ndarray], method: dict[str, Any]) -> np.ndarray:
        """The ranking score of a method from `visitor_components`: the prediction ("plain") or the
        weighted sum of the z-scores ("blend")."""
        if method["name"] == "plain":
            return components["predicted"]
        return (method["w_prediction"] * components["prediction"] + method["w_factors"] * components["factors"]
                + method["w_genres"] * components["genres"])

    def visitor_scores(self, items: np.ndarray, values: np.ndarray,
                       method: str | dict[str, Any] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ranking score, predicted rating) of every item for a visitor who rated `items` with `values`."""
        m = self.visitor_method(method)
        parts = [] if m["name"] == "plain" else [p for p in ("factors", "genres") if m[f"w_{p}"]]
        components = self.visitor_components(items, values, parts)
        return self.combine(components, m), components["predicted"]

    def for_visitor(self, ratings: object, n: object = 10, allowed_ids: Collection[int] | None = None,
                    method: str | dict[str, Any] | None = None,
                    exclude_ids: Collection[int] = ()) -> list[dict[str, Any]]:
        """The visitor's n best films (rated ones left out), best first: {id, title, year, genres, score,
        predicted_rating, recommend, n_ratings, because}. `allowed_ids`: only these TMDB ids (e.g. the films on
        the visitor's platforms, from where_to_watch.parquet). `exclude_ids`: never these (the films the visitor
        said they are not interested in). `method`: see `visitor_method`. `because`: see `because`."""
        n = parse_n(n)
        items, values = self._items_of(parse_visitor_ratings(ratings))
        m = self.visitor_method(method)
        score, predicted = self.visitor_scores(items, values, m)
        keep = self._allowed(allowed_ids)
        if m.get("min_support"):
            keep &= self.item_n_ratings >= int(m["min_support"])
        if len(exclude_ids):
            keep &= ~np.isin(self.item_ids, np.fromiter((int(x) for x in exclude_ids), dtype=np.int64))
        keep[items] = False
        picks = self._best(keep, score, predicted, n)
        reasons = self.because(items, values, [self.item_index(p["id"]) for p in picks])
        return [{**pick, "because": reason} for pick, reason in zip(picks, reasons, strict=True)]

    def because_terms(self, items: np.ndarray, values: np.ndarray, targets: list[int]) -> np.ndarray:
        """(len(targets), len(items)): what each rated film adds to each target's folded-in prediction (the
        visitor's bias plus q_i . p, in rating points; fold_in_terms). Row sums equal that part exactly."""
        residuals = values - self.global_mean - self.item_bias[items]
        target_factors = self.item_factors[np.asarray(targets, dtype=np.int64)]
        return fold_in_terms(residuals, self.item_factors[items], target_factors, self.reg_bu, self.reg_pu)

    def because(self, items: np.ndarray, values: np.ndarray, targets: list[int],
                top: int = BECAUSE_TOP) -> list[list[dict[str, Any]]]:
        """For each target film, the rated films that raise its folded-in predicted rating most: up to `top`
        of {id, title, share}, largest first, only films that raise it. `share` = the film's term / the sum
        of the absolute terms of all rated films (so the shares of all rated films' |terms| add up to 1; a
        film that lowers the prediction has a negative share and is not listed).

        What it explains: the personal part of the prediction (bias + q_i . p, the fold-in), not the blend's
        ranking score, which adds the factor and genre similarity to the rated films (see the module doc)."""
        if not targets:
            return []
        terms = self.because_terms(items, values, targets)
        out = []
        for row in terms:
            total = float(np.abs(row).sum())
            order = [j for j in np.argsort(-row, kind="stable")[:top] if row[j] > 0 and total > 0]
            out.append([{"id": int(self.item_ids[items[j]]), "title": str(self.item_titles[items[j]]),
                         "share": round(float(row[j]) / total, 4)} for j in order])
        return out

    # ---- known users -----------------------------------------------------------------------------------
    def _known_user(self, user: object) -> int:
        uid = parse_user_id(user)
        u = self.user_index(uid)
        if u is None:
            raise NotFound(f"user {uid} is not one of the model's {self.user_ids.size:,} MovieLens users "
                           f"(ids {self.user_ids[0]}-{self.user_ids[-1]}); rate a few movies as a visitor instead.")
        return u

    def predict(self, user: object, tmdb_id: object) -> MoviePrediction:
        """A user's predicted rating of a film: surprise's estimate (with its unknown-user/-film fallbacks)."""
        uid, tid = parse_user_id(user), parse_tmdb_id(tmdb_id)
        u, i = self.user_index(uid), self.item_index(tid)
        rating, explanation = explained_estimate(self, u, i)
        title = None if i is None else str(self.item_titles[i])
        return MoviePrediction(uid, tid, title, rating, rating >= self.threshold, self.threshold, explanation)

    def top_n_for_user(self, user: object, n: object = 10, genres: Collection[str] | None = None,
                       year_range: tuple[int, int] | None = None,
                       allowed_ids: Collection[int] | None = None) -> list[dict[str, Any]]:
        """A known user's n best films by predicted rating, leaving out what they rated: films of any of
        `genres` (names, any case), released within `year_range` (inclusive) and among `allowed_ids`."""
        n = parse_n(n)
        u = self._known_user(user)
        keep = self._allowed(allowed_ids)
        if genres:
            keep &= self.item_genres[:, self._genre_columns(genres)].any(axis=1)
        if year_range is not None:
            lo, hi = (whole_number(y) for y in year_range)
            if lo is None or hi is None or lo > hi:
                raise InputError(f"year range must be two whole numbers, the first not above the second; "
                                 f"got {echo(year_range)}.")
            keep &= (self.item_years >= lo) & (self.item_years <= hi)
        keep[self.rated_items[self.rated_indptr[u]:self.rated_indptr[u + 1]]] = False
        predicted = np.clip(self.global_mean + self.user_bias[u] + self.item_bias
                            + self.item_factors @ self.user_factors[u], self.rating_min, self.rating_max)
        return self._best(keep, predicted, predicted, n)

    # ---- similar films ---------------------------------------------------------------------------------
    def similar_by_content(self, tmdb_id: int) -> list[tuple[int, float]]:
        """(TMDB id, similarity) of the film's stored content neighbours, best first; [] for a film the index
        does not have."""
        pos = int(np.searchsorted(self.content_ids, tmdb_id))
        if pos >= self.content_ids.size or self.content_ids[pos] != tmdb_id:
            return []
        return [(int(self.content_ids[j]), round(float(s), 4))
                for j, s in zip(self.content_idx[pos], self.content_score[pos], strict=True) if s > 0]

    def similar_by_taste(self, tmdb_id: int, n: int, allowed_ids: Collection[int] | None = None) -> list[dict]:
        """The n films nearest to a rated film in the learned factor space (cosine of the item factors: films
        the same people rate alike), among films with the visitor method's support; [] for an unrated film."""
        i = self.item_index(tmdb_id)
        if i is None:
            return []
        keep = self._allowed(allowed_ids) & (self.item_n_ratings >= int(self.method.get("min_support", 0)))
        keep[i] = False
        cosine = self._unit_factors @ self._unit_factors[i]
        # Ranked by similarity: the items' score; a predicted rating would mean nothing here.
        return [{k: v for k, v in item.items() if k not in ("predicted_rating", "recommend")}
                for item in self._best(keep, cosine, cosine, n)]

    # ---- title search among the rated films ------------------------------------------------------------
    @property
    def title_index(self) -> TitleIndex:
        """Search over the films the model knows (the ones a visitor can rate); built at its first use."""
        with self._index_lock:
            if self._title_index is None:
                self._title_index = TitleIndex(pd.DataFrame({
                    COL_ID: self.item_ids.astype(str), "title": self.item_titles.astype(str),
                    COL_PLATFORM: "", "release_year": self.item_years, "type": "movie"}))
            return self._title_index

    def search(self, query: str, limit: int = 10) -> list[dict]:
        """Rated films matching a partial, misspelled or any-case title, best first: {id, title, year, genres,
        n_ratings}."""
        cards = []
        for hit in self.title_index.search(query, limit):
            i = self.item_index(int(hit[COL_ID]))
            cards.append({"id": int(self.item_ids[i]), "title": str(self.item_titles[i]),
                          "year": int(self.item_years[i]),
                          "genres": [str(g) for g in self.genre_names[self.item_genres[i]]],
                          "n_ratings": int(self.item_n_ratings[i])})
        return cards

    # ---- helpers ---------------------------------------------------------------------------------------
    def _genre_columns(self, genres: Collection[str]) -> list[int]:
        if isinstance(genres, str):
            genres = [genres]
        unknown = [g for g in genres if str(g).strip().lower() not in self._genre_index]
        if unknown:
            raise InputError(f"unknown genre(s) {', '.join(map(echo, unknown))}; "
                             f"known: {', '.join(map(str, self.genre_names))}.")
        return [self._genre_index[str(g).strip().lower()] for g in genres]

    def _allowed(self, allowed_ids: Collection[int] | None) -> np.ndarray:
        if allowed_ids is None:
            return np.ones(self.item_ids.size, dtype=bool)
        ids = np.fromiter((int(x) for x in allowed_ids), dtype=np.int64)
        return np.isin(self.item_ids, ids)

    def _best(self, keep: np.ndarray, score: np.ndarray, predicted: np.ndarray, n: int) -> list[dict[str, Any]]:
        candidates = np.flatnonzero(keep)
        s = score[candidates]
        if candidates.size > n:  # partial selection, then an exact sort of the few survivors
            cut = np.partition(s, candidates.size - n)[candidates.size - n]
            candidates, s = candidates[s >= cut], s[s >= cut]
        best = candidates[np.lexsort((self.item_ids[candidates], -s))[:n]]
        return [{"id": int(self.item_ids[i]), "title": str(self.item_titles[i]), "year": int(self.item_years[i]),
                 "genres": [str(g) for g in self.genre_names[self.item_genres[i]]],
                 "score": round(float(score[i]), 4), "predicted_rating": round(float(predicted[i]), 4),
                 "recommend": bool(predicted[i] >= self.threshold), "n_ratings": int(self.item_n_ratings[i])}
                for i in best]

    def summary(self) -> str:
        hp = self.manifest.get("hyperparameters", {})
        return (f"Movies SVD model: {self.user_ids.size:,} users x {self.item_ids.size:,} films, "
                f"{hp.get('n_factors', '?')} factors, built {self.manifest.get('created_at', 'unknown')}")

    def _check_shapes(self) -> None:
        n_users, n_items = self.user_ids.size, self.item_ids.size
        expected = {"user_bias": (n_users,), "item_bias": (n_items,), "rated_indptr": (n_users + 1,),
                    "item_n_ratings": (n_items,), "item_titles": (n_items,), "item_years": (n_items,)}
        a = self.artifacts.arrays
        for name, shape in expected.items():
            if a[name].shape != shape:
                self._bad(name, f"shape {a[name].shape}, expected {shape}")
        k = self.user_factors.shape[1] if self.user_factors.ndim == 2 else -1
        if self.user_factors.shape != (n_users, k):
            self._bad("user_factors", f"shape {self.user_factors.shape}, expected ({n_users}, k)")
        if self.item_factors.shape != (n_items, k):
            self._bad("item_factors", f"shape {self.item_factors.shape}, expected ({n_items}, {k})")
        if a["item_genres"].shape != (n_items, self.genre_names.size):
            self._bad("item_genres", f"shape {a['item_genres'].shape}, expected ({n_items}, {self.genre_names.size})")
        if self.content_idx.shape[0] != self.content_ids.size or self.content_score.shape != self.content_idx.shape:
            self._bad("content_idx", f"shape {self.content_idx.shape}, expected one row per content id "
                                     f"({self.content_ids.size}), like content_score {self.content_score.shape}")
        if n_items == 0 or np.any(np.diff(self.item_ids) <= 0):
            self._bad("item_ids", "must be sorted, unique and not empty")

    def _bad(self, name: str, detail: str) -> None:
        raise ArtifactError(f"{Path(self.artifacts.directory) / (name + '.npy')}: {detail}")
