"""Shared fixtures. Real-data fixtures read ../shared/data/raw (or RAW_DIR); under CI=true a missing file fails."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import config

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


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    root = config.raw_dir()
    for platform, (_, file_name, _) in config.PLATFORMS.items():
        require(root / "titles" / file_name)
    require(root / "ratings")
    return root


@pytest.fixture(scope="session")
def processed_dir(raw_dir: Path, tmp_path_factory) -> Path:
    """The real ETL run once per test session into a temporary directory."""
    from etl.pipeline import run

    out = tmp_path_factory.mktemp("processed")
    run(raw_dir, out, quiet=True)
    return out


@pytest.fixture(scope="session")
def titles(processed_dir: Path):
    import pandas as pd

    return pd.read_parquet(processed_dir / config.TITLES_FILE)


# --- catalog queries (tests/test_catalog.py, tests/test_catalog_real.py) ---

SMALL_TITLES_COLUMNS = ["id", "platform", "type", "title", "cast", "country", "release_year", "rating",
                        "duration_int", "duration_type", "listed_in", "score"]
# 13 titles, small enough to compute every answer by hand (see the expectations in tests/test_catalog.py).
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
    from catalog import Catalog

    return Catalog(small_titles)


@pytest.fixture(scope="session")
def real_catalog(processed_dir: Path):
    """The Catalog loaded from the session's real ETL output."""
    from catalog import load_catalog

    return load_catalog(processed_dir)


# --- title search, similar titles, cold start (tests/test_search.py, test_similar.py, test_coldstart.py) ---

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
    from serving.similar import SimilarTitles

    return SimilarTitles(titles, neighbour_arrays, index=title_index)


# ---- the app served on loopback (tests/test_app_api.py, test_app_client.py, test_browser.py) ----------

APP_SAMPLE_USERS = 2000  # enough users for real answers; trains in about a minute with the content neighbours


@pytest.fixture(scope="session")
def app_artifacts(processed_dir: Path, tmp_path_factory) -> Path:
    """Model artifacts trained once per session by the real trainer on a user sample of the real data."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("app") / "artifacts"
    result = subprocess.run([sys.executable, "-m", "model.train", "--processed-dir", str(processed_dir),
                             "--out", str(out), "--sample-users", str(APP_SAMPLE_USERS), "--search-users", "500",
                             "--skip-movielens"], cwd=config.PROJ_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"python -m model.train failed:\n{result.stderr[-3000:]}"
    return out


@pytest.fixture(scope="session")
def served_app(processed_dir: Path, app_artifacts: Path, tmp_path_factory):
    """`python app.py` on 127.0.0.1 (a free port) over the session's data and artifacts; stopped at the end."""
    from tests.harness.launcher import AppProcess

    app = AppProcess(artifacts_dir=app_artifacts, processed_dir=processed_dir,
                     log_path=tmp_path_factory.mktemp("app-log") / "app.log")
    app.start()
    yield app
    app.stop()


@pytest.fixture(scope="session")
def known_user(app_artifacts: Path) -> int:
    """A user the sample model was trained on (the one with the most ratings)."""
    import numpy as np

    ids = np.load(app_artifacts / "user_ids.npy", allow_pickle=False)
    indptr = np.load(app_artifacts / "rated_indptr.npy", allow_pickle=False)
    return int(ids[int(np.argmax(np.diff(indptr)))])


@pytest.fixture()
def hub_server():
    """A Hub-compatible HTTP server on loopback (tests/hub_server.py), recording requests; token 'test-token'."""
    from tests.harness.hub_server import HubServer

    with HubServer(token="test-token") as hub:
        yield hub
