"""The catalog questions as data: the Gradio tabs and the REST routes are generated from QUERIES.

    for spec in QUERIES:
        spec.api_name      # "/max_duration": the REST route and the Gradio api_name
        spec.definition    # the method's docstring definition, shown in the UI and README
        spec.params        # ParamSpec(name, type, help, required, default, choices, catalog_values)
        spec.examples      # rows of arguments in params order; each gives a non-empty answer on the real catalog
        spec.run(catalog, *row)   # == getattr(catalog, spec.name)(*row): a JSON-ready dict, or InputError
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass

from catalog.inputs import CONTENT_TYPES, DURATION_TYPES
from catalog.platforms import PLATFORM_KEYS
from catalog.queries import Catalog


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a query, enough to draw an input widget and document a REST field."""

    name: str
    type: type  # int, float or str: what the value means (strings like "2020" are parsed too)
    help: str
    required: bool = True
    default: object = None  # used when the parameter is left out; None = no filter
    choices: tuple[str, ...] | None = None  # the complete list of canonical values, when it is fixed
    catalog_values: str | None = None  # Catalog attribute listing the values found in the data, e.g. "ratings"


@dataclass(frozen=True)
class QuerySpec:
    """One catalog question: the Catalog method `name`, served at `api_name`."""

    name: str
    api_name: str
    label: str
    params: tuple[ParamSpec, ...]
    examples: tuple[tuple, ...]

    @property
    def definition(self) -> str:
        """The first paragraph of the method's docstring, on one line."""
        doc = inspect.getdoc(getattr(Catalog, self.name)) or ""
        return " ".join(doc.split("\n\n")[0].split())

    def run(self, catalog: Catalog, *args, **kwargs) -> dict:
        """Ask `catalog` this question; raises errors.InputError on bad input."""
        return getattr(catalog, self.name)(*args, **kwargs)


PLATFORM = ParamSpec("platform", str, "Streaming platform: amazon, disney, hulu or netflix (full names work too).",
                     choices=PLATFORM_KEYS)
YEAR = ParamSpec("year", int, "Release year, e.g. 2019.")

QUERIES: list[QuerySpec] = [
    QuerySpec(
        "get_max_duration", "/max_duration", "Longest title",
        (ParamSpec("year", int, "Release year, e.g. 2018; leave empty for every year.", required=False),
         ParamSpec("platform", str, "Streaming platform; leave empty for every platform.", required=False,
                   choices=PLATFORM_KEYS),
         ParamSpec("duration_type", str, "Unit of the duration: min (movies) or season (TV shows).",
                   required=False, default="min", choices=tuple(DURATION_TYPES))),
        ((2018, "netflix", "min"), (None, "disney", "season"), (2020, None, "min"))),
    QuerySpec(
        "get_score_count", "/score_count", "Movies scored above",
        (PLATFORM,
         ParamSpec("scored", float, "Score threshold, 0.5-5.0: count movies scored strictly above it."),
         YEAR),
        (("netflix", 3.5, 2018), ("amazon", 3.55, 2020), ("disney", 3.6, 2019))),
    QuerySpec(
        "get_count_platform", "/count_platform", "Movies per platform",
        (PLATFORM,),
        (("netflix",), ("amazon",), ("disney",))),
    QuerySpec(
        "get_actor", "/actor", "Most frequent actor",
        (PLATFORM, YEAR),
        (("netflix", 2019), ("amazon", 2018), ("disney", 2020))),
    QuerySpec(
        "get_contents", "/contents", "Titles by maturity rating",
        (ParamSpec("rating", str, "Maturity rating, e.g. tv-ma, pg-13, 18+ (as in the catalog).",
                   catalog_values="ratings"),),
        (("tv-ma",), ("pg-13",), ("18+",))),
    QuerySpec(
        "prod_per_county", "/prod_per_county", "Titles by country and year",
        (ParamSpec("tipo", str, "Type of title: movie or tv show.", choices=tuple(CONTENT_TYPES)),
         ParamSpec("pais", str, "Production country, e.g. india, united states, japan.",
                   catalog_values="countries"),
         ParamSpec("anio", int, "Release year, e.g. 2019.")),
        (("movie", "india", 2019), ("tv show", "united states", 2020), ("movie", "japan", 2018))),
    QuerySpec(
        "get_word_count", "/word_count", "Titles containing a word",
        (PLATFORM, ParamSpec("keyword", str, "A word (or phrase) to find in titles, e.g. love.")),
        (("netflix", "love"), ("disney", "christmas"), ("amazon", "star"))),
    QuerySpec(
        "get_second_score", "/second_score", "Second best-scored movie",
        (PLATFORM,),
        (("netflix",), ("disney",), ("hulu",))),
    QuerySpec(
        "get_listedin", "/listedin", "Platform with most titles of a genre",
        (ParamSpec("genre", str, "Genre, or the start of one, singular or plural: comedy, documentar, horror...",
                   catalog_values="genres"),),
        (("comedy",), ("documentar",), ("horror",))),
]
