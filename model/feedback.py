"""Visitors' opt-in ratings (the "ratings" events serving.feedback keeps) as extra users of a Movies training run.

    folders = feedback_folders(settings)                       # APP_FEEDBACK_DIR, and HF_FEEDBACK_REPO's copy
    ratings, counts = add_feedback_users(ratings, movies, folders)  # counts: {"users", "ratings", "events", ...}

Events are read from every *.jsonl file of the folders (the local folder and the dataset repo hold copies of the
same files, so events are counted once, by id) and validated as the app validated them. Each visitor becomes one
new user whose id is above every MovieLens user id, so the two can never collide; when a visitor rated a film
more than once, their latest rating counts. Ratings of films the catalog does not have are left out (counted).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from catalog import MOVIES
from config import COL_ITEM, COL_RATING, COL_USER
from errors import InputError
from serving.feedback import validate

log = logging.getLogger(__name__)


def read_events(folders: Iterable[Path]) -> tuple[list[dict[str, Any]], int]:
    """The "ratings" events of the Movies catalog in the folders' *.jsonl files, once each (by id), in time
    order; and how many lines were unreadable (a line cut short by a crash)."""
    events: dict[str, dict[str, Any]] = {}
    unreadable = 0
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.jsonl")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    raw = json.loads(line)
                    event = {"id": str(raw["id"]), "time": str(raw["time"]), "kind": raw["kind"],
                             **validate(raw["kind"], {k: v for k, v in raw.items() if k not in ("id", "time", "kind")})}
                except (ValueError, KeyError, TypeError, InputError):
                    unreadable += 1
                    continue
                if event["kind"] == "ratings" and event["catalog"] == MOVIES.name:
                    events.setdefault(event["id"], event)
    return sorted(events.values(), key=lambda e: e["time"]), unreadable  # stable: file order within a millisecond


def feedback_frame(events: list[dict[str, Any]], first_user: int) -> pd.DataFrame:
    """(userId, movieId, rating): one user per visitor (ids from first_user, visitors in sorted order), each
    visitor's latest rating of a film."""
    latest: dict[tuple[str, int], float] = {}
    for event in events:  # in time order: a later rating replaces an earlier one
        for r in event["ratings"]:
            latest[(event["visitor"], r["movie"])] = r["rating"]
    visitors = {v: first_user + i for i, v in enumerate(sorted({v for v, _ in latest}))}
    rows = [(visitors[v], movie, rating) for (v, movie), rating in latest.items()]
    frame = pd.DataFrame(rows, columns=[COL_USER, COL_ITEM, COL_RATING])
    return frame.astype({COL_USER: "int64", COL_ITEM: "int64", COL_RATING: "float64"})


def feedback_ratings(folders: Path | Iterable[Path], base: pd.DataFrame,
                     films: Iterable[int] | None = None) -> tuple[pd.DataFrame, dict[str, int]]:
    """The visitors' ratings as new users of `base` (ids above its largest), only of `films` when given;
    and the counts for the metrics and card."""
    folders = [folders] if isinstance(folders, Path) else list(folders)
    events, unreadable = read_events(folders)
    first_user = int(base[COL_USER].max()) + 1 if len(base) else 1
    frame = feedback_frame(events, first_user)
    left_out = 0
    if films is not None:
        known = frame[COL_ITEM].isin(set(films))
        left_out = int((~known).sum())
        frame = frame[known].reset_index(drop=True)
    counts = {"users": int(frame[COL_USER].nunique()), "ratings": len(frame), "events": len(events)}
    if unreadable or left_out:
        counts.update(unreadable_lines=unreadable, ratings_of_unknown_films=left_out)
    return frame, counts


def feedback_folders(settings: Any) -> list[Path]:
    """APP_FEEDBACK_DIR and, when HF_FEEDBACK_REPO is set, its files downloaded (InputError when unreadable)."""
    folders = [Path(settings.feedback_dir)]
    if settings.feedback_repo:
        from huggingface_hub import snapshot_download

        from serving.hub import configure_client

        configure_client(settings.hub_timeout)
        try:
            folders.append(Path(snapshot_download(settings.feedback_repo, repo_type="dataset",
                                                  allow_patterns=["*.jsonl"], endpoint=settings.hub_endpoint,
                                                  token=settings.hub_token)))
        except Exception as exc:
            log.debug("feedback download failed", exc_info=True)
            raise InputError(f"the feedback dataset {settings.feedback_repo} could not be read ({type(exc).__name__}); "
                             "check HF_FEEDBACK_REPO and HF_TOKEN, or unset HF_FEEDBACK_REPO to use the local "
                             "folder only") from None
    return folders


def add_feedback_users(ratings: pd.DataFrame, movies: pd.DataFrame,
                       folders: list[Path]) -> tuple[pd.DataFrame, dict[str, int]]:
    """`ratings` with the visitors' ratings of catalog films appended as new users; the counts."""
    extra, counts = feedback_ratings(folders, ratings, films=movies["id"])
    log.info("feedback: %s visitors' ratings (%s visitors, %s events) added to %s ratings", f"{counts['ratings']:,}",
             f"{counts['users']:,}", f"{counts['events']:,}", f"{len(ratings):,}")
    return pd.concat([ratings, extra], ignore_index=True), counts
