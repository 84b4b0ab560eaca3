"""`python -m model.train`: train, evaluate and export the SVD recommender (scikit-surprise).

Steps, all seeded (--seed, default config.SEED):
1. hold out 20% of the ratings (a seeded permutation of the rows; model.dataset);
2. choose the hyper-parameters on the training part only (model.search): a greedy coordinate search starting
   from surprise's defaults, one hyper-parameter at a time, each candidate fitted on 80% of the training
   ratings of a seeded sample of users and scored by RMSE on the other 20%; the cheapest configuration
   within 0.0005 RMSE of the best wins (full-data training time grows with epochs x factors);
3. fit SVD, BaselineOnly, NormalPredictor and the global mean on the training part and compare them on the
   held-out 20% (model.fit, model.evaluate: RMSE/MAE, the recommend decision, ranking@10);
4. refit the chosen SVD on all ratings and export it, the content neighbours (model.content) and the model
   card through serving.artifacts (model.export; no pickle), replacing --out only when everything succeeded.

The MovieLens ml-latest-small benchmark (`--movielens` alone, and included in a full run unless
--skip-movielens) runs the same steps 1-3 on data whose ratings carry real item signal (model.benchmark).

The Movies catalog's model (`--catalog movies`, or `--catalog all` for both) is trained by model.movies from
data/processed/movies/ and MovieLens' ratings_small.csv (for the issue's seeded split) into artifacts/movies/
(--movies-out), in the same format, with its own manifest, metrics.json and model card. The default,
`--catalog streaming`, is the streaming model alone, as before; replacing it keeps artifacts/movies/.

The Spark engine (`--engine spark --master local[*]`, or spark://host:7077, yarn; model.spark_engine) does
steps 1-4 with pyspark MLlib (BaselineOnly biases by Spark aggregates, ALS on their residuals, a
TrainValidationSplit search) on the same held-out pairs: the surprise engine writes them to
<processed>/heldout/ (model.dataset), the Spark engine reads them (or makes them once the same way). The
artifacts, manifest (plus engine, Spark version and master) and card are the same format either way, and
`--engine` applies to every model the command builds (the streaming one and the Movies one).

Results go to stdout, progress and log lines to stderr (--quiet: warnings only; --verbose: every trial).
Bad options or inputs print one line and exit with status 2; earlier artifacts stay intact.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.contrib.logging import logging_redirect_tqdm

import config
from catalog import STREAMING
from config import COL_ITEM, COL_USER
from errors import InputError
from model import card
from model.benchmark import benchmark, movielens_benchmark
from model.cli import OneLineParser, add_verbosity_options, configure_logging, rating, whole_number
from model.dataset import TEST_SIZE, build_trainset, heldout_key, heldout_path, load_ratings
from model.export import content_arrays, export_arrays, input_checksums, manifest_meta, write_artifacts
from model.fit import fit_model, make_svd
from model.movies import MOVIES_SUBDIR, train_movies
from model.search import SEARCH_USERS
from settings import SettingError, load_settings, raw_dir

log = logging.getLogger("model.train")  # not __name__, which is "__main__" under python -m


@dataclass(frozen=True)
class TrainOptions:
    """Everything a training run depends on; the defaults are the command line's defaults."""

    processed_dir: Path = config.PROCESSED_DATA_DIR  # each catalog's folder of clean tables (CatalogSpec.folder)
    out_dir: Path = config.ARTIFACTS_DIR             # replaced only when the whole run succeeded
    threshold: float = config.DEFAULT_THRESHOLD      # recommend when the predicted rating is at least this
    seed: int = config.SEED                          # every random step: samples, splits, SVD, NormalPredictor
    sample_users: int | None = None                  # train on a seeded sample of this many users (None: all)
    search_users: int = SEARCH_USERS                 # users sampled for the hyper-parameter search
    raw_dir: Path | None = None                      # folder holding movielens/ (None: RAW_DIR, then the default)
    with_movielens: bool = True                      # include the MovieLens benchmark in the metrics
    with_content: bool = True                        # build and export the content neighbours
    reports_dir: Path = config.REPORTS_DIR           # the EDA (eda.json) quoted by the model card
    movielens_only: bool = False                     # the CLI's --movielens: only benchmark MovieLens and print it
    catalog: str = "streaming"                       # streaming, movies or all (both)
    movies_out_dir: Path | None = None               # the Movies model (None: out_dir / "movies")
    engine: str = "surprise"                         # surprise (one process) or spark (model.spark_engine)
    master: str = "local[*]"                         # the Spark master (--engine spark only)
    spark_conf: tuple[tuple[str, str], ...] = ()     # extra Spark settings, (key, value) pairs
    spark_grid: dict[str, list[Any]] | None = None   # the Spark search's ranks and regParams (None: its default)
    with_feedback: bool = False                      # fold visitors' ratings into the Movies run (model.feedback)

    def movies_out(self) -> Path:
        """Where the Movies model goes: --movies-out, else <--out>/movies."""
        return Path(self.movies_out_dir) if self.movies_out_dir else Path(self.out_dir) / MOVIES_SUBDIR

    @property
    def streaming_dir(self) -> Path:
        """The streaming catalog's ratings.parquet and titles.parquet."""
        return STREAMING.folder(self.processed_dir)

    def movielens_dir(self) -> Path:
        """The raw-data folder holding movielens/: --raw-dir, else RAW_DIR, else ../shared/data/raw."""
        return raw_dir(self.raw_dir)


# ---- the run -------------------------------------------------------------------------------------------
def load_titles(options: TrainOptions) -> pd.DataFrame:
    """The titles of the processed folder; InputError when missing."""
    titles_path = options.streaming_dir / config.TITLES_FILE
    if not titles_path.is_file():
        raise InputError(f"{titles_path}: missing; build it with `python -m etl` (or pass --processed-dir)")
    return pd.read_parquet(titles_path)


def load_inputs(options: TrainOptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The (optionally user-sampled) ratings and the titles of the processed folder; InputError when missing."""
    titles = load_titles(options)
    ratings = load_ratings(options.streaming_dir, options.sample_users, options.seed)
    log.info("%s ratings, %s users, %s titles", f"{len(ratings):,}", f"{ratings[COL_USER].nunique():,}",
             f"{ratings[COL_ITEM].nunique():,}")
    return ratings, titles


def evaluate(ratings: pd.DataFrame, options: TrainOptions) -> dict[str, Any]:
    """The held-out benchmarks for metrics.json: our ratings ("ours") and, unless left out, MovieLens."""
    heldout = (heldout_path(options.streaming_dir, "ratings"),
               heldout_key(options.seed, len(ratings), options.sample_users))
    metrics: dict[str, Any] = {"ours": benchmark(ratings, options.seed, options.threshold, options.search_users,
                                                 "our ratings", heldout)}
    if options.with_movielens:
        metrics["movielens"] = movielens_benchmark(options.movielens_dir(), options.seed, options.threshold,
                                                   heldout_path(options.processed_dir, "movielens"))
    return metrics


def final_model(ratings: pd.DataFrame, titles: pd.DataFrame, params: dict[str, Any],
                seed: int) -> dict[str, np.ndarray]:
    """The chosen SVD refitted on all `ratings`, as the streaming model's arrays."""
    log.info("refitting SVD on all %s ratings", f"{len(ratings):,}")
    enc = build_trainset(ratings)
    algo = fit_model(make_svd(params, seed), enc, "all ratings")
    return export_arrays(algo, enc, titles)


def train(options: TrainOptions) -> dict[str, Any]:
    """The whole offline run: evaluate, refit, export; returns the metrics written to metrics.json."""
    started = time.perf_counter()
    eda = card.read_eda(Path(options.reports_dir) / STREAMING.name)  # before the work: a broken one fails at once
    engine = None
    if options.engine == "spark":
        from model.spark_engine import train_streaming  # pyspark only when asked for

        titles = load_titles(options)
        arrays, metrics, n_ratings, engine = train_streaming(options, titles)
    else:
        ratings, titles = load_inputs(options)
        metrics = evaluate(ratings, options)
        arrays = final_model(ratings, titles, metrics["ours"]["hyperparameters"], options.seed)
        n_ratings = len(ratings)
    if options.with_content:
        arrays.update(content_arrays(titles))
    meta = manifest_meta(arrays, metrics, threshold=options.threshold, seed=options.seed,
                         sample_users=options.sample_users, n_ratings=n_ratings,
                         inputs=input_checksums(options.streaming_dir, metrics),
                         train_seconds=time.perf_counter() - started, engine=engine)
    model_card = card.model_card(meta, metrics, eda=eda)
    write_artifacts(options.out_dir, arrays, meta, metrics, model_card)
    log.info("artifacts written to %s in %.0f s", options.out_dir, time.perf_counter() - started)
    return metrics


def train_movies_model(options: TrainOptions) -> dict[str, Any]:
    """The Movies catalog's run (model.movies): artifacts, metrics.json and card into options.movies_out()."""
    started = time.perf_counter()
    if options.engine == "spark":
        if options.with_feedback:
            raise InputError("--with-feedback trains with the surprise engine only; leave out --engine spark")
        from model.spark_engine import train_movies_spark  # pyspark only when asked for

        arrays, meta, metrics = train_movies_spark(options)
    else:
        folders = None
        if options.with_feedback:  # the feedback hook: APP_FEEDBACK_DIR and HF_FEEDBACK_REPO (settings.py)
            from model.feedback import feedback_folders

            folders = feedback_folders(load_settings())
        arrays, meta, metrics = train_movies(options.processed_dir, options.movielens_dir(), options.threshold,
                                             feedback_folders=folders)
    write_artifacts(options.movies_out(), arrays, meta, metrics, card.movies_model_card(meta, metrics))
    log.info("movies artifacts written to %s in %.0f s", options.movies_out(), time.perf_counter() - started)
    return metrics


# ---- the command line ----------------------------------------------------------------------------------
def build_parser() -> OneLineParser:
    """The options of `python -m model.train`."""
    p = OneLineParser(prog="python -m model.train", description=__doc__.split("\n")[0])
    p.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR,
                   help="folder with ratings.parquet and titles.parquet (default data/processed)")
    p.add_argument("--out", type=Path, default=config.ARTIFACTS_DIR, help="artifact folder (default artifacts)")
    p.add_argument("--threshold", type=rating, default=config.DEFAULT_THRESHOLD,
                   help=f"recommend when the predicted rating is at least this (default {config.DEFAULT_THRESHOLD})")
    p.add_argument("--seed", type=whole_number(0, 2**32 - 1), default=config.SEED,
                   help=f"seed of every random step (default {config.SEED})")
    p.add_argument("--sample-users", type=whole_number(1), default=None,
                   help="train on a seeded sample of this many users (fast runs, tests)")
    p.add_argument("--search-users", type=whole_number(1), default=SEARCH_USERS,
                   help=f"users sampled for the hyper-parameter search (default {SEARCH_USERS})")
    p.add_argument("--raw-dir", type=Path, default=None, help="raw data folder for MovieLens (default RAW_DIR)")
    p.add_argument("--reports-dir", type=Path, default=config.REPORTS_DIR,
                   help="folder with the EDA (eda.json) quoted by the model card (default reports)")
    p.add_argument("--movielens", action="store_true", help="only run the MovieLens benchmark and print it")
    p.add_argument("--skip-movielens", action="store_true", help="do not include the MovieLens benchmark")
    p.add_argument("--skip-content", action="store_true", help="do not build the content neighbours")
    p.add_argument("--catalog", choices=("streaming", "movies", "all"), default="streaming",
                   help="which model to train: the streaming catalog's (default), the Movies catalog's, or both")
    p.add_argument("--movies-out", type=Path, default=None,
                   help="artifact folder of the Movies model (default <--out>/movies)")
    p.add_argument("--with-feedback", action="store_true",
                   help="Movies: add the visitors' opt-in ratings (APP_FEEDBACK_DIR, HF_FEEDBACK_REPO) as extra users")
    p.add_argument("--engine", choices=ENGINES, default="surprise",
                   help="training engine: surprise (default, one process) or spark (pyspark MLlib ALS)")
    p.add_argument("--master", type=spark_master, default="local[*]",
                   help="Spark master for --engine spark: local[*] (default), local[N], spark://host:7077, yarn")
    p.add_argument("--spark-conf", type=key_value, action="append", default=[], metavar="KEY=VALUE",
                   help="a Spark setting for --engine spark, e.g. spark.driver.memory=8g (repeatable)")
    p.add_argument("--spark-grid", type=spark_grid, default=None, metavar="RANKS:REGS",
                   help="the Spark search's ranks and regParams, e.g. 10,50:0.1,0.3 (default 10,50:0.05,0.1,0.3,1)")
    add_verbosity_options(p)
    return p


ENGINES = ("surprise", "spark")


def spark_master(text: str) -> str:
    """An argparse type: a Spark master URL (model.spark_engine.check_master's rule)."""
    from model.spark_engine import check_master  # no pyspark import at module level

    try:
        return check_master(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def key_value(text: str) -> tuple[str, str]:
    """An argparse type: KEY=VALUE (a Spark setting)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE such as spark.driver.memory=8g, got {text!r}")
    return key.strip(), value.strip()


def spark_grid(text: str) -> dict[str, list[Any]]:
    """An argparse type: RANKS:REGS, comma-separated whole numbers >= 1 and numbers > 0 (e.g. 10,50:0.1,0.3)."""
    try:
        ranks_text, regs_text = text.split(":")
        ranks = [int(v) for v in ranks_text.split(",")]
        regs = [float(v) for v in regs_text.split(",")]
        if min(ranks) < 1 or not min(regs) > 0:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected RANKS:REGS such as 10,50:0.1,0.3, got {text!r}") from None
    return {"rank": ranks, "reg_param": regs}


def options_from(args: argparse.Namespace) -> TrainOptions:
    """TrainOptions from parsed command-line arguments."""
    return TrainOptions(
        processed_dir=args.processed_dir, out_dir=args.out, threshold=args.threshold, seed=args.seed,
        sample_users=args.sample_users, search_users=args.search_users, raw_dir=args.raw_dir,
        with_movielens=not args.skip_movielens, with_content=not args.skip_content,
        reports_dir=args.reports_dir, movielens_only=args.movielens, catalog=args.catalog,
        movies_out_dir=args.movies_out, engine=args.engine, master=args.master,
        spark_conf=tuple(args.spark_conf), spark_grid=args.spark_grid, with_feedback=args.with_feedback)


def parse_args(argv: list[str] | None = None) -> TrainOptions:
    """The run's options from the command line (bad options: one line on stderr, exit 2)."""
    return options_from(build_parser().parse_args(argv))


def movielens_only(options: TrainOptions) -> dict[str, Any]:
    """The CLI's --movielens: the MovieLens benchmark alone, with the chosen engine."""
    heldout_file = heldout_path(options.processed_dir, "movielens")
    if options.engine != "spark":
        return movielens_benchmark(options.movielens_dir(), options.seed, options.threshold, heldout_file)
    from model import spark_engine  # pyspark only when asked for

    spark = spark_engine.spark_session(options.master, options.spark_conf)
    try:
        return spark_engine.movielens(spark, options.movielens_dir(), options.processed_dir, options.seed,
                                      options.threshold, options.spark_grid)
    finally:
        spark.stop()


def print_movielens(result: dict[str, Any]) -> None:
    """The MovieLens table on stdout, its last line the model's RMSE as JSON (scripts and tests read it):
    {"svd_rmse": ...} for surprise, {"als_rmse": ...} for Spark."""
    spark = result.get("engine") == "spark"
    print(f"MovieLens ml-latest-small, seeded {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%} split, "
          f"{'ALS (Spark)' if spark else 'SVD'} {result['hyperparameters']}")
    print(result["markdown"])
    row = "ALS (Spark)" if spark else "SVD"
    print(json.dumps({"als_rmse" if spark else "svd_rmse": result["table"][row]["rmse"]}))


def print_results(metrics: dict[str, Any], out_dir: Path) -> None:
    """The held-out tables of a training run on stdout, and where the artifacts went."""
    model = "ALS (Spark)" if metrics["ours"].get("engine") == "spark" else "SVD"
    print(f"Our ratings, held-out {TEST_SIZE:.0%}, {model} {metrics['ours']['hyperparameters']}")
    print(metrics["ours"]["markdown"])
    if "movielens" in metrics:
        print(f"\nMovieLens ml-latest-small, {model} {metrics['movielens']['hyperparameters']}")
        print(metrics["movielens"]["markdown"])
    print(f"\nartifacts: {out_dir}")


def print_movies(metrics: dict[str, Any], out_dir: Path) -> None:
    """The Movies model's tables on stdout: held-out (the issue's split), fold-in, themed visitors."""
    h = metrics["heldout"]
    print(f"Movies: {h['data']}, surprise train_test_split(test_size={h['test_size']}, "
          f"random_state={h['random_state']}); tuned {'ALS' if 'rank' in metrics['hyperparameters'] else 'SVD'} "
          f"{metrics['hyperparameters']}")
    print(h["markdown"])
    c = metrics["catalog_split"]
    print(f"\nMovies: {c['data']} ({c['ratings']:,} ratings), the same split rule")
    print(c["markdown"])
    f = metrics["fold_in"]
    print(f"\nMovies fold-in: {f['users']} left-out users, k ratings folded in, the rest predicted "
          f"(NDCG@10: relevant = rating >= {f['relevant_at']})")
    print(f["markdown"])
    print("\nMovies themed visitors (five films rated 5): films of the taste's genres in the top 10")
    print(metrics["visitors"]["markdown"])
    print(f"\nmovies artifacts: {out_dir} ({metrics['seconds']['total']:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    """`python -m model.train`: 0 on success, 2 (one line on stderr) on bad options, settings or inputs."""
    try:
        load_settings()  # a bad environment variable is refused before the work, not after it
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    configure_logging(args.verbosity)
    options = options_from(args)
    if options.with_feedback and options.catalog == "streaming":
        print("error: --with-feedback adds visitors' ratings to the Movies model: use it with --catalog movies "
              "or all", file=sys.stderr)
        return 2
    try:
        with logging_redirect_tqdm():  # log lines do not tear the search's progress bar
            if options.movielens_only:
                print_movielens(movielens_only(options))
                return 0
            metrics = train(options) if options.catalog in ("streaming", "all") else None
            if metrics is not None:
                print_results(metrics, options.out_dir)
            if options.catalog in ("movies", "all"):
                print_movies(train_movies_model(options), options.movies_out())
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
