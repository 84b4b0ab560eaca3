"""The snapshot the handlers read: AppState, everything the app serves at one moment, and the guards that say what
is missing and how to build it.

An AppState is built once and not changed afterwards; serving.live builds new ones (first boot from the Hub,
the pieces loaded after the port is open, a newer revision) and swaps them in whole, so a request that reads
the snapshot once (`snapshot(state_or_live)`) never sees two revisions. A piece still being loaded is named in
`pending`: asking for it is Unavailable("... is still loading (35 of 71 MB) ..."), a 503, not an error.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import catalog
import config
from catalog import STREAMING, CatalogSpec
from catalog.search import TitleIndex
from config import COL_ID
from errors import Unavailable
from serving.artifacts import Artifacts
from serving.state.redaction import public_json, public_text
from serving.state.sources import Source

BUILD_HINT = (f"run `make run`, or `python -m etl --catalog {STREAMING.name} && python -m model.train --catalog "
              f"{STREAMING.name}`, then restart the app")
MOVIES_BUILD_HINT = "run `make run`, or `python -m etl --catalog movies && python -m model.train --catalog movies`"
TITLE_COLUMNS = [COL_ID, "title", config.COL_PLATFORM, "type", "release_year"]


# The pieces a snapshot can be waiting for (AppState.pending), and how a message names each.
PIECES = {"data": "The catalog", "model": "The model", "catalogs": "The other catalogs",
          "similar": "Similar titles", "movie_model": "The Movies model"}
# Loaded after the port is open (serving.live): what the first page and /recommend do not need. "catalogs" is
# every declared catalog but the streaming one (whose titles every answer names). The Movies model is not among
# them: memory-mapped it loads in a fraction of a second, and the Movie picks tabs are built from it.
EXTRAS = frozenset({"catalogs", "similar"})
# The model pieces a catalog's answers may need (CatalogSpec.models): the snapshot's field and its error's.
MODEL_PIECES = {"model": ("predictor", "model_error"), "similar": ("similar", "similar_error"),
                "movie_model": ("movie_model", "movie_model_error")}


def _clause(reason: str | None) -> str:
    """A reason as a clause inside parentheses: no final full stop."""
    return str(reason).rstrip(".")


@dataclass
class AppState:
    """What the app serves. Missing pieces are None, with the reason in notices / the *_error fields."""

    processed_dir: Path
    artifacts_dir: Path
    reports_dir: Path
    index: TitleIndex | None = None  # the streaming catalog's title search
    title_cards: dict[str, dict] = field(default_factory=dict)  # id -> TITLE_COLUMNS values
    artifacts: Artifacts | None = None
    predictor: Any = None  # the streaming catalog's model (catalog.streaming.model.StreamingModel)
    similar: Any = None  # its similar titles (catalog.streaming.similar.SimilarTitles)
    data_source: Source | None = None
    model_source: Source | None = None
    data_error: str | None = None
    model_error: str | None = None
    similar_error: str | None = None
    movie_model: Any = None  # the Movies catalog's model (catalog.movies.model.MoviesModel)
    movie_model_error: str | None = None
    queries: dict[str, Any] = field(default_factory=dict)  # catalog name -> its query object (CATALOGS), once
    query_errors: dict[str, str] = field(default_factory=dict)  # catalog name -> why it is not loaded
    notices: list[str] = field(default_factory=list)
    load_seconds: float = 0.0
    titles: pd.DataFrame | None = field(default=None, repr=False)  # the full titles table (for similar titles)
    pending: frozenset[str] = frozenset()  # PIECES still being loaded (by serving.live)
    progress: Callable[[], str] | None = field(default=None, repr=False, compare=False)  # e.g. "35 of 71 MB"

    # ---- guards: the one place that says what is missing and how to get it
    def check_loading(self, piece: str, what: str | None = None) -> None:
        """Nothing when `piece` is not pending; else Unavailable("The model is still loading (35 of 71 MB); try
        again in a few seconds.")."""
        if piece in self.pending:
            done = self.progress() if self.progress is not None else ""
            verb = "are" if piece == "similar" else "is"
            raise Unavailable(f"{what or PIECES[piece]} {verb} still loading{f' ({done})' if done else ''}; "
                              "try again in a few seconds.")

    def loading_text(self) -> str | None:
        """What is still loading, for the page and /health; None when nothing is."""
        if not self.pending:
            return None
        done = self.progress() if self.progress is not None else ""
        first = [p for p in ("data", "model") if p in self.pending]
        names = [PIECES[p].lower() for p in (first or [p for p in PIECES if p in self.pending])]
        what = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Loading {what} from the Hub{f' ({done})' if done else ''}." if first else f"Loading {what}."

    def require_queries(self, spec: CatalogSpec) -> Any:
        """The query object answering a declared catalog's questions, or Unavailable saying how to build it."""
        if spec.name not in self.queries:
            self.check_loading("data" if spec.name == STREAMING.name else "catalogs", f"The {spec.name} catalog")
            raise Unavailable(f"The {spec.name} catalog is not loaded ({_clause(self.query_errors.get(spec.name))}). "
                              f"To build it, {BUILD_HINT}.")
        return self.queries[spec.name]

    def require_index(self) -> TitleIndex:
        self.require_queries(STREAMING)
        return self.index

    def require_model(self) -> Any:
        """The streaming model; its answers name catalog titles, so the catalog must be loaded too."""
        if self.predictor is None:
            self.check_loading("model")
            raise Unavailable(f"The model is not loaded ({_clause(self.model_error)}). To build it, {BUILD_HINT}.")
        self.require_queries(STREAMING)
        return self.predictor

    def require_similar(self) -> Any:
        self.require_model()
        if self.similar is None:
            self.check_loading("similar")
            raise Unavailable(f"Similar titles are not available ({_clause(self.similar_error)}). "
                              f"To build them, {BUILD_HINT}.")
        return self.similar

    def require_movie_model(self) -> Any:
        """The Movies recommender; its answers name catalog films, so the Movies catalog must be loaded too."""
        if self.movie_model is None:
            self.check_loading("movie_model")
            raise Unavailable(f"The Movies model is not loaded ({_clause(self.movie_model_error)}). "
                              f"To build it, {MOVIES_BUILD_HINT}, then restart the app.")
        self.require_queries(catalog.MOVIES)
        return self.movie_model

    # ---- lookups
    def title_info(self, title_id: str) -> dict:
        """id, title, platform, type, release_year of a catalog title (id only when the catalog is missing)."""
        card = self.title_cards.get(title_id)
        return dict(card) if card else {COL_ID: title_id, "title": None}

    def artifact_text(self, name: str) -> str | None:
        """An extra text file of the model artifacts (README.md model card, metrics.json), if present."""
        if self.artifacts is None:
            return None
        path = Path(self.artifacts.directory) / name
        return path.read_text(encoding="utf-8") if path.is_file() else None

    @staticmethod
    def report_json(path: Path) -> Any:
        """A JSON report file for the page (absolute paths in it cut to their last part), or None when it is
        missing or unreadable."""
        try:
            return public_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None

    def health(self) -> dict:
        """What a monitor needs: the status, each piece's source (repo@revision or "local"), the model's format
        version and checksums. No local paths: the log has them."""
        def source(s: Source | None, error: str | None) -> dict:
            if s is None:
                return {"loaded": False, "error": error}
            return {"loaded": error is None, "error": error, "source": s.public, "kind": s.kind, "repo": s.repo,
                    "revision": s.revision, "built_at": s.built_at, "checksums": s.checksums}

        model = source(self.model_source, self.model_error)
        model["format_version"] = self.predictor.manifest.get("format_version") if self.predictor else None
        if self.predictor is not None:
            model.update(summary=self.predictor.summary(), threshold=self.predictor.threshold)
        movies_model = {"loaded": self.movie_model is not None, "error": self.movie_model_error,
                        "pending": "movie_model" in self.pending,
                        "summary": self.movie_model.summary() if self.movie_model is not None else None}
        catalogs = {spec.name: self.catalog_health(spec) for spec in catalog.CATALOGS}
        # Ready: every piece of every catalog has been tried (loaded, or failed with its error above); before
        # that some routes answer 503 "still loading".
        if self.pending & {"data", "model"}:
            status = "loading"  # the first boot's download
        elif self.pending:
            status = "starting"  # the other catalogs, similar titles or the Movies model still loading
        else:  # ok when every catalog is: a missing piece of any catalog is named in its entry
            status = "ok" if all(c["status"] == "ok" for c in catalogs.values()) else "degraded"
        return {"status": status, "ready": not self.pending, "data": source(self.data_source, self.data_error),
                "model": model,
                "movies_model": movies_model, "catalogs": catalogs, "similar_titles": self.similar is not None,
                "loading": self.loading_text(), "pending": sorted(self.pending),
                "notices": [public_text(n) for n in self.notices], "load_seconds": round(self.load_seconds, 2)}

    def catalog_health(self, spec: CatalogSpec) -> dict:
        """One catalog's pieces: its tables (loaded, error, pending), each model piece its answers need (`models`),
        and its status: "ok" (all loaded), "starting" (some still loading) or "degraded" (some missing)."""
        pieces = {}
        for piece in spec.models:
            attribute, error = MODEL_PIECES[piece]
            loaded = getattr(self, attribute) is not None
            pieces[piece] = {"loaded": loaded, "error": None if loaded else getattr(self, error),
                             "pending": piece in self.pending}
        tables = {"loaded": spec.name in self.queries, "error": self.query_errors.get(spec.name),
                  "pending": self._catalog_pending(spec.name)}
        every = [tables, *pieces.values()]
        status = ("starting" if any(p["pending"] for p in every) else
                  "ok" if all(p["loaded"] for p in every) else "degraded")
        return {**tables, "status": status, "models": pieces}

    def _catalog_pending(self, name: str) -> bool:
        """Whether a declared catalog's queries are still loading (the streaming one comes with "data")."""
        return "data" in self.pending if name == STREAMING.name else bool(self.pending & {"data", "catalogs"})

    def all_notices(self) -> list[str]:
        """The notices (a serving.live.Live adds its update notices)."""
        return list(self.notices)

    def hub_lines(self) -> list[str]:
        """Hub revisions serving and pending (a serving.live.Live has them; a plain snapshot has none)."""
        return []

    def pieces(self) -> set[str]:
        """What this snapshot serves: "data", "model", "similar", "movie_model" and "catalog:<name>"."""
        have = {"data": STREAMING.name in self.queries, "model": self.predictor is not None,
                "similar": self.similar is not None, "movie_model": self.movie_model is not None}
        return {name for name, ok in have.items() if ok} | {f"catalog:{name}" for name in self.queries}


def snapshot(state: Any) -> AppState:
    """The AppState to answer one request with: `state` itself, or a serving.live.Live's current snapshot.
    Read it once per request and use only it, so one answer never mixes two revisions."""
    return state if isinstance(state, AppState) else state.current
