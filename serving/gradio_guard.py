"""A guard in front of Gradio's own API routes: bad requests get a 4xx with a plain message.

Gradio answers some malformed calls with a 500 "Internal Server Error" or with reprs of its components
(an unknown or negative `fn_index` in /gradio_api/queue/join, /gradio_api/run/<unknown name>, too few
inputs). This ASGI middleware checks each POST to those routes against the Blocks' own events before Gradio
sees it, and refuses any POST body over MAX_BODY bytes (413), so a client is told what was wrong and no
internals leave the process.

    app = GradioGuard(app, demo)     # in app.py, around the FastAPI app with the Blocks mounted at "/"
"""
from __future__ import annotations

import json
import re
from typing import Any

import gradio as gr

MAX_BODY = 64 * 1024
# Gradio's named-endpoint routes: /gradio_api/run/<name>, /api/<name>, /call/<name>, /call/v2/<name>.
NAMED_ROUTE = re.compile(r"^/gradio_api/(?:run|api|call|call/v2)/([^/]+)/?$")
QUEUE_JOIN = re.compile(r"^/gradio_api/queue/join/?$")


class BadRequest(Exception):
    """A request the guard refuses: its status and a message for the client."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


def _json_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise BadRequest(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return body


def _check_data(body: dict[str, Any], n_inputs: int, name: str) -> None:
    data = body.get("data")
    if not isinstance(data, list):
        raise BadRequest(422, f"'data' must be a list of the {n_inputs} inputs of {name}")
    if len(data) != n_inputs:
        raise BadRequest(422, f"{name} takes {n_inputs} inputs; got {len(data)}")


class GradioGuard:
    """ASGI middleware: validates POSTs to Gradio's API routes and bounds every POST body."""

    def __init__(self, app: Any, blocks: gr.Blocks):
        self.app, self.blocks = app, blocks

    def public_endpoints(self) -> dict[str, Any]:
        return {fn.api_name: fn for fn in self.blocks.fns.values()
                if fn.api_name and fn.fn is not None and fn.api_visibility != "private"}

    def check(self, path: str, raw: bytes) -> None:
        """Raise BadRequest when Gradio would fail on this request or answer it with internals."""
        named, joining = NAMED_ROUTE.match(path), QUEUE_JOIN.match(path)
        if not (named or joining):
            return
        body = _json_body(raw)
        endpoints = self.public_endpoints()
        # The page itself posts its unqueued events (e.g. filling a form from an example) to /run/predict
        # with their fn_index: checked like a queue join.
        if named and named.group(1) == "predict" and "predict" not in endpoints:
            named = None
        if named:
            name = named.group(1)
            fn = endpoints.get(name)
            if fn is None:
                raise BadRequest(404, f"no API endpoint named '{name[:80]}'; the client API lists them "
                                      "(view_api(), or the page's 'Use via API' link)")
            if body.get("fn_index") not in (None, fn._id):
                raise BadRequest(422, "fn_index does not belong to this endpoint; leave it out")
            if not path.startswith("/gradio_api/call/v2/"):  # v2 takes named parameters, checked by Gradio
                api_inputs = [block for block in fn.inputs if not getattr(block, "skip_api", False)]
                data = body.get("data")
                if not isinstance(data, list) or len(data) != len(fn.inputs):
                    _check_data(body, len(api_inputs), f"'{name}'")
            return
        index = body.get("fn_index")
        if not isinstance(index, int) or isinstance(index, bool) or index not in self.blocks.fns:
            raise BadRequest(422, "fn_index must be the index of one of this app's events")
        if not isinstance(body.get("data"), list):
            raise BadRequest(422, "'data' must be a list of the event's inputs")
        # The page's own events (examples, chained steps) send what Gradio expects; their data is not counted.

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        try:
            raw = await _read_body(scope, receive)
            self.check(scope["path"], raw)
        except BadRequest as bad:
            await _send_json(send, bad.status, bad.detail)
            return
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: disconnects and the like
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)


async def _read_body(scope: dict, receive: Any) -> bytes:
    declared = dict(scope.get("headers") or []).get(b"content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise BadRequest(413, f"the request body is over {MAX_BODY // 1024} KB")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise BadRequest(413, f"the request body is over {MAX_BODY // 1024} KB")
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _send_json(send: Any, status: int, detail: str) -> None:
    error = {400: "invalid input", 404: "not found", 413: "too large", 422: "invalid input"}.get(status, "error")
    payload = json.dumps({"error": error, "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})
