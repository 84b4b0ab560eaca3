"""The state being served (`Live.current`) and everything that replaces it: first boot, the pieces loaded after
the port is open, newer revisions from the Hub, the operator's reload and the timer.

    live = Live(settings).start()     # serves the cached or local copy at once, when there is one
    live.run_background()             # after the port is open: the rest, then a Hub check
    state = live.current              # one read per request: a complete, verified snapshot (serving.state)

Every change builds a complete new AppState off to the side and swaps it in with one assignment, so a request
sees the old snapshot or the new one, never half of each, and no request fails during a swap. A new revision
is downloaded file by file (serving.hub: waited for while bytes come, given up after APP_HUB_TIMEOUT seconds
of silence), loaded (checksums and format version verified by serving.artifacts) and swapped in only when it
serves every piece the current snapshot serves; otherwise it is refused with a notice and the current one
keeps serving. Only a verified snapshot is recorded in the Hugging Face cache as the repo's copy, so the next
boot starts from it at once. A pinned repo (HF_MODEL_REVISION / HF_DATASET_REVISION) is never updated.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import config
from catalog import STREAMING
from serving.state.loading import build_state, load_extras, release_memory
from serving.state.redaction import public_text
from serving.state.snapshot import PIECES, AppState
from serving.state.sources import Source, pull_source
from settings import Settings

log = logging.getLogger(__name__)

MAX_NOTICES = 5  # update notices kept for /health and the page (the log has them all)
REPO_KINDS = ("dataset", "model")


@dataclass
class RepoStatus:
    """One Hub repo as this process sees it: what it serves, what is on the way, what happened last."""

    repo_type: str
    repo: str | None
    revision: str | None                    # the pin (HF_*_REVISION), None: main, updated in the background
    serving: str | None = None              # the commit serving now
    pending: str | None = None              # a newer commit being downloaded and verified
    refused: str | None = None              # the last commit refused (corrupt or incompatible)
    state: str = "not configured"
    checked_at: float | None = None
    progress: Any = field(default=None, repr=False)  # serving.hub.Progress of the download under way

    @property
    def pinned(self) -> bool:
        return self.revision is not None

    def public(self) -> dict:
        return {"repo": self.repo, "pinned": self.revision, "serving": self.serving, "pending": self.pending,
                "refused": self.refused, "state": self.state,
                "download": self.progress.text() if self.progress is not None and self.pending else None,
                "checked_seconds_ago": None if self.checked_at is None else round(time.time() - self.checked_at)}


class Live:
    """Holds the snapshot serving now and replaces it safely (see the module docstring)."""

    def __init__(self, settings: Settings, processed_dir: str | Path | None = None,
                 artifacts_dir: str | Path | None = None, reports_dir: str | Path | None = None):
        self.settings = settings
        self.processed_dir = Path(processed_dir or settings.processed_dir)
        self.artifacts_dir = Path(artifacts_dir or settings.artifacts_dir)
        self.reports_dir = reports_dir or settings.reports_dir
        self.status = {"model": RepoStatus("model", settings.model_repo, settings.model_revision),
                       "dataset": RepoStatus("dataset", settings.dataset_repo, settings.dataset_revision)}
        self.notices: list[str] = []
        self._changing = threading.Lock()     # one loader at a time (boot, check, reload, timer)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._needs_download = False
        self.current: AppState = AppState(self.processed_dir, self.artifacts_dir,
                                          Path(self.reports_dir or config.REPORTS_DIR),
                                          pending=frozenset(PIECES), progress=self.progress_text)

    # ---- what the page and /health show ---------------------------------------------------------------
    def progress_text(self) -> str:
        """Bytes downloaded so far over every repo downloading ("35 of 71 MB"), or ""."""
        parts = [s.progress for s in self.status.values() if s.progress is not None and s.pending]
        if not parts:
            return ""
        done, total = sum(p.done for p in parts), sum(max(p.total, p.done) for p in parts)
        if total and done >= total:
            return f"{total / 1e6:.0f} MB downloaded, now verifying and loading"
        return f"{done / 1e6:.0f} of {total / 1e6:.0f} MB"

    def hub_lines(self) -> list[str]:
        """One line per configured repo: the revision serving, a pin, a newer one pending, the last refusal."""
        lines = []
        for s in self.status.values():
            if not s.repo:
                continue
            line = f"{s.repo_type} `{s.repo}`: serving `{s.serving[:12] if s.serving else 'nothing yet'}`"
            line += f", pinned to `{s.revision}`" if s.pinned else ""
            download = f", {s.progress.text()}" if s.progress is not None else ""
            if s.pending and s.serving:
                line += f"; newer revision `{s.pending[:12]}` pending ({s.state}{download})"
            else:
                line += f"; {s.state}{download if s.pending else ''}"
            lines.append(line)
        return lines

    def all_notices(self) -> list[str]:
        return [*self.current.notices, *self.notices]

    def health(self) -> dict:
        current = self.current
        answer = current.health()
        answer["notices"] = [public_text(n) for n in (*current.notices, *self.notices)]
        answer["hub"] = {kind: s.public() for kind, s in self.status.items() if s.repo}
        return answer

    # ---- start ----------------------------------------------------------------------------------------
    def start(self) -> Live:
        """Serve the cached or local copy now, when every configured repo has one (no network on this path).
        Otherwise `current` stays a snapshot whose pieces are all pending, and run_background downloads."""
        sources = self._on_disk()
        if sources is None:
            self._needs_download = True
            for s in self.status.values():
                if s.repo:
                    s.state = "waiting to download"
            return self
        data, model = sources
        self.current = build_state(self.processed_dir, self.artifacts_dir, self.reports_dir, data, model, [],
                                   pending=frozenset())
        self.current = replace(self.current, progress=self.progress_text)
        return self

    def run_background(self) -> None:
        """The first download (if start found nothing on disk), the EXTRAS, then a Hub check; and the timer
        (APP_HUB_CHECK_INTERVAL), when a repo is configured and not pinned."""
        self._spawn(self._boot, "live-boot")
        if self.settings.hub_check_interval and any(s.repo and not s.pinned for s in self.status.values()):
            self._spawn(self._timer, "live-timer")

    def _boot(self) -> None:
        try:
            if self._needs_download:
                self._first_boot()
            else:
                with self._changing:  # a check (timer, reload) must not swap in between
                    self._swap(load_extras(self.current), "the rest of the pieces")
                self.check("boot")
        except Exception:  # a bug must not stop the serving snapshot; the log has it
            log.exception("background loading failed")

    def _timer(self) -> None:
        while not self._stop.wait(self.settings.hub_check_interval):
            try:
                self.check("timer")
            except Exception:  # the next tick tries again; the log has it
                log.exception("the timed Hub check failed")

    def stop(self) -> None:
        self._stop.set()

    def _spawn(self, fn: Any, name: str) -> None:
        thread = threading.Thread(target=fn, daemon=True, name=name)
        self._threads.append(thread)
        thread.start()

    def _on_disk(self) -> tuple[Source, Source] | None:
        """Sources from the verified cached snapshots (or the local directories for a repo not configured),
        or None when a configured repo has none."""
        from serving import hub

        found = {}
        for kind, local in (("dataset", self.processed_dir), ("model", self.artifacts_dir)):
            s = self.status[kind]
            if not s.repo:
                found[kind] = Source("local", str(local))
                continue
            cached = hub.cached(s.repo, kind, s.revision)
            if cached is None:
                return None
            s.serving, s.state = cached[0], "served from the cache"
            found[kind] = Source("hub cache", str(cached[1]), cached[0], repo=s.repo)
        return found["dataset"], found["model"]

    def _first_boot(self) -> None:
        """Nothing on disk: download both repos (progress on the page), else fall back like load_state."""
        from serving import hub

        with self._changing:
            for s in self.status.values():
                if s.repo:
                    s.progress, s.pending, s.state = hub.Progress(), s.revision or "main", "downloading"
            with ThreadPoolExecutor(max_workers=2) as pool:
                futures = {kind: pool.submit(pull_source, self.settings, kind,
                                             self.processed_dir if kind == "dataset" else self.artifacts_dir,
                                             self.status[kind].progress, False) for kind in REPO_KINDS}
                pulled = {kind: f.result() for kind, f in futures.items()}
            notices = [n for _, n in pulled.values() if n]
            new = build_state(self.processed_dir, self.artifacts_dir, self.reports_dir, pulled["dataset"][0],
                              pulled["model"][0], notices)
            new = replace(load_extras(new), progress=self.progress_text)
            for kind, (source, _) in pulled.items():
                s = self.status[kind]
                s.pending, s.progress = None, None
                if s.repo:
                    s.serving = source.revision
                    s.state = {"hub": "downloaded", "hub cache": "served from the cache"}.get(source.kind, source.kind)
                    if source.kind == "hub" and self._verified(new, kind):
                        hub.remember(s.repo, kind, s.revision, source.revision)
            self._swap(new, "the first download")

    # ---- updates --------------------------------------------------------------------------------------
    def check(self, reason: str = "check") -> dict:
        """Ask the Hub for each unpinned repo's latest commit; download, verify and swap in what changed.
        Returns what happened per repo. One check at a time: a second caller waits for the first."""
        from serving import hub

        with self._changing:
            current = self.current
            sources = {"dataset": current.data_source, "model": current.model_source}
            changed: dict[str, str] = {}
            for kind in REPO_KINDS:
                s = self.status[kind]
                if not s.repo or s.pinned:
                    continue
                s.checked_at = time.time()
                try:
                    sha = hub.resolve(s.repo, kind, None, endpoint=self.settings.hub_endpoint,
                                      token=self.settings.hub_token, stall=self.settings.hub_timeout)
                except hub.Unreachable as exc:
                    s.state = f"could not check the Hub ({exc})"
                    continue
                if sha == s.serving or sha == s.refused:
                    s.state = "up to date" if sha == s.serving else f"latest revision {sha[:12]} was refused"
                    continue
                s.pending, s.progress, s.state = sha, hub.Progress(), "downloading"
                log.info("%s: %s %s has a newer revision %s; downloading", reason, kind, s.repo, sha[:12])
                try:
                    path = hub.fetch(s.repo, kind, sha, endpoint=self.settings.hub_endpoint,
                                     token=self.settings.hub_token, stall=self.settings.hub_timeout,
                                     progress=s.progress)
                except hub.Unreachable as exc:
                    s.state, s.pending = f"download of {sha[:12]} abandoned ({exc})", None
                    self._notice(f"The {kind} revision {sha[:12]} could not be downloaded ({exc}); still serving "
                                 f"{(s.serving or 'the current copy')[:12]}.")
                    continue
                s.state = "verifying"
                sources[kind] = Source("hub", str(path), sha, repo=s.repo)
                changed[kind] = sha
            if changed:
                self._replace(current, sources, changed)
            return {kind: s.public() for kind, s in self.status.items() if s.repo}

    def _replace(self, current: AppState, sources: dict[str, Source], changed: dict[str, str]) -> None:
        """Build the snapshot of the new sources, and swap it in if it serves all the current one does."""
        from serving import hub

        try:
            new = build_state(self.processed_dir, self.artifacts_dir, self.reports_dir, sources["dataset"],
                              sources["model"], [])
            new = replace(load_extras(new), progress=self.progress_text)
            missing = current.pieces() - new.pieces()
        except Exception as exc:  # a revision that breaks the loader is refused like a corrupt one
            log.exception("loading the new revision failed")
            new, missing = None, {f"an unexpected error ({type(exc).__name__})"}
        if missing:
            why = "; ".join(public_text(n) for n in (new.notices if new is not None else [])) or ", ".join(missing)
            for kind, sha in changed.items():
                s = self.status[kind]
                s.pending, s.progress, s.refused = None, None, sha
                s.state = f"revision {sha[:12]} refused"
            self._notice(f"A new revision was refused ({', '.join(f'{k} {v[:12]}' for k, v in changed.items())}): "
                         f"{why}. Still serving the current one.")
            return
        self._swap(new, ", ".join(f"{k} {v[:12]}" for k, v in changed.items()))
        for kind, sha in changed.items():
            s = self.status[kind]
            hub.remember(s.repo, kind, s.revision, sha)
            s.serving, s.pending, s.progress, s.state = sha, None, None, "up to date (updated)"

    def _swap(self, new: AppState, what: str) -> None:
        self.current = new  # one reference assignment: requests read the old snapshot or the new one
        log.info("now serving %s (%s)", what, "; ".join(self.hub_lines()) or "local files")
        release_memory()  # the old snapshot, once the requests holding it are done, and the loading's garbage

    def _notice(self, text: str) -> None:
        log.warning("%s", text)
        self.notices = [*self.notices[-(MAX_NOTICES - 1):], text]

    @staticmethod
    def _verified(state: AppState, kind: str) -> bool:
        return state.predictor is not None if kind == "model" else STREAMING.name in state.queries
