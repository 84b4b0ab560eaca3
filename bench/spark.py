"""Scale: the surprise engine against the Spark engine on 1M, 5M, 10.9M real and 30M, 60M synthetic ratings.

    python -m bench.spark [--processed-dir data/processed] [--work bench/results/spark] [--sizes 1M,5M,full,30M,60M]
                          [--time-limit 1200] [--memory-cap-gb 10] [--master local[2]]
    python -m bench.spark --ranking [--users 3000] [--seed 42] [--master local[2]]

Each engine and size runs in a subprocess of its own (`--one ENGINE --data DIR`), watched from here: the
resident memory of its whole process tree (Python and, for Spark, the JVM it starts) is read from /proc every
half second; above the cap the tree is killed and the run is recorded as "out of memory (cap X GB)", past
the time limit as "time limit". Either way the bench goes on, and a size where surprise already failed is not
tried again on bigger sizes.

Data: 1M and 5M are seeded user samples of the real ratings (data/processed/ratings.parquet), "full" all of
them (10.9M); 30M and 60M are synthetic with the same shape: users with the real ratings-per-user
distribution (proportionally more users), the real titles and their popularity, a planted rank-5 signal plus
biases and noise mapped onto the real rating distribution (so RMSE means something). Every data set is split
once (seeded 80/20, model.dataset.split for the real ones), written as train.parquet / test.parquet, and both
engines read those files: the same held-out ratings.

What each run does (no hyper-parameter search in the bench, to keep it under the time budget; the trainer's
search is measured by `python -m model.train`): surprise fits its SVD with the hyper-parameters the streaming
search chose (BENCH_SVD), Spark fits the biases and ALS (BENCH_ALS); both then predict the held-out ratings and
report RMSE. Time is the subprocess's wall time (loading, fitting and predicting; Spark's JVM start included).
Results go to <work>/results.json after every run, the figure to docs/figures/spark_scale.png.

`--ranking` instead scores Spark's ALS by its top-10 lists, the full-catalog table of model.rank_eval (its
split and metrics, imported): a seeded sample of `--users` users of the streaming ratings, each user's ratings
split 75/25 (model.rankers.stratified_split), every model trained on the same 75%, then 10 titles per user from
everything they did not rate in training, every hidden title relevant (model.evaluate.top_k_metrics; users
without hidden titles count nowhere). Rows: random, popularity (most-rated first), pyspark.ml ALS explicit
(implicitPrefs=False on the ratings, lists by predicted rating) and implicit (implicitPrefs=True, the rating as
the confidence 1 + alpha * r). The streaming ratings were dealt to titles at random, so no model can beat
random or popularity by more than noise here. The table goes to <work>/ranking.json (atomic).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import config
from bench.timing import ENV
from catalog import STREAMING

ROOT = config.PROJ_ROOT
SIZES = {"1M": 1_000_000, "5M": 5_000_000, "full": None, "30M": 30_000_000, "60M": 60_000_000}
ENGINES = ("surprise", "spark")
BENCH_SVD = {"n_factors": 10, "n_epochs": 20, "lr_all": 0.005, "reg_bu": 0.02, "reg_bi": 2.0, "reg_factors": 0.5}
BENCH_ALS = {"rank": 10, "reg_param": 1.0, "max_iter": 10}
FIGURE = ROOT / "docs" / "figures" / "spark_scale.png"
SYNTHETIC_RANK = 5
# The ranking table's ALS: no Spark model is served (the streaming manifest names surprise), so the usual
# defaults: rank 10, regParam 0.1; implicit mode adds alpha (confidence 1 + alpha * rating).
RANKING_ALS = {"rank": 10, "reg_param": 0.1, "max_iter": 10}
RANKING_ALPHA = 1.0
RANKING_USERS = 3000
RANKING_CHUNK = 500  # users scored at a time: a chunk's dense scores stay a few tens of MB
RANDOM_NOTE = ("The streaming ratings were dealt to titles at random (the catalog's data has no who-liked-what "
               "signal), so every model here is expected to score like random or popularity: this table checks "
               "the Spark ALS's lists end to end, it does not rank models.")


# ---- data -----------------------------------------------------------------------------------------------
def real_subset(processed_dir: Path, size: int | None, out: Path, seed: int) -> int:
    """A seeded user sample of the real ratings with about `size` rows (None: all), split and written."""
    import pandas as pd

    from model.dataset import split

    ratings = pd.read_parquet(STREAMING.folder(processed_dir) / config.RATINGS_FILE,
                              columns=[config.COL_USER, config.COL_ITEM, config.COL_RATING])
    if size is not None:
        users = np.random.default_rng(seed).permutation(np.sort(ratings[config.COL_USER].unique()))
        counts = ratings.groupby(config.COL_USER).size().reindex(users).to_numpy()
        keep = users[: int(np.searchsorted(np.cumsum(counts), size)) + 1]
        ratings = ratings[ratings[config.COL_USER].isin(keep)].reset_index(drop=True)
    train, test = split(ratings, seed)
    write_split(train, test, out)
    return len(ratings)


def write_split(train, test, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    train.to_parquet(out / "train.parquet", index=False)
    test.to_parquet(out / "test.parquet", index=False)


def synthetic(processed_dir: Path, size: int, out: Path, seed: int) -> int:
    """`size` synthetic ratings shaped like the real ones (see the module docstring), split 80/20, written in
    chunks of users so that generating 60M ratings stays within a few GB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    real = pq.read_table(STREAMING.folder(processed_dir) / config.RATINGS_FILE,
                         columns=[config.COL_USER, config.COL_ITEM, config.COL_RATING]).to_pandas()
    per_user = real.groupby(config.COL_USER).size().to_numpy()
    popularity = real[config.COL_ITEM].value_counts()
    items = popularity.index.to_numpy().astype(str)
    p_item = popularity.to_numpy() / popularity.sum()
    levels = np.sort(real[config.COL_RATING].to_numpy())  # the real distribution, matched by quantiles
    del real
    rng = np.random.default_rng(seed)
    n_users = int(size / per_user.mean() * 1.02)
    counts = np.minimum(rng.choice(per_user, n_users), items.size)
    item_q = rng.normal(0, 1, (items.size, SYNTHETIC_RANK))
    item_b = rng.normal(0, 0.3, items.size)
    out.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([(config.COL_USER, pa.int64()), (config.COL_ITEM, pa.string()),
                        (config.COL_RATING, pa.float64())])
    writers = {name: pq.ParquetWriter(out / f"{name}.parquet", schema) for name in ("train", "test")}
    written, user = 0, 0
    try:
        while written < size and user < n_users:
            chunk = counts[user:user + 20_000]
            chunk = chunk[: max(1, int(np.searchsorted(np.cumsum(chunk), size - written)) + 1)]
            uid = np.repeat(np.arange(user, user + chunk.size) + 1, chunk)
            iid = rng.choice(items.size, uid.size, p=p_item)
            pairs = np.unique(uid.astype(np.int64) * items.size + iid)  # one rating per (user, title)
            uid, iid = pairs // items.size, pairs % items.size
            p = rng.normal(0, 1, (chunk.size, SYNTHETIC_RANK))[uid - 1 - user]
            score = (np.einsum("ij,ij->i", p, item_q[iid]) * 0.35 + item_b[iid]
                     + rng.normal(0, 0.6, chunk.size)[uid - 1 - user] + rng.normal(0, 0.7, uid.size))
            # quantile mapping of the score onto the real ratings: same histogram, monotone in the signal
            ranks = np.argsort(np.argsort(score, kind="stable"), kind="stable")
            rating = levels[(ranks * (levels.size / uid.size)).astype(np.int64)]
            held = rng.random(uid.size) < 0.2
            for name, mask in (("train", ~held), ("test", held)):
                writers[name].write_table(pa.table({config.COL_USER: uid[mask], config.COL_ITEM: items[iid[mask]],
                                                    config.COL_RATING: rating[mask]}, schema=schema))
            written += uid.size
            user += chunk.size
    finally:
        for w in writers.values():
            w.close()
    return written


def prepare(name: str, processed_dir: Path, work: Path, seed: int) -> Path:
    """The data set's folder (train.parquet, test.parquet, info.json), built once."""
    out = work / "data" / name
    if (out / "info.json").is_file():
        return out
    started = time.perf_counter()
    size = SIZES[name]
    if name in ("30M", "60M"):
        n = synthetic(processed_dir, size, out, seed)
    else:
        n = real_subset(processed_dir, size, out, seed)
    (out / "info.json").write_text(json.dumps({"ratings": n, "synthetic": name in ("30M", "60M")}))
    print(f"data {name}: {n:,} ratings in {time.perf_counter() - started:.0f} s", flush=True)
    return out


# ---- one run (in its own process) ----------------------------------------------------------------------
def run_surprise(data: Path) -> dict:
    import pandas as pd

    from model.dataset import build_trainset
    from model.evaluate import rmse
    from model.fit import fit_model, make_svd, predict_ratings

    train = pd.read_parquet(data / "train.parquet")
    test = pd.read_parquet(data / "test.parquet")
    enc = build_trainset(train)
    algo = fit_model(make_svd(BENCH_SVD, config.SEED), enc)
    return {"rmse": rmse(test[config.COL_RATING], predict_ratings(algo, enc, test)), "train": len(train)}


def run_spark(data: Path, master: str) -> dict:
    from pyspark.sql import functions as F

    from model import spark_engine as se

    spark = se.spark_session(master, (("spark.driver.memory", "6g"),), app_name="bench.spark")
    train = spark.read.parquet(str(data / "train.parquet"))
    test = spark.read.parquet(str(data / "test.parquet"))
    indexed = se.index_ratings(spark, train)
    model = se.fit(spark, indexed, BENCH_ALS, config.SEED)
    err = se.spark_estimates(spark, model, test).select((F.col(se.PRED) - F.col(config.COL_RATING)).alias("e"))
    rmse = err.agg(F.sqrt(F.avg(F.col("e") * F.col("e")))).first()[0]
    result = {"rmse": float(rmse), "train": int(indexed.ratings.count()), "spark_version": spark.version}
    spark.stop()
    return result


# ---- the full-catalog ranking table ----------------------------------------------------------------------
def user_sample(ratings, n_users: int, seed: int):
    """The ratings of a seeded sample of `n_users` users (model.dataset.chosen_users' rule)."""
    from model.dataset import chosen_users

    users = np.sort(ratings[config.COL_USER].unique())
    keep = chosen_users(users, n_users, seed)
    return ratings[ratings[config.COL_USER].isin(keep)].reset_index(drop=True)


def chunked_lists(scores_of, rated: np.ndarray, k: int, chunk: int = RANKING_CHUNK) -> np.ndarray:
    """Every user's top-k list (model.rankers.top_k, training items left out), `scores_of(rows)` giving the
    scores of the users in the index array `rows`, `chunk` users at a time."""
    from model.rankers import top_k

    blocks = [top_k(scores_of(rows), rated[rows], k)
              for rows in np.array_split(np.arange(rated.shape[0]), max(1, -(-rated.shape[0] // chunk)))]
    return np.vstack(blocks) if blocks else np.empty((0, k), dtype=np.int64)


def dense_factors(ids: np.ndarray, features: list, size: int, rank: int) -> np.ndarray:
    """ALS's (id, features) rows as a (size, rank) matrix indexed by id (zeros for an id ALS did not return)."""
    out = np.zeros((size, rank), dtype=np.float64)
    if len(ids):
        out[np.asarray(ids, dtype=np.int64)] = np.asarray([list(f) for f in features], dtype=np.float64)
    return out


def spark_als_factors(spark, inter, implicit: bool, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(user factors, item factors) by Interactions position of a pyspark.ml ALS on the training ratings."""
    import pandas as pd
    from pyspark.ml.recommendation import ALS

    users, items = np.nonzero(inter.binary)
    frame = spark.createDataFrame(pd.DataFrame({"u": users.astype(np.int32), "i": items.astype(np.int32),
                                                "r": inter.ratings[users, items].astype(np.float64)}))
    als = ALS(rank=RANKING_ALS["rank"], maxIter=RANKING_ALS["max_iter"], regParam=RANKING_ALS["reg_param"],
              implicitPrefs=implicit, alpha=RANKING_ALPHA, userCol="u", itemCol="i", ratingCol="r", seed=seed,
              coldStartStrategy="drop").fit(frame)
    u, i = als.userFactors.toPandas(), als.itemFactors.toPandas()
    rank = RANKING_ALS["rank"]
    return (dense_factors(u["id"].to_numpy(), u["features"].tolist(), inter.user_ids.size, rank),
            dense_factors(i["id"].to_numpy(), i["features"].tolist(), inter.item_ids.size, rank))


def run_ranking(processed_dir: Path, n_users: int, seed: int, master: str) -> dict:
    """The full-catalog top-10 table of random, popularity and Spark ALS explicit / implicit (module docstring)."""
    import pandas as pd

    from model import spark_engine as se
    from model.evaluate import DEFAULT_K, top_k_markdown, top_k_metrics
    from model.rankers import TEST_SHARE, Interactions, stratified_split

    k = DEFAULT_K
    ratings = user_sample(pd.read_parquet(STREAMING.folder(processed_dir) / config.RATINGS_FILE,
                                          columns=[config.COL_USER, config.COL_ITEM, config.COL_RATING]),
                          n_users, seed)
    train, test = stratified_split(ratings, seed)
    inter = Interactions.of(train)
    hidden, rated, item_users = inter.hidden(test), inter.binary > 0, inter.item_users
    print(f"streaming ratings: {ratings[config.COL_USER].nunique():,} users sampled (seed {seed}), "
          f"{len(ratings):,} ratings; per-user {1 - TEST_SHARE:.0%}/{TEST_SHARE:.0%} split, seed {seed}: "
          f"{len(train):,} training, {len(test):,} hidden; {inter.item_ids.size:,} titles in training", flush=True)
    rows: dict[str, dict] = {}
    seconds: dict[str, float] = {}

    def row(label: str, scores_of, since: float) -> None:
        lists = chunked_lists(scores_of, rated, k)
        rows[label] = top_k_metrics(lists, hidden, item_users, inter.user_ids.size, k)
        seconds[label] = round(time.perf_counter() - since, 1)
        print(f"{label}: nDCG@{k} {rows[label]['ndcg@k']:.4f}, recall@{k} {rows[label]['recall@k']:.4f} "
              f"({seconds[label]:.0f} s)", flush=True)

    rng = np.random.default_rng(seed)  # chunks drawn in order: the same seed, the same lists
    t = time.perf_counter()
    row("random", lambda r: rng.random((r.size, inter.item_ids.size)), t)
    t = time.perf_counter()
    row("popularity", lambda r: np.broadcast_to(item_users.astype(np.float64), (r.size, item_users.size)), t)
    spark = se.spark_session(master, (("spark.driver.memory", "4g"),), app_name="bench.spark ranking")
    try:
        for label, implicit in ((f"Spark ALS explicit (rank {RANKING_ALS['rank']}, regParam "
                                 f"{RANKING_ALS['reg_param']:g})", False),
                                (f"Spark ALS implicit (rank {RANKING_ALS['rank']}, regParam "
                                 f"{RANKING_ALS['reg_param']:g}, alpha {RANKING_ALPHA:g})", True)):
            t = time.perf_counter()
            users, items = spark_als_factors(spark, inter, implicit, seed)
            row(label, lambda r, users=users, items=items: users[r] @ items.T, t)
        version = spark.version
    finally:
        spark.stop()
    return {"data": "streaming ratings", "users": int(ratings[config.COL_USER].nunique()), "seed": seed,
            "ratings": len(ratings), "train_ratings": len(train), "test_ratings": len(test),
            "test_share": TEST_SHARE, "training_titles": int(inter.item_ids.size), "k": k,
            "als": {**RANKING_ALS, "alpha": RANKING_ALPHA}, "master": master, "spark_version": version,
            "rows": rows, "seconds": seconds, "markdown": top_k_markdown(rows, k), "note": RANDOM_NOTE}


# ---- the watcher ------------------------------------------------------------------------------------------
def tree_rss_mb(root: int) -> float:
    """Resident memory (MB) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def watched(cmd: list[str], time_limit: float, cap_mb: float, log: Path | None = None) -> dict:
    """Run `cmd` in a new process group; its wall time, sampled peak tree memory and outcome (its stderr saved
    to `log`)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    peak, outcome = 0.0, None
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        elapsed = time.perf_counter() - started
        if peak > cap_mb:
            outcome = f"out of memory (cap {cap_mb / 1024:.0f} GB)"
        elif elapsed > time_limit:
            outcome = f"time limit ({time_limit / 60:.0f} min)"
        if outcome:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.5)
    stdout, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(stderr)
    result = {"seconds": round(seconds, 1), "peak_mb": round(peak), "outcome": outcome or "ok"}
    if outcome is None:
        lines = [line for line in stdout.splitlines() if line.startswith("{")]
        if proc.returncode != 0 or not lines:
            result["outcome"] = f"failed (exit {proc.returncode}): {stderr.strip().splitlines()[-1:]}"
        else:
            result.update(json.loads(lines[-1]))
    return result


def figure(results: list[dict], path: Path) -> None:
    """Time against ratings for both engines; failed runs marked with their outcome at the limit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for engine, color in (("surprise", "tab:orange"), ("spark", "tab:blue")):
        ok = [r for r in results if r["engine"] == engine and r["outcome"] == "ok"]
        ax.plot([r["ratings"] / 1e6 for r in ok], [r["seconds"] / 60 for r in ok], "o-", color=color, label=engine)
        for r in results:
            if r["engine"] == engine and r["outcome"] != "ok" and not r["outcome"].startswith("not run"):
                ax.plot(r["ratings"] / 1e6, r["seconds"] / 60, "x", color=color, markersize=10)
                ax.annotate(r["outcome"].split(" (")[0], (r["ratings"] / 1e6, r["seconds"] / 60), fontsize=8,
                            xytext=(4, 4), textcoords="offset points", color=color)
    ax.set_xlabel("ratings (millions)")
    ax.set_ylabel("wall time (minutes)")
    ax.set_title("Training + held-out RMSE, 2 cores (x: stopped by the memory cap or time limit)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def print_table(results: list[dict]) -> None:
    """The side-by-side table: each size, both engines, and Spark's time against surprise's."""
    print("\n| ratings | engine | outcome | time | peak memory | held-out RMSE | Spark / surprise time |")
    print("|---|---|---|---|---|---|---|")
    by = {(r["size"], r["engine"]): r for r in results}
    for r in results:
        other = by.get((r["size"], "surprise"))
        ratio = (f"{r['seconds'] / other['seconds']:.2f}x" if r["engine"] == "spark" and other
                 and other["outcome"] == "ok" and r["outcome"] == "ok" else "-")
        rmse = f"{r['rmse']:.4f}" if "rmse" in r else "-"
        print(f"| {r['ratings'] / 1e6:.1f}M ({r['size']}) | {r['engine']} | {r['outcome']} | "
              f"{r['seconds'] / 60:.1f} min | {r['peak_mb'] / 1024:.1f} GB | {rmse} | {ratio} |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR)
    p.add_argument("--work", type=Path, default=ROOT / "bench" / "results" / "spark")
    p.add_argument("--sizes", default=",".join(SIZES))
    p.add_argument("--time-limit", type=float, default=1200.0, help="seconds per run (default 1200)")
    p.add_argument("--memory-cap-gb", type=float, default=10.0)
    p.add_argument("--master", default="local[2]")
    p.add_argument("--seed", type=int, default=config.SEED)
    p.add_argument("--engines", default=",".join(ENGINES), help="which engines to run (default both)")
    p.add_argument("--ranking", action="store_true",
                   help="the full-catalog top-10 table of Spark's ALS (explicit vs implicit) instead of the scale runs")
    p.add_argument("--users", type=int, default=RANKING_USERS,
                   help=f"--ranking: users sampled from the streaming ratings (default {RANKING_USERS})")
    p.add_argument("--one", choices=ENGINES, help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        result = run_surprise(args.data) if args.one == "surprise" else run_spark(args.data, args.master)
        print(json.dumps(result))
        return 0
    if args.ranking:
        if args.users < 1:
            p.error(f"--users must be a whole number >= 1, got {args.users}")
        from etl.io import write_json

        result = run_ranking(args.processed_dir, args.users, args.seed, args.master)
        path = args.work / "ranking.json"
        write_json(json.loads(json.dumps(result, default=float)), path)
        users = next(iter(result["rows"].values()))["users"]
        print(f"\n{result['markdown']}\n\nk = {result['k']}; {users:,} users with hidden titles counted; seed "
              f"{result['seed']}; ALS {result['als']} on {args.master}.\n{RANDOM_NOTE}\nresults: {path}")
        return 0
    results_path = args.work / "results.json"
    # Earlier runs of other sizes or engines are kept (a rerun replaces the same size and engine).
    results: list[dict] = json.loads(results_path.read_text()) if results_path.is_file() else []
    failed: set[str] = set()
    for name in args.sizes.split(","):
        data = prepare(name, args.processed_dir, args.work, args.seed)
        ratings = json.loads((data / "info.json").read_text())["ratings"]
        for engine in args.engines.split(","):
            results = [r for r in results if (r["size"], r["engine"]) != (name, engine)]
            if engine in failed:
                result = {"seconds": 0.0, "peak_mb": 0, "outcome": "not run (failed on a smaller size)"}
            else:
                cmd = [sys.executable, "-m", "bench.spark", "--one", engine, "--data", str(data),
                       "--master", args.master]
                result = watched(cmd, args.time_limit, args.memory_cap_gb * 1024,
                                 args.work / "logs" / f"{name}-{engine}.log")
                if result["outcome"] != "ok":
                    failed.add(engine)
            entry = {"size": name, "ratings": ratings, "engine": engine, **result}
            results = sorted([*results, entry],
                             key=lambda r: (list(SIZES).index(r["size"]), ENGINES.index(r["engine"])))
            print(json.dumps(entry), flush=True)
            results_path.write_text(json.dumps(results, indent=2))
            figure(results, FIGURE)
    print_table(results)
    print(f"\nfigure: {FIGURE}; results: {results_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
