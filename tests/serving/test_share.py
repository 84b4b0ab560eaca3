"""`python app.py --share` (or APP_SHARE=true) asks Gradio's share service for a public link. The service is out
of reach here, so the test goes up to the network boundary: the request leaves through a proxy on loopback that
records it and hangs up; the app says so in one line and keeps serving."""
from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from tests.harness.launcher import AppProcess


class RecordingProxy:
    """An HTTP(S) proxy on 127.0.0.1 that records each request line (e.g. CONNECT api.gradio.app:443) and closes."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.requests: list[str] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self.requests.append(conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1"))
                except OSError:
                    pass

    def close(self) -> None:
        self.server.close()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["--share", "APP_SHARE=true"])
def test_share_asks_gradio_for_a_link_and_a_failure_is_one_line_while_the_app_keeps_serving(
        how, small_processed, tiny_artifacts, tmp_path):
    proxy = RecordingProxy()
    env = {"HTTPS_PROXY": proxy.url, "HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1,localhost"}
    args: tuple[str, ...] = ("--share",) if how == "--share" else ()
    if how != "--share":
        env["APP_SHARE"] = "true"
    app = AppProcess(artifacts_dir=tiny_artifacts, processed_dir=small_processed, env=env, args=args,
                     log_path=tmp_path / "app.log")
    with app:
        deadline = time.monotonic() + 60
        while "share link not created" not in app.log_tail() and time.monotonic() < deadline:
            time.sleep(0.2)
        log = app.log_tail(200)
        assert any(r.startswith("CONNECT api.gradio.app:443") for r in proxy.requests), proxy.requests
        notice = [line for line in log.splitlines() if "share link" in line]
        assert len(notice) == 1 and notice[0].startswith("app: share link not created: Gradio's share service "
                                                         "could not be reached"), log
        assert "Traceback" not in log
        assert httpx.get(app.url + "/health", timeout=10).status_code == 200  # still serving
    proxy.close()


def test_share_option_and_a_bad_option():
    import subprocess
    import sys

    import config
    from app import parse_args

    assert parse_args(["--share"]).share and not parse_args([]).share
    result = subprocess.run([sys.executable, "app.py", "--shared"], cwd=config.PROJ_ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--shared" in result.stderr
