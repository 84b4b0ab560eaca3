"""Replays a recorded set of requests and compares every answer byte for byte: a reshaping of the code must leave
what clients see unchanged.

The surface: every REST route with its parameters (from the OpenAPI), every public api_name of the UI with its
parameters, and every deep-linkable tab. The answers: each declared catalog question with each of its examples,
the model routes of both catalogs with valid and invalid inputs, over the fast tier's in-process app (the small
data, the tiny streaming model, the hand-made Movies rows and the tiny Movies model of the hostile-input tests).

A change that is meant to change answers re-records them on purpose:
`REPLAY_RECORD=1 pytest tests/serving/test_replay.py` writes tests/serving/replay/answers.json, and the diff shows
what changed.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import catalog
from tests.serving.test_adversarial import asgi_get

RECORDED = Path(__file__).parent / "replay" / "answers.json"

MODEL_GETS = [
    "/recommend?user_id={user}&title_id=ns1", "/recommend?user_id={user}&title_id=toy%20story",
    "/recommend?user_id=abc&title_id=ns1", "/recommend?user_id=999999999&title_id=ns1",
    "/recommend?user_id={user}&title_id=zz999",
    "/top_n?user_id={user}&n=5", "/top_n?user_id={user}&n=5&platform=netflix&type=movie",
    "/top_n?user_id={user}&n=0", "/top_n?user_id={user}&platform=hbo",
    "/similar?title_id=ns1&n=5", "/similar?title_id=as1&n=3&platform=amazon", "/similar?title_id=nope",
    "/search?q=love&limit=5", "/search?q=lov%20actualy", "/search?q=",
    "/movies/recommend?user_id=1&movie_id=10", "/movies/recommend?user_id=1&title=film%203",
    "/movies/recommend?user_id=77&movie_id=10", "/movies/recommend?user_id=1&movie_id=10&title=x",
    "/movies/top_n?user_id=1&n=5", "/movies/top_n?user_id=2&n=3&genre=Horror",
    "/movies/top_n?user_id=2&n=5&year_from=1990&year_to=2000", "/movies/top_n?user_id=2&year_from=2000&year_to=1990",
    "/movies/similar?movie_id=10&n=4", "/movies/similar?title=film%2025&n=3", "/movies/similar?title=film%204",
    "/movies/similar?movie_id=123456",
    "/movies/search?q=film%201&limit=5", "/movies/search?q=",
]
VISITOR_POSTS = [
    {"ratings": [{"movie": 10, "rating": 5}, {"movie": 20, "rating": 4.5}, {"movie": 30, "rating": 4}], "n": 5},
    {"ratings": [{"movie": 250, "rating": 5}, {"movie": "film 30", "rating": 5}, {"movie": 330, "rating": 1}]},
    {"ratings": [{"movie": 10, "rating": 5}]},
    {"ratings": [{"movie": 10, "rating": 7}, {"movie": 20, "rating": 4}, {"movie": 30, "rating": 4}]},
    {"ratings": "not a list"},
]
VOLATILE = {"/health"}  # times, versions and checksums of this run's files


def asgi_post(app, path: str, body: dict) -> tuple[int, bytes]:
    import asyncio

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
             "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    payload, sent = json.dumps(body).encode(), []

    async def receive() -> dict:
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.fixture(scope="module")
def state(tiny_state):
    """The hostile-input tests' state: the small data, the tiny model, the hand-made Movies rows and model."""
    import dataclasses

    import pandas as pd

    from catalog.movies.queries import MoviesCatalog
    from tests.catalog.test_movies_answers import _model
    from tests.catalog.test_movies_queries import ROWS

    return dataclasses.replace(tiny_state, queries={**tiny_state.queries, "movies": MoviesCatalog(pd.DataFrame(ROWS))},
                               query_errors={}, movie_model=_model())


@pytest.fixture(scope="module")
def api(state):
    from serving.api import create_api

    return create_api(state)


@pytest.fixture(scope="module")
def model_api(state):
    """The same, with the Movies model's own test catalog (films 10, 20, ..., 400 and two unrated ones)."""
    import dataclasses

    from serving.api import create_api
    from tests.catalog.test_movies_answers import _catalog

    return create_api(dataclasses.replace(state, queries={**state.queries, "movies": _catalog()}))


@pytest.fixture(scope="module")
def demo(state):
    from serving.ui import build_ui

    return build_ui(state)


def surface(api, demo) -> dict:
    """Routes with their parameters, public api_names with their parameters, linkable tabs."""
    routes = {}
    for path, methods in sorted(api.openapi()["paths"].items()):
        for method, op in sorted(methods.items()):
            routes[f"{method.upper()} {path}"] = sorted(p["name"] for p in op.get("parameters", []))
    api_info = demo.get_api_info()
    api_names = {name: [p["parameter_name"] for p in info["parameters"]]
                 for name, info in sorted(api_info["named_endpoints"].items())}
    return {"routes": routes, "api_names": api_names}


def answers(api, model_api, user: int) -> dict:
    out = {}
    for spec in catalog.CATALOGS:
        for route in spec.routes:
            for row in route.question.examples:
                values = {p.name: v for p, v in zip(route.question.params, row) if v is not None}
                path = route.path
                query = []
                for name, value in values.items():
                    if "{" + name + "}" in path:
                        path = path.replace("{" + name + "}", str(value))
                    else:
                        query.append(f"{name}={value}")
                url = path + ("?" + "&".join(query) if query else "")
                status, _, body = asgi_get(api, url.replace(" ", "%20"))
                out[f"GET {url}"] = [status, json.loads(body)]
    for template in MODEL_GETS:
        url = template.format(user=user)
        status, _, body = asgi_get(model_api if url.startswith("/movies/") else api, url)
        out[f"GET {url}"] = [status, json.loads(body)]
    for body in VISITOR_POSTS:
        status, raw = asgi_post(model_api, "/movies/for_visitor", body)
        out[f"POST /movies/for_visitor {json.dumps(body, sort_keys=True)}"] = [status, json.loads(raw)]
    return out


def test_the_recorded_requests_answer_the_same(api, model_api, demo, state):
    user = int(state.predictor.user_ids[0])
    now = {"surface": surface(api, demo), "answers": answers(api, model_api, user)}
    if os.environ.get("REPLAY_RECORD") == "1":
        RECORDED.parent.mkdir(exist_ok=True)
        RECORDED.write_text(json.dumps(now, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert now["surface"] == recorded["surface"]
    changed = [key for key in recorded["answers"] if now["answers"].get(key) != recorded["answers"][key]]
    assert not changed, f"{len(changed)} answers changed, e.g. {changed[:5]}"
    assert now["answers"].keys() == recorded["answers"].keys()


def test_a_root_alias_catalog_answers_the_same_under_its_prefix(api, state):
    """The streaming catalog's root routes are an alias: each question and model route answers the same bytes
    under /streaming/ (query parameters there, as under every prefix)."""
    user = int(state.predictor.user_ids[0])
    for spec in (s for s in catalog.CATALOGS if s.root_alias):
        for question in spec.questions:
            values = {p.name: v for p, v in zip(question.params, question.examples[0]) if v is not None}
            root, prefixed = spec.route(question, at_root=True), spec.route(question)
            path = root.path.replace("{" + str(root.path_param) + "}", str(values.pop(root.path_param, "")))
            query = "&".join(f"{k}={v}" for k, v in values.items()).replace(" ", "%20")
            full = "&".join(f"{p.name}={v}" for p, v in zip(question.params, question.examples[0])
                            if v is not None).replace(" ", "%20")
            assert asgi_get(api, f"{path}?{query}")[2] == asgi_get(api, f"{prefixed.path}?{full}")[2], question.short
        for url in (f"/recommend?user_id={user}&title_id=ns1", f"/top_n?user_id={user}&n=3", "/similar?title_id=ns1",
                    "/search?q=love", "/top_n?user_id=abc"):
            assert asgi_get(api, url)[:3:2] == asgi_get(api, f"/{spec.prefix}{url}")[:3:2], url
