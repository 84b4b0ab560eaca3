"""Offline evaluation metrics for rating predictors, in one place.

Three families, all computed on the same held-out ratings:

- rating error: `rmse`, `mae`;
- the product's decision ("recommend when the predicted rating >= threshold") scored against the truth
  "true rating >= threshold" with scikit-learn: `decision_metrics` (accuracy, precision, recall, F1, ROC AUC
  of the predicted rating as a score);
- ranking quality per user: `precision_at_k`, `recall_at_k`, `ndcg_at_k`. Each eligible user's held-out
  titles are ranked by predicted rating (ties keep the held-out order, which is random), a title is relevant
  when its true rating >= threshold (binary relevance), and only users with at least k held-out ratings
  count (`relevant_at` sets another relevance bar for the ranking metrics, e.g. 4.0). Recall and NDCG are
  undefined for a user without any relevant held-out title, so they average over the eligible users that
  have one; precision averages over all eligible users.

`evaluate_models` puts several models' predictions for one test set side by side in one table.
Rating frames use the config column names (userId, movieId, rating); predictions sit in a `prediction`
column (`rating_pred`), as in Microsoft Recommenders.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics as skm

from config import COL_ITEM, COL_RATING, COL_USER, DEFAULT_THRESHOLD

COL_PREDICTION = "prediction"
DEFAULT_K = 10

# Column order of the comparison table (also the keys of metrics.json per model).
METRIC_NAMES = (
    "rmse", "mae", "accuracy", "precision", "recall", "f1", "roc_auc",
    "precision@k", "recall@k", "ndcg@k", "ranking_users",
)


def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Root mean squared error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Mean absolute error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_true - y_pred)))


def decision_metrics(y_true: np.ndarray, y_pred: np.ndarray,
                     threshold: float = DEFAULT_THRESHOLD) -> dict[str, float]:
    """Accuracy, precision, recall, F1 of "recommend = prediction >= threshold" against "true >= threshold",
    and ROC AUC of the predicted rating as a score (NaN when the truth has a single class)."""
    y_true, y_pred = _pair(y_true, y_pred)
    truth = y_true >= threshold
    decision = y_pred >= threshold
    auc = float(skm.roc_auc_score(truth, y_pred)) if 0 < truth.sum() < truth.size else float("nan")
    precision, recall, f1, _ = skm.precision_recall_fscore_support(truth, decision, average="binary",
                                                                   zero_division=0)
    return {
        "accuracy": float(skm.accuracy_score(truth, decision)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "roc_auc": auc,
    }


def precision_at_k(rating_true: pd.DataFrame, rating_pred: pd.DataFrame, k: int = DEFAULT_K,
                   threshold: float = DEFAULT_THRESHOLD) -> float:
    """Mean over users with >= k held-out ratings of (relevant titles among the top k) / k."""
    return _ranking_metrics(rating_true, rating_pred, k, threshold)["precision@k"]


def recall_at_k(rating_true: pd.DataFrame, rating_pred: pd.DataFrame, k: int = DEFAULT_K,
                threshold: float = DEFAULT_THRESHOLD) -> float:
    """Mean over eligible users with a relevant title of (relevant titles in the top k) / (relevant titles)."""
    return _ranking_metrics(rating_true, rating_pred, k, threshold)["recall@k"]


def ndcg_at_k(rating_true: pd.DataFrame, rating_pred: pd.DataFrame, k: int = DEFAULT_K,
              threshold: float = DEFAULT_THRESHOLD) -> float:
    """Mean over eligible users with a relevant title of DCG@k / ideal DCG@k, binary relevance,
    gain 1 / log2(rank + 1)."""
    return _ranking_metrics(rating_true, rating_pred, k, threshold)["ndcg@k"]


def evaluate_predictions(rating_true: pd.DataFrame, y_pred: np.ndarray,
                         threshold: float = DEFAULT_THRESHOLD, k: int = DEFAULT_K,
                         relevant_at: float | None = None) -> dict[str, float]:
    """All metrics for one model: `y_pred` holds the predicted rating of each row of `rating_true`.

    `relevant_at`: the true rating from which a title counts as relevant in the ranking metrics (default: the
    decision threshold, as before; the Movies table uses 4.0). The decision metrics always use `threshold`.
    """
    y_true = rating_true[COL_RATING].to_numpy(dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    return {
        "rmse": rmse(y_true, y_pred),
        "mae": mae(y_true, y_pred),
        **decision_metrics(y_true, y_pred, threshold),
        **_ranking(rating_true[COL_USER].to_numpy(), y_true, y_pred, k,
                   threshold if relevant_at is None else relevant_at),
    }


def evaluate_models(rating_true: pd.DataFrame, predictions: Mapping[str, np.ndarray],
                    threshold: float = DEFAULT_THRESHOLD, k: int = DEFAULT_K,
                    relevant_at: float | None = None) -> pd.DataFrame:
    """The comparison table: one row per model (index = model name), columns METRIC_NAMES."""
    rows = {name: evaluate_predictions(rating_true, y_pred, threshold, k, relevant_at)
            for name, y_pred in predictions.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")[list(METRIC_NAMES)]
    table.index.name = "model"
    return table


def table_markdown(table: pd.DataFrame, k: int = DEFAULT_K) -> str:
    """The comparison table as a GitHub/Hugging Face markdown table (4 decimals)."""
    headers = ["model"] + [c.replace("@k", f"@{k}") for c in table.columns]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for name, row in table.iterrows():
        cells = [f"{int(v)}" if c == "ranking_users" else f"{v:.4f}" for c, v in row.items()]
        lines.append("| " + " | ".join([str(name)] + cells) + " |")
    return "\n".join(lines)


def _pair(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"need two non-empty arrays of the same shape, got {y_true.shape} and {y_pred.shape}")
    return y_true, y_pred


def _ranking_metrics(rating_true: pd.DataFrame, rating_pred: pd.DataFrame, k: int,
                     threshold: float) -> dict[str, float]:
    """Joins predictions to the truth on (user, title), then `_ranking`."""
    df = rating_true[[COL_USER, COL_ITEM, COL_RATING]].merge(
        rating_pred[[COL_USER, COL_ITEM, COL_PREDICTION]], on=[COL_USER, COL_ITEM], how="inner", sort=False)
    return _ranking(df[COL_USER].to_numpy(), df[COL_RATING].to_numpy(dtype=np.float64),
                    df[COL_PREDICTION].to_numpy(dtype=np.float64), k, threshold)


def _ranking(users: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, k: int,
             threshold: float) -> dict[str, float]:
    """precision@k, recall@k, ndcg@k and the number of users they cover, vectorized over all users."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    # Rank each user's titles by prediction, best first; lexsort is stable so ties keep the row order.
    order = np.lexsort((-np.asarray(y_pred, dtype=np.float64), users))
    users = np.asarray(users)[order]
    relevant = np.asarray(y_true, dtype=np.float64)[order] >= threshold
    if users.size == 0:
        return {"precision@k": float("nan"), "recall@k": float("nan"), "ndcg@k": float("nan"), "ranking_users": 0}
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    counts = np.diff(np.r_[starts, users.size])
    rank = np.arange(users.size) - np.repeat(starts, counts)  # 0-based rank within the user

    eligible = counts >= k
    n_users = int(eligible.sum())
    if n_users == 0:
        return {"precision@k": float("nan"), "recall@k": float("nan"), "ndcg@k": float("nan"), "ranking_users": 0}
    in_top = rank < k
    hits = np.add.reduceat((relevant & in_top).astype(np.float64), starts)
    n_relevant = np.add.reduceat(relevant.astype(np.float64), starts)
    dcg = np.add.reduceat(np.where(relevant & in_top, 1.0 / np.log2(rank + 2.0), 0.0), starts)
    discounts = np.cumsum(1.0 / np.log2(np.arange(k) + 2.0))
    ideal = np.where(n_relevant > 0, discounts[np.minimum(n_relevant, k).astype(int) - 1], np.nan)

    has_relevant = eligible & (n_relevant > 0)
    return {
        "precision@k": float(np.mean(hits[eligible] / k)),
        "recall@k": (float(np.mean(hits[has_relevant] / n_relevant[has_relevant])) if has_relevant.any()
                     else float("nan")),
        "ndcg@k": float(np.mean(dcg[has_relevant] / ideal[has_relevant])) if has_relevant.any() else float("nan"),
        "ranking_users": n_users,
    }


def ranking_metrics(users: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, k: int = DEFAULT_K,
                    relevant_at: float = DEFAULT_THRESHOLD) -> dict[str, float]:
    """precision@k, recall@k, ndcg@k and ranking_users from arrays (one row per held-out rating): each user's
    rows ranked by `y_pred`, relevant when `y_true` >= `relevant_at`, users with at least k rows."""
    return _ranking(np.asarray(users), np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64),
                    k, relevant_at)


def finite(value: Any) -> Any:
    """NaN -> None (recursively through dicts) so that metrics are strict JSON (and YAML) everywhere."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
