"""Start `python app.py` as a subprocess on loopback and wait until it answers: for tests and benchmarks.

    with AppProcess(artifacts_dir=..., processed_dir=...) as app:
        httpx.get(app.url + "/health")

The process gets a free port on 127.0.0.1, no analytics or telemetry, and no Hub repos unless `env` sets
them. Its output goes to a log file whose tail is shown when it fails to start.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

import config

QUIET_ENV = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settled(health: dict) -> bool:
    """Nothing loading: no pending piece, no Hub download under way."""
    return not health.get("pending") and not any(r.get("pending") for r in health.get("hub", {}).values())


class AppProcess:
    """app.py in a subprocess; `start()` returns once GET /health answers and nothing is loading any more (or
    raises with the log tail)."""

    def __init__(self, artifacts_dir: str | os.PathLike | None = None, processed_dir: str | os.PathLike | None = None,
                 env: dict[str, str] | None = None, log_path: str | os.PathLike | None = None,
                 args: tuple[str, ...] = (), python: str | os.PathLike | None = None,
                 root: str | os.PathLike | None = None, settle: bool = True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if k not in ("HF_MODEL_REPO", "HF_DATASET_REPO")}
        self.env.update(QUIET_ENV, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(self.port))
        if artifacts_dir:
            self.env["ARTIFACTS_DIR"] = str(artifacts_dir)
        if processed_dir:
            self.env["PROCESSED_DIR"] = str(processed_dir)
        self.env.update(env or {})
        self.args = tuple(args)  # app.py's options, e.g. ("--share",)
        self.log_path = Path(log_path or tempfile.mkstemp(prefix="app-", suffix=".log")[1])
        self.python = str(python or sys.executable)   # another interpreter (a fresh venv: tests/serving/test_space.py)
        self.root = Path(root or config.PROJ_ROOT)      # another checkout of the project
        # start() waits until nothing is loading any more (similar titles and the second catalog load after the
        # port opens; a first boot downloads); settle=False returns at the first answer of /health.
        self.settle = settle
        self.process: subprocess.Popen | None = None
        self.started_at = self.ready_at = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def start(self, timeout: float = 300.0) -> AppProcess:  # a busy 2-core machine: minutes, not seconds
        with open(self.log_path, "wb") as log:
            self.started_at = time.perf_counter()
            self.process = subprocess.Popen([self.python, str(self.root / "app.py"), *self.args], cwd=self.root,
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = self.started_at + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                health = httpx.get(self.url + "/health", timeout=2)
                if health.status_code == 200 and (not self.settle or _settled(health.json())):
                    self.ready_at = time.perf_counter()
                    return self
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"app.py did not answer /health within {timeout:g} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> AppProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
