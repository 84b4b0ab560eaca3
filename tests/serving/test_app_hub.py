"""Where the app loads from: the Hub (a loopback Hub server), an unreachable Hub, and no artifacts at all.

- With HF_MODEL_REPO / HF_DATASET_REPO set, `python app.py` pulls the published artifacts and both catalogs
  (the Movies tables under the dataset repo's movies/) and says which repo and revision it serves.
- An unreachable or silent Hub costs at most a few seconds: the local copies are used and a notice says so.
- Without any artifacts the catalog routes still answer, and the model routes say how to build the model.
"""
from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import huggingface_hub.constants
import pytest
from fastapi.testclient import TestClient

from serving.api import create_api
from serving.state.loading import load_state
from serving.ui.data import eda_figures
from tests.harness.launcher import AppProcess


@pytest.mark.slow
def test_app_serves_the_artifacts_published_on_the_hub(hub_server, app_artifacts_with_movies, movies_processed,
                                                       tmp_path):
    from model.publish import main as publish

    env = {"HF_ENDPOINT": hub_server.url, "HF_TOKEN": hub_server.token, "HF_HOME": str(tmp_path / "hf")}
    reports = tmp_path / "reports"  # a one-figure EDA: a Space has no reports/ of its own
    (reports / "figures").mkdir(parents=True)
    (reports / "figures" / "one.png").write_bytes(PNG_1X1)
    (reports / "eda.json").write_text(json.dumps({"figures": [
        {"file": "figures/one.png", "title": "One", "caption": "What to see."}]}))
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        assert publish(["--model-repo", "me/svd", "--dataset-repo", "me/catalog", "--artifacts-dir",
                        str(app_artifacts_with_movies), "--processed-dir", str(movies_processed),
                        "--reports-dir", str(reports)]) == 0
    # Local directories that do not exist: everything must come from the Hub.
    env.update(HF_MODEL_REPO="me/svd", HF_DATASET_REPO="me/catalog")
    with AppProcess(artifacts_dir=tmp_path / "no-artifacts", processed_dir=tmp_path / "no-data", env=env) as app:
        health = httpx.get(app.url + "/health").json()
        assert health["status"] == "ok" and health["notices"] == []
        assert health["model"]["source"] == "me/svd@" + health["model"]["revision"][:12]
        for part, repo in (("model", "me/svd"), ("data", "me/catalog")):
            assert health[part]["kind"] == "hub" and health[part]["repo"] == repo
            assert len(health[part]["revision"]) == 40
        answer = httpx.get(app.url + "/recommend", params={"user_id": 1, "title_id": "ds1378"}).json()
        assert answer["title"] == "toy story" and answer["tmdb"]["id"] == 862
        movies = httpx.get(app.url + "/movies/peliculas_duracion", params={"pelicula": "toy story"}).json()
        assert movies["items"][0]["where_to_watch"] == [{"platform": "disney", "title_id": "ds1378"}]
        assert health["movies_model"]["loaded"]  # the model repo's movies/ folder
        picks = httpx.post(app.url + "/movies/for_visitor", json={"ratings": [[862, 5], ["toy story 2", 5],
                                                                              [10193, 4.5]], "n": 5}).json()
        assert len(picks["items"]) == 5 and {"where_to_watch", "genres"} <= set(picks["items"][0])
        page = httpx.get(app.url + "/").text
        assert "Streaming recommender" in page

    # Later the Hub is unreachable: the app serves its cached copy of the same revision, and says so.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
        mp.setenv("HF_MODEL_REPO", "me/svd")
        mp.setenv("HF_DATASET_REPO", "me/catalog")
        mp.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
        state = load_state(tmp_path / "no-data", tmp_path / "no-artifacts")
    assert state.predictor is not None and "streaming" in state.queries and "movies" in state.queries
    assert state.model_source.kind == "hub cache" and state.model_source.revision == health["model"]["revision"]
    assert len(state.notices) == 2 and all("cached copy" in n and "unreachable" in n for n in state.notices)
    assert state.reports_dir.is_relative_to(tmp_path / "hf" / "hub")  # the EDA published beside the catalog
    assert [(title, caption) for _, title, caption in eda_figures(state.reports_dir)] == [("One", "What to see.")]
    assert (state.reports_dir / "figures" / "one.png").read_bytes() == PNG_1X1

PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c"
                        "6360000002000001e221bc330000000049454e44ae426082")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def silent_server():
    """A loopback server that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


@pytest.mark.slow
@pytest.mark.parametrize("hub", ["refused", "silent"])
def test_unreachable_hub_falls_back_to_local_files_within_seconds(hub, silent_server, movies_processed,
                                                                  app_artifacts, monkeypatch, tmp_path):
    endpoint = silent_server if hub == "silent" else f"http://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))  # an empty cache
    monkeypatch.setenv("HF_MODEL_REPO", "me/svd")
    monkeypatch.setenv("HF_DATASET_REPO", "me/catalog")
    monkeypatch.setenv("APP_HUB_TIMEOUT", "2")
    start = time.perf_counter()
    state = load_state(movies_processed, app_artifacts)
    assert time.perf_counter() - start < 2.0 + 8  # one bounded wait (both repos at once) + local loading
    assert state.predictor is not None and "streaming" in state.queries and "movies" in state.queries
    assert state.model_source.kind == "local" and state.data_source.kind == "local"
    notices = state.notices
    assert len(notices) == 2 and all("unreachable" in n for n in notices), state.notices
    words = "the Hub did not answer within 2 s" if hub == "silent" else "the Hub refused the connection"
    assert all(words in n for n in notices), state.notices
    # The reason in words; the address, the cache and local paths and the exception go to the log only.
    assert not any(bad in n for n in notices for bad in ("http", "127.0.0.1", str(tmp_path), "Error")), notices


@pytest.mark.slow
def test_no_artifacts_serves_the_catalog_and_says_how_to_build_the_model(streaming_processed, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_MODEL_REPO", raising=False)
    monkeypatch.delenv("HF_DATASET_REPO", raising=False)
    state = load_state(streaming_processed, tmp_path / "artifacts")
    assert state.predictor is None and any("make run" in n for n in state.notices)
    client = TestClient(create_api(state))
    assert client.get("/count_platform/netflix").status_code == 200
    for url in ("/recommend?user_id=1&title_id=ds1378", "/top_n?user_id=1", "/similar?title_id=ds1378"):
        response = client.get(url)
        assert response.status_code == 503
        assert response.json()["error"] == "not available"
        assert "python -m model.train" in response.json()["detail"]
    health = client.get("/health").json()
    assert health["status"] == "degraded" and health["model"]["loaded"] is False


def test_no_data_at_all_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_MODEL_REPO", raising=False)
    monkeypatch.delenv("HF_DATASET_REPO", raising=False)
    state = load_state(tmp_path / "processed", tmp_path / "artifacts")
    client = TestClient(create_api(state))
    response = client.get("/count_platform/netflix")
    assert response.status_code == 503 and "python -m etl" in response.json()["detail"]
    assert client.get("/search?q=toy").status_code == 503
