"""The ETL's ratings stage on Spark (`python -m etl --engine spark [--master local[*]]`): the same clean table.

The files are checked on the driver as etl.streaming.ratings checks them (present, not empty, the required columns) and
read by Spark; each row is validated by the same rules in the same order (missing userId, movieId or rating;
rating outside the scale; not a catalog title), and quarantined rows get their 1-based row number in their
file (rows are numbered only in a file that has bad rows). Valid rows are collapsed per (user, title) by a
Spark aggregate (mean rating, latest timestamp), written by Spark to a temporary parquet folder (on a cluster:
a folder the driver and the executors share), read on the driver, sorted by user then catalog position, and
made into the same Arrow table etl.streaming.ratings.collapsed_table builds, which the pipeline writes as before.
pyspark is imported only here, and this module only when `--engine spark` is asked for.
"""
from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from config import COL_ITEM, COL_RATING, COL_TIMESTAMP, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.io import check_file, require_columns
from etl.report import Report
from etl.streaming.ratings import NO_TIMESTAMP, REQUIRED, Collapsed, collapsed_table

log = logging.getLogger(__name__)

CODE, REASON, SOURCE = "code", "reason", "source"
REASONS = ("missing userId, movieId or rating", f"rating outside {RATING_MIN}-{RATING_MAX}",
           "movieId is not a catalog title")


def _read(spark, path: Path):
    """One ratings file as a Spark frame of its raw columns, after the driver-side checks of etl.io."""
    check_file(path)
    if path.suffix == ".parquet":
        try:
            names = pq.read_schema(path).names
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{path}: unreadable parquet file ({str(exc).splitlines()[0]})") from None
        frame = spark.read.parquet(str(path))
    else:
        frame = spark.read.csv(str(path), header=True)
        names = frame.columns
    require_columns(path, names, REQUIRED)
    return frame.select(*REQUIRED, *([COL_TIMESTAMP] if COL_TIMESTAMP in names else []))


def _typed(frame):
    from pyspark.sql import functions as F

    timestamp = (F.col(COL_TIMESTAMP).try_cast("bigint") if COL_TIMESTAMP in frame.columns
                 else F.lit(None).cast("bigint"))
    return frame.select(F.col(COL_USER).try_cast("bigint").alias(COL_USER),
                        F.col(COL_ITEM).cast("string").alias(COL_ITEM),
                        F.col(COL_RATING).try_cast("double").alias(COL_RATING), timestamp.alias(COL_TIMESTAMP))


def _validated(frame, catalog):
    """The file's rows with the catalog position (CODE) and the first failed check's REASON (null: valid)."""
    from pyspark.sql import functions as F

    joined = frame.join(F.broadcast(catalog), COL_ITEM, "left")
    missing = F.col(COL_USER).isNull() | F.col(COL_RATING).isNull() | F.col(COL_ITEM).isNull()
    outside = ~((F.col(COL_RATING) >= RATING_MIN) & (F.col(COL_RATING) <= RATING_MAX))
    return joined.withColumn(REASON, F.when(missing, REASONS[0]).when(outside, REASONS[1])
                             .when(F.col(CODE).isNull(), REASONS[2]))


def _quarantine(typed, catalog_ids: set[str], file: str, report: Report) -> None:
    """Number the rows of a file with bad rows (zipWithIndex keeps the file's order) and quarantine them."""
    def reason(row) -> str | None:
        if row[COL_USER] is None or row[COL_RATING] is None or row[COL_ITEM] is None:
            return REASONS[0]
        if not RATING_MIN <= row[COL_RATING] <= RATING_MAX:
            return REASONS[1]
        return None if row[COL_ITEM] in catalog_ids else REASONS[2]

    # Rows are checked on the driver's side of the RDD only for files known to have bad rows (rare).
    numbered = typed.rdd.zipWithIndex().map(lambda pair: (pair[1] + 1, pair[0], reason(pair[0])))
    bad = numbered.filter(lambda t: t[2] is not None).collect()
    for why in REASONS:
        rows = [t for t in bad if t[2] == why]
        report.quarantine(file, [t[0] for t in rows], why,
                          [f"userId={r[COL_USER]}, movieId={r[COL_ITEM]}, rating={r[COL_RATING]}" for _, r, _ in rows])


def collapse_with_spark(spark, files: list[Path], catalog_ids: pa.Array, report: Report,
                        progress=None) -> Collapsed:
    """etl.streaming.ratings' read_part for every file and collapse_duplicates, on Spark: the same Collapsed table."""
    from pyspark.sql import functions as F

    ids = catalog_ids.to_pylist()
    catalog = spark.createDataFrame([(tid, code) for code, tid in enumerate(ids)], f"{COL_ITEM} string, {CODE} int")
    valid = None
    for path in files:
        name = f"ratings/{path.name}"
        raw = _read(spark, path)
        typed = _typed(raw)
        checked = _validated(typed, catalog).cache()
        counts = {r[REASON]: r["n"] for r in checked.groupBy(REASON).agg(F.count("*").alias("n")).collect()}
        rows_in, rows_bad = sum(counts.values()), sum(n for r, n in counts.items() if r is not None)
        if rows_in == 0:
            raise InputError(f"{path}: file has no rows")
        if rows_bad:
            _quarantine(typed, set(ids), name, report)
        report.add_file(name, rows_in, rows_in - rows_bad, has_timestamp=COL_TIMESTAMP in raw.columns)
        part = checked.filter(F.col(REASON).isNull()).select(COL_USER, CODE, COL_RATING, COL_TIMESTAMP)
        valid = part if valid is None else valid.unionByName(part)
        if progress is not None:
            progress.update(1)
    if not any(stats["rows_out"] for stats in report.files.values()):
        return collapsed_table(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0), np.zeros(0, np.int64),
                               np.zeros(0, np.int64), catalog_ids)
    grouped = (valid.groupBy(COL_USER, CODE)
               .agg(F.sum(COL_RATING).alias("total"), F.count("*").alias("n"), F.max(COL_TIMESTAMP).alias("latest")))
    # Written by the executors and read back by pyarrow: millions of rows do not travel as task results
    # (which the block manager may drop under memory pressure); sorted on the driver, as numpy sorts.
    with tempfile.TemporaryDirectory(prefix="spark-ratings-") as tmp:
        grouped.write.parquet(f"{tmp}/collapsed")
        table = pq.read_table(f"{tmp}/collapsed")
    order = np.lexsort((table[CODE].to_numpy(), table[COL_USER].to_numpy()))
    table = table.take(pa.array(order))
    n = table["n"].to_numpy()
    latest = table["latest"].fill_null(NO_TIMESTAMP).to_numpy()
    log.info("spark: %s ratings collapsed into %s pairs", f"{int(n.sum()):,}", f"{n.size:,}")
    return collapsed_table(table[COL_USER].to_numpy(), table[CODE].to_numpy().astype(np.int32),
                           table["total"].to_numpy() / n, latest, n, catalog_ids)
