"""The Spark engine's baseline as a pyspark.ml pipeline stage, so that the search tunes ALS without a leak.

`Baseline` is an Estimator: fitted on a ratings frame (u, i, rating) it computes surprise's BaselineOnly
biases by Spark aggregates (`bias_frames`) and returns a `BaselineModel`, whose transform adds the residual
rating - mu - b_u - b_i (an unknown user's or item's bias is 0, surprise's fallback). In
Pipeline([Baseline, ALS]) a TrainValidationSplit fits the biases on its training part only and scores ALS's
predicted residual against the validation part's residual, which is the full estimate's error.

This module imports pyspark at the top: model.spark_engine imports it only when the Spark engine runs.
"""
from __future__ import annotations

from pyspark.ml import Estimator, Model
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from config import COL_RATING

ROW_U, ROW_I, RES = "u", "i", "residual"


def bias_frames(ratings: DataFrame, n_epochs: int, reg_u: float, reg_i: float,
                progress=None) -> tuple[float, DataFrame, DataFrame]:
    """(mu, b_u frame (u, bu), b_i frame (i, bi)) by surprise's BaselineOnly ALS: `n_epochs` of
    b_i = sum(r - mu - b_u) / (reg_i + n_i), then b_u = sum(r - mu - b_i) / (reg_u + n_u). Each half-step is one
    aggregate. The small bias frames are brought to the driver after each half-step (`settled`), so that the
    plan does not grow with the epochs and a lost executor loses nothing that cannot be recomputed (a local
    checkpoint would live on the executors)."""
    mu = float(ratings.agg(F.avg(COL_RATING)).first()[0])
    bu = None
    for _ in range(n_epochs):
        with_bu = ratings.withColumn("bu", F.lit(0.0)) if bu is None else ratings.join(F.broadcast(bu), ROW_U)
        bi = (with_bu.groupBy(ROW_I)
              .agg(F.sum(F.col(COL_RATING) - mu - F.col("bu")).alias("s"), F.count("*").alias("n"))
              .select(ROW_I, (F.col("s") / (reg_i + F.col("n"))).alias("bi")))
        bi = settled(bi)
        bu = (ratings.join(F.broadcast(bi), ROW_I).groupBy(ROW_U)
              .agg(F.sum(F.col(COL_RATING) - mu - F.col("bi")).alias("s"), F.count("*").alias("n"))
              .select(ROW_U, (F.col("s") / (reg_u + F.col("n"))).alias("bu")))
        bu = settled(bu)
        if progress is not None:
            progress.update(1)
    return mu, bu, bi


def settled(frame: DataFrame) -> DataFrame:
    """A small frame computed now and held by the driver (a local relation in the plans that use it)."""
    return frame.sparkSession.createDataFrame(frame.toPandas(), schema=frame.schema)


def with_residual(ratings: DataFrame, mu: float, bu: DataFrame, bi: DataFrame) -> DataFrame:
    """`ratings` plus the residual rating - mu - b_u - b_i (0 for an unknown user's or item's bias)."""
    joined = ratings.join(F.broadcast(bu), ROW_U, "left").join(F.broadcast(bi), ROW_I, "left")
    residual = (F.col(COL_RATING) - mu - F.coalesce(F.col("bu"), F.lit(0.0))
                - F.coalesce(F.col("bi"), F.lit(0.0)))
    return joined.withColumn(RES, residual).drop("bu", "bi")


class BaselineModel(Model):
    """Fitted biases; transform adds the residual column."""

    def __init__(self, mu: float = 0.0, bu: DataFrame | None = None, bi: DataFrame | None = None):
        super().__init__()
        self.mu, self.bu, self.bi = mu, bu, bi

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return with_residual(dataset, self.mu, self.bu, self.bi)


class Baseline(Estimator):
    """surprise's BaselineOnly (ALS) biases as a pipeline stage."""

    def __init__(self, n_epochs: int = 10, reg_u: float = 15.0, reg_i: float = 10.0):
        super().__init__()
        self.n_epochs, self.reg_u, self.reg_i = n_epochs, reg_u, reg_i

    def _fit(self, dataset: DataFrame) -> BaselineModel:
        return BaselineModel(*bias_frames(dataset, self.n_epochs, self.reg_u, self.reg_i))
