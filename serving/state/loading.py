"""Loading the served pieces into a snapshot, each on its own (a piece that cannot load becomes a notice and its
error, never a stop): every catalog's tables (catalog.CATALOGS), the streaming title search and title cards, each
catalog's model, similar titles.

    state = load_state()    # the synchronous way (tests, tools): sources resolved, everything loaded

serving.live uses the steps (build_state: what the first page needs; load_extras: the rest) to build new snapshots
while the app serves.
"""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

import catalog
import config
from catalog import STREAMING
from catalog.movies.model import MoviesModel
from catalog.search import TitleIndex
from catalog.streaming.model import StreamingModel
from catalog.streaming.queries import StreamingCatalog
from catalog.streaming.similar import SimilarTitles
from errors import InputError
from serving.artifacts import load_artifacts
from serving.state.redaction import public_text
from serving.state.snapshot import BUILD_HINT, EXTRAS, TITLE_COLUMNS, AppState
from serving.state.sources import PUBLISHED_REPORTS_DIR, Source, model_dir, resolve_sources
from settings import Settings, load_settings

log = logging.getLogger(__name__)

def _manifest_checksums(manifest: dict) -> dict[str, str]:
    return {name: entry.get("sha256", "") for name, entry in manifest.get("files", {}).items()}


def load_state(processed_dir: str | os.PathLike | None = None, artifacts_dir: str | os.PathLike | None = None,
               reports_dir: str | os.PathLike | None = None, settings: Settings | None = None) -> AppState:
    """Load everything once, waiting for the Hub. Never raises for missing or broken pieces: they become notices.

    Directories given here win over the settings (PROCESSED_DIR, ARTIFACTS_DIR, REPORTS_DIR).
    """
    start = time.perf_counter()
    settings = settings or load_settings()
    processed_dir = Path(processed_dir or settings.processed_dir)
    artifacts_dir = Path(artifacts_dir or settings.artifacts_dir)
    try:
        data_source, model_source, notices = resolve_sources(settings, processed_dir, artifacts_dir)
    except Exception:  # the Hub must never stop the app: fall back to the local directories
        log.exception("pulling from the Hub failed")
        data_source, model_source = Source("local", str(processed_dir)), Source("local", str(artifacts_dir))
        notices = ["Could not reach the Hugging Face Hub; using local files."]
    state = build_state(processed_dir, artifacts_dir, reports_dir or settings.reports_dir, data_source, model_source,
                        notices)
    state = load_extras(state)
    state.load_seconds = time.perf_counter() - start
    return state


def build_state(processed_dir: Path, artifacts_dir: Path, reports_dir: str | os.PathLike | None, data_source: Source,
                model_source: Source, notices: list[str], pending: frozenset[str] = frozenset()) -> AppState:
    """A snapshot of what the first page needs (the streaming catalog, title search, both models) from the given
    sources; the EXTRAS (the other catalogs, similar titles) are left pending for load_extras."""
    start = time.perf_counter()
    state = AppState(processed_dir, artifacts_dir, Path(reports_dir or config.REPORTS_DIR), notices=list(notices),
                     pending=frozenset(pending) | EXTRAS)
    state.data_source, state.model_source = replace(data_source), replace(model_source)
    published_reports = Path(data_source.location) / PUBLISHED_REPORTS_DIR
    if not reports_dir and data_source.kind.startswith("hub") and published_reports.is_dir():
        state.reports_dir = published_reports  # the EDA published beside the catalog (a Space has no reports/)
    state.titles = _load_data(state, Path(data_source.location))
    _load_catalogs(state, Path(data_source.location), streaming_only=True)
    _load_model(state, model_dir(Path(model_source.location), STREAMING))
    _load_movie_model(state, model_dir(Path(model_source.location), catalog.MOVIES))
    if STREAMING.name not in state.queries or state.predictor is None:
        state.notices.append(f"To build what is missing, {BUILD_HINT}.")
    state.load_seconds = time.perf_counter() - start
    log.info("loaded in %.2f s; data: %s; model: %s", state.load_seconds, data_source.describe(),
             model_source.describe())
    return state


def load_extras(state: AppState) -> AppState:
    """A copy of `state` with its EXTRAS loaded (the other catalogs, similar titles, title search's n-grams, the
    streaming catalog's question indexes); `state` is not changed."""
    start = time.perf_counter()
    new = replace(state, notices=list(state.notices), pending=state.pending - EXTRAS, queries=dict(state.queries),
                  query_errors=dict(state.query_errors))
    if "catalogs" in state.pending:
        _load_catalogs(new, Path(state.data_source.location))
    if STREAMING.name in state.queries:
        state.queries[STREAMING.name].warm()  # the questions' indexes: shared by every snapshot of the catalog
    if state.index is not None:
        state.index.warm()  # title search's n-grams: shared by every snapshot of the same catalog
    if "similar" in state.pending:
        _load_similar(new)
    new.titles = None  # the full titles table (descriptions, casts) was only needed to build similar titles
    release_memory()  # what building them left behind, before the new snapshot serves
    log.info("the other catalogs and similar titles loaded in %.2f s", time.perf_counter() - start)
    return new


def release_memory() -> None:
    """Give the memory freed by loading back to the system (glibc keeps freed heap pages otherwise)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def check_table(path: Path, rebuild: str) -> None:
    """InputError unless `path` is a file: "not found" or "not a file", naming the file but not its directory."""
    if path.is_dir():
        raise InputError(f"{path.name} is not a file (a directory is in its place): rebuild it with `{rebuild}`.")
    if not path.is_file():
        raise InputError(f"{path.name} not found: build it with `{rebuild}`.")


def _failure(what: str, exc: Exception, unreadable: str) -> str:
    """The public reason a piece did not load; the full detail (paths, exception) goes to the log.

    An InputError's message is written for people (its paths cut to file names); anything else (a library's
    exception on a corrupt file) is `unreadable`, in words."""
    log.warning("%s not loaded: %s: %s", what, type(exc).__name__, exc, exc_info=not isinstance(exc, InputError))
    return public_text(exc) if isinstance(exc, InputError) else unreadable


def _load_data(state: AppState, processed_dir: Path) -> pd.DataFrame | None:
    """Catalog, search index and title table; returns the full titles table (None when missing)."""
    folder = STREAMING.folder(processed_dir)
    titles_path = folder / config.TITLES_FILE
    try:
        check_table(titles_path, "python -m etl")
        titles = pd.read_parquet(titles_path)
        state.queries[STREAMING.name] = StreamingCatalog(titles)
    except Exception as exc:  # missing or unreadable: the message says how to rebuild
        state.data_error = _failure("catalog", exc, f"{config.TITLES_FILE} is not a readable titles table: "
                                                    "rebuild it with `python -m etl`")
        state.notices.append(f"No catalog data: {state.data_error}")
        return None
    state.index = TitleIndex(titles)
    # Column lists zipped: ten times quicker than DataFrame.to_dict("records") on 23,000 titles.
    columns = [titles[c].tolist() for c in TITLE_COLUMNS]
    state.title_cards = {str(row[0]): dict(zip(TITLE_COLUMNS, row)) for row in zip(*columns)}
    state.data_source.built_at = state.data_source.built_at or _etl_time(folder)
    return titles


def _load_catalogs(state: AppState, processed_dir: Path, streaming_only: bool = False) -> None:
    """The query object of every declared catalog (catalog.CATALOGS; only the streaming one when
    `streaming_only`); one that cannot load becomes a notice.

    The streaming catalog's is the StreamingCatalog _load_data built from the titles it read anyway (not built twice).
    """
    if STREAMING.name not in state.queries and state.data_error:
        state.query_errors[STREAMING.name] = state.data_error
    for spec in catalog.CATALOGS:
        if spec.name in state.queries or spec.name in state.query_errors or streaming_only:
            continue
        try:
            folder = spec.folder(processed_dir)
            for table in spec.tables:
                check_table(folder / table, f"python -m etl --catalog {spec.name}")
            state.queries[spec.name] = spec.load(folder)
        except Exception as exc:  # missing or unreadable tables: the message says how to rebuild
            state.query_errors[spec.name] = _failure(f"{spec.name} catalog", exc, f"the {spec.name} tables are not "
                                                     "readable: rebuild them with `python -m etl`")
            state.notices.append(f"No {spec.label} data: {state.query_errors[spec.name]}")


def _etl_time(folder: Path) -> str | None:
    report = folder / config.ETL_REPORT_FILE
    try:
        return json.loads(report.read_text(encoding="utf-8")).get("generated_at")
    except (OSError, ValueError):
        return None


def _load_model(state: AppState, artifacts_dir: Path) -> None:
    """Verified artifacts and the predictor."""
    try:
        state.artifacts = load_artifacts(artifacts_dir)
        state.predictor = StreamingModel(state.artifacts)
    except Exception as exc:  # ArtifactError names the file and how to rebuild
        state.artifacts = None
        state.model_error = _failure("model", exc, "the model artifacts are not readable: rebuild them with "
                                                   f"`python -m model.train --catalog {STREAMING.name}`")
        state.notices.append(f"No model: {state.model_error}")
        return
    state.model_source.built_at = state.predictor.built_at
    state.model_source.checksums = _manifest_checksums(state.predictor.manifest)
    # The data files the model was trained on, as the trainer recorded them.
    if state.data_source.kind != "missing":
        state.data_source.checksums = dict(state.predictor.manifest.get("inputs_sha256", {}))


def _load_similar(state: AppState) -> None:
    """Similar titles: the model's neighbour arrays over the catalog's titles."""
    if state.artifacts is None:
        return  # require_similar asks for the model first, and says why it is missing
    if state.titles is None:
        state.similar_error = "the catalog is not loaded"
        return
    try:
        state.similar = SimilarTitles(state.titles, state.artifacts.arrays, index=state.index)
    except Exception as exc:
        state.similar_error = _failure("similar titles", exc, "the similar-title data does not fit the catalog")
        state.notices.append(f"Similar titles unavailable: {state.similar_error}")


def _load_movie_model(state: AppState, directory: Path) -> None:
    """The Movies recommender (verified like the streaming model); a missing one is a notice, not an error."""
    try:
        state.movie_model = MoviesModel.from_dir(directory)
    except Exception as exc:  # ArtifactError names the file and how to rebuild
        state.movie_model_error = _failure("Movies model", exc, "the Movies model artifacts are not readable: rebuild "
                                                                "them with `python -m model.train --catalog movies`")
        state.notices.append(f"No Movies model: {state.movie_model_error}")
