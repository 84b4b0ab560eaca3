"""Where the app gets its model and catalog: the Hugging Face Hub, else the local cache, else local files.

    pulled = pull("me/svd", "model", local=ARTIFACTS_DIR, required="manifest.json")
    predictor = Predictor.from_dir(pulled.path)
    print(pulled.where, pulled.why)  # e.g. "hub model me/svd@3f2a1c0", or "cached copy of ...", "... unreachable"

serving/state.py pulls the model and the dataset repo this way, both at once.

Each repo is pulled with `snapshot_download` into the Hugging Face cache inside a bounded wait (a daemon
thread with a deadline, plus huggingface_hub's own etag timeout), so an unreachable Hub never hangs the app.
When the Hub cannot be reached (offline, timeout, error) the last cached snapshot is used
(`local_files_only=True`), and without one the local `artifacts/` and `data/processed/`. The notice says
which copy was used and why. Checksums are verified later by `Predictor.from_dir` (serving.artifacts).
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serving.artifacts import ArtifactError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0  # seconds for the whole pull of one repo


@dataclass(frozen=True)
class Pulled:
    """One repo's files: where they are, where they came from ("hub", "cache" or "local") and why."""

    path: Path
    origin: str
    where: str        # e.g. "hub model me/svd@3f2a1c0", "cached copy of me/svd@3f2a1c0", "local directory artifacts"
    why: str = ""     # why not the Hub, when it was not: in words, no addresses or paths (the log has them)


def pull(repo_id: str | None, repo_type: str, *, local: Path, required: str, revision: str | None = None,
         timeout: float = DEFAULT_TIMEOUT, endpoint: str | None = None, token: str | None = None,
         cache_dir: str | os.PathLike | None = None) -> Pulled:
    """One repo from the Hub within `timeout` seconds, else its cached snapshot, else `local`."""
    if not repo_id:
        why = f"no HF_{repo_type.upper()}_REPO set"
    else:
        from huggingface_hub import HfApi, snapshot_download

        common = dict(repo_id=repo_id, repo_type=repo_type, cache_dir=cache_dir, endpoint=endpoint, token=token)

        def online() -> tuple[str, str]:
            # repo_info first: snapshot_download silently returns the cache when the Hub is unreachable,
            # and the notice must say which copy it is. The snapshot folder is named by its commit.
            HfApi(endpoint=endpoint, token=token).repo_info(repo_id, repo_type=repo_type, revision=revision,
                                                            timeout=timeout)
            path = snapshot_download(revision=revision, etag_timeout=timeout, **common)
            return path, Path(path).name

        try:
            path, sha = _with_deadline(online, timeout)
            if (Path(path) / required).is_file():
                return Pulled(Path(path), "hub", f"hub {repo_type} {repo_id}@{sha[:7]}")
            why = f"hub {repo_type} {repo_id} has no {required}"
        except Exception as exc:  # any failure (offline, timeout, HTTP error) falls back, and says so
            log.warning("hub %s %s unreachable: %s", repo_type, repo_id, _short(exc))
            why = f"hub {repo_type} {repo_id} unreachable: {_reason(exc, timeout)}"
        try:
            path = snapshot_download(revision=revision, local_files_only=True, **common)
            if (Path(path) / required).is_file():
                sha = Path(path).name
                return Pulled(Path(path), "cache", f"cached copy of {repo_id}@{sha[:7]}", why)
        except Exception:  # no usable cached snapshot
            pass
        why += ", no cached copy"
    if (local / required).is_file():
        return Pulled(local, "local", f"local directory {local.name}", why)
    log.warning("%s: missing, and no %s from the Hub", local / required, repo_type)
    raise ArtifactError(f"{required}: missing, and no {repo_type} from the Hub ({why}). "
                        + ("Run `python -m model.train`." if repo_type == "model" else "Run `python -m etl`."))


def _with_deadline(fn: Callable[[], Any], timeout: float) -> Any:
    """fn() in a daemon thread; TimeoutError when it has not finished within `timeout` seconds."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # handed to the caller
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="hub-pull")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in result:
        raise result["error"]
    return result["value"]


def _reason(exc: BaseException, timeout: float) -> str:
    """Why the Hub did not give the repo, in words: no addresses, paths or exception classes."""
    chain, seen = [], exc
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    text = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    status = next((getattr(getattr(e, "response", None), "status_code", None) for e in chain
                   if isinstance(getattr(getattr(e, "response", None), "status_code", None), int)), None)
    if "refused" in text:
        return "the Hub refused the connection"
    if any(isinstance(e, TimeoutError) for e in chain) or "timeout" in text or "timed out" in text:
        return f"the Hub did not answer within {timeout:g} s"
    if status in (401, 403):
        return f"the Hub refused access (HTTP {status}): check HF_TOKEN"
    if status == 404 or "repositorynotfound" in text or "revisionnotfound" in text:
        return "the Hub has no such repo or revision"
    if status:
        return f"the Hub answered HTTP {status}"
    if "name or service not known" in text or "getaddrinfo" in text or "nodename" in text:
        return "the Hub's address could not be resolved"
    return "the Hub could not be reached"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text[:160]}" if text else exc.__class__.__name__
