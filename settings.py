"""Every environment variable the product reads, declared once: its type, range, default and meaning.

    settings = load_settings()        # validates every variable; SettingError (one line) on a bad value
    settings.hub_timeout              # 5.0, or APP_HUB_TIMEOUT as a number of seconds
    settings.processed_dir            # Path

Entry points (`python app.py`, the CLIs) call `load_settings()` once at start and turn a SettingError into
one line on stderr and exit code 2, so a bad value never becomes a traceback or a start that misbehaves.
The README's table of settings is `markdown_table()` (a test keeps the two equal).
"""
from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from config import ARTIFACTS_DIR, DATA_DIR, DEFAULT_RAW_DIR, PROCESSED_DATA_DIR
from errors import InputError
from inputs.text import echo


class SettingError(InputError):
    """An environment variable holds a value outside what it accepts."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: `parse` turns its text into the value or raises ValueError."""

    env: str
    attr: str
    parse: Callable[[str], Any]
    default: Any
    accepts: str
    meaning: str


# ---- parsers: text -> value, ValueError when outside what they accept ----------------------------------
def _whole(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,9}", text) or not lo <= int(text) <= hi:
            raise ValueError
        return int(text)
    return parse


def _seconds(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,6})?", text):
            raise ValueError
        value = float(text)
        if not (math.isfinite(value) and lo < value <= hi):
            raise ValueError
        return value
    return parse


def _choice(*values: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.lower() not in values:
            raise ValueError
        return text.lower()
    return parse


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("1", "true", "yes", "0", "false", "no"):
        raise ValueError
    return lowered in ("1", "true", "yes")


def _path(text: str) -> Path:
    return Path(text).expanduser()


_REPO_PART = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"


def _repo_id(text: str) -> str:
    # The Hub's rule (huggingface_hub's validate_repo_id): "name" or "owner/name", each part 1-96 ASCII letters,
    # digits, - _ . beginning and ending with a letter, digit or _; no "--" or "..", no ".git" at the end.
    if (not re.fullmatch(rf"(?:{_REPO_PART}/)?{_REPO_PART}", text) or "--" in text or ".." in text
            or text.endswith(".git")):
        raise ValueError
    return text


def _url(text: str) -> str:
    if not re.fullmatch(r"https?://[^\s/]+(?:/\S*)?", text):
        raise ValueError
    return text.rstrip("/")


def _text(text: str) -> str:
    return text


def _revision(text: str) -> str:
    # A branch, tag or commit as git allows them, kept to what is safe in a URL path and a cache folder name.
    if (not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]{0,127}", text) or ".." in text or "//" in text
            or text.endswith(("/", ".", ".lock"))):
        raise ValueError
    return text


def _interval(text: str) -> float:
    """0 (off) or seconds from 10 to 86400."""
    value = _seconds(-1, 86400)(text)
    if value != 0 and value < 10:
        raise ValueError
    return value


def _secret(text: str) -> str:
    if not re.fullmatch(r"[!-~]{16,256}", text):  # printable ASCII, no spaces
        raise ValueError
    return text


def _host(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]{1,253}", text):
        raise ValueError
    return text


def _storage_key(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", text):
        raise ValueError
    return text


SECRET_ENV = ("HF_TOKEN", "APP_ADMIN_SECRET", "APP_BROWSER_SECRET")  # never repeated in a message
REPO_ID_ACCEPTS = "a Hugging Face repo id such as owner/name (ASCII letters, digits, - _ .)"

DECLARATIONS: tuple[Setting, ...] = (
    Setting("RAW_DIR", "raw_dir", _path, DEFAULT_RAW_DIR, "a directory path",
            "where the raw inputs are read (never copied into the project); default ../shared/data/raw"),
    Setting("PROCESSED_DIR", "processed_dir", _path, PROCESSED_DATA_DIR, "a directory path",
            "the clean tables the ETL writes and the app reads; default data/processed"),
    Setting("ARTIFACTS_DIR", "artifacts_dir", _path, ARTIFACTS_DIR, "a directory path",
            "the model artifacts training writes and the app reads; default artifacts"),
    Setting("REPORTS_DIR", "reports_dir", _path, None, "a directory path",
            "the EDA reports the app shows; default reports (or the copy published beside the Hub catalog)"),
    Setting("HF_MODEL_REPO", "model_repo", _repo_id, None, REPO_ID_ACCEPTS,
            "the model repo the app pulls and `python -m model.publish` pushes to; unset: local artifacts"),
    Setting("HF_DATASET_REPO", "dataset_repo", _repo_id, None, REPO_ID_ACCEPTS,
            "the dataset repo of the clean catalog (and EDA); unset: local data"),
    Setting("HF_ENDPOINT", "hub_endpoint", _url, None, "an http(s) URL",
            "the Hub's address (a mirror or a test server); unset: huggingface.co"),
    Setting("HF_TOKEN", "hub_token", _text, None, "a token", "the Hub token for private repos and publishing"),
    Setting("HF_MODEL_REVISION", "model_revision", _revision, None, "a commit, tag or branch",
            "the model repo's revision to serve; set: pinned (no background update), e.g. to roll back; unset: main"),
    Setting("HF_DATASET_REVISION", "dataset_revision", _revision, None, "a commit, tag or branch",
            "the dataset repo's revision to serve; set: pinned (no background update); unset: main"),
    Setting("APP_HUB_TIMEOUT", "hub_timeout", _seconds(0, 3600), 5.0, "seconds, more than 0 and up to 3600",
            "how long the Hub may send nothing (no answer, no byte of a download) before it counts as "
            "unreachable; a download that keeps sending is waited for however long it takes"),
    Setting("APP_HUB_CHECK_INTERVAL", "hub_check_interval", _interval, 0.0, "0 (off) or seconds from 10 to 86400",
            "how often the app checks the Hub for a newer revision of the repos it does not pin"),
    Setting("APP_ADMIN_SECRET", "admin_secret", _secret, None, "16 to 256 printable ASCII characters, no spaces",
            "the bearer secret of `POST /admin/reload`; unset: the route does not exist"),
    Setting("HF_PUBLISH_TIMEOUT", "publish_timeout", _seconds(0, 3600), 60.0,
            "seconds, more than 0 and up to 3600", "how long `python -m model.publish` waits for the Hub to answer"),
    Setting("APP_CONCURRENCY_LIMIT", "concurrency_limit", _whole(1, 256), 16, "a whole number from 1 to 256",
            "how many UI events run at once"),
    Setting("GRADIO_SERVER_NAME", "server_name", _host, "0.0.0.0", "a host name or IP address",
            "the address the app listens on"),
    Setting("GRADIO_SERVER_PORT", "server_port", _whole(1, 65535), 7860, "a whole number from 1 to 65535",
            "the port the app listens on"),
    Setting("APP_LOG_LEVEL", "log_level", _choice("debug", "info", "warning", "error", "critical"), "warning",
            "debug, info, warning, error or critical", "the web server's log level"),
    Setting("APP_HEADER_TIMEOUT", "header_timeout", _seconds(0, 300), 10.0, "seconds, more than 0 and up to 300",
            "how long `python app.py` waits for a request's headers before closing the connection"),
    Setting("APP_SHARE", "share", _flag, False, "true or false (1/0, yes/no)",
            "also serve the app on a public Gradio share link (`python app.py --share` does the same)"),
    Setting("APP_REMOTE_IMAGES", "remote_images", _flag, True, "true or false (1/0, yes/no)",
            "film posters from TMDB's image server (image.tmdb.org) in the Movie picks answers; false: no remote "
            "image address anywhere (the answers' `poster` is null and the page shows the local placeholder)"),
    Setting("APP_BROWSER_KEY", "browser_key", _storage_key, "movie-picks-profile",
            "1 to 64 ASCII letters, digits, - _ .", "the browser storage key under which Movie picks keeps a "
            "visitor's ratings, not-interested films and sharing choice (in their own browser)"),
    Setting("APP_BROWSER_SECRET", "browser_secret", _secret, None, "16 to 256 printable ASCII characters, no spaces",
            "the key the visitor's stored profile is encrypted with; set it (a Space secret) so profiles survive "
            "restarts; unset: a new random key at each start (profiles last until the app restarts)"),
    Setting("APP_FEEDBACK_DIR", "feedback_dir", _path, DATA_DIR / "feedback", "a directory path",
            "where visitors' feedback is appended as JSON lines, one file per app process; default data/feedback"),
    Setting("HF_FEEDBACK_REPO", "feedback_repo", _repo_id, None, REPO_ID_ACCEPTS,
            "the dataset repo the feedback folder is pushed to (with HF_TOKEN); unset: it stays in the local folder"),
    Setting("APP_FEEDBACK_INTERVAL", "feedback_interval", _seconds(0, 86400), 300.0,
            "seconds, more than 0 and up to 86400",
            "how often the feedback folder is pushed to HF_FEEDBACK_REPO (and once more when the app stops)"),
    Setting("APP_MCP", "mcp", _flag, False, "true or false (1/0, yes/no)",
            "also serve the app's questions as MCP tools at /gradio_api/mcp/ (Gradio's MCP server)"),
    Setting("JAVA_HOME", "java_home", _path, None, "a directory path",
            "the Java runtime the Spark engine starts (`--engine spark`); unset: `java` on PATH"),
)


@dataclass(frozen=True)
class Settings:
    """The validated values; the attribute names are DECLARATIONS' `attr`."""

    raw_dir: Path
    processed_dir: Path
    artifacts_dir: Path
    reports_dir: Path | None
    model_repo: str | None
    dataset_repo: str | None
    hub_endpoint: str | None
    hub_token: str | None
    model_revision: str | None
    dataset_revision: str | None
    hub_timeout: float
    hub_check_interval: float
    admin_secret: str | None
    publish_timeout: float
    concurrency_limit: int
    server_name: str
    server_port: int
    log_level: str
    header_timeout: float
    share: bool
    remote_images: bool
    browser_key: str
    browser_secret: str | None
    feedback_dir: Path
    feedback_repo: str | None
    feedback_interval: float
    mcp: bool
    java_home: Path | None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Every declared variable, validated; an unset or empty variable takes its default."""
    environ = os.environ if environ is None else environ
    values = {}
    for setting in DECLARATIONS:
        text = environ.get(setting.env, "").strip()
        if not text:
            values[setting.attr] = setting.default
            continue
        try:
            values[setting.attr] = setting.parse(text)
        except ValueError:
            shown = "a value" if setting.env in SECRET_ENV else echo(text)
            raise SettingError(f"{setting.env} must be {setting.accepts}; got {shown}.") from None
    return Settings(**values)


def raw_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """The raw-data directory: the CLI option wins, then RAW_DIR, then ../shared/data/raw."""
    return Path(cli_value) if cli_value else load_settings().raw_dir


def markdown_table() -> str:
    """The README's table of environment variables, from the declarations."""
    def default(value: Any) -> str:
        if value is None:
            return "unset"
        if isinstance(value, Path):
            return "see meaning"
        return f"`{value}`"

    rows = ["| variable | accepts | default | meaning |", "|---|---|---|---|"]
    rows += [f"| `{s.env}` | {s.accepts} | {default(s.default)} | {s.meaning} |" for s in DECLARATIONS]
    return "\n".join(rows)

