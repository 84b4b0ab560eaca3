"""Visitors' feedback kept (serving.feedback): validated events appended as JSON lines, one file per process,
pushed to a Hub dataset repo (the loopback Hub server) when one is set, kept locally when the Hub is gone;
POST /feedback; and model.feedback reading the ratings events back as extra training users.
"""
from __future__ import annotations

import json
import socket
import threading
import time

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from errors import InputError
from serving.api import create_api
from serving.feedback import FeedbackLog, validate
from serving.state.loading import load_state

THUMBS = {"catalog": "movies", "movie": 862, "vote": "up", "visitor": "a1b2c3"}
RATINGS = {"catalog": "movies", "ratings": [{"movie": 862, "rating": 5}, {"movie": 863, "rating": 3.5}],
           "visitor": "a1b2c3"}


def _lines(folder) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_events_are_appended_as_json_lines_with_an_id_and_a_time(tmp_path):
    log = FeedbackLog(tmp_path / "fb")
    assert not (tmp_path / "fb").exists()  # nothing written before the first event
    log.record("thumbs", THUMBS)
    log.record("ratings", {**RATINGS, "ratings": [{"movie": "862", "rating": "4,5"}]})
    first, second = _lines(tmp_path / "fb")
    assert {k: first[k] for k in THUMBS} == THUMBS and first["kind"] == "thumbs"
    assert second["ratings"] == [{"movie": 862, "rating": 4.5}] and second["kind"] == "ratings"
    assert len(first["id"]) == 32 and first["id"] != second["id"] and first["time"].endswith("+00:00")
    log.close()


def test_each_process_writes_its_own_file_and_threads_lose_nothing(tmp_path):
    logs = [FeedbackLog(tmp_path), FeedbackLog(tmp_path)]  # two processes overlapping across a restart

    def send(i: int) -> None:
        for j in range(100):
            logs[i % 2].record("thumbs", {**THUMBS, "visitor": f"v{i}-{j}"})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(list(tmp_path.glob("*.jsonl"))) == 2
    events = _lines(tmp_path)  # every line whole JSON
    assert len(events) == 800 and len({e["id"] for e in events}) == 800
    assert {e["visitor"] for e in events} == {f"v{i}-{j}" for i in range(8) for j in range(100)}


@pytest.mark.parametrize(("kind", "payload", "words"), [
    ("likes", THUMBS, "kind must be one of thumbs, ratings; got 'likes'"),
    ("thumbs", [862], "a thumbs event must be an object with catalog, movie, visitor, vote"),
    ("thumbs", {**THUMBS, "vote": "meh"}, "vote must be up or down; got 'meh'"),
    ("thumbs", {**THUMBS, "movie": -3}, "movie must be a TMDB id, a positive whole number such as 862; got -3"),
    ("thumbs", {**THUMBS, "catalog": "netflix"}, "catalog must be one of movies; got 'netflix'"),
    ("thumbs", {k: v for k, v in THUMBS.items() if k != "vote"}, "missing vote"),
    ("thumbs", {**THUMBS, "extra": 1}, "unknown extra"),
    ("thumbs", {**THUMBS, "visitor": "a b"}, "visitor must be an anonymous id of 1-64 letters, digits, - or _"),
    ("ratings", {**RATINGS, "ratings": []}, "ratings must be a list of 1 to 500"),
    ("ratings", {**RATINGS, "ratings": [[862, 5]]}, "ratings[0] must be {\"movie\": <TMDB id>, \"rating\": 0.5-5.0}"),
    ("ratings", {**RATINGS, "ratings": [{"movie": 862, "rating": 9}]},
     "ratings[0].rating must be a number from 0.5 to 5.0, e.g. 4.5; got 9"),
])
def test_bad_events_say_what_is_accepted(kind, payload, words, tmp_path):
    with pytest.raises(InputError) as info:
        FeedbackLog(tmp_path).record(kind, payload)
    assert words in str(info.value)
    assert not list(tmp_path.glob("*.jsonl"))  # nothing kept


def test_validate_keeps_only_the_declared_fields():
    assert validate("ratings", RATINGS) == {"catalog": "movies", "visitor": "a1b2c3",
                                            "ratings": [{"movie": 862, "rating": 5.0}, {"movie": 863, "rating": 3.5}]}


def test_post_feedback_keeps_the_event_and_answers_4xx_json_for_bad_input(tmp_path, monkeypatch):
    monkeypatch.delenv("HF_MODEL_REPO", raising=False)
    monkeypatch.delenv("HF_DATASET_REPO", raising=False)
    log = FeedbackLog(tmp_path / "fb")
    client = TestClient(create_api(load_state(tmp_path / "no-data", tmp_path / "no-artifacts"), feedback=log))
    answer = client.post("/feedback", json={"kind": "thumbs", **THUMBS})
    assert answer.status_code == 200 and answer.json()["kept"] is True
    assert [e["id"] for e in _lines(tmp_path / "fb")] == [answer.json()["id"]]
    bad = client.post("/feedback", json={"kind": "thumbs", **THUMBS, "vote": "sideways"})
    assert bad.status_code == 400 and bad.json() == {"error": "invalid input",
                                                     "detail": "vote must be up or down; got 'sideways'."}
    for body in ({**THUMBS}, [1, 2], "text"):
        response = client.post("/feedback", json=body)
        assert response.status_code == 422 and response.json()["error"] == "invalid input"
    assert client.get("/feedback").status_code == 405
    assert len(_lines(tmp_path / "fb")) == 1


def test_the_folder_is_pushed_to_the_dataset_repo(hub_server, tmp_path):
    log = FeedbackLog(tmp_path, repo="me/feedback", every=3600, token=hub_server.token, endpoint=hub_server.url,
                      timeout=5)
    sent = [log.append("thumbs", {**THUMBS, "visitor": f"v{i}"})["id"] for i in range(20)]
    assert log.close() is True  # the last push, at shutdown
    pushed = hub_server.files("dataset", "me/feedback")
    assert list(pushed) == [log.path.name]
    assert [json.loads(line)["id"] for line in pushed[log.path.name].decode().splitlines()] == sent


def test_a_hub_that_is_gone_never_blocks_and_the_events_stay_local(tmp_path):
    log = FeedbackLog(tmp_path, repo="me/feedback", every=60, token="t",
                      endpoint=f"http://127.0.0.1:{_closed_port()}", timeout=2)
    start = time.perf_counter()
    log.record("thumbs", THUMBS)
    assert time.perf_counter() - start < 0.5
    assert log.close(timeout=2) is False
    assert time.perf_counter() - start < 3
    assert len(_lines(tmp_path)) == 1


def test_feedback_ratings_become_extra_users_that_cannot_collide(tmp_path):
    from model.feedback import feedback_ratings

    log = FeedbackLog(tmp_path)
    log.record("ratings", RATINGS)
    log.record("ratings", {**RATINGS, "ratings": [{"movie": 862, "rating": 4}, {"movie": 550, "rating": 2}]})
    log.record("ratings", {**RATINGS, "visitor": "zz", "ratings": [{"movie": 680, "rating": 5}]})
    log.record("thumbs", THUMBS)  # not a rating
    (tmp_path / "notes.txt").write_text("not events")
    base = pd.DataFrame({"userId": [1, 671], "movieId": [862, 550], "rating": [4.0, 3.0]})
    extra, counts = feedback_ratings(tmp_path, base)
    assert counts == {"users": 2, "ratings": 4, "events": 3}
    assert list(extra.columns) == ["userId", "movieId", "rating"]
    assert extra["userId"].min() > 671 and extra["userId"].nunique() == 2
    first = extra[extra["userId"] == extra["userId"].min()].set_index("movieId")["rating"].to_dict()
    assert first == {862: 4.0, 863: 3.5, 550: 2.0}  # a visitor's later rating of a film replaces the earlier one


def test_training_reads_the_repo_copy_and_the_local_folder_once_each(hub_server, tmp_path, monkeypatch):
    import huggingface_hub.constants

    from model.feedback import feedback_folders, read_events
    from settings import load_settings

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf"))
    log = FeedbackLog(tmp_path / "fb")
    log.record("ratings", RATINGS)
    hub_server.commit("dataset", "me/feedback", {log.path.name: log.path.read_bytes()})  # pushed
    log.record("ratings", {**RATINGS, "visitor": "later"})  # not pushed yet
    settings = load_settings({"HF_ENDPOINT": hub_server.url, "HF_TOKEN": hub_server.token,
                              "HF_FEEDBACK_REPO": "me/feedback", "APP_FEEDBACK_DIR": str(tmp_path / "fb")})
    folders = feedback_folders(settings)
    assert len(folders) == 2 and folders[0] == tmp_path / "fb"
    events, unreadable = read_events(folders)
    assert [e["visitor"] for e in events] == ["a1b2c3", "later"] and unreadable == 0

    gone = load_settings({"HF_ENDPOINT": f"http://127.0.0.1:{_closed_port()}", "HF_FEEDBACK_REPO": "me/other",
                          "APP_HUB_TIMEOUT": "2"})
    with pytest.raises(InputError, match="the feedback dataset me/other could not be read"):
        feedback_folders(gone)


@pytest.mark.parametrize("argv", [["--catalog", "streaming", "--with-feedback"],
                                  ["--catalog", "movies", "--engine", "spark", "--with-feedback"]])
def test_with_feedback_outside_a_surprise_movies_run_is_one_line_and_exit_2(argv, capsys, tmp_path):
    from model.train import main

    assert main([*argv, "--processed-dir", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --with-feedback") and "\n" not in err


def test_the_model_card_says_how_much_feedback_was_added():
    from model.movies.card import feedback_lines as _feedback_lines

    assert _feedback_lines(None) == []  # trained without --with-feedback
    line, = _feedback_lines({"users": 2, "ratings": 6, "events": 3, "unreadable_lines": 0,
                             "ratings_of_unknown_films": 1})
    assert "6 opt-in ratings of 2 visitors (from 3 events)" in line and "1 ratings of films outside" in line
