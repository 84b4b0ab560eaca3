"""The project's layout holds: the app imports nothing from the offline side, no module edits sys.path, every
module says what it is.

Serving side (what `python app.py` imports): app.py, serving/, catalog/, inputs/.
Offline side (ETL, EDA, training, evaluation, publishing): etl/, model/. Shared by both: config.py,
settings.py, errors.py. The offline side may import the serving side (the trainer exports through
serving.artifacts), never the other way round, so a Space runs without the training stack (scikit-surprise,
pyspark).
"""
from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import config
from tests.harness import early

ROOT = config.PROJ_ROOT
SERVING_SIDE = ["app.py", "serving", "catalog", "inputs"]
SHARED = ["config.py", "settings.py", "errors.py"]
OFFLINE_PACKAGES = ("etl", "model", "surprise", "pyspark", "py4j", "tests")
DOCUMENTED = [*SERVING_SIDE, *SHARED, "etl", "model", "bench", "tests/harness"]
NOT_PROJECT_DIRS = {".venv", "venv", ".git", "data", "artifacts", "reports", "build", "dist", "node_modules",
                    "__pycache__"}


def python_files(*roots: str) -> list[Path]:
    """The .py files of the given project files and folders (folders that do not exist yet give nothing)."""
    found = []
    for name in roots:
        path = ROOT / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [p for p in sorted(path.rglob("*.py")) if not NOT_PROJECT_DIRS & set(p.relative_to(ROOT).parts)]
    return found


def project_files() -> list[Path]:
    """Every .py file of the project (not the virtualenv, data or build output)."""
    return [p for p in sorted(ROOT.rglob("*.py"))
            if not any(part in NOT_PROJECT_DIRS or part.startswith(".") for part in p.relative_to(ROOT).parts[:-1])]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


# Runs in a fresh interpreter: import the app and build it over empty folders (no data needed), touch the
# routes that load lazily, then list the offline modules that got imported.
IMPORT_GRAPH_PROBE = """
import json, sys
from pathlib import Path

import app
from fastapi.testclient import TestClient
from serving.state.loading import load_state
from settings import load_settings

tmp = Path(sys.argv[1])
settings = load_settings({})  # defaults: no Hub repo, whatever the environment says
state = load_state(processed_dir=tmp / "processed", artifacts_dir=tmp / "artifacts", reports_dir=tmp / "reports",
                   settings=settings)
client = TestClient(app.create_app(state, settings=settings))
for url in ("/health", "/openapi.json", "/top_n?user_id=1", "/count_platform/netflix", "/"):
    client.get(url)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in %r)))
"""


@early.starter("import_graph_probe")
def _start_import_graph_probe() -> early.EarlyProcess:
    """The probe in a fresh interpreter, started when collection ends (it takes a few seconds: gradio)."""
    workdir = Path(tempfile.mkdtemp(prefix="import-graph-"))
    return early.EarlyProcess([sys.executable, "-c", IMPORT_GRAPH_PROBE % (OFFLINE_PACKAGES,), str(workdir)], workdir)


@pytest.fixture()
def import_graph_probe() -> subprocess.CompletedProcess:
    result = early.take("import_graph_probe").wait(timeout=120)
    shutil.rmtree(result.args[-1], ignore_errors=True)
    return result


def test_app_imports_nothing_from_the_offline_side(import_graph_probe):
    result = import_graph_probe
    assert result.returncode == 0, result.stderr[-3000:]
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    assert imported == [], f"the app imported offline modules: {imported}"


def _imported_packages(path: Path) -> set[str]:
    """Top-level packages a module imports anywhere (module level or inside functions)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", python_files(*SERVING_SIDE, *SHARED), ids=rel)
def test_serving_side_source_never_imports_the_offline_side(path):
    """The static twin of the test above: also catches imports on code paths the probe does not run."""
    offline = _imported_packages(path) & set(OFFLINE_PACKAGES)
    assert not offline, f"{rel(path)} imports {sorted(offline)}"


def _sys_path_edits(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        target = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value  # sys.path.insert(...), sys.path.append(...), ...
        elif isinstance(node, ast.AugAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AugAssign) else node.targets
            target = next((t for t in targets if isinstance(t, ast.Attribute | ast.Subscript)), None)
            target = target.value if isinstance(target, ast.Subscript) else target
        if isinstance(target, ast.Attribute) and target.attr == "path" and isinstance(target.value, ast.Name) \
                and target.value.id == "sys":
            found.append(node.lineno)
    return [f"{rel(path)}:{line}" for line in sorted(found)]


def test_no_sys_path_edits():
    """The project is installed (pip install -e .); nothing reaches other modules by editing sys.path."""
    files = project_files()
    assert len(files) > 30 and not any(".venv" in p.parts for p in files)
    edits = [edit for path in files for edit in _sys_path_edits(path)]
    assert edits == [], f"sys.path edited at {edits}"


def test_the_sys_path_check_finds_edits(tmp_path):
    module = tmp_path / "edits.py"
    module.write_text("import sys\nsys.path.insert(0, 'x')\nsys.path.append('y')\nsys.path += ['z']\n"
                      "sys.path[0:0] = ['w']\nprint(sys.path)\n", encoding="utf-8")
    assert [edit.rsplit(":", 1)[1] for edit in _sys_path_edits(module)] == ["2", "3", "4", "5"]


@pytest.mark.parametrize("path", python_files(*DOCUMENTED), ids=rel)
def test_every_module_has_a_docstring(path):
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    assert docstring and docstring.strip(), f"{rel(path)} has no module docstring saying what it is"
