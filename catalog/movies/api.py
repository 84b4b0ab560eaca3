"""The Movies catalog's model routes (recommend, top picks, a visitor's picks, similar films, search), added to
its router under /movies/."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from catalog.movies import answers
from errors import InputError
from inputs.numbers import MAX_LIMIT, MAX_N
from inputs.text import is_empty
from inputs.titles import parse_tmdb_id
from serving.api import per_route
from serving.state.snapshot import AppState, snapshot


class VisitorRatings(BaseModel):
    """The body of POST /movies/for_visitor."""

    model_config = ConfigDict(extra="forbid")
    ratings: list[Any]
    n: int | str = 10
    platform: str | None = None
    exclude: Any = None  # TMDB ids the visitor is not interested in (checked by inputs.ratings.parse_exclude)


MOVIE_REF = "A TMDB id, e.g. 862 (the film titled '2012' is asked for with title=2012)."
TITLE_REF = "A film's title, any case, accents optional, e.g. toy story."


# The routes' parameters (module level: FastAPI resolves the annotations by name).
MovieUser = Annotated[str, Query(description="A MovieLens user id, e.g. 15.")]
MovieId = Annotated[str | None, Query(description=MOVIE_REF)]
MovieTitle = Annotated[str | None, Query(description=TITLE_REF)]
FilmCount = Annotated[str, Query(description=f"How many films, 1-{MAX_N}.")]
StreamsOn = Annotated[str | None, Query(description="Only films streaming on this platform (netflix, ...).")]


def _movie(movie_id: str | None, title: str | None) -> object:
    """The one film a GET names, by `movie_id` (read as a TMDB id) or `title` (read as a title); blank = left out."""
    movie_id, title = (None if is_empty(v) else v for v in (movie_id, title))
    if (movie_id is None) == (title is None):
        raise InputError("give exactly one of movie_id (a TMDB id, e.g. 862) and title (e.g. toy story).")
    return title if movie_id is None else parse_tmdb_id(movie_id, "movie_id")


def routes(router: APIRouter, state: AppState) -> None:
    """Add the model routes to `router`; each request reads the state's snapshot once."""
    tags = ["movies model"]

    @router.get("/recommend", tags=tags, summary="Recommend a film to a MovieLens user, or not, and why")
    @per_route
    def movies_recommend(user_id: MovieUser, movie_id: MovieId = None, title: MovieTitle = None) -> dict:
        return answers.recommend(snapshot(state), user_id, _movie(movie_id, title))

    @router.get("/top_n", tags=tags, summary="A MovieLens user's best unrated films, with filters")
    @per_route
    def movies_top_n(user_id: MovieUser, n: FilmCount = "10",
                     genre: Annotated[str | None, Query(description="A genre, or several comma-separated.")] = None,
                     year_from: Annotated[str | None, Query(description="Released in or after this year.")] = None,
                     year_to: Annotated[str | None, Query(description="Released in or before this year.")] = None,
                     platform: StreamsOn = None) -> dict:
        return answers.top_n(snapshot(state), user_id, n, genre, year_from, year_to, platform)

    @router.post("/for_visitor", tags=tags, summary="A visitor's own picks from three or more rated films")
    @per_route
    def movies_for_visitor(body: VisitorRatings) -> dict:
        return answers.for_visitor(snapshot(state), body.ratings, body.n, body.platform, body.exclude)

    @router.get("/similar", tags=tags, summary="Films like a film: by content and by taste")
    @per_route
    def movies_similar(movie_id: MovieId = None, title: MovieTitle = None, n: FilmCount = "10",
                       platform: StreamsOn = None) -> dict:
        return answers.similar(snapshot(state), _movie(movie_id, title), n, platform)

    @router.get("/search", tags=tags, summary="Films with ratings matching part of a title")
    @per_route
    def movies_search(q: Annotated[str, Query(description="Part of a title, e.g. nemo.")],
                      limit: Annotated[str, Query(description=f"How many films, 1-{MAX_LIMIT}.")] = "10") -> dict:
        return answers.search(snapshot(state), q, limit)
