"""Free text from users: normalising, blank detection, length limits, echoing bad input, suggestions.

    normalise_text("  Stand-Up  Comedy ")  # -> "stand-up comedy"
    parse_text("", "genre")                # InputError: genre is required: give a non-empty text.
    echo("x" * 100_000)                    # -> "'xxx…xxx'… (100,000 characters)": at most ECHO_LIMIT of it

echo() is the one way an error message repeats what a user sent: a 100 KB input must not come back whole.
"""
from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable

from errors import InputError

# How much of a user's input an error message repeats.
ECHO_LIMIT = 80
# The longest free text accepted (a country, a genre, a keyword, part of a title): the longest catalog title
# has about 110 characters, and the limit bounds the work one request can cause.
MAX_TEXT_LENGTH = 200
# What a UI sends for "no filter" on an optional parameter.
BLANKS = ("", "any", "all", "none")
# The combining diacritical marks: the accents of Latin, Greek and Cyrillic letters. The marks of other scripts
# (Devanagari vowel signs, Japanese voicing marks, Arabic vowels) lie outside this block: letters of the word.
ACCENTS = re.compile("[\u0300-\u036f]")


def strip_accents(text: str) -> str:
    """Accents removed, letters of every script kept: "Amélie" -> "Amelie", "마녀사냥" and "के" stay whole.
    The one rule of every name and title match (title search, the Movies names, where-to-watch links)."""
    return unicodedata.normalize("NFC", ACCENTS.sub("", unicodedata.normalize("NFKD", text)))


def echo(value: object) -> str:
    """The value as an error message repeats it: its repr ('abc', 2.5), cut to ECHO_LIMIT characters."""
    if isinstance(value, str) and len(value) > ECHO_LIMIT:
        return f"{value[:ECHO_LIMIT]!r}… ({len(value):,} characters)"
    return clip(repr(value))


def clip(text: str) -> str:
    """Text cut to ECHO_LIMIT characters, saying how long it was: for input repeated without quotes (a URL)."""
    return text if len(text) <= ECHO_LIMIT + 2 else f"{text[:ECHO_LIMIT]}… ({len(text):,} characters)"


def normalise_text(value: object) -> str:
    """Lower case, single spaces, no surrounding blanks: the catalog's own text form."""
    return " ".join(str(value).split()).lower()


def is_blank(value: object) -> bool:
    """True for None, NaN and the words a UI sends for 'no filter' ('', 'any', 'all', 'none')."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH and normalise_text(value) in BLANKS


def is_empty(value: object) -> bool:
    """True for None and text of blanks only: what a door reads as 'left out' (the parameter's default)."""
    return value is None or (isinstance(value, str) and not value.strip())


def check_length(value: object, name: str, limit: int = MAX_TEXT_LENGTH) -> None:
    """InputError when the text is longer than `limit` characters (saying how long it was, not echoing it)."""
    length = len(str(value).strip())
    if length > limit:
        raise InputError(f"{name} is at most {limit} characters; got {length:,}.")


def closest(value: str, options: Iterable[str]) -> str | None:
    """The option most similar to `value` (difflib), or None when nothing is close (or value is too long)."""
    if len(value) > MAX_TEXT_LENGTH:
        return None
    matches = difflib.get_close_matches(value, list(options), n=1, cutoff=0.5)
    return matches[0] if matches else None


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """' Did you mean 'x'?' when an option is close to `value`, else ''."""
    suggestion = closest(value, options)
    return f" Did you mean '{suggestion}'?" if suggestion else ""


def parse_text(value: object, name: str) -> str:
    """A required free-text value (country, genre, keyword): normalised, never empty, at most MAX_TEXT_LENGTH."""
    if value is not None:
        check_length(value, name)
    text = "" if value is None else normalise_text(value)
    if not text:
        raise InputError(f"{name} is required: give a non-empty text.")
    return text
