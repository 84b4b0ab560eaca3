"""The Gradio client API of the served app: every api_name called with gradio_client, good and bad input.

Each event answers (markdown, json, ...); its JSON equals the REST answer. Bad input reaches the client as
an AppError carrying the same readable message the UI shows.
"""
from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from catalog.registry import QUERIES

pytestmark = pytest.mark.slow

MODEL_API_NAMES = {"/recommend", "/top_n", "/similar", "/search_titles"}

# One bad call per catalog question: (args in params order, words the error must contain).
BAD_QUERIES = {
    "/max_duration": (("abc", "netflix", "min"), "year must be a whole number"),
    "/score_count": (("netflix", "nine", "2018"), "scored must be a number"),
    "/count_platform": (("netflx",), "Did you mean 'netflix'"),
    "/actor": (("netflix", ""), "year is required"),
    "/contents": (("xx-99",), "rating must be one of"),
    "/prod_per_county": (("cartoon", "india", "2019"), "tipo must be one of"),
    "/word_count": (("netflix", ""), "keyword is required"),
    "/second_score": (("hbo",), "Unknown platform"),
    "/listedin": (("",), "genre is required"),
}


@pytest.fixture(scope="module")
def client(served_app) -> Client:
    return Client(served_app.url, verbose=False, download_files=False)


@pytest.fixture(scope="module")
def http(served_app):
    with httpx.Client(base_url=served_app.url, timeout=30) as c:
        yield c


def test_every_api_name_is_exposed(client):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    expected = MODEL_API_NAMES | {spec.api_name for spec in QUERIES}
    assert expected <= names, expected - names
    assert set(BAD_QUERIES) == {spec.api_name for spec in QUERIES}


@pytest.mark.parametrize("spec", QUERIES, ids=[s.api_name for s in QUERIES])
def test_catalog_api_name_answers_like_the_catalog(client, real_catalog, spec):
    row = spec.examples[0]
    markdown, answer = client.predict(*["" if v is None else str(v) for v in row], api_name=spec.api_name)
    assert answer == spec.run(real_catalog, *row)
    shown = answer.get("count", answer.get("title", answer.get("actor", answer.get("platform"))))
    assert str(shown).split(":")[0].lower() in markdown.lower()


@pytest.mark.parametrize("api_name", sorted(BAD_QUERIES))
def test_catalog_api_name_bad_input_is_a_readable_error(client, api_name):
    args, words = BAD_QUERIES[api_name]
    with pytest.raises(AppError, match=words):
        client.predict(*args, api_name=api_name)


def test_recommend(client, http, known_user):
    markdown, answer = client.predict(str(known_user), "ds1378", api_name="/recommend")
    assert answer == http.get("/recommend", params={"user_id": known_user, "title_id": "ds1378"}).json()
    verdict = "Don't recommend" if not answer["recommend"] else "Recommend"
    assert markdown.startswith(f"## {verdict}") and f"{answer['predicted_rating']:.2f}" in markdown
    assert answer["explanation"] in markdown and "Toy Story [ds1378]" in markdown


@pytest.mark.parametrize("args, words", [
    (("abc", "ds1378"), "user id must be a positive whole number"),
    (("1", "toy storz"), "did you mean: 'toy story'"),
    (("", "ds1378"), "user id is required"),
])
def test_recommend_bad_input(client, args, words):
    with pytest.raises(AppError, match=words):
        client.predict(*args, api_name="/recommend")


def test_top_n(client, known_user):
    markdown, table, answer = client.predict(str(known_user), "netflix", "tv show", 4, api_name="/top_n")
    assert len(answer["items"]) == 4 and {i["platform"] for i in answer["items"]} == {"netflix"}
    assert {i["type"] for i in answer["items"]} == {"tv show"}
    assert len(table["data"]) == 4 and "Predicted rating" in table["headers"]
    assert f"user **{known_user}**" in markdown


def test_top_n_bad_input(client):
    with pytest.raises(AppError, match="Unknown platform"):
        client.predict("1", "hbo", "any", 5, api_name="/top_n")


def test_similar(client):
    markdown, table, answer = client.predict("ds1378", "any", "any", 5, api_name="/similar")
    assert answer["title_id"] == "ds1378" and len(answer["items"]) == 5
    assert "Toy Story 2" in [row[table["headers"].index("Title")] for row in table["data"]]
    assert "Toy Story" in markdown


def test_similar_bad_input(client):
    with pytest.raises(AppError, match="unknown title"):
        client.predict("no such film xyz", "any", "any", 5, api_name="/similar")


def test_search_titles(client):
    answer = client.predict("godfater", api_name="/search_titles")
    assert answer["items"] and "godfather" in answer["items"][0]["title"]  # typo-tolerant
    assert client.predict("   ", api_name="/search_titles") == {"query": "", "items": []}


def test_search_titles_refuses_an_overlong_query(client):
    with pytest.raises(AppError, match="a title is at most 200 characters"):
        client.predict("x" * 100_000, api_name="/search_titles")
