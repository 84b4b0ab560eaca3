"""The serving side's loading machinery in-process, quickly: what a request gets while a piece is still loading,
the operator's reload route and its secret, the download progress and the cache's record of verified snapshots.

The app served against a Hub (slow, stalling, gone, with new and corrupt revisions) is tests/serving/test_hub_life.py.
"""
from __future__ import annotations

import gradio as gr
import pytest
from fastapi.testclient import TestClient

from catalog.streaming.ui import make_handlers
from serving import hub
from serving.admin import add_admin_routes
from serving.api import create_api
from serving.live import Live
from serving.state.snapshot import PIECES, AppState, snapshot
from serving.ui import notices_markdown
from settings import load_settings

SECRET = "0123456789abcdef-secret"


@pytest.fixture()
def loading(tmp_path) -> AppState:
    """A snapshot whose every piece is still loading, 35 of 71 MB downloaded."""
    return AppState(tmp_path, tmp_path, tmp_path, pending=frozenset(PIECES), progress=lambda: "35 of 71 MB")


def test_a_piece_still_loading_is_a_503_and_a_gr_error_saying_how_far_it_is(loading):
    client = TestClient(create_api(loading))
    for url in ("/recommend?user_id=1&title_id=ds1378", "/top_n?user_id=1", "/similar?title_id=ds1378",
                "/search?q=toy", "/count_platform/netflix"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert response.json()["error"] == "not available"
        assert "still loading (35 of 71 MB); try again in a few seconds" in response.json()["detail"], url
    health = client.get("/health").json()
    assert health["status"] == "loading" and health["loading"] == (
        "Loading the catalog and the model from the Hub (35 of 71 MB).")
    with pytest.raises(gr.Error, match=r"is still loading \(35 of 71 MB\); try again"):
        make_handlers(loading)["recommend"]("1", "ds1378")
    assert "Loading the catalog and the model from the Hub (35 of 71 MB)." in notices_markdown(loading)


def test_a_loaded_model_with_its_extras_pending_says_which_piece_waits(tiny_state):
    from dataclasses import replace

    state = replace(tiny_state, similar=None, pending=frozenset({"similar"}), progress=None)
    title = next(iter(state.title_cards))
    response = TestClient(create_api(state)).get("/similar", params={"title_id": title})
    assert response.status_code == 503
    assert response.json()["detail"] == "Similar titles are still loading; try again in a few seconds."


def _admin_app(tmp_path, secret: str | None) -> tuple[TestClient, Live]:
    live = Live(load_settings({}), tmp_path / "data", tmp_path / "artifacts", tmp_path / "reports")
    api = create_api(live)
    add_admin_routes(api, live, secret)
    return TestClient(api), live


def test_reload_needs_the_secret_and_does_not_exist_without_one(tmp_path):
    client, live = _admin_app(tmp_path, SECRET)
    missing = client.post("/admin/reload")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert set(missing.json()) == {"error", "detail"}
    assert client.post("/admin/reload", headers={"Authorization": "Basic abc"}).status_code == 401
    wrong = client.post("/admin/reload", headers={"Authorization": "Bearer " + SECRET[:-1] + "X"})
    assert wrong.status_code == 403 and SECRET not in wrong.text
    ok = client.post("/admin/reload", headers={"Authorization": f"Bearer {SECRET}"})
    assert ok.status_code == 202 and ok.json()["status"] == "checking"
    assert client.get("/admin/reload").status_code == 405
    assert snapshot(live) is live.current

    client, _ = _admin_app(tmp_path, None)
    absent = client.post("/admin/reload", headers={"Authorization": f"Bearer {SECRET}"})
    assert absent.status_code == 404 and absent.json()["error"] == "not found"


def test_progress_counts_what_the_download_bars_report():
    progress = hub.Progress()
    progress.expect(71_000_000)
    with progress.bar(total=10, initial=0, desc="x", unit="B", unit_scale=True) as bar:
        bar.update(35_000_000)
    assert progress.text() == "35 of 71 MB" and progress.idle() < 5


def test_only_a_remembered_snapshot_is_the_caches_copy(tmp_path):
    sha, other = "a" * 40, "b" * 40
    storage = tmp_path / "models--me--svd"
    for commit in (sha, other):
        (storage / "snapshots" / commit).mkdir(parents=True)
    assert hub.cached("me/svd", "model", cache_dir=tmp_path) is None  # downloaded, never verified
    hub.remember("me/svd", "model", None, sha, cache_dir=tmp_path)
    assert hub.cached("me/svd", "model", cache_dir=tmp_path) == (sha, storage / "snapshots" / sha)
    assert hub.cached("me/svd", "model", sha, cache_dir=tmp_path)[0] == sha  # pinned to a verified commit
    assert hub.cached("me/svd", "model", other, cache_dir=tmp_path) is None  # pinned to an unverified one
    assert hub.cached("me/svd", "model", "v1", cache_dir=tmp_path) is None   # a tag never resolved here


def test_the_timer_checks_the_unpinned_repos_until_stopped(tmp_path, monkeypatch):
    import threading
    from dataclasses import replace

    checks = []
    ticked = threading.Event()

    def check(self, reason="check"):
        checks.append(reason)
        ticked.set()

    monkeypatch.setattr(Live, "_boot", lambda self: None)
    monkeypatch.setattr(Live, "check", check)
    settings = replace(load_settings({"HF_MODEL_REPO": "me/svd"}), hub_check_interval=0.05)
    live = Live(settings, tmp_path, tmp_path, tmp_path)
    live.run_background()
    assert ticked.wait(5) and checks[0] == "timer"
    live.stop()
    pinned = Live(replace(settings, model_revision="v1"), tmp_path, tmp_path, tmp_path)
    pinned.run_background()
    assert [t.name for t in pinned._threads] == ["live-boot"]  # pinned: no timer
    off = Live(replace(settings, hub_check_interval=0.0), tmp_path, tmp_path, tmp_path)
    off.run_background()
    assert [t.name for t in off._threads] == ["live-boot"]


def test_health_says_starting_and_not_ready_until_every_catalogs_pieces_are_loaded(tiny_state, loading):
    """A client polling /health waits for "ready": true; "ok" is never said while a route still answers 503."""
    from dataclasses import replace

    assert TestClient(create_api(loading)).get("/health").json()["ready"] is False  # status "loading", above
    starting = replace(tiny_state, pending=frozenset({"catalogs", "movie_model"}), progress=None)
    client = TestClient(create_api(starting))
    health = client.get("/health").json()
    assert health["status"] == "starting" and health["ready"] is False
    assert health["pending"] == ["catalogs", "movie_model"] and health["movies_model"]["pending"] is True
    assert health["catalogs"]["movies"]["pending"] is True and health["catalogs"]["streaming"]["pending"] is False
    assert client.get("/movies/peliculas_idioma", params={"idioma": "fr"}).status_code == 503
    assert health["catalogs"]["movies"]["status"] == "starting" and health["catalogs"]["streaming"]["status"] == "ok"
    from tests.catalog.test_movies_answers import with_movies

    health = TestClient(create_api(replace(with_movies(tiny_state), pending=frozenset()))).get("/health").json()
    assert health["status"] == "ok" and health["ready"] is True and health["pending"] == []
    assert not any(c["pending"] for c in health["catalogs"].values())
