"""What a public answer (REST, the page, /health) may show of a text: no local paths, no web addresses. The full
text belongs in the log."""
from __future__ import annotations

import re
from typing import Any

# What a public answer must not show: absolute paths (POSIX, Windows, file: URLs) and web addresses.
_URL = re.compile(r"\b(?:https?|file)://[^\s'\"`<>()]+", re.IGNORECASE)
_ABS_PATH = re.compile(r"(?<![\w.:/~-])(?:[a-z]:\\|~?/)(?:[^\s'\"`<>(),;:/\\]+[/\\])+([^\s'\"`<>(),;:/\\]*)",
                       re.IGNORECASE)


def public_text(text: object) -> str:
    """Text safe for a public answer (REST, the page, /health): an absolute path becomes its last part (the
    file's name) and a web address "the Hub". The full text belongs in the log."""
    text = _URL.sub("the Hub", str(text))
    return _ABS_PATH.sub(lambda m: m.group(1) or "a directory", text)


def public_json(value: Any) -> Any:
    """A JSON value with public_text applied to every string in it."""
    if isinstance(value, dict):
        return {key: public_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [public_json(item) for item in value]
    return public_text(value) if isinstance(value, str) else value
