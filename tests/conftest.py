"""Shared fixtures. Real-data fixtures read ../shared/data/raw (or RAW_DIR); under CI=true a missing file fails."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

import config
import settings
from catalog import MOVIES, STREAMING
from tests.harness import early

STREAMING_NAME, MOVIES_NAME = STREAMING.name, MOVIES.name  # each catalog's model is in <artifacts>/<name>/

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_XET", "1")


def require(path: Path) -> Path:
    """The path if it exists; otherwise fail under CI=true and skip on a developer machine without the data."""
    if not path.exists():
        message = f"real data missing: {path} (set RAW_DIR or put ../shared beside the project)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def rated_titles(predictor, user: int) -> list:
    """Ids of the titles a known user rated in the model's training data, read from its arrays."""
    u = predictor.user_index(user)
    return predictor.item_ids[predictor.rated_items[predictor.rated_indptr[u]:predictor.rated_indptr[u + 1]]].tolist()


def real_raw_dir() -> Path:
    """RAW_DIR with every real file the fixtures read (skip, or fail under CI=true, when one is missing)."""
    root = settings.raw_dir()
    for _, file_name, _ in config.PLATFORMS.values():
        require(root / "titles" / file_name)
    require(root / "ratings")
    return root


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The full real raw data. Every test that uses it, directly or through another fixture, is slow."""
    return real_raw_dir()


# One fixture per catalog, of one shape: a processed-data root (what --processed-dir and PROCESSED_DIR take)
# holding that catalog's folder, <root>/<name>/ (the Movies one also the streaming folder it links to).

@pytest.fixture(scope="session")
def streaming_processed(raw_dir: Path, tmp_path_factory) -> Path:
    """The real streaming ETL, run once per test session into <root>/streaming/; returns the root."""
    from catalog import STREAMING
    from etl.streaming.pipeline import run

    root = tmp_path_factory.mktemp("processed")
    run(raw_dir, root / STREAMING.name, quiet=True)
    return root


@pytest.fixture(scope="session")
def movies_processed(raw_dir: Path, streaming_processed: Path, tmp_path_factory) -> Path:
    """A root holding streaming_processed's streaming folder (linked, not copied) and the real Movies ETL's folder
    (etl.movies.pipeline.run), which links where_to_watch.parquet to the streaming titles. What the served app
    reads."""
    from catalog import MOVIES, STREAMING
    from etl.movies.pipeline import run

    require(raw_dir / "tmdb")
    root = tmp_path_factory.mktemp("processed-both")
    (root / STREAMING.name).symlink_to(streaming_processed / STREAMING.name)
    run(raw_dir, root / MOVIES.name, quiet=True)
    return root


@pytest.fixture(scope="session")
def titles(streaming_processed: Path):
    import pandas as pd

    from catalog import STREAMING

    return pd.read_parquet(streaming_processed / STREAMING.name / config.TITLES_FILE)


@pytest.fixture(scope="session")
def eda_reports(movies_processed: Path, tmp_path_factory) -> Path:
    """`python -m etl.eda` (every catalog) on the session's real processed data; returns the reports root."""
    from tests.harness.eda_checks import run_eda

    out = tmp_path_factory.mktemp("reports")
    result = run_eda("--processed-dir", str(movies_processed), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


# ---- the fast tier (`make test-fast`, pytest -m "not slow"): a small cut of the real data -------------
#
# small_raw_dir is cut from the real files at test time (nothing real is stored in the repository):
# the first rows of each title CSV and the ratings of a few users on those titles. The ETL, the trainer
# and the app then run on it for real, in seconds; the tiny model's training starts when collection ends
# (tests/harness/early.py) so that it runs beside the first tests. Every fixture above that reaches the full
# data goes through raw_dir; pytest_collection_modifyitems marks any test using it slow, even if its file forgot.

SMALL_TITLES_PER_PLATFORM = 100
SMALL_USERS = {"1": 100, "7": 40}  # ratings file stem -> users kept (those with most ratings of the small titles)
SMALL_STRAY_RATINGS = 5            # per file: ratings of titles outside the cut, which the ETL must quarantine
                                   # (within the ETL's allowance: more would look like a cut-off catalog)
TINY_TRAIN_ARGS = ("--catalog", STREAMING_NAME, "--sample-users", "1000", "--search-users", "60", "--skip-movielens")


def kinds(item) -> set[str]:
    """What a test needs beyond the fast tier's small cut, by what it uses: the full real data (raw_dir), a
    Spark session, a browser, the loopback Hub server."""
    used = set(getattr(item, "fixturenames", ()))
    module = getattr(item, "module", None)
    needs = set()
    if "raw_dir" in used:
        needs.add("realdata")
    if "spark" in item.nodeid.split("::")[0]:
        needs.add("spark")
    if "browser" in used:
        needs.add("browser")
    if "hub_server" in used or hasattr(module, "HubServer"):
        needs.add("hub")
    return needs


def pytest_collection_modifyitems(items):
    """The markers a developer chooses by (`pytest -m hub`, `-m "not spark"`), set from what each test uses. The real
    data, Spark and the browser also make a test slow, which the fast tier (`make test-fast`, -m "not slow") leaves
    out; the loopback Hub server is quick, so a hub test is slow only when it says so."""
    for item in items:
        needs = kinds(item)
        for name in needs:
            item.add_marker(getattr(pytest.mark, name))
        if needs - {"hub"} and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def _head_csv(source: Path, target: Path, rows: int) -> list[str]:
    """The header and first `rows` records of a titles CSV, quoted fields and all; returns their show_ids."""
    import csv

    with open(source, newline="", encoding="utf-8") as src, open(target, "w", newline="", encoding="utf-8") as out:
        reader, writer = csv.reader(src), csv.writer(out)
        header = next(reader)
        writer.writerow(header)
        show_ids = []
        for record in reader:
            if len(show_ids) == rows:
                break
            writer.writerow(record)
            show_ids.append(record[header.index("show_id")])
    return show_ids


def _cut_ratings(frame, ids: set[str], n_users: int | None = None, users: list[int] | None = None):
    """The rows of the `n_users` users with most ratings of `ids` (or of `users`), plus a few stray rows."""
    from config import COL_ITEM, COL_USER

    ours = frame[COL_ITEM].isin(ids)
    if users is None:
        counts = frame.loc[ours, COL_USER].value_counts()
        users = [u for u, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n_users]]
    mine = frame[COL_USER].isin(users).to_numpy()
    stray = (mine & ~ours.to_numpy()).nonzero()[0][:SMALL_STRAY_RATINGS]
    keep = mine & ours.to_numpy()
    keep[stray] = True
    return frame[keep], users


_SMALL: dict[str, Path] = {}  # "root", "raw", "processed": built once per session (_small_data)


def _small_data() -> dict[str, Path]:
    """The small raw tree and its ETL output, built once per session in a temporary folder.

    raw/titles/: the first SMALL_TITLES_PER_PLATFORM records of each real CSV. raw/ratings/: from 1.parquet and
    the 7.parquet / 7_with_timestamp.parquet pair (so the timestamped twin still replaces its plain copy), the
    ratings of the users who rated most of those titles, plus SMALL_STRAY_RATINGS of other titles per file.
    processed/streaming/: the real ETL (etl.streaming.pipeline.run) on raw/, about a second.
    """
    if "processed" in _SMALL:
        return _SMALL
    import tempfile

    import pandas as pd

    from catalog import STREAMING
    from etl.streaming.pipeline import run

    real = real_raw_dir()
    root = _SMALL.setdefault("root", Path(tempfile.mkdtemp(prefix="fast-tier-")))
    raw = root / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    (raw / "titles").mkdir(parents=True)
    (raw / "ratings").mkdir()
    ids = set()
    for prefix, file_name, _ in config.PLATFORMS.values():
        show_ids = _head_csv(real / "titles" / file_name, raw / "titles" / file_name, SMALL_TITLES_PER_PLATFORM)
        ids |= {f"{prefix}{show_id.strip().lower()}" for show_id in show_ids}  # the ETL's title ids
    for stem, n_users in SMALL_USERS.items():
        twin = real / "ratings" / f"{stem}_with_timestamp.parquet"
        first = twin if twin.is_file() else require(real / "ratings" / f"{stem}.parquet")
        cut, users = _cut_ratings(pd.read_parquet(first), ids, n_users)
        cut.to_parquet(raw / "ratings" / first.name, index=False)
        if first is twin and (real / "ratings" / f"{stem}.parquet").is_file():
            plain, _ = _cut_ratings(pd.read_parquet(real / "ratings" / f"{stem}.parquet"), ids, users=users)
            plain.to_parquet(raw / "ratings" / f"{stem}.parquet", index=False)
    run(raw, root / "processed" / STREAMING.name, quiet=True)
    _SMALL.update(raw=raw, processed=root / "processed")
    return _SMALL


@early.starter("tiny_artifacts")
def _start_tiny_training() -> early.EarlyProcess:
    """The real trainer CLI (`python -m model.train`) on the small processed data: a few seconds."""
    small = _small_data()
    env = {k: v for k, v in os.environ.items() if k not in ("HF_MODEL_REPO", "HF_DATASET_REPO")}
    shutil.rmtree(small["root"] / "tiny", ignore_errors=True)
    return early.EarlyProcess([sys.executable, "-m", "model.train", "--processed-dir", str(small["processed"]),
                               "--out", str(small["root"] / "tiny" / "artifacts"), *TINY_TRAIN_ARGS],
                              small["root"] / "tiny", env=env)


def pytest_collection_finish(session):
    """Start the subprocesses that selected tests wait for (tests/harness/early.py) while the first tests run."""
    if not session.config.option.collectonly:
        needed = {name for item in session.items for name in getattr(item, "fixturenames", ())}
        # Any error is left for the fixture, which reports it inside a test (not as an INTERNALERROR).
        early.start_needed(needed, skip_errors=(Exception, pytest.skip.Exception, pytest.fail.Exception))


def pytest_sessionfinish(session):
    early.stop_all()
    if "root" in _SMALL:
        shutil.rmtree(_SMALL.pop("root"), ignore_errors=True)
    _SMALL.clear()


@pytest.fixture(scope="session")
def small_raw_dir() -> Path:
    """A raw-data tree cut from the real one at test time: 100 titles per platform, about 4,000 ratings."""
    return _small_data()["raw"]


@pytest.fixture(scope="session")
def small_processed(small_raw_dir: Path) -> Path:
    """The real streaming ETL's output on small_raw_dir: a root holding streaming/ (the shape of
    streaming_processed)."""
    return _small_data()["processed"]


@pytest.fixture(scope="session")
def tiny_artifacts(small_processed: Path) -> Path:
    """Model artifacts from the real trainer CLI on small_processed (started when collection ended)."""
    result = early.take("tiny_artifacts").wait(timeout=300)
    assert result.returncode == 0, f"python -m model.train failed:\n{result.stderr[-3000:]}"
    return Path(result.args[result.args.index("--out") + 1])


@pytest.fixture(scope="session")
def tiny_state(small_processed: Path, tiny_artifacts: Path, tmp_path_factory):
    """serving.state.loading.load_state on the small data and tiny model, with no Hub repo configured."""
    from serving.state.loading import load_state
    from settings import load_settings

    return load_state(processed_dir=small_processed, artifacts_dir=tiny_artifacts,
                      reports_dir=tmp_path_factory.mktemp("tiny-reports"), settings=load_settings({}))


# --- catalog queries (tests/catalog/test_catalog.py, tests/catalog/test_catalog_real.py) ---

SMALL_TITLES_COLUMNS = ["id", "platform", "type", "title", "cast", "country", "release_year", "rating",
                        "duration_int", "duration_type", "listed_in", "score"]
# 13 titles, small enough to compute every answer by hand (see the expectations in tests/catalog/test_catalog.py).
SMALL_TITLES_ROWS = [
    ("ns1", "netflix", "movie", "alpha", "ann lee, bob ray", "india", 2020, "tv-ma", 120, "min", "dramas, comedies",
     4.0),
    ("ns2", "netflix", "movie", "beta love", "bob ray, cara sun", "india, united states", 2020, "tv-ma", 150, "min",
     "comedies", 3.0),
    ("ns3", "netflix", "tv show", "gamma", "cara sun, ann lee", "united states", 2020, "tv-14", 3, "season",
     "tv comedies", 4.5),
    ("ns4", "netflix", "movie", "delta", None, "japan", 2019, "pg", 150, "min", "dramas", 4.5),
    ("ns5", "netflix", "movie", "lovely day", "dan fox", None, 2020, "pg", None, None, "documentaries", 4.5),
    ("ns6", "netflix", "movie", "spider-man: far", "ann lee", "united states", 1990, "pg-13", 100, "min",
     "action & adventure", 2.5),
    ("as1", "amazon", "movie", "epsilon", "ann lee", "india", 2020, "18+", 200, "min", "comedy, drama", 3.5),
    ("as2", "amazon", "movie", "zeta love story", "ann lee, zed", "united kingdom", 2021, "18+", 90, "min", "comedy",
     2.0),
    ("as3", "amazon", "tv show", "eta", "zed", "india", 2020, "tv-ma", 10, "season", "drama", 3.9),
    ("hs1", "hulu", "movie", "theta", None, "united states", 2020, "r", 95, "min", "horror", 4.8),
    ("hs2", "hulu", "tv show", "iota", None, None, 2019, "tv-ma", 2, "season", "comedy, horror", 3.2),
    ("ds1", "disney", "movie", "kappa", "bob ray", "united states", 2020, "g", 80, "min", "animation, family", 4.1),
    ("ds2", "disney", "movie", "lambda", "zed, bob ray", "united states", 2020, "g", 80, "min", "family", 4.1),
]


@pytest.fixture
def small_titles():
    """A hand-checkable titles table with the processed-data contract's columns and dtypes."""
    import pandas as pd

    df = pd.DataFrame(SMALL_TITLES_ROWS, columns=SMALL_TITLES_COLUMNS)
    df["duration_int"] = df["duration_int"].astype("Int64")
    return df


@pytest.fixture
def small_catalog(small_titles):
    from catalog.streaming.queries import StreamingCatalog

    return StreamingCatalog(small_titles)


@pytest.fixture(scope="session")
def real_catalog(streaming_processed: Path):
    """The StreamingCatalog loaded from the session's real ETL output."""
    from catalog import STREAMING
    from catalog.streaming.queries import load_streaming_catalog

    return load_streaming_catalog(streaming_processed / STREAMING.name)


# --- title search, similar titles, cold start (tests/catalog/test_search.py, test_similar.py, test_coldstart.py) ---

@pytest.fixture(scope="session")
def title_index(titles):
    """TitleIndex over the real processed catalog."""
    from catalog.search import TitleIndex

    return TitleIndex(titles)


@pytest.fixture(scope="session")
def neighbour_arrays(titles):
    """model.content.build_neighbours on the full real catalog (about half a minute)."""
    from model.content import build_neighbours

    return build_neighbours(titles)


@pytest.fixture(scope="session")
def similar_titles(titles, neighbour_arrays, title_index):
    """SimilarTitles serving the full real catalog's neighbours."""
    from catalog.streaming.similar import SimilarTitles

    return SimilarTitles(titles, neighbour_arrays, index=title_index)


# ---- the app served on loopback (tests/serving/test_app_api.py, test_app_client.py, test_browser.py) ----------

APP_SAMPLE_USERS = 2000  # enough users for real answers; trains in about a minute with the content neighbours


@pytest.fixture(scope="session")
def app_artifacts(streaming_processed: Path, tmp_path_factory) -> Path:
    """Model artifacts trained once per session by the real trainer on a user sample of the real data."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("app") / "artifacts"
    result = subprocess.run([sys.executable, "-m", "model.train", "--catalog", STREAMING_NAME, "--processed-dir",
                             str(streaming_processed), "--out", str(out), "--sample-users", str(APP_SAMPLE_USERS),
                             "--search-users", "500",
                             "--skip-movielens"], cwd=config.PROJ_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"python -m model.train failed:\n{result.stderr[-3000:]}"
    return out


@pytest.fixture(scope="session")
def movies_training(movies_processed: Path, raw_dir: Path, tmp_path_factory):
    """`python -m model.train --catalog movies` once per session on the real data: (its model folder, the run)."""
    import os
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("movies-train") / "artifacts"
    result = subprocess.run([sys.executable, "-m", "model.train", "--catalog", MOVIES_NAME, "--processed-dir",
                             str(movies_processed), "--out", str(out), "--raw-dir", str(raw_dir), "--quiet"],
                            cwd=config.PROJ_ROOT, capture_output=True, text=True,
                            env={**os.environ, "HF_HUB_DISABLE_TELEMETRY": "1"})
    assert result.returncode == 0, f"python -m model.train --catalog movies failed:\n{result.stderr[-3000:]}"
    return out / MOVIES_NAME, result


@pytest.fixture(scope="session")
def app_artifacts_with_movies(app_artifacts: Path, movies_training) -> Path:
    """app_artifacts with the Movies model beside the streaming one (a copy: the Hub upload does not follow
    links), as `make model` leaves artifacts/."""
    import shutil

    if not (app_artifacts / MOVIES_NAME).exists():
        shutil.copytree(movies_training[0], app_artifacts / MOVIES_NAME)
    return app_artifacts


@pytest.fixture(scope="session")
def served_app(movies_processed: Path, app_artifacts_with_movies: Path, tmp_path_factory):
    """`python app.py` on 127.0.0.1 (a free port) over the session's data (both catalogs) and artifacts; stopped
    at the end. Its feedback goes to `app.feedback_dir` (a temporary folder); visitors' profiles are encrypted with
    a fixed APP_BROWSER_SECRET, as on a Space that sets it."""
    from tests.harness.launcher import AppProcess

    feedback_dir = tmp_path_factory.mktemp("feedback")
    app = AppProcess(artifacts_dir=app_artifacts_with_movies, processed_dir=movies_processed,
                     log_path=tmp_path_factory.mktemp("app-log") / "app.log",
                     env={"APP_FEEDBACK_DIR": str(feedback_dir), "APP_BROWSER_SECRET": "test-browser-secret-0123"})
    app.feedback_dir = feedback_dir
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="session")
def known_user(app_artifacts: Path) -> int:
    """A user the sample model was trained on (the one with the most ratings)."""
    import numpy as np

    ids = np.load(app_artifacts / STREAMING_NAME / "user_ids.npy", allow_pickle=False)
    indptr = np.load(app_artifacts / STREAMING_NAME / "rated_indptr.npy", allow_pickle=False)
    return int(ids[int(np.argmax(np.diff(indptr)))])


@pytest.fixture()
def hub_server():
    """A Hub-compatible HTTP server on loopback (tests/hub_server.py), recording requests; token 'test-token'."""
    from tests.harness.hub_server import HubServer

    with HubServer(token="test-token") as hub:
        yield hub
