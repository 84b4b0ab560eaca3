"""What visitors tell the app, kept: thumbs on a pick and (when they opt in) the ratings they asked picks for.

    feedback_log().record("thumbs", {"catalog": "movies", "movie": 862, "vote": "up", "visitor": "<id>"})
    feedback_log().record("ratings", {"catalog": "movies", "ratings": [{"movie": 862, "rating": 5}], "visitor": ...})

Each event is one JSON line ({"kind", "at", **payload}) appended to `<APP_FEEDBACK_DIR>/<kind>.jsonl`, under a
lock so concurrent events never interleave. Recording never raises: a full or read-only disk is logged and the
visitor's answer goes on.
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from settings import load_settings

log = logging.getLogger(__name__)

KINDS = ("thumbs", "ratings")


class FeedbackLog:
    """Appends feedback events as JSON lines to one file per kind in `directory`."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()

    def record(self, kind: str, payload: dict) -> None:
        """Append one event; never raises (the failure is logged)."""
        try:
            if kind not in KINDS:
                raise ValueError(f"unknown feedback kind {kind!r}; known: {', '.join(KINDS)}")
            line = json.dumps({"kind": kind, "at": datetime.now(UTC).isoformat(timespec="seconds"), **payload},
                              ensure_ascii=False, separators=(",", ":"))
            with self._lock:
                self.directory.mkdir(parents=True, exist_ok=True)
                with open(self.directory / f"{kind}.jsonl", "a", encoding="utf-8") as out:
                    out.write(line + "\n")
        except Exception:  # feedback is best effort: the visitor's answer must not fail for it
            log.exception("feedback event %r not recorded", kind)


_LOG: FeedbackLog | None = None
_LOG_LOCK = threading.Lock()


def feedback_log() -> FeedbackLog:
    """The process-wide log, in APP_FEEDBACK_DIR (settings.py); made at its first use."""
    global _LOG
    with _LOG_LOCK:
        if _LOG is None:
            _LOG = FeedbackLog(load_settings().feedback_dir)
        return _LOG
