"""The REST door's input rules on a small in-process app (the 13-title fixture, no model): fast.

Regression tests for the hardening issue at REST: a 100 KB input is never echoed back whole, /listedin
included; Unicode digits and underscores are not numbers. A 100 KB URL is more than the HTTP server (16 KB)
or httpx (64 KB) take, so those requests go straight to the ASGI app. tests/serving/test_app_api.py and
tests/serving/test_app_client.py check the same rules on the served app, at REST and gradio_client.
"""
from __future__ import annotations

import asyncio
import json
from urllib.parse import quote, unquote

import pytest

BIG = "q" * 100_000


def asgi_get(app, url: str) -> tuple[int, dict]:
    """GET `url` from an ASGI app directly (no URL length limit): (status, JSON body)."""
    path, _, query = url.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": unquote(path), "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
             "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 1), "server": ("testserver", 80)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import pandas as pd
    from fastapi.testclient import TestClient

    from serving.api import create_api
    from serving.state.loading import load_state
    from tests.conftest import SMALL_TITLES_COLUMNS, SMALL_TITLES_ROWS

    root = tmp_path_factory.mktemp("doors")
    (root / "processed").mkdir()
    titles = pd.DataFrame(SMALL_TITLES_ROWS, columns=SMALL_TITLES_COLUMNS)
    titles["duration_int"] = titles["duration_int"].astype("Int64")
    titles.to_parquet(root / "processed" / "titles.parquet")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("HF_MODEL_REPO", raising=False)
        mp.delenv("HF_DATASET_REPO", raising=False)
        state = load_state(root / "processed", root / "no-artifacts", root / "no-reports")
    return TestClient(create_api(state), raise_server_exceptions=False)


@pytest.mark.parametrize("url", [
    "/recommend?user_id=BIG&title_id=ns1", "/top_n?user_id=BIG", "/top_n?user_id=1&n=BIG",
    "/top_n?user_id=1&platform=BIG", "/top_n?user_id=1&type=BIG", "/similar?title_id=BIG", "/search?q=BIG",
    "/search?q=toy&limit=BIG", "/max_duration?year=BIG", "/max_duration?platform=BIG",
    "/max_duration?duration_type=BIG", "/score_count?platform=netflix&scored=BIG&year=2020",
    "/count_platform/BIG", "/actor?platform=netflix&year=BIG", "/contents/BIG",
    "/prod_per_county?tipo=BIG&pais=india&anio=2020", "/prod_per_county?tipo=movie&pais=BIG&anio=2020",
    "/word_count?platform=netflix&keyword=BIG", "/second_score/BIG", "/listedin/BIG", "/no_route/BIG",
])
def test_a_100_kb_input_is_never_echoed_back_whole(client, url):
    status, body = asgi_get(client.app, url.replace("BIG", BIG))
    assert 400 <= status < 600 and status != 500, str(body)[:300]
    assert json.dumps(body).count("q") <= 100, str(body)[:300]
    assert set(body) == {"error", "detail"}


def test_listedin_with_a_100_kb_genre_says_it_is_too_long(client):
    assert asgi_get(client.app, "/listedin/" + BIG) == (400, {"error": "invalid input",
                                                             "detail": "genre is at most 200 characters; got 100,000."})


@pytest.mark.parametrize("url, words", [
    ("/actor?platform=netflix&year=2_020", "year must be a whole number"),
    ("/actor?platform=netflix&year=2020.0000000000001", "year must be a whole number"),
    ("/actor?platform=netflix&year=" + quote("٢٠٢٠"), "year must be a whole number"),
    ("/actor?platform=netflix&year=" + quote("２０２０"), "year must be a whole number"),
    ("/score_count?platform=netflix&scored=3_5&year=2020", "scored must be a number"),
    ("/top_n?user_id=" + quote("٤٢"), "user id must be"),
    ("/top_n?user_id=" + quote("４２"), "user id must be"),
    ("/top_n?user_id=" + quote("𝟒𝟐"), "user id must be"),
    ("/top_n?user_id=4_2", "user id must be"),
    ("/top_n?user_id=42&n=1_0", "n must be a whole number from 1 to 100"),
    ("/top_n?user_id=42&n=101", "n must be a whole number from 1 to 100"),
])
def test_numbers_are_ascii_digits_at_rest(client, url, words):
    response = client.get(url)
    assert response.status_code == 400 and words in response.json()["detail"], response.text


def test_widget_shaped_numbers_still_work(client):
    assert client.get("/actor?platform=netflix&year=2020.0").json()["actor"] == "ann lee"
    assert client.get("/actor?platform=netflix&year=%202020%20").json()["year"] == 2020
