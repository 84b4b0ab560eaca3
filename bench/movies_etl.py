"""Benchmark: the movies catalog ETL (`python -m etl --catalog movies`) beside a naive pandas pass, best of N.

Each run is a fresh subprocess (interleaved with the reference, so machine load hits both alike); the ETL's own
figure without interpreter start and imports (the `seconds` of its report) is printed too. Target: <= 10 s.
The reference reads every file with pandas and merges them on the TMDB id, no validation, and writes parquet.
Usage: python -m bench.movies_etl [--raw-dir DIR] [--repeat N]
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.timing import run_interleaved
from catalog import MOVIES
from config import PROJ_ROOT
from etl.movies import columns as C

TARGET_SECONDS = 10.0

REFERENCE = """
import sys, pandas as pd
raw, out = sys.argv[1] + '/tmdb/', sys.argv[2]
m = pd.read_csv(raw + 'movies_metadata_head5000.csv', low_memory=False)
m['id'] = pd.to_numeric(m['id'], errors='coerce')
core = pd.read_csv(raw + 'derived/core_popularity_all__mcarolina25.csv')
core['id'] = pd.to_numeric(core['id'], errors='coerce')
for name in ['votes', 'runtime', 'language', 'countries', 'companies', 'collection']:
    d = pd.read_csv(raw + f'derived/{name}_all__mandrad3.csv')
    d['id'] = pd.to_numeric(d['id'], errors='coerce')
    core = core.merge(d.drop(columns=[c for c in d.columns if c in core.columns and c != 'id']), on='id', how='left')
g = pd.read_csv(raw + 'derived/genres_title_poster_all__mainak97.csv')
g['id'] = pd.to_numeric(g['id'], errors='coerce')
core = core.merge(g[['id', 'genres']], on='id', how='left')
dirs = pd.read_csv(raw + 'derived/directors_all__fermuba.csv').groupby('id_movie')['name'].agg(', '.join)
core = core.merge(dirs.rename('directors'), left_on='id', right_index=True, how='left')
for name in ['overview_tagline_head9125__prasoon950', 'overview_genres_vc50__niyatithacker']:
    o = pd.read_csv(raw + f'derived/{name}.csv', usecols=['id', 'overview'])
    core = core.merge(o.drop_duplicates('id').rename(columns={'overview': name}), on='id', how='left')
credits = pd.read_csv(raw + 'credits_head5000_top3cast_director.csv')
core = core.merge(credits, on='id', how='left')
catalog = pd.concat([m, core[~core['id'].isin(m['id'])]], ignore_index=True)
ratings = pd.read_csv(raw + 'ratings_small.csv').merge(pd.read_csv(raw + 'links_small.csv'), on='movieId')
catalog.astype(str).to_parquet(out + '/movies.parquet'); ratings.to_parquet(out + '/ratings.parquet')
"""


def one(kind: str, raw: str, out: str) -> None:
    cmd = ([sys.executable, "-m", "etl", "--quiet", "--catalog", MOVIES.name, "--raw-dir", raw, "--out", out]
           if kind == "etl" else [sys.executable, "-c", REFERENCE, raw, out])
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=PROJ_ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    inner = wall
    if kind == "etl":
        inner = json.loads((Path(out) / MOVIES.name / C.REPORT_FILE).read_text())["seconds"]
    print(f"{wall} {inner}")


def main() -> None:
    run = run_interleaved("bench.movies_etl", __doc__, ["etl", "reference"], one)
    if run is None:
        return
    args, raw, results = run
    etl_s, etl_inner = min(w for w, _ in results["etl"]), min(i for _, i in results["etl"])
    ref_s = min(w for w, _ in results["reference"])
    print(f"movies catalog ETL on {raw} (best of {args.repeat})")
    print(f"{'':<34}{'etl --catalog movies':>22}{'naive pandas':>14}{'ratio':>8}{'target':>8}")
    print(f"{'wall time, process (s)':<34}{etl_s:>22.2f}{ref_s:>14.2f}{etl_s / ref_s:>8.2f}{TARGET_SECONDS:>8.1f}")
    print(f"{'ETL run() alone, no imports (s)':<34}{etl_inner:>22.2f}")
    print("within target" if etl_s <= TARGET_SECONDS else "OUTSIDE TARGET")


if __name__ == "__main__":
    main()
