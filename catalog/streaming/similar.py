"""The streaming catalog's similar titles: its content neighbours (model.content; rows served by
serving.recommender.Neighbours) plus the catalog.

    similar = SimilarTitles(titles, artifacts.arrays)          # arrays from model.content.build_neighbours
    similar.similar("toy story", n=10, platform="netflix")     # -> [{"id": ..., "title": ..., "score": 0.41, ...}]

A title may be given by id ("ds1378") or exact title (any case, with or without accents); anything else
raises InputError with search suggestions. Answers come from the stored top-k neighbours; when a platform or
type filter leaves fewer than `n` of them (say, Disney+ neighbours of a Netflix documentary), the exact
answer is computed on the fly from the stored sparse feature matrix (a few milliseconds), so a filter never
silently shortens the list. Results never include the title itself; the same title listed on several
platforms appears once, its other platforms in `also_on`.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from catalog.names import title_key
from catalog.search import TitleIndex
from config import COL_ID, COL_PLATFORM
from errors import InputError
from inputs.choices import parse_optional_content_type
from inputs.numbers import parse_n
from inputs.platforms import parse_optional_platform
from serving.recommender import Neighbours

# The arrays model.content.build_neighbours writes and SimilarTitles reads (saved via serving.artifacts).
NEIGHBOUR_ARRAYS = ("similar_ids", "similar_idx", "similar_score", "similar_features_data",
                    "similar_features_indices", "similar_features_indptr", "similar_features_shape")


def listing_groups(titles: pd.DataFrame) -> np.ndarray:
    """A group number per row: rows in one group are the same title listed more than once (usually on
    different platforms). Same = same title (accent/case/punctuation-blind) and type, and for movies the same
    release year (remakes share titles); TV shows are dated by their latest season, so the year is ignored."""
    keys = [f"{kind}|{title_key(title)}|{year if kind == 'movie' else ''}"
            for title, kind, year in zip(titles["title"], titles["type"], titles["release_year"])]
    return pd.factorize(pd.Series(keys))[0].astype(np.int64)


def group_members(groups: np.ndarray) -> list[np.ndarray]:
    """For each group number, the rows in it (ascending)."""
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    return np.split(order, bounds)


def is_placeholder(titles: pd.DataFrame) -> np.ndarray:
    """The ETL's flag for test rows ("movie10x", "asin_tombstone_test_target"): never shown as similar."""
    if "is_placeholder" not in titles:
        return np.zeros(len(titles), dtype=bool)
    return titles["is_placeholder"].fillna(False).to_numpy(dtype=bool)


class SimilarTitles:
    """Content-based neighbours of catalog titles, with platform/type filters and typo-tolerant lookup."""

    def __init__(self, titles: pd.DataFrame, arrays: Mapping[str, np.ndarray], index: TitleIndex | None = None):
        missing = [name for name in NEIGHBOUR_ARRAYS[:3] if name not in arrays]
        if missing:
            raise InputError(f"similar-title arrays missing: {', '.join(missing)}; re-run python -m model.train")
        ids = np.asarray(arrays["similar_ids"]).astype(str)
        catalog = titles.set_index(titles[COL_ID].astype(str), drop=False)
        known = set(catalog.index)
        unknown = [id_ for id_ in ids if id_ not in known]
        if len(unknown):
            raise InputError(f"the similar-title artifacts name {len(unknown)} ids the catalog does not have "
                             f"(e.g. {', '.join(unknown[:3])}): artifacts and catalog come from different "
                             "data; re-run python -m model.train")
        # Everything below is in the artifacts' row order, which is what similar_idx points into.
        self.titles = catalog.loc[ids].reset_index(drop=True)
        self.index = index or TitleIndex(self.titles)
        self._row_of_id = {id_: row for row, id_ in enumerate(ids)}
        self._neighbours = Neighbours(np.asarray(arrays["similar_idx"]), np.asarray(arrays["similar_score"]))
        self._platform = self.titles[COL_PLATFORM].astype(str).to_numpy()
        self._type = self.titles["type"].astype(str).to_numpy()
        self._group = listing_groups(self.titles)
        self._rows_of_group = group_members(self._group)
        self._shown = ~is_placeholder(self.titles)
        self._columns = {name: self.titles[name].to_numpy() for name in (COL_ID, "title", "release_year", "listed_in")}
        self._features_t = None
        if all(name in arrays for name in NEIGHBOUR_ARRAYS):
            import scipy.sparse as sp  # here: similar titles load after the app's port is open, scipy with them

            features = sp.csr_matrix((arrays["similar_features_data"], arrays["similar_features_indices"],
                                      arrays["similar_features_indptr"]),
                                     shape=tuple(int(x) for x in arrays["similar_features_shape"]))
            self._features = features
            self._features_t = features.T.tocsr()  # term-major: one title's terms touch only their own rows

    def similar(self, title: str, n: int = 10, platform: str | None = None,
                content_type: str | None = None) -> list[dict]:
        """The `n` titles (1 to inputs.numbers.MAX_N) most similar to `title` (id or exact title), best first,
        optionally only on one platform and/or of one content type ("movie" / "tv show", any usual spelling).

        Each item: id, title, platform, type, release_year, listed_in, score (cosine similarity 0..1) and
        also_on (other platforms listing the same title). Fewer than n only when fewer titles match at all.
        """
        row = self._row(title)
        n = parse_n(n)
        allowed = self._shown.copy()
        platform = parse_optional_platform(platform)
        if platform is not None:
            allowed &= self._platform == platform
        content_type = parse_optional_content_type(content_type)
        if content_type is not None:
            allowed &= self._type == content_type
        allowed[self._rows_of_group[self._group[row]]] = False  # never the title or its other listings

        items = self._collect(*self._neighbours.row(row), allowed, n)
        if len(items) < n and self._features_t is not None and len(items) < int(allowed.sum()):
            items = self._collect(*self._exact_neighbours(row, allowed), allowed, n)
        return items

    def info(self, title: str) -> dict:
        """One title's own card (same fields as a similar() item, score None), for showing the seed title."""
        return self._card(self._row(title), score=None)

    def _row(self, title: str) -> int:
        """The artifacts' row of a title. The index may cover a newer catalog than the artifacts (the app
        passes one built over the whole catalog), so a title it resolves can still lack neighbours here."""
        title_id = self.index.resolve(title)
        row = self._row_of_id.get(title_id)
        if row is None:
            raise InputError(f"title {title_id!r} has no similar-title data in the loaded model; the model and "
                             "the catalog come from different builds: retrain with python -m model.train "
                             "on this catalog")
        return row

    def _collect(self, rows: np.ndarray, scores: np.ndarray, allowed: np.ndarray, n: int) -> list[dict]:
        """Walk candidates best first, keeping allowed ones and one listing per title, until n."""
        items, seen_groups = [], set()
        for row, score in zip(rows, scores):
            group = self._group[row]
            if not allowed[row] or group in seen_groups or score <= 0:
                continue
            seen_groups.add(group)
            items.append(self._card(int(row), score=round(float(score), 4)))
            if len(items) == n:
                break
        return items

    def _exact_neighbours(self, row: int, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All allowed titles with a positive similarity to `row`, best first (ties by row): exact cosine."""
        sims = (self._features[row] @ self._features_t).toarray().ravel()
        candidates = np.flatnonzero(allowed & (sims > 0))
        order = np.lexsort((candidates, -sims[candidates]))
        return candidates[order], sims[candidates[order]]

    def _card(self, row: int, score: float | None) -> dict:
        col = self._columns
        listed_in = col["listed_in"][row]
        others = [r for r in self._rows_of_group[self._group[row]] if r != row]
        return {COL_ID: str(col[COL_ID][row]), "title": str(col["title"][row]),
                COL_PLATFORM: str(self._platform[row]), "type": str(self._type[row]),
                "release_year": int(col["release_year"][row]),
                "listed_in": None if pd.isna(listed_in) else str(listed_in), "score": score,
                "also_on": sorted({str(self._platform[r]) for r in others})}

