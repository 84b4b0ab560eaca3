"""Where the served pieces come from: the Hugging Face Hub (HF_DATASET_REPO / HF_MODEL_REPO, through serving.hub,
which waits while bytes come and falls back to its cache), or the local data/processed/ and artifacts/."""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import catalog
from catalog import STREAMING, CatalogSpec
from serving.artifacts import MANIFEST_FILE, ArtifactError
from serving.state.redaction import public_text
from settings import Settings

log = logging.getLogger(__name__)

PUBLISHED_REPORTS_DIR = "reports"  # where `python -m model.publish` puts the EDA in the dataset repo


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


# Every catalog's model folder in a model root (artifacts/ or a model repo snapshot): one of them is enough.
MODEL_MANIFESTS = (*(f"{spec.name}/{MANIFEST_FILE}" for spec in catalog.CATALOGS), MANIFEST_FILE)


def model_dir(root: Path, spec: CatalogSpec) -> Path:
    """A catalog's model folder under a model root (artifacts/ or a model repo snapshot): <root>/<name>/.

    The layout published before every catalog had its own folder kept the streaming model at the root (and the
    Movies model in movies/, its folder today too): a root with a manifest and no <name>/ folder is read that
    way, so a deployed Space keeps working until the next publish."""
    folder = root / spec.name
    if spec is STREAMING and not (folder / MANIFEST_FILE).is_file() and (root / MANIFEST_FILE).is_file():
        return root
    return folder


def pull_source(settings: Settings, repo_type: str, local: Path, progress: Any = None,
                remember: bool = True) -> tuple[Source, str | None]:
    """One Hub repo via serving.hub (waiting while bytes come; else its cache, else `local`) as a Source and a
    notice. `remember=False` leaves the snapshot unrecorded until the caller has verified it (serving.live)."""
    repo, revision, required = ((settings.model_repo, settings.model_revision, MODEL_MANIFESTS) if repo_type == "model"
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
