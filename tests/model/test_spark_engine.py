"""The Spark training engine (model.spark_engine): on local[2], through the trainer's CLI, and on a real standalone
cluster on 127.0.0.1 that loses a worker in the middle of a job.

Every test that starts Spark is slow. Under CI=true or `make test` (REQUIRE_EXTRAS=1) a missing pyspark or Java
fails, it never skips (`make test` installs requirements-spark.txt and openjdk-17-jre-headless).
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import config
from catalog import STREAMING
from config import COL_ITEM, COL_RATING, COL_USER
from model import spark_engine
from model.dataset import heldout_key, heldout_path, load_movielens, read_heldout, split
from model.export import model_arrays
from model.streaming.recipe import movielens_benchmark
from tests.conftest import require
from tests.harness.extras import require_check, require_module

ENV = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
SEED = config.SEED
# One candidate each (the search's machinery is the same with more), rank 10 to keep the file quick; the default
# grid picks rank 50, regParam 0.1 on MovieLens (0.8466, README).
MOVIELENS_GRID = {"rank": [10], "reg_param": [0.3]}
SMALL_GRID = {"rank": [10], "reg_param": [0.3]}
SURPRISE_SVD_MOVIELENS = 0.8479  # the surprise engine's held-out RMSE on these pairs (README, model card)


def _needs_spark() -> None:
    """Skip without pyspark or Java on a developer machine; fail under CI=true or `make test`."""
    require_check(spark_engine.check_runtime)


@pytest.fixture(scope="module")
def spark():
    _needs_spark()
    session = spark_engine.spark_session("local[2]", (("spark.driver.memory", "2g"),), app_name="tests")
    yield session
    session.stop()


# ---- the command line (fast: no JVM) --------------------------------------------------------------------
@pytest.mark.parametrize("text", ["local", "local[*]", "local[2]", "local[2,3]", "spark://127.0.0.1:7077",
                                  "spark://a:7077,b:7077", "yarn", "k8s://https://k8s.example:6443"])
def test_master_urls_accepted(text):
    assert spark_engine.check_master(text) == text


@pytest.mark.parametrize("text", ["", "local[0]", "local[x]", "spark://host", "http://host:7077", "yarn-cluster",
                                  "local[*] ", "spark://host:7077/x"])
def test_master_urls_refused(text):
    with pytest.raises(ValueError, match="expected a Spark master"):
        spark_engine.check_master(text)


@pytest.mark.parametrize("args, words", [
    (["--engine", "foo"], "invalid choice: 'foo'"),
    (["--engine", "spark", "--master", "spark://nohost"], "expected a Spark master"),
    (["--engine", "spark", "--spark-conf", "novalue"], "KEY=VALUE"),
    (["--engine", "spark", "--spark-grid", "10:0"], "RANKS:REGS"),
])
def test_bad_engine_options_exit_2_in_one_line(args, words, capsys):
    from model.train import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1, err


def test_missing_java_is_one_line_naming_the_package(monkeypatch, capsys, tmp_path):
    from model.train import main

    require_module("pyspark", "make setup-spark")  # without it the message names pyspark, not Java

    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    assert main(["--catalog", STREAMING.name, "--engine", "spark", "--movielens", "--processed-dir", str(tmp_path),
                 "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "openjdk-17-jre-headless" in err and len(err.splitlines()) == 1, err


# ---- the engine on local[2] -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def movielens(spark, raw_dir, tmp_path_factory):
    """The Spark engine's MovieLens benchmark on the trainer's held-out pairs, and those pairs."""
    require(raw_dir / "movielens" / "ml-latest-small" / "ratings.csv")
    processed = tmp_path_factory.mktemp("spark-processed")
    df = load_movielens(raw_dir)
    _, test = split(df, SEED)
    from model.dataset import write_heldout

    write_heldout(test, heldout_path(processed, "movielens"), heldout_key(SEED, len(df)))  # as surprise does
    engine = spark_engine.SparkEngine(grid=MOVIELENS_GRID, session=spark)
    result = movielens_benchmark(engine, raw_dir, processed, SEED, config.DEFAULT_THRESHOLD)
    return result, df, test


@pytest.mark.slow
def test_movielens_within_002_of_surprise_on_the_same_pairs(movielens):
    result, df, test = movielens
    table = result["table"]
    assert result["test_ratings"] == len(test) and result["train_ratings"] == len(df) - len(test)
    assert table[spark_engine.ALS_ROW]["rmse"] <= SURPRISE_SVD_MOVIELENS + 0.02, result["markdown"]
    assert table[spark_engine.ALS_ROW]["rmse"] < table[spark_engine.BASELINE_ROW]["rmse"] - 0.005, result["markdown"]
    assert result["metric_sample"]["sample_rows"] == len(test)  # small: every held-out rating on the driver
    assert result["engine"] == "spark" and result["hyperparameters"]["rank"] == 10


@pytest.mark.slow
def test_spark_biases_are_surprise_baselineonly(movielens):
    """The biases use surprise's BaselineOnly formulas: the same held-out RMSE on the same pairs."""
    from surprise import BaselineOnly

    from model.dataset import build_trainset
    from model.evaluate import rmse
    from model.fit import fit_model, predict_ratings

    result, df, test = movielens
    keys = pd.MultiIndex.from_frame(test[[COL_USER, COL_ITEM]])
    train = df[~pd.MultiIndex.from_frame(df[[COL_USER, COL_ITEM]]).isin(keys)]
    enc = build_trainset(train)
    algo = fit_model(BaselineOnly(verbose=False), enc)
    expected = rmse(test[COL_RATING], predict_ratings(algo, enc, test))
    assert abs(result["table"][spark_engine.BASELINE_ROW]["rmse"] - expected) < 1e-6


@pytest.mark.slow
def test_spark_artifacts_load_in_the_app_and_match_spark_estimates(spark, raw_dir, tmp_path):
    """Artifacts of a Spark model through the app's loader (StreamingModel.from_dir): every estimate equals
    mu + b_u + b_i + the ALS model's transform, clipped, computed in Spark (unknown ids included)."""
    from catalog.streaming.model import StreamingModel
    from serving.artifacts import save_artifacts

    df = load_movielens(require(raw_dir / "movielens" / "ml-latest-small").parent.parent)
    df = df[df[COL_USER] <= 150].reset_index(drop=True)  # small and quick
    df[COL_ITEM] = "ns" + df[COL_ITEM]  # title ids as the StreamingModel parses them
    train, test = split(df, SEED)
    data = spark_engine.index_ratings(spark, spark.createDataFrame(train))
    model = spark_engine.fit(spark, data, {"rank": 8, "reg_param": 0.1}, SEED)
    arrays = model_arrays(spark_engine.factors_of(model), None)
    save_artifacts(tmp_path / "art", arrays, meta={"rating_scale": [0.5, 5.0], "threshold": 3.5, "engine": "spark"})
    predictor = StreamingModel.from_dir(tmp_path / "art")
    pairs = pd.concat([test[[COL_USER, COL_ITEM]],
                       pd.DataFrame({COL_USER: [999_999, 1, 999_999], COL_ITEM: ["ns1", "ns999999", "ns999999"]})])
    pairs = pairs.drop_duplicates().reset_index(drop=True)
    in_spark = (spark_engine.spark_estimates(spark, model, spark.createDataFrame(pairs)).toPandas()
                .set_index([COL_USER, COL_ITEM])[spark_engine.PRED])
    served = np.array([predictor.predict(int(u), str(i)).rating for u, i in zip(pairs[COL_USER], pairs[COL_ITEM])])
    expected = in_spark.reindex(pd.MultiIndex.from_frame(pairs)).to_numpy()
    assert np.max(np.abs(served - expected)) < 1e-4
    assert len(pairs) > 2000


@pytest.mark.slow
def test_trainer_cli_with_spark_writes_the_same_artifacts(small_processed, tmp_path):
    """`python -m model.train --engine spark` on the small cut: the app's format with the engine fields, the
    surprise engine's held-out pairs, and a card that names the engine."""
    from catalog.streaming.model import REQUIRED_ARRAYS, StreamingModel
    from catalog.streaming.similar import NEIGHBOUR_ARRAYS
    from serving.artifacts import load_artifacts

    _needs_spark()
    processed = tmp_path / "processed"
    processed.mkdir()
    for entry in Path(small_processed).iterdir():
        (processed / entry.name).symlink_to(entry)
    out = tmp_path / "artifacts"
    cmd = [sys.executable, "-m", "model.train", "--catalog", STREAMING.name, "--engine", "spark", "--master",
           "local[2]", "--processed-dir",
           str(processed), "--out", str(out), "--skip-movielens", "--search-users", "200", "--spark-grid", "10:0.3",
           "--spark-conf", "spark.driver.memory=1g", "--quiet"]
    result = subprocess.run(cmd, cwd=config.PROJ_ROOT, env=ENV, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    artifacts = load_artifacts(out / STREAMING.name)
    m = artifacts.manifest
    assert m["engine"] == "spark" and m["spark_version"] == spark_engine.spark_version()
    assert m["master"] == "local[2]" and "pyspark" in m["library_versions"]
    assert set(REQUIRED_ARRAYS) | set(NEIGHBOUR_ARRAYS) <= set(artifacts.arrays)
    assert spark_engine.ALS_ROW in m["metrics"]["ours"]
    assert "ALS" in (out / STREAMING.name / "README.md").read_text()
    folder = processed / STREAMING.name  # the streaming catalog's tables, and its held-out pairs beside them
    n = int(pd.read_parquet(folder / config.RATINGS_FILE).shape[0])
    assert read_heldout(heldout_path(folder, "ratings"), heldout_key(SEED, n)) is not None
    predictor = StreamingModel.from_dir(out / STREAMING.name)
    assert predictor.user_factors.shape[1] == 10
    assert "ALS (Spark)" in result.stdout


# ---- a standalone cluster on 127.0.0.1 ------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_class() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent / "bin" / "spark-class"


def _jvms_of(marker: str) -> list[int]:
    """Processes whose command line mentions `marker` (this fixture's master address)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if marker in Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry))
            except OSError:
                pass
    return found


def _wait_for(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


@pytest.fixture()
def cluster(tmp_path):
    """A Spark standalone master and two one-core workers on 127.0.0.1 (pyspark's spark-class), each in a
    process group of its own; all stopped afterwards, and no JVM of this cluster left behind."""
    _needs_spark()
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    env = {**ENV, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1", "SPARK_LOG_DIR": str(tmp_path)}
    procs: dict[str, subprocess.Popen] = {}

    def start(name: str, *args: str) -> None:
        log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        procs[name] = subprocess.Popen([str(_spark_class()), *args], env=env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)

    start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
          "--webui-port", str(_free_port()))
    _wait_for(lambda: "I have been elected leader" in (tmp_path / "master.log").read_text(), 60, "the master")
    workers = {}
    for n in (1, 2):
        work = tmp_path / f"worker{n}"
        work.mkdir()
        start(f"worker{n}", "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", "1",
              "--memory", "1536m", "--webui-port", str(_free_port()), "--work-dir", str(work))
        workers[n] = work
    _wait_for(lambda: all("Successfully registered with master" in (tmp_path / f"worker{n}.log").read_text()
                          for n in (1, 2)), 60, "two workers")
    yield {"url": url, "procs": procs, "workers": workers, "logs": tmp_path}
    for proc in procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    _wait_for(lambda: not _jvms_of(f"127.0.0.1:{port}"), 30, "the cluster's JVMs to exit")


@pytest.mark.slow
def test_standalone_cluster_job_survives_a_killed_worker(cluster, raw_dir, tmp_path):
    """`python -m model.train --engine spark --master spark://127.0.0.1:PORT --movielens` on two workers; one
    worker (and its executor) is killed while the job runs; Spark reruns its tasks on the other one and the job
    ends with the same quality."""
    require(raw_dir / "movielens" / "ml-latest-small" / "ratings.csv")
    cmd = [sys.executable, "-m", "model.train", "--catalog", STREAMING.name, "--engine", "spark", "--master",
           cluster["url"], "--movielens",
           "--raw-dir", str(raw_dir), "--processed-dir", str(tmp_path), "--spark-grid", "10:0.3",
           "--spark-conf", "spark.driver.memory=1g", "--spark-conf", "spark.executor.memory=1g",
           "--spark-conf", "spark.driver.host=127.0.0.1"]
    job = subprocess.Popen(cmd, cwd=config.PROJ_ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    started = time.monotonic()
    try:
        # Both workers run an executor of the job (an app-*/<executor id> folder in their work dirs)...
        def executors() -> bool:
            return all(any(w.glob("app-*/*")) for w in cluster["workers"].values())

        _wait_for(executors, 120, "an executor on each worker")
        time.sleep(20)  # ...and the job is well into its work: then worker 2 dies with its executor.
        assert job.poll() is None, "the job ended before the worker could be killed"
        os.killpg(cluster["procs"]["worker2"].pid, signal.SIGKILL)
        killed_at = time.monotonic() - started
        stdout, stderr = job.communicate(timeout=900)
    finally:
        if job.poll() is None:
            job.kill()
    print(f"\n[cluster] {cluster['url']}: 2 workers x 1 core; worker2 killed {killed_at:.0f} s into the job; "
          f"job exit {job.returncode} after {time.monotonic() - started:.0f} s")
    print("[cluster] " + "\n[cluster] ".join(stdout.strip().splitlines()))
    assert job.returncode == 0, stderr[-3000:]
    rmse = float(stdout.strip().splitlines()[-1].split(":")[1].strip(" }"))
    assert rmse <= SURPRISE_SVD_MOVIELENS + 0.02
    master_log = (cluster["logs"] / "master.log").read_text()
    assert "Removing worker" in master_log or "Removing executor" in master_log or "lost" in master_log.lower()
