"""The Movies catalog's content neighbours: its fields and weights under model.content's one rule.

Fields: genres, overview (about a third of the films have one), top-3 cast (about 5,000 films), directors,
collection and original language. A film lacking a field scores nothing on it (model.content.weighted_rows), so
films known by their genres alone do not crowd out films sharing a director, a collection and a story.
"""
from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from model.content import top_neighbours, weighted_rows

log = logging.getLogger(__name__)

# Weight of each field under the one rule, where it enters the cosine squared: shares of 1 : 1 : 0.5 : 0.6 : 1 : 0.3
# (a shared collection is a strong link).
FIELD_WEIGHTS = {"genres": 1.0, "overview": 1.0, "cast": 0.5 ** 0.5, "directors": 0.6 ** 0.5, "collection": 1.0,
                 "language": 0.3 ** 0.5}
NEIGHBOURS = 30  # stored per film: enough for a platform filter to keep a few
MIN_NEIGHBOUR_VOTES = 10  # a neighbour has at least this many TMDB votes (22,912 of the 45,346 films)


def _names(value: object) -> list[str]:
    """A list cell (numpy array, list, or a single name) as a list of names; nothing for null."""
    if value is None or isinstance(value, float):
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in (value.tolist() if hasattr(value, "tolist") else value) if v]


def _as_tokens(tokens: list[str]) -> list[str]:
    return tokens


def _one_token(value: str) -> list[str]:
    return [str(value)] if value else []


def movie_features(movies: pd.DataFrame) -> sp.csr_matrix:
    """One L2-normalised sparse row per film: the fields of FIELD_WEIGHTS under model.content's rule."""
    def text(column: str) -> pd.Series:
        return movies[column].fillna("").astype(str) if column in movies else pd.Series([""] * len(movies))

    def names(column: str) -> pd.Series:
        return movies[column].map(_names) if column in movies else pd.Series([[]] * len(movies))

    people = {"analyzer": _as_tokens, "min_df": 2, "dtype": np.float32}  # one token per name
    vectorizers = {
        "genres": (TfidfVectorizer(analyzer=_as_tokens, dtype=np.float32), names("genres")),
        # Words in more than 1 of 10 overviews say little about a film ("life", "world", "young").
        "overview": (TfidfVectorizer(stop_words="english", min_df=2, max_df=0.1, sublinear_tf=True,
                                     dtype=np.float32), text("overview")),
        "cast": (TfidfVectorizer(**people), names("cast_top3")),
        "directors": (TfidfVectorizer(**people), names("directors")),
        "collection": (TfidfVectorizer(**people), names("collection")),
        "language": (TfidfVectorizer(analyzer=_one_token, use_idf=False, dtype=np.float32),
                     text("original_language")),
    }
    blocks = {}
    for name, (vectorizer, column) in vectorizers.items():
        try:
            blocks[name] = vectorizer.fit_transform(column)
        except ValueError:  # no term at all (a field the table lacks or leaves empty): the block is absent
            log.warning("movie content: no %s to compare films by", name)
    return weighted_rows(blocks, FIELD_WEIGHTS)


def build_movie_neighbours(movies: pd.DataFrame, k: int = NEIGHBOURS) -> dict[str, np.ndarray]:
    """The k most similar films of every catalog film, by content, as pickle-free arrays: `content_ids`
    (TMDB ids, ascending), `content_idx` (rows into content_ids, best first) and `content_score` (the cosine
    of movie_features). Neighbours are films with at least MIN_NEIGHBOUR_VOTES TMDB votes: half the work, and
    nobody is helped by a film no one has heard of."""
    movies = movies.drop_duplicates("id").sort_values("id", kind="stable").reset_index(drop=True)
    obscure = (movies["vote_count"].fillna(0) < MIN_NEIGHBOUR_VOTES).to_numpy() if "vote_count" in movies else None
    idx, score = top_neighbours(movie_features(movies), k, never=obscure, desc="similar movies")
    return {"content_ids": movies["id"].astype(np.int64).to_numpy(), "content_idx": idx, "content_score": score}
