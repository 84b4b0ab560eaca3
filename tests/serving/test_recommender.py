"""serving.recommender, the one core both catalogs serve with: top-k order and ties, estimates and fallbacks, fold-in
and its per-item terms, neighbour rows (CSR and fixed-width alike), "because" shares, and shape checks."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from serving.artifacts import ArtifactError, Artifacts
from serving.recommender import Neighbours, Recommender, because_shares, top_k

N_USERS, N_ITEMS, K = 4, 12, 3


def core_arrays(item_ids: np.ndarray | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    rated = [np.array([0, 3, 5]), np.array([1, 2]), np.array([4, 6, 7, 8]), np.array([9])]
    return {
        "global_mean": np.array(3.0), "user_ids": np.array([3, 5, 8, 13], dtype=np.int64),
        "item_ids": np.arange(N_ITEMS, dtype=np.int64) * 7 + 1 if item_ids is None else item_ids,
        "user_bias": rng.normal(0, 0.3, N_USERS), "item_bias": rng.normal(0, 0.3, N_ITEMS),
        "user_factors": rng.normal(0, 0.8, (N_USERS, K)), "item_factors": rng.normal(0, 0.8, (N_ITEMS, K)),
        "rated_indptr": np.r_[0, np.cumsum([r.size for r in rated])].astype(np.int64),
        "rated_items": np.concatenate(rated).astype(np.int32),
    }


def core(arrays: dict[str, np.ndarray] | None = None, **manifest) -> Recommender:
    meta = {"hyperparameters": {"reg_bu": 0.05, "reg_factors": 0.1}, "threshold": 3.5, **manifest}
    return Recommender(Artifacts(Path("<memory>"), meta, core_arrays() if arrays is None else arrays))


# ---- top-k ---------------------------------------------------------------------------------------------------
def test_top_k_orders_by_score_and_breaks_ties_by_ascending_id():
    ids = np.array([50, 10, 40, 20, 30])
    scores = np.array([1.0, 2.0, 2.0, 0.5, 2.0])
    keep = np.ones(5, dtype=bool)
    assert ids[top_k(keep, scores, ids, 5)].tolist() == [10, 30, 40, 50, 20]
    # A cut through a tie keeps the lowest ids of the tied ones, whichever way the partition went.
    assert ids[top_k(keep, scores, ids, 2)].tolist() == [10, 30]
    assert ids[top_k(keep, scores, ids, 3)].tolist() == [10, 30, 40]


def test_top_k_respects_keep_and_gives_fewer_when_fewer_are_kept():
    ids = np.array(["ns1", "ns2", "ns3", "ns4"])  # string ids sort the same way
    scores = np.array([4.0, 4.0, 1.0, 3.0])
    keep = np.array([False, True, True, True])
    assert ids[top_k(keep, scores, ids, 10)].tolist() == ["ns2", "ns4", "ns3"]
    assert top_k(np.zeros(4, dtype=bool), scores, ids, 3).size == 0


# ---- estimates -------------------------------------------------------------------------------------------------
def test_prediction_is_surprises_formula_with_its_fallbacks():
    rec, a = core(), core_arrays()
    p = rec.prediction(5, int(a["item_ids"][2]))
    expected = 3.0 + a["user_bias"][1] + a["item_bias"][2] + a["item_factors"][2] @ a["user_factors"][1]
    assert p.rating == pytest.approx(min(5.0, max(0.5, expected))) and p.recommend == (p.rating >= 3.5)
    assert p.explanation.user_n_ratings == 2 and p.explanation.fallback is None
    assert rec.prediction(4, int(a["item_ids"][2])).explanation.fallback == "unknown user"
    assert rec.prediction(5, 2).explanation.fallback == "unknown title"
    assert rec.prediction(4, 2).rating == pytest.approx(3.0)
    scores = rec.user_scores(rec.user_row(5))
    assert scores[2] == pytest.approx(p.rating) and rec.user_scores(None)[0] == pytest.approx(3.0 + a["item_bias"][0])


def test_user_and_item_rows_for_known_and_unknown_ids():
    rec = core()
    assert rec.user_row(8) == 2 and rec.user_row(9) is None and rec.user_row(100) is None
    assert rec.item_row(8) == 1 and rec.item_row(9) is None
    assert rec.rated_rows(2).tolist() == [4, 6, 7, 8] and rec.n_rated_of(None) == 0


# ---- fold-in -----------------------------------------------------------------------------------------------------
def test_fold_in_recovers_a_noise_free_user_and_its_terms_sum_exactly():
    rec = core(hyperparameters={"reg_bu": 1e-9, "reg_factors": 1e-9})
    true_bias, true_p = -0.3, np.array([0.4, -0.2, 0.5])
    rows = np.arange(0, N_ITEMS, 2)
    values = rec.global_mean + true_bias + rec.item_bias[rows] + rec.item_factors[rows] @ true_p
    bias, p = rec.fold_in(rows, values)
    assert bias == pytest.approx(true_bias, abs=1e-5) and np.allclose(p, true_p, atol=1e-5)

    regular = core()
    bias, p = regular.fold_in(rows, values)
    targets = np.arange(N_ITEMS)
    terms = regular.fold_in_terms(rows, values, targets)
    np.testing.assert_allclose(terms.sum(axis=1), bias + regular.item_factors @ p, rtol=0, atol=1e-12)
    np.testing.assert_allclose(regular.visitor_predictions(rows, values),
                               np.clip(3.0 + regular.item_bias + terms.sum(axis=1), 0.5, 5.0), atol=1e-12)
    assert regular.visitor_predictions(rows, values, np.array([3, 1])).shape == (2,)


# ---- neighbours and "because" -------------------------------------------------------------------------------------
WIDE_ITEMS = np.array([[1, 2, 3], [0, 2, 3], [3, 0, 1], [2, 1, 0]], dtype=np.int32)
WIDE_WEIGHTS = np.array([[0.5, 0.3, -0.1], [0.4, 0.2, 0.1], [0.6, 0.2, 0.1], [0.3, -0.2, 0.1]], dtype=np.float32)


def test_csr_and_fixed_width_rows_serve_the_same_lists():
    wide = Neighbours(WIDE_ITEMS, WIDE_WEIGHTS)
    csr = Neighbours(WIDE_ITEMS.ravel(), WIDE_WEIGHTS.ravel(), np.arange(0, 13, 3, dtype=np.int64))
    rows, values = np.array([0, 3]), np.array([1.0, 2.0])
    for nb in (wide, csr):
        assert nb.n_rows == 4 and nb.row(2)[0].tolist() == [3, 0, 1]
        scores = nb.scores(rows, values, 4)
        # item 0: 2 x 0.1 (row 3); item 1: 0.5 + 2 x -0.2; item 2: 0.3 + 2 x 0.3; item 3: -0.1
        np.testing.assert_allclose(scores, [0.2, 0.1, 0.9, -0.1], atol=1e-6)
        terms = nb.terms(rows, values, np.arange(4))
        np.testing.assert_allclose(terms.sum(axis=1), scores, atol=1e-6)
        np.testing.assert_allclose(terms[2], [0.3, 0.6], atol=1e-6)
    assert wide.scores(np.array([], dtype=np.int64), np.array([]), 4).tolist() == [0.0] * 4


def test_because_shares_are_the_positive_terms_largest_first_and_add_up_to_one():
    terms = np.array([[0.2, -0.5, 0.6, 0.2], [-0.1, -0.2, 0.0, 0.0], [0.1, 0.3, 0.2, 0.4]])
    first, none, capped = because_shares(terms, 3)
    assert [j for j, _ in first] == [2, 0, 3]  # ties keep the rated order
    assert sum(share for _, share in first) == pytest.approx(1.0)
    assert first[0][1] == pytest.approx(0.6 / 1.0)
    assert none == []
    assert [j for j, _ in capped] == [3, 1, 2] and capped[0][1] == pytest.approx(0.4)


def test_a_list_is_the_ratings_times_the_ranker_rows():
    a = core_arrays()
    a.update(ease_indptr=np.arange(0, 3 * N_ITEMS + 1, 3, dtype=np.int64),
             ease_items=np.array([(r + d) % N_ITEMS for r in range(N_ITEMS) for d in (1, 2, 3)], dtype=np.int32),
             ease_weights=np.tile(np.array([0.3, 0.2, 0.1], dtype=np.float32), N_ITEMS))
    rec = core(a)
    scores = rec.list_scores(np.array([0, 1]), np.ones(2))
    assert scores[2] == pytest.approx(0.2 + 0.3) and scores[4] == pytest.approx(0.1) and scores[0] == 0
    keep = np.ones(N_ITEMS, dtype=bool)
    keep[[0, 1]] = False
    assert rec.top(keep, scores, 3).tolist() == [2, 3, 4]
    with pytest.raises(ArtifactError, match="no list ranker"):
        core().list_scores(np.array([0]), np.ones(1))


# ---- shape checks ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, bad, words", [
    ("user_bias", np.zeros(3), "user_bias.npy: shape (3,), expected (4,)"),
    ("item_factors", np.zeros((N_ITEMS, K + 1)), "item_factors.npy: shape"),
    ("rated_indptr", np.zeros(2, dtype=np.int64), "rated_indptr.npy"),
    ("ease_indptr", np.zeros(4, dtype=np.int64), "ease_indptr.npy: 3 rows, expected one per item"),
])
def test_a_misshapen_array_is_named(name, bad, words):
    a = core_arrays()
    if name == "ease_indptr":
        a.update(ease_items=np.zeros(0, dtype=np.int32), ease_weights=np.zeros(0, dtype=np.float32))
    a[name] = bad
    with pytest.raises(ArtifactError, match=words.replace("(", r"\(").replace(")", r"\)")):
        core(a)


def test_a_missing_array_is_named():
    a = core_arrays()
    del a["rated_items"]
    with pytest.raises(ArtifactError, match="rated_items"):
        core(a)
