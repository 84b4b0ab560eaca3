"""The REST API: one FastAPI app whose routes answer JSON, documented at /docs (OpenAPI at /openapi.json).

    GET /recommend?user_id=&title_id=        GET /top_n?user_id=&n=&platform=&type=
    GET /similar?title_id=&n=&platform=&type= GET /search?q=&limit=        GET /health
    GET /max_duration?year=&platform=&duration_type=   GET /count_platform/{platform}   ... (catalog.streaming)
    GET /<prefix>/<question>?<param>=...     (any other declared catalog)

The catalog routes are generated from the declarations in catalog.CATALOGS, by the route rule of
catalog.declaration (CatalogSpec.route); nothing here names a catalog. Inputs arrive as text and are parsed
by the same functions the UI uses (the declarations' parsers, the inputs package), so both doors give the
same answers and the same messages.
Bad input is a 4xx with {"error": ..., "detail": ...}: 400 for an InputError, 422 for a missing or malformed
parameter, 404 for an unknown route, 405 (with an Allow header) for a method a route does not take, 503 when
the data or model (or the catalog a route asks) is not loaded. Never a 500 for bad input; an unexpected failure
is a 500 that names nothing internal (the log has the traceback). HEAD answers like GET, without the body.

Every route runs its handler in a worker thread under its own limit of ROUTE_THREADS at once (`per_route`), not
in one pool shared by all routes: a flood of heavy requests on one route (200 clients asking /top_n n=100)
queues behind its own few threads, and a light request on another route (/health) still finds a free one
(`python -m bench.load`).
"""
from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import FastAPI, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

import catalog
from catalog import CatalogSpec, Route
from catalog.movies import answers as movie_service
from catalog.streaming import answers as service
from errors import InputError, NotFound
from inputs.numbers import MAX_LIMIT, MAX_N
from inputs.text import clip, is_empty
from inputs.titles import parse_tmdb_id
from serving import posters
from serving.feedback import FeedbackLog, feedback_log
from serving.state import AppState, Unavailable, snapshot

log = logging.getLogger(__name__)

# How many requests of one route run at once; the others wait for their route's turn (see the module docstring).
# 1 measured better than 2 under 200 heavy clients (python -m bench.load, one run each: light p95 0.05 s against
# 0.12 s, 63 heavy answers/s against 53): on 2 cores more threads mostly contend for the GIL.
ROUTE_THREADS = 1

DESCRIPTION = """Recommendations over four streaming catalogs (Amazon Prime Video, Disney+, Hulu, Netflix):
predicted ratings with explanations, top picks, similar titles, title search and the catalog questions.
Every error is JSON: `{"error": "...", "detail": "..."}`."""


def error_response(status: int, error: str, detail: Any) -> JSONResponse:
    if isinstance(detail, str):  # text that cannot be UTF-8 (a lone surrogate from an ASGI caller) is escaped
        detail = detail.encode("utf-8", "backslashreplace").decode("utf-8")
    return JSONResponse(status_code=status, content={"error": error, "detail": detail})


def no_route(request: Request) -> str:
    return f"no route {request.method} {clip(request.url.path)}; see /docs for the routes"


def _validation_detail(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one sentence: 'user_id (query): Field required; ...'."""
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ())]
        where = f"{loc[-1]} ({loc[0]})" if len(loc) >= 2 else ".".join(loc) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


INTERNAL_ERROR = "the server could not answer this request; the error is logged. Try again, or report it."


def add_error_handlers(app: FastAPI) -> None:
    """Map every failure to the {"error", "detail"} shape."""

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> JSONResponse:
        return error_response(400, "invalid input", str(exc))

    @app.exception_handler(NotFound)
    async def not_found_name(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse(status_code=404, content={"error": "not found", "detail": str(exc),
                                                      "suggestions": exc.suggestions})

    @app.exception_handler(Unavailable)
    async def unavailable(request: Request, exc: Unavailable) -> JSONResponse:
        return error_response(503, "not available", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid input", _validation_detail(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return error_response(404, "not found", no_route(request))
        if exc.status_code == 405:
            return method_not_allowed(request.method, request.url.path, (exc.headers or {}).get("Allow", "GET"))
        response = error_response(exc.status_code, "http error", clip(str(exc.detail)))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The class, message and traceback are for the log: a public answer names no internals.
        log.exception("unexpected error on %s %s", request.method, clip(request.url.path))
        return error_response(500, "internal error", INTERNAL_ERROR)


def method_not_allowed(method: str, path: str, allow: str) -> JSONResponse:
    """405 with the Allow header and the same list in words."""
    response = error_response(405, "method not allowed",
                              f"{clip(method)} is not allowed on {clip(path)}; allowed: {allow}")
    response.headers["Allow"] = allow
    return response


class RestMethods:
    """ASGI middleware for the REST routes: HEAD answers like GET (without the body), and a method a route does
    not take is a 405 naming the allowed ones (without it, such a request falls through to the Gradio app mounted
    at "/" and is a 404 "no route"). Routes are read from the FastAPI app when the first request comes, so routes
    added later (the generated catalog routes, FastAPI's /docs) are covered."""

    def __init__(self, app: Any, api: FastAPI):
        self.app, self.api = app, api
        self._routes: list[Any] | None = None

    def routes(self) -> list[Any]:
        if self._routes is None:
            from starlette.routing import Route as StarletteRoute
            self._routes = [r for r in self.api.router.routes if isinstance(r, StarletteRoute) and r.methods]
        return self._routes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            route = next((r for r in self.routes() if r.path_regex.match(scope["path"])), None)
            if route is not None and scope["method"] not in route.methods:
                allowed = set(route.methods) | ({"HEAD"} if "GET" in route.methods else set())
                if scope["method"] == "HEAD" and "GET" in allowed:
                    await self.app(dict(scope, method="GET"), receive, _without_body(send))
                    return
                response = method_not_allowed(scope["method"], scope["path"], ", ".join(sorted(allowed)))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _without_body(send: Any) -> Any:
    """A send() that passes the GET answer's status and headers on, and none of its body (a HEAD answer)."""
    async def send_head(message: dict) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return send_head


def json_not_found_everywhere(app: FastAPI) -> None:
    """Unknown routes fall through to the app mounted at "/" (Gradio): make its 404s our JSON shape too.

    Gradio's own API (/gradio_api/...) keeps its answers: its client reads them.
    """
    from fastapi.exception_handlers import http_exception_handler
    from starlette.routing import Mount

    async def not_found(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404 and not request.url.path.startswith("/gradio_api"):
            return error_response(404, "not found", no_route(request))
        return await http_exception_handler(request, exc)

    for route in app.routes:
        if isinstance(route, Mount):
            route.app.add_exception_handler(StarletteHTTPException, not_found)


def per_route(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A sync endpoint as an async one that runs it, and the JSON encoding of its answer, in a worker thread
    under the route's own limiter: the event loop only moves bytes (a 3,675-title answer encoded on the loop
    held up every other request). FastAPI reads the parameters through functools.wraps (the signature of `fn`)."""
    limiter: anyio.CapacityLimiter | None = None

    def answer(*args: Any, **kwargs: Any) -> JSONResponse:
        return JSONResponse(jsonable_encoder(fn(*args, **kwargs)))

    @functools.wraps(fn)
    async def endpoint(*args: Any, **kwargs: Any) -> JSONResponse:
        nonlocal limiter
        if limiter is None:  # made inside the event loop
            limiter = anyio.CapacityLimiter(ROUTE_THREADS)
        return await anyio.to_thread.run_sync(functools.partial(answer, *args, **kwargs), limiter=limiter)

    return endpoint


def question_endpoint(state: AppState, spec: CatalogSpec, route: Route) -> Callable:
    """The endpoint of one catalog question, with a signature FastAPI reads and documents: every parameter
    as text (parsed by the declaration, so messages match the UI's), in the path or the query as the route says."""
    params = []
    for p in route.question.params:
        doc = p.help + (f" One of: {', '.join(p.choices)}." if p.choices else "")
        if p.name == route.path_param:
            annotation, default = Annotated[str, Path(description=doc)], inspect.Parameter.empty
        elif p.required:
            annotation, default = Annotated[str, Query(description=doc)], inspect.Parameter.empty
        else:
            annotation = Annotated[str | None, Query(description=doc)]
            default = None if p.default is None else str(p.default)
        params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation,
                                        default=default))

    def endpoint(**kwargs: str) -> dict:
        return route.question.run(snapshot(state).require_queries(spec), **kwargs)

    endpoint.__signature__ = inspect.Signature(params)  # FastAPI reads the parameters from here
    endpoint.__name__ = route.operation_id
    return per_route(endpoint)


def create_api(state: AppState, feedback: FeedbackLog | None = None) -> FastAPI:
    """The FastAPI app with every REST route; the Gradio UI is mounted on it at "/" by app.py.

    `state` is an AppState or a serving.live.Live; each request reads its snapshot once (state.snapshot).
    `feedback` is where POST /feedback appends (default: the process-wide serving.feedback.feedback_log())."""
    app = FastAPI(title="Streaming recommender", description=DESCRIPTION, version="1.0")
    add_error_handlers(app)
    app.add_middleware(RestMethods, api=app)

    @app.get("/health", tags=["service"], summary="Loaded artifacts, where they came from, versions, checksums")
    @per_route
    def health() -> dict:
        return state.health()  # a Live adds the Hub's revisions (serving, pending, refused)

    @app.get("/recommend", tags=["model"], summary="Recommend or not: predicted rating and explanation")
    @per_route
    def recommend(user_id: Annotated[str, Query(description="User id, e.g. 42.")],
                  title_id: Annotated[str, Query(description="Title id (e.g. ns123) or exact title.")]) -> dict:
        return service.recommend(snapshot(state), user_id, title_id)

    @app.get("/top_n", tags=["model"], summary="The user's top picks, leaving out what they rated")
    @per_route
    def top_n(user_id: Annotated[str, Query(description="User id, e.g. 42.")],
              n: Annotated[str, Query(description=f"How many titles, 1-{MAX_N}.")] = "10",
              platform: Annotated[str | None, Query(description="Only this platform.")] = None,
              content_type: Annotated[str | None, Query(alias="type", description="Only movie or tv show.")] = None,
              ) -> dict:
        return service.top_n(snapshot(state), user_id, n, platform, content_type)

    @app.get("/similar", tags=["model"], summary="Titles similar to a title (by content)")
    @per_route
    def similar(title_id: Annotated[str, Query(description="Title id (e.g. ds1378) or exact title.")],
                n: Annotated[str, Query(description=f"How many titles, 1-{MAX_N}.")] = "10",
                platform: Annotated[str | None, Query(description="Only this platform.")] = None,
                content_type: Annotated[str | None, Query(alias="type", description="Only movie or tv show.")] = None,
                ) -> dict:
        return service.similar(snapshot(state), title_id, n, platform, content_type)

    @app.get("/search", tags=["catalog"], summary="Find titles by a partial, misspelled or any-case title")
    @per_route
    def search(q: Annotated[str, Query(description="Part of a title, e.g. toy stor.")],
               limit: Annotated[str, Query(description=f"How many titles, 1-{MAX_LIMIT}.")] = "10") -> dict:
        return service.search(snapshot(state), q, limit)

    for spec in catalog.CATALOGS:  # read when the app is built: adding a declaration there is enough
        add_catalog_routes(app, state, spec)
    add_movie_model_routes(app, state)
    add_feedback_route(app, feedback)
    return app


class FeedbackEvent(BaseModel):
    """The body of POST /feedback: the kind and the payload's fields beside it."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"kind": "thumbs", "catalog": "movies", "movie": 862, "vote": "up", "visitor": "a1b2c3"},
        {"kind": "ratings", "catalog": "movies", "visitor": "a1b2c3",
         "ratings": [{"movie": 862, "rating": 5}, {"movie": 863, "rating": 4.5}]}]})
    kind: str


def add_feedback_route(app: FastAPI, feedback: FeedbackLog | None) -> None:
    @app.post("/feedback", tags=["feedback"], summary="Keep a visitor's thumbs up/down on a pick, or their ratings")
    @per_route
    def post_feedback(body: FeedbackEvent) -> dict:
        event = (feedback or feedback_log()).append(body.kind, dict(body.model_extra or {}))
        return {"kept": True, "id": event["id"], "time": event["time"]}


def add_catalog_routes(app: FastAPI, state: AppState, spec: CatalogSpec) -> None:
    """One GET route per question of a declared catalog, tagged with the catalog's label."""
    for route in spec.routes:
        app.add_api_route(route.path, question_endpoint(state, spec, route), methods=["GET"],
                          tags=[spec.label.lower()], summary=route.question.label,
                          description=route.question.definition, operation_id=route.operation_id)


class VisitorRatings(BaseModel):
    """The body of POST /movies/for_visitor."""

    model_config = ConfigDict(extra="forbid")
    ratings: list[Any]
    n: int | str = 10
    platform: str | None = None
    exclude: Any = None  # TMDB ids the visitor is not interested in (checked by movie_service.parse_exclude)


MOVIE_REF = "A TMDB id, e.g. 862 (the film titled '2012' is asked for with title=2012)."
TITLE_REF = "A film's title, any case, accents optional, e.g. toy story."


# The Movies routes' parameters (module level: FastAPI resolves the annotations by name).
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


def add_movie_model_routes(app: FastAPI, state: AppState) -> None:
    """The Movies model's routes (catalog.movies.answers): recommend, top_n, for_visitor, similar, search; and
    the poster placeholder their answers' pages show (serving.posters)."""
    tags = ["movies model"]
    posters.add_routes(app)

    @app.get("/movies/recommend", tags=tags, summary="Recommend a film to a MovieLens user, or not, and why")
    @per_route
    def movies_recommend(user_id: MovieUser, movie_id: MovieId = None, title: MovieTitle = None) -> dict:
        return movie_service.recommend(snapshot(state), user_id, _movie(movie_id, title))

    @app.get("/movies/top_n", tags=tags, summary="A MovieLens user's best unrated films, with filters")
    @per_route
    def movies_top_n(user_id: MovieUser, n: FilmCount = "10",
                     genre: Annotated[str | None, Query(description="A genre, or several comma-separated.")] = None,
                     year_from: Annotated[str | None, Query(description="Released in or after this year.")] = None,
                     year_to: Annotated[str | None, Query(description="Released in or before this year.")] = None,
                     platform: StreamsOn = None) -> dict:
        return movie_service.top_n(snapshot(state), user_id, n, genre, year_from, year_to, platform)

    @app.post("/movies/for_visitor", tags=tags, summary="A visitor's own picks from three or more rated films")
    @per_route
    def movies_for_visitor(body: VisitorRatings) -> dict:
        return movie_service.for_visitor(snapshot(state), body.ratings, body.n, body.platform, body.exclude)

    @app.get("/movies/similar", tags=tags, summary="Films like a film: by content and by taste")
    @per_route
    def movies_similar(movie_id: MovieId = None, title: MovieTitle = None, n: FilmCount = "10",
                       platform: StreamsOn = None) -> dict:
        return movie_service.similar(snapshot(state), _movie(movie_id, title), n, platform)

    @app.get("/movies/search", tags=tags, summary="Films with ratings matching part of a title")
    @per_route
    def movies_search(q: Annotated[str, Query(description="Part of a title, e.g. nemo.")],
                      limit: Annotated[str, Query(description=f"How many films, 1-{MAX_LIMIT}.")] = "10") -> dict:
        return movie_service.search(snapshot(state), q, limit)
