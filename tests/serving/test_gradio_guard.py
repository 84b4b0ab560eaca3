"""Gradio's own API routes answer bad calls with a 4xx and a plain JSON message (serving/gradio_guard.py).

Before the guard, the served app answered these with 500 "Internal Server Error" or with reprs of Gradio's
components (`<gradio.components.textbox.Textbox object at 0x...>`).
"""
from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.slow  # the real app served on loopback

INTERNALS = ("object at 0x", "Internal Server Error", "Traceback", "gradio.", "/work/", "/tmp/")


@pytest.fixture(scope="module")
def http(served_app):
    with httpx.Client(base_url=served_app.url, timeout=30) as client:
        yield client


def assert_plain_4xx(response: httpx.Response, status: int, words: str) -> None:
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert set(body) == {"error", "detail"} and words in body["detail"], body
    assert not any(bad in response.text for bad in INTERNALS), response.text[:300]


@pytest.mark.parametrize("fn_index", [99999, -1, "x", None, True])
def test_queue_join_with_an_unknown_fn_index_is_a_422(http, fn_index):
    body = {"data": [], "fn_index": fn_index, "session_hash": "abc", "event_data": None, "trigger_id": None}
    assert_plain_4xx(http.post("/gradio_api/queue/join", json=body), 422, "fn_index")


def test_run_predict_needs_one_of_the_pages_events(http):
    # The page posts its unqueued events (an example filling a form) to /run/predict with their fn_index.
    assert_plain_4xx(http.post("/gradio_api/run/predict", json={"data": []}), 422, "fn_index")
    assert_plain_4xx(http.post("/gradio_api/run/predict", json={"data": [], "fn_index": -1}), 422, "fn_index")


@pytest.mark.parametrize("name", ["no_such_endpoint", "x" * 5000])
def test_run_with_an_unknown_api_name_is_a_404(http, name):
    response = http.post(f"/gradio_api/run/{name}", json={"data": []})
    assert_plain_4xx(response, 404, "no API endpoint named")
    assert len(response.text) < 400  # the name is echoed cut short


@pytest.mark.parametrize("route", ["run", "call"])
def test_too_few_inputs_is_a_422_naming_the_count(http, route):
    response = http.post(f"/gradio_api/{route}/recommend", json={"data": ["42"]})
    assert_plain_4xx(response, 422, "'recommend' takes 2 inputs; got 1")


def test_data_that_is_not_a_list_and_bodies_that_are_not_json(http):
    assert_plain_4xx(http.post("/gradio_api/run/recommend", json={"data": "42"}), 422, "must be a list")
    assert_plain_4xx(http.post("/gradio_api/run/recommend", content=b"{not json",
                               headers={"content-type": "application/json"}), 400, "must be JSON")
    assert_plain_4xx(http.post("/gradio_api/run/recommend", json=[1, 2]), 400, "JSON object")


def test_a_foreign_fn_index_on_a_named_route_is_refused(http):
    response = http.post("/gradio_api/run/recommend", json={"data": ["42", "ds1378"], "fn_index": 0})
    assert_plain_4xx(response, 422, "fn_index does not belong")


def test_post_bodies_over_64_kb_are_a_413(http):
    big = {"data": ["x" * 70_000, "ds1378"]}
    assert_plain_4xx(http.post("/gradio_api/run/recommend", json=big), 413, "over 64 KB")
    assert_plain_4xx(http.post("/gradio_api/queue/join", json=big), 413, "over 64 KB")


def test_a_good_call_still_goes_through(http, known_user):
    response = http.post("/gradio_api/run/recommend", json={"data": [str(known_user), "ds1378"]})
    assert response.status_code == 200, response.text[:300]
    markdown, answer = response.json()["data"]
    assert answer["user_id"] == known_user and answer["decision"] in markdown
