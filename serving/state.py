"""Everything the app serves, as one snapshot: catalog, title search, model, similar titles, reports.

    state = load_state()          # never raises: what cannot be loaded becomes a notice
    state.require_model()         # the Predictor, or Unavailable("... build it with `make run` ...")

An AppState is built once and not changed afterwards; serving.live builds new ones (first boot from the Hub,
the pieces loaded after the port is open, a newer revision) and swaps them in whole, so a request that reads
the snapshot once (`snapshot(state_or_live)`) never sees two revisions. A piece still being loaded is named in
`pending`: asking for it is Unavailable("... is still loading (35 of 71 MB) ..."), a 503, not an error.

load_state() is the synchronous way (tests, tools): artifacts come from the Hugging Face Hub when
HF_MODEL_REPO / HF_DATASET_REPO are set (through serving.hub, which waits while bytes come and gives up after
APP_HUB_TIMEOUT seconds of silence, then falls back to its cache or the local directories), otherwise from
the local artifacts/ and data/processed/. A missing piece never stops the app: the catalog tabs still work
without a model, and every tab that needs a missing piece says how to build it.
"""
from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

import catalog
import config
from catalog import STREAMING, CatalogSpec
from catalog.search import TitleIndex
from catalog.streaming.queries import StreamingCatalog
from config import COL_ID
from errors import InputError, Unavailable  # noqa: F401 (Unavailable: re-exported)
from serving.artifacts import MANIFEST_FILE, ArtifactError, Artifacts, load_artifacts
from serving.movie_recommender import MovieRecommender
from serving.predictor import Predictor
from serving.similar import SimilarTitles
from settings import Settings, load_settings

log = logging.getLogger(__name__)

BUILD_HINT = "run `make run`, or `python -m etl && python -m model.train`, then restart the app"
MOVIES_MODEL_DIR = "movies"  # the Movies model, beside the streaming one (artifacts/movies/, and so in the model repo)
MOVIES_BUILD_HINT = "run `make run`, or `python -m etl --catalog movies && python -m model.train --catalog movies`"
TITLE_COLUMNS = [COL_ID, "title", config.COL_PLATFORM, "type", "release_year"]


# The pieces a snapshot can be waiting for (AppState.pending), and how a message names each.
PIECES = {"data": "The catalog", "model": "The model", "catalogs": "The other catalogs",
          "similar": "Similar titles", "movie_model": "The Movies model"}
# Loaded after the port is open (serving.live): what the first page and /recommend do not need. "catalogs" is
# every declared catalog but the streaming one (whose titles every answer names). The Movies model is not among
# them: memory-mapped it loads in a fraction of a second, and the Movie picks tabs are built from it.
EXTRAS = frozenset({"catalogs", "similar"})


# What a public answer must not show: absolute paths (POSIX, Windows, file: URLs) and web addresses.
_URL = re.compile(r"\b(?:https?|file)://[^\s'\"`<>()]+", re.IGNORECASE)
_ABS_PATH = re.compile(r"(?<![\w.:/~-])(?:[a-z]:\\|~?/)(?:[^\s'\"`<>(),;:/\\]+[/\\])+([^\s'\"`<>(),;:/\\]*)",
                       re.IGNORECASE)


def _clause(reason: str | None) -> str:
    """A reason as a clause inside parentheses: no final full stop."""
    return str(reason).rstrip(".")


def public_text(text: object) -> str:
    """Text safe for a public answer (REST, the page, /health): an absolute path becomes its last part (the
    file's name) and a web address "the Hub". The full text belongs in the log."""
    text = _URL.sub("the Hub", str(text))
    return _ABS_PATH.sub(lambda m: m.group(1) or "a directory", text)


@dataclass
class Source:
    """Where one piece came from, for /health and the Data tab."""

    kind: str                       # "hub", "hub cache", "local" or "missing"
    location: str                   # the directory the files are read from
    revision: str | None = None     # Hub commit, when from the Hub or its cache
    repo: str | None = None         # Hub repo id, when one is configured
    built_at: str | None = None     # when the artifacts or data were built
    checksums: dict[str, str] = field(default_factory=dict)  # file -> sha256 (from the manifest)

    @property
    def public(self) -> str:
        """Where it came from, without local paths: "me/svd@3f2a1c0d9e8b" (Hub or its cache) or "local"."""
        if self.kind.startswith("hub") and self.repo:
            return f"{self.repo}@{self.revision[:12]}" if self.revision else self.repo
        return "local" if self.kind == "local" else self.kind

    def describe(self) -> str:
        where = f"Hub repo `{self.repo}`" if self.kind.startswith("hub") else f"directory `{Path(self.location).name}`"
        rev = f" at revision `{self.revision[:12]}`" if self.revision else ""
        built = f", built {self.built_at}" if self.built_at else ""
        return f"{self.kind}: {where}{rev}{built}"


@dataclass
class AppState:
    """What the app serves. Missing pieces are None, with the reason in notices / the *_error fields."""

    processed_dir: Path
    artifacts_dir: Path
    reports_dir: Path
    catalog: StreamingCatalog | None = None
    index: TitleIndex | None = None
    title_cards: dict[str, dict] = field(default_factory=dict)  # id -> TITLE_COLUMNS values
    artifacts: Artifacts | None = None
    predictor: Predictor | None = None
    similar: SimilarTitles | None = None
    data_source: Source | None = None
    model_source: Source | None = None
    data_error: str | None = None
    model_error: str | None = None
    similar_error: str | None = None
    movie_model: MovieRecommender | None = None  # the Movies catalog's recommender (artifacts/movies/)
    movie_model_error: str | None = None
    queries: dict[str, Any] = field(default_factory=dict)  # catalog name -> its query object (CATALOGS)
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

    def require_catalog(self) -> StreamingCatalog:
        if self.catalog is None:
            self.check_loading("data")
            raise Unavailable(f"The streaming catalog is not loaded ({_clause(self.data_error)}). "
                              f"To build it, {BUILD_HINT}.")
        return self.catalog

    def require_queries(self, spec: CatalogSpec) -> Any:
        """The query object answering a declared catalog's questions, or Unavailable saying how to build it."""
        if spec.name not in self.queries:
            self.check_loading("data" if spec.name == STREAMING.name else "catalogs", f"The {spec.name} catalog")
            raise Unavailable(f"The {spec.name} catalog is not loaded ({_clause(self.query_errors.get(spec.name))}). "
                              f"To build it, {BUILD_HINT}.")
        return self.queries[spec.name]

    def require_index(self) -> TitleIndex:
        self.require_catalog()
        return self.index

    def require_model(self) -> Predictor:
        """The Predictor; its answers name catalog titles, so the catalog must be loaded too."""
        if self.predictor is None:
            self.check_loading("model")
            raise Unavailable(f"The model is not loaded ({_clause(self.model_error)}). To build it, {BUILD_HINT}.")
        self.require_catalog()
        return self.predictor

    def require_similar(self) -> SimilarTitles:
        self.require_model()
        if self.similar is None:
            self.check_loading("similar")
            raise Unavailable(f"Similar titles are not available ({_clause(self.similar_error)}). "
                              f"To build them, {BUILD_HINT}.")
        return self.similar

    def require_movie_model(self) -> MovieRecommender:
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
        catalogs = {spec.name: {"loaded": spec.name in self.queries, "error": self.query_errors.get(spec.name),
                                "pending": self._catalog_pending(spec.name)} for spec in catalog.CATALOGS}
        # Ready: every piece of every catalog has been tried (loaded, or failed with its error above); before
        # that some routes answer 503 "still loading".
        if self.pending & {"data", "model"}:
            status = "loading"  # the first boot's download
        elif self.pending:
            status = "starting"  # the other catalogs, similar titles or the Movies model still loading
        else:
            status = "ok" if self.catalog is not None and self.predictor is not None else "degraded"
        return {"status": status, "ready": not self.pending, "data": source(self.data_source, self.data_error),
                "model": model,
                "movies_model": movies_model, "catalogs": catalogs, "similar_titles": self.similar is not None,
                "loading": self.loading_text(), "pending": sorted(self.pending),
                "notices": [public_text(n) for n in self.notices], "load_seconds": round(self.load_seconds, 2)}

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
        have = {"data": self.catalog is not None, "model": self.predictor is not None,
                "similar": self.similar is not None, "movie_model": self.movie_model is not None}
        return {name for name, ok in have.items() if ok} | {f"catalog:{name}" for name in self.queries}


def snapshot(state: Any) -> AppState:
    """The AppState to answer one request with: `state` itself, or a serving.live.Live's current snapshot.
    Read it once per request and use only it, so one answer never mixes two revisions."""
    return state if isinstance(state, AppState) else state.current


def public_json(value: Any) -> Any:
    """A JSON value with public_text applied to every string in it."""
    if isinstance(value, dict):
        return {key: public_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [public_json(item) for item in value]
    return public_text(value) if isinstance(value, str) else value


def _manifest_checksums(manifest: dict) -> dict[str, str]:
    return {name: entry.get("sha256", "") for name, entry in manifest.get("files", {}).items()}


def pull_source(settings: Settings, repo_type: str, local: Path, progress: Any = None,
                remember: bool = True) -> tuple[Source, str | None]:
    """One Hub repo via serving.hub (waiting while bytes come; else its cache, else `local`) as a Source and a
    notice. `remember=False` leaves the snapshot unrecorded until the caller has verified it (serving.live)."""
    repo, revision, required = ((settings.model_repo, settings.model_revision, MANIFEST_FILE) if repo_type == "model"
                                else (settings.dataset_repo, settings.dataset_revision, dataset_tables()))
    if not repo:
        return Source("local", str(local)), None
    from serving import hub  # the Hub client is imported only when a repo is configured

    try:
        pulled = hub.pull(repo, repo_type, local=local, required=required, revision=revision,
                          timeout=settings.hub_timeout, endpoint=settings.hub_endpoint, token=settings.hub_token,
                          progress=progress, remember_now=remember)
    except ArtifactError as exc:  # nothing usable anywhere: the loader below says what is missing
        log.warning("%s repo %s: %s", repo_type, repo, exc)
        return Source("missing", str(local), repo=repo), public_text(exc)
    kind = {"hub": "hub", "cache": "hub cache"}.get(pulled.origin, "local")
    revision = pulled.path.name if kind != "local" else None  # snapshot folders are named by their commit
    notice = None if kind == "hub" else public_text(f"Using the {pulled.where}: {pulled.why}.")
    return Source(kind, str(pulled.path), revision, repo=repo), notice


def dataset_tables() -> tuple[str, ...]:
    """The files of which a usable dataset (repo or local folder) holds one: each catalog's first table in its
    folder, or at the root as the layout published before each catalog had its folder put it (CatalogSpec.folder)."""
    return (tuple(f"{spec.name}/{spec.tables[0]}" for spec in catalog.CATALOGS)
            + tuple(spec.tables[0] for spec in catalog.CATALOGS))


def resolve_sources(settings: Settings, processed_dir: Path, artifacts_dir: Path) -> tuple[Source, Source, list[str]]:
    """Where data and model come from: the Hub (HF_DATASET_REPO / HF_MODEL_REPO) or local directories.

    Both repos are pulled at once; a silent Hub costs APP_HUB_TIMEOUT seconds, a slow one is waited for.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        data = pool.submit(pull_source, settings, "dataset", processed_dir)
        model = pool.submit(pull_source, settings, "model", artifacts_dir)
        (data_source, data_notice), (model_source, model_notice) = data.result(), model.result()
    return data_source, model_source, [n for n in (data_notice, model_notice) if n]


PUBLISHED_REPORTS_DIR = "reports"  # where `python -m model.publish` puts the EDA in the dataset repo


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
    _load_model(state, Path(model_source.location))
    _load_movie_model(state, Path(model_source.location) / MOVIES_MODEL_DIR)
    if state.catalog is None or state.predictor is None:
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
    if state.catalog is not None:
        state.catalog.warm()  # the questions' indexes: shared by every snapshot of the same catalog
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
        state.catalog = StreamingCatalog(titles)
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
    if state.catalog is not None:
        state.queries[STREAMING.name] = state.catalog
    elif state.data_error:
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
        state.predictor = Predictor(state.artifacts)
    except Exception as exc:  # ArtifactError names the file and how to rebuild
        state.artifacts = None
        state.model_error = _failure("model", exc, "the model artifacts are not readable: rebuild them with "
                                                   "`python -m model.train`")
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
        state.movie_model = MovieRecommender.from_dir(directory)
    except Exception as exc:  # ArtifactError names the file and how to rebuild
        state.movie_model_error = _failure("Movies model", exc, "the Movies model artifacts are not readable: rebuild "
                                                                "them with `python -m model.train --catalog movies`")
        state.notices.append(f"No Movies model: {state.movie_model_error}")
