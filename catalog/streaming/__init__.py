"""The streaming catalog (Amazon, Disney+, Hulu and Netflix titles): its declaration, nine questions served under
/streaming/ and, as an alias, at the root with the routes and api_names clients already use (/max_duration,
/count_platform/{platform}, ...).

Each parameter is parsed by the inputs module of its kind, through the small adapters below that bind the
catalog's data (its years, its maturity ratings).
"""
from __future__ import annotations

import config
from catalog.declaration import CatalogSpec, Param, Question
from catalog.streaming.queries import StreamingCatalog, load_streaming_catalog
from inputs.choices import CONTENT_TYPES, DURATION_TYPES, parse_choice, parse_content_type, parse_duration_type
from inputs.numbers import parse_optional_year, parse_score, parse_year
from inputs.platforms import PLATFORM_KEYS, parse_optional_platform, parse_platform
from inputs.text import parse_text
from inputs.titles import ID_SCHEME


# ---- parsers: (value, parameter name, catalog) -> canonical value --------------------------------------
def platform(value: object, name: str, catalog: StreamingCatalog) -> str:
    return parse_platform(value)


def optional_platform(value: object, name: str, catalog: StreamingCatalog) -> str | None:
    return parse_optional_platform(value)


def year(value: object, name: str, catalog: StreamingCatalog) -> int:
    return parse_year(value, catalog.year_range, name)


def optional_year(value: object, name: str, catalog: StreamingCatalog) -> int | None:
    return parse_optional_year(value, catalog.year_range, name)


def score(value: object, name: str, catalog: StreamingCatalog) -> float:
    return parse_score(value, name)


def text(value: object, name: str, catalog: StreamingCatalog) -> str:
    return parse_text(value, name)


def rating(value: object, name: str, catalog: StreamingCatalog) -> str:
    return parse_choice(value, catalog.ratings, name)


def content_type(value: object, name: str, catalog: StreamingCatalog) -> str:
    return parse_content_type(value, name)


def duration_type(value: object, name: str, catalog: StreamingCatalog) -> str:
    return parse_duration_type(value, name)


# ---- the questions ----------------------------------------------------------------------------------------
PLATFORM = Param("platform", platform, "Streaming platform: amazon, disney, hulu or netflix (full names work too).",
                 choices=PLATFORM_KEYS)
YEAR = Param("year", year, "Release year, e.g. 2019.")

QUESTIONS = (
    Question(
        StreamingCatalog.get_max_duration, "max_duration", "Longest title",
        (Param("year", optional_year, "Release year, e.g. 2018; leave empty for every year.", required=False),
         Param("platform", optional_platform, "Streaming platform; leave empty for every platform.",
               required=False, choices=PLATFORM_KEYS),
         Param("duration_type", duration_type, "Unit of the duration: min (movies) or season (TV shows).",
               required=False, default="min", choices=tuple(DURATION_TYPES))),
        ((2018, "netflix", "min"), (None, "disney", "season"), (2020, None, "min"))),
    Question(
        StreamingCatalog.get_score_count, "score_count", "Movies scored above",
        (PLATFORM,
         Param("scored", score, "Score threshold, 0.5-5.0: count movies scored strictly above it."),
         YEAR),
        (("netflix", 3.5, 2018), ("amazon", 3.55, 2020), ("disney", 3.6, 2019))),
    Question(
        StreamingCatalog.get_count_platform, "count_platform", "Movies per platform",
        (PLATFORM,),
        (("netflix",), ("amazon",), ("disney",))),
    Question(
        StreamingCatalog.get_actor, "actor", "Most frequent actor",
        (PLATFORM, YEAR),
        (("netflix", 2019), ("amazon", 2018), ("disney", 2020))),
    Question(
        StreamingCatalog.get_contents, "contents", "Titles by maturity rating",
        (Param("rating", rating, "Maturity rating, e.g. tv-ma, pg-13, 18+ (as in the catalog).",
               catalog_values="ratings"),),
        (("tv-ma",), ("pg-13",), ("18+",))),
    Question(
        StreamingCatalog.prod_per_county, "prod_per_county", "Titles by country and year",
        (Param("tipo", content_type, "Type of title: movie or tv show.", choices=tuple(CONTENT_TYPES)),
         Param("pais", text, "Production country, e.g. india, united states, japan.", catalog_values="countries"),
         Param("anio", year, "Release year, e.g. 2019.")),
        (("movie", "india", 2019), ("tv show", "united states", 2020), ("movie", "japan", 2018))),
    Question(
        StreamingCatalog.get_word_count, "word_count", "Titles containing a word",
        (PLATFORM, Param("keyword", text, "A word (or phrase) to find in titles, e.g. love.")),
        (("netflix", "love"), ("disney", "christmas"), ("amazon", "star"))),
    Question(
        StreamingCatalog.get_second_score, "second_score", "Second best-scored movie",
        (PLATFORM,),
        (("netflix",), ("disney",), ("hulu",))),
    Question(
        StreamingCatalog.get_listedin, "listedin", "Platform with most titles of a genre",
        (Param("genre", text, "Genre, or the start of one, singular or plural: comedy, documentar, horror...",
               catalog_values="genres"),),
        (("comedy",), ("documentar",), ("horror",))),
)

NAME = "streaming"

STREAMING = CatalogSpec(
    name=NAME,
    label="Catalog questions",
    prefix=NAME,
    tables=(config.TITLES_FILE,),
    id_scheme=f"title id: {ID_SCHEME}",
    questions=QUESTIONS,
    load=load_streaming_catalog,
    root_alias=True,
    ui=f"catalog.{NAME}.ui",
    models=("model", "similar"),
    api=f"catalog.{NAME}.api",
)
