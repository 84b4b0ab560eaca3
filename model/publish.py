"""`python -m model.publish`: push the model artifacts and the processed catalog to the Hugging Face Hub.

    HF_TOKEN=... python -m model.publish --model-repo me/streaming-svd --dataset-repo me/streaming-catalog

- model repo: each catalog's model under <name>/, as in artifacts/<name>/ (every file its manifest lists, the
  manifest, the model card README.md), for every catalog whose model is built, after verifying their
  checksums, so a corrupt or half-written model is never published;
- dataset repo: each catalog's folder as in data/processed (<name>/: the streaming catalog's titles.parquet and
  etl_report.json; the Movies catalog's movies.parquet, ratings.parquet, where_to_watch.parquet, etl_report.json,
  those present, when its movies.parquet is), the EDA in reports/ when present, and a dataset card; the app
  finds them in the pulled snapshot as it does locally.
Repo ids come from the options or HF_MODEL_REPO / HF_DATASET_REPO, the token from HF_TOKEN, the endpoint
from HF_ENDPOINT. Repos are created when missing (`create_repo(exist_ok=True)`), files go up with
`upload_folder`. Bad options or inputs: one line and exit 2; a Hub failure: one line and exit 1.
Every Hub request has a bounded wait (HF_PUBLISH_TIMEOUT seconds without an answer, default 60), so a Hub
that accepts connections and never answers fails the run instead of hanging it.
"""
from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

import config
from catalog import CATALOGS, MOVIES, STREAMING
from errors import InputError
from model.card import dataset_card
from model.cli import OneLineParser
from serving.artifacts import MANIFEST_FILE, verify_artifacts
from settings import SettingError, load_settings

MOVIES_FILES = ("movies.parquet", "ratings.parquet", "where_to_watch.parquet", "etl_report.json")
READ_TIMEOUT = 60.0  # seconds a Hub request may go without an answer (HF_PUBLISH_TIMEOUT overrides)


@contextlib.contextmanager
def bounded_hub_client(read_timeout: float) -> Iterator[None]:
    """huggingface_hub's shared HTTP client with timeouts, for the duration of the block.

    huggingface_hub 2 builds its client with timeout=None, so a silent server hangs a call forever. Uploads
    keep an unbounded write (big files on slow links); the library's request hook and redirects are kept.
    The previous client factory is put back afterwards, so a process that also pulls (tests, notebooks)
    keeps the library's own behaviour there.
    """
    import httpx2
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils import _http

    previous = getattr(_http, "_GLOBAL_CLIENT_FACTORY", _http.default_client_factory)
    timeout = httpx2.Timeout(connect=min(10.0, read_timeout), read=read_timeout, write=None,
                             pool=min(10.0, read_timeout))
    set_client_factory(lambda: httpx2.Client(event_hooks={"request": [_http.hf_request_event_hook]},
                                             follow_redirects=True, timeout=timeout))
    try:
        yield
    finally:
        set_client_factory(previous)


def publish(model_repo: str, dataset_repo: str, artifacts_dir: Path, processed_dir: Path, *,
            token: str, endpoint: str | None = None, private: bool = False,
            reports_dir: Path = config.REPORTS_DIR, read_timeout: float = READ_TIMEOUT) -> dict[str, str]:
    """Create both repos if needed and upload; returns {"model": commit url, "dataset": commit url}.

    A Hub request without an answer for `read_timeout` seconds fails (httpx2.TimeoutException)."""
    with bounded_hub_client(read_timeout):
        return _publish(model_repo, dataset_repo, artifacts_dir, processed_dir, token=token, endpoint=endpoint,
                        private=private, reports_dir=reports_dir)


def _publish(model_repo: str, dataset_repo: str, artifacts_dir: Path, processed_dir: Path, *,
             token: str, endpoint: str | None, private: bool, reports_dir: Path) -> dict[str, str]:
    from huggingface_hub import HfApi

    model_files = model_files_to_publish(Path(artifacts_dir))
    streaming_dir = STREAMING.folder(processed_dir)
    titles_path = streaming_dir / config.TITLES_FILE
    if not titles_path.is_file():
        raise InputError(f"{titles_path}: missing; build it with `python -m etl` (or pass --processed-dir)")
    try:
        titles = pd.read_parquet(titles_path)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise InputError(f"{titles_path}: not a readable parquet file ({exc.__class__.__name__})") from None

    movies_files = movies_to_publish(Path(processed_dir))
    api = HfApi(endpoint=endpoint, token=token)
    api.create_repo(model_repo, repo_type="model", exist_ok=True, private=private)
    api.create_repo(dataset_repo, repo_type="dataset", exist_ok=True, private=private)
    model_commit = api.upload_folder(
        repo_id=model_repo, repo_type="model", folder_path=artifacts_dir, allow_patterns=model_files,
        commit_message=f"Models of {', '.join(sorted({f.split('/')[0] for f in model_files}))}")

    report_path = streaming_dir / config.ETL_REPORT_FILE
    report = json.loads(report_path.read_text()) if report_path.is_file() else None
    with tempfile.TemporaryDirectory() as staging:
        (Path(staging) / STREAMING.name).mkdir()
        shutil.copy2(titles_path, Path(staging) / STREAMING.name / config.TITLES_FILE)
        if report_path.is_file():
            shutil.copy2(report_path, Path(staging) / STREAMING.name / config.ETL_REPORT_FILE)
        if (Path(reports_dir) / "eda.json").is_file():  # the EDA, so that a Space's Data tab can show it
            shutil.copytree(reports_dir, Path(staging) / "reports",
                            ignore=shutil.ignore_patterns(".*"))
        movies_rows = None
        if movies_files:
            (Path(staging) / MOVIES.name).mkdir()
            for path in movies_files:
                shutil.copy2(path, Path(staging) / MOVIES.name / path.name)
            movies_rows = pq.read_metadata(movies_files[0]).num_rows
        (Path(staging) / "README.md").write_text(dataset_card(titles, report, movies_rows), encoding="utf-8")
        dataset_commit = api.upload_folder(repo_id=dataset_repo, repo_type="dataset", folder_path=staging,
                                           commit_message="Processed catalog")
    return {"model": model_commit.commit_url, "dataset": dataset_commit.commit_url}


def model_files_to_publish(artifacts_dir: Path) -> list[str]:
    """The model repo's files: <name>/<file> of every catalog whose model is built in artifacts/<name>/, its
    checksums verified (ArtifactError, an InputError, naming a bad file); InputError when none is built."""
    files = []
    for spec in CATALOGS:
        folder = artifacts_dir / spec.name
        if (folder / MANIFEST_FILE).is_file():
            files += [f"{spec.name}/{name}" for name in (*verify_artifacts(folder)["files"], MANIFEST_FILE)]
    if not files:
        raise InputError(f"{artifacts_dir}: no model to publish (no <catalog>/{MANIFEST_FILE}); build one with "
                         "`python -m model.train --catalog <name>`")
    return files


def movies_to_publish(processed_dir: Path) -> list[Path]:
    """The Movies catalog's files in its folder under processed_dir (movies.parquet first), or none when it is
    not built; InputError when movies.parquet is there but unreadable."""
    folder = MOVIES.folder(processed_dir)
    movies = folder / MOVIES_FILES[0]
    if not movies.is_file():
        return []
    try:
        pq.read_metadata(movies)
    except Exception as exc:  # pyarrow raises several types for a bad file
        raise InputError(f"{movies}: not a readable parquet file ({exc.__class__.__name__})") from None
    return [folder / name for name in MOVIES_FILES if (folder / name).is_file()]


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings()
    except SettingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    p = OneLineParser(prog="python -m model.publish", description=__doc__.split("\n")[0])
    p.add_argument("--model-repo", default=settings.model_repo, help="default HF_MODEL_REPO")
    p.add_argument("--dataset-repo", default=settings.dataset_repo, help="default HF_DATASET_REPO")
    p.add_argument("--artifacts-dir", type=Path, default=settings.artifacts_dir)
    p.add_argument("--processed-dir", type=Path, default=settings.processed_dir)
    p.add_argument("--reports-dir", type=Path, default=settings.reports_dir or config.REPORTS_DIR,
                   help="the EDA (python -m etl.eda)")
    p.add_argument("--private", action="store_true", help="create the repos as private")
    args = p.parse_args(argv)
    missing = [name for name, value in (("--model-repo / HF_MODEL_REPO", args.model_repo),
                                        ("--dataset-repo / HF_DATASET_REPO", args.dataset_repo)) if not value]
    token = settings.hub_token
    if not token:
        missing.append("HF_TOKEN (a write token)")
    if missing:
        print(f"error: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    read_timeout = settings.publish_timeout
    for repo in (args.model_repo, args.dataset_repo):
        if repo.count("/") != 1 or not all(repo.split("/")):
            print(f"error: repo id must look like 'owner/name', got {repo!r}", file=sys.stderr)
            return 2
    try:
        urls = publish(args.model_repo, args.dataset_repo, args.artifacts_dir, args.processed_dir,
                       token=token, endpoint=settings.hub_endpoint, private=args.private,
                       reports_dir=args.reports_dir, read_timeout=read_timeout)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # network / Hub errors: one readable line, not a trace
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if "Timeout" in exc.__class__.__name__:  # httpx2's ConnectTimeout / ReadTimeout / PoolTimeout
            first = f"no answer from the Hub within {read_timeout:g} s (HF_PUBLISH_TIMEOUT)"
        print(f"error: publishing failed: {exc.__class__.__name__}: {first}", file=sys.stderr)
        return 1
    print(f"model:   {urls['model']}\ndataset: {urls['dataset']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
