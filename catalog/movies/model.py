"""The Movies catalog's model at serving time: the recommender core over TMDB ids, with the films' facts (titles,
years, genres, rating counts), their content neighbours, and its lists.

- Lists (a visitor's picks, a MovieLens user's top N) come from the list ranker (EASE, each film's 200
  strongest neighbours: `python -m model.rank_eval` shows why): the rated films' neighbour rows summed, 1 per
  rated film, over its largest value, plus GENRE_WEIGHT x the films' genre similarity to the rated films over its
  largest (`list_scores`); a pick's `because` names the rated films whose neighbour terms raise it most. Films
  "by people who liked this" are a film's own neighbour row.
- The verdict stays SVD's: every listed film carries its predicted rating (folded in for a visitor: their bias and
  factors solved in closed form against the fixed film factors) and `recommend` at the threshold.

Errors are `errors.InputError` (every door shows them as a 4xx / gr.Error): fewer than three rated films, ratings
outside 0.5-5 or off the half-star grid, films the model does not know (listed), a film rated twice.
"""
from __future__ import annotations

import threading
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from catalog.search import TitleIndex
from config import COL_ID, COL_PLATFORM
from errors import InputError, NotFound
from inputs.numbers import parse_n, parse_user_id, whole_number
from inputs.ratings import parse_visitor_ratings
from inputs.text import echo
from inputs.titles import parse_tmdb_id
from serving.recommender import Neighbours, Prediction, Recommender, because_shares

BECAUSE_TOP = 3  # rated films named as the reason of a pick
GENRE_WEIGHT = 0.7  # model.rank_eval and the themed visitors: see the README ("The list ranker")


class MoviesModel(Recommender):
    """The Movies model: lists for visitors and known users, predictions, similar films and title search."""

    label = "Movies SVD model"
    noun = "films"
    required = ("item_n_ratings", "item_titles", "item_years", "item_genres", "genre_names")
    id_dtype = np.int64

    def __init__(self, artifacts, threshold: float | None = None):
        super().__init__(artifacts, threshold)
        a = artifacts.arrays
        self.item_n_ratings: np.ndarray = a["item_n_ratings"]
        self.item_titles: np.ndarray = a["item_titles"]
        self.item_years: np.ndarray = a["item_years"]
        self.item_genres: np.ndarray = a["item_genres"].astype(bool)
        self.genre_names: np.ndarray = a["genre_names"]
        # Content neighbours of every catalog film (model.content), TMDB ids ascending; the trainer's evaluation
        # models have none.
        self.content_ids: np.ndarray = a.get("content_ids", np.empty(0, dtype=np.int64)).astype(np.int64)
        self.content = Neighbours(a.get("content_idx", np.empty((0, 0), dtype=np.int32)),
                                  a.get("content_score", np.empty((0, 0), dtype=np.float32)))
        n_items = self.item_ids.size
        self.expect_shapes({"item_n_ratings": (n_items,), "item_titles": (n_items,), "item_years": (n_items,),
                            "item_genres": (n_items, self.genre_names.size)})
        content_shape = self.content.items.shape
        if content_shape[0] != self.content_ids.size or self.content.weights.shape != content_shape:
            self.bad("content_idx", f"shape {self.content.items.shape}, expected one row per content id "
                                    f"({self.content_ids.size}), like content_score {self.content.weights.shape}")
        if n_items == 0 or np.any(np.diff(self.item_ids) <= 0):
            self.bad("item_ids", "must be sorted, unique and not empty")
        self._genre_index = {str(g).lower(): j for j, g in enumerate(self.genre_names)}
        counts = self.item_genres.sum(axis=1, keepdims=True)
        self._unit_genres = (self.item_genres / np.sqrt(np.where(counts > 0, counts, 1))).astype(np.float32)
        self._title_index: TitleIndex | None = None
        self._index_lock = threading.Lock()

    # ---- lookups -------------------------------------------------------------------------------------
    def item_index(self, tmdb_id: int) -> int | None:
        return self.item_row(tmdb_id)

    def user_index(self, user_id: int) -> int | None:
        return self.user_row(user_id)

    def rows_of(self, ratings: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """(item rows, ratings) of (TMDB id, rating) pairs; InputError listing the films the model does not know."""
        ids = np.array([tid for tid, _ in ratings], dtype=np.int64)
        pos = np.clip(np.searchsorted(self.item_ids, ids), 0, self.item_ids.size - 1)
        unknown = ids[self.item_ids[pos] != ids]
        if unknown.size:
            raise InputError(f"the model knows no ratings of these movie ids, so it cannot use them: "
                             f"{', '.join(map(str, unknown.tolist()))}. Rate movies with MovieLens ratings "
                             f"({self.item_ids.size:,} of the catalog's films).")
        return pos, np.array([r for _, r in ratings], dtype=np.float64)

    # ---- lists -----------------------------------------------------------------------------------------
    def list_scores(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The served list score of every film for someone who rated film `rows` (with `values`): the list ranker's
        neighbour rows summed, 1 per rated film, and the genre similarity to the rated films, each over its largest
        value, the second weighted GENRE_WEIGHT (model.rank_eval's "as served" row calls this). Artifacts without a
        ranker (published before it) rank by the folded-in predicted rating."""
        if self.ranker is None:
            return self.visitor_predictions(rows, values)
        neighbours = self.ranker.scores(rows, np.ones(rows.size), self.item_ids.size)
        genres = self._unit_genres @ self._unit_genres[rows].sum(axis=0)
        return _over_max(neighbours) + GENRE_WEIGHT * _over_max(genres)

    def because(self, rows: np.ndarray, values: np.ndarray, targets: np.ndarray,
                top: int = BECAUSE_TOP) -> list[list[dict[str, Any]]]:
        """For each target film, up to `top` rated films raising its list score most, largest first: {id, title,
        share}, share = the film's term / the sum of the positive terms (the terms: 1 x its neighbour weight)."""
        if self.ranker is None or not targets.size:
            return [[] for _ in targets]
        terms = self.ranker.terms(rows, np.ones(rows.size), targets)
        return [[{"id": int(self.item_ids[rows[j]]), "title": str(self.item_titles[rows[j]]),
                  "share": round(share, 4)} for j, share in reasons] for reasons in because_shares(terms, top)]

    def for_visitor(self, ratings: object, n: object = 10, allowed_ids: Collection[int] | None = None,
                    exclude_ids: Collection[int] = ()) -> list[dict[str, Any]]:
        """The visitor's n best films (rated ones left out), best first: {id, title, year, genres, score,
        predicted_rating, recommend, n_ratings, because}. `allowed_ids`: only these TMDB ids (e.g. the films on
        the visitor's platforms). `exclude_ids`: never these (the films the visitor is not interested in)."""
        n = parse_n(n)
        rows, values = self.rows_of(parse_visitor_ratings(ratings))
        score = self.list_scores(rows, values)
        keep = self._allowed(allowed_ids)
        if len(exclude_ids):
            keep &= ~np.isin(self.item_ids, np.fromiter((int(x) for x in exclude_ids), dtype=np.int64))
        keep[rows] = False
        best = self.top(keep, score, n)
        predicted = self.visitor_predictions(rows, values, best)
        reasons = self.because(rows, values, best)
        return [{**card, "because": reason} for card, reason in
                zip(self._cards(best, score[best], predicted), reasons, strict=True)]

    def _known_user(self, user: object) -> int:
        uid = parse_user_id(user)
        u = self.user_index(uid)
        if u is None:
            raise NotFound(f"user {uid} is not one of the model's {self.user_ids.size:,} MovieLens users "
                           f"(ids {self.user_ids[0]}-{self.user_ids[-1]}); rate a few movies as a visitor instead.")
        return u

    def predict(self, user: object, tmdb_id: object) -> Prediction:
        """A user's predicted rating of a film: surprise's estimate (with its unknown-user/-film fallbacks)."""
        return self.prediction(parse_user_id(user), parse_tmdb_id(tmdb_id))

    def top_n_for_user(self, user: object, n: object = 10, genres: Collection[str] | None = None,
                       year_range: tuple[int, int] | None = None,
                       allowed_ids: Collection[int] | None = None) -> list[dict[str, Any]]:
        """A known user's n best films (their training ratings as the list's input), leaving out what they rated:
        films of any of `genres` (names, any case), released within `year_range` (inclusive), among
        `allowed_ids`."""
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
        rated = self.rated_rows(u)
        keep[rated] = False
        predicted = self.user_scores(u)
        score = predicted if self.ranker is None else self.list_scores(rated, np.ones(rated.size))
        best = self.top(keep, score, n)
        return self._cards(best, score[best], predicted[best])

    # ---- similar films ---------------------------------------------------------------------------------
    def similar_by_content(self, tmdb_id: int) -> list[tuple[int, float]]:
        """(TMDB id, similarity) of the film's stored content neighbours, best first; [] for a film the index
        does not have."""
        pos = int(np.searchsorted(self.content_ids, tmdb_id))
        if pos >= self.content_ids.size or self.content_ids[pos] != tmdb_id:
            return []
        cols, scores = self.content.row(pos)
        return [(int(self.content_ids[j]), round(float(s), 4)) for j, s in zip(cols, scores, strict=True) if s > 0]

    def similar_by_taste(self, tmdb_id: int, n: int, allowed_ids: Collection[int] | None = None) -> list[dict]:
        """Up to n films people who liked this film also liked: its list-ranker row (positive weights, strongest
        first; the weight is the score); [] for a film without ratings."""
        i = self.item_index(tmdb_id)
        if i is None or self.ranker is None:
            return []
        cols, weights = self.ranker.row(i)
        keep = self._allowed(allowed_ids)[cols] & (weights > 0)
        cols, weights = cols[keep][:n], weights[keep][:n]
        return [{k: v for k, v in card.items() if k not in ("predicted_rating", "recommend")}
                for card in self._cards(cols, weights, np.zeros(cols.size))]

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
                          "year": int(self.item_years[i]), "genres": self._genre_list(i),
                          "n_ratings": int(self.item_n_ratings[i])})
        return cards

    # ---- helpers ---------------------------------------------------------------------------------------
    def _genre_list(self, i: int) -> list[str]:
        return [str(g) for g in self.genre_names[self.item_genres[i]]]

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
        return np.isin(self.item_ids, np.fromiter((int(x) for x in allowed_ids), dtype=np.int64))

    def _cards(self, rows: np.ndarray, scores: np.ndarray, predicted: np.ndarray) -> list[dict[str, Any]]:
        return [{"id": int(self.item_ids[i]), "title": str(self.item_titles[i]), "year": int(self.item_years[i]),
                 "genres": self._genre_list(i), "score": round(float(s), 4), "predicted_rating": round(float(p), 4),
                 "recommend": bool(p >= self.threshold), "n_ratings": int(self.item_n_ratings[i])}
                for i, s, p in zip(rows.tolist(), scores.tolist(), predicted.tolist(), strict=True)]


def _over_max(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else values
