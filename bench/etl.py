"""Benchmark: the whole ETL on the full raw data, wall time and peak memory, beside a plain pandas pass.

Each run is a fresh subprocess so that its peak resident memory is its own. Targets: at most 15 s and 2 GB.
Usage: python bench/etl.py [--raw-dir DIR] [--repeat N]
"""
from __future__ import annotations

import resource
import subprocess
import sys
import time

from bench.timing import run_interleaved
from catalog import STREAMING
from config import PROJ_ROOT

TARGET_SECONDS, TARGET_GB = 15.0, 2.0

# The reference: what a plain pandas pass over the same files costs (read, concatenate, average duplicates, write).
REFERENCE = """
import glob, sys, pandas as pd
raw, out = sys.argv[1], sys.argv[2]
titles = pd.concat([pd.read_csv(f) for f in sorted(glob.glob(raw + '/titles/*.csv'))])
files = [f for f in sorted(glob.glob(raw + '/ratings/*.parquet')) if not f.endswith('/7.parquet')]
ratings = pd.concat([pd.read_parquet(f, columns=['userId', 'movieId', 'rating']) for f in files])
ratings = ratings.groupby(['userId', 'movieId'], as_index=False)['rating'].mean()
titles.to_parquet(out + '/titles.parquet'); ratings.to_parquet(out + '/ratings.parquet')
"""


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS in GB of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=PROJ_ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb <= before:  # ru_maxrss is a maximum over all children: run each measurement in its own process
        raise RuntimeError("run each measurement in a fresh bench process")
    return wall, peak_kb / 1024 / 1024


def one(kind: str, raw: str, out: str) -> None:
    cmd = ([sys.executable, "-m", "etl", "--quiet", "--catalog", STREAMING.name, "--raw-dir", raw, "--out", out]
           if kind == "etl" else [sys.executable, "-c", REFERENCE, raw, out])
    wall, gb = measure(cmd)
    print(f"{wall} {gb}")


def main() -> None:
    run = run_interleaved("bench.etl", __doc__, ["etl", "reference"], one)
    if run is None:
        return
    args, raw, results = run
    best = {k: (min(w for w, _ in v), max(m for _, m in v)) for k, v in results.items()}
    (etl_s, etl_gb), (ref_s, ref_gb) = best["etl"], best["reference"]
    print(f"ETL on {raw} (best wall of {args.repeat}, highest peak memory)")
    print(f"{'':<22}{'python -m etl':>15}{'plain pandas':>15}{'ratio':>8}{'target':>10}")
    print(f"{'wall time (s)':<22}{etl_s:>15.2f}{ref_s:>15.2f}{etl_s / ref_s:>8.2f}{TARGET_SECONDS:>10.1f}")
    print(f"{'peak memory (GB)':<22}{etl_gb:>15.2f}{ref_gb:>15.2f}{etl_gb / ref_gb:>8.2f}{TARGET_GB:>10.1f}")
    ok = etl_s <= TARGET_SECONDS and etl_gb <= TARGET_GB
    print("within targets" if ok else "OUTSIDE TARGETS")


if __name__ == "__main__":
    main()
