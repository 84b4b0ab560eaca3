"""Where to watch, the Movies catalog's links to streaming titles: the file's contract and its readers.

The movies ETL (etl/movies/links.py) writes where_to_watch.parquet in the Movies catalog's folder, one row per
streaming title linked to a TMDB movie; the Movies catalog reads it, so that a Movies answer shows where each film
streams and a streaming title shows its TMDB facts. Defined on the serving side, which never imports the offline side.

    links = read_where_to_watch(folder)   # the Movies catalog's folder; no file yet: an empty frame with LINK_COLUMNS
    streams_by_movie(links)     # {862: ({"platform": "disney", "title_id": "ds1378"}, ...)}
    movie_by_title(links)       # {"ds1378": 862}
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

WHERE_TO_WATCH_FILE = "where_to_watch.parquet"
TMDB_ID = "tmdb_id"
TITLE_ID = "title_id"
PLATFORM = "platform"
SCORE = "score"
YEAR_GAP = "year_gap"
DIRECTOR = "director"           # "agree" / "disagree" / "unknown"
RUNTIME = "runtime"             # "agree" / "disagree" / "far" / "unknown"
CAST = "cast"                   # "agree" / "unknown"
EVIDENCE = "evidence"
LINK_COLUMNS = [TMDB_ID, TITLE_ID, PLATFORM, SCORE, YEAR_GAP, DIRECTOR, RUNTIME, CAST, EVIDENCE]
SCHEMA = pa.schema([(TMDB_ID, pa.int64()), (TITLE_ID, pa.string()), (PLATFORM, pa.string()), (SCORE, pa.int32()),
                    (YEAR_GAP, pa.int32()), (DIRECTOR, pa.string()), (RUNTIME, pa.string()), (CAST, pa.string()),
                    (EVIDENCE, pa.string())])


def read_where_to_watch(folder: str | Path) -> pd.DataFrame:
    """folder/where_to_watch.parquet (folder: the Movies catalog's), or no links (LINK_COLUMNS) when it has not
    been built."""
    path = Path(folder) / WHERE_TO_WATCH_FILE
    if not path.is_file():
        return SCHEMA.empty_table().to_pandas()
    return pd.read_parquet(path)


def streams_by_movie(links: pd.DataFrame) -> dict[int, tuple[dict[str, str], ...]]:
    """TMDB id -> its streaming titles as {"platform", "title_id"}, sorted by platform then title id: what a
    Movies answer shows under a film."""
    out: dict[int, list[dict[str, str]]] = {}
    rows = sorted(zip(links[TMDB_ID].astype("int64").tolist(), links[PLATFORM].astype(str).tolist(),
                      links[TITLE_ID].astype(str).tolist()))
    for tmdb_id, platform, title_id in rows:
        out.setdefault(tmdb_id, []).append({PLATFORM: platform, TITLE_ID: title_id})
    return {k: tuple(v) for k, v in out.items()}


def movie_by_title(links: pd.DataFrame) -> dict[str, int]:
    """Streaming title id -> its TMDB id: where the streaming side finds the TMDB facts of a title."""
    return dict(zip(links[TITLE_ID], links[TMDB_ID].astype(int), strict=True))
