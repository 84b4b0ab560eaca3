"""Catalog declarations (catalog.declaration): the route rule, the checks a declaration gets, and a new catalog
served by adding its declaration to catalog.CATALOGS, with no change in serving/.

The fake catalog ("fake", two questions over a small JSON table) is served in-process beside the streaming
catalog built from the 13-title fixture: its REST routes (TestClient), its api_names (gradio_client against
the app served by uvicorn in a thread, marked slow) and its UI tabs appear. No real data, no model.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

import catalog
from catalog import STREAMING, CatalogSpec, Param, Question
from errors import InputError
from inputs.choices import parse_choice
from inputs.numbers import parse_n, parse_year
from inputs.text import is_empty


class Shelf:
    """A small query object: books on a shelf (the fake catalog's query module)."""

    def __init__(self, books: list[dict]):
        self.books = books
        self.genres = sorted({b["genre"] for b in books})
        self.year_range = (min(b["year"] for b in books), max(b["year"] for b in books))

    def count_books(self, year: int) -> dict:
        """The number of books on the shelf published in `year`: the fake catalog's first question."""
        return {"year": year, "count": sum(b["year"] == year for b in self.books), "message": None}

    def best_books(self, genre: str, n: int = 2) -> dict:
        """The `n` best-rated books of `genre`, best first: the fake catalog's second question."""
        books = sorted((b for b in self.books if b["genre"] == genre), key=lambda b: -b["stars"])[:n]
        return {"genre": genre, "n": n, "items": [b["title"] for b in books], "message": None}


BOOKS = [{"title": "1917", "genre": "poetry", "year": 2001, "stars": 4.0},
         {"title": "odes", "genre": "poetry", "year": 2001, "stars": 4.5},
         {"title": "dune", "genre": "sci-fi", "year": 1965, "stars": 4.8},
         {"title": "haiku", "genre": "poetry", "year": 1999, "stars": 3.0}]


def load_shelf(folder: Path) -> Shelf:
    path = Path(folder) / "fake.json"
    if not path.is_file():
        raise InputError(f"{path} not found")
    return Shelf(json.loads(path.read_text()))


FAKE = CatalogSpec(
    name="fake", label="Fake shelf", prefix="fake", tables=("fake.json",),
    id_scheme="book: by its title (no ids)",
    questions=(
        Question(Shelf.count_books, "count_books", "Books of a year",
                 (Param("year", lambda v, name, shelf: parse_year(v, shelf.year_range, name), "Publication year."),),
                 ((2001,), (1965,))),
        Question(Shelf.best_books, "best_books", "Best books of a genre",
                 (Param("genre", lambda v, name, shelf: parse_choice(v, shelf.genres, name), "Genre.",
                        catalog_values="genres"),
                  Param("n", lambda v, name, shelf: parse_n(v, name=name), "How many.", required=False, default=2)),
                 (("poetry", 2), ("sci-fi", None))),
    ),
    load=load_shelf,
)


# ---- the route rule and the declaration checks (no app) ------------------------------------------------------
def test_route_rule_root_and_prefixed():
    count, best = FAKE.routes
    assert (count.path, count.api_name, count.path_param) == ("/fake/count_books", "fake_count_books", None)
    assert (best.path, best.api_name, best.operation_id) == ("/fake/best_books", "fake_best_books", "fake_best_books")
    root = {r.api_name: (r.path, r.path_param, r.operation_id) for r in STREAMING.routes}
    assert root["count_platform"] == ("/count_platform/{platform}", "platform", "get_count_platform")
    assert root["max_duration"] == ("/max_duration", None, "get_max_duration")


def test_question_parses_with_its_declaration():
    shelf = Shelf(BOOKS)
    count, best = FAKE.questions
    assert count.run(shelf, "2001") == {"year": 2001, "count": 2, "message": None}
    assert best.run(shelf, "poetry", "") == best.run(shelf, genre="poetry") == shelf.best_books("poetry", 2)
    assert best.parse(shelf, " Poetry ", "3.0") == {"genre": "poetry", "n": 3}
    for args, words in (((" ",), "year is required"), (("٢٠٠١",), "year must be a whole number"),
                        (("2_001",), "year must be a whole number")):
        with pytest.raises(InputError, match=words):
            count.run(shelf, *args)
    with pytest.raises(InputError, match="n must be a whole number from 1 to 100"):
        best.run(shelf, "poetry", "101")
    with pytest.raises(TypeError, match="unexpected or repeated"):
        best.run(shelf, "poetry", genre="poetry")
    assert count.definition.startswith("The number of books on the shelf published in `year`")


def test_declarations_are_checked_against_the_functions():
    year = Param("year", lambda v, name, shelf: v, "Year.")
    with pytest.raises(ValueError, match="declared params"):
        CatalogSpec("bad", "Bad", "bad", (), "", (Question(Shelf.count_books, "count", "x",
                                                           (Param("yr", year.parse, "Year."),), ()),), load_shelf)
    bad_default = Question(Shelf.best_books, "best", "x", (Param("genre", year.parse, "G."),
                                                           Param("n", year.parse, "N.", required=False, default=5)),
                           ())
    with pytest.raises(ValueError, match="defaults differ"):
        CatalogSpec("bad", "Bad", "bad", (), "", (bad_default,), load_shelf)
    with pytest.raises(ValueError, match="prefix"):
        CatalogSpec("bad", "Bad", "Bad-Prefix", (), "", (), load_shelf)
    with pytest.raises(ValueError, match="share a short name"):
        CatalogSpec("bad", "Bad", "bad", (), "", (FAKE.questions[0], FAKE.questions[0]), load_shelf)


def test_every_declared_catalog_is_well_formed():
    names, prefixes, api_names = set(), set(), set()
    for spec in catalog.CATALOGS:
        assert spec.name not in names and spec.prefix not in prefixes
        names.add(spec.name)
        prefixes.add(spec.prefix)
        assert spec.label and spec.tables and spec.id_scheme and spec.questions and callable(spec.load)
        for route in spec.routes:
            assert route.api_name not in api_names
            api_names.add(route.api_name)
    assert [s.root_alias for s in catalog.CATALOGS].count(True) == 1  # only the streaming catalog is at the root too


def test_optional_blank_is_the_default_required_blank_is_an_error():
    assert is_empty(None) and is_empty("  ") and not is_empty("any")
    _, best = FAKE.questions
    assert best.params[1].read(None, Shelf(BOOKS)) == 2 and best.params[1].read(" ", Shelf(BOOKS)) == 2


# ---- a new catalog served with no change in serving/ -------------------------------------------------------------
@pytest.fixture
def fake_state(small_titles, tmp_path, monkeypatch):
    """The app's state over the 13-title streaming fixture and the fake shelf, no model; FAKE declared."""
    from serving.state.loading import load_state

    monkeypatch.delenv("HF_MODEL_REPO", raising=False)
    monkeypatch.delenv("HF_DATASET_REPO", raising=False)
    monkeypatch.setattr(catalog, "CATALOGS", (*catalog.CATALOGS, FAKE))
    processed = tmp_path / "processed"
    (processed / STREAMING.name).mkdir(parents=True)
    (processed / FAKE.name).mkdir()
    small_titles.to_parquet(processed / STREAMING.name / "titles.parquet")
    (processed / FAKE.name / "fake.json").write_text(json.dumps(BOOKS))
    state = load_state(processed, tmp_path / "no-artifacts", tmp_path / "no-reports")
    assert isinstance(state.queries["fake"], Shelf) and "streaming" in state.queries
    return state


def test_new_catalog_gets_rest_routes(fake_state):
    from fastapi.testclient import TestClient

    from serving.api import create_api

    client = TestClient(create_api(fake_state), raise_server_exceptions=False)
    shelf = fake_state.queries["fake"]
    assert client.get("/fake/count_books", params={"year": "2001"}).json() == shelf.count_books(2001)
    assert client.get("/fake/best_books?genre=poetry&n=1").json() == shelf.best_books("poetry", 1)
    assert client.get("/fake/best_books?genre=Poetry").json() == shelf.best_books("poetry", 2)
    for url, status, words in (("/fake/count_books?year=%D9%A2%D9%A0%D9%A0%D9%A1", 400, "year must be a whole"),
                               ("/fake/best_books?genre=poetry&n=101", 400, "from 1 to 100"),
                               ("/fake/best_books?genre=poetri", 400, "Did you mean 'poetry'"),
                               ("/fake/best_books", 422, "genre (query): Field required"),
                               ("/fake/count_books/2001", 404, "no route")):
        response = client.get(url)
        assert response.status_code == status and words in response.json()["detail"], (url, response.text)
    spec = client.get("/openapi.json").json()["paths"]
    assert [p["name"] for p in spec["/fake/best_books"]["get"]["parameters"]] == ["genre", "n"]
    assert spec["/fake/best_books"]["get"]["operationId"] == "fake_best_books"
    assert "/count_platform/{platform}" in spec  # the streaming routes are still there
    assert client.get("/count_platform/netflix").json()["count"] == 5


def test_new_catalog_unavailable_is_a_503(fake_state):
    from fastapi.testclient import TestClient

    from serving.api import create_api

    del fake_state.queries["fake"]
    fake_state.query_errors["fake"] = "fake.json not found"
    response = TestClient(create_api(fake_state)).get("/fake/count_books?year=2001")
    assert response.status_code == 503 and "The fake catalog is not loaded (fake.json not found)" in response.text


def _serve(app):
    import socket

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.mark.slow  # serves the app (about 10 s): the REST test above covers the fast loop
def test_new_catalog_gets_api_names_and_ui_tabs(fake_state):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    from app import create_app

    app = create_app(fake_state)
    server, thread, url = _serve(app)
    try:
        client = Client(url, verbose=False, download_files=False)
        names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
        assert {"/fake_count_books", "/fake_best_books", "/count_platform", "/max_duration"} <= names
        assert not [name for name in names if name.endswith("_example")]
        shelf = fake_state.queries["fake"]
        markdown, answer = client.predict("2001", api_name="/fake_count_books")
        assert answer == shelf.count_books(2001) and "count" in markdown
        assert client.predict("poetry", "", api_name="/fake_best_books")[1] == shelf.best_books("poetry", 2)
        with pytest.raises(AppError, match="n must be a whole number from 1 to 100"):
            client.predict("poetry", "1_0", api_name="/fake_best_books")
        with pytest.raises(ValueError, match="api_name"):  # examples are not endpoints
            client.predict("2001", api_name="/fake_count_books_example")

        config = httpx.get(url + "/config", timeout=30).json()
        labels = [c.get("props", {}).get("label") for c in config["components"] if c.get("type") == "tabitem"]
        assert "Fake shelf" in labels and "Catalog questions" in labels
        assert {"Books of a year", "Best books of a genre", "Longest title"} <= set(labels)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
