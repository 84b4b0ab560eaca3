"""The streaming catalog's statistics, computed once into one JSON-ready dict: `compute(data)`.

The dict is what reports/streaming/eda.json holds under "numbers"; figures, captions, eda.md and the model card
read it and compute no number of their own. It is strict JSON (etl.eda.ratings.check_json_ready names the
offending key), and a statistic that is undefined for the data at hand is None, never NaN.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from config import COL_ID, COL_PLATFORM, PLATFORMS, SEED
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

VERY_LONG_MINUTES = 450   # beyond any feature film: the ambient/sleep videos
NAMED_OUTLIERS = 5
RECENT_SINCE, OLD_BEFORE = 2010, 1970
TOP_GENRES, TOP_COUNTRIES, TOP_MATURITY_RATINGS = 25, 20, 4
MISSING_COLUMNS = ["director", "cast", "country", "date_added", "duration", "description", "listed_in", "rating"]


# --------------------------------------------------------------------------------------------------- ratings

def timestamps(data: EdaData) -> dict:
    """Only one ratings file has timestamps; how many ratings predate the release of the title they rate."""
    years, release = data.rating_years, data.rated_release_years
    timed = len(years) > 0
    return {
        "timestamped_ratings": len(years),
        "timestamped_ratings_before_release_share": float(np.mean(years < release)) if timed else None,
        "timestamp_years": {"first": int(years.min()), "last": int(years.max())} if timed else None,
    }


# ---------------------------------------------------------------------------------------------------- titles

def _platform_of_file(file: str) -> str | None:
    return next((p for p, (_, name, _) in PLATFORMS.items() if file.endswith(name)), None)


def catalog(titles: pd.DataFrame) -> dict:
    per_type = titles.groupby([COL_PLATFORM, "type"]).size().unstack(fill_value=0)
    show_share = per_type.get("tv show", 0) / per_type.sum(axis=1)
    return {
        "titles": len(titles),
        "placeholder_titles": int(titles["is_placeholder"].sum()),
        "titles_per_platform": {p: int(n) for p, n in per_type.sum(axis=1).items()},
        "titles_per_platform_and_type": {p: {t: int(n) for t, n in row.items()} for p, row in per_type.iterrows()},
        "tv_show_share_per_platform": {p: float(s) for p, s in show_share.items()},
    }


def release_years(titles: pd.DataFrame) -> dict:
    years = titles["release_year"]
    old = titles[years < OLD_BEFORE].groupby(COL_PLATFORM).size()
    return {"min": int(years.min()), "max": int(years.max()),
            "recent_since": RECENT_SINCE, "recent_share": float((years >= RECENT_SINCE).mean()),
            "old_before": OLD_BEFORE, "old": int(old.sum()), "old_per_platform": {p: int(n) for p, n in old.items()}}


def date_added(titles: pd.DataFrame) -> dict:
    added = pd.to_datetime(titles["date_added"], format="%Y-%m-%d", errors="coerce")
    dated = added.notna()
    quarters = added[dated].dt.to_period("Q").groupby(titles.loc[dated, COL_PLATFORM])
    busiest = {p: q.value_counts(sort=False).sort_index() for p, q in quarters}
    return {
        "first": str(added.min().date()) if dated.any() else None,
        "last": str(added.max().date()) if dated.any() else None,
        "dated_per_platform": {p: int(n) for p, n in dated.groupby(titles[COL_PLATFORM]).sum().items()},
        "known_share_per_platform": {p: float(s) for p, s in dated.groupby(titles[COL_PLATFORM]).mean().items()},
        "busiest_quarter_per_platform": {p: {"quarter": str(c.idxmax()), "titles": int(c.max())}
                                         for p, c in busiest.items()},
        "added_before_release_year": int((added.dt.year < titles["release_year"]).sum()),
    }


def _named(rows: pd.DataFrame, unit: str) -> list[dict]:
    return [{"id": r[COL_ID], "title": r["title"], "platform": r[COL_PLATFORM], unit: int(r["duration_int"])}
            for _, r in rows.iterrows()]


def _movies_and_shows(titles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The real titles (the Amazon test rows left out) timed in minutes, and those counted in seasons."""
    real = titles[~titles["is_placeholder"]]
    return (real[real["duration_type"] == "min"],
            real[(real["duration_type"] == "season") & real["duration_int"].notna()])


def movie_minutes(titles: pd.DataFrame) -> np.ndarray:
    """Running times of the movies that have one: the ETL keeps "0 min" as duration_type "min" but leaves the 0
    out of duration_int (no title runs 0 minutes), so a movie's duration_int may be missing."""
    return _movies_and_shows(titles)[0]["duration_int"].dropna().to_numpy(dtype=float)


def show_seasons(titles: pd.DataFrame) -> np.ndarray:
    return _movies_and_shows(titles)[1]["duration_int"].to_numpy(dtype=int)


def durations(titles: pd.DataFrame) -> dict:
    """Movie minutes and show seasons of the real titles; the longest named, and the movies without minutes."""
    movies, shows = _movies_and_shows(titles)
    timed, untimed = movies[movies["duration_int"].notna()], movies[movies["duration_int"].isna()]
    minutes, seasons = movie_minutes(titles), show_seasons(titles)
    very_long = timed[timed["duration_int"] > VERY_LONG_MINUTES]
    no_duration = titles[titles["duration_type"].isna()].groupby([COL_PLATFORM, "type"]).size()
    stats = {
        "movies": len(movies),
        "movies_with_minutes": len(timed),
        "movie_minutes_median": None, "movie_minutes_far_out_fence": None, "movies_beyond_fence": 0,
        "movies_longest": _named(timed.nlargest(NAMED_OUTLIERS, "duration_int"), "minutes"),
        "very_long_minutes": VERY_LONG_MINUTES,
        "very_long_movies": len(very_long),
        "very_long_movies_per_platform": {p: int(n) for p, n in very_long.groupby(COL_PLATFORM).size().items()},
        "movies_without_minutes": [{"id": r[COL_ID], "title": r["title"], "platform": r[COL_PLATFORM],
                                    "duration": r["duration"]} for _, r in untimed.iterrows()],
        "shows": len(shows),
        "shows_one_season_share": float(np.mean(seasons == 1)) if len(seasons) else None,
        "shows_most_seasons": _named(shows.nlargest(NAMED_OUTLIERS, "duration_int"), "seasons"),
        "titles_without_duration": {f"{p} {t}": int(n) for (p, t), n in no_duration.items()},
    }
    if len(minutes):
        q1, q3 = np.percentile(minutes, [25, 75])
        fence = float(q3 + FAR_OUT_IQRS * (q3 - q1))
        stats.update(movie_minutes_median=float(np.median(minutes)), movie_minutes_far_out_fence=fence,
                     movies_beyond_fence=int((minutes > fence).sum()))
    return stats


def maturity_ratings(titles: pd.DataFrame, etl_report: dict) -> dict:
    table = pd.crosstab(titles["rating"], titles[COL_PLATFORM])
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    filled = {f["file"]: int(f["count"]) for f in etl_report["fixes"]
              if f["column"] == "rating" and f["fix"].startswith("missing maturity rating")}
    return {
        "distinct": len(table),
        "titles_per_rating_and_platform": {r: {p: int(n) for p, n in row.items()} for r, row in table.iterrows()},
        "top_per_platform": {p: list(table[p].sort_values(ascending=False, kind="stable").index[:TOP_MATURITY_RATINGS])
                             for p in table.columns},
        "filled_in_as_g": sum(filled.values()),
        "filled_in_as_g_per_file": filled,
        "filled_in_as_g_per_platform": {_platform_of_file(f): n for f, n in filled.items() if _platform_of_file(f)},
    }


def top_by_platform(titles: pd.DataFrame, column: str, top: int) -> dict[str, dict[str, int]]:
    """The `top` most frequent values of a ', '-separated list column, each with its count per platform."""
    values = titles[column].dropna().str.split(", ").explode()
    table = pd.crosstab(values.to_numpy(), titles.loc[values.index, COL_PLATFORM].to_numpy())
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index[:top]]
    return {name: {p: int(n) for p, n in row.items()} for name, row in table.iterrows()}


def missing_share(titles: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Share of titles missing each column, per platform."""
    missing = titles[MISSING_COLUMNS].isna().groupby(titles[COL_PLATFORM]).mean().T
    return {column: {p: float(v) for p, v in row.items()} for column, row in missing.iterrows()}


def title_words(titles: pd.DataFrame) -> dict[str, int]:
    """Word counts of the real titles (plurals merged, common English words left out), most frequent first."""
    from wordcloud import WordCloud

    text = " ".join(titles.loc[~titles["is_placeholder"], "title"])
    counts = WordCloud(**cloud_settings()).process_text(text)
    return dict(sorted(counts.items(), key=lambda item: item[1], reverse=True)[:CLOUD_WORDS])


def etl_fixes(etl_report: dict) -> dict:
    return {"fix_kinds": len(etl_report["fixes"]),
            "values_changed": int(sum(f["count"] for f in etl_report["fixes"])),
            "quarantined_rows": int(etl_report.get("quarantine", {}).get("rows", 0))}


# ------------------------------------------------------------------------------------------------ everything


def compute(data: EdaData, n_shuffles: int = N_SHUFFLES, seed: int = SEED) -> dict:
    """Every statistic the report, its figures and the model card use, checked to be strict JSON."""
    titles = data.titles
    stats = {
        **catalog(titles),
        **ratings_summary(data),
        **timestamps(data),
        "item_signal": item_signal(data, n_shuffles, seed),
        "release_year": release_years(titles),
        "date_added": date_added(titles),
        "durations": durations(titles),
        "maturity_ratings": maturity_ratings(titles, data.etl_report),
        "top_genres": top_by_platform(titles, "listed_in", TOP_GENRES),
        "top_countries": top_by_platform(titles, "country", TOP_COUNTRIES),
        "country_missing_share": float(titles["country"].isna().mean()),
        "missing_share": missing_share(titles),
        "title_words": title_words(titles),
        "etl": etl_fixes(data.etl_report),
    }
    check_json_ready(stats)
    return stats
