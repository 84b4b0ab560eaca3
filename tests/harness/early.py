"""Subprocesses a test session starts early, so that they run on the other core while earlier tests run.

A fixture that waits for a subprocess (the trainer CLI, a fresh interpreter importing the app) registers a
starter under its own name:

    @early.starter("tiny_artifacts")
    def start_training() -> early.EarlyProcess: ...

When collection ends, tests/conftest.py starts every registered process a selected test needs
(`start_needed`); the fixture then takes it with `early.take(name)`, which starts it on the spot when it was
not started early (a test run alone, `--collect-only`, no real data at collection time). Whatever is left
when the session ends is stopped (`stop_all`).
"""
from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

import config


class EarlyProcess:
    """A subprocess writing its output to files; `wait()` gives a CompletedProcess like subprocess.run."""

    def __init__(self, args: list[str], workdir: Path, env: dict[str, str] | None = None):
        workdir.mkdir(parents=True, exist_ok=True)
        self.args = args
        self._stdout, self._stderr = workdir / "stdout.txt", workdir / "stderr.txt"
        with open(self._stdout, "w") as out, open(self._stderr, "w") as err:
            self.process = subprocess.Popen(args, cwd=config.PROJ_ROOT, env=env, stdin=subprocess.DEVNULL,
                                            stdout=out, stderr=err)

    def wait(self, timeout: float = 300) -> subprocess.CompletedProcess:
        try:
            returncode = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            returncode = self.process.wait()
        return subprocess.CompletedProcess(self.args, returncode, self._stdout.read_text(errors="replace"),
                                           self._stderr.read_text(errors="replace"))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


STARTERS: dict[str, Callable[[], EarlyProcess]] = {}
_started: dict[str, EarlyProcess] = {}


def starter(name: str) -> Callable[[Callable[[], EarlyProcess]], Callable[[], EarlyProcess]]:
    """Register the function that starts the subprocess the fixture `name` waits for."""
    def register(start: Callable[[], EarlyProcess]) -> Callable[[], EarlyProcess]:
        STARTERS[name] = start
        return start
    return register


def start_needed(fixture_names: Iterable[str], skip_errors: tuple[type[BaseException], ...] = ()) -> None:
    """Start the registered subprocesses of these fixtures; a starter raising one of `skip_errors` (real data
    missing) is left for its fixture, which then skips or fails inside a test as usual."""
    for name in sorted(set(fixture_names) & STARTERS.keys() - _started.keys()):
        try:
            _started[name] = STARTERS[name]()
        except skip_errors:
            pass


def take(name: str) -> EarlyProcess:
    """The subprocess started early for fixture `name`, or started now."""
    return _started.pop(name, None) or STARTERS[name]()


def stop_all() -> None:
    while _started:
        _started.popitem()[1].stop()
