"""The Movies model served: REST and gradio_client against the real app on loopback, with the real Movies model
(trained once per session on the real data). Visitors with a clear taste get films of that taste back."""
from __future__ import annotations

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

pytestmark = pytest.mark.slow

# Films chosen here (not the trainer's themed visitors): TMDB ids and titles, as a visitor would give them.
TASTES = {
    "animated family": ([9806, "Shrek", 10020, "Up", 10144], {"Animation", "Family"}),
    "horror": ([30497, 10331, 609, "The Omen", "Rosemary's Baby"], {"Horror", "Thriller"}),
    "gangster": ([238, "Goodfellas", 111, "Casino", 240], {"Crime"}),
}


@pytest.fixture(scope="module")
def http(served_app):
    with httpx.Client(base_url=served_app.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def client(served_app) -> Client:
    return Client(served_app.url, verbose=False, download_files=False)


@pytest.mark.parametrize("taste", TASTES)
def test_a_visitor_with_a_clear_taste_gets_mostly_films_of_that_taste(http, taste):
    films, genres = TASTES[taste]
    response = http.post("/movies/for_visitor", json={"ratings": [{"movie": m, "rating": 5} for m in films],
                                                      "n": 10})
    assert response.status_code == 200, response.text
    answer = response.json()
    rated = {r["id"] for r in answer["rated"]}
    assert len(rated) == 5 and len(answer["items"]) == 10 and not rated & {i["id"] for i in answer["items"]}
    of_taste = [i["title"] for i in answer["items"] if genres & set(i["genres"])]
    assert len(of_taste) >= 6, (taste, [(i["title"], i["genres"]) for i in answer["items"]])
    for item in answer["items"]:
        assert {"id", "title", "genres", "score", "where_to_watch"} <= set(item)


def test_a_platform_filter_keeps_films_streaming_there(http):
    films = TASTES["animated family"][0]
    answer = http.post("/movies/for_visitor", json={"ratings": [[m, 4.5] for m in films], "n": 10,
                                                    "platform": "disney+"}).json()
    assert answer["platform"] == "disney" and answer["items"]
    assert all(any(s["platform"] == "disney" for s in i["where_to_watch"]) for i in answer["items"])


def test_top_n_for_a_movielens_user_with_filters_and_the_fewer_notice(http):
    answer = http.get("/movies/top_n", params={"user_id": 15, "n": 10, "genre": "Comedy", "year_from": 1990,
                                               "year_to": 1999}).json()
    assert len(answer["items"]) == 10 and answer["notice"] is None
    assert all("Comedy" in i["genres"] and 1990 <= i["release_year"] <= 1999 for i in answer["items"])
    narrow = http.get("/movies/top_n", params={"user_id": 15, "n": 50, "genre": "Western",
                                               "platform": "hulu"}).json()
    assert len(narrow["items"]) < 50 and narrow["notice"].startswith(("Only", "No film"))


def test_recommend_or_not_by_id_or_title_with_the_reason(http):
    by_title = http.get("/movies/recommend", params={"user_id": 15, "title": "toy story"}).json()
    by_id = http.get("/movies/recommend", params={"user_id": 15, "movie_id": 862}).json()
    assert by_title == by_id and by_id["id"] == 862 and by_id["decision"] in ("Recommend", "Don't recommend")
    assert "threshold" in by_id["explanation"]
    unknown = http.get("/movies/recommend", params={"user_id": 15, "title": "toy stroy"})
    assert unknown.status_code == 404 and "Toy Story" in unknown.json()["suggestions"]


def test_similar_films_by_content_and_by_taste(http):
    answer = http.get("/movies/similar", params={"title": "toy story", "n": 5}).json()
    assert answer["id"] == 862 and answer["items"][0]["title"] == "Toy Story 2"
    assert len(answer["by_taste"]["items"]) == 5
    # A film without ratings has content neighbours only.
    rare = http.get("/movies/similar", params={"movie_id": 10193, "n": 5}).json()
    assert rare["items"]


def test_gradio_client_for_visitor_takes_movie_rating_pairs(client, http):
    pairs = [[m, 5] for m in TASTES["gangster"][0]]
    markdown, table, answer = client.predict(pairs, 10, "any", api_name="/movies_for_visitor")
    rest = http.post("/movies/for_visitor", json={"ratings": pairs, "n": 10}).json()
    assert answer == rest and "Your picks" in markdown and len(table["data"]) == 10
    with pytest.raises(AppError, match="rate at least 3 movies"):
        client.predict(pairs[:2], 10, "any", api_name="/movies_for_visitor")
    with pytest.raises(AppError, match="0.5 to 5.0"):
        client.predict([[238, 5], [240, 9], [111, 4]], 10, "any", api_name="/movies_for_visitor")


def test_gradio_client_movie_tabs(client):
    _, _, top = client.predict("15", "Drama", "", "", "any", 5, api_name="/movies_top_n")
    assert len(top["items"]) == 5
    _, verdict = client.predict("15", 862, api_name="/movies_recommend")
    assert verdict["id"] == 862
    *_, similar = client.predict("toy story", "any", 5, api_name="/movies_similar")
    assert similar["id"] == 862
    hits = client.predict("finding ne", api_name="/movies_search")
    assert hits["items"][0]["title"] == "Finding Nemo"


def test_picks_name_the_rated_films_behind_them_with_posters(http):
    films = TASTES["animated family"][0]
    answer = http.post("/movies/for_visitor", json={"ratings": [[m, 5] for m in films], "n": 10}).json()
    rated = {r["id"]: r["title"] for r in answer["rated"]}
    assert sum(bool(i["because"]) for i in answer["items"]) >= 8
    for item in answer["items"]:
        assert 1 <= len(item["because"]) <= 3 or not item["because"]
        assert all(rated[b["id"]] == b["title"] and 0 < b["share"] <= 1 for b in item["because"])
        assert [b["share"] for b in item["because"]] == sorted((b["share"] for b in item["because"]), reverse=True)
        assert item["poster"] is None or item["poster"].startswith("https://image.tmdb.org/t/p/w185/")
    assert sum(i["poster"] is not None for i in answer["items"]) >= 8
    placeholder = http.get("/posters/placeholder.svg")
    assert placeholder.status_code == 200 and placeholder.headers["content-type"].startswith("image/svg+xml")


def test_not_interested_films_are_left_out_at_every_door(client, http):
    pairs = [[m, 5] for m in TASTES["gangster"][0]]
    first = http.post("/movies/for_visitor", json={"ratings": pairs, "n": 5}).json()
    dropped = [first["items"][0]["id"], first["items"][1]["id"]]
    rest = http.post("/movies/for_visitor", json={"ratings": pairs, "n": 5, "exclude": dropped}).json()
    assert [i["id"] for i in rest["items"]][:3] == [i["id"] for i in first["items"]][2:]
    _, table, answer = client.predict(pairs, 5, "any", dropped, api_name="/movies_for_visitor")
    assert answer == rest and "Because you rated" in table["headers"]
    # The three-argument call of earlier clients still works (exclude defaults to none).
    *_, plain = client.predict(pairs, 5, "any", api_name="/movies_for_visitor")
    assert plain == first
    bad = http.post("/movies/for_visitor", json={"ratings": pairs, "exclude": "238"})
    assert bad.status_code == 400 and "exclude must be a list of TMDB ids" in bad.json()["detail"]
    with pytest.raises(AppError, match="exclude must be a list of TMDB ids"):
        client.predict(pairs, 5, "any", "238", api_name="/movies_for_visitor")
