"""model.rankers on tiny matrices: the split's shares, EASE's Woodbury form against the textbook formula, and
the truncated neighbours scoring a visitor like the full matrix when nothing is cut."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from config import COL_ITEM, COL_RATING, COL_USER
from model import rank_eval
from model.rankers import Interactions, ease_neighbours, fit_ease, neighbour_scores, stratified_split, top_k


def test_stratified_split_holds_out_a_quarter_of_each_user_and_is_seeded():
    sizes = {1: 20, 2: 8, 3: 3}  # user 3 has too few ratings: training only
    df = pd.DataFrame([(u, i, 4.0) for u, n in sizes.items() for i in range(n)],
                      columns=[COL_USER, COL_ITEM, COL_RATING])
    train, test = stratified_split(df, seed=0)
    assert test.groupby(COL_USER).size().to_dict() == {1: 5, 2: 2}
    assert len(train) + len(test) == len(df)
    again, _ = stratified_split(df, seed=0)
    pd.testing.assert_frame_equal(train, again)


def test_ease_woodbury_matches_the_closed_form():
    x = (np.random.default_rng(1).random((5, 9)) < 0.4).astype(np.float32)
    lam = 3.0
    p = np.linalg.inv(x.T @ x + lam * np.eye(9))
    b = np.eye(9) - p / np.diag(p)[None, :]
    model = fit_ease(x, lam)
    np.testing.assert_allclose(model.b_rows(np.arange(9)), b, atol=1e-10)
    np.testing.assert_allclose(model.scores(x), x @ b, atol=1e-10)
    assert np.allclose(np.diag(model.b_rows(np.arange(9))), 0.0)


def test_untruncated_neighbours_score_a_visitor_like_the_full_matrix():
    x = (np.random.default_rng(2).random((6, 8)) < 0.5).astype(np.float32)
    model = fit_ease(x, 2.0)
    full = ease_neighbours(model, top=7)  # every other item: nothing cut
    items = np.flatnonzero(x[0])
    scores = neighbour_scores(full, items, np.ones(items.size), 8)
    np.testing.assert_allclose(scores, model.scores(x[:1])[0], atol=1e-5)
    cut = ease_neighbours(model, top=2)
    assert np.all(np.diff(cut["ease_indptr"]) <= 2)


def test_top_k_leaves_out_rated_items_and_breaks_ties_by_position():
    scores = np.array([[5.0, 9.0, 5.0, 1.0, 5.0]])
    rated = np.array([[False, True, False, False, False]])
    np.testing.assert_array_equal(top_k(scores, rated, 3), [[0, 2, 4]])
    np.testing.assert_array_equal(top_k(scores, rated, 3, candidates=np.array([1, 1, 0, 0, 1], bool)),
                                  [[0, 4, -1]])


def test_interactions_map_hidden_items_outside_training_to_no_position():
    train = pd.DataFrame({COL_USER: [1, 1, 2], COL_ITEM: [10, 20, 20], COL_RATING: [4.0, 3.0, 5.0]})
    test = pd.DataFrame({COL_USER: [1, 2, 2], COL_ITEM: [30, 10, 40], COL_RATING: [4.0, 4.0, 2.0]})
    inter = Interactions.of(train)
    assert [h.tolist() for h in inter.hidden(test)] == [[-2], [0, -2]]
    np.testing.assert_array_equal(inter.item_users, [1, 2])


@pytest.mark.parametrize("argv, says", [
    (["--data", "netflix"], "invalid choice"),
    (["--seed", "-1"], "expected a whole number"),
])
def test_rank_eval_refuses_bad_options_in_one_line(capsys, argv, says):
    with pytest.raises(SystemExit) as exit_info:
        rank_eval.main(argv)
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and says in err and "\n" not in err


def test_rank_eval_says_which_model_is_missing(capsys, tmp_path):
    assert rank_eval.main(["--movies-artifacts", str(tmp_path), "--json", str(tmp_path / "r.json"), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert "manifest.json: missing" in err and "\n" not in err and not (tmp_path / "r.json").exists()
