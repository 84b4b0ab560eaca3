"""Visitors' feedback kept: thumbs up/down on a pick and, when a visitor opts in, the ratings they asked picks for.

    log = feedback_log()               # the process-wide log, configured from settings (created once)
    log.record("thumbs", {"catalog": "movies", "movie": 862, "vote": "up", "visitor": "a1b2c3"})
    log.record("ratings", {"catalog": "movies", "ratings": [{"movie": 862, "rating": 5}], "visitor": "a1b2c3"})
    close_at_shutdown(app, log)        # the app's shutdown (lifespan) makes one last push, bounded

Each event is validated (an InputError says what is wrong and what is accepted), stamped with an id and a UTC
time, and appended as one JSON line to this process's own file in APP_FEEDBACK_DIR
(events-<start time>-<random>.jsonl), so processes that overlap across a restart never write to the same file.
With HF_FEEDBACK_REPO set, huggingface_hub's CommitScheduler pushes the whole folder to that dataset repo every
APP_FEEDBACK_INTERVAL seconds and once more at shutdown. Lines are appended under the scheduler's own lock, so a
push never uploads half a line. The Hub is never waited on by a request: the repo is reached in a background
thread (retried while it is unreachable), every HTTP call has serving.hub's timeouts, and the last push waits
FLUSH_TIMEOUT seconds at most. Whatever was not pushed stays in the local folder, and the next process's first
push uploads it (it pushes every file in the folder, earlier processes' files included).
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog import MOVIES
from config import RATING_MAX, RATING_MIN
from errors import InputError
from inputs.numbers import decimal_number, whole_number
from inputs.text import clip, echo

log = logging.getLogger(__name__)

KINDS = ("thumbs", "ratings")
FEEDBACK_CATALOGS = (MOVIES.name,)  # the catalogs whose pages ask for feedback
VOTES = ("up", "down")
MAX_RATINGS = 500          # ratings in one event
MAX_MOVIE_ID = 10**9
VISITOR = re.compile(r"[A-Za-z0-9_-]{1,64}")
FLUSH_TIMEOUT = 8.0        # the last push at shutdown; Docker (a Space) kills 10 s after SIGTERM
FIELDS = {"thumbs": {"catalog", "movie", "vote", "visitor"}, "ratings": {"catalog", "ratings", "visitor"}}


# ---- validation: payload -> the event's fields, or InputError -------------------------------------------
def _movie(value: object, name: str) -> int:
    number = whole_number(value)
    if number is None or not 1 <= number <= MAX_MOVIE_ID:
        raise InputError(f"{name} must be a TMDB id, a positive whole number such as 862; got {echo(value)}.")
    return number


def _rating(value: object, name: str) -> float:
    number = decimal_number(value)
    if number is None or not RATING_MIN <= number <= RATING_MAX:
        raise InputError(f"{name} must be a number from {RATING_MIN} to {RATING_MAX}, e.g. 4.5; got {echo(value)}.")
    return number


def validate(kind: object, payload: object) -> dict[str, Any]:
    """The event's fields from a payload (see the module docstring), or an InputError naming what is accepted."""
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}; got {echo(kind)}.")
    if not isinstance(payload, dict):
        raise InputError(f"a {kind} event must be an object with {', '.join(sorted(FIELDS[kind]))}.")
    missing, extra = FIELDS[kind] - set(payload), set(payload) - FIELDS[kind]
    if missing or extra:
        wrong = [f"missing {', '.join(sorted(missing))}"] if missing else []
        wrong += [f"unknown {clip(', '.join(sorted(map(str, extra))))}"] if extra else []
        raise InputError(f"a {kind} event has exactly {', '.join(sorted(FIELDS[kind]))}; {'; '.join(wrong)}.")
    if payload["catalog"] not in FEEDBACK_CATALOGS:
        raise InputError(f"catalog must be one of {', '.join(FEEDBACK_CATALOGS)}; got {echo(payload['catalog'])}.")
    visitor = payload["visitor"]
    if not isinstance(visitor, str) or not VISITOR.fullmatch(visitor):
        raise InputError(f"visitor must be an anonymous id of 1-64 letters, digits, - or _; got {echo(visitor)}.")
    event: dict[str, Any] = {"catalog": payload["catalog"], "visitor": visitor}
    if kind == "thumbs":
        if payload["vote"] not in VOTES:
            raise InputError(f"vote must be up or down; got {echo(payload['vote'])}.")
        event.update(movie=_movie(payload["movie"], "movie"), vote=payload["vote"])
        return event
    ratings = payload["ratings"]
    if not isinstance(ratings, list) or not 1 <= len(ratings) <= MAX_RATINGS:
        raise InputError(f"ratings must be a list of 1 to {MAX_RATINGS} {{\"movie\", \"rating\"}} objects; "
                         f"got {echo(ratings)}.")
    kept = []
    for i, entry in enumerate(ratings):
        if not isinstance(entry, dict) or set(entry) != {"movie", "rating"}:
            raise InputError(f"ratings[{i}] must be {{\"movie\": <TMDB id>, \"rating\": {RATING_MIN}-{RATING_MAX}}}; "
                             f"got {echo(entry)}.")
        kept.append({"movie": _movie(entry["movie"], f"ratings[{i}].movie"),
                     "rating": _rating(entry["rating"], f"ratings[{i}].rating")})
    event["ratings"] = kept
    return event


# ---- the log ---------------------------------------------------------------------------------------------
def _scheduler(lock: threading.Lock, **kwargs: Any) -> Any:
    """A CommitScheduler whose lock is `lock` (the one appends take): it lists and sizes the files under it."""
    from huggingface_hub import CommitScheduler

    class SharedLockScheduler(CommitScheduler):
        # CommitScheduler.__init__ assigns its own Lock() and starts pushing at once: the property keeps ours.
        lock = property(lambda self: self._shared_lock, lambda self, value: None)

        def __init__(self, **kw: Any) -> None:
            self._shared_lock = lock
            super().__init__(**kw)

    return SharedLockScheduler(**kwargs)


class FeedbackLog:
    """Appends validated events to this process's JSONL file; pushes the folder to a Hub dataset repo if given."""

    def __init__(self, folder: str | Path, repo: str | None = None, every: float = 300.0, token: str | None = None,
                 endpoint: str | None = None, timeout: float = 5.0):
        self.folder = Path(folder)
        started = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.path = self.folder / f"events-{started}-{uuid.uuid4().hex[:12]}.jsonl"
        self.repo, self.every, self.token, self.endpoint, self.timeout = repo, every, token, endpoint, timeout
        self.events = 0
        self._lock = threading.Lock()
        self._file: Any = None
        self._scheduler: Any = None
        self._closing = threading.Event()
        self._connecting: threading.Thread | None = None
        if repo:
            self._connecting = threading.Thread(target=self._connect, daemon=True, name="feedback-hub")
            self._connecting.start()

    def record(self, kind: str, payload: dict) -> None:
        """Validate and append one event (InputError for a bad one)."""
        self.append(kind, payload)

    def append(self, kind: str, payload: dict) -> dict[str, Any]:
        """`record`, returning the event as kept (with its id and time)."""
        event = {"id": uuid.uuid4().hex, "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                 "kind": kind, **validate(kind, payload)}
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            if self._file is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line)
            self._file.flush()  # on disk (in the OS) before the caller is answered
            self.events += 1
        return event

    def _connect(self) -> None:
        """Reach the repo (create it if needed) and start the scheduler; retried every `every` s while unreachable."""
        from huggingface_hub import HfApi

        from serving.hub import configure_client

        configure_client(self.timeout)
        while True:  # at least one attempt, even when the app stops at once: its events need the repo
            try:
                scheduler = _scheduler(self._lock, repo_id=self.repo, repo_type="dataset", folder_path=self.folder,
                                       every=self.every / 60, allow_patterns=["*.jsonl"],
                                       hf_api=HfApi(endpoint=self.endpoint, token=self.token))
            except Exception as exc:  # unreachable, refused, no rights: the events stay in the local folder
                log.warning("feedback: the dataset repo %s cannot be reached (%s); feedback is kept in %s, "
                            "retrying in %g s", self.repo, exc, self.folder, self.every)
                if self._closing.wait(self.every):
                    return
                continue
            self._scheduler = scheduler
            log.info("feedback: pushing %s to the dataset repo %s every %g s", self.folder, self.repo, self.every)
            return

    def close(self, timeout: float = FLUSH_TIMEOUT) -> bool:
        """One last push (waiting `timeout` seconds at most), then no more; True when everything was pushed."""
        deadline = time.monotonic() + timeout
        self._closing.set()
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None
        if self._connecting is not None:  # a first attempt under way (the app stopped soon after it started)
            self._connecting.join(timeout)
        scheduler = self._scheduler
        if scheduler is None:
            if self.repo and self.events:
                log.warning("feedback: %d events not pushed (the repo was not reached); kept in %s",
                            self.events, self.path)
            return not self.repo
        try:
            scheduler.trigger().result(timeout=max(0.0, deadline - time.monotonic()))
            log.info("feedback: pushed to %s (%d events from this process)", self.repo, self.events)
            return True
        except Exception as exc:  # a timeout or the Hub's error: the file stays for the next process to push
            log.warning("feedback: the last push to %s failed (%s); the events are kept in %s",
                        self.repo, exc or type(exc).__name__, self.path)
            return False
        finally:
            scheduler.stop()  # its exit hook would push again without a bound


def close_at_shutdown(app: Any, feedback: FeedbackLog) -> None:
    """Make the last push part of the ASGI app's shutdown (its lifespan, which uvicorn runs on SIGTERM before it
    re-raises the signal and the process ends: code after `server.run()` never runs then)."""
    import contextlib

    import anyio

    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(scope_app: Any) -> Any:
        async with inner(scope_app) as state:
            yield state
        await anyio.to_thread.run_sync(feedback.close)

    app.router.lifespan_context = lifespan


_LOG: FeedbackLog | None = None
_LOG_LOCK = threading.Lock()


def feedback_log() -> FeedbackLog:
    """The process-wide log configured from settings (APP_FEEDBACK_DIR, HF_FEEDBACK_REPO, ...), created once."""
    global _LOG
    with _LOG_LOCK:
        if _LOG is None:
            from settings import load_settings

            s = load_settings()
            _LOG = FeedbackLog(s.feedback_dir, repo=s.feedback_repo, every=s.feedback_interval, token=s.hub_token,
                               endpoint=s.hub_endpoint, timeout=s.hub_timeout)
        return _LOG
