"""`python -m model.train --catalog <name>|all --engine surprise|spark`: train, evaluate and export a catalog's model.

One path for every catalog: the catalog's recipe (model/<name>/recipe.py) says which ratings and item features
it trains on, its hyper-parameter search space and its extras; the engine (model.engines: surprise in one
process, or Spark with `--master local[*]`, spark://host:7077, yarn) searches, fits and scores. Every run writes
artifacts/<name>/ (--out is the artifacts root) in the same format: the arrays, metrics.json (one schema:
catalog, engine, hyper-parameters, benchmarks, the recipe's extras, seconds), the manifest and the model card
(model.card), replacing the folder only when everything succeeded. `--catalog all` trains every declared
catalog in turn. `--movielens` runs only the MovieLens benchmark of a recipe that has one.

Results go to stdout, progress and log lines to stderr (--quiet: warnings only; --verbose: every trial).
Bad options or inputs print one line and exit with status 2; earlier artifacts stay intact.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tqdm.contrib.logging import logging_redirect_tqdm

import config
from errors import InputError
from model import card
from model.cli import OneLineParser, add_verbosity_options, configure_logging, rating, whole_number
from model.dataset import TEST_SIZE
from model.engines import ENGINES, ROWS, Engine, SurpriseEngine
from model.export import manifest_meta, write_artifacts
from model.recipe import Recipe, catalog_names, recipe_for
from settings import SettingError, load_settings, raw_dir

log = logging.getLogger("model.train")  # not __name__, which is "__main__" under python -m

ALL = "all"


@dataclass(frozen=True)
class TrainOptions:
    """Everything a training run depends on; the defaults are the command line's defaults."""

    catalog: str                                     # a declared catalog's name, or "all"
    processed_dir: Path = config.PROCESSED_DATA_DIR  # the processed data root (each catalog: CatalogSpec.folder)
    out_dir: Path = config.ARTIFACTS_DIR             # the artifacts root: a catalog's model goes to <out>/<name>/
    threshold: float = config.DEFAULT_THRESHOLD      # recommend when the predicted rating is at least this
    seed: int | None = None                          # every random step (None: the recipe's seed)
    sample_users: int | None = None                  # train on a seeded sample of this many users (None: all)
    search_users: int | None = None                  # users sampled for the search (None: the recipe's)
    raw_dir: Path | None = None                      # raw data folder (None: RAW_DIR, then the default)
    with_movielens: bool = True                      # include the MovieLens benchmark (recipes that have one)
    with_content: bool = True                        # build and export the content neighbours
    reports_dir: Path = config.REPORTS_DIR           # the EDA (eda.json) quoted by a model card
    movielens_only: bool = False                     # the CLI's --movielens: only benchmark MovieLens and print it
    engine: str = "surprise"                         # surprise (one process) or spark (model.spark_engine)
    master: str = "local[*]"                         # the Spark master (--engine spark only)
    spark_conf: tuple[tuple[str, str], ...] = ()     # extra Spark settings, (key, value) pairs
    spark_grid: dict[str, list[Any]] | None = None   # the Spark search's ranks and regParams (None: its default)
    with_feedback: bool = False                      # fold visitors' ratings into the Movies run (model.feedback)

    def movielens_dir(self) -> Path:
        """The raw-data folder (movielens/, tmdb/): --raw-dir, else RAW_DIR, else ../shared/data/raw."""
        return raw_dir(self.raw_dir)

    def recipes(self) -> list[Recipe]:
        """The recipes this run trains: the named catalog's, or every declared catalog's for "all"."""
        return [recipe_for(name) for name in (catalog_names() if self.catalog == ALL else (self.catalog,))]

    def out(self, recipe: Recipe) -> Path:
        """Where a catalog's model goes: <out>/<name>/."""
        return Path(self.out_dir) / recipe.spec.name


# ---- the run -------------------------------------------------------------------------------------------
def train(options: TrainOptions, recipe: Recipe, engine: Engine) -> dict[str, Any]:
    """One catalog's run: its recipe with `engine`, then metrics.json, manifest, card and arrays into
    options.out(recipe); returns the metrics."""
    started = time.perf_counter()
    options = replace(options, seed=recipe.seed if options.seed is None else options.seed)
    recipe.check(options)
    trained = recipe.train(engine, options)
    seconds = time.perf_counter() - started
    metrics = {"catalog": recipe.spec.name, "engine": engine.name, "hyperparameters": trained.hyperparameters,
               "benchmarks": trained.benchmarks, "extras": trained.extras,
               "seconds": {**trained.seconds, "total": round(seconds, 1)}}
    tables = {name: result["table"] for name, result in trained.benchmarks.items()} | trained.tables
    meta = manifest_meta(recipe.spec.name, trained.arrays, metrics, tables, engine.meta, threshold=options.threshold,
                         seed=options.seed, sample_users=options.sample_users, n_ratings=trained.n_ratings,
                         inputs=trained.inputs, train_seconds=seconds, **trained.meta)
    write_artifacts(options.out(recipe), trained.arrays, meta, metrics,
                    card.model_card(meta, metrics, recipe.card(meta, metrics, options)))
    log.info("%s artifacts written to %s in %.0f s", recipe.spec.name, options.out(recipe),
             time.perf_counter() - started)
    return metrics


def movielens_only(options: TrainOptions, recipe: Recipe, engine: Engine) -> dict[str, Any]:
    """The CLI's --movielens: the recipe's MovieLens benchmark alone, with the chosen engine."""
    options = replace(options, seed=recipe.seed if options.seed is None else options.seed)
    return recipe.movielens(engine, options)


# ---- the command line ----------------------------------------------------------------------------------
def build_parser() -> OneLineParser:
    """The options of `python -m model.train`."""
    p = OneLineParser(prog="python -m model.train", description=__doc__.split("\n")[0])
    p.add_argument("--catalog", required=True, choices=(*catalog_names(), ALL),
                   help="which catalog's model to train, or all of them in turn")
    p.add_argument("--engine", choices=ENGINES, default="surprise",
                   help="training engine: surprise (default, one process) or spark (pyspark MLlib ALS)")
    p.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR,
                   help="the processed data root (default data/processed)")
    p.add_argument("--out", type=Path, default=config.ARTIFACTS_DIR,
                   help="the artifacts root: each catalog's model goes to <out>/<name>/ (default artifacts)")
    p.add_argument("--threshold", type=rating, default=config.DEFAULT_THRESHOLD,
                   help=f"recommend when the predicted rating is at least this (default {config.DEFAULT_THRESHOLD})")
    p.add_argument("--seed", type=whole_number(0, 2**32 - 1), default=None,
                   help="seed of every random step (default: the recipe's)")
    p.add_argument("--sample-users", type=whole_number(1), default=None,
                   help="train on a seeded sample of this many users (fast runs, tests)")
    p.add_argument("--search-users", type=whole_number(1), default=None,
                   help="users sampled for the hyper-parameter search (default: the recipe's)")
    p.add_argument("--raw-dir", type=Path, default=None, help="raw data folder (default RAW_DIR)")
    p.add_argument("--reports-dir", type=Path, default=config.REPORTS_DIR,
                   help="folder with the EDA (eda.json) quoted by the model card (default reports)")
    p.add_argument("--movielens", action="store_true", help="only run the MovieLens benchmark and print it")
    p.add_argument("--skip-movielens", action="store_true", help="do not include the MovieLens benchmark")
    p.add_argument("--skip-content", action="store_true", help="do not build the content neighbours")
    p.add_argument("--master", type=spark_master, default="local[*]",
                   help="Spark master for --engine spark: local[*] (default), local[N], spark://host:7077, yarn")
    p.add_argument("--spark-conf", type=key_value, action="append", default=[], metavar="KEY=VALUE",
                   help="a Spark setting for --engine spark, e.g. spark.driver.memory=8g (repeatable)")
    p.add_argument("--spark-grid", type=spark_grid, default=None, metavar="RANKS:REGS",
                   help="the Spark search's ranks and regParams, e.g. 10,50:0.1,0.3 (default 10,50:0.05,0.1,0.3,1)")
    add_verbosity_options(p)
    p.add_argument("--with-feedback", action="store_true",
                   help="Movies: add the visitors' opt-in ratings (APP_FEEDBACK_DIR, HF_FEEDBACK_REPO) as extra users")
    return p


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
        catalog=args.catalog, processed_dir=args.processed_dir, out_dir=args.out, threshold=args.threshold,
        seed=args.seed, sample_users=args.sample_users, search_users=args.search_users, raw_dir=args.raw_dir,
        with_movielens=not args.skip_movielens, with_content=not args.skip_content,
        reports_dir=args.reports_dir, movielens_only=args.movielens, engine=args.engine, master=args.master,
        spark_conf=tuple(args.spark_conf), spark_grid=args.spark_grid, with_feedback=args.with_feedback)


def parse_args(argv: list[str] | None = None) -> TrainOptions:
    """The run's options from the command line (bad options: one line on stderr, exit 2)."""
    return options_from(build_parser().parse_args(argv))


def print_movielens(result: dict[str, Any]) -> None:
    """The MovieLens table on stdout, its last line the model's RMSE as JSON (scripts and tests read it):
    {"svd_rmse": ...} for surprise, {"als_rmse": ...} for Spark."""
    spark = result.get("engine") == "spark"
    print(f"MovieLens ml-latest-small, seeded {1 - TEST_SIZE:.0%}/{TEST_SIZE:.0%} split, "
          f"{'ALS (Spark)' if spark else 'SVD'} {result['hyperparameters']}")
    print(result["markdown"])
    row = ROWS["spark" if spark else "surprise"].model
    print(json.dumps({"als_rmse" if spark else "svd_rmse": result["table"][row]["rmse"]}))


def print_results(metrics: dict[str, Any], out_dir: Path) -> None:
    """A run's held-out tables (and the recipe's other tables) on stdout, and where the artifacts went."""
    for result in metrics["benchmarks"].values():
        print(f"{metrics['catalog']}: {result['data']}, held-out {result['test_size']:.0%} "
              f"({result['test_ratings']:,} ratings), {metrics['engine']} {result['hyperparameters']}")
        print(result["markdown"] + "\n")
    for name, extra in metrics["extras"].items():
        if isinstance(extra, dict) and "markdown" in extra:
            print(f"{metrics['catalog']}: {name.replace('_', ' ')}")
            print(extra["markdown"] + "\n")
    print(f"{metrics['catalog']} artifacts: {out_dir} ({metrics['seconds']['total']:.0f} s)")


def make_engine(name: str, master: str = "local[*]", spark_conf: tuple[tuple[str, str], ...] = (),
                spark_grid: dict[str, list[Any]] | None = None) -> Engine:
    """The engine called `name` (ENGINES); Spark's session starts here and ends with `close()`."""
    if name == "spark":
        from model.spark_engine import SparkEngine  # pyspark only when asked for

        return SparkEngine(master, spark_conf, spark_grid)
    return SurpriseEngine()


def main(argv: list[str] | None = None) -> int:
    """`python -m model.train`: 0 on success, 2 (one line on stderr) on bad options, settings or inputs."""
    try:
        load_settings()  # a bad environment variable is refused before the work, not after it
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    options = options_from(args)
    recipes = options.recipes()
    if options.movielens_only and not all(hasattr(recipe, "movielens") for recipe in recipes):
        parser.error(f"--movielens: the {options.catalog} recipe has no MovieLens benchmark")
    if options.with_feedback and not any(recipe.takes_feedback for recipe in recipes):
        print(f"error: --with-feedback adds visitors' ratings to the Movies model: the {options.catalog} recipe takes "
              "none (use --catalog movies or all)", file=sys.stderr)
        return 2
    if options.with_feedback and options.engine != "surprise":
        print("error: --with-feedback trains with the surprise engine only; leave out --engine spark", file=sys.stderr)
        return 2
    configure_logging(args.verbosity)
    try:
        with logging_redirect_tqdm():  # log lines do not tear the search's progress bar
            engine = make_engine(options.engine, options.master, options.spark_conf, options.spark_grid)
            try:
                for recipe in recipes:
                    if options.movielens_only:
                        print_movielens(movielens_only(options, recipe, engine))
                    else:
                        print_results(train(options, recipe, engine), options.out(recipe))
            finally:
                engine.close()
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
