"""bench.spark --ranking on local[2] over the small cut of the real streaming data: the four rows of the
full-catalog table, written to ranking.json. Slow (starts Spark); pyspark and Java are required under CI=true."""
from __future__ import annotations

import json
import sys

from bench import spark as bench_spark
from model import spark_engine
from tests.harness.extras import require_check


def test_ranking_table_on_the_small_cut(small_processed, tmp_path, monkeypatch, capsys):
    require_check(spark_engine.check_runtime)
    monkeypatch.setattr(sys, "argv", ["bench.spark", "--ranking", "--users", "60", "--processed-dir",
                                      str(small_processed), "--work", str(tmp_path), "--master", "local[2]"])
    assert bench_spark.main() == 0
    result = json.loads((tmp_path / "ranking.json").read_text())
    assert result["users"] == 60 and result["train_ratings"] + result["test_ratings"] == result["ratings"]
    labels = list(result["rows"])
    assert labels[:2] == ["random", "popularity"]
    assert [label.split(" (")[0] for label in labels[2:]] == ["Spark ALS explicit", "Spark ALS implicit"]
    for row in result["rows"].values():
        assert 0 < row["users"] <= 60  # users with hidden titles only
        assert all(0.0 <= row[m] <= 1.0 for m in ("ndcg@k", "precision@k", "recall@k", "map@k", "hit_rate@k",
                                                  "coverage"))
    out = capsys.readouterr().out
    assert result["markdown"] in out and "dealt to titles at random" in out
