"""Speed and size of the Movies model (serving.movie_recommender), printed side by side with surprise.

    .venv/bin/python -m bench.movie_recommender [--processed-dir data/processed] [--out bench/results/movies]
                                                [--skip-train]   # reuse --out/<name> from an earlier run

1. `python -m model.train --catalog movies`: training + evaluation time (target <= 3 min on 2 cores), the
   content neighbours for similar movies beside it, and the whole command.
2. Loading: our artifacts (MovieRecommender.from_dir, checksums verified) against `surprise.dump` of the same
   model, each in a fresh process: time, memory and size on disk.
3. A visitor (five rated films): fold-in + top-10 over every film the model knows (median of 50; target
   <= 20 ms), against surprise's predict loop over the same films for the same folded-in user (surprise has no
   fold-in: the visitor is put into an SVD as an extra user), with the largest score difference of the plain
   fold-in prediction; and the other way surprise has to serve a visitor, refitting the SVD with them added.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import config
from bench.timing import ENV, SURPRISE_DUMP, dir_mb, measure_load, print_rows
from catalog import MOVIES

ROOT = config.PROJ_ROOT
VISITOR = [(862, 5.0), (12, 5.0), (8587, 4.5), (585, 5.0), (812, 4.0)]  # Toy Story, Finding Nemo, ...

_LOAD_OURS = {"imports": "from serving.movie_recommender import MovieRecommender",
              "load": "MovieRecommender.from_dir({path!r})"}


def median_ms(fn, repeats: int = 50) -> float:
    import numpy as np

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "movies_artifacts")
    p.add_argument("--skip-train", action="store_true", help="reuse the artifacts already in --out/<name>")
    p.add_argument("--skip-refit", action="store_true", help="do not time surprise's refit with the visitor")
    args = p.parse_args()

    import numpy as np
    import pandas as pd
    from surprise import SVD, dump

    from model.dataset import build_trainset
    from model.fit import make_svd
    from serving.movie_recommender import MovieRecommender

    rows = []
    if not args.skip_train:
        cmd = [sys.executable, "-m", "model.train", "--catalog", MOVIES.name, "--processed-dir",
               str(args.processed_dir), "--out", str(args.out), "--quiet"]
        print("$", " ".join(cmd), flush=True)
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        parts = json.loads((args.out / MOVIES.name / "metrics.json").read_text())["seconds"]
        rows += [("train + evaluate (the run's own clock)", f"{parts['training_and_evaluation']:.0f} s",
                  "target <= 180 s on 2 cores"),
                 ("+ content neighbours of 45k films", f"{parts['content_neighbours']:.0f} s", "similar movies"),
                 ("whole command (wall time)", f"{seconds:.0f} s", "")]
    model_dir = args.out / MOVIES.name
    rec = MovieRecommender.from_dir(model_dir)

    # The same model as a surprise SVD, with the visitor (folded in by us) as an extra user 0.
    ratings = pd.read_parquet(MOVIES.folder(args.processed_dir) / "ratings.parquet", columns=["userId", "id", "rating"])
    ratings = ratings.rename(columns={"id": config.COL_ITEM})
    visitor = pd.DataFrame({"userId": 0, config.COL_ITEM: [t for t, _ in VISITOR], "rating": [r for _, r in VISITOR]})
    enc = build_trainset(pd.concat([visitor, ratings], ignore_index=True))
    assert np.array_equal(enc.item_ids, rec.item_ids) and enc.user_ids[0] == 0
    enc.trainset._global_mean = rec.global_mean  # the model's mean (the visitor's ratings are not training data)
    bias, factors = rec._fold_in(*rec._items_of(VISITOR))
    algo = SVD(n_factors=rec.item_factors.shape[1])
    algo.trainset, algo.bi, algo.qi = enc.trainset, rec.item_bias, rec.item_factors
    algo.bu, algo.pu = np.r_[bias, rec.user_bias], np.vstack([factors, rec.user_factors])
    with tempfile.TemporaryDirectory() as tmp:
        dump_path = str(Path(tmp) / "svd.dump")
        dump.dump(dump_path, algo=algo)
        dump_mb = Path(dump_path).stat().st_size / 2**20
        ours = min((measure_load(_LOAD_OURS, str(model_dir)) for _ in range(3)), key=lambda r: r["seconds"])
        theirs = measure_load(SURPRISE_DUMP, dump_path)
    rows += [
        ("artifacts: size on disk", f"{dir_mb(model_dir):.0f} MB", f"surprise.dump {dump_mb:.0f} MB"),
        ("artifacts: load time (verified)", f"{ours['seconds']:.3f} s",
         f"surprise.dump {theirs['seconds']:.2f} s ({theirs['seconds'] / ours['seconds']:.1f}x)"),
        ("artifacts: load memory", f"{ours['mb']:.0f} MB", f"surprise.dump {theirs['mb']:.0f} MB"),
    ]

    served = median_ms(lambda: rec.for_visitor(VISITOR, 10))
    plain = median_ms(lambda: rec.for_visitor(VISITOR, 10, method="plain"))
    rated = {t for t, _ in VISITOR}
    start = time.perf_counter()
    loop = [(iid, algo.predict(0, iid).est) for iid in rec.item_ids.tolist() if iid not in rated]
    loop_top = [iid for iid, _ in sorted(loop, key=lambda x: (-x[1], x[0]))[:10]]
    loop_ms = (time.perf_counter() - start) * 1000
    ours_top = [it["id"] for it in rec.for_visitor(VISITOR, 10, method="plain")]
    _, predicted = rec.visitor_scores(*rec._items_of(VISITOR), method="plain")
    idx = np.searchsorted(rec.item_ids, [iid for iid, _ in loop])
    max_diff = float(np.max(np.abs(predicted[idx] - np.array([est for _, est in loop]))))
    rows += [
        (f"visitor: fold-in + top-10 over {rec.item_ids.size:,} films (served blend)", f"{served:.2f} ms",
         f"surprise predict loop {loop_ms:.0f} ms without fold-in ({loop_ms / served:.0f}x); target <= 20 ms"),
        ("visitor: fold-in + top-10 (plain fold-in)", f"{plain:.2f} ms",
         f"surprise predict loop {loop_ms:.0f} ms ({loop_ms / plain:.0f}x)"),
        ("plain fold-in: max |score difference|", f"{max_diff:.1e}",
         f"same top-10 as surprise: {loop_top == ours_top}"),
    ]
    if not args.skip_refit:
        params = rec.manifest["hyperparameters"]
        start = time.perf_counter()
        make_svd(params, 0).fit(enc.trainset)
        refit = time.perf_counter() - start
        rows.append(("surprise: refit with the visitor added", f"{refit:.1f} s",
                     f"{refit * 1000 / served:.0f}x the served fold-in + top-10"))

    print_rows(rows, rec.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
