"""The trainer's parts on a tiny synthetic ratings frame (a few hundred ratings, seconds in all).

model.dataset (seeded sample and split, the Trainset), the surprise engine (model.engines: search, benchmark,
fit), model.fit, model.export with the StreamingModel loading what it writes, and the `python -m model.train`
entry point (model.train.main) on a tiny processed folder: artifacts in <out>/<name>/, one-line errors with exit
status 2, nothing on stdout but the results.
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math

import numpy as np
import pandas as pd
import pytest
from surprise import SVD

from catalog import STREAMING
from catalog.streaming.model import REQUIRED_ARRAYS, StreamingModel
from config import COL_ID, COL_ITEM, COL_RATING, COL_USER, RATING_MAX, RATING_MIN, RATINGS_FILE, TITLES_FILE
from model.dataset import build_trainset, sample_users_of, split
from model.engines import SurpriseEngine
from model.evaluate import METRIC_NAMES
from model.export import model_arrays
from model.fit import evaluate_split, fit_model, heldout_predictions, make_svd
from model.search import DEFAULT_PARAMS
from model.streaming.recipe import SEARCH_SPACE
from model.train import TrainOptions, main, parse_args
from serving.artifacts import load_artifacts, save_artifacts
from tests.conftest import rated_titles

N_USERS, N_TITLES, PER_USER = 40, 30, 15
SMALL_PARAMS = {"n_factors": 3, "n_epochs": 5, "lr_all": 0.005, "reg_bu": 0.02, "reg_bi": 0.02, "reg_factors": 0.02}


@pytest.fixture(autouse=True)
def _logging_as_before():
    """main() sets the `model` logger's level; put it back so other tests stay quiet."""
    logger = logging.getLogger("model")
    level = logger.level
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def ratings() -> pd.DataFrame:
    """600 ratings: 40 users x 15 of 30 titles, user and title effects plus noise, on the half-star scale."""
    rng = np.random.default_rng(0)
    users = np.repeat(np.arange(1, N_USERS + 1), PER_USER)
    titles = np.concatenate([rng.choice(N_TITLES, PER_USER, replace=False) for _ in range(N_USERS)])
    raw = 3.2 + rng.normal(0, 0.5, N_USERS)[users - 1] + rng.normal(0, 0.5, N_TITLES)[titles] + rng.normal(0, 0.6,
                                                                                                              users.size)
    stars = np.clip(np.round(raw * 2) / 2, RATING_MIN, RATING_MAX)
    return pd.DataFrame({COL_USER: users.astype(np.int64), COL_ITEM: [f"ns{t + 1}" for t in titles],
                         COL_RATING: stars})


@pytest.fixture(scope="module")
def titles() -> pd.DataFrame:
    ids = [f"ns{t + 1}" for t in range(N_TITLES)]
    return pd.DataFrame({COL_ID: ids, "type": ["movie" if t % 3 else "tv show" for t in range(N_TITLES)],
                         "title": [f"title {t}" for t in range(N_TITLES)],
                         "is_placeholder": [t == 0 for t in range(N_TITLES)]})


@pytest.fixture()
def processed(tmp_path, ratings, titles):
    """A processed-data root with just what the trainer reads: the streaming folder's ratings.parquet and
    titles.parquet."""
    folder = tmp_path / "processed" / STREAMING.name
    folder.mkdir(parents=True)
    ratings.to_parquet(folder / RATINGS_FILE, index=False)
    titles.to_parquet(folder / TITLES_FILE, index=False)
    return folder.parent


# ---- model.dataset ---------------------------------------------------------------------------------------
def test_split_is_seeded_and_holds_out_20_percent(ratings):
    train, test = split(ratings, seed=3)
    again_train, again_test = split(ratings, seed=3)
    assert len(test) == round(0.2 * len(ratings)) and len(train) + len(test) == len(ratings)
    pd.testing.assert_frame_equal(train, again_train)
    pd.testing.assert_frame_equal(test, again_test)
    both = pd.concat([train, test]).sort_values([COL_USER, COL_ITEM]).reset_index(drop=True)
    pd.testing.assert_frame_equal(both, ratings.sort_values([COL_USER, COL_ITEM]).reset_index(drop=True))
    assert not split(ratings, seed=4)[1].equals(test)


def test_user_sample_is_seeded_and_keeps_all_ratings_of_the_chosen_users(ratings):
    sample = sample_users_of(ratings, 10, seed=5)
    assert sample[COL_USER].nunique() == 10 and len(sample) == 10 * PER_USER
    pd.testing.assert_frame_equal(sample, sample_users_of(ratings, 10, seed=5))
    assert len(sample_users_of(ratings, None, seed=5)) == len(sample_users_of(ratings, 10**6, seed=5)) == len(ratings)


def test_trainset_inner_ids_are_positions_in_the_sorted_raw_ids(ratings):
    enc = build_trainset(ratings)
    assert enc.trainset.n_ratings == len(ratings) and list(enc.user_ids) == sorted(set(ratings[COL_USER]))
    assert list(enc.item_ids) == sorted(set(ratings[COL_ITEM]))
    assert all(enc.trainset.to_raw_iid(i) == enc.item_ids[i] for i in range(enc.item_ids.size))


# ---- model.search and model.fit --------------------------------------------------------------------------
def test_search_chooses_params_from_the_space_and_returns_its_trials(ratings, capfd):
    train, _ = split(ratings, seed=1)
    params, trials = SurpriseEngine().search(train, 1, SEARCH_SPACE, 30)
    allowed = {name: {DEFAULT_PARAMS[name]} for name in DEFAULT_PARAMS}
    for name, values in SEARCH_SPACE:
        if name == "lr_epochs":
            allowed["lr_all"] |= {lr for lr, _ in values}
            allowed["n_epochs"] |= {epochs for _, epochs in values}
        else:
            allowed[name] |= set(values)
    assert set(params) == set(DEFAULT_PARAMS) and all(params[k] in allowed[k] for k in params)
    assert 1 < len(trials) <= 1 + sum(len(values) for _, values in SEARCH_SPACE)
    assert trials[0] == {**DEFAULT_PARAMS, **{k: trials[0][k] for k in ("val_rmse", "seconds")}}
    assert all(math.isfinite(t["val_rmse"]) and t["seconds"] >= 0 for t in trials)
    best = min(t["val_rmse"] for t in trials)
    chosen = [t for t in trials if {k: t[k] for k in DEFAULT_PARAMS} == params]
    assert len(chosen) == 1 and chosen[0]["val_rmse"] <= best + 0.0005
    again, again_trials = SurpriseEngine().search(train, 1, SEARCH_SPACE, 30)
    assert again == params and [t["val_rmse"] for t in again_trials] == [t["val_rmse"] for t in trials]
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # quiet by default: no progress bar, no log lines, no surprise prints


def test_fit_and_evaluate_give_a_finite_table(ratings):
    train, test = split(ratings, seed=2)
    table = evaluate_split(train, test, SMALL_PARAMS, seed=2, threshold=3.5, name="tiny")
    assert list(table.index) == ["SVD", "BaselineOnly", "NormalPredictor", "GlobalMean"]
    assert list(table.columns) == list(METRIC_NAMES)
    assert np.isfinite(table[["rmse", "mae", "accuracy", "f1", "roc_auc"]].to_numpy()).all()
    again = evaluate_split(train, test, SMALL_PARAMS, seed=2, threshold=3.5, name="tiny")
    pd.testing.assert_frame_equal(table, again)


def test_surprise_prints_nothing_while_fitting(ratings, capfd):
    enc = build_trainset(ratings)
    SVD(n_factors=2, n_epochs=2, verbose=True).fit(enc.trainset)
    assert "Processing epoch" in capfd.readouterr().out  # surprise's own prints, which the trainer turns off
    fit_model(SVD(n_factors=2, n_epochs=2, verbose=True), enc, "loud")
    fit_model(make_svd(SMALL_PARAMS, seed=0), enc)
    train, test = split(ratings, seed=0)
    heldout_predictions(train, test, SMALL_PARAMS, seed=0, name="tiny")
    out, err = capfd.readouterr()
    assert out == "" and "Processing epoch" not in err and "Estimating biases" not in err


def test_benchmark_is_seeded(ratings):
    first = SurpriseEngine().benchmark(ratings, 7, 3.5, 20, "a", SEARCH_SPACE)
    second = SurpriseEngine().benchmark(ratings, 7, 3.5, 20, "b", SEARCH_SPACE)
    assert first["table"] == second["table"] and first["hyperparameters"] == second["hyperparameters"]
    assert first["train_ratings"] == len(ratings) - first["test_ratings"] == round(0.8 * len(ratings))


# ---- model.export --------------------------------------------------------------------------------------
def test_exported_arrays_load_into_the_predictor_and_match_surprise(ratings, titles, tmp_path):
    algo = fit_model(make_svd(SMALL_PARAMS, seed=0), build_trainset(ratings))
    arrays = model_arrays(SurpriseEngine().fit(ratings, SMALL_PARAMS, 0, "tiny"), titles)
    assert set(REQUIRED_ARRAYS) <= set(arrays)
    assert arrays["rated_indptr"][-1] == len(ratings) and not arrays["item_recommendable"][0]
    assert arrays["item_types"][list(arrays["item_ids"]).index("ns1")] == "tv show"
    save_artifacts(tmp_path / "artifacts", arrays, meta={"threshold": 3.5})
    predictor = StreamingModel(load_artifacts(tmp_path / "artifacts"))
    for user, title in [(1, "ns2"), (7, "ns30"), (40, "ns5"), (10**6, "ns3"), (3, "ns999")]:
        assert predictor.predict(user, title).rating == algo.predict(user, title).est
    assert len(rated_titles(predictor, 1)) == PER_USER


# ---- model.train: options and the command line --------------------------------------------------------
def test_options_are_one_frozen_typed_object_with_the_command_line_defaults():
    assert parse_args(["--catalog", STREAMING.name]) == TrainOptions(catalog=STREAMING.name)
    options = parse_args(["--catalog", "all", "--processed-dir", "p", "--out", "o", "--threshold", "4", "--seed", "9",
                          "--sample-users", "10", "--search-users", "5", "--raw-dir", "r", "--reports-dir", "e",
                          "--skip-movielens", "--skip-content"])
    assert (options.threshold, options.seed, options.sample_users, options.search_users) == (4.0, 9, 10, 5)
    assert str(options.processed_dir) == "p" and str(options.out_dir) == "o" and str(options.raw_dir) == "r"
    assert str(options.reports_dir) == "e" and not options.with_movielens and not options.with_content
    assert parse_args(["--catalog", STREAMING.name, "--movielens"]).movielens_only
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.seed = 1  # type: ignore[misc]
    assert all(field.type for field in dataclasses.fields(TrainOptions))


def test_cli_trains_on_a_tiny_processed_folder(processed, tmp_path, capsys):
    out = tmp_path / "artifacts" / STREAMING.name
    args = ["--catalog", STREAMING.name, "--processed-dir", str(processed), "--out", str(out.parent),
            "--search-users", "20", "--skip-movielens",
            "--skip-content", "--reports-dir", str(tmp_path / "no-reports"), "--quiet"]
    assert main(args) == 0
    stdout, stderr = capsys.readouterr()
    assert stderr == "" and "Processing epoch" not in stdout
    assert stdout.startswith("streaming: our ratings, held-out 20%") and "| SVD |" in stdout
    assert f"artifacts: {out}" in stdout
    artifacts = load_artifacts(out)
    assert {"metrics.json", "README.md"} <= set(artifacts.manifest["files"])
    assert artifacts.manifest["n_ratings"] == len(pd.read_parquet(processed / STREAMING.name / RATINGS_FILE))
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"catalog", "engine", "hyperparameters", "benchmarks", "extras", "seconds"}
    assert set(metrics["benchmarks"]) == {"ours"} and metrics["extras"] == {}
    assert metrics["benchmarks"]["ours"]["hyperparameters"] == artifacts.manifest["hyperparameters"]
    StreamingModel(artifacts).top_n(1, 5)

    assert main(args) == 0  # the same seed gives the same held-out numbers
    again = json.loads((out / "metrics.json").read_text())
    assert again["benchmarks"]["ours"]["table"] == metrics["benchmarks"]["ours"]["table"]


def test_cli_logs_progress_and_leaves_stdout_to_the_results(processed, tmp_path, capsys, caplog):
    assert main(["--catalog", STREAMING.name, "--processed-dir", str(processed), "--out", str(tmp_path / "a"),
                 "--search-users", "20",
                 "--skip-movielens", "--skip-content", "--reports-dir", str(tmp_path)]) == 0
    stdout, stderr = capsys.readouterr()
    assert "search" in stderr and "trial" in stderr  # the search's progress bar
    assert {"model.train", "model.engines", "model.fit"} <= {r.name for r in caplog.records}
    assert all(r.levelno == logging.INFO for r in caplog.records)
    assert not any(r.getMessage() in stdout for r in caplog.records) and "Processing epoch" not in stdout
    assert stdout.startswith("streaming: our ratings, held-out 20%")


@pytest.mark.parametrize("args, words", [
    (["--seed", "-1"], "--seed"),
    (["--threshold", "six"], "--threshold"),
    (["--search-users", "0"], "--search-users"),
    (["--quiet", "--verbose"], "not allowed with"),
    (["--catalog", "books"], "--catalog"),
])
def test_bad_options_exit_2_with_one_line(args, words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--catalog", STREAMING.name, *args])
    assert exit_info.value.code == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == "" and stderr.strip().count("\n") == 0 and words in stderr and stderr.startswith("error: ")


def test_bad_inputs_exit_2_with_one_line_and_keep_earlier_artifacts(processed, tmp_path, capsys):
    out = tmp_path / "artifacts"
    out.mkdir()
    (out / "keep.txt").write_text("earlier")
    (processed / STREAMING.name / TITLES_FILE).unlink()
    assert main(["--catalog", STREAMING.name, "--processed-dir", str(processed), "--out", str(out),
                 "--skip-movielens", "--skip-content"]) == 2
    stdout, stderr = capsys.readouterr()
    assert stdout == "" and stderr.strip().count("\n") == 0 and str(processed / STREAMING.name / TITLES_FILE) in stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
