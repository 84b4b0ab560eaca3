"""Content-based similarity, built offline: TF-IDF over what a catalog says about each item, top-k neighbours.

One rule for every catalog (`weighted_rows`): each field (genres, description, cast, ...) is its own TF-IDF
block, L2-normalised so that no field drowns the others and multiplied by the field's weight; an item lacking a
field gets that weight on an "unknown" column of its own, which matches nothing; the blocks are joined and every
row is L2-normalised. The dot product of two rows is then their cosine, the weighted mean of the fields'
cosines, the same scale for every item: an item known by few fields does not outrank one that shares a
director, a collection and a story. `top_neighbours` keeps each row's k best other rows. A catalog's recipe
chooses its fields and weights (the Movies catalog's in model/movies/content.py).

The streaming catalog's fields: genres (listed_in, with the four platforms' vocabularies mapped onto shared
words: "comedies", "stand-up comedy" and "stand up" all give "comedy"/"standup"), description (words), cast
and director (one token per person), country (one token per country), type (movie / tv show) and audience
(kids, teens or adults, from the maturity rating). `build_neighbours(titles)` returns pickle-free numpy arrays
(see `NEIGHBOUR_ARRAYS`): the top-k neighbours of every title with their cosine similarity, plus the sparse
feature matrix itself so the serving side (`serving.similar.SimilarTitles`) can compute exact answers when a
platform/type filter leaves fewer than asked among the stored k. A title is never its own neighbour, and neither
are its other listings (the same film on another platform): they would fill the top with similarity ~1 and
say nothing new; the serving side shows them as `also_on` instead.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from tqdm import tqdm

from config import COL_ID
from serving.similar import NEIGHBOUR_ARRAYS, group_members, is_placeholder, listing_groups

log = logging.getLogger(__name__)

# Relative weight of each field in the cosine similarity (applied to L2-normalised blocks).
FIELD_WEIGHTS = {"genres": 1.0, "description": 1.0, "cast": 0.5, "director": 0.5, "country": 0.3, "type": 0.4,
                 "audience": 0.8}


# Maturity rating -> audience: the one family/adult signal shared by all four platforms (Netflix has no
# "animation" genre, Disney+ no "children & family movies"). Caveat: the ETL fills a missing rating with
# "g", so some Hulu/Amazon titles carry a false "kids"; the weight stays modest for that reason.
AUDIENCE = {
    **dict.fromkeys(("tv-y", "tv-y7", "tv-y7-fv", "tv-g", "g", "all", "7+"), "kids"),
    **dict.fromkeys(("pg", "tv-pg", "pg-13", "tv-14", "13+", "16+"), "teens"),
    **dict.fromkeys(("r", "nc-17", "tv-ma", "18+"), "adults"),
}

# Terms in more than this many titles are multiplied as dense columns in build_neighbours.
DENSE_TERM_MIN_TITLES = 500

# Genre phrases first (before splitting into words), then single words, mapped onto a shared vocabulary.
_GENRE_PHRASES = {
    "stand-up": "standup", "stand up": "standup", "sci-fi": "scifi", "science fiction": "scifi",
    "kids' tv": "kids", "action-adventure": "action adventure", "talk show": "talkshow",
    "game show": "gameshow", "game shows": "gameshow", "late night": "talkshow",
}
_GENRE_WORDS = {
    "comedies": "comedy", "dramas": "drama", "documentaries": "documentary", "docuseries": "documentary",
    "thrillers": "thriller", "romantic": "romance", "mysteries": "mystery", "musicals": "musical",
    "children": "kids", "cartoons": "animation", "features": "", "lgbtq+": "lgbtq",
}
# Words that say nothing about content (type is its own block).
_GENRE_STOP = {"", "tv", "movies", "movie", "shows", "show", "series", "and", "&", "/", "of", "the"}
# Stand-up specials are described as "stand-up", "stand up" or "standup": one token for all.
_STANDUP = re.compile(r"\bstand[\s-]?up\b")


def genre_tokens(listed_in: str) -> list[str]:
    """Shared genre words for a ', '-separated listed_in.

    'stand-up comedy & talk shows' -> standup, comedy, talkshow.
    """
    tokens: list[str] = []
    for label in str(listed_in or "").split(","):
        label = label.strip().lower()
        for phrase, replacement in _GENRE_PHRASES.items():
            label = label.replace(phrase, replacement)
        for word in re.split(r"[\s&/,-]+", label):
            word = _GENRE_WORDS.get(word, word)
            if word not in _GENRE_STOP:
                tokens.append(word)
    return tokens


def _list_tokens(value: str) -> list[str]:
    """One token per ', '-separated entry (a person, a country)."""
    return [part.strip() for part in str(value or "").split(",") if part.strip()]


def _one_token(value: str) -> list[str]:
    return [str(value)] if value else []


def _description_text(value: str) -> str:
    return _STANDUP.sub("standup", str(value or "").lower())


def title_features(titles: pd.DataFrame) -> sp.csr_matrix:
    """One L2-normalised sparse row per title: the weighted field blocks described in the module docstring."""
    text = titles.fillna({c: "" for c in ("listed_in", "description", "cast", "director", "country")})
    vectorizers = {
        "genres": (TfidfVectorizer(analyzer=genre_tokens, dtype=np.float32), text["listed_in"]),
        "description": (TfidfVectorizer(preprocessor=_description_text, stop_words="english", min_df=2,
                                        max_df=0.3, sublinear_tf=True, dtype=np.float32), text["description"]),
        # People and countries seen once cannot link two titles: min_df=2 keeps the matrix small.
        "cast": (TfidfVectorizer(analyzer=_list_tokens, min_df=2, dtype=np.float32), text["cast"]),
        "director": (TfidfVectorizer(analyzer=_list_tokens, min_df=2, dtype=np.float32), text["director"]),
        "country": (TfidfVectorizer(analyzer=_list_tokens, min_df=2, dtype=np.float32), text["country"]),
        "type": (TfidfVectorizer(analyzer=_one_token, use_idf=False, dtype=np.float32), text["type"]),
        "audience": (TfidfVectorizer(analyzer=_one_token, use_idf=False, dtype=np.float32),
                     _audience(titles)),
    }
    return weighted_rows({name: vec.fit_transform(column) for name, (vec, column) in vectorizers.items()},
                         FIELD_WEIGHTS)


def weighted_rows(blocks: dict[str, sp.spmatrix], weights: dict[str, float]) -> sp.csr_matrix:
    """The one weighting rule (see the module docstring): every field block L2-normalised and multiplied by its
    weight, an item lacking the field given the weight on an unknown column of its own, the blocks joined and
    every row L2-normalised. A field enters the cosine with its weight squared."""
    parts = []
    for name, block in blocks.items():
        block = sp.csr_matrix(block, dtype=np.float32)
        absent = np.flatnonzero(np.diff(block.indptr) == 0)
        unknown = sp.csr_matrix((np.ones(absent.size, dtype=np.float32), (absent, np.arange(absent.size))),
                                shape=(block.shape[0], absent.size))
        parts += [weights[name] * normalize(block), weights[name] * unknown]
    return normalize(sp.hstack(parts, format="csr", dtype=np.float32))


def _audience(titles: pd.DataFrame) -> pd.Series:
    """Each title's audience; none for a maturity rating the ETL filled in (its 'g' says nothing)."""
    audience = titles["rating"].map(AUDIENCE).fillna("")
    if "rating_filled" in titles:
        audience = audience.where(~titles["rating_filled"].astype(bool), "")
    return audience


def build_neighbours(titles: pd.DataFrame, k: int = 50, chunk_size: int = 1024) -> dict[str, np.ndarray]:
    """The k most similar titles of every title, as pickle-free arrays (names in `NEIGHBOUR_ARRAYS`).

    Row i of `similar_idx` / `similar_score` belongs to `titles` row i (ids in `similar_ids`); indices point
    into the same row order; scores are cosine similarities, best first (equal scores by row index); the same
    input always gives the same arrays. Never the title itself nor its other listings (same title, type and
    year on another platform).
    """
    n = len(titles)
    if n < 2:
        raise ValueError(f"need at least 2 titles to find neighbours, got {n}")
    features = title_features(titles)
    groups = listing_groups(titles)
    rows_of_group = group_members(groups)
    idx, score = top_neighbours(features, k, chunk_size, exclude=lambda r: rows_of_group[groups[r]],
                                never=is_placeholder(titles))
    arrays = {
        "similar_ids": titles[COL_ID].astype(str).to_numpy().astype(np.str_),
        "similar_idx": idx,
        "similar_score": score,
        "similar_features_data": features.data.astype(np.float32),
        "similar_features_indices": features.indices.astype(np.int32),
        "similar_features_indptr": features.indptr.astype(np.int64),
        "similar_features_shape": np.array(features.shape, dtype=np.int64),
    }
    assert tuple(arrays) == NEIGHBOUR_ARRAYS  # the serving side reads exactly these
    return arrays


def top_neighbours(features: sp.csr_matrix, k: int, chunk_size: int = 1024,
                   exclude: Callable[[int], np.ndarray] | None = None, never: np.ndarray | None = None,
                   desc: str = "similar titles") -> tuple[np.ndarray, np.ndarray]:
    """(idx, score): for each row of `features`, the k other rows with the largest dot product (the cosine,
    for L2-normalised rows), best first, ties by row index (the same input always gives the same arrays);
    scores below 0 become 0.

    A row is never its own neighbour, nor any row of `exclude(row)`, nor a row where `never` is True (those
    columns are not even computed: the work is rows x candidates).
    """
    n = features.shape[0]
    candidates = np.flatnonzero(~never) if never is not None else np.arange(n)
    position = np.full(n, -1, dtype=np.int64)  # row -> its column among the candidates
    position[candidates] = np.arange(candidates.size)
    k = min(k, candidates.size - 1)
    columns = features[candidates]
    # Terms shared by many rows (genres, type, audience, big countries) would make the sparse product
    # nearly dense and slow: their columns are multiplied densely (BLAS), the long tail sparsely.
    is_common = np.diff(columns.tocsc().indptr) > DENSE_TERM_MIN_TITLES
    common, common_cols = (features[:, np.flatnonzero(is_common)].toarray(),
                           columns[:, np.flatnonzero(is_common)].toarray())
    rare = features[:, np.flatnonzero(~is_common)].tocsr()
    rare_cols_t = columns[:, np.flatnonzero(~is_common)].T.tocsr()
    idx = np.empty((n, k), dtype=np.int32)
    score = np.empty((n, k), dtype=np.float32)
    for start in tqdm(range(0, n, chunk_size), desc=desc, unit="chunk", leave=False,
                      disable=not log.isEnabledFor(logging.INFO)):  # quiet unless the CLI asked for progress
        stop = min(start + chunk_size, n)
        sims = common[start:stop] @ common_cols.T
        sims += (rare[start:stop] @ rare_cols_t).toarray()
        for r in range(start, stop):
            masked = position[np.r_[r, exclude(r)] if exclude is not None else r]
            sims[r - start, masked[masked >= 0]] = -np.inf
        top = np.argpartition(sims, -k, axis=1)[:, -k:]  # (not on -sims: that copy costs as much again)
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.lexsort((top, -top_sims), axis=1)  # best first, ties by row index: deterministic
        idx[start:stop] = candidates[np.take_along_axis(top, order, axis=1)]
        score[start:stop] = np.take_along_axis(top_sims, order, axis=1)
    return idx, np.maximum(score, 0)
