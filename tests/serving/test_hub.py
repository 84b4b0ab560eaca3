"""Publish to and pull from a Hub-compatible server on loopback (huggingface_hub's real client code).

Checks byte-identical round trips (each catalog's model under <name>/), what was requested, and the fallbacks:
cached copy when the Hub is gone, local files when nothing is cached, a bounded wait when the Hub is slow; and
that the layout published before <name>/ folders (the streaming model at the root) is still read.
"""
from __future__ import annotations

import os
import time

import numpy as np
import pytest

import config
from catalog import MOVIES, STREAMING
from catalog.streaming.model import StreamingModel
from model.publish import main as publish_main
from serving.artifacts import MANIFEST_FILE, ArtifactError, save_artifacts
from serving.hub import DEFAULT_TIMEOUT, pull
from serving.state.sources import MODEL_MANIFESTS, dataset_tables, model_dir


@pytest.fixture(scope="module")
def artifacts_dir(streaming_processed, titles, tmp_path_factory):
    """An artifacts root holding a small real model in streaming/: SVD on 150 users of the processed ratings,
    exported like model.train does."""
    from model.dataset import load_ratings
    from model.engines import SurpriseEngine
    from model.export import model_arrays

    params = {"n_factors": 4, "n_epochs": 3, "lr_all": 0.005, "reg_bu": 0.02, "reg_bi": 0.02, "reg_factors": 0.02}
    ratings = load_ratings(streaming_processed / STREAMING.name, sample_users=150)
    model = SurpriseEngine().fit(ratings, params, 0, "hub test")
    out = tmp_path_factory.mktemp("model") / "artifacts"
    save_artifacts(out / STREAMING.name, model_arrays(model, titles), meta={"threshold": 3.5},
                   files={"README.md": "---\ntags: [\"recommender-system\"]\n---\n# card\n"})
    return out


def _model_files(artifacts_dir) -> list[str]:
    """The model repo's paths of an artifacts root: <name>/<file>."""
    return sorted(f"{p.parent.name}/{p.name}" for p in artifacts_dir.glob("*/*") if p.is_file())


@pytest.fixture()
def hub_env(hub_server, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_TOKEN", hub_server.token)
    monkeypatch.setenv("HF_ENDPOINT", hub_server.url)
    monkeypatch.delenv("HF_MODEL_REPO", raising=False)
    monkeypatch.delenv("HF_DATASET_REPO", raising=False)
    return tmp_path / "hf-cache"


def _publish(artifacts_dir, streaming_processed, reports_dir=None) -> int:
    """Publish; without reports_dir, from a reports folder that does not exist (no EDA to publish)."""
    return publish_main(["--model-repo", "me/svd", "--dataset-repo", "me/catalog",
                         "--artifacts-dir", str(artifacts_dir), "--processed-dir", str(streaming_processed),
                         "--reports-dir", str(reports_dir or artifacts_dir / "no-reports")])


def _pull_both(cache_dir, local_artifacts, local_processed, model_repo="me/svd", dataset_repo="me/catalog",
               timeout=DEFAULT_TIMEOUT):
    """The model and dataset repos pulled as serving/state.py pulls them; endpoint and token from the env."""
    kwargs = dict(timeout=timeout, cache_dir=cache_dir, endpoint=os.environ.get("HF_ENDPOINT"),
                  token=os.environ.get("HF_TOKEN"))
    return (pull(model_repo, "model", local=local_artifacts, required=MODEL_MANIFESTS, **kwargs),
            pull(dataset_repo, "dataset", local=local_processed, required=dataset_tables(), **kwargs))


def _same_files(local, pulled, names):
    for name in names:
        assert (pulled / name).read_bytes() == (local / name).read_bytes(), name


@pytest.mark.slow
def test_publish_then_pull_round_trips_byte_identical(hub_server, hub_env, artifacts_dir, streaming_processed,
                                                       tmp_path):
    assert _publish(artifacts_dir, streaming_processed) == 0
    model_files = _model_files(artifacts_dir)
    assert sorted(hub_server.files("model", "me/svd")) == model_files and model_files[0].startswith("streaming/")
    assert sorted(hub_server.files("dataset", "me/catalog")) == ["README.md", f"{STREAMING.name}/etl_report.json",
                                                                 f"{STREAMING.name}/titles.parquet"]

    model, data = _pull_both(hub_env, tmp_path / "none", tmp_path / "none")
    assert model.origin == data.origin == "hub"
    _same_files(artifacts_dir, model.path, model_files)
    _same_files(streaming_processed, data.path, [f"{STREAMING.name}/titles.parquet",
                                                 f"{STREAMING.name}/etl_report.json"])
    assert "datasets" in str(data.path) and str(hub_env) in str(model.path)
    sha = hub_server.repos[("model", "me/svd")].sha
    assert model.where == f"hub model me/svd@{sha[:7]}" and model.path.name == sha
    assert StreamingModel.from_dir(model_dir(model.path, STREAMING)).built_at  # checksums verified after the trip

    requested = hub_server.requests
    posts = [p for m, p, _ in requested if m == "POST"]
    assert posts.count("/api/repos/create") == 2
    for prefix in ("/api/models/me/svd", "/api/datasets/me/catalog"):
        assert f"{prefix}/preupload/main" in posts and f"{prefix}/commit/main" in posts
    gets = hub_server.paths_requested("GET")
    assert "/api/models/me/svd/revision/main" in gets and "/api/datasets/me/catalog/revision/main" in gets
    downloaded = {"/".join(p.rsplit("/", 2)[1:]) for p in gets if "/resolve/" in p and p.startswith("/me/svd/")}
    assert downloaded == set(model_files)
    assert all("/resolve/" not in p or p.startswith(("/me/svd/", "/datasets/me/catalog/")) for p in gets)


@pytest.mark.slow
def test_republish_is_accepted_and_pull_gets_the_new_commit(hub_server, hub_env, artifacts_dir, streaming_processed,
                                                             tmp_path):
    assert _publish(artifacts_dir, streaming_processed) == 0
    first = hub_server.repos[("model", "me/svd")].sha
    changed = tmp_path / "artifacts"
    arrays = {p.stem: np.load(p, allow_pickle=False) for p in (artifacts_dir / STREAMING.name).glob("*.npy")}
    arrays["global_mean"] = arrays["global_mean"] + 0.25
    save_artifacts(changed / STREAMING.name, arrays, meta={"threshold": 3.5})
    assert _publish(changed, streaming_processed) == 0  # create_repo(exist_ok=True) on an existing repo
    second = hub_server.repos[("model", "me/svd")].sha
    assert second != first
    model, _ = _pull_both(hub_env, artifacts_dir, streaming_processed)
    assert f"@{second[:7]}" in model.where
    assert StreamingModel.from_dir(model_dir(model.path, STREAMING)).global_mean == pytest.approx(
        float(arrays["global_mean"]))


@pytest.mark.slow
def test_unreachable_hub_uses_the_cached_copy_and_says_so(hub_server, hub_env, artifacts_dir, streaming_processed,
                                                          tmp_path):
    assert _publish(artifacts_dir, streaming_processed) == 0
    online, _ = _pull_both(hub_env, artifacts_dir, streaming_processed)
    hub_server.stop()
    offline, offline_data = _pull_both(hub_env, tmp_path / "none", tmp_path / "none", timeout=5)
    assert offline.origin == offline_data.origin == "cache"
    assert offline.path == online.path
    assert offline.where.startswith("cached copy of me/svd@") and "unreachable" in offline.why


@pytest.mark.slow
def test_nothing_cached_falls_back_to_local_files(hub_server, hub_env, artifacts_dir, streaming_processed):
    hub_server.stop()
    model, data = _pull_both(hub_env, artifacts_dir, streaming_processed, timeout=5)
    assert (model.origin, data.origin) == ("local", "local")
    assert model.path == artifacts_dir and "no cached copy" in model.why


@pytest.mark.slow
def test_no_repo_configured_uses_local_files(hub_env, artifacts_dir, streaming_processed):
    model, data = _pull_both(hub_env, artifacts_dir, streaming_processed, model_repo=None, dataset_repo=None)
    assert model.origin == data.origin == "local" and model.why == "no HF_MODEL_REPO set"


@pytest.mark.slow
def test_slow_hub_is_abandoned_after_the_deadline(hub_server, hub_env, artifacts_dir, streaming_processed):
    hub_server.delay = 5.0
    start = time.perf_counter()
    model, _ = _pull_both(hub_env, artifacts_dir, streaming_processed, timeout=1.0)
    assert time.perf_counter() - start < 4.5  # two repos, each given up after ~1 s instead of 5+
    assert model.origin == "local" and "the Hub did not answer within 1 s" in model.why


def test_nothing_anywhere_is_a_clear_error(hub_server, hub_env, tmp_path):
    with pytest.raises(ArtifactError, match=r"manifest\.json: missing, and no model from the Hub"):
        _pull_both(hub_env, tmp_path / "a", tmp_path / "p", model_repo="me/nothing")


@pytest.mark.slow
def test_publish_refuses_corrupt_artifacts_before_uploading(hub_server, hub_env, artifacts_dir, streaming_processed,
                                                            tmp_path, capsys):
    import shutil

    broken = tmp_path / "artifacts"
    shutil.copytree(artifacts_dir, broken)
    (broken / STREAMING.name / "item_bias.npy").write_bytes(b"garbage")
    assert _publish(broken, streaming_processed) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "item_bias.npy" in err
    assert hub_server.paths_requested("POST") == []


@pytest.mark.slow
def test_publish_option_and_auth_errors(hub_server, hub_env, artifacts_dir, streaming_processed, monkeypatch, capsys):
    assert publish_main(["--artifacts-dir", str(artifacts_dir)]) == 2
    assert "HF_MODEL_REPO" in capsys.readouterr().err
    assert publish_main(["--model-repo", "no-owner", "--dataset-repo", "me/c"]) == 2
    assert "owner/name" in capsys.readouterr().err
    monkeypatch.setenv("HF_TOKEN", "wrong")
    assert _publish(artifacts_dir, streaming_processed) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: publishing failed") and err.count("\n") == 0


@pytest.mark.slow
def test_publish_to_a_silent_hub_fails_within_its_timeout(artifacts_dir, streaming_processed, tmp_path):
    # A loopback socket that accepts connections and never answers: huggingface_hub alone would wait forever.
    import os
    import socket
    import subprocess
    import sys


    with socket.create_server(("127.0.0.1", 0)) as silent:
        silent.listen(16)
        env = {**os.environ, "HF_TOKEN": "test-token", "HF_ENDPOINT": f"http://127.0.0.1:{silent.getsockname()[1]}",
               "HF_PUBLISH_TIMEOUT": "2", "HF_HOME": str(tmp_path / "hf"), "GRADIO_ANALYTICS_ENABLED": "False",
               "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "model.publish", "--model-repo", "me/svd",
                                 "--dataset-repo", "me/catalog", "--artifacts-dir", str(artifacts_dir),
                                 "--processed-dir", str(streaming_processed), "--reports-dir", str(tmp_path / "none")],
                                cwd=config.PROJ_ROOT, env=env, capture_output=True, text=True, timeout=120)
        elapsed = time.perf_counter() - start
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: publishing failed: ReadTimeout: no answer from the Hub within 2 s")
    assert elapsed < 60, elapsed  # a generous bound for start-up on a busy machine; without the fix: forever


def test_publish_bad_option_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as stopped:
        publish_main(["--bogus"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1 and "unrecognized arguments: --bogus" in err


@pytest.mark.slow
def test_the_layout_published_before_catalog_folders_is_still_read(hub_server, hub_env, artifacts_dir, tmp_path):
    """A model repo published by the earlier code: the streaming model at the root, the Movies one in movies/."""
    streaming = artifacts_dir / STREAMING.name
    files = {p.name: p.read_bytes() for p in streaming.iterdir()}
    files.update({f"{MOVIES.name}/{p.name}": p.read_bytes() for p in streaming.iterdir()})  # any verified model
    hub_server.commit("model", "me/old", files)
    hub = dict(cache_dir=hub_env, endpoint=os.environ["HF_ENDPOINT"], token=os.environ["HF_TOKEN"])
    model = pull("me/old", "model", local=tmp_path / "none", required=MODEL_MANIFESTS, **hub)
    assert model.origin == "hub" and not (model.path / STREAMING.name).exists()
    assert model_dir(model.path, STREAMING) == model.path and StreamingModel.from_dir(model.path).built_at
    assert model_dir(model.path, MOVIES) == model.path / MOVIES.name
    # Once the repo has <name>/ folders, those win over the files left at the root.
    hub_server.commit("model", "me/old", {f"{STREAMING.name}/{name}": data for name, data in files.items()
                                          if "/" not in name})
    model = pull("me/old", "model", local=tmp_path / "none", required=MODEL_MANIFESTS, **hub)
    assert model_dir(model.path, STREAMING) == model.path / STREAMING.name


def test_a_model_root_is_read_in_either_layout(tmp_path):
    (tmp_path / "new" / STREAMING.name).mkdir(parents=True)
    (tmp_path / "new" / STREAMING.name / MANIFEST_FILE).write_text("{}")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / MANIFEST_FILE).write_text("{}")
    assert model_dir(tmp_path / "new", STREAMING) == tmp_path / "new" / STREAMING.name
    assert model_dir(tmp_path / "old", STREAMING) == tmp_path / "old"
    assert model_dir(tmp_path / "old", MOVIES) == tmp_path / "old" / MOVIES.name
    assert model_dir(tmp_path / "none", STREAMING) == tmp_path / "none" / STREAMING.name
