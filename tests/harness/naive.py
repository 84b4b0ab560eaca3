"""The same nine questions answered the obvious way: one pandas filter over the whole titles table per call.

Not used by the app. It is the reference that bench/queries.py times the indexed Catalog against, and
that tests/catalog/test_catalog_real.py checks the Catalog's answers against on the real data. Inputs are the
canonical values the Catalog's parsers produce (e.g. platform "netflix", duration_type "min").
"""
from __future__ import annotations

import re

import pandas as pd

from config import COL_ID, COL_PLATFORM, COL_SCORE

_BY_TITLE = ["title", COL_ID]


def _movies(df: pd.DataFrame, platform: str) -> pd.DataFrame:
    return df[(df["type"] == "movie") & (df[COL_PLATFORM] == platform)]


def _exploded(df: pd.DataFrame, column: str) -> pd.Series:
    return df[column].str.split(", ").explode().dropna()


def max_duration(df: pd.DataFrame, year: int | None, platform: str | None, duration_type: str) -> str | None:
    hit = df[(df["duration_type"] == duration_type) & df["duration_int"].notna()]
    if year is not None:
        hit = hit[hit["release_year"] == year]
    if platform is not None:
        hit = hit[hit[COL_PLATFORM] == platform]
    hit = hit.sort_values(["duration_int", "title", COL_ID], ascending=[False, True, True])
    return None if hit.empty else hit["title"].iloc[0]


def score_count(df: pd.DataFrame, platform: str, scored: float, year: int) -> int:
    movies = _movies(df, platform)
    return int(((movies["release_year"] == year) & (movies[COL_SCORE] > scored)).sum())


def count_platform(df: pd.DataFrame, platform: str) -> int:
    return len(_movies(df, platform))


def actor(df: pd.DataFrame, platform: str, year: int) -> tuple[str, int] | None:
    hit = df[(df[COL_PLATFORM] == platform) & (df["release_year"] == year)]
    # An actor counts once per title.
    appearances = hit["cast"].str.split(", ").map(lambda a: sorted(set(a)), na_action="ignore").explode().dropna()
    if appearances.empty:
        return None
    counts = appearances.value_counts()
    best = counts[counts == counts.max()].index.min()
    return best, int(counts.max())


def contents(df: pd.DataFrame, rating: str) -> list[str]:
    return df[df["rating"] == rating].sort_values(_BY_TITLE)[COL_ID].tolist()


def prod_per_county(df: pd.DataFrame, tipo: str, pais: str, anio: int) -> list[str]:
    hit = df[(df["type"] == tipo) & (df["release_year"] == anio)]
    countries = hit["country"].str.split(", ")
    hit = hit[countries.map(lambda c: pais in c, na_action="ignore").fillna(False).astype(bool)]
    return hit.sort_values(_BY_TITLE)[COL_ID].tolist()


def word_count(df: pd.DataFrame, platform: str, keyword: str) -> list[str]:
    # Whole words: not preceded or followed by a letter/digit; the words of a phrase separated by anything else.
    words = re.findall(r"[^\W_]+", keyword.lower())
    pattern = r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W_])"
    hit = df[(df[COL_PLATFORM] == platform) & df["title"].str.contains(pattern, regex=True)]
    return hit.sort_values(_BY_TITLE)[COL_ID].tolist()


def second_score(df: pd.DataFrame, platform: str) -> str | None:
    ranked = _movies(df, platform).sort_values([COL_SCORE, "title", COL_ID], ascending=[False, True, True])
    return ranked["title"].iloc[1] if len(ranked) > 1 else None


def listedin(df: pd.DataFrame, genre: str) -> tuple[str, int] | None:
    labels = _exploded(df, "listed_in")
    # Singular or plural: comedy/comedies, drama/dramas.
    other = {genre[:-3] + "y"} if genre.endswith("ies") else {genre[:-1] + "ies"} if genre.endswith("y") else \
        {genre[:-1]} if re.search(r"[^s]s$", genre) and len(genre) > 3 else set()
    pattern = r"(?<![^\W_])(?:" + "|".join(re.escape(g) for g in {genre} | other) + ")"  # at a word start
    rows = labels[labels.str.contains(pattern, regex=True)].index.unique()
    counts = df.loc[rows, COL_PLATFORM].value_counts()
    if counts.empty:
        return None
    best = counts[counts == counts.max()].index.min()
    return best, int(counts.max())
