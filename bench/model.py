"""Speed and memory of the streaming catalog's SVD model on the full data, printed side by side with a reference.

    .venv/bin/python bench/model.py [--processed-dir data/processed] [--out bench/results/model_artifacts]
                                    [--skip-train]   # reuse --out from an earlier run

1. `python -m model.train --catalog streaming` on all ratings (the model in <out>/streaming/): wall time and
   peak memory (target: <= 10 min, <= 8 GB).
2. Loading: our artifacts (Predictor.from_dir, checksums verified) against `surprise.dump` of the same
   model, each in a fresh process: time and memory (target: <= 0.5 s and <= 300 MB) and size on disk.
3. Top-10 for one user: Predictor.top_n (vectorized) against surprise's predict loop over every unrated
   title, with the largest absolute score difference (target: >= 100x faster, difference <= 1e-6).
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import config
from bench.timing import ENV, SURPRISE_DUMP, dir_mb, measure_load, print_rows
from catalog import STREAMING

ROOT = config.PROJ_ROOT

_LOAD_OURS = {"imports": "from serving.predictor import Predictor", "load": "Predictor.from_dir({path!r})"}


def run_train(processed_dir: Path, out: Path) -> dict:
    cmd = [sys.executable, "-m", "model.train", "--catalog", STREAMING.name, "--processed-dir", str(processed_dir),
           "--out", str(out)]
    print("$", " ".join(cmd), flush=True)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=ENV, check=True)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest child so far
    return {"seconds": seconds, "peak_mb": peak_mb}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "model_artifacts")
    p.add_argument("--skip-train", action="store_true", help="reuse the artifacts already in --out")
    p.add_argument("--user", type=int, default=None, help="user for the top-10 comparison (default: most active)")
    args = p.parse_args()

    import numpy as np
    from surprise import SVD, dump

    from model.dataset import build_trainset, load_ratings
    from serving.predictor import Predictor

    rows = []
    if not args.skip_train:
        t = run_train(args.processed_dir, args.out)
        rows.append(("train, all ratings: wall time", f"{t['seconds'] / 60:.1f} min", "<= 10 min"))
        rows.append(("train, all ratings: peak memory", f"{t['peak_mb'] / 1024:.2f} GB", "<= 8 GB"))

    # The same model as a surprise SVD: its factors and a Trainset of all ratings, then surprise.dump.
    model_dir = args.out / STREAMING.name
    predictor = Predictor.from_dir(model_dir)
    print("building the surprise model from the same factors for dump/predict ...", flush=True)
    enc = build_trainset(load_ratings(STREAMING.folder(args.processed_dir)))
    assert np.array_equal(enc.user_ids, predictor.user_ids) and np.array_equal(enc.item_ids, predictor.item_ids)
    algo = SVD(n_factors=predictor.user_factors.shape[1])
    algo.trainset, algo.bu, algo.bi = enc.trainset, predictor.user_bias, predictor.item_bias
    algo.pu, algo.qi = predictor.user_factors, predictor.item_factors
    with tempfile.TemporaryDirectory() as tmp:
        dump_path = str(Path(tmp) / "svd.dump")
        dump.dump(dump_path, algo=algo)
        dump_mb = Path(dump_path).stat().st_size / 2**20
        ours = min((measure_load(_LOAD_OURS, str(model_dir)) for _ in range(3)), key=lambda r: r["seconds"])
        theirs = measure_load(SURPRISE_DUMP, dump_path)
    rows += [
        ("artifacts: size on disk", f"{dir_mb(model_dir):.0f} MB", f"surprise.dump {dump_mb:.0f} MB"),
        ("artifacts: load time (verified)", f"{ours['seconds']:.3f} s",
         f"surprise.dump {theirs['seconds']:.2f} s ({theirs['seconds'] / ours['seconds']:.0f}x); target <= 0.5 s"),
        ("artifacts: load memory", f"{ours['mb']:.0f} MB",
         f"surprise.dump {theirs['mb']:.0f} MB ({theirs['mb'] / max(ours['mb'], 1):.0f}x); target <= 300 MB"),
    ]

    # Top-10 for one user: vectorized against surprise's predict loop over every title the user has not rated.
    counts = np.diff(predictor.rated_indptr)
    user = int(args.user if args.user is not None else predictor.user_ids[int(np.argmax(counts))])
    start = time.perf_counter()
    repeats = 20
    for _ in range(repeats):
        top = predictor.top_n(user, 10)
    ours_s = (time.perf_counter() - start) / repeats
    u = predictor.user_index(user)
    rated_rows = predictor.rated_items[predictor.rated_indptr[u]:predictor.rated_indptr[u + 1]]
    rated = set(predictor.item_ids[rated_rows].tolist())
    start = time.perf_counter()
    loop = [(iid, algo.predict(user, iid).est) for iid in predictor.item_ids.tolist() if iid not in rated]
    loop_top = sorted(loop, key=lambda x: (-x[1], x[0]))[:10]
    loop_s = time.perf_counter() - start
    scores = predictor.scores(user)
    ref = np.array([est for _, est in loop])
    idx = np.searchsorted(predictor.item_ids, np.array([iid for iid, _ in loop]))
    max_diff = float(np.max(np.abs(scores[idx] - ref)))
    same = [i for i, _ in loop_top] == top["id"].tolist()
    rows += [
        (f"top-10, user {user} ({counts.max()} ratings)", f"{ours_s * 1000:.2f} ms",
         f"predict loop {loop_s * 1000:.0f} ms ({loop_s / ours_s:.0f}x); target >= 100x"),
        ("top-10: max |score difference|", f"{max_diff:.2e}", f"target <= 1e-6; same top-10: {same}"),
    ]

    print_rows(rows, predictor.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
