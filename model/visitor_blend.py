"""The fold-in visitor ranking the Movies lists used before the list ranker, kept offline as a yardstick: the
trainer's fold-in table and themed-visitor table, and model.rank_eval's "visitor ranking (fold-in + genres)" row.

A visitor is folded in (serving.recommender: bias and factors in closed form); "plain" ranks by the folded-in
prediction, "blend" by a weighted sum of three z-scored signals over all films: that prediction, the cosine of
each film's factors to the rated films' factors and the same for genres (each rated film weighted by how far its
rating sits from the mean rating); candidates need `min_support` training ratings.
"""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np

from catalog.movies.model import MoviesModel
from inputs.ratings import parse_visitor_ratings

DEFAULT_METHOD = {"name": "blend", "w_prediction": 1.0, "w_factors": 1.0, "w_genres": 1.0, "min_support": 10}


def _zscore(values: np.ndarray) -> np.ndarray:
    std = values.std()
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    unit = (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    unit[np.abs(unit) < 1e-12] = 0.0  # subnormal floats make every product with them ~30x slower
    return unit


class FoldInBlend:
    """The fold-in visitor methods over a Movies model (its manifest's `visitor_method` by default)."""

    def __init__(self, model: MoviesModel):
        self.model = model
        self.method = {**DEFAULT_METHOD, **model.manifest.get("visitor_method", {})}
        self._unit_factors = _unit_rows(model.item_factors)
        self._unit_genres = _unit_rows(model.item_genres.astype(np.float64))

    def components(self, rows: np.ndarray, values: np.ndarray,
                   parts: Collection[str] = ("factors", "genres")) -> dict[str, np.ndarray]:
        """For every film: the folded-in predicted rating ("predicted") and z-scores of it ("prediction"), of the
        factor similarity ("factors") and of the genre similarity ("genres") to the rated films (zeros for the
        ones not in `parts`)."""
        m = self.model
        predicted = m.visitor_predictions(rows, values)
        weight = (values - m.global_mean).astype(np.float32)  # liked pulls, disliked pushes
        zeros = np.zeros_like(predicted)
        return {
            "predicted": predicted,
            "prediction": _zscore(predicted),
            "factors": (_zscore(self._unit_factors @ (self._unit_factors[rows].T @ weight)) if "factors" in parts
                        else zeros),
            "genres": (_zscore(self._unit_genres @ (self._unit_genres[rows].T @ weight)) if "genres" in parts
                       else zeros),
        }

    @staticmethod
    def combine(components: dict[str, np.ndarray], method: dict[str, Any]) -> np.ndarray:
        """A method's score: the prediction ("plain") or the weighted sum of the z-scores ("blend")."""
        if method["name"] == "plain":
            return components["predicted"]
        return (method["w_prediction"] * components["prediction"] + method["w_factors"] * components["factors"]
                + method["w_genres"] * components["genres"])

    def scores(self, rows: np.ndarray, values: np.ndarray, method: dict[str, Any] | None = None) -> np.ndarray:
        """A method's score of every film for a visitor who rated `rows` with `values`."""
        m = {**self.method, **(method or {})}
        parts = [] if m["name"] == "plain" else [p for p in ("factors", "genres") if m[f"w_{p}"]]
        return self.combine(self.components(rows, values, parts), m)

    def support(self, method: dict[str, Any] | None = None) -> np.ndarray:
        """The films a method may list (enough training ratings)."""
        m = {**self.method, **(method or {})}
        return self.model.item_n_ratings >= int(m.get("min_support", 0))

    def for_visitor(self, ratings: object, n: int, method: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """A method's n best films for a visitor (rated ones left out): the model's cards."""
        rows, values = self.model.rows_of(parse_visitor_ratings(ratings))
        score = self.scores(rows, values, method)
        keep = self.support(method)
        keep[rows] = False
        best = self.model.top(keep, score, n)
        return self.model._cards(best, score[best], self.model.visitor_predictions(rows, values, best))
