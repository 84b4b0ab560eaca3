"""The Gradio client API of the served app: every api_name called with gradio_client, good and bad input.

Each event answers (markdown, json, ...); its JSON equals the REST answer. Bad input reaches the client as
an AppError carrying the same readable message the UI shows.
"""
from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from catalog import STREAMING

ROUTES = STREAMING.routes

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
    expected = MODEL_API_NAMES | {"/" + route.api_name for route in ROUTES}
    assert expected <= names, expected - names
    assert set(BAD_QUERIES) == {"/" + route.api_name for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=[r.api_name for r in ROUTES])
def test_catalog_api_name_answers_like_the_catalog(client, real_catalog, route):
    row = route.question.examples[0]
    markdown, answer = client.predict(*["" if v is None else str(v) for v in row], api_name="/" + route.api_name)
    assert answer == route.question.run(real_catalog, *row)
    shown = answer.get("count", answer.get("title", answer.get("actor", answer.get("platform"))))
    # The page shows counts with thousands separators (serving.ui.format): 6131 reads "6,131".
    assert str(shown).split(":")[0].lower().replace(",", "") in markdown.lower().replace(",", "")


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
        client.predict("x" * 60_000, api_name="/search_titles")


# ---- one rule at every door (the hardening issue's findings) ----------------------------------------------
@pytest.mark.parametrize("user_id", ["٤٢", "４２", "𝟒𝟐", "4_2"])
def test_user_ids_in_other_digits_are_rejected(client, user_id):
    with pytest.raises(AppError, match="user id must be"):
        client.predict(user_id, "ds1378", api_name="/recommend")
    with pytest.raises(AppError, match="user id must be"):
        client.predict(user_id, "any", "any", 5, api_name="/top_n")


@pytest.mark.parametrize("args, api_name, words", [
    (("netflix", "2_019"), "/actor", "year must be a whole number"),
    (("netflix", "2019.0000000000001"), "/actor", "year must be a whole number"),
    (("2_019", "", ""), "/max_duration", "year must be a whole number"),
    (("1", "any", "any", "1_0"), "/top_n", "n must be a whole number from 1 to 100"),
    (("ds1378", "any", "any", "1_0"), "/similar", "n must be a whole number from 1 to 100"),
])
def test_numbers_must_be_ascii_digits(client, args, api_name, words):
    with pytest.raises(AppError, match=words):
        client.predict(*args, api_name=api_name)


def test_n_is_1_to_100_like_the_slider(client, known_user):
    # The slider's maximum is the REST limit: a client sending more is told the range.
    with pytest.raises(AppError, match="n must be a whole number from 1 to 100"):
        client.predict(str(known_user), "any", "any", 101, api_name="/top_n")
    assert len(client.predict(str(known_user), "any", "any", 100, api_name="/top_n")[2]["items"]) == 100


# The largest input a request can carry: POST bodies over 64 KB are refused with a 413 before Gradio
# (tests/serving/test_gradio_guard.py); this one gets through and must not come back whole.
BIG = "q" * 60_000


@pytest.mark.parametrize("args, api_name", [
    ((BIG, "ds1378"), "/recommend"), (("1", BIG, "any", 5), "/top_n"), (("ds1378", "any", BIG, 5), "/similar"),
    ((BIG, "netflix", "min"), "/max_duration"), (("netflix", BIG, "2019"), "/score_count"),
    ((BIG,), "/contents"), (("movie", BIG, "2019"), "/prod_per_county"), (("netflix", BIG), "/word_count"),
    ((BIG,), "/listedin"), ((BIG,), "/search_titles"),
])
def test_a_60_kb_input_is_not_echoed_back(client, args, api_name):
    with pytest.raises(AppError) as err:
        client.predict(*args, api_name=api_name)
    assert str(err.value).count("q") <= 100, str(err.value)[:300]


def test_a_100_kb_input_is_refused_as_too_large(client):
    with pytest.raises(httpx.HTTPStatusError, match="413"):
        client.predict("q" * 100_000, api_name="/search_titles")


def test_examples_are_not_api_endpoints(client):
    # gr.Examples used to add "/max_duration_example" & co., which failed with IndexError when called.
    info = client.view_api(print_info=False, return_format="dict")
    assert not [name for name in info["named_endpoints"] if name.endswith("_example")]
    for route in ROUTES:
        with pytest.raises(ValueError, match="api_name"):
            client.predict(*route.question.examples[0], api_name=f"/{route.api_name}_example")
