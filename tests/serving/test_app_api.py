"""The REST API of the served app (python app.py on loopback), called over HTTP: every route, good and bad input.

Good answers are checked against the real catalog and the trained artifacts; bad input must be a 4xx with
{"error", "detail"} whose detail says what was wrong, never a 500.
"""
from __future__ import annotations

from urllib.parse import quote, urlencode

import httpx
import numpy as np
import pytest

from catalog import STREAMING
from serving.artifacts import FORMAT_VERSION

pytestmark = pytest.mark.slow
ROUTES = STREAMING.routes

# Bad input for every catalog route: (url, expected status, words the detail must contain).
BAD_QUERIES = {
    "/max_duration": [("/max_duration?year=abc", 400, "year must be a whole number"),
                      ("/max_duration?duration_type=hours", 400, "duration_type must be one of"),
                      ("/max_duration?platform=hbo", 400, "Unknown platform")],
    "/score_count": [("/score_count?platform=netflix&scored=9&year=2018", 400, "scored must be a number from 0.5"),
                     ("/score_count?platform=netflix&scored=3.5", 422, "year (query): Field required")],
    "/count_platform": [("/count_platform/netflx", 400, "Did you mean 'netflix'")],
    "/actor": [("/actor?platform=netflix&year=1800", 400, "outside the catalog's range"),
               ("/actor?year=2019", 422, "platform (query): Field required")],
    "/contents": [("/contents/xx-99", 400, "rating must be one of")],
    "/prod_per_county": [("/prod_per_county?tipo=cartoon&pais=india&anio=2019", 400, "tipo must be one of"),
                         ("/prod_per_county?tipo=movie&pais=india&anio=20x9", 400, "anio must be a whole number")],
    "/word_count": [("/word_count?platform=netflix&keyword=%20", 400, "keyword is required"),
                    ("/word_count?platform=netflix&keyword=!!", 400, "keyword must contain a letter")],
    "/second_score": [("/second_score/hbo", 400, "Unknown platform")],
    "/listedin": [("/listedin/%20", 400, "genre is required")],
}


def query_url(route, row: tuple) -> str:
    """The REST URL of a catalog question: one parameter in the path, several as query parameters."""
    if route.path_param:
        return route.path.replace(f"{{{route.path_param}}}", quote(str(row[0])))
    params = {p.name: v for p, v in zip(route.question.params, row, strict=True) if v is not None}
    return f"{route.path}?{urlencode(params)}"


@pytest.fixture(scope="module")
def http(served_app):
    with httpx.Client(base_url=served_app.url, timeout=30) as client:
        yield client


def assert_error(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "detail"}, body
    assert words in str(body["detail"]), body


# ---- service routes ------------------------------------------------------------------------------------
def test_health_lists_loaded_artifacts_with_checksums(http, app_artifacts):
    body = http.get("/health").json()
    assert body["status"] == "ok"
    assert body["model"]["loaded"] and body["data"]["loaded"] and body["similar_titles"]
    # Where from, without local paths: "local" or repo@revision (the paths are in the log).
    assert body["model"]["source"] == body["data"]["source"] == "local" and body["model"]["kind"] == "local"
    assert str(app_artifacts) not in str(body) and "location" not in body["model"]
    assert body["model"]["format_version"] == FORMAT_VERSION and body["model"]["built_at"]
    assert {"user_factors.npy", "item_factors.npy", "similar_idx.npy"} <= set(body["model"]["checksums"])
    assert all(len(sha) == 64 for sha in body["model"]["checksums"].values())
    assert set(body["data"]["checksums"]) == {"titles.parquet", "ratings.parquet"}


def test_docs_and_openapi_document_every_route(http):
    assert http.get("/docs").status_code == 200
    paths = set(http.get("/openapi.json").json()["paths"])
    expected = {"/health", "/recommend", "/top_n", "/similar", "/search"}
    expected |= {route.path for route in ROUTES}
    assert {"/count_platform/{platform}", "/contents/{rating}", "/second_score/{platform}", "/listedin/{genre}",
            "/max_duration", "/score_count", "/actor", "/prod_per_county", "/word_count"} <= expected
    assert expected <= paths, expected - paths


def test_unknown_route_is_json_404_and_a_wrong_method_405(http):
    assert_error(http.get("/no_such_route"), 404, "no route GET /no_such_route")
    assert_error(http.get("/count_platform/"), 404, "see /docs")
    response = http.post("/health")
    assert_error(response, 405, "POST is not allowed on /health; allowed: GET, HEAD")
    assert response.headers["allow"] == "GET, HEAD"


# ---- the catalog questions -------------------------------------------------------------------------------
@pytest.mark.parametrize("route", ROUTES, ids=[r.api_name for r in ROUTES])
def test_catalog_route_answers_like_the_catalog(http, real_catalog, route):
    for row in route.question.examples:
        response = http.get(query_url(route, row))
        assert response.status_code == 200, response.text
        assert response.json() == route.question.run(real_catalog, *row)
        assert response.json()["message"] is None


def test_catalog_answer_shapes(http, real_catalog):
    longest = http.get("/max_duration?year=2018&platform=netflix&duration_type=min").json()
    assert {"title", "id", "platform", "release_year", "duration_int", "duration_type"} <= set(longest)
    assert (longest["platform"], longest["release_year"], longest["duration_type"]) == ("netflix", 2018, "min")
    count = http.get("/count_platform/Netflix").json()
    assert count == {"platform": "netflix", "count": real_catalog.get_count_platform("netflix")["count"],
                     "message": None}
    scored = http.get("/score_count?platform=netflix&scored=3.5&year=2018").json()
    assert {"count", "platform", "scored", "year"} <= set(scored) and scored["count"] > 0
    actor = http.get("/actor?platform=netflix&year=2019").json()
    assert {"actor", "count", "platform", "year"} <= set(actor) and actor["count"] > 1
    listed = http.get("/contents/tv-ma").json()
    assert listed["count"] == len(listed["items"]) > 0 and {"id", "title"} <= set(listed["items"][0])


@pytest.mark.parametrize("api_name", sorted(BAD_QUERIES))
def test_catalog_route_bad_input_is_a_readable_4xx(http, api_name):
    for url, status, words in BAD_QUERIES[api_name]:
        assert_error(http.get(url), status, words)


def test_every_catalog_route_has_bad_input_cases():
    assert set(BAD_QUERIES) == {"/" + route.api_name for route in ROUTES}


# ---- the model routes ----------------------------------------------------------------------------------
def test_recommend_known_user(http, known_user):
    body = http.get("/recommend", params={"user_id": known_user, "title_id": "ds1378"}).json()
    assert {"user_id", "title_id", "title", "predicted_rating", "threshold", "recommend", "explanation"} <= set(body)
    assert (body["user_id"], body["title_id"], body["title"]) == (known_user, "ds1378", "toy story")
    assert isinstance(body["recommend"], bool) and body["threshold"] == 3.5
    assert 0.5 <= body["predicted_rating"] <= 5.0
    assert body["recommend"] == (body["predicted_rating"] >= body["threshold"])
    assert body["known_user"] and "this user rates" in body["explanation"] and "threshold" in body["explanation"]
    # The explanation's terms add up to the prediction (the SVD estimate, unclipped here).
    t = body["terms"]
    assert t["global_mean"] + t["user_bias"] + t["title_bias"] + t["factor_term"] == pytest.approx(t["raw_estimate"])


def test_recommend_by_exact_title_and_any_case(http, known_user):
    body = http.get("/recommend", params={"user_id": f" {known_user} ", "title_id": "Toy Story"}).json()
    assert body["title_id"] == "ds1378"


def test_recommend_unknown_user_gets_cold_start_notice_and_alternatives(http):
    body = http.get("/recommend", params={"user_id": 999_999_999, "title_id": "ds1378"}).json()
    assert body["known_user"] is False and "no ratings" in body["notice"]
    assert body["basis"] == "similar_to_seed"  # titles like the one asked about
    assert len(body["alternatives"]) == 5 and "toy story 2" in {i["title"] for i in body["alternatives"]}


def test_top_n_unknown_user_gets_cold_start_list(http):
    body = http.get("/top_n", params={"user_id": 999_999_999, "n": 6, "platform": "hulu"}).json()
    assert body["known_user"] is False and body["basis"] == "newest_titles" and "no ratings" in body["notice"]
    assert len(body["items"]) == 6 and {i["platform"] for i in body["items"]} == {"hulu"}


@pytest.mark.parametrize("params, status, words", [
    ({"user_id": "abc", "title_id": "ds1378"}, 400, "user id must be a positive whole number"),
    ({"user_id": "-3", "title_id": "ds1378"}, 400, "user id must be"),
    ({"title_id": "ds1378"}, 422, "user_id (query): Field required"),
    ({"user_id": "1"}, 422, "title_id (query): Field required"),
    ({"user_id": "1", "title_id": "toy storz"}, 400, "did you mean: 'toy story'"),
    ({"user_id": "1", "title_id": "ns99999"}, 400, "unknown title id 'ns99999'"),
    ({"user_id": "1", "title_id": " "}, 400, "empty title"),
])
def test_recommend_bad_input(http, params, status, words):
    assert_error(http.get("/recommend", params=params), status, words)


def test_top_n_filters_and_leaves_out_rated_titles(http, known_user, app_artifacts):
    body = http.get("/top_n", params={"user_id": known_user, "n": 7, "platform": "Disney+", "type": "movie"}).json()
    items = body["items"]
    assert len(items) == 7 and body["platform"] == "disney" and body["type"] == "movie"
    assert all(i["platform"] == "disney" and i["type"] == "movie" and i["title"] for i in items)
    ratings = [i["predicted_rating"] for i in items]
    assert ratings == sorted(ratings, reverse=True)
    model_dir = app_artifacts / STREAMING.name
    ids = np.load(model_dir / "user_ids.npy")
    indptr, rated = np.load(model_dir / "rated_indptr.npy"), np.load(model_dir / "rated_items.npy")
    item_ids = np.load(model_dir / "item_ids.npy")
    u = int(np.searchsorted(ids, known_user))
    rated_ids = set(item_ids[rated[indptr[u]:indptr[u + 1]]].tolist())
    assert body["n_rated"] == len(rated_ids) > 0
    every = http.get("/top_n", params={"user_id": known_user, "n": 100}).json()["items"]
    assert not rated_ids & {i["id"] for i in every}


@pytest.mark.parametrize("params, words", [
    ({"user_id": "1", "n": "0"}, "n must be a whole number from 1"),
    ({"user_id": "1", "n": "ten"}, "n must be a whole number"),
    ({"user_id": "1", "platform": "hbo"}, "Unknown platform"),
    ({"user_id": "1", "type": "cartoon"}, "type must be one of"),
    ({"user_id": "x"}, "user id must be"),
])
def test_top_n_bad_input(http, params, words):
    assert_error(http.get("/top_n", params=params), 400, words)


def test_similar_titles(http):
    body = http.get("/similar", params={"title_id": "ds1378", "n": 5}).json()
    assert body["title_id"] == "ds1378" and body["title"] == "toy story" and len(body["items"]) == 5
    assert "ds1378" not in {i["id"] for i in body["items"]}
    assert "toy story 2" in {i["title"] for i in body["items"]}
    netflix = http.get("/similar", params={"title_id": "toy story", "n": 3, "platform": "netflix"}).json()
    assert len(netflix["items"]) == 3 and {i["platform"] for i in netflix["items"]} == {"netflix"}


@pytest.mark.parametrize("params, status, words", [
    ({"title_id": "toy storz"}, 400, "did you mean"),
    ({"title_id": "ds1378", "n": "5000"}, 400, "n must be a whole number from 1"),
    ({"title_id": "ds1378", "platform": "hbo"}, 400, "Unknown platform"),
    ({"n": "3"}, 422, "title_id (query): Field required"),
    ({"title_id": "x" * 1000}, 400, "a title is at most 200 characters"),
])
def test_similar_bad_input(http, params, status, words):
    assert_error(http.get("/similar", params=params), status, words)


def test_search(http):
    body = http.get("/search", params={"q": "TOY STOR", "limit": 3}).json()
    assert body["query"] == "TOY STOR" and len(body["items"]) == 3
    assert body["items"][0]["id"] == "ds1378" and {"id", "title"} <= set(body["items"][0])


def test_search_limit_is_parsed_like_n(http):
    # The same parser as /top_n's n: number widgets send "10.0".
    assert len(http.get("/search", params={"q": "love", "limit": "10.0"}).json()["items"]) == 10


@pytest.mark.parametrize("params, status, words", [
    ({"q": "  "}, 400, "q is required"),
    ({}, 422, "q (query): Field required"),
    ({"q": "toy", "limit": "0"}, 400, "limit must be a whole number from 1 to 50"),
    ({"q": "toy", "limit": "ten"}, 400, "limit must be a whole number from 1 to 50"),
    ({"q": "toy", "limit": "10.5"}, 400, "limit must be a whole number from 1 to 50"),
    ({"q": "x" * 1000}, 400, "a title is at most 200 characters"),
])
def test_search_bad_input(http, params, status, words):
    assert_error(http.get("/search", params=params), status, words)


def test_model_and_catalog_from_different_builds_is_a_readable_4xx(streaming_processed, app_artifacts, titles):
    # The real API in-process over a state whose similar-title data covers only the first 200 titles.
    from fastapi.testclient import TestClient

    from catalog.streaming.similar import SimilarTitles
    from model.content import build_neighbours
    from serving.api import create_api
    from serving.state.loading import load_state

    state = load_state(streaming_processed, app_artifacts)
    state.similar = SimilarTitles(titles, build_neighbours(titles.iloc[:200]), index=state.index)
    with TestClient(create_api(state), raise_server_exceptions=False) as client:
        for url in ("/similar?title_id=toy%20story", "/recommend?user_id=999999999&title_id=ds1378"):
            assert_error(client.get(url), 400, "no similar-title data in the loaded model; the model and the "
                                               "catalog come from different builds: retrain")


def test_documented_count_ranges_are_the_enforced_ones(http, known_user):
    spec = http.get("/openapi.json").json()["paths"]
    for path, name, top in (("/top_n", "n", 100), ("/similar", "n", 100), ("/search", "limit", 50)):
        [param] = [p for p in spec[path]["get"]["parameters"] if p["name"] == name]
        assert f"1-{top}." in param["description"], (path, param)
    assert len(http.get("/similar", params={"title_id": "ds1378", "n": "100"}).json()["items"]) == 100
    # n is 1 to 100 for every list, the UI's slider range too: a REST client asking for more is told so.
    assert_error(http.get("/similar", params={"title_id": "ds1378", "n": "101"}), 400, "from 1 to 100")
    assert_error(http.get("/top_n", params={"user_id": known_user, "n": "101"}), 400, "from 1 to 100")
    assert_error(http.get("/search", params={"q": "love", "limit": "51"}), 400, "from 1 to 50")


def test_type_filter_keeps_its_rest_name(http, known_user):
    # Python says content_type (no builtin shadowing); the query parameter and the JSON key stay "type".
    body = http.get("/top_n", params={"user_id": known_user, "n": 3, "type": "tv"}).json()
    assert body["type"] == "tv show" and {i["type"] for i in body["items"]} == {"tv show"}
    assert {i["type"] for i in http.get("/similar", params={"title_id": "ds1378", "n": 3, "type": "tv"}).json()[
        "items"]} == {"tv show"}
    names = [p["name"] for p in http.get("/openapi.json").json()["paths"]["/top_n"]["get"]["parameters"]]
    assert names == ["user_id", "n", "platform", "type"]


# ---- one rule at every door (the hardening issue's findings) ----------------------------------------------
NOT_ASCII_42 = ["٤٢", "４２", "𝟒𝟐", "4_2"]


@pytest.mark.parametrize("user_id", NOT_ASCII_42)
def test_user_ids_in_other_digits_are_rejected(http, user_id):
    assert_error(http.get("/recommend", params={"user_id": user_id, "title_id": "ds1378"}), 400, "user id must be")
    assert_error(http.get("/top_n", params={"user_id": user_id}), 400, "user id must be")


@pytest.mark.parametrize("url, words", [
    ("/actor?platform=netflix&year=2_019", "year must be a whole number"),
    ("/actor?platform=netflix&year=2019.0000000000001", "year must be a whole number"),
    ("/max_duration?year=2_019", "year must be a whole number"),
    ("/score_count?platform=netflix&scored=3.5&year=%D9%A2%D9%A0%D9%A1%D9%A9", "year must be a whole number"),
    ("/prod_per_county?tipo=movie&pais=india&anio=2019.0000000000001", "anio must be a whole number"),
    ("/top_n?user_id=1&n=1_0", "n must be a whole number from 1 to 100"),
    ("/similar?title_id=ds1378&n=1_0", "n must be a whole number from 1 to 100"),
    ("/search?q=toy&limit=1_0", "limit must be a whole number from 1 to 50"),
])
def test_numbers_must_be_ascii_digits(http, url, words):
    assert_error(http.get(url), 400, words)


LONG = "q" * 10_000  # the longest a URL gets through the HTTP server (16 KB); 100 KB: tests/serving/test_doors.py


@pytest.mark.parametrize("url", [
    "/recommend?user_id=LONG&title_id=ds1378", "/top_n?user_id=1&n=LONG", "/top_n?user_id=1&platform=LONG",
    "/similar?title_id=ds1378&type=LONG", "/actor?platform=netflix&year=LONG", "/contents/LONG",
    "/listedin/LONG", "/word_count?platform=LONG&keyword=love", "/no_such_route/LONG",
])
def test_errors_echo_at_most_about_80_characters_of_input(http, url):
    response = http.get(url.replace("LONG", LONG))
    assert 400 <= response.status_code < 500 and response.text.count("q") <= 100, response.text[:300]
