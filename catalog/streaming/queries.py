"""The streaming catalog's nine questions, answered from indexes built once, at the first question or by `warm()`.

    catalog = load_streaming_catalog("data/processed/streaming")   # reads its titles.parquet
    catalog.warm()                                  # the indexes (an app calls it once its port is open)
    catalog.get_count_platform("Netflix")           # -> {"platform": "netflix", "count": 6131, "message": None}

Every answer is a JSON-ready dict that echoes the (normalised) inputs and carries a "message" key: None when there
is an answer, a sentence when nothing matches or the data cannot answer. Bad input raises errors.InputError. Each
method's docstring starts with its definition, shown by the UI and README. Every question is a dict lookup, a
binary search or a small set intersection on the indexes (see bench/queries.py). Building them is a second of pure
Python, so it is left out of loading: the app's first page needs only the values its dropdowns list.
"""
from __future__ import annotations

import functools
import re
import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import config
from catalog.streaming.schema import MOVIE, REQUIRED_COLUMNS
from config import COL_ID, COL_PLATFORM, COL_SCORE
from errors import InputError
from inputs.choices import parse_choice, parse_content_type, parse_duration_type
from inputs.numbers import parse_optional_year, parse_score, parse_year
from inputs.platforms import PLATFORM_KEYS, parse_optional_platform, parse_platform
from inputs.text import did_you_mean, echo, parse_text

# A word of a title: letters and digits (any script). "spider-man" is the words "spider" and "man".
WORD_RE = re.compile(r"[^\W_]+")
NON_WORD_RE = re.compile(r"[^\w\n]+|_+")
# Country names people type that the catalog spells out.
COUNTRY_ALIASES = {"usa": "united states", "us": "united states", "u.s.": "united states",
                   "u.s.a.": "united states", "america": "united states", "united states of america": "united states",
                   "uk": "united kingdom", "u.k.": "united kingdom", "britain": "united kingdom",
                   "great britain": "united kingdom"}


def _split_list(value: object) -> set[str]:
    """A ", "-separated catalog field (the ETL's contract) as a set of items; missing -> empty."""
    return set(value.split(", ")) if isinstance(value, str) and value else set()


def _singular_and_plural(word: str) -> tuple[str, ...]:
    """The word and its other number, the way the platforms' genre labels differ: comedy/comedies, drama/dramas."""
    if word.endswith("ies"):
        return word, word[:-3] + "y"
    if word.endswith("y"):
        return word, word[:-1] + "ies"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word, word[:-1]
    return (word,)


def _indexed(question: Callable) -> Callable:
    """A question: the indexes are built first, if they are not yet."""
    @functools.wraps(question)
    def ask(self: StreamingCatalog, *args: object, **kwargs: object) -> dict:
        return question(self.warm(), *args, **kwargs)
    return ask


def _mask_int(rows: np.ndarray, n: int) -> int:
    """Row numbers as one Python int bitmask: OR/AND/bit_count on it take microseconds."""
    bits = np.zeros(n, dtype=bool)
    bits[rows] = True
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")


class StreamingCatalog:
    """The processed titles with the indexes the nine questions need. Build with load_streaming_catalog()."""

    def __init__(self, titles: pd.DataFrame):
        missing = [c for c in REQUIRED_COLUMNS if c not in titles.columns]
        if missing:
            raise InputError(f"titles table lacks columns {missing}: rebuild it with `python -m etl`.")
        if titles.empty:
            raise InputError("titles table is empty: rebuild it with `python -m etl`.")
        # Plain Python lists: building the indexes from them is faster than pandas group-bys here.
        ids = titles[COL_ID].astype(str).tolist()
        names = titles["title"].astype(str).tolist()
        # Row number = alphabetical rank (title, then id): any ascending list of rows is sorted by title.
        order = sorted(range(len(ids)), key=lambda i: (names[i], ids[i]))

        def column(name: str, dtype: str | None = None) -> list:
            values = (titles[name].astype(dtype) if dtype else titles[name]).tolist()
            return [values[i] for i in order]

        self._n = self.size = len(order)  # size: the number of titles, as MoviesCatalog has it
        self._ids: list[str] = [ids[i] for i in order]
        self._title: list[str] = [names[i] for i in order]
        self._platform: list[str] = column(COL_PLATFORM, "str")
        self._type: list[str] = column("type", "str")
        self._release_year: list[int] = column("release_year", "int64")
        self._score: list[float] = column(COL_SCORE, "float64")  # NaN when missing
        self.year_range: tuple[int, int] = (min(self._release_year), max(self._release_year))
        # What the dropdowns list (and the questions accept): a pass over three columns.
        self.ratings: list[str] = sorted(set(titles["rating"].astype(str)))
        self.countries: list[str] = sorted(set().union(*map(_split_list, titles["country"])))
        self.genres: list[str] = sorted(set().union(*map(_split_list, titles["listed_in"])))
        self._column = column  # for warm(), which drops it (and with it the titles table)
        self._warm_lock = threading.Lock()

    def warm(self) -> StreamingCatalog:
        """Build the questions' indexes now, if not built yet (thread-safe; about a second)."""
        with self._warm_lock:
            column = self._column
            if column is None:
                return self
            # The title card of every row (an entry of an answer's "items"), the shape catalog.search gives.
            self._card_of_row: list[dict] = [
                {COL_ID: i, "title": t, COL_PLATFORM: p, "release_year": y, "type": k}
                for i, t, p, y, k in zip(self._ids, self._title, self._platform, self._release_year, self._type)]
            self._build_duration_index(column("duration_int", "float64"), column("duration_type"))
            self._build_movie_indexes()
            self._build_actor_index(column("cast"))
            self._build_list_indexes(column("rating", "str"), column("country"))
            self._build_genre_index(column("listed_in"))
            self._build_word_index()
            self._column = None
        return self

    # ---------------------------------------------------------------- indexes (built once)

    def _build_duration_index(self, durations: list[float], units: list[object]) -> None:
        # Best row for every (year or None, platform or None, duration_type). Rows come in title order
        # and only a strictly longer duration replaces the best, so ties keep the first title.
        self._duration_int: dict[int, int] = {}
        self._duration_type: dict[int, str] = {}
        best: dict[tuple[int | None, str | None, str], int] = {}
        for row, (duration, unit) in enumerate(zip(durations, units)):
            if not isinstance(unit, str) or duration != duration:  # NaN: no duration
                continue
            self._duration_int[row], self._duration_type[row] = int(duration), unit
            year, platform = self._release_year[row], self._platform[row]
            for key in ((None, None, unit), (year, None, unit), (None, platform, unit), (year, platform, unit)):
                current = best.get(key)
                if current is None or duration > self._duration_int[current]:
                    best[key] = row
        self._max_duration = best

    def _build_movie_indexes(self) -> None:
        self._movie_count = dict.fromkeys(PLATFORM_KEYS, 0)
        self._scores: dict[tuple[str, int], list[float]] = {}
        scored_movies: dict[str, list[int]] = {}
        for row, (kind, platform, score) in enumerate(zip(self._type, self._platform, self._score)):
            if kind != MOVIE:
                continue
            self._movie_count[platform] = self._movie_count.get(platform, 0) + 1
            if score == score:  # not NaN
                self._scores.setdefault((platform, self._release_year[row]), []).append(score)
                scored_movies.setdefault(platform, []).append(row)
        for scores in self._scores.values():
            scores.sort()  # sorted: "how many above x" is one binary search
        # The two best-scored movies per platform, ties by title (= row order).
        self._score_rank: dict[str, list[int]] = {
            p: sorted(rows, key=lambda r: (-self._score[r], r))[:2] for p, rows in scored_movies.items()}

    def _build_actor_index(self, casts: list[object]) -> None:
        self._titles_per_platform_year = Counter(zip(self._platform, self._release_year))
        appearances: dict[tuple[str, int], Counter] = {}
        for row, cast in enumerate(casts):
            actors = _split_list(cast)
            if actors:
                appearances.setdefault((self._platform[row], self._release_year[row]), Counter()).update(actors)
        self._platforms_with_cast = {platform for platform, _ in appearances}
        # Most titles first, ties alphabetical.
        self._top_actor: dict[tuple[str, int], tuple[str, int]] = {}
        for key, counter in appearances.items():
            most = max(counter.values())
            self._top_actor[key] = (min(a for a, c in counter.items() if c == most), most)

    def _build_list_indexes(self, ratings: list[str], countries: list[object]) -> None:
        self._by_rating: dict[str, list[int]] = {}
        for row, rating in enumerate(ratings):
            self._by_rating.setdefault(rating, []).append(row)
        self._by_type_country_year: dict[tuple[str, str, int], list[int]] = {}
        for row, value in enumerate(countries):
            for country in _split_list(value):
                key = (self._type[row], country, self._release_year[row])
                self._by_type_country_year.setdefault(key, []).append(row)

    def _build_genre_index(self, genres: list[object]) -> None:
        rows_of_genre: dict[str, list[int]] = {}
        for row, value in enumerate(genres):
            for genre in _split_list(value):
                rows_of_genre.setdefault(genre, []).append(row)
        self._genre_mask = {g: _mask_int(np.array(rows), self._n) for g, rows in rows_of_genre.items()}
        platform = np.array(self._platform)
        self._platform_mask = {p: _mask_int(np.flatnonzero(platform == p), self._n) for p in PLATFORM_KEYS}

    def _build_word_index(self) -> None:
        # platform -> word -> rows in title order. One regex pass over all titles joined is 2x faster
        # than one per title: every run of non-letters/digits becomes a space.
        lines = NON_WORD_RE.sub(" ", "\n".join(t.replace("\n", " ") for t in self._title)).split("\n")
        self._rows_of_word: dict[str, dict[str, list[int]]] = {p: {} for p in PLATFORM_KEYS}
        for row, (platform, line) in enumerate(zip(self._platform, lines)):
            rows_of_word = self._rows_of_word.setdefault(platform, {})
            for word in set(line.split()):
                rows_of_word.setdefault(word, []).append(row)

    # ---------------------------------------------------------------- helpers

    def _cards(self, rows: list[int]) -> list[dict]:
        # Copies, so that a caller changing an answer cannot change the catalog (3x faster than building).
        return [self._card_of_row[row].copy() for row in rows]

    def _parse_year(self, value: object, name: str = "year") -> int:
        return parse_year(value, self.year_range, name)

    # ---------------------------------------------------------------- the client's questions

    @_indexed
    def get_max_duration(self, year: int | None = None, platform: str | None = None,
                         duration_type: str = "min") -> dict:
        """The title with the longest duration, optionally only titles released in `year` and/or on
        `platform`, measured in `duration_type` ("min" for minutes: movies; "season" for seasons: TV
        shows). Ties are broken alphabetically by title.
        """
        year = parse_optional_year(year, self.year_range)
        platform = parse_optional_platform(platform)
        # Left empty (None or "") means the default unit, minutes.
        duration_type = parse_duration_type("min" if duration_type is None or not str(duration_type).strip()
                                            else duration_type)
        row = self._max_duration.get((year, platform, duration_type))
        if row is None:
            where = "".join([f" on {platform}" if platform else "",
                             f" released in {year}" if year is not None else ""])
            unit = "minutes" if duration_type == "min" else "seasons"
            return {"title": None, COL_ID: None, COL_PLATFORM: platform, "release_year": year,
                    "duration_int": None, "duration_type": duration_type,
                    "message": f"No titles{where} have a duration in {unit}."}
        return {"title": self._title[row], COL_ID: self._ids[row], COL_PLATFORM: self._platform[row],
                "release_year": self._release_year[row], "duration_int": self._duration_int[row],
                "duration_type": self._duration_type[row], "message": None}

    @_indexed
    def get_score_count(self, platform: str, scored: float, year: int) -> dict:
        """The number of movies on `platform` released in `year` whose score (the mean of their user
        ratings, 0.5-5.0) is strictly greater than `scored`.
        """
        platform = parse_platform(platform)
        scored = parse_score(scored, "scored")
        year = self._parse_year(year)
        scores = self._scores.get((platform, year), [])
        count = len(scores) - bisect_right(scores, scored)
        message = None
        if count == 0:
            message = (f"No {platform} movies released in {year} have a score above {scored:g}"
                       + (f" (the best of its {len(scores)} is {scores[-1]:.3f})." if scores
                          else f": {platform} has no movies released in {year}."))
        return {COL_PLATFORM: platform, "scored": scored, "year": year, "count": count, "message": message}

    @_indexed
    def get_count_platform(self, platform: str) -> dict:
        """The number of movies (titles of type "movie") on `platform`."""
        platform = parse_platform(platform)
        count = self._movie_count.get(platform, 0)
        message = None if count else f"The catalog has no movies on {platform}."
        return {COL_PLATFORM: platform, "count": count, "message": message}

    @_indexed
    def get_actor(self, platform: str, year: int) -> dict:
        """The actor who appears in the most titles (movies and TV shows) on `platform` released in
        `year`, and in how many. Ties are broken alphabetically by name.
        """
        platform = parse_platform(platform)
        year = self._parse_year(year)
        answer = {"actor": None, "count": 0, COL_PLATFORM: platform, "year": year, "message": None}
        if platform not in self._platforms_with_cast:
            answer["message"] = (f"The catalog has no cast data for {platform}, so it cannot tell which "
                                 "actor appears most often there.")
        elif (platform, year) not in self._titles_per_platform_year:
            answer["message"] = f"No {platform} titles were released in {year}."
        elif (platform, year) not in self._top_actor:
            n = self._titles_per_platform_year[(platform, year)]
            answer["message"] = (f"No cast is listed for the {platform} titles released in {year} ({n}), "
                                 "so the data cannot tell.")
        else:
            answer["actor"], answer["count"] = self._top_actor[(platform, year)]
        return answer

    @_indexed
    def get_contents(self, rating: str) -> dict:
        """The titles (movies and TV shows, all platforms) with the maturity rating `rating`, e.g.
        "tv-ma", "pg-13" or "18+", listed alphabetically, with their number.
        """
        rating = parse_choice(rating, self.ratings, "rating")
        rows = self._by_rating[rating]
        return {"rating": rating, "count": len(rows), "items": self._cards(rows), "message": None}

    @_indexed
    def prod_per_county(self, tipo: str, pais: str, anio: int) -> dict:
        """The titles of type `tipo` ("movie" or "tv show") produced in the country `pais` (one of the
        title's production countries) and released in the year `anio`, listed alphabetically.
        """
        tipo = parse_content_type(tipo)
        pais = parse_text(pais, "pais")
        pais = COUNTRY_ALIASES.get(pais, pais)
        anio = self._parse_year(anio, "anio")
        rows = self._by_type_country_year.get((tipo, pais, anio), [])
        message = None
        if not rows:
            known = pais in self.countries
            message = (f"No {tipo} titles produced in {pais} were released in {anio}."
                       if known else f"No titles are produced in {echo(pais)}.{did_you_mean(pais, self.countries)}")
        return {"tipo": tipo, "pais": pais, "anio": anio, "count": len(rows), "items": self._cards(rows),
                "message": message}

    @_indexed
    def get_word_count(self, platform: str, keyword: str) -> dict:
        """The titles (movies and TV shows) on `platform` whose title contains the word `keyword`, as
        a whole word, any case ("love" matches "love actually", not "lovely"); a keyword of several
        words matches them as a phrase. Listed alphabetically, with their number.
        """
        platform = parse_platform(platform)
        keyword = parse_text(keyword, "keyword")
        words = tuple(WORD_RE.findall(keyword))
        if not words:
            raise InputError(f"keyword must contain a letter or a digit; got {echo(keyword)}.")
        rows_of_word = self._rows_of_word.get(platform, {})
        postings = sorted((rows_of_word.get(w, []) for w in set(words)), key=len)
        if len(words) == 1:
            rows = postings[0]
        else:  # titles with every word, then the words in order with only non-letters between them
            phrase = re.compile(r"(?<![^\W_])" + r"[\W_]+".join(map(re.escape, words)) + r"(?![^\W_])")
            common = set(postings[0]).intersection(*postings[1:])
            rows = sorted(r for r in common if phrase.search(self._title[r]))
        message = None if rows else f"No {platform} titles contain the word {echo(' '.join(words))}."
        return {COL_PLATFORM: platform, "keyword": keyword, "count": len(rows), "items": self._cards(rows),
                "message": message}

    @_indexed
    def get_second_score(self, platform: str) -> dict:
        """The movie on `platform` with the second-highest score (the mean of its user ratings).
        Movies with equal scores are ranked alphabetically by title.
        """
        platform = parse_platform(platform)
        ranked = self._score_rank.get(platform, [])
        if len(ranked) < 2:
            return {COL_PLATFORM: platform, "title": None, COL_ID: None, COL_SCORE: None,
                    "release_year": None,
                    "message": f"{platform} has {len(ranked)} scored movie(s): there is no second best."}
        row = ranked[1]
        return {COL_PLATFORM: platform, "title": self._title[row], COL_ID: self._ids[row],
                COL_SCORE: self._score[row], "release_year": self._release_year[row], "message": None}

    @_indexed
    def get_listedin(self, genre: str) -> dict:
        """The platform with the most titles (movies and TV shows) of the genre `genre`, and that
        number. A title counts when one of its genre labels has a word starting with `genre`, in the
        singular or the plural, any case: "comedy" counts "comedy", "comedies" and "stand-up comedy";
        "documentar" counts "documentary" and "documentaries". Ties are broken alphabetically by platform.
        """
        genre = parse_text(genre, "genre")
        starts_a_word = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, _singular_and_plural(genre))) + ")")
        matched = [g for g in self.genres if starts_a_word.search(g)]
        mask = 0
        for g in matched:
            mask |= self._genre_mask[g]
        counts = {p: (mask & m).bit_count() for p, m in self._platform_mask.items()}
        best = min(counts, key=lambda p: (-counts[p], p))
        if not counts[best]:
            return {"genre": genre, COL_PLATFORM: None, "count": 0, "counts": counts, "matched_genres": [],
                    "message": f"No genre label contains {echo(genre)}.{did_you_mean(genre, self.genres)}"}
        return {"genre": genre, COL_PLATFORM: best, "count": counts[best], "counts": counts,
                "matched_genres": matched, "message": None}


def load_streaming_catalog(folder: str | Path) -> StreamingCatalog:
    """The catalog from `folder`/titles.parquet (folder: the catalog's own, data/processed/streaming); its indexes
    are built at the first question or by warm()."""
    path = Path(folder) / config.TITLES_FILE
    if not path.is_file():
        raise InputError(f"{path} not found: build it with `python -m etl`.")
    return StreamingCatalog(pd.read_parquet(path, columns=REQUIRED_COLUMNS))
