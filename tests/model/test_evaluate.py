"""model.evaluate against values computed by hand on a tiny fixture."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from config import COL_ITEM, COL_RATING, COL_USER
from model.evaluate import (
    COL_PREDICTION,
    METRIC_NAMES,
    decision_metrics,
    evaluate_models,
    mae,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    rmse,
    table_markdown,
    top_k_metrics,
)

# u1 rates 3 titles, u2 two, u3 one (too few for k=2).
TRUE = pd.DataFrame({COL_USER: [1, 1, 1, 2, 2, 3], COL_ITEM: ["i1", "i2", "i3", "i1", "i4", "i5"],
                     COL_RATING: [5.0, 3.0, 4.0, 2.0, 4.5, 1.0]})
PRED_VALUES = np.array([4.0, 4.5, 3.0, 3.0, 2.0, 4.0])
PRED = TRUE[[COL_USER, COL_ITEM]].assign(**{COL_PREDICTION: PRED_VALUES})


def test_rating_errors_by_hand():
    # errors 1, -1.5, 1, -1, 2.5, -3: squares sum to 20.5, absolute values to 10
    assert rmse(TRUE[COL_RATING], PRED_VALUES) == pytest.approx(math.sqrt(20.5 / 6))
    assert mae(TRUE[COL_RATING], PRED_VALUES) == pytest.approx(10 / 6)


def test_decision_metrics_by_hand():
    # truth >= 3.5: T F T F T F; decision: T T F F F T -> TP 1, FP 2, FN 2, TN 1
    m = decision_metrics(TRUE[COL_RATING], PRED_VALUES, threshold=3.5)
    assert m["accuracy"] == pytest.approx(2 / 6)
    assert m["precision"] == pytest.approx(1 / 3)
    assert m["recall"] == pytest.approx(1 / 3)
    assert m["f1"] == pytest.approx(1 / 3)
    # positive scores 4, 3, 2 against negative 4.5, 3, 4: 1.5 + 0.5 + 0 wins (ties count half) of 9 pairs
    assert m["roc_auc"] == pytest.approx(2 / 9)


def test_decision_threshold_is_inclusive_and_configurable():
    assert decision_metrics([3.5, 1.0], [3.5, 1.0])["accuracy"] == 1.0
    m = decision_metrics(TRUE[COL_RATING], PRED_VALUES, threshold=4.5)  # truth: 5.0, 4.5; decision: 4.5 only
    assert m["precision"] == 0.0 and m["recall"] == 0.0


def test_single_class_truth_gives_nan_auc_not_an_error():
    assert math.isnan(decision_metrics([4.0, 5.0], [3.0, 4.0])["roc_auc"])


def test_ranking_metrics_by_hand():
    # u1 ranked i2 (irrelevant), i1 (relevant), i3 (relevant): 1 hit in top 2 of 2 relevant
    # u2 ranked i1 (irrelevant), i4 (relevant): 1 hit of 1 relevant; u3 has < 2 held-out ratings: left out
    log3 = math.log2(3)
    assert precision_at_k(TRUE, PRED, k=2) == pytest.approx(0.5)
    assert recall_at_k(TRUE, PRED, k=2) == pytest.approx((0.5 + 1.0) / 2)
    ndcg_u1 = (1 / log3) / (1 + 1 / log3)
    ndcg_u2 = (1 / log3) / 1
    assert ndcg_at_k(TRUE, PRED, k=2) == pytest.approx((ndcg_u1 + ndcg_u2) / 2)


def test_ranking_only_counts_users_with_k_ratings():
    assert math.isnan(precision_at_k(TRUE, PRED, k=10))  # nobody has 10 held-out ratings
    assert precision_at_k(TRUE, PRED, k=3) == pytest.approx(2 / 3)  # only u1: 2 relevant of 3


def test_ties_keep_the_row_order():
    flat = PRED.assign(**{COL_PREDICTION: 3.0})
    # u1 keeps i1 (relevant), i2 (irrelevant); u2 keeps i1 (irrelevant), i4 (relevant)
    assert precision_at_k(TRUE, flat, k=1) == pytest.approx(1 / 3)  # u3 is eligible at k=1 and scores 0
    assert precision_at_k(TRUE.iloc[:5], flat.iloc[:5], k=1) == pytest.approx(0.5)


def test_perfect_predictions_score_perfectly():
    perfect = TRUE[[COL_USER, COL_ITEM]].assign(**{COL_PREDICTION: TRUE[COL_RATING]})
    assert ndcg_at_k(TRUE, perfect, k=2) == pytest.approx(1.0)
    assert recall_at_k(TRUE, perfect, k=2) == pytest.approx((1.0 + 1.0) / 2)


def test_evaluate_models_table():
    table = evaluate_models(TRUE, {"a": PRED_VALUES, "mean": np.full(6, 3.25)}, threshold=3.5, k=2)
    assert list(table.index) == ["a", "mean"] and tuple(table.columns) == METRIC_NAMES
    assert table.loc["a", "rmse"] == pytest.approx(math.sqrt(20.5 / 6))
    assert table.loc["a", "precision@k"] == pytest.approx(0.5)
    assert table.loc["a", "ranking_users"] == 2
    assert table.loc["mean", "recall"] == 0.0
    text = table_markdown(table, k=2)
    assert "precision@2" in text and text.count("\n") == 3


def test_mismatched_inputs_are_rejected():
    with pytest.raises(ValueError):
        rmse([1.0, 2.0], [1.0])
    with pytest.raises(ValueError):
        precision_at_k(TRUE, PRED, k=0)


def test_top_k_metrics_by_hand():
    # k = 3; 8 training users; item 4 nobody rated in training (counts as rated once in novelty).
    item_users = np.array([8, 4, 2, 1, 0, 4, 1, 1])
    lists = np.array([[1, 0, 3],     # hidden 3 and 5: one hit at rank 3
                      [2, 4, -1],    # hidden 2: a hit at rank 1; one slot empty
                      [6, 7, -1],    # no hidden items: counted nowhere (not even in coverage)
                      [0, 1, 5]])    # hidden only an item outside training: no hit possible
    hidden = [np.array([3, 5]), np.array([2]), np.array([], dtype=int), np.array([-2])]
    got = top_k_metrics(lists, hidden, item_users, n_train_users=8, k=3)
    ndcg_a = (1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert got["users"] == 3
    assert got["precision@k"] == pytest.approx((1 / 3 + 1 / 3 + 0) / 3)
    assert got["recall@k"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert got["ndcg@k"] == pytest.approx((ndcg_a + 1 + 0) / 3)
    assert got["map@k"] == pytest.approx(((1 / 3) / 2 + 1 + 0) / 3)
    assert got["hit_rate@k"] == pytest.approx(2 / 3)
    assert got["coverage"] == pytest.approx(6 / 8)
    # self-information log2(8 / users): items 1,0,3 | 2,4 | 0,1,5 -> 1+0+3 | 2+3 | 0+1+1 over 8 slots
    assert got["novelty"] == pytest.approx(11 / 8)


def test_top_k_metrics_reject_bad_shapes_and_no_users():
    with pytest.raises(ValueError, match="lists must be"):
        top_k_metrics(np.zeros((2, 3), dtype=int), [np.array([1])], np.ones(4), 4, k=3)
    with pytest.raises(ValueError, match="no user"):
        top_k_metrics(np.zeros((1, 3), dtype=int), [np.array([], dtype=int)], np.ones(4), 4, k=3)
