"""A Hugging Face Space, simulated: a fresh clone, a fresh venv with requirements.txt only, no data/ and no
artifacts/, the Hub variables set, `python app.py`. It must come up serving the Hub's model and both catalogs.

This is how we know requirements.txt is complete (nothing from requirements-dev.txt, nothing from the
project's own venv). The clone is of the committed HEAD: what a Space would be pushed. pip keeps its wheels in
SPACE_PIP_CACHE (default ~/.cache/space-test-pip) so reruns are quicker; pip needs the package registry.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import config
from tests.harness.hub_server import HubServer
from tests.harness.launcher import AppProcess
from tests.serving.test_hub_life import DATA, MODEL, _publish, _settled, _wait_health

pytestmark = pytest.mark.slow

PIP_CACHE = Path(os.environ.get("SPACE_PIP_CACHE", Path.home() / ".cache" / "space-test-pip"))


def _run(args: list[str], cwd: Path | None = None, timeout: float = 1200) -> None:
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def space(tmp_path_factory) -> tuple[Path, Path]:
    """(checkout, its venv's python): a clone of HEAD and a venv holding requirements.txt and nothing else."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to clone the project")
    root = tmp_path_factory.mktemp("space")
    checkout = root / "repo"
    _run(["git", "clone", "--quiet", "--depth", "1", f"file://{config.PROJ_ROOT}", str(checkout)])
    assert not (checkout / "data" / "processed").exists() and not (checkout / "artifacts").exists()
    base = getattr(sys, "_base_executable", sys.executable)  # the interpreter, not this venv's
    _run([base, "-m", "venv", str(root / "venv")])
    python = root / "venv" / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--cache-dir",
          str(PIP_CACHE), "-r", str(checkout / "requirements.txt")])
    return checkout, python


def test_a_fresh_space_serves_the_hubs_model_and_catalogs(space, app_artifacts, movies_processed, known_user,
                                                         tmp_path):
    checkout, python = space
    with HubServer(token="test-token") as hub:
        _publish(hub, app_artifacts, movies_processed, tmp_path)
        env = {"HF_ENDPOINT": hub.url, "HF_MODEL_REPO": MODEL, "HF_DATASET_REPO": DATA,
               "HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": "", "PYTHONNOUSERSITE": "1"}
        app = AppProcess(env=env, python=python, root=checkout, log_path=tmp_path / "space.log")
        app.start(timeout=300)  # a first boot: installs nothing, downloads both repos
        try:
            health = _wait_health(app, lambda h: h["status"] == "ok" and _settled(h))
            recommend = httpx.get(app.url + "/recommend", params={"user_id": known_user, "title_id": "ds1378"})
            movies = httpx.get(app.url + "/movies/peliculas_duracion", params={"pelicula": "toy story"})
            page = httpx.get(app.url + "/")
        finally:
            app.stop()
        log = app.log_path.read_text()
    assert recommend.status_code == 200 and recommend.json()["title"] == "toy story", recommend.text
    assert movies.status_code == 200 and movies.json()["items"], movies.text
    assert page.status_code == 200 and "Streaming recommender" in page.text
    for part, repo in (("model", MODEL), ("data", DATA)):
        assert health[part]["kind"] == "hub" and health[part]["repo"] == repo
    assert health["catalogs"]["movies"]["loaded"] and health["catalogs"]["streaming"]["loaded"]
    # The app ran from the clone with the fresh venv's packages, not from this checkout or its venv.
    assert str(config.PROJ_ROOT / ".venv") not in log and "Traceback" not in log, log[-3000:]
