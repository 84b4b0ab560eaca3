"""The ETL's ratings stage on Spark (`python -m etl --engine spark`): the same ratings.parquet as the local stage,
row for row, on fixtures with duplicates and bad rows, and on the full real data.

Slow (each starts Spark); under CI=true or `make test` (REQUIRE_EXTRAS=1) a missing
pyspark or Java fails, never skips.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import config
from catalog import STREAMING
from config import COL_ITEM, COL_RATING, COL_TIMESTAMP, COL_USER, ETL_REPORT_FILE, QUARANTINE_FILE, RATINGS_FILE
from etl.spark_session import check_runtime
from etl.streaming.pipeline import run
from tests.harness.extras import require_check

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def needs_spark():
    require_check(check_runtime)


def assert_same_ratings(local: Path, spark: Path) -> int:
    """The two ratings.parquet row for row: ids and timestamps equal, ratings within 1e-9; the row count."""
    a, b = pd.read_parquet(local), pd.read_parquet(spark)
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    assert (a[COL_USER].to_numpy() == b[COL_USER].to_numpy()).all()
    assert (a[COL_ITEM].to_numpy() == b[COL_ITEM].to_numpy()).all()
    assert np.max(np.abs(a[COL_RATING].to_numpy() - b[COL_RATING].to_numpy())) <= 1e-9
    assert a[COL_TIMESTAMP].equals(b[COL_TIMESTAMP]) and b[COL_TIMESTAMP].dtype == "Int64"
    return len(a)


def same_report(local: Path, spark: Path) -> None:
    a, b = (json.loads((d / ETL_REPORT_FILE).read_text()) for d in (local, spark))
    for report in (a, b):
        report.pop("generated_at")
    assert a == b
    assert (local / QUARANTINE_FILE).read_text() == (spark / QUARANTINE_FILE).read_text()
    assert pd.read_parquet(local / config.TITLES_FILE).equals(pd.read_parquet(spark / config.TITLES_FILE))


@pytest.fixture(scope="module")
def fixture_raw(small_raw_dir: Path, small_processed: Path, tmp_path_factory) -> Path:
    """The small cut's titles, and ratings files with duplicate pairs (2 and 3 rows, means that are not exact
    in binary), bad rows of each kind, a CSV file and a timestamped twin."""
    raw = tmp_path_factory.mktemp("spark-etl-raw")
    shutil.copytree(small_raw_dir / "titles", raw / "titles")
    (raw / "ratings").mkdir()
    real = pd.concat([pd.read_parquet(p) for p in sorted((small_raw_dir / "ratings").glob("*.parquet"))
                      if "_with_timestamp" not in p.name])
    ids = pd.read_parquet(small_processed / STREAMING.name / RATINGS_FILE)[COL_ITEM].unique()[:5]  # catalog titles
    extra = pd.DataFrame({COL_USER: [7, 7, 7, 8, 8, 9, None, 10, 11],
                          COL_ITEM: [ids[0], ids[0], ids[0], ids[1], ids[1], ids[2], ids[3], "zz999", ids[4]],
                          COL_RATING: [0.5, 4.0, 3.5, 1.1, 2.2, 3.0, 4.0, 4.0, 7.5]})
    extra[COL_USER] = extra[COL_USER].astype("Int64")
    real[[COL_USER, COL_ITEM, COL_RATING]].to_parquet(raw / "ratings" / "1.parquet", index=False)
    extra.to_parquet(raw / "ratings" / "2.parquet", index=False)
    pd.DataFrame({COL_USER: [7, 12], COL_ITEM: [ids[0], ids[1]], COL_RATING: [0.1 + 0.2, 5.0]}).to_csv(
        raw / "ratings" / "3.csv", index=False)
    stamped = pd.DataFrame({COL_USER: [8, 13, 13], COL_ITEM: [ids[1], ids[2], ids[2]], COL_RATING: [3.3, 2.0, 2.5],
                            COL_TIMESTAMP: [1_600_000_000, 1_500_000_000, 1_700_000_000]})
    stamped.drop(columns=COL_TIMESTAMP).to_parquet(raw / "ratings" / "4.parquet", index=False)
    stamped.to_parquet(raw / "ratings" / "4_with_timestamp.parquet", index=False)
    return raw


def test_spark_stage_writes_the_same_tables_on_fixtures(fixture_raw, tmp_path):
    run(fixture_raw, tmp_path / "local", quiet=True)
    run(fixture_raw, tmp_path / "spark", quiet=True, engine="spark", master="local[2]")
    n = assert_same_ratings(tmp_path / "local" / RATINGS_FILE, tmp_path / "spark" / RATINGS_FILE)
    same_report(tmp_path / "local", tmp_path / "spark")
    report = json.loads((tmp_path / "spark" / ETL_REPORT_FILE).read_text())
    assert report["ratings"]["pairs_rated_more_than_once"] >= 3 and n > 1000
    quarantine = pd.read_csv(tmp_path / "spark" / QUARANTINE_FILE)
    assert sorted(quarantine["row"][quarantine["file"] == "ratings/2.parquet"]) == [7, 8, 9]


def test_cli_engine_spark_and_bad_master(fixture_raw, tmp_path):
    env = {**os.environ, "HF_HUB_DISABLE_TELEMETRY": "1"}
    base = [sys.executable, "-m", "etl", "--catalog", STREAMING.name, "--raw-dir", str(fixture_raw), "--quiet"]
    bad = subprocess.run([*base, "--out", str(tmp_path / "bad"), "--engine", "spark", "--master", "spark://x"],
                         cwd=config.PROJ_ROOT, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1 and "--master" in bad.stderr
    assert not (tmp_path / "bad").exists()
    ok = subprocess.run([*base, "--out", str(tmp_path / "spark"), "--engine", "spark", "--master", "local[2]"],
                        cwd=config.PROJ_ROOT, env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-3000:]
    run(fixture_raw, tmp_path / "local", quiet=True)
    assert_same_ratings(tmp_path / "local" / RATINGS_FILE, tmp_path / "spark" / STREAMING.name / RATINGS_FILE)


def test_spark_stage_on_the_real_ratings(raw_dir, streaming_processed, tmp_path):
    """All 11,024,289 real ratings: the same 10,895,200 rows (and report) as the local stage."""
    run(raw_dir, tmp_path / "spark", quiet=True, engine="spark", master="local[2]")
    n = assert_same_ratings(streaming_processed / STREAMING.name / RATINGS_FILE, tmp_path / "spark" / RATINGS_FILE)
    assert n == 10_895_200
    report = json.loads((tmp_path / "spark" / ETL_REPORT_FILE).read_text())["ratings"]
    assert report["rows_read"] == 11_024_289 and report["pairs_rated_more_than_once"] == 125_179
