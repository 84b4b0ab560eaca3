"""The Movies model's answers (catalog.movies.answers) and their REST doors, on a tiny synthetic model and a tiny
catalog: 40 rated films (ids 10-400; the first half animated/family, the second horror/thriller) and two
films without ratings."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from catalog.movies import answers as movie_service
from catalog.movies.model import MoviesModel
from catalog.movies.queries import MoviesCatalog
from errors import InputError, NotFound, Unavailable
from inputs.ratings import parse_visitor_ratings
from serving.api import create_api
from serving.artifacts import Artifacts
from serving.posters import PLACEHOLDER_URL, TMDB_IMAGE_BASE
from serving.state.snapshot import AppState
from tests.catalog.test_movies_model import N_ITEMS, K, tiny_arrays
from tests.catalog.test_movies_queries import _movie

UNRATED, TWIN = 999, 1000  # two catalog films the model has no ratings of; TWIN shares a title with id 50
LINKS = pd.DataFrame({"tmdb_id": [10, 20, 210, 30], "title_id": ["ns1", "ns2", "ns3", "ds1"],
                      "platform": ["netflix", "netflix", "netflix", "disney"]})


def _model() -> MoviesModel:
    arrays = tiny_arrays()
    # The unrated films' content neighbours: the first three films.
    arrays.update(content_ids=np.r_[arrays["content_ids"], UNRATED, TWIN],
                  content_idx=np.r_[arrays["content_idx"], [[0, 1, 2], [0, 1, 2]]].astype(np.int32),
                  content_score=np.r_[arrays["content_score"], [[0.9, 0.8, 0.7]] * 2].astype(np.float32))
    meta = {"hyperparameters": {"reg_bu": 0.1, "reg_factors": 0.1}, "threshold": 3.5}
    return MoviesModel(Artifacts(Path("<memory>"), meta, arrays))


def with_movies(state: AppState) -> AppState:
    """`state` with the hand-made Movies rows and the tiny Movies model: every catalog's pieces loaded."""
    import dataclasses

    from tests.catalog.test_movies_queries import ROWS

    return dataclasses.replace(state, queries={**state.queries, "movies": MoviesCatalog(pd.DataFrame(ROWS))},
                               query_errors={}, movie_model=_model())


def _catalog() -> MoviesCatalog:
    rows = [_movie(10 * (i + 1), f"film {i}", f"{1980 + i}-01-01") for i in range(N_ITEMS)]
    rows += [_movie(UNRATED, "Unrated Gem", "2001-01-01"), _movie(TWIN, "film 4", "2010-01-01")]
    frame = pd.DataFrame(rows)
    frame["genres"] = [["Animation", "Family"] if i < 200 else ["Horror", "Thriller"] for i in frame["id"]]
    frame.loc[frame["id"] > 400, "genres"] = pd.Series([["Drama"], ["Drama"]], index=frame.index[-2:])
    # Every film has a poster but film 2 (TMDB id 30) and the unrated ones.
    frame["poster_path"] = [None if i == 30 or i > 400 else f"/poster{i}.jpg" for i in frame["id"]]
    return MoviesCatalog(frame, LINKS)


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> AppState:
    root = tmp_path_factory.mktemp("movie-service")
    return AppState(root, root, root, queries={"movies": _catalog()}, movie_model=_model())


@pytest.fixture(scope="module")
def client(state) -> TestClient:
    return TestClient(create_api(state), raise_server_exceptions=False)


def ids(answer: dict) -> list[int]:
    return [item["id"] for item in answer["items"]]


# ---- a visitor's own picks ---------------------------------------------------------------------------------
def test_a_visitor_gets_films_of_their_taste_never_the_rated_ones_with_where_to_watch(state):
    answer = movie_service.for_visitor(state, [{"movie": 10, "rating": 5}, {"movie": "FILM 1", "rating": 5},
                                               [30, 4.5]], 10)
    assert [r["id"] for r in answer["rated"]] == [10, 20, 30] and answer["notice"] is None
    assert len(ids(answer)) == 10 and not {10, 20, 30} & set(ids(answer))
    assert sum("Animation" in item["genres"] for item in answer["items"]) >= 6
    assert all(isinstance(item["where_to_watch"], list) for item in answer["items"])
    horror = movie_service.for_visitor(state, [[210, 5], [220, 5], [230, 5], [240, 4]], 10)
    assert sum("Horror" in item["genres"] for item in horror["items"]) >= 6


def test_a_platform_filter_that_leaves_fewer_films_gives_them_and_says_so(state):
    answer = movie_service.for_visitor(state, [[10, 5], [20, 5], [30, 4]], 10, "Netflix")
    assert ids(answer) == [210] and answer["platform"] == "netflix"
    assert answer["items"][0]["where_to_watch"] == [{"platform": "netflix", "title_id": "ns3"}]
    assert answer["notice"] == "Only 1 film you have not rated streams on netflix: here it is."


@pytest.mark.parametrize("ratings, message", [
    ([[10, 5], [20, 5]], "rate at least 3 movies"),
    ([[10, 5], [20, 6], [30, 4]], "from 0.5 to 5.0 in steps of 0.5"),
    ([[10, 5], [20, 0], [30, 4]], "from 0.5 to 5.0"),
    ([[10, 5], [20, 4.25], [30, 4]], "steps of 0.5"),
    ([[10, 5], [UNRATED, 4], [30, 4]], "knows no ratings of Unrated Gem (TMDB id 999)"),
    ([[10, 5], [10, 4], [30, 4]], "rated more than once"),
    ([[10, 5], [True, 4], [30, 4]], "movie is required"),
    ([[10, 5], {"movie": 20}, [30, 4]], "[movie, rating] pair"),
    ("10,20,30", "ratings must be a list"),
    ([[10, 5], ["Unrated Gem", 4], [30, 4]], "knows no ratings of Unrated Gem (TMDB id 999)"),
])
def test_bad_visitor_ratings_say_what_is_accepted(state, ratings, message):
    with pytest.raises(InputError) as caught:
        movie_service.for_visitor(state, ratings, 10)
    assert message in str(caught.value)


def test_an_unknown_film_suggests_close_titles_and_an_unknown_id_says_so(state):
    with pytest.raises(NotFound) as caught:
        movie_service.for_visitor(state, [[10, 5], ["flim 3", 4], [30, 4]], 10)
    assert caught.value.suggestions and "film 3" in caught.value.suggestions
    with pytest.raises(NotFound, match="no film of the catalog has TMDB id 123456"):
        movie_service.for_visitor(state, [[10, 5], [123456, 4], [30, 4]], 10)


def test_a_title_several_films_share_means_the_most_rated_one_and_the_answer_says_which(state):
    answer = movie_service.for_visitor(state, [[10, 5], ["film 4", 4], [30, 4]], 10)
    assert [r["id"] for r in answer["rated"]] == [10, 50, 30] and answer["rated"][1]["release_year"] == 1984


def test_an_id_is_never_read_as_a_title_nor_a_title_as_an_id(state):
    with pytest.raises(NotFound):  # "10" is text: a title, and no film is titled "10"
        movie_service.for_visitor(state, [["10", 5], [20, 4], [30, 4]], 10)


# ---- known users -------------------------------------------------------------------------------------------
def test_recommend_for_a_known_user_explains_the_verdict(state):
    answer = movie_service.recommend(state, "1", 10)
    assert answer["decision"] in ("Recommend", "Don't recommend") and "threshold" in answer["explanation"]
    assert answer["where_to_watch"] == [{"platform": "netflix", "title_id": "ns1"}] and answer["rated_by_model"]
    with pytest.raises(NotFound, match="not one of the model's 6 MovieLens users"):
        movie_service.recommend(state, 99, 10)
    twins = _catalog()
    with pytest.raises(InputError, match="names 2 films"):  # no model to break the tie
        movie_service.resolve_movie(twins, "film 4")


def test_top_n_filters_by_genre_years_and_platform_and_says_when_fewer(state):
    answer = movie_service.top_n(state, 1, 5, genre="horror")
    assert len(answer["items"]) == 5 and all("Horror" in item["genres"] for item in answer["items"])
    rated = set(state.movie_model.rated_items[:5].tolist())
    assert not {state.movie_model.item_index(i) for i in ids(answer)} & rated
    years = movie_service.top_n(state, 1, 100, year_from=1990, year_to="1994")
    assert {item["release_year"] for item in years["items"]} <= set(range(1990, 1995))
    assert years["notice"] == "Only 3 films match these filters among the films the user has not rated: here they are."
    with pytest.raises(InputError, match="unknown genre"):
        movie_service.top_n(state, 1, 5, genre="westerns")
    with pytest.raises(InputError, match="must not be after"):
        movie_service.top_n(state, 1, 5, year_from=2000, year_to=1990)


def test_similar_films_by_content_and_by_taste(state):
    answer = movie_service.similar(state, 10, 3)
    assert ids(answer) == [20, 30, 40] and answer["items"][0]["score"] == pytest.approx(0.9)
    assert len(answer["by_taste"]["items"]) == 3 and 10 not in [i["id"] for i in answer["by_taste"]["items"]]
    unrated = movie_service.similar(state, "unrated gem", 3)
    assert ids(unrated) == [10, 20, 30] and unrated["by_taste"]["items"] == []
    assert "no neighbours by taste" in unrated["by_taste"]["notice"]


def test_missing_model_is_unavailable(tmp_path):
    with pytest.raises(Unavailable, match="Movies model is not loaded"):
        movie_service.search(AppState(tmp_path, tmp_path, tmp_path), "film")


# ---- REST ---------------------------------------------------------------------------------------------------
def test_post_for_visitor_answers_items_with_where_to_watch(client):
    body = {"ratings": [{"movie": 10, "rating": 5}, {"movie": "film 1", "rating": 5}, {"movie": 30, "rating": 4}],
            "n": 5, "platform": "netflix"}
    response = client.post("/movies/for_visitor", json=body)
    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["items"]] == [210]
    assert {"id", "title", "genres", "score", "where_to_watch"} <= set(response.json()["items"][0])


@pytest.mark.parametrize("body, status, words", [
    ({"ratings": [[10, 5], [20, 5]]}, 400, "at least 3"),
    ({"ratings": [[10, 5], [20, 5.5], [30, 4]]}, 400, "0.5 to 5.0"),
    ({"ratings": [[10, 5], ["nope nope", 5], [30, 4]]}, 404, "no movie title matches"),
    ({"ratings": [[10, 5], [20, 5], [30, 4]], "n": 0}, 400, "n must be"),
    ({"ratings": [[10, 5], [20, 5], [30, 4]], "platform": "tv"}, 400, "platform"),
    ({"ratings": [[10, 5], [20, 5], [30, 4]], "extra": 1}, 422, "extra"),
    ({"n": 3}, 422, "ratings"),
])
def test_post_for_visitor_bad_input_is_a_4xx_json_error(client, body, status, words):
    response = client.post("/movies/for_visitor", json=body)
    assert response.status_code == status and words in response.json()["detail"].lower()


def test_for_visitor_takes_only_post_and_a_json_body(client):
    response = client.get("/movies/for_visitor")
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    response = client.post("/movies/for_visitor", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["error"] == "invalid input"


@pytest.mark.parametrize("url, status, words", [
    ("/movies/recommend?user_id=1&movie_id=10", 200, "decision"),
    ("/movies/recommend?user_id=1&title=film%200", 200, "decision"),
    ("/movies/recommend?user_id=1&movie_id=10&title=film%200", 400, "exactly one"),
    ("/movies/recommend?user_id=1&movie_id=abc", 400, "movie_id must be a tmdb id"),
    ("/movies/recommend?user_id=77&movie_id=10", 404, "movielens users"),
    ("/movies/top_n?user_id=1&genre=Horror&n=3", 200, "items"),
    ("/movies/top_n?user_id=1&year_from=19x", 400, "year_from"),
    ("/movies/similar?movie_id=10&n=3", 200, "by_taste"),
    ("/movies/similar?title=zzzz%20qqq", 404, "no movie title matches"),
    ("/movies/search?q=film%203", 200, "film 3"),
    ("/movies/search?q=", 400, "q is required"),
])
def test_movie_routes(client, url, status, words):
    response = client.get(url)
    assert response.status_code == status, response.text
    assert words in response.text.lower()


def test_without_the_model_the_routes_are_503(tmp_path):
    client = TestClient(create_api(AppState(tmp_path, tmp_path, tmp_path)), raise_server_exceptions=False)
    response = client.post("/movies/for_visitor", json={"ratings": [[10, 5], [20, 5], [30, 4]]})
    assert response.status_code == 503 and "python -m model.train --catalog movies" in response.json()["detail"]


# ---- posters -------------------------------------------------------------------------------------------------
def test_every_listed_film_has_its_tmdb_poster_address_or_null(state):
    visitor = movie_service.for_visitor(state, [[10, 5], [20, 5], [40, 4]], 40)
    posters = {item["id"]: item["poster"] for item in visitor["items"]}
    assert posters[50] == f"{TMDB_IMAGE_BASE}/poster50.jpg" == "https://image.tmdb.org/t/p/w185/poster50.jpg"
    assert posters[30] is None  # no poster_path
    answers = [movie_service.top_n(state, 1, 5)["items"], movie_service.similar(state, 10, 3)["items"],
               movie_service.similar(state, 10, 3)["by_taste"]["items"], movie_service.search(state, "film")["items"]]
    for items in answers:
        assert items and all(i["poster"] in (None, f"{TMDB_IMAGE_BASE}/poster{i['id']}.jpg") for i in items)
    assert movie_service.recommend(state, 1, 10)["poster"] == f"{TMDB_IMAGE_BASE}/poster10.jpg"
    assert movie_service.similar(state, 10, 3)["poster"] == f"{TMDB_IMAGE_BASE}/poster10.jpg"


def test_remote_images_off_means_no_remote_address_in_any_answer(state, monkeypatch):
    monkeypatch.setenv("APP_REMOTE_IMAGES", "false")
    answers = [movie_service.for_visitor(state, [[10, 5], [20, 5], [40, 4]], 10),
               movie_service.top_n(state, 1, 5), movie_service.similar(state, 10, 3),
               movie_service.recommend(state, 1, 10), movie_service.search(state, "film")]
    assert "http" not in repr(answers) and "poster': None" in repr(answers)


def test_the_placeholder_is_served_by_the_app(client):
    response = client.get(PLACEHOLDER_URL)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.content and b"No poster" in response.content


def test_poster_cards_fall_back_to_the_placeholder(state):
    from catalog.movies.ui import poster_cards

    items = movie_service.for_visitor(state, [[10, 5], [20, 5], [40, 4]], 40)["items"]
    page = poster_cards(items)
    assert f'src="{TMDB_IMAGE_BASE}/poster50.jpg"' in page and f"this.src='{PLACEHOLDER_URL}'" in page
    assert f'src="{PLACEHOLDER_URL}" alt="Poster of film 2"' in page  # film 2 has no poster
    assert poster_cards([]) == ""


# ---- because you rated ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_rated", [3, K + 3])  # solve_fold_in's dual (n <= k) and primal branches
def test_because_terms_sum_exactly_to_the_fold_in_part_of_the_prediction(state, n_rated):
    model = state.movie_model
    ratings = [(10 * (i + 1), [5.0, 1.0, 3.5, 4.5, 2.0][i % 5]) for i in range(0, 2 * n_rated, 2)]
    items, values = model.rows_of(parse_visitor_ratings(ratings))
    bias, factors = model.fold_in(items, values)
    targets = np.arange(N_ITEMS)
    terms = model.fold_in_terms(items, values, targets)
    assert terms.shape == (N_ITEMS, n_rated)
    fold_in_part = bias + model.item_factors @ factors
    np.testing.assert_allclose(terms.sum(axis=1), fold_in_part, rtol=0, atol=1e-9)
    # ... and so the prediction is mu + b_i + the terms (before the clip to the rating scale).
    predicted = np.clip(model.global_mean + model.item_bias + terms.sum(axis=1), 0.5, 5.0)
    np.testing.assert_allclose(predicted, model.visitor_predictions(items, values), atol=1e-9)


def test_each_pick_names_the_rated_films_raising_it_most_with_their_share(state):
    model = state.movie_model
    ratings = [[10, 5], [20, 4.5], [220, 1], [40, 3]]
    answer = movie_service.for_visitor(state, ratings, 10)
    items, values = model.rows_of(parse_visitor_ratings(ratings))
    rated_titles = {r["id"]: r["title"] for r in answer["rated"]}
    assert any(item["because"] for item in answer["items"])
    for item in answer["items"]:
        # Each rated film's term is its neighbour weight of the pick (1 per rated film); they sum to the pick's
        # neighbour score.
        row = model.item_index(item["id"])
        terms = model.ranker.terms(items, np.ones(items.size), np.array([row]))[0]
        assert terms.sum() == pytest.approx(model.ranker.scores(items, np.ones(items.size), N_ITEMS)[row])
        expected = sorted([(t / terms[terms > 0].sum(), int(model.item_ids[items[j]])) for j, t in enumerate(terms)
                           if t > 0], reverse=True)[:3]
        assert [(b["id"], b["share"]) for b in item["because"]] == [(i, round(float(sh), 4)) for sh, i in expected]
        assert all(b["title"] == rated_titles[b["id"]] and 0 < b["share"] <= 1 for b in item["because"])


# ---- not interested, never the rated films ----------------------------------------------------------------
def test_excluded_films_never_come_back_nor_the_rated_ones(state):
    ratings = [[10, 5], [20, 5], [40, 4]]
    first = movie_service.for_visitor(state, ratings, 5)
    dropped = [first["items"][0]["id"], first["items"][2]["id"]]
    again = movie_service.for_visitor(state, ratings, 5, None, dropped)
    assert not set(dropped) & set(ids(again)) and len(again["items"]) == 5 and again["exclude"] == dropped
    assert ids(again)[:3] == [i for i in ids(first) if i not in dropped]
    everything = movie_service.for_visitor(state, ratings, 100, None, [123456789])  # unknown ids are fine
    assert not {10, 20, 40} & set(ids(everything)) and len(everything["items"]) == N_ITEMS - 3


@pytest.mark.parametrize("exclude, words", [("862", "list of TMDB ids"), ([862, "x"], "TMDB id"),
                                            ([862, None], "list of TMDB ids"), ([0], "TMDB id"),
                                            ([[862]], "list of TMDB ids"), (list(range(1, 5003)), "at most 5,000")])
def test_a_bad_exclude_list_says_what_is_accepted(state, client, exclude, words):
    with pytest.raises(InputError, match=words):
        movie_service.for_visitor(state, [[10, 5], [20, 5], [40, 4]], 5, None, exclude)
    response = client.post("/movies/for_visitor", json={"ratings": [[10, 5], [20, 5], [40, 4]], "exclude": exclude})
    assert response.status_code == 400 and words in response.json()["detail"]


def test_post_for_visitor_takes_exclude(client):
    body = {"ratings": [[10, 5], [20, 5], [40, 4]], "n": 3}
    first = client.post("/movies/for_visitor", json=body).json()
    again = client.post("/movies/for_visitor", json={**body, "exclude": [first["items"][0]["id"]]}).json()
    assert first["items"][0]["id"] not in ids(again) and ids(again)[:2] == ids(first)[1:]
    assert "because" in again["items"][0] and "poster" in again["items"][0]


def test_the_movie_tabs_show_readable_tables_and_keep_the_json_exact(state):
    """The Movies model tabs' event functions (what the page calls): ratings with two decimals in the tables,
    counts with separators; the JSON answer unchanged."""
    from catalog.movies.ui import make_handlers

    handlers = make_handlers(state)
    user = str(int(state.movie_model.user_ids[0]))
    head, table, answer = handlers["top_n"](user, "any", "", "", "any", 5)
    exact = [item["predicted_rating"] for item in answer["items"]]
    assert answer == movie_service.top_n(state, user, 5, None, "", "", "any")
    assert table["Predicted rating"].tolist() == [f"{r:.2f}" for r in exact] and len(exact) == 5
    assert f"leaving out the {answer['n_rated']:,} films they rated" in head
    _, table, answer = handlers["for_visitor"]([[10, 5], [20, 4.5], [30, 5]], 5, "any")
    assert table["Predicted rating"].tolist() == [f"{i['predicted_rating']:.2f}" for i in answer["items"]]
    _, by_content, _, by_taste, answer = handlers["similar"](10, "any", 3)
    assert by_content["Similarity"].tolist() == [f"{i['score']:.3f}" for i in answer["items"]]
