"""A Hugging Face Hub-compatible HTTP server for tests: in memory, on loopback, recording every request.

It implements just what huggingface_hub 2.4 uses (with HF_HUB_DISABLE_XET=1) for
- create_repo:        POST /api/repos/create                              (409 when it exists)
- upload_folder:      POST /api/validate-yaml (README.md), POST /api/{type}s/{repo}/preupload/{rev}
                      (every file "regular": no LFS), POST /api/{type}s/{repo}/commit/{rev} (NDJSON, base64)
- CommitScheduler:    create_repo (exist_ok: the 409 is read as "exists"), then preupload + commit as above
                      (serving.feedback's pushes of the feedback folder)
- snapshot_download:  GET /api/{type}s/{repo}/revision/{rev} (sha + siblings), GET /api/{type}s/{repo}/tree/{rev},
                      HEAD/GET /{prefix}{repo}/resolve/{rev}/{path} (ETag, X-Repo-Commit, Content-Length)
Writes need an `Authorization: Bearer <token>` header equal to the server's token. Every commit stays
readable by its sha (and by tag, see `tag`), as on the Hub; "main" is the latest.

    with HubServer(token="t") as hub:      # hub.url -> "http://127.0.0.1:PORT"
        ...; hub.requests                  # [(method, path, query), ...]; hub.files("model", "me/m") -> {path: bytes}

Faults, for the app's download tests (serving.hub, serving.live):
    hub.rate = 2_000_000                   # file bodies (resolve GETs) at about 2 MB/s, server-wide
    hub.stall_after = 100_000              # every file body stops after this many bytes, until hub.stop()
    hub.commit("model", "me/m", {...})     # a new revision written directly (e.g. corrupt files publish refuses)
"""
from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Repo:
    files: dict[str, bytes] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)
    snapshots: dict[str, dict[str, bytes]] = field(default_factory=dict)  # commit -> its files
    tags: dict[str, str] = field(default_factory=dict)                     # tag -> commit

    @property
    def sha(self) -> str:
        return self.commits[-1] if self.commits else "0" * 40

    def at(self, revision: str) -> tuple[str, dict[str, bytes]] | None:
        """(commit, files) a revision names: "main", a tag or a commit; None when unknown."""
        sha = self.sha if revision == "main" else self.tags.get(revision, revision)
        if sha == self.sha:
            return sha, self.files
        return (sha, self.snapshots[sha]) if sha in self.snapshots else None

    def new_commit(self, repo_id: str) -> str:
        sha = hashlib.sha1(f"{repo_id}{len(self.commits)}{sorted(self.files)}".encode()).hexdigest()
        self.commits.append(sha)
        self.snapshots[sha] = dict(self.files)
        return sha


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that gave up (a stall test) is no news
            super().handle_error(request, client_address)


class HubServer:
    def __init__(self, token: str = "test-token"):
        self.token = token
        self.repos: dict[tuple[str, str], Repo] = {}
        self.requests: list[tuple[str, str, str]] = []
        self.delay = 0.0  # seconds to wait before answering: simulates a slow Hub
        self.rate: float | None = None   # bytes per second of file bodies; None: as fast as possible
        self.stall_after: int | None = None  # bytes of each file body sent before going silent
        self.released = threading.Event()    # set by stop(): stalled answers end
        self.next_send = 0.0                 # when the next throttled chunk may go (server-wide rate)
        self.lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> HubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def files(self, repo_type: str, repo_id: str) -> dict[str, bytes]:
        return dict(self.repos[(repo_type, repo_id)].files)

    def paths_requested(self, method: str | None = None) -> list[str]:
        return [p for m, p, _ in self.requests if method is None or m == method]

    def commit(self, repo_type: str, repo_id: str, files: dict[str, bytes], delete: tuple[str, ...] = ()) -> str:
        """A new commit with `files` added or replaced (and `delete` removed); its sha."""
        with self.lock:
            repo = self.repos.setdefault((repo_type, repo_id), Repo())
            repo.files.update(files)
            for path in delete:
                repo.files.pop(path, None)
            return repo.new_commit(repo_id)

    def tag(self, repo_type: str, repo_id: str, name: str, sha: str | None = None) -> None:
        repo = self.repos[(repo_type, repo_id)]
        repo.tags[name] = sha or repo.sha


def _handler(hub: HubServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        # ---- plumbing --------------------------------------------------------------------------------
        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, payload=None, headers: dict | None = None, body: bytes | None = None,
                  head: bool = False) -> None:
            if body is None:
                body = json.dumps(payload if payload is not None else {}).encode()
                headers = {"Content-Type": "application/json", **(headers or {})}
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            # One request per connection: once stopped, the server is really gone (no kept-alive sockets).
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _send_slowly(self, headers: dict, data: bytes) -> None:
            """A file body at hub.rate bytes/s, going silent after hub.stall_after bytes (until stop())."""
            self.send_response(200)
            for k, v in {**headers, "Content-Length": str(len(data)), "Connection": "close"}.items():
                self.send_header(k, v)
            self.close_connection = True
            self.end_headers()
            chunk = 32_768
            try:
                for start in range(0, len(data), chunk):
                    if hub.stall_after is not None and start >= hub.stall_after:
                        hub.released.wait()
                        return
                    if hub.rate:  # one budget for the whole server, however many downloads share it
                        with hub.lock:
                            slot = max(time.monotonic(), hub.next_send)
                            hub.next_send = slot + min(chunk, len(data) - start) / hub.rate
                        time.sleep(max(0.0, slot - time.monotonic()))
                    self.wfile.write(data[start:start + chunk])
                    self.wfile.flush()
            except OSError:  # the client gave up
                pass

        def _error(self, status: int, message: str, headers: dict | None = None, head: bool = False) -> None:
            self._send(status, {"error": message}, {"X-Error-Message": message, **(headers or {})}, head=head)

        def _authorised(self) -> bool:
            if self.headers.get("authorization") == f"Bearer {hub.token}":
                return True
            self._error(401, "Invalid credentials in Authorization header")
            return False

        def _record(self) -> tuple[str, dict]:
            if hub.delay:
                time.sleep(hub.delay)
            parts = urlsplit(self.path)
            with hub.lock:
                hub.requests.append((self.command, unquote(parts.path), parts.query))
            return unquote(parts.path), parse_qs(parts.query)

        @staticmethod
        def _api_repo(path: str) -> tuple[str, str, str, str] | None:
            """/api/{type}s/{ns}/{name}/{action}/{rest} -> (type, repo_id, action, rest)."""
            bits = path.split("/")
            if len(bits) < 5 or bits[1] != "api" or bits[2] not in ("models", "datasets", "spaces"):
                return None
            repo_type, repo_id = bits[2][:-1], f"{bits[3]}/{bits[4]}"
            return repo_type, repo_id, (bits[5] if len(bits) > 5 else ""), "/".join(bits[6:])

        # ---- methods ---------------------------------------------------------------------------------
        def do_POST(self) -> None:
            path, query = self._record()
            body = self._body()
            if path == "/api/validate-yaml":
                return self._send(200, {"errors": [], "warnings": []})
            if path == "/api/repos/create":
                if not self._authorised():
                    return
                data = json.loads(body)
                repo_type = data.get("type") or "model"
                repo_id = f"{data.get('organization')}/{data['name']}" if data.get("organization") else data["name"]
                url = f"{hub.url}/{PREFIX[repo_type]}{repo_id}"
                with hub.lock:
                    if (repo_type, repo_id) in hub.repos:  # like the Hub: 409, still with the repo's url
                        return self._send(409, {"error": "You already created this repo", "url": url},
                                          {"X-Error-Message": "You already created this repo"})
                    hub.repos[(repo_type, repo_id)] = Repo()
                return self._send(200, {"url": url})
            parsed = self._api_repo(path)
            if parsed is None:
                return self._error(404, f"no route for POST {path}")
            repo_type, repo_id, action, _ = parsed
            if not self._authorised():
                return
            repo = hub.repos.get((repo_type, repo_id))
            if repo is None:
                return self._error(404, "Repository not found", {"X-Error-Code": "RepoNotFound"})
            if action == "preupload":
                files = json.loads(body)["files"]
                return self._send(200, {"files": [
                    {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False,
                     "oid": git_blob_sha1(repo.files[f["path"]]) if f["path"] in repo.files else None}
                    for f in files]})
            if action == "commit":
                lines = [json.loads(line) for line in body.splitlines() if line.strip()]
                with hub.lock:
                    for item in lines:
                        if item["key"] == "file":
                            repo.files[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
                        elif item["key"] == "deletedFile":
                            repo.files.pop(item["value"]["path"], None)
                        elif item["key"] != "header":
                            return self._error(400, f"unsupported commit operation {item['key']}")
                    sha = repo.new_commit(repo_id)
                return self._send(200, {"commitUrl": f"{hub.url}/{PREFIX[repo_type]}{repo_id}/commit/{sha}",
                                        "commitOid": sha, "pullRequestUrl": None})
            return self._error(404, f"no route for POST {path}")

        def do_GET(self) -> None:
            self._read(head=False)

        def do_HEAD(self) -> None:
            self._read(head=True)

        def _read(self, head: bool) -> None:
            path, query = self._record()
            parsed = self._api_repo(path)
            if parsed is not None:
                repo_type, repo_id, action, rest = parsed
                repo = hub.repos.get((repo_type, repo_id))
                if repo is None:
                    return self._error(404, "Repository not found", {"X-Error-Code": "RepoNotFound"}, head)
                found = repo.at(rest.split("/")[0] if action in ("revision", "tree") and rest else "main")
                if found is None:
                    return self._error(404, "Invalid rev id", {"X-Error-Code": "RevisionNotFound"}, head)
                sha, files = found
                if action in ("", "revision"):
                    return self._send(200, {
                        "id": repo_id, "sha": sha, "private": False,
                        "siblings": [{"rfilename": p} for p in sorted(files)]}, head=head)
                if action == "tree":
                    return self._send(200, [
                        {"type": "file", "path": p, "size": len(b), "oid": git_blob_sha1(b)}
                        for p, b in sorted(files.items())], head=head)
                return self._error(404, f"no route for GET {path}", head=head)
            # /{prefix}{ns}/{name}/resolve/{revision}/{path}
            bits = path.lstrip("/").split("/")
            repo_type = "model"
            if bits and bits[0] in ("datasets", "spaces"):
                repo_type, bits = bits[0][:-1], bits[1:]
            if len(bits) >= 5 and bits[2] == "resolve":
                repo = hub.repos.get((repo_type, f"{bits[0]}/{bits[1]}"))
                if repo is None:
                    return self._error(404, "Repository not found", {"X-Error-Code": "RepoNotFound"}, head)
                revision, file_path = bits[3], "/".join(bits[4:])
                found = repo.at(revision)
                if found is None:
                    return self._error(404, "Invalid rev id", {"X-Error-Code": "RevisionNotFound"}, head)
                sha, files = found
                if file_path not in files:
                    return self._error(404, "Entry not found", {"X-Error-Code": "EntryNotFound",
                                                                 "X-Repo-Commit": sha}, head)
                data = files[file_path]
                headers = {"ETag": f'"{git_blob_sha1(data)}"', "X-Repo-Commit": sha,
                           "Content-Type": "application/octet-stream"}
                if head or (hub.rate is None and hub.stall_after is None):
                    return self._send(200, headers=headers, body=data, head=head)
                return self._send_slowly(headers, data)
            return self._error(404, f"no route for {self.command} {path}", head=head)

    return Handler
