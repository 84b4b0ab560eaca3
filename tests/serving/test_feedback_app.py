"""Feedback kept, nothing lost: the real app (`python app.py`) pushing to a dataset repo on the loopback Hub server
while 20 clients send 1,000 events, stopped with SIGTERM mid-stream; every acknowledged event is in the repo.
"""
from __future__ import annotations

import json
import signal
import threading

import httpx
import pytest

from tests.harness.launcher import AppProcess

pytestmark = pytest.mark.slow

CLIENTS, PER_CLIENT = 20, 50
REPO = "me/feedback"


def _event(client: int, i: int) -> dict:
    if i % 2:
        return {"kind": "thumbs", "catalog": "movies", "movie": 862 + i, "vote": "up" if i % 3 else "down",
                "visitor": f"c{client}"}
    return {"kind": "ratings", "catalog": "movies", "visitor": f"c{client}",
            "ratings": [{"movie": 862, "rating": 4.5}, {"movie": 863 + i, "rating": 3}]}


def test_every_acknowledged_event_reaches_the_dataset_repo_across_a_sigterm(hub_server, tmp_path):
    env = {"HF_ENDPOINT": hub_server.url, "HF_TOKEN": hub_server.token, "HF_HOME": str(tmp_path / "hf"),
           "HF_FEEDBACK_REPO": REPO, "APP_FEEDBACK_INTERVAL": "2", "APP_FEEDBACK_DIR": str(tmp_path / "feedback")}
    app = AppProcess(artifacts_dir=tmp_path / "no-artifacts", processed_dir=tmp_path / "no-data", env=env).start()
    acknowledged: list[str] = []
    refused = []
    sent = threading.Semaphore(0)
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=app.url, timeout=10) as http:
            for i in range(PER_CLIENT):
                try:
                    answer = http.post("/feedback", json=_event(n, i))
                except httpx.HTTPError:
                    answer = None
                with lock:
                    if answer is not None and answer.is_success:
                        acknowledged.append(answer.json()["id"])
                    else:
                        refused.append(None if answer is None else answer.status_code)
                sent.release()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    try:
        for t in threads:
            t.start()
        for _ in range(CLIENTS * PER_CLIENT // 2):  # half of the events answered: stop the app mid-stream
            sent.acquire()
        app.process.terminate()  # SIGTERM, as a Space's restart sends
        for t in threads:
            t.join()
        # uvicorn shuts down gracefully (the app's lifespan pushes the feedback), then re-raises the signal
        assert app.process.wait(timeout=30) in (0, -signal.SIGTERM), app.log_tail()
        assert "feedback: pushed to me/feedback" in app.log_tail(), app.log_tail()
    finally:
        app.stop()

    files = hub_server.files("dataset", REPO)
    found = [json.loads(line) for body in files.values() for line in body.decode().splitlines()]
    ids = {e["id"] for e in found}
    print(f"\nfeedback: {CLIENTS * PER_CLIENT} sent by {CLIENTS} clients, {len(acknowledged)} acknowledged (2xx), "
          f"{len(refused)} refused after SIGTERM, {len(found)} events found in the dataset repo "
          f"({len(set(acknowledged) & ids)} of the acknowledged)")
    assert len(acknowledged) + len(refused) == CLIENTS * PER_CLIENT
    assert 0 < len(acknowledged) < CLIENTS * PER_CLIENT and all(r is None or r == 503 for r in refused), refused[:5]
    assert set(acknowledged) <= ids, f"{len(set(acknowledged) - ids)} acknowledged events are not in the repo"
    assert len(ids) == len(found)  # each event once
    assert len(files) == 1 and list(files)[0].startswith("events-")  # this process's own file
    local = (tmp_path / "feedback" / list(files)[0]).read_bytes()
    assert files[list(files)[0]] == local  # the last push holds the whole file
