"""A visitor's ratings of films: the one grammar every door accepts, and the rating scale.

    parse_rated([{"movie": 862, "rating": 5}, {"movie": "toy story", "rating": 4.5}, ...])   # the documented form
    parse_rated([[862, 5], ["toy story", 4.5], ...])       # the pairs gradio_client and the UI send
        -> [(862, 5), ("toy story", 4.5), ...]: each film as sent (a TMDB id number or a title text)
    parse_visitor_ratings([(862, 5), (12, 4.5), (8587, 4)])   # films named by TMDB id -> [(862, 5.0), ...]
    parse_exclude([862, 12])                               # the films a visitor is not interested in

At least MIN_VISITOR_RATINGS films, at most MAX_VISITOR_RATINGS, each once, rated 0.5 to 5 in half stars.
"""
from __future__ import annotations

import math

from config import RATING_MAX, RATING_MIN
from errors import InputError
from inputs.numbers import decimal_number
from inputs.text import echo, is_empty
from inputs.titles import parse_tmdb_id

MIN_VISITOR_RATINGS = 3
MAX_VISITOR_RATINGS = 500
MAX_EXCLUDED = 5000  # films a visitor may have said they are not interested in


def parse_rated(ratings: object) -> list[tuple[object, object]]:
    """(movie, rating) pairs, as sent, from a list of {"movie": ..., "rating": ...} objects or [movie, rating]
    pairs; at least MIN_VISITOR_RATINGS of them."""
    if not isinstance(ratings, (list, tuple)):
        raise InputError(f"ratings must be a list of {{\"movie\", \"rating\"}} objects or [movie, rating] pairs, "
                         f"at least {MIN_VISITOR_RATINGS}; got {echo(ratings)}.")
    pairs = []
    for entry in ratings:
        if isinstance(entry, dict) and set(entry) == {"movie", "rating"}:
            pairs.append((entry["movie"], entry["rating"]))
        elif isinstance(entry, (list, tuple)) and len(entry) == 2:
            pairs.append((entry[0], entry[1]))
        else:
            raise InputError(f"each rating must be {{\"movie\": <TMDB id or title>, \"rating\": 0.5-5}} or a "
                             f"[movie, rating] pair; got {echo(entry)}.")
    _check_count(len(pairs))
    return pairs


def parse_rating(value: object, tmdb_id: int) -> float:
    """A visitor's rating of a film: 0.5 to 5.0 in half stars (4, 4.5, "4,5")."""
    number = decimal_number(value)
    if number is None or not RATING_MIN <= number <= RATING_MAX or number * 2 != math.floor(number * 2):
        raise InputError(f"rating of movie {tmdb_id} must be from {RATING_MIN} to {RATING_MAX} in steps of 0.5 "
                         f"(e.g. 4 or 4.5); got {echo(value)}.")
    return number


def parse_visitor_ratings(ratings: object) -> list[tuple[int, float]]:
    """[(TMDB id, rating), ...] from ratings in the grammar of parse_rated whose films are named by TMDB id;
    each film once, at most MAX_VISITOR_RATINGS."""
    parsed = []
    for movie, value in parse_rated(ratings):
        tmdb_id = parse_tmdb_id(movie)
        parsed.append((tmdb_id, parse_rating(value, tmdb_id)))
    _check_count(len(parsed))
    ids = [tmdb_id for tmdb_id, _ in parsed]
    twice = sorted({tmdb_id for tmdb_id in ids if ids.count(tmdb_id) > 1})
    if twice:
        raise InputError(f"each movie may be rated once; rated more than once: {', '.join(map(str, twice))}.")
    return parsed


def _check_count(count: int) -> None:
    if count < MIN_VISITOR_RATINGS:
        raise InputError(f"rate at least {MIN_VISITOR_RATINGS} movies to get recommendations; got {count}.")
    if count > MAX_VISITOR_RATINGS:
        raise InputError(f"rate at most {MAX_VISITOR_RATINGS} movies; got {count}.")


def parse_exclude(exclude: object) -> list[int]:
    """The TMDB ids of the films a visitor is not interested in: a list of ids (None or [] for none). An id the
    catalog does not know is kept out all the same (a film may leave the catalog and come back)."""
    if exclude is None or is_empty(exclude):
        return []
    if not isinstance(exclude, (list, tuple)):
        raise InputError(f"exclude must be a list of TMDB ids (e.g. [862, 12]); got {echo(exclude)}.")
    if len(exclude) > MAX_EXCLUDED:
        raise InputError(f"exclude may list at most {MAX_EXCLUDED:,} films; got {len(exclude):,}.")
    ids = []
    for value in exclude:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise InputError(f"exclude must be a list of TMDB ids (e.g. [862, 12]); got {echo(value)} in it.")
        ids.append(parse_tmdb_id(value))
    return ids
