"""The Movies catalog through every door: REST (in-process), the Hub round trip, gradio_client and the streaming
side's TMDB facts (issue #12).

Fast tests: the small cut of the real streaming data (tests/conftest.py) beside a hand-made Movies catalog of a
few films, two of them linked to small-cut titles, served in-process (TestClient over serving.api) and through a
loopback Hub. Slow tests (@pytest.mark.slow): the real movies ETL beside the real streaming ETL
(movies_processed), in-process and in the served app (`python app.py`, gradio_client).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

import config
from catalog import MOVIES, STREAMING
from catalog.movies.queries import load_movies_catalog
from catalog.movies.schema import FACTS_COLUMNS, REQUIRED_COLUMNS
from catalog.movies.where_to_watch import SCHEMA, WHERE_TO_WATCH_FILE
from serving.api import create_api
from serving.state.loading import load_state
from settings import load_settings

ROUTES = MOVIES.routes
FACT_KEYS = {"id", "title", "release_year", "runtime", "vote_average", "vote_count", "genres", "directors",
             "overview"}


def _movie(id_, title, date, runtime=90.0, directors=(), collection=None, budget=0, revenue=0, votes=10,
           average=6.5, genres=("Drama",), overview="A film."):
    return {"id": id_, "title": title, "release_date": date, "release_year": int(date[:4]), "runtime": runtime,
            "original_language": "en", "original_language_name": "English", "production_countries": ["US"],
            "production_country_names": ["United States"], "production_companies": ["Pixar Animation Studios"],
            "collection": collection, "budget": budget, "revenue": revenue,
            "return": revenue / budget if budget else 0.0, "vote_count": votes, "directors": list(directors),
            "vote_average": average, "genres": list(genres), "overview": overview}


MOVIE_ROWS = [
    _movie(862, "Toy Story", "1995-10-30", 81.0, ["John Lasseter"], "Toy Story Collection", 30_000_000,
           373_554_033, 5415, 7.7, ["Animation", "Comedy", "Family"], "Led by Woody, Andy's toys live happily."),
    _movie(863, "Toy Story 2", "1999-10-30", 92.0, ["John Lasseter"], "Toy Story Collection", 90_000_000,
           497_366_869),
    _movie(14161, "2012", "2009-10-10", 158.0, ["Roland Emmerich"]),   # a title of digits
    _movie(2012, "Another Film", "2001-01-01", 100.0, ["Someone Else"]),  # whose TMDB id is 2012
]


@pytest.fixture(scope="module")
def linked_titles(small_processed: Path) -> dict[str, str]:
    """Two movies of the small cut (one on Disney+, one on Netflix) to link to Toy Story, and one left unlinked."""
    titles = pd.read_parquet(small_processed / STREAMING.name / config.TITLES_FILE)
    movies = titles[titles["type"] == "movie"]
    pick = {platform: str(movies.loc[movies["platform"] == platform, "id"].iloc[0]) for platform in ("disney",
                                                                                                     "netflix")}
    pick["unlinked"] = str(movies.loc[movies["platform"] == "hulu", "id"].iloc[0])
    return pick


def write_movies(folder: Path, linked: dict[str, str], links: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(MOVIE_ROWS).to_parquet(folder / "movies.parquet", index=False)
    pd.DataFrame({"userId": [1], "id": [862], "movieId": [1], "rating": [4.0], "timestamp": [0]}).to_parquet(
        folder / "ratings.parquet", index=False)
    (folder / "etl_report.json").write_text('{"catalog": "movies"}', encoding="utf-8")
    if links:
        frame = pd.DataFrame({"tmdb_id": [862, 862, 14161], "title_id": [linked["disney"], linked["netflix"], "as1"],
                              "platform": ["disney", "netflix", "amazon"], "score": 9, "year_gap": 0,
                              "director": "agree", "runtime": "agree", "cast": "unknown", "evidence": "title+year(0)"})
        pq.write_table(pa.Table.from_pandas(frame, schema=SCHEMA, preserve_index=False), folder / WHERE_TO_WATCH_FILE)


@pytest.fixture(scope="module")
def both_dir(small_processed: Path, linked_titles, tmp_path_factory) -> Path:
    """The small streaming cut (linked) plus movies/ with the hand-made catalog and its where-to-watch links."""
    out = tmp_path_factory.mktemp("small-both")
    for entry in small_processed.iterdir():
        (out / entry.name).symlink_to(entry)
    write_movies(out / MOVIES.name, linked_titles)
    return out


@pytest.fixture(scope="module")
def both_state(both_dir, tiny_artifacts, tmp_path_factory):
    return load_state(processed_dir=both_dir, artifacts_dir=tiny_artifacts,
                      reports_dir=tmp_path_factory.mktemp("reports"), settings=load_settings({}))


@pytest.fixture(scope="module")
def api(both_state) -> TestClient:
    return TestClient(create_api(both_state))


def assert_error(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    for word in words:
        assert word in str(body["detail"]), body
    return body


# ---- fast: the small cut and a hand-made Movies catalog -----------------------------------------------------------

def test_the_hand_made_table_has_the_columns_the_loader_reads():
    assert set(REQUIRED_COLUMNS + FACTS_COLUMNS) <= set(MOVIE_ROWS[0])


def test_movies_answers_list_where_each_film_streams(api, linked_titles):
    body = api.get("/movies/get_director", params={"nombre_director": "john lasseter"}).json()
    streams = {item["id"]: item["where_to_watch"] for item in body["items"]}
    assert streams == {863: [], 862: [{"platform": "disney", "title_id": linked_titles["disney"]},
                                      {"platform": "netflix", "title_id": linked_titles["netflix"]}]}
    collection = api.get("/movies/franquicia", params={"franquicia": "toy story"}).json()
    assert [len(item["where_to_watch"]) for item in collection["items"]] == [2, 0]
    runtime = api.get("/movies/peliculas_duracion", params={"pelicula": "Toy Story"}).json()
    assert runtime["items"][0]["where_to_watch"][0]["platform"] == "disney"


def test_a_title_of_digits_is_a_title_not_an_id(api):
    body = api.get("/movies/peliculas_duracion", params={"pelicula": "2012"}).json()
    assert [(item["id"], item["title"]) for item in body["items"]] == [(14161, "2012")]  # not TMDB id 2012
    assert body["items"][0]["where_to_watch"] == [{"platform": "amazon", "title_id": "as1"}]


def test_movies_bad_input_is_a_readable_4xx(api):
    body = assert_error(api.get("/movies/peliculas_idioma", params={"idioma": "klingon"}), 400,
                        "ISO 639-1 code or English language name", "Codes in the catalog: en")
    assert body["error"] == "invalid input"
    body = assert_error(api.get("/movies/get_director", params={"nombre_director": "john lasetter"}), 404,
                        "no director matches")
    assert body["suggestions"] == ["John Lasseter"]
    assert_error(api.get("/movies/franquicia", params={"franquicia": "toy story", "limit": "101"}), 400, "limit")
    assert_error(api.get("/movies/get_director"), 422, "nombre_director (query): Field required")


def test_recommend_and_similar_carry_the_tmdb_facts_of_a_linked_title(api, both_state, linked_titles):
    user = int(both_state.require_model().user_ids[0])
    answer = api.get("/recommend", params={"user_id": user, "title_id": linked_titles["disney"]}).json()
    assert set(answer["tmdb"]) == FACT_KEYS
    assert (answer["tmdb"]["id"], answer["tmdb"]["title"], answer["tmdb"]["vote_average"]) == (862, "Toy Story", 7.7)
    assert answer["tmdb"]["genres"] == ["Animation", "Comedy", "Family"]
    assert answer["tmdb"]["directors"] == ["John Lasseter"]
    similar = api.get("/similar", params={"title_id": linked_titles["netflix"], "n": 3}).json()
    assert similar["tmdb"] == answer["tmdb"]
    for unlinked in (api.get("/recommend", params={"user_id": user, "title_id": linked_titles["unlinked"]}).json(),
                     api.get("/similar", params={"title_id": linked_titles["unlinked"], "n": 3}).json()):
        assert "tmdb" in unlinked and unlinked["tmdb"] is None


def test_without_the_movies_catalog_tmdb_is_null(tiny_state, linked_titles):
    assert "movies" not in tiny_state.queries  # the small cut has no movies/
    client = TestClient(create_api(tiny_state))
    user = int(tiny_state.require_model().user_ids[0])
    answer = client.get("/recommend", params={"user_id": user, "title_id": linked_titles["disney"]}).json()
    assert answer["tmdb"] is None
    assert client.get("/similar", params={"title_id": linked_titles["disney"], "n": 2}).json()["tmdb"] is None


def test_ui_markdown_shows_the_facts_and_where_to_watch(both_state, linked_titles):
    from catalog.streaming.ui import make_handlers
    from serving.ui.widgets import answer_markdown

    user = str(int(both_state.require_model().user_ids[0]))
    markdown, answer = make_handlers(both_state)["recommend"](user, linked_titles["disney"])
    assert "**TMDB facts**: *Toy Story* (TMDB id 862)" in markdown and "Led by Woody" in markdown
    head, _, _ = make_handlers(both_state)["similar"](linked_titles["netflix"], "any", "any", 3)
    assert "TMDB facts" in head
    text = answer_markdown(both_state.queries["movies"].get_director("John Lasseter"))
    assert "| Where to watch |" in text and f"Disney+ [{linked_titles['disney']}], Netflix" in text
    assert "| Toy Story 2 |" in text  # Movies titles are shown as written


def test_question_tabs_show_money_returns_and_counts_readably_and_the_json_stays_exact(both_state):
    """The Movies question tabs' answers (fields and table) through the event functions the page calls."""
    from catalog import MOVIES
    from serving.ui import query_handler

    route = {r.api_name: r for r in MOVIES.routes}
    markdown, answer = query_handler(both_state, MOVIES, route["movies_get_director"])("John Lasseter", "")
    assert answer["budget_total"] == 120_000_000 and answer["return_sum"] == pytest.approx(17.9781, abs=1e-4)
    assert "- **budget total**: $120M" in markdown and "- **revenue total**: $871M" in markdown
    assert "- **return sum**: 17.98x" in markdown and "- **return overall**: 7.26x" in markdown
    # The table: one row per film, money and ratios as read, the date as the data writes it.
    assert "| Toy Story | 1995-10-30 | 12.45x | $30M | $374M |" in markdown, markdown
    assert "| Toy Story 2 | 1999-10-30 | 5.53x | $90M | $497M |" in markdown
    markdown, answer = query_handler(both_state, MOVIES, route["movies_franquicia"])("toy story", "")
    assert answer["revenue_mean"] == (373_554_033 + 497_366_869) / 2 and "- **revenue mean**: $435M" in markdown
    markdown, _ = query_handler(both_state, MOVIES, route["movies_productoras_exitosas"])("Pixar Animation Studios")
    assert "- **revenue total**: $871M" in markdown and "- **count**: 4" in markdown



def test_the_page_header_names_both_catalogs_and_both_models_with_their_loaded_sizes(both_state):
    from catalog.movies.model import MoviesModel
    from serving.ui import header_markdown
    from tests.catalog.test_movies_answers import _model

    text = header_markdown(both_state)
    model = both_state.require_model()
    assert "**streaming titles** on Amazon Prime Video, Disney+, Hulu and Netflix" in text
    titles = both_state.queries["streaming"]
    assert (f"({titles.size:,} titles; an SVD model of {model.manifest['n_ratings']:,} ratings by "
            f"{model.user_ids.size:,} users of {model.item_ids.size:,} titles)") in text
    assert f"**TMDB movies** ({len(MOVIE_ROWS)} films)" in text  # the hand-made catalog; no Movies model here
    movie_model: MoviesModel = _model()
    text = header_markdown(replace(both_state, movie_model=movie_model))
    assert (f"**TMDB movies** ({len(MOVIE_ROWS)} films; an SVD model of {int(movie_model.rated_indptr[-1]):,} "
            f"MovieLens ratings by {movie_model.user_ids.size} users of {movie_model.item_ids.size} films).") in text


def test_missing_where_to_watch_is_empty_lists_and_a_note(small_processed, linked_titles, tmp_path, caplog):
    for entry in small_processed.iterdir():
        (tmp_path / entry.name).symlink_to(entry)
    write_movies(tmp_path / MOVIES.name, linked_titles, links=False)
    with caplog.at_level("WARNING"):
        state = load_state(processed_dir=tmp_path, artifacts_dir=tmp_path / "no-artifacts",
                           reports_dir=tmp_path / "no-reports", settings=load_settings({}))
    assert "where_to_watch.parquet not found" in caplog.text
    assert "movies" in state.queries  # not an error: the catalog answers, nothing streams
    body = TestClient(create_api(state)).get("/movies/get_director", params={"nombre_director": "John Lasseter"})
    assert [item["where_to_watch"] for item in body.json()["items"]] == [[], []]


# ---- fast: the Movies tables published beside the streaming ones, pulled by the app's loader ----------------------

def test_publish_puts_the_movies_tables_under_movies_and_the_app_loads_them(hub_server, tiny_artifacts, both_dir,
                                                                             linked_titles, monkeypatch, tmp_path):
    import huggingface_hub.constants

    from model.publish import main as publish

    monkeypatch.setenv("HF_TOKEN", hub_server.token)
    monkeypatch.setenv("HF_ENDPOINT", hub_server.url)
    monkeypatch.delenv("HF_MODEL_REPO", raising=False)
    monkeypatch.delenv("HF_DATASET_REPO", raising=False)
    assert publish(["--model-repo", "me/svd", "--dataset-repo", "me/catalog", "--artifacts-dir", str(tiny_artifacts),
                    "--processed-dir", str(both_dir), "--reports-dir", str(tmp_path / "no-reports")]) == 0
    files = hub_server.files("dataset", "me/catalog")
    movies_files = ["movies/etl_report.json", "movies/movies.parquet", "movies/ratings.parquet",
                    "movies/where_to_watch.parquet"]
    streaming_files = [f"{STREAMING.name}/etl_report.json", f"{STREAMING.name}/titles.parquet"]
    assert sorted(files) == sorted(["README.md", *streaming_files, *movies_files])
    for name in movies_files:
        assert files[name] == (both_dir / name).read_bytes(), name
    assert "## The Movies catalog (`movies/`)" in files["README.md"].decode()

    # The app's loader, every local directory missing: both catalogs come from the dataset repo's snapshot.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    settings = load_settings({"HF_MODEL_REPO": "me/svd", "HF_DATASET_REPO": "me/catalog", "HF_ENDPOINT": hub_server.url,
                              "HF_TOKEN": hub_server.token})
    state = load_state(processed_dir=tmp_path / "no-data", artifacts_dir=tmp_path / "no-artifacts",
                       reports_dir=tmp_path / "no-reports", settings=settings)
    # tiny_artifacts has no Movies model: that is the one notice.
    assert state.data_source.kind == "hub" and [n[:15] for n in state.notices] == ["No Movies model"]
    assert Path(state.data_source.location).is_relative_to(tmp_path / "hf-cache")
    client = TestClient(create_api(state))
    body = client.get("/movies/peliculas_duracion", params={"pelicula": "toy story"}).json()
    first = body["items"][0]
    assert first["id"] == 862 and first["where_to_watch"][0]["title_id"] == linked_titles["disney"]
    user = int(state.require_model().user_ids[0])
    answer = client.get("/recommend", params={"user_id": user, "title_id": linked_titles["disney"]}).json()
    assert answer["tmdb"]["id"] == 862


def test_a_dataset_repo_in_the_layout_published_before_catalog_folders_still_loads(hub_server, both_dir, monkeypatch,
                                                                                    tmp_path):
    """A deployed Space's dataset repo may still hold the streaming tables at its root and the Movies ones under
    movies/: the loader reads that layout too (CatalogSpec.folder)."""
    import shutil

    import huggingface_hub.constants
    from huggingface_hub import HfApi

    old = tmp_path / "old-layout"
    shutil.copytree(both_dir / STREAMING.name, old)
    shutil.copytree(both_dir / MOVIES.name, old / MOVIES.name)
    api = HfApi(endpoint=hub_server.url, token=hub_server.token)
    api.create_repo("me/old-catalog", repo_type="dataset")
    api.upload_folder(repo_id="me/old-catalog", repo_type="dataset", folder_path=old)
    assert config.TITLES_FILE in hub_server.files("dataset", "me/old-catalog")

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    settings = load_settings({"HF_DATASET_REPO": "me/old-catalog", "HF_ENDPOINT": hub_server.url,
                              "HF_TOKEN": hub_server.token})
    state = load_state(processed_dir=tmp_path / "no-data", artifacts_dir=tmp_path / "no-artifacts",
                       reports_dir=tmp_path / "no-reports", settings=settings)
    assert state.data_source.kind == "hub" and "streaming" in state.queries, state.notices
    assert set(state.queries) == {STREAMING.name, MOVIES.name}, state.query_errors
    body = TestClient(create_api(state)).get("/movies/peliculas_duracion", params={"pelicula": "toy story"}).json()
    assert body["items"][0]["id"] == 862


def test_publish_without_the_movies_catalog_publishes_the_streaming_tables_only(hub_server, tiny_artifacts,
                                                                                small_processed, monkeypatch,
                                                                                tmp_path):
    from model.publish import main as publish

    monkeypatch.setenv("HF_TOKEN", hub_server.token)
    monkeypatch.setenv("HF_ENDPOINT", hub_server.url)
    assert publish(["--model-repo", "me/svd", "--dataset-repo", "me/catalog", "--artifacts-dir", str(tiny_artifacts),
                    "--processed-dir", str(small_processed), "--reports-dir", str(tmp_path / "none")]) == 0
    assert sorted(hub_server.files("dataset", "me/catalog")) == ["README.md", f"{STREAMING.name}/etl_report.json",
                                                                 f"{STREAMING.name}/titles.parquet"]


def test_publish_refuses_an_unreadable_movies_table_before_any_upload(hub_server, tiny_artifacts, small_processed,
                                                                      monkeypatch, tmp_path, capsys):
    from model.publish import main as publish

    for entry in small_processed.iterdir():
        (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / MOVIES.name).mkdir()
    (tmp_path / MOVIES.name / "movies.parquet").write_text("not parquet")
    monkeypatch.setenv("HF_TOKEN", hub_server.token)
    monkeypatch.setenv("HF_ENDPOINT", hub_server.url)
    assert publish(["--model-repo", "me/svd", "--dataset-repo", "me/catalog", "--artifacts-dir", str(tiny_artifacts),
                    "--processed-dir", str(tmp_path), "--reports-dir", str(tmp_path / "none")]) == 2
    assert "movies.parquet: not a readable parquet file" in capsys.readouterr().err
    assert not [p for m, p, _ in hub_server.requests if m == "POST"]


# ---- slow: the real Movies catalog, in-process ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_api(movies_processed, tmp_path_factory) -> TestClient:
    """Both real catalogs served in-process (no model: the Movies routes need none)."""
    empty = tmp_path_factory.mktemp("none")
    state = load_state(processed_dir=movies_processed, artifacts_dir=empty / "artifacts",
                       reports_dir=empty / "reports", settings=load_settings({}))
    assert "movies" in state.queries, state.query_errors
    return TestClient(create_api(state))


@pytest.fixture(scope="module")
def real_movies(movies_processed):
    return load_movies_catalog(movies_processed / MOVIES.name)


def movies_url(route, row: tuple) -> str:
    params = {p.name: v for p, v in zip(route.question.params, row, strict=True) if v is not None}
    return f"{route.path}?{urlencode(params)}"


def non_empty(answer: dict) -> bool:
    return answer["message"] is None and (answer.get("count") or 0) > 0


@pytest.mark.slow
@pytest.mark.parametrize("route", ROUTES, ids=[r.api_name for r in ROUTES])
def test_real_every_movies_route_answers_its_examples(real_api, real_movies, route):
    for row in route.question.examples:
        response = real_api.get(movies_url(route, row))
        assert response.status_code == 200, response.text
        answer = response.json()
        assert non_empty(answer), answer
        assert answer == route.question.run(real_movies, *row)
        for item in answer.get("items", []):
            assert isinstance(item["where_to_watch"], list)


@pytest.mark.slow
def test_real_movies_carry_their_tmdb_poster_path(real_movies):
    assert real_movies.poster_path(862) == "/rhIRbceoE9lR4veEXuwCC2wARtG.jpg"  # Toy Story, from the raw rows
    assert real_movies.poster_path(12) == "/syPWyeeqzTQIxjIUaIFI7d0TyEY.jpg"  # Finding Nemo, from derived/
    with_poster = sum(real_movies.poster_path(i) is not None for i in real_movies._row_of_id)
    assert with_poster > 0.99 * real_movies.size


@pytest.mark.slow
def test_real_movies_answers_say_where_to_watch(real_api):
    items = real_api.get("/movies/get_director", params={"nombre_director": "John Lasseter"}).json()["items"]
    streaming = {item["title"]: {s["platform"] for s in item["where_to_watch"]} for item in items}
    assert "disney" in streaming["Toy Story"] and "disney" in streaming["Cars"]
    assert all(s["title_id"][:1] == s["platform"][:1] for item in items for s in item["where_to_watch"])


@pytest.mark.slow
def test_real_movies_bad_input(real_api):
    body = assert_error(real_api.get("/movies/peliculas_idioma", params={"idioma": "klingon"}), 400,
                        "must be an ISO 639-1 code or English language name", "Codes in the catalog:", " en, ")
    assert body["error"] == "invalid input"
    body = assert_error(real_api.get("/movies/get_director", params={"nombre_director": "Pedro Almodovr"}), 404,
                        "no director matches")
    assert "Pedro Almodóvar" in body["suggestions"]
    for route in ("/movies/franquicia?franquicia=toy+story&limit=101",
                  "/movies/get_director?nombre_director=John+Lasseter&limit=101"):
        assert_error(real_api.get(route), 400, "limit", "100")
    titled = real_api.get("/movies/peliculas_duracion", params={"pelicula": "2012"}).json()
    assert [item["id"] for item in titled["items"]] == [14161]  # the film titled 2012, not TMDB id 2012
    body = assert_error(real_api.get("/movies/peliculas_duracion", params={"pelicula": "1917"}), 404,
                        "no movie title matches '1917'")  # read as a title (the catalog ends in 2017)
    assert body["suggestions"]


@pytest.mark.slow
def test_real_tmdb_facts_of_streaming_titles(real_api, real_movies):
    facts = real_movies.facts_for_title("ds1378")
    assert (facts["id"], facts["title"], facts["release_year"], facts["runtime"]) == (862, "Toy Story", 1995, 81)
    assert set(facts) == FACT_KEYS and len(facts["overview"]) <= 300
    similar = real_api.get("/similar", params={"title_id": "ds1378"})
    assert similar.status_code == 503  # no model in this state: the facts ride on model answers only


# ---- slow: the served app (python app.py), REST and gradio_client ---------------------------------------------------

@pytest.fixture(scope="module")
def http(served_app):
    with httpx.Client(base_url=served_app.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def client(served_app):
    from gradio_client import Client

    return Client(served_app.url, verbose=False, download_files=False)


@pytest.mark.slow
def test_served_recommend_and_similar_show_tmdb_facts(http, known_user):
    answer = http.get("/recommend", params={"user_id": known_user, "title_id": "ds1378"}).json()
    assert answer["tmdb"]["id"] == 862 and answer["tmdb"]["title"] == "Toy Story"
    similar = http.get("/similar", params={"title_id": "ds1378", "n": 3}).json()
    assert similar["tmdb"] == answer["tmdb"]
    show = http.get("/similar", params={"title_id": "ns3", "n": 3}).json()  # a TV show: never linked
    assert show["tmdb"] is None


@pytest.mark.slow
def test_served_movies_api_names(client, http):
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/" + r.api_name for r in ROUTES} <= names
    for route in ROUTES:
        row = route.question.examples[0]
        markdown, answer = client.predict(*["" if v is None else str(v) for v in row], api_name="/" + route.api_name)
        assert non_empty(answer), answer
        assert answer == http.get(movies_url(route, row)).json()
        assert f"{answer['count']:,}" in markdown  # counts read with their thousands separator
    markdown, answer = client.predict("John Lasseter", "5", api_name="/movies_get_director")
    assert len(answer["items"]) == 5 and "Where to watch" in markdown and "Disney+ [ds" in markdown


@pytest.mark.slow
def test_served_movies_errors_are_readable_app_errors(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no director matches 'Pedro Almodovr'. Closest names: Pedro Almodóvar"):
        client.predict("Pedro Almodovr", "10", api_name="/movies_get_director")
    with pytest.raises(AppError, match="ISO 639-1 code or English language name"):
        client.predict("klingon", api_name="/movies_peliculas_idioma")
    with pytest.raises(AppError, match="limit"):
        client.predict("toy story", "101", api_name="/movies_franquicia")
