"""Parsing of user inputs for the catalog queries: one function per kind of value.

Every door (Gradio UI, REST API, Python callers) sends values in its own shape: a year may arrive as
2020, 2020.0 or "2020"; a score as 3.5 or "3.5". These functions turn them into one canonical value or
raise InputError with a message saying what was wrong and what is accepted.
"""
from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable

from config import RATING_MAX, RATING_MIN
from errors import InputError

# Spellings accepted for each duration unit (the catalog stores "min" or "season").
DURATION_TYPES = {
    "min": ("min", "mins", "minute", "minutes", "m"),
    "season": ("season", "seasons", "s"),
}
# Spellings accepted for each content type (the catalog stores "movie" or "tv show").
CONTENT_TYPES = {
    "movie": ("movie", "movies", "film", "films"),
    "tv show": ("tv show", "tv shows", "tv", "show", "shows", "series", "tv series", "tvshow"),
}
# A catalog title id: platform initial (amazon, disney, hulu, netflix) + show_id, e.g. "ns123".
TITLE_ID_PATTERN = re.compile(r"^[adhn]s\d+$")
# What a UI sends for "no filter" on an optional parameter.
BLANKS = ("", "any", "all", "none")


def normalise_text(value: object) -> str:
    """Lower case, single spaces, no surrounding blanks: the catalog's own text form."""
    return " ".join(str(value).split()).lower()


def is_blank(value: object) -> bool:
    """True for None, NaN and the words a UI sends for 'no filter' ('', 'any', 'all')."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and normalise_text(value) in BLANKS


def closest(value: str, options: Iterable[str]) -> str | None:
    """The option most similar to `value` (difflib), or None when nothing is close."""
    matches = difflib.get_close_matches(value, list(options), n=1, cutoff=0.5)
    return matches[0] if matches else None


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """' Did you mean 'x'?' when an option is close to `value`, else ''."""
    suggestion = closest(value, options)
    return f" Did you mean '{suggestion}'?" if suggestion else ""


def parse_text(value: object, name: str) -> str:
    """A required free-text value (country, genre, keyword): normalised, never empty."""
    text = "" if value is None else normalise_text(value)
    if not text:
        raise InputError(f"{name} is required: give a non-empty text.")
    return text


def parse_year(value: object, year_range: tuple[int, int], name: str = "year") -> int:
    """A release year: a whole number (2020, 2020.0 or "2020") inside the catalog's year range."""
    lo, hi = year_range
    accepted = f"a whole number between {lo} and {hi} (the catalog's range of release years)"
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise InputError(f"{name} is required: give {accepted}.")
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be {accepted}; got {value!r}.") from None
    if not math.isfinite(number) or number != int(number):
        raise InputError(f"{name} must be {accepted}; got {value!r}.")
    year = int(number)
    if not lo <= year <= hi:
        raise InputError(f"{name} {year} is outside the catalog's range of release years, {lo}-{hi}.")
    return year


def parse_optional_year(value: object, year_range: tuple[int, int], name: str = "year") -> int | None:
    """Like parse_year, but None/""/"any" mean 'every year' and give None."""
    return None if is_blank(value) else parse_year(value, year_range, name)


def parse_score(value: object, name: str = "scored", lo: float = RATING_MIN, hi: float = RATING_MAX) -> float:
    """A score threshold: a number (3.5 or "3.5") within lo..hi, the range of the ratings."""
    accepted = f"a number from {lo} to {hi}, e.g. 3.5"
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise InputError(f"{name} is required: give {accepted}.")
    try:
        number = float(str(value).strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be {accepted}; got {value!r}.") from None
    if not math.isfinite(number) or not lo <= number <= hi:
        raise InputError(f"{name} must be {accepted}; got {value!r}.")
    return number


def _parse_alias(value: object, aliases: dict[str, tuple[str, ...]], name: str) -> str:
    text = "" if value is None else normalise_text(value)
    for canonical, spellings in aliases.items():
        if text in spellings:
            return canonical
    accepted = "; ".join(f"{k} ({', '.join(v)})" for k, v in aliases.items())
    every = [s for spellings in aliases.values() for s in spellings]
    got = f"got {value!r}" if text else "got nothing"
    raise InputError(f"{name} must be one of: {accepted}; {got}.{did_you_mean(text, every)}")


def parse_duration_type(value: object, name: str = "duration_type") -> str:
    """'min' or 'season', from any of their spellings (mins, minutes, seasons, ...)."""
    return _parse_alias(value, DURATION_TYPES, name)


def parse_content_type(value: object, name: str = "tipo") -> str:
    """'movie' or 'tv show', from any of their spellings (movies, film, tv, series, ...)."""
    return _parse_alias(value, CONTENT_TYPES, name)


def parse_choice(value: object, valid: Iterable[str], name: str) -> str:
    """One of the catalog's own values (e.g. a maturity rating), case-insensitive."""
    valid = list(valid)
    text = "" if value is None else normalise_text(value)
    if text in valid:
        return text
    got = f"got {value!r}" if text else "got nothing"
    raise InputError(f"{name} must be one of: {', '.join(valid)}; {got}.{did_you_mean(text, valid)}")
