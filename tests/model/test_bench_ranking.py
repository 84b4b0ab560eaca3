"""The pure parts of bench.spark's full-catalog ranking table (no JVM): the user sample, the lists computed a
chunk of users at a time, ALS factors placed by id, and a bad --users answered in one line."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from bench import spark as bench_spark
from config import COL_ITEM, COL_RATING, COL_USER
from model.rankers import top_k


def test_user_sample_keeps_whole_users_seeded():
    ratings = pd.DataFrame({COL_USER: np.repeat(np.arange(1, 21), 3), COL_ITEM: [f"t{i}" for i in range(60)],
                            COL_RATING: 4.0})
    sample = bench_spark.user_sample(ratings, 5, seed=3)
    assert sample[COL_USER].nunique() == 5
    assert (sample.groupby(COL_USER).size() == 3).all()  # every rating of a chosen user
    pd.testing.assert_frame_equal(sample, bench_spark.user_sample(ratings, 5, seed=3))
    assert len(bench_spark.user_sample(ratings, 100, seed=3)) == len(ratings)


@pytest.mark.parametrize("chunk", [1, 3, 7, 50])
def test_chunked_lists_equal_the_lists_of_all_users_at_once(chunk):
    rng = np.random.default_rng(0)
    scores = rng.random((7, 30))
    rated = rng.random((7, 30)) < 0.3
    lists = bench_spark.chunked_lists(lambda rows: scores[rows], rated, 5, chunk)
    np.testing.assert_array_equal(lists, top_k(scores, rated, 5))
    assert not any(rated[u, lists[u]].any() for u in range(7))  # training items never listed


def test_dense_factors_by_id_with_zeros_for_missing_ids():
    out = bench_spark.dense_factors(np.array([2, 0]), [[1.0, 2.0], [3.0, 4.0]], size=4, rank=2)
    np.testing.assert_array_equal(out, [[3.0, 4.0], [0.0, 0.0], [1.0, 2.0], [0.0, 0.0]])


@pytest.mark.parametrize("users", ["0", "-3", "many"])
def test_bad_users_exits_2_in_one_line(users, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["bench.spark", "--ranking", "--users", users])
    with pytest.raises(SystemExit) as exit_info:
        bench_spark.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "--users" in err[-1]
