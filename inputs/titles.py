"""Ids of titles: the streaming catalog's (the platform's id letter from config.PLATFORMS + the show id, e.g.
"ns123") and the Movies catalog's TMDB ids (a number, e.g. 862).

    parse_title_id(" NS123 ")   # -> "ns123"
    is_title_id("1917")         # -> False: a title named "1917" is never read as an id
    parse_tmdb_id("862")        # -> 862

A streaming title id always starts with a platform letter, so ids and titles cannot be confused; the letters come from
config.PLATFORMS, so a new platform is one line there.
"""
from __future__ import annotations

import re

from config import PLATFORMS
from errors import InputError
from inputs.numbers import whole_number
from inputs.text import echo

ID_LETTERS: tuple[str, ...] = tuple(letter for letter, _, _ in PLATFORMS.values())
# A catalog title id: platform letter + "s" + show number ("ns123"), lower case. \Z: no trailing newline.
TITLE_ID_PATTERN = re.compile(rf"^[{''.join(ID_LETTERS)}]s[0-9]+\Z")
# The scheme in words, for messages: "a platform letter (a, d, h or n) + 's' + the show number, e.g. 'ns123'".
ID_SCHEME = (f"a platform letter ({', '.join(ID_LETTERS[:-1])} or {ID_LETTERS[-1]}) + 's' + the show number, "
             "e.g. 'ns123'")


def is_title_id(text: object) -> bool:
    """True when `text` (any case, blanks around) is shaped like a title id; says nothing of whether it exists."""
    return isinstance(text, str) and TITLE_ID_PATTERN.match(text.strip().lower()) is not None


def parse_title_id(value: object) -> str:
    """A title id such as "ns123", any case, blanks around; else InputError."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if not TITLE_ID_PATTERN.match(text):
        raise InputError(f"title id must be {ID_SCHEME}; got {echo(value)}.")
    return text



def parse_tmdb_id(value: object, name: str = "movie id") -> int:
    """A film of the Movies catalog by its TMDB id (862, 862.0, "862") -> 862; anything else is an InputError."""
    number = whole_number(value)
    if number is None or number < 1:
        raise InputError(f"{name} must be a TMDB id (a positive whole number, e.g. 862 for Toy Story); "
                         f"got {echo(value)}.")
    return number
