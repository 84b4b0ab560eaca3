"""The REST API: one FastAPI app whose routes answer JSON, documented at /docs (OpenAPI at /openapi.json).

    GET /health      POST /feedback      GET /posters/placeholder.svg
    GET /<prefix>/<question>?<param>=...   each declared catalog's questions (catalog.CATALOGS)
    GET /<prefix>/recommend, /<prefix>/top_n, ...   each catalog's model routes (its `api` module's routes())
    GET /recommend, /max_duration, /count_platform/{platform}, ...   a root_alias catalog's routes at the root too

One APIRouter per catalog, built from its declaration (its questions by the route rule of catalog.declaration,
CatalogSpec.route, and the model routes its api module adds) and mounted under its prefix; a root_alias catalog's
router is built once more for the root, the routes its clients have always used. Nothing here names a catalog.
Inputs arrive as text and are parsed by the same functions the UI uses (the declarations' parsers, the inputs
package), so both doors give the same answers and the same messages.
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
import importlib
import inspect
import logging
from collections.abc import Callable
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

import catalog
from catalog import CatalogSpec, Route
from errors import InputError, NotFound, Unavailable
from inputs.text import clip
from serving import posters
from serving.feedback import FeedbackLog, feedback_log
from serving.state.snapshot import AppState, snapshot

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

    for spec in catalog.CATALOGS:  # read when the app is built: adding a declaration there is enough
        if spec.root_alias:  # first: the routes its clients have always used keep their place in /docs
            add_router(app, catalog_router(state, spec, at_root=True))
        add_router(app, catalog_router(state, spec))
    posters.add_routes(app)  # the image a film without a (loadable) poster shows
    add_feedback_route(app, feedback)
    return app


def add_router(app: FastAPI, router: APIRouter) -> None:
    """The router's routes (their paths prefixed already) as the app's own. Not app.include_router: FastAPI
    includes a router as one lazy entry, and RestMethods reads every route's path and methods."""
    app.router.routes.extend(router.routes)


def catalog_router(state: AppState, spec: CatalogSpec, at_root: bool = False) -> APIRouter:
    """A catalog's routes: its model routes (its api module's routes(router, state)) and one GET per question,
    under /<prefix>, or `at_root` (a root_alias catalog's alias)."""
    router = APIRouter(prefix="" if at_root else f"/{spec.prefix}")
    if spec.api:
        importlib.import_module(spec.api).routes(router, state)
    for question in spec.questions:
        route = spec.route(question, at_root=at_root)
        app_path = route.path if at_root else route.path.removeprefix(f"/{spec.prefix}")
        router.add_api_route(app_path, question_endpoint(state, spec, route), methods=["GET"],
                             tags=[spec.label.lower()], summary=question.label, description=question.definition,
                             operation_id=route.operation_id)
    return router


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
