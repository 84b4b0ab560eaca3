"""The HTTP server's connection handling for a self-hosted `python app.py`: bounded waits for request headers.

uvicorn keeps a connection open for as long as a client takes to send its request headers, so a few dozen
connections that never finish them ("slowloris") hold the server's sockets for minutes. `BoundedH11Protocol`
closes a connection whose request line and headers have not all arrived within APP_HEADER_TIMEOUT seconds,
on a new connection and between keep-alive requests alike. On a Hugging Face Space the proxy in front does
this too; the bound is for the app served on its own.

    uvicorn.run(app, http=bounded_protocol(settings.header_timeout), ...)
"""
from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on receiving each request's headers."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = None
        self._arm_header_deadline()

    def _arm_header_deadline(self) -> None:
        self._cancel_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._close_if_still_waiting)

    def _cancel_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _close_if_still_waiting(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()  # the headers never came: free the socket

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the request line and headers are in
            self._cancel_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()  # the next request on this connection gets the same bound

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_deadline()
        super().connection_lost(exc)


def bounded_protocol(header_timeout: float) -> type[BoundedH11Protocol]:
    """The protocol class with the given deadline (uvicorn instantiates the class itself)."""
    return type("BoundedH11Protocol", (BoundedH11Protocol,), {"header_timeout": header_timeout})
