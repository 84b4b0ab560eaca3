"""The whole pipeline on a small cut of the real data, in seconds: ETL, trainer, streaming model, similar titles,
the Hub round trip and the app's REST routes in-process (the fast tier; tests/conftest.py builds the cut).

The same checks on the full data and the served app are the slow tests (test_etl, test_train, test_streaming_model,
test_similar, test_hub, test_app_*).
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import config
from catalog import STREAMING
from errors import InputError
from serving.api import create_api
from serving.artifacts import MANIFEST_FILE, load_artifacts
from tests.conftest import SMALL_STRAY_RATINGS, rated_titles

UNKNOWN_USER = 10**9


@pytest.fixture(scope="module")
def small_titles_table(small_processed) -> pd.DataFrame:
    return pd.read_parquet(small_processed / STREAMING.name / config.TITLES_FILE)


@pytest.fixture(scope="module")
def predictor(tiny_state):
    return tiny_state.require_model()


@pytest.fixture(scope="module")
def known_user(predictor) -> int:
    """The user with the most training ratings in the tiny model."""
    return int(max(predictor.user_ids, key=predictor.n_rated))


@pytest.fixture(scope="module")
def api(tiny_state) -> TestClient:
    return TestClient(create_api(tiny_state))


# ---- ETL --------------------------------------------------------------------------------------------------

def test_etl_keeps_every_title_and_the_catalog_ratings(small_processed, small_titles_table):
    report = json.loads((small_processed / STREAMING.name / config.ETL_REPORT_FILE).read_text(encoding="utf-8"))
    titles = small_titles_table
    ratings = pd.read_parquet(small_processed / STREAMING.name / config.RATINGS_FILE)
    per_platform = titles.groupby("platform").size().to_dict()
    assert per_platform == {p: 100 for p in config.PLATFORMS}
    assert titles[config.COL_ID].is_unique and len(titles) == report["titles"]["rows"] == 400
    assert report["ratings"]["rows_out"] == len(ratings) > 1000
    assert not ratings.duplicated([config.COL_USER, config.COL_ITEM]).any()  # one row per (user, title)
    assert set(ratings[config.COL_ITEM]) <= set(titles[config.COL_ID])
    assert ratings[config.COL_RATING].between(config.RATING_MIN, config.RATING_MAX).all()
    assert report["ratings"]["superseded_files"] == ["ratings/7.parquet"]  # the timestamped twin won


def test_etl_quarantines_ratings_of_titles_outside_the_catalog(small_processed):
    quarantine = pd.read_csv(small_processed / STREAMING.name / config.QUARANTINE_FILE)
    stray = quarantine[quarantine["reason"] == "movieId is not a catalog title"]
    assert len(stray) == 2 * SMALL_STRAY_RATINGS  # from each of the two ratings files read
    assert set(stray["file"]) == {"ratings/1.parquet", "ratings/7_with_timestamp.parquet"}


def test_etl_scores_are_the_mean_of_the_kept_ratings(small_processed, small_titles_table):
    ratings = pd.read_parquet(small_processed / STREAMING.name / config.RATINGS_FILE)
    means = ratings.groupby(config.COL_ITEM)[config.COL_RATING].mean()
    scored = small_titles_table.set_index(config.COL_ID)[config.COL_SCORE].dropna()
    assert len(scored) > 100
    common = scored.index.intersection(means.index)
    assert len(common) == len(scored)
    assert np.allclose(scored[common].to_numpy(), means[common].to_numpy(), atol=0.01)


# ---- trainer and StreamingModel ---------------------------------------------------------------------------

def test_trainer_writes_verified_artifacts_with_card_and_metrics(tiny_artifacts):
    model_dir = tiny_artifacts / STREAMING.name
    artifacts = load_artifacts(model_dir)  # verifies every checksum and the format version
    manifest = json.loads((model_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert {"README.md", "metrics.json"} <= set(manifest["files"])
    assert "user_factors" in artifacts.arrays and "similar_idx" in artifacts.arrays
    metrics = json.loads((model_dir / "metrics.json").read_text(encoding="utf-8"))
    assert "SVD" in json.dumps(metrics)


def test_prediction_is_clipped_explained_and_decided_at_the_threshold(predictor, known_user):
    title = str(rated_titles(predictor, known_user)[0])
    p = predictor.predict(known_user, title)
    terms = p.explanation
    assert config.RATING_MIN <= p.rating <= config.RATING_MAX
    assert terms.raw_estimate == pytest.approx(terms.global_mean + terms.user_bias + terms.title_bias
                                               + terms.factor_term)
    assert p.rating == pytest.approx(min(config.RATING_MAX, max(config.RATING_MIN, terms.raw_estimate)))
    assert p.recommend == (p.rating >= p.threshold) and terms.fallback is None and terms.known_user


def test_unknown_user_falls_back_to_the_title_bias(predictor):
    title = str(predictor.item_ids[0])
    p = predictor.predict(UNKNOWN_USER, title)
    assert p.explanation.fallback == "unknown user" and not p.explanation.known_user
    assert p.explanation.user_bias == 0 and p.explanation.factor_term == 0


def test_top_n_is_ranked_and_leaves_out_rated_titles(predictor, known_user):
    top = predictor.top_n(known_user, 10)
    assert list(top.columns) == [config.COL_ID, "predicted_rating", "recommend"] and len(top) == 10
    assert top["predicted_rating"].is_monotonic_decreasing
    assert not set(top[config.COL_ID]) & set(rated_titles(predictor, known_user))
    assert (top["recommend"] == (top["predicted_rating"] >= predictor.threshold)).all()
    netflix = predictor.top_n(known_user, 5, platform="Netflix", content_type="movie")
    assert netflix[config.COL_ID].str.startswith("n").all()


@pytest.mark.parametrize("kwargs, message", [({"n": 0}, "n must be"), ({"platform": "hbo"}, "platform")])
def test_top_n_bad_arguments_are_input_errors(predictor, known_user, kwargs, message):
    with pytest.raises(InputError, match=message):
        predictor.top_n(known_user, **{"n": 5, **kwargs})


# ---- similar titles -----------------------------------------------------------------------------------

def test_similar_titles_best_first_never_itself(tiny_state, small_titles_table):
    engine = tiny_state.require_similar()
    seed = str(small_titles_table[config.COL_ID].iloc[0])
    items = engine.similar(seed, n=5)
    assert len(items) == 5 and seed not in {item[config.COL_ID] for item in items}
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    hulu = engine.similar(seed, n=5, platform="hulu")
    assert hulu and {item["platform"] for item in hulu} == {"hulu"}
    with pytest.raises(InputError):
        engine.similar("no such title at all", n=5)


# ---- Hub: publish the tiny model and the small catalog, pull them back ---------------------------------

def test_publish_then_pull_round_trips_byte_identical(hub_server, tiny_artifacts, small_processed, monkeypatch,
                                                       tmp_path):
    from model.publish import main as publish
    from serving.hub import pull

    monkeypatch.setenv("HF_TOKEN", hub_server.token)
    monkeypatch.setenv("HF_ENDPOINT", hub_server.url)
    monkeypatch.delenv("HF_MODEL_REPO", raising=False)
    monkeypatch.delenv("HF_DATASET_REPO", raising=False)
    assert publish(["--model-repo", "me/svd", "--dataset-repo", "me/catalog", "--artifacts-dir", str(tiny_artifacts),
                    "--processed-dir", str(small_processed), "--reports-dir", str(tmp_path / "no-reports")]) == 0
    hub = dict(endpoint=hub_server.url, token=hub_server.token, cache_dir=tmp_path / "cache", timeout=10)
    model = pull("me/svd", "model", local=tmp_path / "none", required=f"{STREAMING.name}/{MANIFEST_FILE}", **hub)
    titles = f"{STREAMING.name}/{config.TITLES_FILE}"  # each catalog in its folder, as in data/processed
    data = pull("me/catalog", "dataset", local=tmp_path / "none", required=titles, **hub)
    assert model.origin == data.origin == "hub"
    local = tiny_artifacts / STREAMING.name
    for name in json.loads((local / MANIFEST_FILE).read_text(encoding="utf-8"))["files"]:
        assert (model.path / STREAMING.name / name).read_bytes() == (local / name).read_bytes(), name
    assert (data.path / titles).read_bytes() == (small_processed / titles).read_bytes()


# ---- the app's REST routes, in-process -----------------------------------------------------------------

def test_health_says_everything_is_loaded(tiny_state, tiny_artifacts):
    from tests.catalog.test_movies_answers import with_movies

    health = TestClient(create_api(with_movies(tiny_state))).get("/health").json()
    assert health["status"] == "ok" and health["similar_titles"] is True
    assert all(c["status"] == "ok" for c in health["catalogs"].values()), health["catalogs"]
    manifest = json.loads((tiny_artifacts / STREAMING.name / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert health["model"]["checksums"] == {name: entry["sha256"] for name, entry in manifest["files"].items()}


def test_health_judges_every_catalog_a_missing_movies_piece_is_degraded(api):
    """The small data has no Movies tables or model: the streaming catalog is ok, the Movies one names what is
    missing, and the app as a whole is degraded."""
    health = api.get("/health").json()
    streaming, movies = health["catalogs"]["streaming"], health["catalogs"]["movies"]
    assert streaming["status"] == "ok" and all(p["loaded"] for p in streaming["models"].values())
    assert movies["status"] == "degraded" and movies["loaded"] is False and "movies.parquet" in movies["error"]
    assert movies["models"]["movie_model"]["loaded"] is False and movies["models"]["movie_model"]["error"]
    assert health["status"] == "degraded" and health["ready"] is True


def test_recommend_known_user_matches_the_predictor(api, predictor, known_user, small_titles_table):
    title_id = str(predictor.item_ids[-1])
    answer = api.get("/recommend", params={"user_id": known_user, "title_id": title_id}).json()
    p = predictor.predict(known_user, title_id)
    assert answer["predicted_rating"] == round(p.rating, 4) and answer["recommend"] == p.recommend
    assert answer["known_user"] is True and answer["explanation"]
    title = small_titles_table.set_index(config.COL_ID).loc[title_id, "title"]
    by_title = api.get("/recommend", params={"user_id": known_user, "title_id": title.upper()})
    assert by_title.status_code == 200 and by_title.json()["title_id"] == title_id


def test_recommend_unknown_user_gets_a_notice_and_alternatives(api, predictor):
    answer = api.get("/recommend", params={"user_id": UNKNOWN_USER, "title_id": str(predictor.item_ids[0])}).json()
    assert answer["known_user"] is False and answer["notice"] and answer["alternatives"]


def test_top_n_route(api, predictor, known_user):
    answer = api.get("/top_n", params={"user_id": known_user, "n": "5"}).json()
    ids = [item[config.COL_ID] for item in answer["items"]]
    assert answer["known_user"] is True and ids == predictor.top_n(known_user, 5)[config.COL_ID].tolist()
    cold = api.get("/top_n", params={"user_id": UNKNOWN_USER, "n": 4}).json()
    assert cold["known_user"] is False and cold["notice"] and len(cold["items"]) == 4


def test_similar_and_search_routes(api, small_titles_table):
    first = small_titles_table.iloc[0]
    similar = api.get("/similar", params={"title_id": first[config.COL_ID], "n": 3}).json()
    assert similar["title_id"] == first[config.COL_ID] and similar["n"] == len(similar["items"]) == 3
    found = api.get("/search", params={"q": first["title"][:8], "limit": 5}).json()["items"]
    assert first[config.COL_ID] in [item[config.COL_ID] for item in found]


def test_a_catalog_question_answers_like_the_catalog(api, tiny_state):
    answer = api.get("/count_platform/netflix").json()
    assert answer == json.loads(json.dumps(tiny_state.queries["streaming"].get_count_platform("netflix")))
    assert answer["count"] > 0


@pytest.mark.parametrize("url, status, words", [
    ("/top_n?user_id=abc", 400, "user id"),
    ("/count_platform/netflx", 400, "Did you mean 'netflix'"),
    ("/search?q=toy&limit=0", 400, "limit must be"),
    ("/recommend?user_id=1", 422, "title_id (query): Field required"),
    ("/no_such_route", 404, "no route GET /no_such_route"),
])
def test_bad_requests_are_readable_json_errors(api, url, status, words):
    response = api.get(url)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"} and words in body["detail"]
