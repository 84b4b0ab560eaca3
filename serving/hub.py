"""Where the app gets its model and catalog: the Hugging Face Hub, else the local cache, else local files.

    pulled = pull("me/svd", "model", local=ARTIFACTS_DIR, required="manifest.json")
    predictor = Predictor.from_dir(pulled.path)
    print(pulled.where, pulled.why)  # e.g. "hub model me/svd@3f2a1c0", or "cached copy of ...", "... unreachable"

The pieces serving.live uses to boot from the cache and update in the background:

    sha = resolve("me/svd", "model", "main")                    # the commit a revision names (bounded wait)
    path = fetch("me/svd", "model", sha, stall=5, progress=p)   # file by file into the cache; p counts bytes
    remember("me/svd", "model", "main", sha)                    # only after the caller verified the snapshot
    cached("me/svd", "model", "main")                           # (sha, path) of the last remembered snapshot

The bound is on silence, not on the whole download: every HTTP request has connect/read timeouts of at most
`stall` seconds (configure_client), and a watchdog gives a download up once no byte arrived for `stall` seconds,
so a Hub that is slow but sending is waited for however long it takes, and a silent one costs `stall` seconds.
A snapshot is remembered (refs/<revision> in the Hugging Face cache) only once it was verified, so a later boot
never starts from a half-downloaded or refused revision. Checksums are verified by serving.artifacts.
"""
from __future__ import annotations

import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from serving.artifacts import ArtifactError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 20.0  # seconds of silence before a Hub counts as unreachable
MB = 1_000_000
CHUNK = 256 * 1024  # bytes per progress update of a download
VERIFIED = ".verified"  # <cache>/<repo folder>/.verified/<commit>: snapshots this app loaded and checked
_SHA = re.compile(r"[0-9a-f]{40}")


class Unreachable(RuntimeError):
    """The Hub did not give a revision: the message says why in words (no addresses, paths or classes)."""


@dataclass(frozen=True)
class Pulled:
    """One repo's files: where they are, where they came from ("hub", "cache" or "local") and why."""

    path: Path
    origin: str
    where: str        # e.g. "hub model me/svd@3f2a1c0", "cached copy of me/svd@3f2a1c0", "local directory artifacts"
    why: str = ""     # why not the Hub, when it was not: in words, no addresses or paths (the log has them)


class Progress:
    """Bytes downloaded of bytes expected, for the log and the page ("35 of 71 MB"); thread-safe.

    `bar` is a tqdm_class for huggingface_hub's downloads: it only counts, it prints nothing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = self.done = 0
        self.last_byte = time.monotonic()

    def expect(self, size: int) -> None:
        with self._lock:
            self.total += size
            self.last_byte = time.monotonic()

    def add(self, size: int) -> None:
        with self._lock:
            self.done += size
            self.last_byte = time.monotonic()

    def idle(self) -> float:
        """Seconds since the last byte (or since the download started)."""
        return time.monotonic() - self.last_byte

    def text(self) -> str:
        return f"{self.done / MB:.0f} of {max(self.total, self.done) / MB:.0f} MB"

    @property
    def bar(self) -> type:
        progress = self

        class Bar:  # what huggingface_hub's http_get calls on a tqdm_class that is not its own tqdm
            def __init__(self, **kwargs: object) -> None:
                self.n = int(kwargs.get("initial") or 0)

            def update(self, n: int = 1) -> None:
                self.n += n
                progress.add(n)

            def close(self) -> None:
                pass

            def __enter__(self) -> Bar:
                return self

            def __exit__(self, *exc: object) -> None:
                pass

        return Bar


_configured: list[float] = []


def configure_client(stall: float) -> None:
    """Give huggingface_hub's HTTP client connect/read timeouts of at most `stall` seconds (its default client
    waits forever on a silent server). A read timeout fires only when no byte came for that long, so a slow
    download is not cut off. Process-wide: the app only pulls (model.publish sets its own client for uploads)."""
    if _configured and _configured[-1] == stall:
        return
    import httpx2
    from huggingface_hub import constants, set_client_factory
    from huggingface_hub.utils import _http

    timeout = httpx2.Timeout(connect=min(10.0, stall), read=stall, write=stall, pool=min(10.0, stall))
    set_client_factory(lambda: httpx2.Client(event_hooks={"request": [_http.hf_request_event_hook]},
                                             follow_redirects=True, timeout=timeout))
    # hf_hub_download passes these per request, over the client's own timeouts.
    constants.HF_HUB_DOWNLOAD_TIMEOUT = stall
    constants.HF_HUB_ETAG_TIMEOUT = stall
    # Its progress callback comes once per chunk read; at 10 MB (the default) a slow link looks silent for
    # many seconds, and the watchdog below would take it for a stalled one.
    constants.DOWNLOAD_CHUNK_SIZE = CHUNK
    _configured.append(stall)


def _cache_dir(cache_dir: str | os.PathLike | None) -> Path:
    from huggingface_hub import constants

    return Path(cache_dir or constants.HF_HUB_CACHE)


def _storage(repo_id: str, repo_type: str, cache_dir: str | os.PathLike | None) -> Path:
    from huggingface_hub.file_download import repo_folder_name

    return _cache_dir(cache_dir) / repo_folder_name(repo_id=repo_id, repo_type=repo_type)


def cached(repo_id: str, repo_type: str, revision: str | None = None,
           cache_dir: str | os.PathLike | None = None) -> tuple[str, Path] | None:
    """(commit, snapshot folder) last remembered for `revision` (default main) in the cache, or None."""
    storage = _storage(repo_id, repo_type, cache_dir)
    if revision and _SHA.fullmatch(revision):
        sha = revision  # a pinned commit: any verified snapshot of it will do
    else:
        try:
            sha = (storage / "refs" / (revision or "main")).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return None
    path = storage / "snapshots" / sha
    verified = storage / VERIFIED / sha
    return (sha, path) if _SHA.fullmatch(sha) and path.is_dir() and verified.is_file() else None


def remember(repo_id: str, repo_type: str, revision: str | None, sha: str,
             cache_dir: str | os.PathLike | None = None) -> None:
    """Record a verified snapshot as the cache's copy of `revision` (atomically: a reader sees old or new)."""
    storage = _storage(repo_id, repo_type, cache_dir)
    _write(storage / VERIFIED / sha, sha)
    if not (revision and _SHA.fullmatch(revision)):
        _write(storage / "refs" / (revision or "main"), sha)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def resolve(repo_id: str, repo_type: str, revision: str | None = None, *, endpoint: str | None = None,
            token: str | None = None, stall: float = DEFAULT_TIMEOUT) -> str:
    """The commit `revision` (branch, tag or commit; default main) names on the Hub, or Unreachable."""
    from huggingface_hub import HfApi

    configure_client(stall)
    try:
        info = HfApi(endpoint=endpoint, token=token).repo_info(repo_id, repo_type=repo_type,
                                                               revision=revision or "main", timeout=stall)
    except Exception as exc:  # offline, timeout, HTTP error: in words for the notice, in full in the log
        log.warning("hub %s %s: no revision: %s", repo_type, repo_id, _short(exc))
        raise Unreachable(_reason(exc, stall)) from exc
    if not info.sha:
        raise Unreachable("the Hub named no commit for the revision")
    return info.sha


def fetch(repo_id: str, repo_type: str, sha: str, *, endpoint: str | None = None, token: str | None = None,
          cache_dir: str | os.PathLike | None = None, stall: float = DEFAULT_TIMEOUT,
          progress: Progress | None = None) -> Path:
    """Every file of commit `sha` into the cache, file by file; the snapshot folder, or Unreachable.

    Waited for as long as bytes keep coming; given up once none came for `stall` seconds (the worker thread
    is left to end on its own read timeout)."""
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.hf_api import RepoFile

    configure_client(stall)
    progress = progress or Progress()
    result: dict[str, object] = {}

    def work() -> None:
        try:
            api = HfApi(endpoint=endpoint, token=token)
            files = [f for f in api.list_repo_tree(repo_id, recursive=True, revision=sha, repo_type=repo_type)
                     if isinstance(f, RepoFile)]
            progress.expect(sum(f.size or 0 for f in files))
            log.info("hub %s %s@%s: %d files, %.1f MB to check or download", repo_type, repo_id, sha[:12],
                     len(files), sum(f.size or 0 for f in files) / MB)
            for f in files:
                before = progress.done
                hf_hub_download(repo_id, f.path, repo_type=repo_type, revision=sha, cache_dir=cache_dir,
                                endpoint=endpoint, token=token, etag_timeout=stall, tqdm_class=progress.bar)
                progress.add(max(0, (f.size or 0) - (progress.done - before)))  # a file already in the cache
            result["path"] = _storage(repo_id, repo_type, cache_dir) / "snapshots" / sha
        except BaseException as exc:  # handed to the caller
            result["error"] = exc

    thread = threading.Thread(target=work, daemon=True, name=f"hub-fetch-{repo_type}")
    thread.start()
    logged = time.monotonic()
    while thread.is_alive():
        thread.join(0.2)
        if thread.is_alive() and progress.idle() > stall:
            log.warning("hub %s %s@%s: no byte for %.0f s at %s; giving up", repo_type, repo_id, sha[:12],
                        progress.idle(), progress.text())
            raise Unreachable(f"the Hub sent nothing for {stall:g} s (stalled at {progress.text()})")
        if time.monotonic() - logged >= 2:
            logged = time.monotonic()
            log.info("hub %s %s@%s: %s", repo_type, repo_id, sha[:12], progress.text())
    if "error" in result:
        exc = result["error"]
        log.warning("hub %s %s@%s: download failed: %s", repo_type, repo_id, sha[:12], _short(exc))
        raise Unreachable(_reason(exc, stall)) from exc
    log.info("hub %s %s@%s: downloaded (%s)", repo_type, repo_id, sha[:12], progress.text())
    return Path(result["path"])


def _has(path: Path, required: str | tuple[str, ...]) -> bool:
    """Whether `path` holds the required file (one of them, for a tuple)."""
    return any((path / name).is_file() for name in ((required,) if isinstance(required, str) else required))


def pull(repo_id: str | None, repo_type: str, *, local: Path, required: str | tuple[str, ...],
         revision: str | None = None, timeout: float = DEFAULT_TIMEOUT, endpoint: str | None = None,
         token: str | None = None, cache_dir: str | os.PathLike | None = None, progress: Progress | None = None,
         remember_now: bool = True) -> Pulled:
    """One repo from the Hub (waiting while bytes come; `timeout` seconds of silence at most), else its cached
    snapshot, else `local`; each counts only when it holds `required` (a file, or any of a tuple of files).
    With remember_now=False a downloaded snapshot is not recorded as the cache's copy:
    the caller does it (`remember`) once it has verified it."""
    if not repo_id:
        why = f"no HF_{repo_type.upper()}_REPO set"
    else:
        try:
            sha = resolve(repo_id, repo_type, revision, endpoint=endpoint, token=token, stall=timeout)
            path = fetch(repo_id, repo_type, sha, endpoint=endpoint, token=token, cache_dir=cache_dir,
                         stall=timeout, progress=progress)
            if _has(path, required):
                if remember_now:
                    remember(repo_id, repo_type, revision, sha, cache_dir)
                return Pulled(path, "hub", f"hub {repo_type} {repo_id}@{sha[:7]}")
            why = f"hub {repo_type} {repo_id} has no {_named(required)}"
        except Unreachable as exc:
            why = f"hub {repo_type} {repo_id} unreachable: {exc}"
        found = cached(repo_id, repo_type, revision, cache_dir)
        if found and _has(found[1], required):
            return Pulled(found[1], "cache", f"cached copy of {repo_id}@{found[0][:7]}", why)
        why += ", no cached copy"
    if _has(local, required):
        return Pulled(local, "local", f"local directory {local.name}", why)
    log.warning("%s: missing in %s, and no %s from the Hub", _named(required), local, repo_type)
    raise ArtifactError(f"{_named(required)}: missing, and no {repo_type} from the Hub ({why}). "
                        + ("Run `python -m model.train --catalog all`." if repo_type == "model"
                           else "Run `python -m etl`."))


def _named(required: str | tuple[str, ...]) -> str:
    """The required file's name for a message (a tuple's alternatives share one: manifest.json)."""
    return Path(required if isinstance(required, str) else required[-1]).name


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
    if "consistency check failed" in text:
        return "a file arrived incomplete"
    return "the Hub could not be reached"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text[:160]}" if text else exc.__class__.__name__
