"""settings.py: every environment variable declared once, validated at start, refused in one line naming the
variable, the value and what it accepts; `python app.py` and the CLIs turn a bad value into that line and exit
code 2; the README's table is the declarations'; nothing else reads the environment."""
from __future__ import annotations

import ast
import dataclasses
import importlib
import math
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import config
from errors import InputError
from inputs.text import ECHO_LIMIT, echo
from settings import DECLARATIONS, SECRET_ENV, SettingError, Settings, load_settings, markdown_table

ROOT = config.PROJ_ROOT
DECLARED = {s.env: s for s in DECLARATIONS}

# Values each variable must refuse (at least two per variable that can be wrong at all).
BAD_VALUES = {
    "HF_MODEL_REPO": ["a b", "owner/name/extra", "café/x", "foo--bar", "a..b", "me/svd.git", "-me/svd", "x" * 97],
    "HF_DATASET_REPO": ["me catalog", "/catalog", "me/"],
    "HF_ENDPOINT": ["ftp://x", "huggingface.co", "http://", "http://a b"],
    "APP_HUB_TIMEOUT": ["-1", "0", "nan", "inf", "x", "1e3", "3601", "５"],
    "HF_PUBLISH_TIMEOUT": ["x", "-5", "nan", "0.0"],
    "HF_MODEL_REVISION": ["a b", "a..b", "/main", "v1/", "x" * 129, "ref.lock"],
    "HF_DATASET_REVISION": ["-x", "é", "a//b"],
    "APP_HUB_CHECK_INTERVAL": ["-1", "5", "9.9", "86401", "nan", "x"],
    "APP_ADMIN_SECRET": ["short", "has a space in it here", "é" * 20, "x" * 257],
    "APP_CONCURRENCY_LIMIT": ["abc", "0", "４２", "257", "1.5", "-3", "+4"],
    "GRADIO_SERVER_NAME": ["my host", "http://x", "a/b"],
    "GRADIO_SERVER_PORT": ["70000", "0", "port", "80.5"],
    "APP_LOG_LEVEL": ["loud", "verbose", "0"],
    "APP_HEADER_TIMEOUT": ["0", "-2", "301", "nan", "x", "１0"],
    "APP_SHARE": ["maybe", "2", "on"],
    "HF_FEEDBACK_REPO": ["me feedback", "me/feedback/x", "a--b"],
    "APP_FEEDBACK_INTERVAL": ["0", "-1", "86401", "nan", "x"],
    "APP_REMOTE_IMAGES": ["off", "2", "tmdb"],
    "APP_BROWSER_KEY": ["a key", "x" * 65, "clé"],
    "APP_BROWSER_SECRET": ["short", "has a space in it here", "x" * 257],
    "APP_MCP": ["enabled", "y", "-1"],
}
# Variables that take any text (paths, the token) cannot be wrong.
ANY_TEXT = {"RAW_DIR", "PROCESSED_DIR", "ARTIFACTS_DIR", "REPORTS_DIR", "HF_TOKEN", "JAVA_HOME", "APP_FEEDBACK_DIR"}

GOOD_VALUES = {
    "RAW_DIR": ("/data/raw", Path("/data/raw")),
    "PROCESSED_DIR": ("~/processed", Path("~/processed").expanduser()),
    "ARTIFACTS_DIR": ("artifacts-v2", Path("artifacts-v2")),
    "REPORTS_DIR": ("/srv/reports", Path("/srv/reports")),
    "HF_MODEL_REPO": ("me/streaming-svd", "me/streaming-svd"),
    "HF_DATASET_REPO": ("Org_1/streaming.catalog", "Org_1/streaming.catalog"),
    "HF_ENDPOINT": ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    "HF_TOKEN": ("hf_abc", "hf_abc"),
    "APP_HUB_TIMEOUT": ("2.5", 2.5),
    "HF_PUBLISH_TIMEOUT": ("3600", 3600.0),
    "HF_MODEL_REVISION": ("v1.2", "v1.2"),
    "HF_DATASET_REVISION": ("3f2a1c0d9e8b3f2a1c0d9e8b3f2a1c0d9e8b3f2a", "3f2a1c0d9e8b3f2a1c0d9e8b3f2a1c0d9e8b3f2a"),
    "APP_HUB_CHECK_INTERVAL": ("0", 0.0),
    "APP_ADMIN_SECRET": ("s3cret-s3cret-s3cret", "s3cret-s3cret-s3cret"),
    "APP_CONCURRENCY_LIMIT": (" 42 ", 42),
    "GRADIO_SERVER_NAME": ("127.0.0.1", "127.0.0.1"),
    "GRADIO_SERVER_PORT": ("65535", 65535),
    "APP_LOG_LEVEL": ("INFO", "info"),
    "APP_HEADER_TIMEOUT": ("2.5", 2.5),
    "APP_SHARE": ("YES", True),
    "APP_REMOTE_IMAGES": ("false", False),
    "APP_BROWSER_KEY": ("my-space.profile", "my-space.profile"),
    "APP_BROWSER_SECRET": ("browser-s3cret-123", "browser-s3cret-123"),
    "APP_MCP": ("true", True),
    "JAVA_HOME": ("/usr/lib/jvm/java-17-openjdk-amd64", Path("/usr/lib/jvm/java-17-openjdk-amd64")),
    "APP_FEEDBACK_DIR": ("/data/feedback", Path("/data/feedback")),
    "HF_FEEDBACK_REPO": ("me/streaming-feedback", "me/streaming-feedback"),
    "APP_FEEDBACK_INTERVAL": ("2", 2.0),
}


def test_every_variable_is_declared_once_and_is_a_settings_field():
    assert len(DECLARED) == len(DECLARATIONS)
    assert len({s.attr for s in DECLARATIONS}) == len(DECLARATIONS)
    assert [s.attr for s in DECLARATIONS] == [f.name for f in dataclasses.fields(Settings)]
    assert set(BAD_VALUES) | ANY_TEXT == set(DECLARED) == set(GOOD_VALUES)


def test_defaults_load_from_an_empty_environment():
    loaded = load_settings({})
    assert loaded == Settings(**{s.attr: s.default for s in DECLARATIONS})
    assert loaded.hub_timeout == 5.0 and loaded.concurrency_limit == 16 and loaded.server_port == 7860
    assert loaded.processed_dir == config.PROCESSED_DATA_DIR and loaded.model_repo is None


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_empty_variable_takes_its_default(blank):
    assert load_settings({name: blank for name in DECLARED}) == load_settings({})


@pytest.mark.parametrize("env", sorted(GOOD_VALUES))
def test_good_values_load(env):
    text, value = GOOD_VALUES[env]
    assert getattr(load_settings({env: text}), DECLARED[env].attr) == value


@pytest.mark.parametrize("env, value", [(env, value) for env, values in BAD_VALUES.items() for value in values])
def test_bad_value_is_refused_in_one_line_naming_variable_value_and_what_is_accepted(env, value):
    with pytest.raises(SettingError) as caught:
        load_settings({env: value})
    message = str(caught.value)
    shown = echo(value.strip())
    if env in SECRET_ENV:  # a secret is never repeated, even a wrong one
        shown = "a value"
    assert isinstance(caught.value, InputError)
    assert message == f"{env} must be {DECLARED[env].accepts}; got {shown}."
    assert "\n" not in message


def test_a_long_or_multi_line_value_is_cut_and_stays_on_one_line():
    value = "loud\n" + "x" * 500
    message = str(pytest.raises(SettingError, load_settings, {"APP_LOG_LEVEL": value}).value)
    assert "\n" not in message and len(message) < 200
    assert repr(value[:ECHO_LIMIT]) + "… (505 characters)" in message


def test_the_first_bad_variable_is_named_even_among_good_ones():
    env = {name: text for name, (text, _) in GOOD_VALUES.items()} | {"GRADIO_SERVER_PORT": "70000"}
    with pytest.raises(SettingError, match=r"^GRADIO_SERVER_PORT must be a whole number from 1 to 65535; got '70000'"):
        load_settings(env)


def test_the_process_environment_is_read_by_default(monkeypatch):
    monkeypatch.setenv("APP_HUB_TIMEOUT", "1.25")
    assert load_settings().hub_timeout == 1.25
    monkeypatch.setenv("APP_HUB_TIMEOUT", "nan")
    with pytest.raises(SettingError, match="APP_HUB_TIMEOUT"):
        load_settings()


def test_timeouts_are_finite_and_positive():
    for env in ("APP_HUB_TIMEOUT", "HF_PUBLISH_TIMEOUT"):
        for text in ("0.5", "1", "60", "3600"):
            value = getattr(load_settings({env: text}), DECLARED[env].attr)
            assert math.isfinite(value) and value > 0


# ---- the README's table ---------------------------------------------------------------------------------

def test_the_readme_table_is_the_declarations():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Settings (environment variables)", 1)
    assert len(section) == 2, "README.md lacks the section '## Settings (environment variables)'"
    body = section[1].split("\n## ", 1)[0]
    assert markdown_table() in body, "README's settings table differs from settings.markdown_table(); paste it in"
    assert markdown_table().count("\n") == len(DECLARATIONS) + 1


# ---- nothing else reads the environment --------------------------------------------------------------

# The app switches off third-party telemetry before importing gradio / huggingface_hub; not product settings.
ALLOWED_SETDEFAULT = {"GRADIO_ANALYTICS_ENABLED", "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_XET"}
SKIPPED_DIRS = {".venv", "venv", ".git", "data", "artifacts", "reports", "build", "dist", "tests", "bench",
                "__pycache__", "node_modules"}


def _environment_reads(path: Path) -> list[str]:
    """Lines of a module that read the environment: os.environ in any form, os.getenv, `from os import environ`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    allowed = set()
    for node in ast.walk(tree):  # os.environ.setdefault("<telemetry switch>", ...)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault"
                and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in ALLOWED_SETDEFAULT):
            allowed.add(id(node.func.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "environb", "getenv", "getenvb") \
                and isinstance(node.value, ast.Name) and node.value.id == "os" and id(node) not in allowed:
            found.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and {a.name for a in node.names} & {"environ", "environb", "getenv", "getenvb"}:
            found.append(node.lineno)
    return [f"{path.relative_to(ROOT).as_posix()}:{line}" for line in sorted(found)]


def test_no_module_but_settings_reads_the_environment():
    files = [p for p in sorted(ROOT.rglob("*.py")) if p != ROOT / "settings.py"
             and not any(part in SKIPPED_DIRS or part.startswith(".") for part in p.relative_to(ROOT).parts[:-1])]
    assert ROOT / "app.py" in files and len(files) > 20
    reads = [line for path in files for line in _environment_reads(path)]
    assert reads == [], f"declare these variables in settings.py and read them through load_settings(): {reads}"


def test_the_environment_check_finds_reads(tmp_path, monkeypatch):
    module = tmp_path / "reads.py"
    module.write_text('import os\nfrom os import getenv\nos.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "0")\n'
                      'a = os.environ.get("APP_LOG_LEVEL")\nb = os.getenv("HF_TOKEN")\nc = os.environ["RAW_DIR"]\n'
                      'os.environ.setdefault("APP_HUB_TIMEOUT", "1")\n', encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert _environment_reads(module) == [f"reads.py:{n}" for n in (2, 4, 5, 6, 7)]


# ---- entry points: one line and exit 2 ---------------------------------------------------------------
#
# Fast tier: each entry point's main() called in this process with the bad value in the environment.
# Full tier (slow): the same as real processes (`python app.py`, `python -m ...`), all started at once.

def _clean_env(**values: str) -> dict[str, str]:
    """The current environment without any declared variable, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in DECLARED}
    return env | {"GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": "1"} | values  # never serve for real


def _main_of(name: str):
    if name == "app.py":
        import app

        return lambda args: app.main()
    module = importlib.import_module(name)
    return module.main


ENTRY_POINTS = {
    # name: (command after the interpreter, environment, words the one line must contain)
    "app-concurrency": (["app.py"], {"APP_CONCURRENCY_LIMIT": "abc"},
                        ["APP_CONCURRENCY_LIMIT", "'abc'", DECLARED["APP_CONCURRENCY_LIMIT"].accepts]),
    "app-timeout": (["app.py"], {"APP_HUB_TIMEOUT": "nan"},
                    ["APP_HUB_TIMEOUT", "'nan'", DECLARED["APP_HUB_TIMEOUT"].accepts]),
    "publish": (["-m", "model.publish"], {"HF_PUBLISH_TIMEOUT": "x"},
                ["HF_PUBLISH_TIMEOUT", "'x'", DECLARED["HF_PUBLISH_TIMEOUT"].accepts]),
    "etl-setting": (["-m", "etl", "--out", "{tmp}/out"], {"APP_LOG_LEVEL": "loud"}, ["APP_LOG_LEVEL", "'loud'"]),
    "etl-raw-dir": (["-m", "etl", "--raw-dir", "{tmp}/missing", "--out", "{tmp}/out"], {"RAW_DIR": "{tmp}"},
                    ["{tmp}/missing", "raw-data directory not found"]),
    "train": (["-m", "model.train", "--processed-dir", "{tmp}/missing", "--out", "{tmp}/art", "--skip-movielens"],
              {"HF_DATASET_REPO": "a b"}, ["HF_DATASET_REPO", "'a b'"]),
}
MAIN_MODULES = {"app.py": "app.py", "model.publish": "model.publish", "etl": "etl.__main__"}  # whose main()
EXPECTED_FAILURES: dict[str, str] = {}
# A bad setting is refused before anything loads (app.py still imports gradio first: about 4 s of CPU). Measured in
# CPU seconds of the process, which do not grow when the machine is busy as wall time does.
CPU_LIMIT = 15.0
WALL_LIMIT = 120.0


def _check_one_line(name: str, returncode: int, stderr: str, stdout: str, tmp: str) -> None:
    lines = stderr.strip().splitlines()
    assert returncode == 2, stderr[-2000:]
    assert len(lines) == 1 and "Traceback" not in stderr + stdout, stderr[-2000:]
    for words in ENTRY_POINTS[name][2]:
        assert words.format(tmp=tmp) in lines[0]


def _cases(*marks):
    return [pytest.param(name, marks=[*marks, pytest.mark.xfail(reason=EXPECTED_FAILURES[name], strict=False)])
            if name in EXPECTED_FAILURES else pytest.param(name, marks=list(marks)) for name in ENTRY_POINTS]


@pytest.mark.parametrize("name", [case for case in _cases() if case.values[0] != "train"])  # train: slow only
def test_entry_point_main_refuses_bad_input_in_one_line_with_exit_2(name, monkeypatch, capsys, tmp_path):
    args, env, _ = ENTRY_POINTS[name]
    for key, value in _clean_env(**{k: v.format(tmp=tmp_path) for k, v in env.items()}).items():
        monkeypatch.setenv(key, value)
    for key in set(DECLARED) - set(env) - {"GRADIO_SERVER_NAME", "GRADIO_SERVER_PORT"}:
        monkeypatch.delenv(key, raising=False)
    command = args[1] if args[0] == "-m" else args[0]
    argv = [a.format(tmp=tmp_path) for a in (args[2:] if args[0] == "-m" else args[1:])]
    returncode = _main_of(MAIN_MODULES[command])(argv)
    captured = capsys.readouterr()
    _check_one_line(name, returncode, captured.err, captured.out, str(tmp_path))


@pytest.fixture(scope="module")
def entry_point_runs(tmp_path_factory) -> dict[str, dict]:
    """Every entry point of ENTRY_POINTS started at once as a real process (they are independent), then waited for."""
    tmp = tmp_path_factory.mktemp("entry-points")
    started = {}
    for name, (args, env, _) in ENTRY_POINTS.items():
        env = _clean_env(**{k: v.format(tmp=tmp) for k, v in env.items()})
        with open(tmp / f"{name}.out", "w") as out, open(tmp / f"{name}.err", "w") as err:
            started[name] = subprocess.Popen([sys.executable, *(a.format(tmp=tmp) for a in args)], cwd=ROOT, env=env,
                                             stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    deadline = threading.Timer(WALL_LIMIT, lambda: [p.kill() for p in started.values() if p.returncode is None])
    deadline.start()
    runs = {}
    try:
        for name, process in started.items():
            _, status, usage = os.wait4(process.pid, 0)  # the child's own CPU time, whatever else runs
            process.returncode = os.waitstatus_to_exitcode(status)
            runs[name] = {"returncode": process.returncode, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                          "stdout": (tmp / f"{name}.out").read_text(), "stderr": (tmp / f"{name}.err").read_text(),
                          "tmp": str(tmp)}
    finally:
        deadline.cancel()
    return runs


@pytest.mark.parametrize("name", _cases(pytest.mark.slow))
def test_entry_point_process_refuses_bad_input_in_one_line_with_exit_2_within_seconds(entry_point_runs, name):
    run = entry_point_runs[name]
    _check_one_line(name, run["returncode"], run["stderr"], run["stdout"], run["tmp"])
    assert run["cpu_seconds"] < CPU_LIMIT
