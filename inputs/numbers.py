"""Numbers from users: user ids, counts, years and scores, in every shape a door sends them.

    parse_user_id(" 42 ")          # -> 42       (also 42, 42.0, "42.0": number widgets send floats)
    parse_n("10.0")                # -> 10       (1 to MAX_N, the same range for the UI slider and REST)
    parse_year("2019", (1920, 2021))   # a catalog's range of release years, or FILM_YEARS
    parse_score("3,5")             # -> 3.5

One rule at every door: numbers are written with ASCII digits only. Python's int() and float() also read
"４２" (full width), "٤٢" (Arabic-Indic), "𝟒𝟐" (mathematical bold) and "4_2" (underscores), and float()
reads "2019.0000000000001" as 2019.0: none of these is a number a person means, so the text is matched
against [0-9] patterns before it is converted. Whitespace around the number is fine.
"""
from __future__ import annotations

import math
import re

import numpy as np

from config import RATING_MAX, RATING_MIN
from errors import InputError
from inputs.text import echo, is_blank, is_empty

# n of every ranked list (top picks, similar titles, cold-start lists): 1 to MAX_N at every door.
MAX_N = 100
# limit of a title search (the as-you-type search box shows 20).
MAX_LIMIT = 50
# Any year a film can have been released in: the bounds of the Movies model's year filters.
FILM_YEARS = (1800, 2100)
FILM_YEARS_SPAN = "the years a film can have"
# The largest whole number a float (and so a JSON number) holds exactly.
MAX_USER_ID = 2**53

# A whole number as text: digits, optionally ".0" as number widgets send them ("10.0", "10."). No signs,
# exponents or separators. At most 20 digits: no user text is turned into a huge int.
WHOLE_TEXT = re.compile(r"([0-9]{1,20})(?:\.0*)?")
# A decimal as text: digits with an optional fraction after "." or "," ("3.5", "3,5", ".5").
DECIMAL_TEXT = re.compile(r"[0-9]{1,20}(?:[.,][0-9]{0,20})?|[.,][0-9]{1,20}")


def whole_number(value: object) -> int | None:
    """The whole number `value` holds, or None: an int (not a bool), a finite float with no fraction, or
    text of ASCII digits (optionally followed by ".0")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if math.isfinite(value) and value == int(value) else None
    if isinstance(value, str):
        match = WHOLE_TEXT.fullmatch(value.strip())
        return int(match.group(1)) if match else None
    return None


def decimal_number(value: object) -> float | None:
    """The finite number `value` holds, or None: an int or float, or text of ASCII digits with an optional
    fraction after "." or ","."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, np.integer, float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        text = value.strip()
        return float(text.replace(",", ".")) if DECIMAL_TEXT.fullmatch(text) else None
    return None


def parse_user_id(value: object) -> int:
    """A user id as UIs send it (7, 7.0, "7", " 7.0 ") -> 7; anything else is an InputError."""
    accepted = f"a positive whole number up to {MAX_USER_ID:,}, e.g. 42"
    if is_empty(value) or isinstance(value, bool):
        raise InputError(f"user id is required: give {accepted}.")
    number = whole_number(value)
    if number is None or not 1 <= number <= MAX_USER_ID:
        raise InputError(f"user id must be {accepted}; got {echo(value)}.")
    return number


def parse_n(value: object, max_n: int = MAX_N, name: str = "n") -> int:
    """How many titles to return: a whole number from 1 to max_n (10, 10.0, "10" or "10.0")."""
    number = whole_number(value)
    if number is None or not 1 <= number <= max_n:
        raise InputError(f"{name} must be a whole number from 1 to {max_n}; got {echo(value)}.")
    return number


def parse_limit(value: object) -> int:
    """How many search answers to return: a whole number from 1 to MAX_LIMIT."""
    return parse_n(value, MAX_LIMIT, "limit")


def parse_year(value: object, year_range: tuple[int, int], name: str = "year",
               span: str = "the catalog's range of release years") -> int:
    """A release year: a whole number (2020, 2020.0 or "2020") inside `year_range`, which `span` names."""
    lo, hi = year_range
    accepted = f"a whole number between {lo} and {hi} ({span})"
    if is_empty(value) or isinstance(value, bool):
        raise InputError(f"{name} is required: give {accepted}.")
    year = whole_number(value)
    if year is None:
        raise InputError(f"{name} must be {accepted}; got {echo(value)}.")
    if not lo <= year <= hi:
        raise InputError(f"{name} {year} is outside {span}, {lo}-{hi}.")
    return year


def parse_optional_year(value: object, year_range: tuple[int, int], name: str = "year",
                        span: str = "the catalog's range of release years") -> int | None:
    """Like parse_year, but None/""/"any" mean 'every year' and give None."""
    return None if is_blank(value) else parse_year(value, year_range, name, span)


def parse_score(value: object, name: str = "scored", lo: float = RATING_MIN, hi: float = RATING_MAX) -> float:
    """A score threshold: a number (3.5, "3.5" or "3,5") within lo..hi, the range of the ratings."""
    accepted = f"a number from {lo} to {hi}, e.g. 3.5"
    if is_empty(value) or isinstance(value, bool):
        raise InputError(f"{name} is required: give {accepted}.")
    number = decimal_number(value)
    if number is None or not lo <= number <= hi:
        raise InputError(f"{name} must be {accepted}; got {echo(value)}.")
    return number
