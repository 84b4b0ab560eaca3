"""MovieLens ratings (ratings_small.csv) -> ratings of catalog movies by TMDB id, through links_small.csv.

Ratings that point at no catalog film are quarantined and counted (not an error): their movieId has no TMDB id
in the links, or is not in the links, or its TMDB id is not in the catalog. So are ratings outside 0.5-5.0.
"""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from errors import InputError
from etl.io import read_table
from etl.movies import columns as C
from etl.report import Report

log = logging.getLogger(__name__)
RATING_MIN, RATING_MAX = 0.5, 5.0


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    table = read_table(path, columns)
    try:
        return table.to_pandas()
    except pa.ArrowException as exc:  # pragma: no cover - read_table already typed the columns
        raise InputError(f"{path}: unreadable CSV ({exc})") from None


def _whole(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().all() and len(values):
        raise InputError(f"{path}: column {column} holds no numbers")
    return values


def build_ratings(raw_dir: Path, catalog_ids: np.ndarray, report: Report) -> tuple[pd.DataFrame, dict]:
    folder = raw_dir / C.SUBDIR
    ratings_path, links_path = folder / C.RATINGS_FILE_IN, folder / C.LINKS_FILE
    links = _read(links_path, [C.ML_MOVIE, C.TMDB_ID])
    links_file, ratings_file = f"{C.SUBDIR}/{C.LINKS_FILE}", f"{C.SUBDIR}/{C.RATINGS_FILE_IN}"
    link_movie = _whole(links, C.ML_MOVIE, links_path)
    link_tmdb = pd.to_numeric(links[C.TMDB_ID], errors="coerce").astype("Int64")
    bad_link = link_movie.isna() | link_movie.duplicated()
    if bad_link.any():
        report.quarantine(links_file, links.index[bad_link] + 1, "movieId missing or repeated",
                          links.loc[bad_link].astype(str).agg(",".join, axis=1).tolist())
    tmdb_of = pd.Series(link_tmdb[~bad_link].to_numpy(), index=link_movie[~bad_link].astype("int64").to_numpy())
    report.add_file(links_file, len(links), int((~bad_link).sum()),
                    without_tmdb_id=int(tmdb_of.isna().sum()),
                    tmdb_ids_shared_by_two_movieids=int(tmdb_of.dropna().duplicated().sum()))

    df = _read(ratings_path, [C.USER, C.ML_MOVIE, C.RATING, C.TIMESTAMP])
    users = _whole(df, C.USER, ratings_path)
    movies = _whole(df, C.ML_MOVIE, ratings_path)
    rating = pd.to_numeric(df[C.RATING], errors="coerce")
    stamp = pd.to_numeric(df[C.TIMESTAMP], errors="coerce")
    tmdb = pd.Series(tmdb_of.reindex(movies.to_numpy()).to_numpy(), index=df.index).astype("Int64")
    checks = [
        ("userId or movieId is not a whole number", users.isna() | movies.isna()),
        (f"rating outside {RATING_MIN}-{RATING_MAX}", ~rating.between(RATING_MIN, RATING_MAX)),
        ("movieId not in links_small.csv", ~movies.isin(tmdb_of.index)),
        ("movieId has no TMDB id in links_small.csv", movies.isin(tmdb_of.index) & tmdb.isna()),
        ("TMDB id not in the catalog", tmdb.notna() & ~tmdb.isin(catalog_ids)),
    ]
    bad = pd.Series(False, index=df.index)
    counts = {}
    for reason, mask in checks:
        mask = mask & ~bad
        counts[reason] = int(mask.sum())
        if mask.any():
            values = [f"userId={u}, movieId={m}, tmdbId={t}, rating={r}" for u, m, t, r in
                      zip(df.loc[mask, C.USER], df.loc[mask, C.ML_MOVIE], tmdb[mask], df.loc[mask, C.RATING],
                          strict=True)]
            report.quarantine(ratings_file, df.index[mask] + 1, reason, values)
        bad |= mask
    keep = ~bad
    out = pd.DataFrame({
        C.USER: users[keep].astype("int64").to_numpy(),
        C.ID: tmdb[keep].astype("int64").to_numpy(),
        C.ML_MOVIE: movies[keep].astype("int64").to_numpy(),
        C.RATING: rating[keep].astype("float64").to_numpy(),
        C.TIMESTAMP: stamp[keep].astype("Int64").to_numpy(),
    })
    report.add_file(ratings_file, len(df), len(out))
    summary = {"rows_read": len(df), "rows_out": len(out), "users": int(out[C.USER].nunique()),
               "movies": int(out[C.ID].nunique()), "quarantined": {k: v for k, v in counts.items() if v},
               "user_movie_pairs_rated_twice_through_two_movieids": int(out.duplicated([C.USER, C.ID]).sum())}
    return out, summary
