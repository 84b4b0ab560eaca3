"""Loading the Movies catalog's folder (data/processed/movies/, built by `python -m etl`) for its EDA.

Every check the Movies statistics and figures rely on happens here, so that bad input fails with one InputError
naming the file before any work is done. The ratings (MovieLens' 100k, by TMDB id) become an `EdaData` whose
`titles` are the rated movies, so that the shared rating statistics and item-signal test (etl/eda/ratings.py)
run on them unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from config import RATING_MAX, RATING_MIN
from errors import InputError
from etl import io
from etl.eda.ratings import EdaData, user_codes
from etl.movies import columns as mc

MOVIE_COLUMNS = [mc.ID, mc.TITLE, mc.RELEASE_YEAR, mc.OVERVIEW, mc.RUNTIME, mc.LANGUAGE, mc.LANGUAGE_NAME,
                 mc.COUNTRY_NAMES, mc.BUDGET, mc.REVENUE, mc.RETURN, mc.VOTE_AVERAGE, mc.VOTE_COUNT]
RATING_COLUMNS = [mc.USER, mc.ID, mc.RATING, mc.TIMESTAMP]


@dataclass
class MoviesData:
    """The Movies tables: the catalog, its ETL report, and its ratings shaped like the streaming EDA's."""
    movies: pd.DataFrame    # movies.parquet (MOVIE_COLUMNS), one row per TMDB id
    etl_report: dict
    ratings: EdaData        # titles = the rated movies (row i is item code i), users/items/ratings as codes


def _report(path: Path) -> dict:
    return io.read_json_object(path, "the Movies ETL's report")


def ratings_data(movies: pd.DataFrame, ratings: pd.DataFrame, path: Path, etl_report: dict | None = None) -> EdaData:
    """The ratings as an EdaData over the rated movies; InputError when a rating's TMDB id is not in the catalog,
    or a value is missing or off the star scale."""
    if ratings[[mc.USER, mc.ID, mc.RATING]].isna().any().any():
        raise InputError(f"{path}: missing {mc.USER}, {mc.ID} or {mc.RATING} values; rebuild with `python -m etl`")
    values = ratings[mc.RATING].to_numpy(dtype=np.float64)
    if len(values) and (values.min() < RATING_MIN or values.max() > RATING_MAX):
        raise InputError(f"{path}: ratings outside {RATING_MIN}-{RATING_MAX}; rebuild with `python -m etl`")
    rated_ids = np.unique(ratings[mc.ID].to_numpy())
    known = np.isin(rated_ids, movies[mc.ID].to_numpy())
    if not known.all():
        raise InputError(f"{path}: {mc.ID} values not in {mc.MOVIES_FILE} (e.g. {rated_ids[~known][:3].tolist()}); "
                         "rebuild both with `python -m etl`")
    titles = movies.set_index(mc.ID).loc[rated_ids].reset_index()  # row i = item code i, by TMDB id
    items = np.searchsorted(rated_ids, ratings[mc.ID].to_numpy()).astype(np.int32)
    users = user_codes(ratings[mc.USER].to_numpy())
    stamps = ratings[mc.TIMESTAMP].dropna().to_numpy(dtype=np.int64) if mc.TIMESTAMP in ratings else np.array([])
    rating_years = stamps.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    timed = ratings[mc.TIMESTAMP].notna().to_numpy() if mc.TIMESTAMP in ratings else np.zeros(len(items), bool)
    rated_release_years = titles[mc.RELEASE_YEAR].to_numpy()[items[timed]]
    return EdaData(titles, etl_report or {}, users, items, values, rating_years, rated_release_years)


def load(folder: Path) -> MoviesData:
    """The Movies tables in `folder`, checked; InputError naming a missing or bad file."""
    movies_path, ratings_path = folder / mc.MOVIES_FILE, folder / mc.RATINGS_FILE
    movies = io.read_table(movies_path, MOVIE_COLUMNS).to_pandas()
    if movies[mc.ID].duplicated().any():
        raise InputError(f"{movies_path}: {mc.ID} values are not unique; rebuild with `python -m etl`")
    report = _report(folder / mc.REPORT_FILE)
    ratings = io.read_table(ratings_path, RATING_COLUMNS).to_pandas()
    return MoviesData(movies, report, ratings_data(movies, ratings, ratings_path, report))


