"""Safe parsing of the nested Python literals of the raw files ("[{'id': 16, 'name': 'Animation'}]").

No eval: `ast.literal_eval` (which builds only literals), after a size limit, with every error it can raise turned
into LiteralError, and the shape checked (a dict, or a list of dicts, each with a text 'name'). Identical texts
are parsed once (the same few country and genre lists repeat thousands of times).

Fast path (`values`): most literals hold no double quote and no backslash, so every string in them is
single-quoted without escapes; for those, one regular expression checks the whole shape (a list of flat dicts of
strings, numbers, None, True, False) and another reads the wanted key's values, both in C. Any other text takes
the `ast.literal_eval` path; the two give the same answer (tests/etl/test_movies_etl.py checks it).
"""
from __future__ import annotations

import ast
import re
from functools import lru_cache

MAX_CHARS = 20_000          # metadata literals are at most a few hundred characters
MAX_CHARS_CREDITS = 2_000_000  # a crew list of credits.csv can run to a few hundred kilobytes


# Possessive quantifiers and atomic groups (Python 3.11+): the shape either matches or fails, no backtracking.
_STR = r"'[^'\n]*+'"
_VALUE = rf"(?>{_STR}|-?\d++(?:\.\d++)?+(?:e-?\d++)?+|None|True|False)"
_PAIR = rf"{_STR}: {_VALUE}"
_DICT = rf"\{{(?:{_PAIR}(?:, {_PAIR})*+)?+\}}"
FLAT_LIST_RE = re.compile(rf"\[(?:{_DICT}(?:, {_DICT})*+)?+\]")
FLAT_DICT_RE = re.compile(_DICT)


class LiteralError(ValueError):
    """A text that is not the expected literal: the message says why (short, for the quarantine file)."""


@lru_cache(maxsize=65_536)
def _parse(text: str, max_chars: int) -> object:
    if len(text) > max_chars:
        raise LiteralError(f"literal longer than {max_chars:,} characters")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
        raise LiteralError(f"not a Python literal ({type(exc).__name__})") from None


def parse_records(text: str | None, keys: tuple[str, ...] = ("name",), max_chars: int = MAX_CHARS) -> list[dict]:
    """A list of dicts (each with the `keys`, text values); None or empty text is an empty list."""
    if text is None or not text.strip():
        return []
    value = _parse(text.strip(), max_chars)
    if not isinstance(value, list):
        raise LiteralError(f"expected a list, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, dict) or any(not isinstance(item.get(k), str) for k in keys):
            raise LiteralError(f"expected a list of dicts with text {', '.join(repr(k) for k in keys)}")
    return value


def parse_record(text: str | None, keys: tuple[str, ...] = ("name",)) -> dict | None:
    """One dict (with the `keys`, text values), or None for a missing value."""
    if text is None or not text.strip():
        return None
    value = _parse(text.strip(), MAX_CHARS)
    if not isinstance(value, dict) or any(not isinstance(value.get(k), str) for k in keys):
        raise LiteralError(f"expected a dict with text {', '.join(repr(k) for k in keys)}")
    return value


@lru_cache(maxsize=65_536)
def _fast_values(text: str, key: str, as_list: bool) -> list[str] | None:
    """The `key` values of a flat literal without double quotes or backslashes; None when the fast path does not
    apply (the caller then parses with ast.literal_eval)."""
    if '"' in text or "\\" in text or len(text) > MAX_CHARS:
        return None
    if not (FLAT_LIST_RE if as_list else FLAT_DICT_RE).fullmatch(text):
        return None
    found = re.findall(rf"(?:\{{|, )'{re.escape(key)}': '([^']*)'", text)
    if len(found) != text.count("{"):  # a dict without the key (or with it twice): the slow path says which
        return None
    return found


def adjacent_pairs(text: str, first: str, second: str, second_is_number: bool = False) -> list[tuple] | None:
    """Fast path for big flat lists (the cast and crew of credits.csv): (first, second) of every dict whose `first`
    key is directly followed by `second` (the order TMDB writes them in), or None when the fast path does not
    apply (a double quote or backslash in the text, another shape, or a dict without that pair)."""
    if '"' in text or "\\" in text or len(text) > MAX_CHARS_CREDITS or not FLAT_LIST_RE.fullmatch(text):
        return None
    value = r"(-?\d+)" if second_is_number else r"'([^']*)'"
    found = re.findall(rf"(?:\{{|, )'{re.escape(first)}': '([^']*)', '{re.escape(second)}': {value}", text)
    return found if len(found) == text.count("{") else None


def names(text: str | None, key: str = "name") -> list[str]:
    """The `key` values of a list literal, in order, stripped, empty ones left out."""
    if text is None or not text.strip():
        return []
    fast = _fast_values(text.strip(), key, True)
    items = fast if fast is not None else [item[key] for item in parse_records(text, (key,))]
    return [v.strip() for v in items if v.strip()]


def record_name(text: str | None, key: str = "name") -> str | None:
    """The `key` value of a dict literal (stripped), or None for a missing value or an empty name."""
    if text is None or not text.strip():
        return None
    fast = _fast_values(text.strip(), key, False)
    value = fast[0] if fast is not None else parse_record(text, (key,))[key]
    return value.strip() or None
