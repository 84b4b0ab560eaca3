"""The Spark training engine (`python -m model.train --catalog <name> --engine spark`): pyspark MLlib behind
model.engines' interface (`SparkEngine`).

The same model family and artifacts as the surprise engine, trained with Spark so that the ratings never have
to fit in one Python process:

- biases by Spark aggregates with surprise's BaselineOnly ALS formulas (global mean mu; BASELINE epochs of
  b_i = sum(r - mu - b_u) / (reg_i + n_i), then b_u = sum(r - mu - b_i) / (reg_u + n_u));
- explicit ALS (pyspark.ml.recommendation.ALS, seeded) on the residuals r - mu - b_u - b_i;
- a seeded hyper-parameter search with TrainValidationSplit over SEARCH_GRID on the residuals of a seeded
  user sample of the training part;
- the held-out evaluation in Spark (RMSE, MAE over every held-out rating); the decision and ranking metrics
  (model.evaluate) on the held-out ratings of a seeded user sample collected to the driver;
- `Factors` for model.export.model_arrays, so serving serves a Spark model unchanged: its estimate
  mu + b_u + b_i + p_u . q_i, clipped, is what `spark_estimates` computes in Spark (ALS `transform`).

pyspark is imported here only, and this module only when `--engine spark` is asked for (model.train), so
the surprise engine and the app never need it. The held-out pairs are the trainer's (model.dataset's
heldout file), so both engines are scored on the same ratings.
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from config import COL_ITEM, COL_RATING, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.spark_session import check_master, check_runtime, spark_session, spark_version  # noqa: F401 (the engine's API)
from model.dataset import TEST_SIZE, chosen_users
from model.engines import Engine, Factors, benchmark_result, sample_of
from model.evaluate import DEFAULT_K, METRIC_NAMES, evaluate_predictions

log = logging.getLogger(__name__)

# surprise's BaselineOnly defaults (bsl_options method "als"): the biases both engines fit.
BASELINE = {"n_epochs": 10, "reg_u": 15.0, "reg_i": 10.0}
# The search: every (rank, regParam) pair, maxIter fixed; cheapest within SEARCH_TOLERANCE of the best wins.
SEARCH_GRID: dict[str, list[Any]] = {"rank": [10, 50], "reg_param": [0.05, 0.1, 0.3, 1.0]}
MAX_ITER = 10
SEARCH_TOLERANCE = 0.0005
SEARCH_USERS = 5000
# Held-out ratings collected to the driver for the decision and ranking metrics (whole users, seeded).
SAMPLE_ROWS = 1_000_000
# The names of the models in the held-out table of a Spark run.
ALS_ROW, BASELINE_ROW, MEAN_ROW = "ALS (Spark)", "BaselineOnly (Spark)", "GlobalMean"  # model.engines.ROWS["spark"]

# User and item rows (positions in the sorted raw ids), residuals and predictions inside the engine.
ROW_U, ROW_I, RES, PRED = "u", "i", "residual", "prediction"


# ---- data -----------------------------------------------------------------------------------------------
def read_ratings(spark, path: Path, sample_users: int | None = None, seed: int = 0):
    """userId, movieId, rating of a ratings parquet, read by Spark (optionally a seeded user sample, the same
    users model.dataset.sample_users_of keeps)."""
    if not Path(path).exists():
        raise InputError(f"{path}: missing; build it with `python -m etl` (or pass --processed-dir)")
    df = spark.read.parquet(str(path)).select(COL_USER, COL_ITEM, COL_RATING)
    if sample_users is not None:
        users = np.sort(np.array([r[0] for r in df.select(COL_USER).distinct().collect()], dtype=np.int64))
        keep = chosen_users(users, sample_users, seed)
        if keep.size < users.size:
            df = df.join(_broadcast(spark.createDataFrame(pd.DataFrame({COL_USER: keep}))), COL_USER)
    return df


def _broadcast(df):
    from pyspark.sql import functions as F

    return F.broadcast(df)


@dataclass
class Indexed:
    """Ratings with dense user and item rows (u, i: positions in the sorted raw ids, as model.dataset's
    build_trainset numbers them), and those raw ids."""

    ratings: Any                 # Spark DataFrame: userId, movieId, u, i, rating
    user_ids: np.ndarray
    item_ids: np.ndarray
    users: Any                   # Spark DataFrame: userId, u
    items: Any                   # Spark DataFrame: movieId, i


def _sorted_ids(df, column: str) -> np.ndarray:
    values = df.select(column).distinct().toPandas()[column].to_numpy()
    if values.dtype.kind in "iu":
        return np.sort(values.astype(np.int64))
    return np.sort(values.astype(str))


def index_ratings(spark, ratings) -> Indexed:
    """Number users and items by their position in the sorted raw ids (numpy's order on the driver)."""
    user_ids, item_ids = _sorted_ids(ratings, COL_USER), _sorted_ids(ratings, COL_ITEM)
    users = spark.createDataFrame(pd.DataFrame({COL_USER: user_ids, ROW_U: np.arange(user_ids.size, dtype=np.int32)}))
    items = spark.createDataFrame(pd.DataFrame({COL_ITEM: item_ids.astype(object) if item_ids.dtype.kind == "ROW_U"
                                                else item_ids, ROW_I: np.arange(item_ids.size, dtype=np.int32)}))
    indexed = (ratings.join(_broadcast(users), COL_USER).join(_broadcast(items), COL_ITEM)
               .select(COL_USER, COL_ITEM, ROW_U, ROW_I, COL_RATING).cache())
    log.info("%s ratings, %s users, %s items", f"{indexed.count():,}", f"{user_ids.size:,}", f"{item_ids.size:,}")
    return Indexed(indexed, user_ids, item_ids, users, items)


# ---- the model ------------------------------------------------------------------------------------------
@dataclass
class SparkModel:
    """A fitted Spark model: biases (numpy, by row), the ALS model of the residuals and its factors."""

    global_mean: float
    user_bias: np.ndarray
    item_bias: np.ndarray
    user_factors: np.ndarray
    item_factors: np.ndarray
    als: Any                     # pyspark.ml.recommendation.ALSModel (None: biases only)
    data: Indexed
    params: dict[str, Any]


def fit_biases(spark, data: Indexed, n_epochs: int = BASELINE["n_epochs"], reg_u: float = BASELINE["reg_u"],
               reg_i: float = BASELINE["reg_i"]) -> tuple[float, np.ndarray, np.ndarray]:
    """(mu, b_u, b_i by row) by surprise's BaselineOnly ALS, each half-step one Spark aggregate
    (model.spark_stages.bias_frames)."""
    from model.spark_stages import bias_frames

    with tqdm(total=n_epochs, desc="spark biases", unit="epoch", file=sys.stderr,
              disable=not log.isEnabledFor(logging.INFO)) as bar:
        mu, bu, bi = bias_frames(data.ratings, n_epochs, reg_u, reg_i, bar)
    return mu, _dense(bu, ROW_U, "bu", data.user_ids.size), _dense(bi, ROW_I, "bi", data.item_ids.size)


def _dense(df, key: str, value: str, size: int) -> np.ndarray:
    """A (row, value) Spark frame as a numpy array indexed by row (0 where absent)."""
    frame = df.toPandas()
    out = np.zeros(size, dtype=np.float64)
    out[frame[key].to_numpy()] = frame[value].to_numpy(dtype=np.float64)
    return out


def _factors(df, size: int, rank: int) -> np.ndarray:
    """ALS's (id, features) frame as a (size, rank) float64 matrix by row (zeros where absent)."""
    frame = df.toPandas()
    out = np.zeros((size, rank), dtype=np.float64)
    if len(frame):
        out[frame["id"].to_numpy()] = np.stack(frame["features"].to_numpy()).astype(np.float64)
    return out


def residuals(spark, data: Indexed, mu: float, bu: np.ndarray, bi: np.ndarray):
    """u, i, residual = rating - mu - b_u - b_i of every rating, as a Spark frame."""
    from model.spark_stages import with_residual

    return with_residual(data.ratings, mu, *_bias_frames(spark, bu, bi)).select(ROW_U, ROW_I, RES)


def _bias_frames(spark, bu: np.ndarray, bi: np.ndarray):
    """Spark frames (u, bu) and (i, bi) of bias arrays indexed by row."""
    return (spark.createDataFrame(pd.DataFrame({ROW_U: np.arange(bu.size, dtype=np.int32), "bu": bu})),
            spark.createDataFrame(pd.DataFrame({ROW_I: np.arange(bi.size, dtype=np.int32), "bi": bi})))


def make_als(params: dict[str, Any], seed: int, cold_start: str = "nan"):
    """An unfitted, seeded explicit ALS of the residuals."""
    from pyspark.ml.recommendation import ALS

    return ALS(rank=int(params["rank"]), maxIter=int(params.get("max_iter", MAX_ITER)),
               regParam=float(params["reg_param"]), userCol=ROW_U, itemCol=ROW_I, ratingCol=RES, seed=int(seed),
               nonnegative=False, implicitPrefs=False, coldStartStrategy=cold_start)


def fit(spark, data: Indexed, params: dict[str, Any] | None, seed: int, label: str = "") -> SparkModel:
    """Biases, then ALS on their residuals (params None: biases only)."""
    started = time.perf_counter()
    mu, bu, bi = fit_biases(spark, data)
    if params is None:
        return SparkModel(mu, bu, bi, np.zeros((bu.size, 0)), np.zeros((bi.size, 0)), None, data, {})
    res = residuals(spark, data, mu, bu, bi).cache()
    als = make_als(params, seed).fit(res)
    res.unpersist()
    rank = int(params["rank"])
    model = SparkModel(mu, bu, bi, _factors(als.userFactors, bu.size, rank), _factors(als.itemFactors, bi.size, rank),
                       als, data, dict(params))
    log.info("%sALS %s fitted in %.1f s", f"{label}: " if label else "", params, time.perf_counter() - started)
    return model


def spark_estimates(spark, model: SparkModel, pairs):
    """`pairs` (userId, movieId, ...) with the model's estimates computed in Spark: `baseline` (mu + b_u + b_i)
    and `prediction` (+ the ALS model's transform of the residual model), both clipped to the rating scale.
    Unknown users or items get surprise's fallbacks (their terms are 0), as serving.predictor does."""
    from pyspark.sql import functions as F

    ubias, ibias = _bias_frames(spark, model.user_bias, model.item_bias)
    known = (pairs.join(_broadcast(model.data.users), COL_USER, "left")
             .join(_broadcast(model.data.items), COL_ITEM, "left")
             .join(_broadcast(ubias), ROW_U, "left").join(_broadcast(ibias), ROW_I, "left"))
    both = F.col(ROW_U).isNotNull() & F.col(ROW_I).isNotNull()
    if model.als is not None:
        scored = model.als.transform(known.filter(both)).withColumnRenamed(PRED, "factor")
        rest = known.filter(~both).withColumn("factor", F.lit(0.0).cast("float"))
        known = scored.unionByName(rest)
    else:
        known = known.withColumn("factor", F.lit(0.0))
    base = F.lit(model.global_mean) + F.coalesce(F.col("bu"), F.lit(0.0)) + F.coalesce(F.col("bi"), F.lit(0.0))
    clip = lambda c: F.least(F.greatest(c, F.lit(RATING_MIN)), F.lit(RATING_MAX))  # noqa: E731
    return (known.withColumn("baseline", clip(base))
            .withColumn(PRED, clip(base + F.coalesce(F.col("factor").cast("double"), F.lit(0.0))))
            .drop("bu", "bi", "factor"))


# ---- search and evaluation ------------------------------------------------------------------------------
def search(spark, data: Indexed, seed: int, search_users: int,
           grid: dict[str, list[Any]] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """TrainValidationSplit (trainRatio 0.8, seeded) of Pipeline([Baseline, ALS]) over `grid` on a seeded sample
    of `search_users` training users: the biases are fitted on the training part of each candidate only, and
    the validation RMSE is that of the full estimate (unclipped). The cheapest rank within SEARCH_TOLERANCE of
    the best validation RMSE wins."""
    from pyspark.ml import Pipeline
    from pyspark.ml.evaluation import RegressionEvaluator
    from pyspark.ml.tuning import ParamGridBuilder, TrainValidationSplit

    from model.spark_stages import Baseline

    grid = SEARCH_GRID if grid is None else grid
    keep = chosen_users(data.user_ids, search_users, seed)
    sample = data.ratings.select(COL_USER, ROW_U, ROW_I, COL_RATING)
    if keep.size < data.user_ids.size:
        sample = sample.join(_broadcast(spark.createDataFrame(pd.DataFrame({COL_USER: keep}))), COL_USER)
    sample = sample.drop(COL_USER).cache()
    n_maps = len(grid["rank"]) * len(grid["reg_param"])
    log.info("search: %s users, %s ratings, %d candidates", f"{keep.size:,}", f"{sample.count():,}", n_maps)
    als = make_als({"rank": grid["rank"][0], "reg_param": grid["reg_param"][0]}, seed, cold_start="drop")
    pipeline = Pipeline(stages=[Baseline(**{k: BASELINE[k] for k in ("n_epochs", "reg_u", "reg_i")}), als])
    maps = ParamGridBuilder().addGrid(als.rank, grid["rank"]).addGrid(als.regParam, grid["reg_param"]).build()
    started = time.perf_counter()
    tvs = TrainValidationSplit(estimator=pipeline, estimatorParamMaps=maps, trainRatio=1 - TEST_SIZE, seed=seed,
                               evaluator=RegressionEvaluator(metricName="rmse", labelCol=RES, predictionCol=PRED))
    fitted = tvs.fit(sample)
    seconds = round((time.perf_counter() - started) / n_maps, 2)
    trials = [{"rank": int(m[als.rank]), "reg_param": float(m[als.regParam]), "max_iter": MAX_ITER,
               "val_rmse": float(v), "seconds": seconds} for m, v in zip(maps, fitted.validationMetrics)]
    sample.unpersist()
    best = min(t["val_rmse"] for t in trials)
    chosen = min((t for t in trials if t["val_rmse"] <= best + SEARCH_TOLERANCE),
                 key=lambda t: (t["rank"], t["val_rmse"]))
    return {"rank": chosen["rank"], "reg_param": chosen["reg_param"], "max_iter": MAX_ITER}, trials


def evaluate(spark, model: SparkModel, test, threshold: float, seed: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The held-out table (rows ALS_ROW, BASELINE_ROW, MEAN_ROW; columns METRIC_NAMES): RMSE and MAE over every
    held-out rating in Spark, the other metrics on the held-out ratings of a seeded user sample of about
    SAMPLE_ROWS rows collected to the driver (model.evaluate). Also how many rows that sample holds."""
    from pyspark.sql import functions as F

    scored = spark_estimates(spark, model, test).withColumn("mean", F.lit(model.global_mean)).cache()
    columns = {ALS_ROW: PRED, BASELINE_ROW: "baseline", MEAN_ROW: "mean"}
    aggs = [F.count("*").alias("n")]
    for name, column in columns.items():
        err = F.col(column) - F.col(COL_RATING)
        aggs += [F.sqrt(F.avg(err * err)).alias(f"{name}:rmse"), F.avg(F.abs(err)).alias(f"{name}:mae")]
    totals = scored.agg(*aggs).first().asDict()
    n_test = int(totals["n"])
    share = min(1.0, SAMPLE_ROWS / max(n_test, 1))
    sample = scored
    if share < 1.0:  # whole users, so that the ranking metrics see every held-out title of a sampled user
        bucket = F.pmod(F.xxhash64(F.col(COL_USER), F.lit(seed)), F.lit(1_000_000))
        sample = scored.filter(bucket < int(share * 1_000_000))
    local = sample.select(COL_USER, COL_ITEM, COL_RATING, *columns.values()).toPandas()
    local = local.sort_values([COL_USER, COL_ITEM], kind="stable").reset_index(drop=True)
    scored.unpersist()
    rows = {}
    for name, column in columns.items():
        row = evaluate_predictions(local, local[column].to_numpy(dtype=np.float64), threshold, DEFAULT_K)
        row["rmse"], row["mae"] = float(totals[f"{name}:rmse"]), float(totals[f"{name}:mae"])
        rows[name] = row
    table = pd.DataFrame.from_dict(rows, orient="index")[list(METRIC_NAMES)]
    table.index.name = "model"
    return table, {"test_ratings": n_test, "sample_rows": len(local), "sample_share": share}


def benchmark(spark, ratings, heldout, seed: int, threshold: float, search_users: int, name: str,
              grid: dict[str, list[Any]] | None = None) -> dict[str, Any]:
    """Split on the trainer's held-out pairs, search, fit and evaluate: metrics.json's entry for one data set
    (model.engines.benchmark_result, with the Spark model's rows)."""
    keys = [COL_USER, COL_ITEM]
    train = ratings.join(heldout.select(*keys), keys, "left_anti")
    test = ratings.join(heldout.select(*keys), keys, "inner")
    data = index_ratings(spark, train)
    params, trials = search(spark, data, seed, search_users, grid)
    log.info("%s: chosen %s", name, params)
    model = fit(spark, data, params, seed, name)
    table, sample = evaluate(spark, model, test, threshold, seed)
    n_train = int(data.ratings.count())
    counts = {"ratings": n_train + sample["test_ratings"], "users": int(ratings.select(COL_USER).distinct().count()),
              "items": int(ratings.select(COL_ITEM).distinct().count()), "train_ratings": n_train}
    return benchmark_result(name, counts, sample["test_ratings"], seed, threshold, params, trials, table,
                            engine="spark", baseline=dict(BASELINE), metric_sample=sample)


# ---- the engine ------------------------------------------------------------------------------------------
def heldout_pairs(spark, path: Path, key: dict, frame: Any):
    """The trainer's held-out pairs for `key` as a Spark frame: the file the surprise engine wrote (or an
    earlier Spark run), else the same seeded split (model.dataset.split) of `frame()`'s ratings, written once."""
    from model.dataset import read_heldout, split, write_heldout

    if read_heldout(path, key) is None:
        log.info("no held-out pairs at %s for this split: splitting on the driver", path)
        _, test = split(frame(), key["seed"])
        write_heldout(test, path, key)
    return spark.read.parquet(str(path))


SPARK_DEFAULTS = {"rank": 10, "reg_param": 0.1, "max_iter": 10}  # pyspark.ml ALS's own defaults


class SparkEngine(Engine):
    """model.engines.Engine on Spark: a session from `master` and `conf`, the search over `grid` (SEARCH_GRID
    when None). A RatingsFile is read by Spark, never by this process; a frame is handed to Spark. The fold-in
    regularises a visitor's bias and factors by regParam (reg_bu = reg_factors = regParam in the hyper-parameters
    `search` returns), ALS-WR's per-rating ridge."""

    name = "spark"

    def __init__(self, master: str = "local[*]", conf: tuple[tuple[str, str], ...] = (),
                 grid: dict[str, list[Any]] | None = None, session: Any = None):
        super().__init__()
        self.spark, self.grid, self._owned = session or spark_session(master, conf), grid, session is None
        self.meta = {"engine": "spark", "spark_version": self.spark.version,
                     "master": self.spark.sparkContext.master}

    def close(self) -> None:
        if self._owned:  # a session handed in belongs to the caller
            self.spark.stop()

    def _frame(self, ratings: Any):
        """A Spark frame of userId, movieId, rating: a RatingsFile read by Spark, a pandas frame handed over."""
        from config import RATINGS_FILE

        if isinstance(ratings, pd.DataFrame):
            return self.spark.createDataFrame(ratings[[COL_USER, COL_ITEM, COL_RATING]])
        return read_ratings(self.spark, Path(ratings.folder) / RATINGS_FILE, ratings.sample_users, ratings.seed)

    def benchmark(self, ratings, seed, threshold, search_users, label, space, heldout=None):
        """The benchmark on the held-out pairs in `heldout` (split here the surprise engine's way, and written
        there, when that file is missing or was written for another split). `space`: surprise's; Spark searches
        its grid."""
        from model.dataset import heldout_key, split

        frame = self._frame(ratings).cache()
        if heldout is None:
            _, test = split(self.load(ratings), seed)
            pairs = self.spark.createDataFrame(test[[COL_USER, COL_ITEM]])
        else:
            key = heldout_key(seed, frame.count(), sample_of(ratings))
            pairs = heldout_pairs(self.spark, heldout, key, lambda: self.load(ratings))
        return benchmark(self.spark, frame, pairs, seed, threshold, search_users, label, self.grid)

    def search(self, train, seed, space, search_users=None, label="search"):
        data = index_ratings(self.spark, self._frame(train))
        params, trials = search(self.spark, data, seed, search_users or data.user_ids.size, self.grid)
        return {**params, "reg_bu": params["reg_param"], "reg_factors": params["reg_param"]}, trials

    def _estimates(self, model: SparkModel, test: pd.DataFrame) -> pd.DataFrame:
        pairs = self.spark.createDataFrame(test[[COL_USER, COL_ITEM]])
        frame = spark_estimates(self.spark, model, pairs).toPandas().set_index([COL_USER, COL_ITEM])
        return frame.reindex(pd.MultiIndex.from_frame(test[[COL_USER, COL_ITEM]]))

    def heldout_table(self, trainset, testset, params, seed, threshold, relevant_at):
        from model.evaluate import evaluate_models
        from model.fit import normal_predictions

        test = pd.DataFrame(testset, columns=[COL_USER, COL_ITEM, COL_RATING])
        rows = [(trainset.to_raw_uid(u), trainset.to_raw_iid(i), r) for u, i, r in trainset.all_ratings()]
        data = index_ratings(self.spark, self._frame(pd.DataFrame(rows, columns=[COL_USER, COL_ITEM, COL_RATING])))
        tuned = self._estimates(fit(self.spark, data, params, seed, "tuned"), test)
        default = self._estimates(fit(self.spark, data, SPARK_DEFAULTS, seed, "defaults"), test)
        predictions = {"NormalPredictor": normal_predictions(trainset, len(test), seed),
                       "GlobalMean": np.full(len(test), trainset.global_mean),
                       self.rows.baseline: tuned["baseline"].to_numpy(), self.rows.default: default[PRED].to_numpy(),
                       self.rows.tuned: tuned[PRED].to_numpy()}
        return evaluate_models(test, predictions, threshold=threshold, k=DEFAULT_K, relevant_at=relevant_at)

    def fit(self, ratings, params, seed, label):
        """Biases plus ALS fitted by Spark, as Factors; the (user row, item row) pair of every training rating is
        collected to the driver for the rated-titles table."""
        return factors_of(fit(self.spark, index_ratings(self.spark, self._frame(ratings)), params, seed, label))


def factors_of(model: SparkModel) -> Factors:
    """A Spark model as model.engines.Factors (what model.export.model_arrays exports)."""
    rows = model.data.ratings.select(ROW_U, ROW_I).toPandas()
    return Factors(model.global_mean, model.user_bias, model.item_bias, model.user_factors, model.item_factors,
                   model.data.user_ids, model.data.item_ids, rows[ROW_U].to_numpy().astype(np.int64),
                   rows[ROW_I].to_numpy().astype(np.int64))
