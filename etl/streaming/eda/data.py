"""Loading the streaming catalog's folder for its EDA: the titles, the ETL's report and the ratings as codes.

Every check that the statistics and figures rely on happens here, so that bad input fails with one InputError
naming the file before any work is done.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from config import (
    COL_ID,
    COL_ITEM,
    COL_PLATFORM,
    COL_RATING,
    COL_TIMESTAMP,
    COL_USER,
    ETL_REPORT_FILE,
    RATING_MAX,
    RATING_MIN,
    RATINGS_FILE,
    TITLES_FILE,
)
from errors import InputError
from etl import io
from etl.eda.ratings import EdaData, user_codes

TITLE_COLUMNS = [COL_ID, COL_PLATFORM, "type", "title", "director", "cast", "country", "date_added",
                 "release_year", "rating", "duration", "duration_int", "duration_type", "listed_in",
                 "description", "is_placeholder"]


def _item_codes(items: pa.ChunkedArray, ids: pa.Array, path: Path) -> np.ndarray:
    """Row of the titles table for every rating, mapping each chunk's small dictionary instead of 11M strings."""
    codes = np.empty(len(items), dtype=np.int32)
    pos = 0
    for chunk in items.chunks:
        if not isinstance(chunk, pa.DictionaryArray):
            chunk = chunk.dictionary_encode()
        lookup = pc.index_in(chunk.dictionary, value_set=ids)
        if lookup.null_count or chunk.null_count:
            unknown = chunk.dictionary.filter(pc.is_null(lookup)).to_pylist()[:3]
            raise InputError(f"{path}: {COL_ITEM} values missing or not in {TITLES_FILE} (e.g. {unknown}); "
                             f"rebuild both with `python -m etl`")
        codes[pos:pos + len(chunk)] = lookup.to_numpy(zero_copy_only=False)[chunk.indices.to_numpy()]
        pos += len(chunk)
    return codes


def _etl_report(path: Path) -> dict:
    report = io.read_json_object(path, "the ETL's report")
    if not isinstance(report.get("fixes"), list):
        raise InputError(f"{path}: expected an object with a 'fixes' list (the ETL's report)")
    return report


def load(folder: Path) -> EdaData:
    """The catalog's tables, checked enough that every statistic and figure can be made; InputError otherwise."""
    titles_path, ratings_path, report_path = (folder / f for f in (TITLES_FILE, RATINGS_FILE, ETL_REPORT_FILE))
    titles = io.read_table(titles_path, TITLE_COLUMNS).to_pandas()
    if titles[COL_ID].duplicated().any():
        raise InputError(f"{titles_path}: {COL_ID} values are not unique; rebuild with `python -m etl`")
    etl_report = _etl_report(report_path)

    table = io.read_table(ratings_path, [COL_USER, COL_ITEM, COL_RATING, COL_TIMESTAMP],
                          read_dictionary=[COL_ITEM])
    ids = pa.array(titles[COL_ID].to_numpy(), pa.string())
    items = _item_codes(table[COL_ITEM], ids, ratings_path)
    if table[COL_USER].null_count or table[COL_RATING].null_count:
        raise InputError(f"{ratings_path}: missing {COL_USER} or {COL_RATING} values; rebuild with `python -m etl`")
    ratings = table[COL_RATING].to_numpy().astype(np.float64)
    if ratings.min() < RATING_MIN or ratings.max() > RATING_MAX:
        raise InputError(f"{ratings_path}: ratings outside {RATING_MIN}-{RATING_MAX}; rebuild with `python -m etl`")
    users = user_codes(table[COL_USER].to_numpy())

    stamps = table[COL_TIMESTAMP].cast(pa.int64())
    known = pc.is_valid(stamps).to_numpy(zero_copy_only=False)
    seconds = stamps.filter(pc.is_valid(stamps)).to_numpy()
    rating_years = seconds.astype("datetime64[s]").astype("datetime64[Y]").astype(np.int64) + 1970
    rated_release_years = titles["release_year"].to_numpy()[items[known]]
    return EdaData(titles, etl_report, users, items, ratings, rating_years, rated_release_years)
