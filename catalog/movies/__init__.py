"""The Movies catalog (The Movies Dataset: TMDB metadata of about 45,000 films): its declaration, six questions
served under the prefix "movies" (GET /movies/<short>, api_name movies_<short>)."""
from __future__ import annotations

from catalog.declaration import CatalogSpec, Param, Question
from catalog.movies import schema
from catalog.movies.queries import (
    EXAMPLES,
    LIMIT_DEFAULT,
    LIMIT_MAX,
    MoviesCatalog,
    load_movies_catalog,
    parse_limit,
)
from inputs.text import check_length


def name(value: object, param: str, catalog: MoviesCatalog) -> str:
    """A name or code as typed; the query matches it in any case and without accents."""
    check_length(value, param)
    return str(value).strip()


def limit(value: object, param: str, catalog: MoviesCatalog) -> int:
    return parse_limit(value, param)


LIMIT = Param("limit", limit, f"How many movies to list, 1-{LIMIT_MAX} (the total is always given).",
              required=False, default=LIMIT_DEFAULT)


def _question(method, short: str, label: str, params: tuple[Param, ...]) -> Question:
    return Question(method, short, label, params, EXAMPLES[method.__name__])


QUESTIONS = (
    _question(MoviesCatalog.peliculas_idioma, "peliculas_idioma", "Movies per language",
              (Param("idioma", name, "Original language: an ISO 639-1 code (en, fr, ja) or its English name "
                                     "(English); xx = No Language, cn = Cantonese."),)),
    _question(MoviesCatalog.peliculas_duracion, "peliculas_duracion", "Runtime of a movie",
              (Param("pelicula", name, "Movie title, any case, accents optional; every movie with that title, "
                                       "newest first."),)),
    _question(MoviesCatalog.franquicia, "franquicia", "Collection revenue",
              (Param("franquicia", name, "Collection name, e.g. Toy Story Collection or just toy story."), LIMIT)),
    _question(MoviesCatalog.peliculas_pais, "peliculas_pais", "Movies per country",
              (Param("pais", name, "Production country: an ISO code (FR, US) or an English name (France)."),)),
    _question(MoviesCatalog.productoras_exitosas, "productoras_exitosas", "Production company revenue",
              (Param("productora", name, "Production company's full name, e.g. Pixar Animation Studios."),)),
    _question(MoviesCatalog.get_director, "get_director", "Director's success",
              (Param("nombre_director", name, "Director's name, any case, accents optional, e.g. Pedro "
                                              "Almodovar."), LIMIT)),
)

MOVIES = CatalogSpec(
    name=schema.NAME,
    label="Movies",
    prefix=schema.NAME,
    tables=(schema.MOVIES_FILE,),
    id_scheme="movie id: a TMDB id, a whole number given as a JSON number (e.g. 862); titles are separate text",
    questions=QUESTIONS,
    load=load_movies_catalog,
    ui=f"catalog.{schema.NAME}.ui",
    models=("movie_model",),
    api=f"catalog.{schema.NAME}.api",
)
