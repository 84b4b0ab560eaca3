"""Closed sets of values: content type, duration type, and the values a catalog lists (e.g. maturity ratings).

    parse_content_type("Series")            # -> "tv show"
    parse_duration_type("minutes")          # -> "min"
    parse_choice("TV-MA", ratings, "rating")  # -> "tv-ma", or InputError listing the valid values

Each canonical value has the spellings people use; anything else raises InputError listing what is accepted
and suggesting the closest spelling.
"""
from __future__ import annotations

from collections.abc import Iterable

from errors import InputError
from inputs.text import did_you_mean, echo, is_blank, normalise_text

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


def _got(value: object, text: str) -> str:
    return f"got {echo(value)}" if text else "got nothing"


def _parse_alias(value: object, aliases: dict[str, tuple[str, ...]], name: str) -> str:
    text = "" if value is None else normalise_text(value)
    for canonical, spellings in aliases.items():
        if text in spellings:
            return canonical
    accepted = "; ".join(f"{k} ({', '.join(v)})" for k, v in aliases.items())
    every = [s for spellings in aliases.values() for s in spellings]
    raise InputError(f"{name} must be one of: {accepted}; {_got(value, text)}.{did_you_mean(text, every)}")


def parse_duration_type(value: object, name: str = "duration_type") -> str:
    """'min' or 'season', from any of their spellings (mins, minutes, seasons, ...)."""
    return _parse_alias(value, DURATION_TYPES, name)


def parse_content_type(value: object, name: str = "tipo") -> str:
    """'movie' or 'tv show', from any of their spellings (movies, film, tv, series, ...)."""
    return _parse_alias(value, CONTENT_TYPES, name)


def parse_optional_content_type(value: object, name: str = "type") -> str | None:
    """A content-type filter: None for blank/"any" (both types), else parse_content_type."""
    return None if is_blank(value) else parse_content_type(value, name)


def parse_choice(value: object, valid: Iterable[str], name: str) -> str:
    """One of the catalog's own values (e.g. a maturity rating), case-insensitive."""
    valid = list(valid)
    text = "" if value is None else normalise_text(value)
    if text in valid:
        return text
    raise InputError(f"{name} must be one of: {', '.join(valid)}; {_got(value, text)}.{did_you_mean(text, valid)}")
