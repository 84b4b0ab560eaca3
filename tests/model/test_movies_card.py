"""The Movies model card's ranking section: the full-catalog table of `python -m model.rank_eval`, where SVD ranks."""
from __future__ import annotations

import json

from model.movies.card import ranking_lines, read_rank_eval


def rank_eval_result() -> dict:
    rows = {"random": {"ndcg@10": 0.004}, "popularity": {"ndcg@10": 0.20}, "SVD (predicted rating)": {"ndcg@10": 0.016},
            "EASE top-200 (as served)": {"ndcg@10": 0.37}}
    return {"data": "ratings_small", "ratings": 100_004, "users": 671, "seed": 0, "ease": {"lambda": 500.0},
            "rows": rows, "markdown": "| model | ndcg@10 |"}


def test_the_card_quotes_the_table_and_says_where_svd_ranks(tmp_path):
    (tmp_path / "rank_eval.json").write_text(json.dumps({"results": [rank_eval_result()]}), encoding="utf-8")
    text = "\n".join(ranking_lines(read_rank_eval(tmp_path)))
    assert "**ratings_small** (100,004 ratings, 671 users, seed 0, EASE lambda 500.0)" in text
    assert "SVD by predicted rating ranks 3 of 4 on nDCG@10" in text and "| model | ndcg@10 |" in text


def test_without_the_evaluation_the_card_says_how_to_run_it(tmp_path):
    (tmp_path / "rank_eval.json").write_text("not json", encoding="utf-8")
    for reports in (tmp_path, tmp_path / "nowhere"):
        text = "\n".join(ranking_lines(read_rank_eval(reports)))
        assert "python -m model.rank_eval" in text and "|" not in text
