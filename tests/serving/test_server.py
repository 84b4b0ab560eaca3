"""Connections that never finish their request headers are closed (serving/server.py), so a few dozen slow
clients cannot hold a self-hosted app's sockets for minutes; complete requests and keep-alive still work."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn

from serving.server import bounded_protocol
from tests.harness.launcher import free_port

DEADLINE = 0.4  # seconds: short, so that the fast tier waits little
PARTIAL_REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "  # the headers never end


async def hello(scope, receive, send):
    """The smallest ASGI app: 200 'ok' to any request."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def server():
    port = free_port()
    config = uvicorn.Config(hello, host="127.0.0.1", port=port, log_level="error",
                            http=bounded_protocol(DEADLINE), timeout_keep_alive=30)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield port
    srv.should_exit = True
    thread.join(10)


def is_closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def read_response(sock: socket.socket) -> bytes:
    """One response of the hello app (headers and body may come in separate packets)."""
    sock.settimeout(5)
    data = b""
    while not data.endswith(b"\r\n\r\nok"):
        chunk = sock.recv(1024)
        if not chunk:
            break
        data += chunk
    return data


def slow_clients(port: int, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(PARTIAL_REQUEST)
        socks.append(sock)
    return socks


def test_connections_that_never_finish_their_headers_are_closed(server):
    socks = slow_clients(server, 50)
    try:
        start = time.monotonic()
        closed = [is_closed_by_server(sock, within=5) for sock in socks]
        assert all(closed) and time.monotonic() - start < 6
    finally:
        for sock in socks:
            sock.close()


def test_a_complete_request_and_a_second_one_on_the_same_connection_are_answered(server):
    with socket.create_connection(("127.0.0.1", server)) as sock:
        for _ in range(2):  # keep-alive: the deadline applies to each request's headers, not to the connection
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_response(sock).startswith(b"HTTP/1.1 200")
            time.sleep(DEADLINE / 2)  # idle less than the deadline


def test_an_idle_keep_alive_connection_is_closed_after_the_deadline(server):
    with socket.create_connection(("127.0.0.1", server)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_response(sock).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # the second request's headers never end
        assert is_closed_by_server(sock, within=5)


@pytest.mark.slow
def test_the_served_app_closes_slow_header_connections_and_keeps_answering(served_app):
    import httpx

    # The app's deadline is APP_HEADER_TIMEOUT, 10 s by default.
    socks = slow_clients(served_app.port, 50)
    try:
        assert httpx.get(served_app.url + "/health", timeout=10).status_code == 200  # others still served
        assert all(is_closed_by_server(sock, within=20) for sock in socks)
    finally:
        for sock in socks:
            sock.close()
