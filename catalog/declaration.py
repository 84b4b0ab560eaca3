"""Catalog declarations: what a catalog serves, as data. The UI tabs, REST routes, api_names and the input
parsing of every catalog question are generated from these (serving/ui.py, serving/api.py), so adding a
catalog's questions is adding a declaration and its query module, nothing in serving/.

    CatalogSpec(name="movies", label="Movies questions", prefix="movies", tables=("movies.parquet",),
                id_scheme="movie id: a whole number (a JSON number), e.g. 862",
                questions=(Question(Movies.top_rated, "top_rated", "Best-rated movies",
                                    (Param("year", parse_a_year, "Release year."),), examples=((1995,),)),),
                load=load_movies)

The route rule, fixed here for every catalog (CatalogSpec.route):

    every catalog, under its prefix
        GET /<prefix>/<short>?<param>=... with query parameters named as the function's parameters;
        api_name "<prefix>_<short>"
    a catalog with root_alias (the streaming catalog only: the routes clients used before catalogs had prefixes)
        also GET /<short>, the parameter in the path when there is exactly one (/count_platform/{platform}),
        query parameters otherwise; its api_names are the short names ("max_duration")

Beside its questions a catalog names the modules of its own served parts (imported by the app when it is built,
so a declaration never imports gradio or the serving side): `ui`, its model tabs (catalog/<name>/ui.py), and
`api`, its model routes (catalog/<name>/api.py). Adding a catalog is its folder and one line in
catalog.CATALOGS.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inputs.text import is_empty

# (value as a door sent it, the parameter's name, the catalog's query object) -> the canonical value.
# Raises errors.InputError for bad input. The query object gives data-dependent ranges (e.g. its years).
Parser = Callable[[object, str, Any], object]

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Param:
    """One parameter of a question: how to parse it, and enough to draw an input widget and document a field."""

    name: str  # as in the query function's signature; also the REST query parameter
    parse: Parser
    help: str
    required: bool = True
    default: object = None  # used when the parameter is left out; None = no filter
    choices: tuple[str, ...] | None = None  # the complete list of canonical values, when it is fixed
    catalog_values: str | None = None  # attribute of the query object listing values found in the data

    def read(self, value: object, source: Any) -> object:
        """The canonical value of an argument as a door sent it: an optional parameter left out (None or
        blank text) takes its default; anything else is parsed (a blank required one is an InputError)."""
        if not self.required and is_empty(value):
            return self.default
        return self.parse(value, self.name, source)


@dataclass(frozen=True)
class Question:
    """One catalog question: the query object's method `function` answers it, served under `short`."""

    function: Callable[..., dict]  # the query class's method, e.g. StreamingCatalog.get_actor
    short: str  # the stem of its route and api_name, e.g. "actor"
    label: str  # its tab's title
    params: tuple[Param, ...]
    examples: tuple[tuple, ...]  # rows of arguments in params order (None: left out)

    @property
    def name(self) -> str:
        """The function's name, e.g. "get_actor"."""
        return self.function.__name__

    @property
    def definition(self) -> str:
        """The first paragraph of the function's docstring, on one line."""
        doc = inspect.getdoc(self.function) or ""
        return " ".join(doc.split("\n\n")[0].split())

    def parse(self, source: Any, *args: object, **kwargs: object) -> dict[str, object]:
        """The arguments (in params order and/or by name, as a door sent them) parsed into canonical values."""
        if len(args) > len(self.params):
            raise TypeError(f"{self.name} takes {len(self.params)} arguments, got {len(args)}")
        given = dict(zip((p.name for p in self.params), args))
        wrong = (set(kwargs) - {p.name for p in self.params}) | (set(given) & set(kwargs))
        if wrong:
            raise TypeError(f"{self.name}: unexpected or repeated arguments {sorted(wrong)}")
        given.update(kwargs)
        return {p.name: p.read(given.get(p.name), source) for p in self.params}

    def run(self, source: Any, *args: object, **kwargs: object) -> dict:
        """Ask `source` (the catalog's query object) this question; raises errors.InputError on bad input."""
        return getattr(source, self.name)(**self.parse(source, *args, **kwargs))


@dataclass(frozen=True)
class Route:
    """Where a question is served: its REST path and its Gradio api_name."""

    question: Question
    path: str  # FastAPI path, e.g. "/count_platform/{platform}" or "/movies/top_rated"
    api_name: str  # without the leading "/": gradio_client calls it as "/" + api_name
    path_param: str | None  # the parameter taken from the path, if any; the others are query parameters
    operation_id: str  # its OpenAPI operationId


@dataclass(frozen=True)
class CatalogSpec:
    """A catalog: its name, where it is served, its clean tables, its id scheme, its questions, its loader."""

    name: str  # key of its query object in the app's state, e.g. "streaming"
    label: str  # the UI's tab group for its questions, e.g. "Catalog questions"
    prefix: str  # its routes are /<prefix>/...
    tables: tuple[str, ...]  # its clean tables: file names in its folder, data/processed/<name>/
    id_scheme: str  # how its entries are identified, in words (ids never read as titles)
    questions: tuple[Question, ...]
    load: Callable[[Path], Any]  # its folder (see `folder`) -> its query object (InputError when missing)
    root_alias: bool = False  # also served at the root, the api_names unprefixed (the module docstring)
    ui: str | None = None  # module of its model tabs: headline(now), page_state(state), tabs(...) (serving.ui)
    api: str | None = None  # module of its model routes: routes(router, state) (serving.api)
    models: tuple[str, ...] = ()  # the served model pieces its answers need (serving.state.snapshot.MODEL_PIECES)

    def __post_init__(self) -> None:
        for value, what in ((self.name, "name"), (self.prefix, "prefix")):
            if not NAME_PATTERN.match(value):
                raise ValueError(f"catalog {what} {value!r}: use lower-case letters, digits and _")
        shorts = [q.short for q in self.questions]
        if len(set(shorts)) != len(shorts):
            raise ValueError(f"catalog {self.name}: two questions share a short name: {shorts}")
        for question in self.questions:
            check_signature(question)

    def folder(self, root: str | Path) -> Path:
        """Where this catalog's tables are read under a processed-data root: <root>/<name>/, which the ETL
        writes; or the root itself when it has no such folder but holds the tables directly (the layout
        published before each catalog had its folder, which a deployed Space's dataset repo may still have)."""
        root = Path(root)
        own = root / self.name
        if not own.is_dir() and self.tables and all((root / table).is_file() for table in self.tables):
            return root
        return own

    def route(self, question: Question, at_root: bool = False) -> Route:
        """The route rule, the one place it is written (see the module docstring): the question under the
        prefix, or `at_root` (a root_alias catalog's alias)."""
        api_name = question.short if self.root_alias else f"{self.prefix}_{question.short}"
        if at_root:
            in_path = question.params[0].name if len(question.params) == 1 else None
            path = f"/{question.short}" + (f"/{{{in_path}}}" if in_path else "")
            return Route(question, path, api_name, in_path, question.name)
        return Route(question, f"/{self.prefix}/{question.short}", api_name, None, f"{self.prefix}_{question.short}")

    @property
    def routes(self) -> tuple[Route, ...]:
        """The routes its tabs name and clients know: at the root for a root_alias catalog, else prefixed."""
        return tuple(self.route(q, at_root=self.root_alias) for q in self.questions)

    @property
    def rest_routes(self) -> tuple[Route, ...]:
        """Every REST route of its questions: the prefixed ones, and the root aliases of a root_alias catalog."""
        prefixed = tuple(self.route(q) for q in self.questions)
        return prefixed + (tuple(self.route(q, at_root=True) for q in self.questions) if self.root_alias else ())


def check_signature(question: Question) -> None:
    """ValueError unless the declared params are the function's parameters: names, order, defaults."""
    if not NAME_PATTERN.match(question.short):
        raise ValueError(f"question short name {question.short!r}: use lower-case letters, digits and _")
    actual = [p for p in inspect.signature(question.function).parameters.values() if p.name != "self"]
    if [p.name for p in question.params] != [p.name for p in actual]:
        raise ValueError(f"{question.name}: declared params {[p.name for p in question.params]} are not the "
                         f"function's {[p.name for p in actual]}")
    for declared, param in zip(question.params, actual):
        if declared.required != (param.default is inspect.Parameter.empty):
            raise ValueError(f"{question.name}: {declared.name} is required in one and optional in the other")
        if not declared.required and declared.default != param.default:
            raise ValueError(f"{question.name}: {declared.name} defaults differ")
    if any(len(row) != len(question.params) for row in question.examples):
        raise ValueError(f"{question.name}: every example gives one value per parameter")
