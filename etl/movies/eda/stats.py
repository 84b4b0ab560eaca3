"""The Movies catalog's statistics, computed once into one JSON-ready dict: `compute(data)`.

It is what reports/movies/eda.json holds under "numbers"; the Movies figures and captions read it and compute no
number of their own: plain Python types, no NaN (None where a statistic is undefined), seeded shuffles. The
ratings get the shared `ratings_summary` and `item_signal` (etl/eda/ratings.py).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from config import SEED
from etl.eda.ratings import (
    CLOUD_WORDS,
    FAR_OUT_IQRS,
    N_SHUFFLES,
    EdaData,
    check_json_ready,
    cloud_settings,
    item_signal,
    ratings_summary,
)
from etl.movies import columns as mc
from etl.movies.eda.data import MoviesData

TINY_BUDGET = 1_000        # dollars: a budget below it is a typo (1 or 10 "dollars" typed for millions), or a curio
HIGH_RETURN = 1_000        # revenue / budget at or above it is named
NAMED = 8                  # outliers named per list
TOP_LANGUAGES, TOP_COUNTRIES = 15, 15
FEW_VOTES, MANY_VOTES = 10, 100  # the spread of vote averages below and above these counts
RECENT_SINCE = 2000
MIN_RATINGS = 10           # the item-signal test again on the movies with at least this many ratings


def _movie(row: pd.Series, *fields: str) -> dict:
    out = {"id": int(row[mc.ID]), "title": str(row[mc.TITLE]), "year": int(row[mc.RELEASE_YEAR])}
    for field in fields:
        value = row[field]
        out[field] = int(value) if isinstance(value, (int, np.integer)) or float(value).is_integer() else float(value)
    return out


def _float(value) -> float | None:
    """A float, or None for a NaN (an empty selection's median)."""
    value = float(value)
    return None if np.isnan(value) else value


def catalog(movies: pd.DataFrame, etl_report: dict) -> dict:
    return {"movies": len(movies),
            "from_raw_rows": int(etl_report.get("movies", {}).get("from_raw_rows", 0)),
            "with_overview": int(movies[mc.OVERVIEW].notna().sum())}


def release_years(movies: pd.DataFrame) -> dict:
    years = movies[mc.RELEASE_YEAR].astype(int)
    per_year = years.value_counts()
    busiest = int(per_year.idxmax())
    decades = (years // 10 * 10).value_counts().sort_index()
    return {"min": int(years.min()), "max": int(years.max()), "median": float(years.median()),
            "busiest_year": busiest, "busiest_year_movies": int(per_year[busiest]),
            "recent_since": RECENT_SINCE, "recent_share": float((years >= RECENT_SINCE).mean()),
            "per_decade": {str(d): int(n) for d, n in decades.items()}}


def runtimes(movies: pd.DataFrame) -> dict:
    """Running times in minutes; 0 stands for unknown (no film runs 0 minutes), like a missing value."""
    runtime = movies[mc.RUNTIME]
    timed = movies[runtime > 0]
    minutes = timed[mc.RUNTIME].to_numpy(dtype=float)
    out = {"with_runtime": len(timed), "zero_runtime": int((runtime == 0).sum()), "missing": int(runtime.isna().sum()),
           "median": None, "far_out_fence": None, "beyond_fence": 0,
           "longest": [_movie(r, mc.RUNTIME) for _, r in timed.nlargest(NAMED, mc.RUNTIME).iterrows()]}
    if len(minutes):
        q1, q3 = np.percentile(minutes, [25, 75])
        fence = float(q3 + FAR_OUT_IQRS * (q3 - q1))
        out.update(median=float(np.median(minutes)), far_out_fence=fence, beyond_fence=int((minutes > fence).sum()))
    return out


def money(movies: pd.DataFrame) -> dict:
    """Budget, revenue and return (revenue / budget) where both are known (> 0); the outliers named.

    Returns in the millions come from budgets typed as 1 or 10 dollars: they are named with their budget, and
    counted against the budgets under TINY_BUDGET."""
    budget, revenue = movies[mc.BUDGET], movies[mc.REVENUE]
    both = movies[(budget > 0) & (revenue > 0)]
    tiny = both[both[mc.BUDGET] < TINY_BUDGET]
    high = both[both[mc.RETURN] >= HIGH_RETURN].sort_values(mc.RETURN, ascending=False, kind="stable")
    plausible = both[both[mc.BUDGET] >= TINY_BUDGET]
    best = plausible.nlargest(1, mc.RETURN)
    returns = both[mc.RETURN]
    return {
        "with_budget": int((budget > 0).sum()), "with_revenue": int((revenue > 0).sum()), "with_both": len(both),
        "budget_median": _float(both[mc.BUDGET].median()) if len(both) else None,
        "revenue_median": _float(both[mc.REVENUE].median()) if len(both) else None,
        "return_median": _float(returns.median()) if len(both) else None,
        "return_above_1_share": float((returns > 1).mean()) if len(both) else None,
        "largest_budget": [_movie(r, mc.BUDGET, mc.REVENUE) for _, r in both.nlargest(3, mc.BUDGET).iterrows()],
        "tiny_budget": TINY_BUDGET,
        "tiny_budget_movies": len(tiny),
        "high_return": HIGH_RETURN,
        "high_return_movies": len(high),
        "high_return_tiny_budget": int((high[mc.BUDGET] < TINY_BUDGET).sum()),
        "highest_returns": [_movie(r, mc.BUDGET, mc.REVENUE, mc.RETURN) for _, r in high.head(NAMED).iterrows()],
        "highest_return_plausible_budget": (_movie(best.iloc[0], mc.BUDGET, mc.REVENUE, mc.RETURN)
                                            if len(best) else None),
    }


def votes(movies: pd.DataFrame) -> dict:
    """vote_average against vote_count: the 0 averages with no votes behind them, and how the spread of the
    averages narrows as the votes grow."""
    count, average = movies[mc.VOTE_COUNT], movies[mc.VOTE_AVERAGE]
    voted = count > 0
    few, many = average[voted & (count < FEW_VOTES)], average[count >= MANY_VOTES]
    rank = pd.Series(np.log1p(count[voted])).corr(average[voted], method="spearman") if voted.sum() > 1 else None
    return {
        "no_votes": int((~voted).sum()),
        "no_votes_zero_average": int(((~voted) & (average == 0)).sum()),
        "zero_average_with_votes": int((voted & (average == 0)).sum()),
        "average_mean_all": float(average.mean()),
        "average_mean_voted": _float(average[voted].mean()) if voted.any() else None,
        "count_median": float(count.median()),
        "few_votes": FEW_VOTES, "many_votes": MANY_VOTES,
        "few_votes_movies": len(few), "many_votes_movies": len(many),
        "average_std_few_votes": _float(few.std(ddof=0)) if len(few) else None,
        "average_std_many_votes": _float(many.std(ddof=0)) if len(many) else None,
        "spearman_count_average": None if rank is None or np.isnan(rank) else float(rank),
        "most_votes": [_movie(r, mc.VOTE_COUNT, mc.VOTE_AVERAGE)
                       for _, r in movies.nlargest(3, mc.VOTE_COUNT).iterrows()],
    }


def languages_and_countries(movies: pd.DataFrame) -> dict:
    names = movies[mc.LANGUAGE_NAME].fillna(movies[mc.LANGUAGE])
    languages = names.value_counts()
    countries = movies[mc.COUNTRY_NAMES].explode().dropna().value_counts()
    no_country = movies[mc.COUNTRY_NAMES].map(lambda v: v is None or len(v) == 0)
    return {
        "languages": len(languages),
        "top_languages": {str(k): int(v) for k, v in languages.head(TOP_LANGUAGES).items()},
        "english_share": float((movies[mc.LANGUAGE] == "en").mean()),
        "countries": len(countries),
        "top_countries": {str(k): int(v) for k, v in countries.head(TOP_COUNTRIES).items()},
        "no_country": int(no_country.sum()),
        "no_country_share": float(no_country.mean()),
    }


def cloud_words(texts: pd.Series) -> dict[str, int]:
    """Word counts (plurals merged, common English words left out), most frequent first, for a word cloud."""
    from wordcloud import WordCloud

    counts = WordCloud(**cloud_settings()).process_text(" ".join(texts.dropna()))
    return dict(sorted(counts.items(), key=lambda item: item[1], reverse=True)[:CLOUD_WORDS])


def ratings(data: MoviesData) -> dict:
    """The streaming EDA's rating summary on the Movies ratings, the share of the catalog they cover and the movies
    with a single rating (whose mean is one rating's noise)."""
    summary = ratings_summary(data.ratings)
    rated = len(data.ratings.titles)
    cells = summary["users"] * rated
    per_movie = np.bincount(data.ratings.items, minlength=rated)
    return {**summary, "movies_rated": rated, "single_rating_movies": int((per_movie == 1).sum()),
            "rated_share_of_catalog": rated / len(data.movies) if len(data.movies) else None,
            "density": summary["ratings"] / cells if cells else None}


def well_rated(data: EdaData, min_ratings: int = MIN_RATINGS) -> EdaData:
    """The ratings of the movies with at least `min_ratings` ratings (users re-coded densely, so that each code
    still has ratings): half the rated movies have 3 ratings or fewer, whose means are mostly noise."""
    keep = np.bincount(data.items, minlength=len(data.titles))[data.items] >= min_ratings
    users = np.unique(data.users[keep], return_inverse=True)[1].astype(np.int32)
    return EdaData(data.titles, data.etl_report, users, data.items[keep], data.ratings[keep], data.rating_years,
                   data.rated_release_years)


def item_signal_well_rated(data: EdaData, n_shuffles: int, seed: int, min_ratings: int = MIN_RATINGS) -> dict:
    """`stats.item_signal` unchanged, on the movies with at least `min_ratings` ratings."""
    subset = well_rated(data, min_ratings)
    movies = int((np.bincount(subset.items, minlength=len(data.titles)) > 0).sum())
    if not len(subset.ratings):
        return {"min_ratings": min_ratings, "movies": 0, "ratings": 0, "signal": None}
    return {"min_ratings": min_ratings, "movies": movies, "ratings": len(subset.ratings),
            "signal": item_signal(subset, n_shuffles, seed)}


def compute(data: MoviesData, n_shuffles: int = N_SHUFFLES, seed: int = SEED) -> dict:
    """Every statistic of the Movies figures and captions, checked to be strict JSON."""
    movies = data.movies
    numbers = {
        **catalog(movies, data.etl_report),
        "release_year": release_years(movies),
        "runtime": runtimes(movies),
        "money": money(movies),
        "votes": votes(movies),
        "languages_countries": languages_and_countries(movies),
        "title_words": cloud_words(movies[mc.TITLE]),
        "overview_words": cloud_words(movies[mc.OVERVIEW]),
        "ratings": ratings(data),
        "item_signal": item_signal(data.ratings, n_shuffles, seed),
        "item_signal_well_rated": item_signal_well_rated(data.ratings, n_shuffles, seed),
    }
    check_json_ready(numbers)
    return numbers
