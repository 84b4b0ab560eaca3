"""The operator's route: `POST /admin/reload` asks the Hub for newer revisions now (serving.live.Live.check).

It exists only when APP_ADMIN_SECRET is set, and answers only a request carrying that secret as
`Authorization: Bearer <secret>` (compared in constant time): 401 without it, 403 with a wrong one. The check
runs in the background; the answer (202) says what each repo serves, and /health follows the download.
"""
from __future__ import annotations

import hmac
import threading

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from serving.api import error_response
from serving.live import Live


def add_admin_routes(app: FastAPI, live: Live, secret: str | None) -> None:
    """POST /admin/reload, when a secret is configured (otherwise the route does not exist: 404)."""
    if not secret:
        return
    expected = secret.encode()

    @app.post("/admin/reload", tags=["service"], summary="Check the Hub for newer revisions now (operator)")
    def reload(request: Request) -> JSONResponse:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            response = error_response(401, "unauthorized", "this route needs `Authorization: Bearer <secret>`")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if not hmac.compare_digest(header[7:].strip().encode(), expected):
            return error_response(403, "forbidden", "the secret is not the one configured")
        threading.Thread(target=live.check, args=("reload",), daemon=True, name="live-reload").start()
        return JSONResponse(status_code=202, content={
            "status": "checking", "detail": "checking the Hub for newer revisions; follow it at /health",
            "hub": {kind: s.public() for kind, s in live.status.items() if s.repo}})
