"""What every catalog's EDA section shares: its ratings as integer codes (EdaData) and the statistics any ratings
get: the item-signal tests, the ratings summary, strict-JSON checks, the word-cloud settings.

Every statistic is a bincount over the codes; shuffles and random halves are seeded, so two runs give the same
numbers; a statistic undefined for the data at hand is None, never NaN.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from config import RATING_MAX, RATING_MIN, SEED

N_SHUFFLES = 10           # each shuffle of 11M ratings takes ~1-2 s; 10 draws show the null's spread
SPLIT_STREAM = 1          # the random halves get their own seeded stream, independent of the number of shuffles
FAR_OUT_IQRS = 3          # Tukey's far-out fence, q3 + 3 IQR: what lies beyond it is named
CLOUD_WORDS = 150
CLOUD_STOPWORDS_EXTRA = {"s"}  # the "s" of "'s", which the tokenizer splits off


@dataclass
class EdaData:
    """The processed tables, with the ratings as integer codes so that every statistic is a bincount."""
    titles: pd.DataFrame      # titles.parquet, row i is item code i
    etl_report: dict
    users: np.ndarray         # int32 user code per rating (0..n_users-1, every code used)
    items: np.ndarray         # int32 row of `titles` per rating
    ratings: np.ndarray       # float64
    rating_years: np.ndarray  # int year of each timestamped rating (only one ratings file has timestamps)
    rated_release_years: np.ndarray  # release year of the title of each timestamped rating

    @property
    def n_users(self) -> int:
        return int(self.users.max()) + 1 if len(self.users) else 0


def user_codes(user_ids: np.ndarray) -> np.ndarray:
    """Dense user codes; the ETL writes ratings sorted by user, which makes this a cumulative sum."""
    if len(user_ids) and np.all(user_ids[1:] >= user_ids[:-1]):
        return np.cumsum(np.r_[0, user_ids[1:] != user_ids[:-1]], dtype=np.int32)
    return np.unique(user_ids, return_inverse=True)[1].astype(np.int32)


def _means(codes: np.ndarray, values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of `values` per code (NaN where a code has none) and the count per code."""
    counts = np.bincount(codes, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(codes, weights=values, minlength=n) / counts, counts


def _correlation(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson's r, or None where it is undefined (fewer than two points, or a constant side)."""
    if len(a) < 2 or a.std() == 0 or b.std() == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def split_half_means(data: EdaData, seed: int = SEED) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each rating put at random into half A or B; per-title and per-user means of both halves, for the codes
    that have ratings in both."""
    half = np.random.default_rng([seed, SPLIT_STREAM]).random(len(data.ratings)) < 0.5
    halves = {}
    for who, codes, n in (("titles", data.items, len(data.titles)), ("users", data.users, data.n_users)):
        mean_a, count_a = _means(codes[half], data.ratings[half], n)
        mean_b, count_b = _means(codes[~half], data.ratings[~half], n)
        both = (count_a > 0) & (count_b > 0)
        halves[who] = (mean_a[both], mean_b[both])
    return halves


def item_signal(data: EdaData, n_shuffles: int = N_SHUFFLES, seed: int = SEED) -> dict:
    """Is there anything in a title's ratings that belongs to the title? Two tests, the same for users.

    (a) Spread test: the std of per-title mean ratings, against the same std after shuffling the ratings over
        the (user, title) pairs. If titles differed in quality, the observed spread would exceed the shuffled one.
    (b) Split-half test: split the ratings at random into halves A and B; correlate per-title means of A with
        those of B. A real title effect makes the halves agree; noise makes r ~ 0. Users serve as the positive
        control.
    """
    rng = np.random.default_rng(seed)
    n_titles, n_users = len(data.titles), data.n_users
    title_means, title_counts = _means(data.items, data.ratings, n_titles)
    rated = title_counts > 0  # a title nobody rated has no mean
    user_means, _ = _means(data.users, data.ratings, n_users)
    observed_title_std, observed_user_std = float(title_means[rated].std()), float(user_means.std())

    null_title, null_user = [], []
    for _ in range(n_shuffles):
        shuffled = rng.permutation(data.ratings)
        null_title.append(float(_means(data.items, shuffled, n_titles)[0][rated].std()))
        null_user.append(float(_means(data.users, shuffled, n_users)[0].std()))
    null_title_mean, null_user_mean = float(np.mean(null_title)), float(np.mean(null_user))
    # Without any title effect a title's mean is the mean of n random ratings: its std is sigma / sqrt(n).
    expected_title_std = float(np.sqrt(data.ratings.var() * np.mean(1.0 / title_counts[rated])))

    halves = split_half_means(data, seed)
    return {
        "n_shuffles": n_shuffles,
        "seed": seed,
        "title_mean_std": observed_title_std,
        "title_mean_std_shuffled": null_title,
        "title_mean_std_shuffled_mean": null_title_mean,
        "title_mean_std_expected": expected_title_std,
        "title_mean_std_ratio": observed_title_std / null_title_mean if null_title_mean else None,
        "user_mean_std": observed_user_std,
        "user_mean_std_shuffled": null_user,
        "user_mean_std_shuffled_mean": null_user_mean,
        "user_mean_std_ratio": observed_user_std / null_user_mean if null_user_mean else None,
        "split_half_r_titles": _correlation(*halves["titles"]),
        "split_half_r_users": _correlation(*halves["users"]),
        "split_half_n_titles": len(halves["titles"][0]),
        "split_half_n_users": len(halves["users"][0]),
    }


def _describe(counts: np.ndarray) -> dict:
    return {"min": int(counts.min()), "median": float(np.median(counts)), "mean": float(counts.mean()),
            "p99": float(np.percentile(counts, 99)), "max": int(counts.max()), "std": float(counts.std())}


def ratings_summary(data: EdaData) -> dict:
    """Size, distribution over the half-star grid, and ratings per user and per title."""
    ratings = data.ratings
    stars = np.arange(RATING_MIN, RATING_MAX + 0.25, 0.5)
    on_grid = np.isclose(ratings * 2, np.round(ratings * 2))  # off the grid: the ETL averaged duplicate ratings
    counts = np.bincount(np.round(ratings[on_grid] * 2).astype(int) - round(RATING_MIN * 2), minlength=len(stars))
    by_count = np.argsort(-counts, kind="stable")
    whole = stars % 1 == 0
    per_title = np.bincount(data.items, minlength=len(data.titles))
    return {
        "ratings": len(ratings),
        "users": data.n_users,
        "rating_mean": float(ratings.mean()),
        "rating_std": float(ratings.std()),
        "ratings_whole_or_half_star_share": float(on_grid.mean()),
        "ratings_distribution": {
            "stars": [float(s) for s in stars],
            "counts": [int(c) for c in counts],
            "shares": [float(c / len(ratings)) for c in counts],
            "most_common_stars": [float(stars[i]) for i in by_count[:2]],
            "whole_star_share": float(counts[whole].sum() / len(ratings)),
            "between_half_stars": int((~on_grid).sum()),
        },
        "ratings_per_user": _describe(np.bincount(data.users)),
        "ratings_per_title": {**_describe(per_title), "poisson_std": float(np.sqrt(per_title.mean()))},
    }


def cloud_settings() -> dict:
    """How titles become words, shared by the word counts here and the word cloud figure."""
    from wordcloud import STOPWORDS  # imported here: only the word statistics need it

    return {"stopwords": STOPWORDS | CLOUD_STOPWORDS_EXTRA, "collocations": False, "max_words": CLOUD_WORDS}


def check_json_ready(value, where: str = "stats") -> None:
    """ValueError naming the key of the first value that strict JSON cannot hold (NaN, infinity, numpy types)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string")
            check_json_ready(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_json_ready(item, f"{where}[{i}]")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} is {value}: a statistic went wrong (strict JSON has no NaN or infinity)")
    elif not (value is None or isinstance(value, (str, bool, int))):
        raise ValueError(f"{where} is a {type(value).__name__}, not a JSON value")
