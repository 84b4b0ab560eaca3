"""The Movies catalog's six questions (issue #12), answered from indexes built once when the catalog is loaded.

    catalog = load_movies_catalog("data/processed/movies")     # reads its movies.parquet
    catalog.peliculas_idioma("en")                      # -> {"idioma": "en", "language": "English", "count": ...}
    catalog.franquicia("toy story")                     # -> {"franquicia": "Toy Story Collection", "count": 3, ...}

Every answer is a plain JSON-ready dict that echoes the normalised inputs and carries a "message" key: None
when there is an answer, a sentence when the data cannot answer. A REST answer that lists movies gives them as
"items": [{"id": <TMDB id>, "title": ..., ..., "where_to_watch": [{"platform": "netflix", "title_id": "ns123"}]}]
(the streaming titles linked to the film by the movies ETL, movies/where_to_watch.parquet; an empty list when
none, or when that file is missing). Each method's docstring starts with the question's definition (shown by
the UI and README). `facts_for_title("ds1378")` gives the TMDB facts of a streaming title linked to a movie
(None otherwise), for the streaming side's Recommend and Similar answers.

Bad input raises errors.InputError (REST 400): a language or country that is not an ISO code or English name
(the message lists what is accepted, with a did-you-mean), a blank or over-long name, a bad `limit`. A name that
matches nothing (a title, collection, production company or director) raises NotFound, a subclass of InputError
that the REST layer maps to 404; its message suggests up to 5 close names.

Name matching (titles, collections, companies, directors): Unicode NFKC, case folded, accents dropped as
inputs.text.strip_accents does ("Les Miserables" finds "Les Misérables"; the marks of other scripts, e.g.
Devanagari vowel signs or Japanese dakuten, are letters and are kept), ø/æ/œ/ł/đ/ð/þ/ı/ß spelled
in ASCII, apostrophes dropped, "&" read as "and", then every run of other punctuation or space ignored:
"Spider-Man", "spider man" and "SPIDERMAN" are one key. A collection is also found without its trailing word
"collection" and without a leading "the" ("toy story" -> "Toy Story Collection").

Every question is one dict lookup on a normalised key plus a slice of a list sorted at load (a few microseconds;
see bench/movies_queries.py). Loading reads the table and builds every index in about a second; a name's
answer (its movies as items, their sums) is made from its index entry at its first question and kept.
"""
from __future__ import annotations

import difflib
import gc
import heapq
import logging
import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pycountry

from catalog.where_to_watch import WHERE_TO_WATCH_FILE, movie_by_title, read_where_to_watch, streams_by_movie
from errors import InputError, NotFound
from inputs.numbers import parse_n
from inputs.text import is_empty, strip_accents


class C:
    """The movies table's file and columns: the movies ETL's contract (etl/movies/columns.py, docs/movies_catalog.md),
    repeated here because the serving side never imports the offline side (tests check that both agree)."""

    MOVIES_FILE = "movies.parquet"
    ID, TITLE, RELEASE_DATE, RELEASE_YEAR, RUNTIME = "id", "title", "release_date", "release_year", "runtime"
    LANGUAGE, LANGUAGE_NAME = "original_language", "original_language_name"
    COUNTRIES, COUNTRY_NAMES = "production_countries", "production_country_names"
    COMPANIES, COLLECTION, DIRECTORS = "production_companies", "collection", "directors"
    BUDGET, REVENUE, RETURN, VOTE_COUNT = "budget", "revenue", "return", "vote_count"
    VOTE_AVERAGE, GENRES, OVERVIEW = "vote_average", "genres", "overview"


# TMDB's codes outside ISO, named as the ETL names them (etl/movies/names.py; tests check that both agree).
LANGUAGE_OVERRIDES = {"xx": "No Language", "cn": "Cantonese", "mo": "Moldavian",
                      "iw": "Hebrew", "in": "Indonesian", "ji": "Yiddish"}
COUNTRY_OVERRIDES = {"SU": "Soviet Union", "XC": "Czechoslovakia", "XG": "East Germany", "YU": "Yugoslavia",
                     "CS": "Serbia and Montenegro", "AN": "Netherlands Antilles"}

REQUIRED_COLUMNS = [C.ID, C.TITLE, C.RELEASE_DATE, C.RELEASE_YEAR, C.RUNTIME, C.LANGUAGE, C.LANGUAGE_NAME,
                    C.COUNTRIES, C.COUNTRY_NAMES, C.COMPANIES, C.COLLECTION, C.BUDGET, C.REVENUE, C.RETURN,
                    C.VOTE_COUNT, C.DIRECTORS]
# Read when the table has them: the TMDB facts a linked streaming title shows (facts_for_title).
FACTS_COLUMNS = [C.VOTE_AVERAGE, C.GENRES, C.OVERVIEW]
WHERE_TO_WATCH = "where_to_watch"   # the key of each listed movie's streaming titles
OVERVIEW_CHARS = 300                # a fact's overview is cut (at a word) to about this many characters
# The six questions, in the order (method names = REST paths /movies/<name>, api_name movies_<name>).
QUESTIONS = ("peliculas_idioma", "peliculas_duracion", "franquicia", "peliculas_pais", "productoras_exitosas",
             "get_director")
# Three inputs per question that give a non-empty answer on the real catalog (tests check it): for the UI's
# clickable examples and the README. Rows are in the parameters' order.
EXAMPLES: dict[str, tuple[tuple, ...]] = {
    "peliculas_idioma": (("en",), ("French",), ("ja",)),
    "peliculas_duracion": (("Toy Story",), ("Cinderella",), ("amelie",)),
    "franquicia": (("Toy Story Collection", 50), ("star wars", 50), ("James Bond Collection", 10)),
    "peliculas_pais": (("FR",), ("United Kingdom",), ("JP",)),
    "productoras_exitosas": (("Pixar Animation Studios",), ("Warner Bros.",), ("Studio Ghibli",)),
    "get_director": (("John Lasseter", 50), ("Pedro Almodovar", 50), ("Hayao Miyazaki", 10)),
}
LIMIT_DEFAULT, LIMIT_MAX = 50, 100
MAX_NAME_CHARS = 300       # longer names are refused before any normalising
ECHO_CHARS = 80            # at most this much of a bad input is quoted back
SUGGESTIONS = 5

log = logging.getLogger(__name__)

# ---- name normalising ------------------------------------------------------------------------------------------
_WORD_RE = re.compile(r"[^\W_]+")
_NON_WORD_RE = re.compile(r"[^\w\n]+|_+")
_APOSTROPHES = "'’‘`´ʼ"
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
                       "&": " and ", **dict.fromkeys(_APOSTROPHES, "")})

# Language names people type beside pycountry's English names (TMDB's `zh` is mostly Mandarin).
LANGUAGE_ALIASES = {"mandarin": "zh", "greek": "el", "punjabi": "pa", "pashto": "ps", "kyrgyz": "ky",
                    "farsi": "fa", "filipino": "tl", "flemish": "nl", "castilian": "es", "gaelic": "gd",
                    "silent": "xx", "none": "xx", "espanol": "es", "francais": "fr", "deutsch": "de",
                    "italiano": "it", "portugues": "pt", "nederlands": "nl", "svenska": "sv", "norsk": "no",
                    "dansk": "da", "suomi": "fi", "polski": "pl", "turkce": "tr"}
# Country names people type beside pycountry's names (name, common and official names, alpha-3 codes).
COUNTRY_ALIASES = {"usa": "US", "us": "US", "united states of america": "US", "america": "US", "uk": "GB",
                   "britain": "GB", "great britain": "GB", "england": "GB", "russia": "RU", "turkey": "TR",
                   "czech republic": "CZ", "holland": "NL", "korea": "KR", "ivory coast": "CI", "burma": "MM",
                   "macedonia": "MK", "dr congo": "CD", "democratic republic of the congo": "CD",
                   "ussr": "SU", "west germany": "DE", "palestine": "PS", "vatican": "VA"}


@lru_cache(maxsize=4096)
def _words(text: str) -> list[str]:
    """The words of a name in their matching form (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = strip_accents(text)
    return _WORD_RE.findall(text.translate(_FOLD))


def _word_lists(names: list[str]) -> dict[str, list[str]]:
    """_words of many names at once: the ASCII ones in one regex pass over them all (3x faster)."""
    ascii_names = [n for n in names if n.isascii()]
    joined = "\n".join(n.replace("\n", " ") for n in ascii_names).lower().translate(_FOLD)
    lines = _NON_WORD_RE.sub(" ", joined).split("\n")
    out = {name: line.split() for name, line in zip(ascii_names, lines)}
    for name in names:
        if name not in out:
            out[name] = _words(name)
    return out


def normalise_name(text: str) -> str:
    """The lookup key of a name: its matching words joined with nothing between them."""
    return "".join(_words(text))


def _show(value: object) -> str:
    """A user's input quoted for a message, cut to ECHO_CHARS characters."""
    text = value if isinstance(value, str) else repr(value)
    text = text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS - 3] + "..."
    return repr(text) if isinstance(value, str) else text


def _parse_limit(value: object, name: str = "limit") -> int:
    """How many movies a list gives: inputs.numbers' count rule (ASCII digits, 1-100); None or blank -> 50."""
    return LIMIT_DEFAULT if is_empty(value) else parse_n(value, LIMIT_MAX, name)


def _parse_name(value: object, name: str, example: str) -> tuple[str, list[str]]:
    """A required name as (key, words); InputError when blank, too long or without a letter or digit."""
    if value is None or (isinstance(value, float) and value != value):
        raise InputError(f"{name} is required: give a name, e.g. {example!r}.")
    text = str(value)
    if len(text) > MAX_NAME_CHARS:
        raise InputError(f"{name} must be at most {MAX_NAME_CHARS} characters; got {len(text)}: {_show(text)}.")
    if not text.strip():
        raise InputError(f"{name} is required: give a name, e.g. {example!r}.")
    words = _words(text)
    if not words:
        raise InputError(f"{name} must contain a letter or a digit, e.g. {example!r}; got {_show(text)}.")
    return "".join(words), words


class _Names:
    """The names of one kind (titles, collections, companies, directors): key -> entity, and close names.

    One entity per key; its display name is its most frequent spelling (ties: alphabetical); `weight` ranks
    suggestions (votes for titles, movies for the others). `aliases` are extra keys per entity (e.g. a
    collection without "collection"); an alias shared by two entities points at neither."""

    def __init__(self, spellings: dict[str, dict[str, int]], weights: dict[str, float],
                 words: dict[str, tuple[str, ...]], aliases: dict[str, list[str]] | None = None):
        self.keys = sorted(spellings)
        self.display = {k: next(iter(c)) if len(c) == 1 else min(c, key=lambda s, c=c: (-c[s], s))
                        for k, c in spellings.items()}
        self.weight = weights
        self.words = words
        self.alias: dict[str, str | None] = {}
        for key, extra in (aliases or {}).items():
            for alias in extra:
                if alias in spellings:
                    continue
                self.alias[alias] = key if self.alias.get(alias, key) == key else None
        # Word prefix (3 characters, or the whole shorter word) -> keys: the candidates for suggestions.
        prefixes: dict[str, list[str]] = {}
        for key, key_words in words.items():
            for prefix in {w[:3] for w in key_words}:
                prefixes.setdefault(prefix, []).append(key)
        self._by_prefix = {p: tuple(keys) for p, keys in prefixes.items()}

    def find(self, key: str) -> str | None:
        return key if key in self.display else self.alias.get(key)

    def suggest(self, words: list[str], n: int = SUGGESTIONS) -> list[str]:
        """Up to n display names close to the query words. Candidates: the names with a word that starts like
        a query word (3 letters). Ranked by: query words sharing a start with the name's words, query words
        starting a word of the name ("pixar" -> "Pixar Animation Studios"), then (for the best 20 of 150) difflib
        similarity, ties by weight. Nothing shared: difflib over 1,000 names with the query's first letter."""
        query = " ".join(words)
        postings = sorted((self._by_prefix.get(p, []) for p in {w[:3] for w in words}), key=len)
        postings = [p for p in postings if p]
        if len(postings) > 1:  # a very common prefix ("the") adds nothing beside a rarer one
            postings = [p for p in postings if len(p) <= 2000] or postings[:1]
        shared: Counter = Counter()
        for keys in postings:
            shared.update(keys)
        if shared:
            weight = self.weight
            pool = heapq.nlargest(150, shared, key=lambda k: (shared[k], weight[k]))
            cheap = {k: shared[k] + sum(any(v.startswith(w) for v in self.words[k]) for w in words) for k in pool}
            best = heapq.nlargest(20, pool, key=lambda k: (cheap[k], weight[k]))
            matcher = difflib.SequenceMatcher(autojunk=False)
            matcher.set_seq2(query)
            scored = []
            for key in best:
                matcher.set_seq1(" ".join(self.words[key]))
                scored.append((-(cheap[key] + matcher.ratio()), -weight[key], key))
            ranked = [k for *_, k in sorted(scored)]
        else:
            start = bisect_left(self.keys, query[:1])  # the names with the query's first letter
            pool = [k for k in self.keys[start:start + 1000] if k[:1] == query[:1]]
            texts = {" ".join(self.words[k]): k for k in pool}
            ranked = [texts[t] for t in difflib.get_close_matches(query, list(texts), n=n, cutoff=0.6)]
        seen: list[str] = []
        for key in ranked:
            name = self.display[key]
            if name not in seen:
                seen.append(name)
            if len(seen) == n:
                break
        return seen

    def not_found(self, param: str, value: object, kind: str, words: list[str]) -> NotFound:
        suggestions = self.suggest(words)
        hint = (" Closest names: " + "; ".join(suggestions) + ".") if suggestions else " No close names either."
        return NotFound(f"{param}: no {kind} matches {_show(value)}.{hint}", suggestions)


def _closed_set_error(param: str, value: object, what: str, examples: str, lookup: dict[str, str],
                      names: dict[str, str], catalog_codes: list[str]) -> InputError:
    text = " ".join(_words(str(value)))
    close = difflib.get_close_matches(text, list(lookup), n=1, cutoff=0.75) if text else []
    hint = f" Did you mean {lookup[close[0]]} ({names[lookup[close[0]]]})?" if close else ""
    return InputError(f"{param} must be {what}, e.g. {examples}; got {_show(value)}.{hint} Codes in the catalog: "
                      f"{', '.join(catalog_codes)}.")


def cut_overview(text: object, limit: int = OVERVIEW_CHARS) -> str | None:
    """An overview on one line, cut at a word to at most `limit` characters (then ending in "..."); None when
    there is none."""
    if not isinstance(text, str) or not text.strip():
        return None
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 3]
    cut = cut[:cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:.-") + "..."


def _text_list(value: object) -> list[str]:
    if value is None or isinstance(value, float):
        return []
    return [str(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]


class MoviesCatalog:
    """The movies table with the indexes the six questions need. Build with load_movies_catalog().

    `links`: the where-to-watch table (catalog.where_to_watch.LINK_COLUMNS; None: no film streams anywhere)."""

    def __init__(self, movies: pd.DataFrame, links: pd.DataFrame | None = None):
        missing = [c for c in REQUIRED_COLUMNS if c not in movies.columns]
        if missing:
            raise InputError(f"movies table lacks columns {missing}: rebuild it with `python -m etl --catalog movies`.")
        if movies.empty:
            raise InputError("movies table is empty: rebuild it with `python -m etl --catalog movies`.")
        # The build makes a few hundred thousand small lists and dicts and no cycles: the cyclic garbage
        # collector's passes over them would cost about a third of the load time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(movies)
            self._build_links(movies, links)
        finally:
            if collecting:
                gc.enable()

    def _build(self, movies: pd.DataFrame) -> None:
        self.size = len(movies)
        ids = movies[C.ID].astype("int64").tolist()
        titles = movies[C.TITLE].astype(str).tolist()
        dates = movies[C.RELEASE_DATE].astype(str).tolist()
        years = movies[C.RELEASE_YEAR].astype("int64").tolist()
        runtimes = movies[C.RUNTIME].astype("float64").tolist()
        budgets = movies[C.BUDGET].astype("int64").tolist()
        revenues = movies[C.REVENUE].astype("int64").tolist()
        returns = movies[C.RETURN].astype("float64").tolist()
        votes = movies[C.VOTE_COUNT].fillna(0).astype("int64").tolist()
        self._ids, self._titles, self._dates, self._budgets, self._revenues = ids, titles, dates, budgets, revenues
        self._returns = returns
        # Newest first: release_date descending, then title, then id (the order of every "newest first" list).
        newest = sorted(range(self.size), key=lambda r: (titles[r], ids[r]))
        newest.sort(key=dates.__getitem__, reverse=True)  # stable: equal dates keep title, id order
        self._rank = [0] * self.size
        for position, row in enumerate(newest):
            self._rank[row] = position
        self._runtime = [None if r != r or r <= 0 else round(r) for r in runtimes]  # NaN or 0: unknown
        self._years = years
        self._row_of_id = {movie_id: row for row, movie_id in enumerate(ids)}
        genres = movies[C.GENRES].tolist() if C.GENRES in movies.columns else [None] * self.size
        self._genres = [tuple(_text_list(g)) for g in genres]
        # A name's list answer is built at its first question and kept (a few microseconds per movie).
        self._answers: dict[tuple[str, str], object] = {}
        self._build_titles(titles, votes)
        self._build_lists(movies[C.COLLECTION].tolist(), "collection")
        self._build_lists(movies[C.COMPANIES].tolist(), "company")
        self._build_lists(movies[C.DIRECTORS].tolist(), "director")
        self._build_languages(movies[C.LANGUAGE].tolist())
        self._build_countries(movies[C.COUNTRIES].tolist())

    # ---------------------------------------------------------------- indexes (built once)

    def _build_links(self, movies: pd.DataFrame, links: pd.DataFrame | None) -> None:
        """Where each movie streams, and the TMDB facts of every linked streaming title's movie."""
        self.where_to_watch_links = 0 if links is None else len(links)
        if links is None or links.empty:
            self._streams, self._movie_of_title, self._facts, self._ids_on = {}, {}, {}, {}
            return
        self._streams = streams_by_movie(links)
        ids_on: dict[str, set[int]] = {}
        for movie_id, streams in self._streams.items():
            for stream in streams:
                ids_on.setdefault(stream["platform"], set()).add(movie_id)
        self._ids_on = {platform: frozenset(ids) for platform, ids in ids_on.items()}  # built once, not per request
        self._movie_of_title = movie_by_title(links)
        linked = set(self._movie_of_title.values())
        row_of = {movie_id: row for row, movie_id in enumerate(self._ids) if movie_id in linked}
        column = {name: movies[name].tolist() if name in movies.columns else None
                  for name in (C.VOTE_AVERAGE, C.VOTE_COUNT, C.GENRES, C.OVERVIEW, C.DIRECTORS)}

        def value(name: str, row: int) -> object:
            values = column[name]
            return None if values is None else values[row]

        self._facts = {}
        for movie_id, row in row_of.items():
            average, votes = value(C.VOTE_AVERAGE, row), value(C.VOTE_COUNT, row)
            self._facts[movie_id] = {
                C.ID: movie_id, C.TITLE: self._titles[row], C.RELEASE_YEAR: self._years[row],
                C.RUNTIME: self._runtime[row],
                C.VOTE_AVERAGE: None if average is None or pd.isna(average) else float(average),
                C.VOTE_COUNT: None if votes is None or pd.isna(votes) else int(votes),
                C.GENRES: tuple(_text_list(value(C.GENRES, row))),
                C.DIRECTORS: tuple(dict.fromkeys(_text_list(value(C.DIRECTORS, row)))),
                C.OVERVIEW: cut_overview(value(C.OVERVIEW, row))}

    def _group(self, names_of_row: list[list[str]]) -> tuple[dict, dict, dict]:
        """Names per movie -> (key -> rows, key -> {spelling: movies}, key -> words). A movie counts once
        per key, even when it lists the name twice or in two spellings."""
        rows_of_name: dict[str, list[int]] = {}
        for row, names in enumerate(names_of_row):
            for name in names:
                rows_of_name.setdefault(name, []).append(row)
        word_lists = _word_lists([n for n in rows_of_name if isinstance(n, str)])
        rows: dict[str, list[int]] = {}
        spellings: dict[str, dict[str, int]] = {}
        words: dict[str, list[str]] = {}
        for name, name_rows in rows_of_name.items():
            w = word_lists[name] if isinstance(name, str) else []
            if not w:  # no letter or digit: cannot be asked for
                continue
            key = "".join(w)
            if key in rows:
                rows[key] = sorted(set(rows[key]).union(name_rows))
                spellings[key][name] = len(name_rows)
            else:
                rows[key] = name_rows if len(set(name_rows)) == len(name_rows) else sorted(set(name_rows))
                spellings[key] = {name: len(name_rows)}
                words[key] = w
        # Tuples of strings and ints, and dicts of them, leave the cyclic garbage collector's tracking: its
        # full passes stay fast however big the catalog (lists would be scanned at every pass, ~0.3 s).
        return ({k: tuple(r) for k, r in rows.items()}, spellings, {k: tuple(w) for k, w in words.items()})

    def _build_titles(self, titles: list[str], votes: list[int]) -> None:
        self._title_rows, spellings, words = self._group([[t] for t in titles])
        weights = {k: sum(votes[r] for r in rows) for k, rows in self._title_rows.items()}
        self._title_names = _Names(spellings, weights, words)

    def _build_lists(self, values: list, kind: str) -> None:
        """collection (one name or None per movie), company or director (a list per movie): names and rows."""
        # Parquet list cells arrive as numpy arrays: .tolist() is 10x faster than iterating them.
        names_of_row = [[v] if isinstance(v, str) else [] if v is None or isinstance(v, float)
                        else v.tolist() if hasattr(v, "tolist") else list(v) for v in values]
        rows, spellings, words = self._group(names_of_row)
        weights = {k: float(len(r)) for k, r in rows.items()}
        aliases = None
        if kind == "collection":
            aliases = {}
            for key, w in words.items():
                variants = [w, w[1:] if w[0] == "the" else w]
                variants += [v[:-1] for v in variants if len(v) > 1 and v[-1] == "collection"]
                aliases[key] = sorted({"".join(v) for v in variants if v} - {key})
        names = _Names(spellings, weights, words, aliases)
        if kind == "collection":
            self._collection_names, self._collection_rows = names, rows
        elif kind == "company":
            self._company_names, self._company_rows = names, rows
        else:
            self._director_names, self._director_rows = names, rows

    def _title_items(self, key: str) -> list[dict]:
        answer = self._answers.get(("title", key))
        if answer is None:
            rows = sorted(self._title_rows[key], key=self._rank.__getitem__)
            answer = self._answers[("title", key)] = [
                {C.ID: self._ids[r], C.TITLE: self._titles[r], C.RELEASE_DATE: self._dates[r],
                 C.RELEASE_YEAR: self._years[r], C.RUNTIME: self._runtime[r]} for r in rows]
        return answer

    def _company(self, key: str) -> tuple[int, int, int]:
        answer = self._answers.get(("company", key))
        if answer is None:
            rows = self._company_rows[key]
            answer = self._answers[("company", key)] = (
                len(rows), sum(self._revenues[r] for r in rows), sum(self._revenues[r] > 0 for r in rows))
        return answer

    def _list_answer(self, kind: str, key: str) -> tuple[list[dict], dict]:
        """A collection's movies (oldest first) or a director's (newest first), as items, and their sums."""
        answer = self._answers.get((kind, key))
        if answer is not None:
            return answer
        if kind == "collection":
            rows = sorted(self._collection_rows[key], key=lambda r: (self._dates[r], self._titles[r], self._ids[r]))
        else:
            rows = sorted(self._director_rows[key], key=self._rank.__getitem__)
        items = [{C.ID: self._ids[r], C.TITLE: self._titles[r], C.RELEASE_DATE: self._dates[r],
                  C.RETURN: self._returns[r], C.BUDGET: self._budgets[r], C.REVENUE: self._revenues[r]}
                 for r in rows]
        budgeted = [r for r in rows if self._budgets[r] > 0]
        sums = {"revenue_total": sum(self._revenues[r] for r in rows),
                "movies_with_revenue": sum(self._revenues[r] > 0 for r in rows),
                "return_sum": float(sum(self._returns[r] for r in rows)),
                "movies_with_budget": len(budgeted),
                "budget_total": sum(self._budgets[r] for r in budgeted),
                "revenue_with_budget": sum(self._revenues[r] for r in budgeted)}
        answer = self._answers[(kind, key)] = (items, sums)
        return answer

    def _build_languages(self, codes: list) -> None:
        counts = Counter(c for c in codes if isinstance(c, str) and c)
        names: dict[str, str] = {}  # every accepted code -> English name
        for language in pycountry.languages:
            code = getattr(language, "alpha_2", None)
            if code:
                names[code] = language.name
        names.update(LANGUAGE_OVERRIDES)
        for code in counts:
            names.setdefault(code, code)  # a code of the data that nothing names is still accepted
        lookup: dict[str, str] = {}
        for code, name in names.items():
            for part in name.split(";"):  # "Malay (macrolanguage)" is also "Malay"
                lookup.setdefault(" ".join(_words(part)), code)
                lookup.setdefault(" ".join(_words(re.sub(r"\(.*?\)", "", part))), code)
        for code, name in LANGUAGE_OVERRIDES.items():
            if code in counts or code in ("xx", "cn"):  # TMDB's codes win their names where the data uses them
                lookup[" ".join(_words(name))] = code
        for alias, code in LANGUAGE_ALIASES.items():
            lookup.setdefault(alias, code)
        self._language_counts, self._language_names = counts, names
        self._language_lookup = {**lookup, **{code: code for code in names}}
        self.languages: list[str] = sorted(counts)

    def _build_countries(self, lists: list) -> None:
        counts: Counter = Counter()
        for value in lists:
            if value is not None:
                counts.update(set(value))
        names: dict[str, str] = {}
        lookup: dict[str, str] = {}
        for country in pycountry.countries:
            code = country.alpha_2
            names[code] = getattr(country, "common_name", None) or country.name
            for name in (country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)):
                if name:
                    lookup.setdefault(" ".join(_words(name)), code)
            lookup.setdefault(country.alpha_3.lower(), code)
        names.update(COUNTRY_OVERRIDES)
        for code, name in COUNTRY_OVERRIDES.items():
            lookup.setdefault(" ".join(_words(name)), code)
        for code in counts:
            names.setdefault(code, code)
        for alias, code in COUNTRY_ALIASES.items():
            lookup.setdefault(alias, code)
        self._country_counts, self._country_names = counts, names
        # Two-letter codes first: "in" is India, not a name.
        self._country_lookup = {**lookup, **{code.lower(): code for code in names}}
        self.countries: list[str] = sorted(counts)

    # ---------------------------------------------------------------- helpers

    def _with_streams(self, item: dict) -> dict:
        """A copy of a listed movie with its streaming titles (fresh dicts: answers never share the index's)."""
        return {**item, WHERE_TO_WATCH: [dict(s) for s in self._streams.get(item[C.ID], ())]}

    # ---------------------------------------------------------------- the streaming side

    def facts_for_title(self, title_id: object) -> dict | None:
        """The TMDB facts of the movie a streaming title (an id such as `ds1378`) is linked to by the movies
        ETL's where-to-watch rule: id, title, release_year, runtime (minutes, None when unknown), vote_average,
        vote_count, genres, directors and overview (cut to about 300 characters); None when the title is not
        linked (a TV show, a film TMDB does not have, or no where_to_watch.parquet).
        """
        movie_id = self._movie_of_title.get(title_id) if isinstance(title_id, str) else None
        facts = self._facts.get(movie_id) if movie_id is not None else None
        if facts is None:
            return None
        return {**facts, C.GENRES: list(facts[C.GENRES]), C.DIRECTORS: list(facts[C.DIRECTORS])}

    # ---------------------------------------------------------------- the Movies model's answers

    def card(self, movie_id: int) -> dict | None:
        """A film as an answer lists it: id, title, release_year, genres, where_to_watch; None when unknown."""
        row = self._row_of_id.get(movie_id)
        if row is None:
            return None
        return self._with_streams({C.ID: movie_id, C.TITLE: self._titles[row], C.RELEASE_YEAR: self._years[row],
                                   C.GENRES: list(self._genres[row])})

    def movies_titled(self, value: object, param: str = "title") -> list[dict]:
        """The films titled `value` (matched as peliculas_duracion matches), newest first, as cards; NotFound
        with up to five close titles when none is."""
        key, words = _parse_name(value, param, "Toy Story")
        found = self._title_names.find(key)
        if found is None:
            raise self._title_names.not_found(param, value, "movie title", words)
        return [self.card(item[C.ID]) for item in self._title_items(found)]

    def ids_streaming_on(self, platform: str) -> frozenset[int]:
        """TMDB ids of the films linked to a title of `platform` (a canonical key: netflix, disney, ...)."""
        return self._ids_on.get(platform, frozenset())

    def _closed(self, value: object, param: str, lookup: dict[str, str], names: dict[str, str], what: str,
                examples: str, catalog_codes: list[str]) -> str:
        if value is None or not str(value).strip():
            raise InputError(f"{param} is required: give {what}, e.g. {examples}.")
        text = str(value)
        if len(text) > MAX_NAME_CHARS:
            raise InputError(f"{param} must be {what}; got {len(text)} characters: {_show(text)}.")
        code = lookup.get(" ".join(_words(text)))
        if code is None:
            raise _closed_set_error(param, value, what, examples, lookup, names, catalog_codes)
        return code

    # ---------------------------------------------------------------- the six questions

    def peliculas_idioma(self, idioma: str) -> dict:
        """The number of movies whose original language is `idioma`: an ISO 639-1 code (`en`, `fr`) or its
        English name (`English`, `French`), any case, accents optional. TMDB's non-standard codes are
        accepted as they appear in the data: `xx` "No Language" (films without spoken language) and `cn`
        "Cantonese" (ISO 639-1 has no Cantonese); the withdrawn codes `iw`, `in`, `ji`, `mo` count only the
        movies that carry them. A valid code with no movies gives 0.
        """
        code = self._closed(idioma, "idioma", self._language_lookup, self._language_names,
                            "an ISO 639-1 code or English language name", "en, fr, ja, English", self.languages)
        count = self._language_counts.get(code, 0)
        name = self._language_names[code]
        message = None if count else f"No movie in the catalog has {name} ({code}) as its original language."
        return {"idioma": code, "language": name, "count": count, "message": message}

    def peliculas_duracion(self, pelicula: str) -> dict:
        """The runtime (minutes) and release year of the movie titled `pelicula` (any case, accents and
        punctuation optional). When several movies share the title, each of them, newest first (release
        date, then title, then id). A runtime of 0 or none in the data is unknown (null).
        """
        key, words = _parse_name(pelicula, "pelicula", "Toy Story")
        found = self._title_names.find(key)
        if found is None:
            raise self._title_names.not_found("pelicula", pelicula, "movie title", words)
        items = [self._with_streams(item) for item in self._title_items(found)]
        message = None
        if all(item[C.RUNTIME] is None for item in items):
            message = f"The data does not give the runtime of {self._title_names.display[found]!r}."
        return {"pelicula": self._title_names.display[found], "count": len(items), "items": items,
                "message": message}

    def franquicia(self, franquicia: str, limit: int | str | None = LIMIT_DEFAULT) -> dict:
        """For the collection (franchise) `franquicia`, e.g. `Toy Story Collection`, also found as `toy story`
        (any case, accents optional, without "collection" or a leading "the"): its number of movies, their
        total revenue and mean revenue per movie (movies whose revenue is unknown, 0, are counted in the
        mean), and its movies in release order (oldest first; ties by title, then id), at most `limit`.
        """
        limit = _parse_limit(limit)
        key, words = _parse_name(franquicia, "franquicia", "Toy Story Collection")
        found = self._collection_names.find(key)
        if found is None and len(words) > 1 and words[0] == "the":  # "the toy story" is "Toy Story Collection"
            found = self._collection_names.find(key[3:])
        if found is None:
            raise self._collection_names.not_found("franquicia", franquicia, "collection", words)
        items, sums = self._list_answer("collection", found)
        count = len(items)
        name = self._collection_names.display[found]
        message = None
        if not sums["movies_with_revenue"]:
            message = f"The data gives no revenue for any of the {count} movies of {name!r} (all 0)."
        return {"franquicia": name, "count": count, "revenue_total": sums["revenue_total"],
                "revenue_mean": sums["revenue_total"] / count, "movies_with_revenue": sums["movies_with_revenue"],
                "limit": limit, "items": [self._with_streams(item) for item in items[:limit]], "message": message}

    def peliculas_pais(self, pais: str) -> dict:
        """The number of movies that have `pais` among their production countries: an ISO 3166-1 alpha-2
        code (`FR`), an alpha-3 code (`FRA`) or an English name (`France`, `United States`, `USA`), any case,
        accents optional. Former countries TMDB uses have their codes and names: SU Soviet Union,
        XC Czechoslovakia, XG East Germany, YU Yugoslavia, CS Serbia and Montenegro, AN Netherlands Antilles.
        A valid country with no movies gives 0.
        """
        code = self._closed(pais, "pais", self._country_lookup, self._country_names,
                            "an ISO 3166-1 code or English country name", "FR, US, France, United Kingdom",
                            self.countries)
        count = self._country_counts.get(code, 0)
        name = self._country_names[code]
        message = None if count else f"No movie in the catalog was produced in {name} ({code})."
        return {"pais": code, "country": name, "count": count, "message": message}

    def productoras_exitosas(self, productora: str) -> dict:
        """The total revenue (US dollars, unknown revenue counted as 0) and the number of movies of the
        production company `productora` (its full name as in the data, e.g. `Pixar Animation Studios`; any
        case, accents and punctuation optional).
        """
        key, words = _parse_name(productora, "productora", "Pixar Animation Studios")
        found = self._company_names.find(key)
        if found is None:
            raise self._company_names.not_found("productora", productora, "production company", words)
        count, revenue, with_revenue = self._company(found)
        name = self._company_names.display[found]
        message = None if with_revenue else f"The data gives no revenue for any of the {count} movies of {name}."
        return {"productora": name, "count": count, "revenue_total": revenue, "movies_with_revenue": with_revenue,
                "message": message}

    def get_director(self, nombre_director: str, limit: int | str | None = LIMIT_DEFAULT) -> dict:
        """The success of the director `nombre_director` (any case, accents optional) measured two ways: the
        sum of the individual returns of their movies (return = revenue / budget, 0 when the budget is
        unknown) and the overall return, total revenue / total budget over their movies with a budget (None
        when none has one); and their movies, newest first (release date, then title, then id), at most
        `limit`, each with title, release date, return, budget and revenue.
        """
        limit = _parse_limit(limit)
        key, words = _parse_name(nombre_director, "nombre_director", "John Lasseter")
        found = self._director_names.find(key)
        if found is None:
            raise self._director_names.not_found("nombre_director", nombre_director, "director", words)
        items, sums = self._list_answer("director", found)
        name = self._director_names.display[found]
        overall = sums["revenue_with_budget"] / sums["budget_total"] if sums["budget_total"] else None
        message = None
        if overall is None:
            message = (f"The data gives no budget for any of the {len(items)} movies of {name}, so their "
                       "return is unknown (0).")
        return {"nombre_director": name, "count": len(items), "return_sum": sums["return_sum"],
                "return_overall": overall, "movies_with_budget": sums["movies_with_budget"],
                "budget_total": sums["budget_total"], "revenue_with_budget": sums["revenue_with_budget"],
                "revenue_total": sums["revenue_total"], "limit": limit,
                "items": [self._with_streams(item) for item in items[:limit]], "message": message}


def load_movies_catalog(folder: str | Path) -> MoviesCatalog:
    """The movies catalog from `folder`/movies.parquet (folder: the catalog's own, data/processed/movies), with
    its indexes built, and where its films stream from `folder`/where_to_watch.parquet (missing: no film streams
    anywhere, and a note in this module's log)."""
    path = Path(folder) / C.MOVIES_FILE
    if not path.is_file():
        raise InputError(f"{path} not found: build it with `python -m etl --catalog movies`.")
    available = set(pq.read_schema(path).names)
    movies = pd.read_parquet(path, columns=REQUIRED_COLUMNS + [c for c in FACTS_COLUMNS if c in available])
    links_path = Path(folder) / WHERE_TO_WATCH_FILE
    if links_path.is_file():
        links = read_where_to_watch(folder)
    else:
        links = None
        log.warning("%s not found: Movies answers list no streaming platforms and streaming titles show no TMDB "
                    "facts; build it with `python -m etl` (both catalogs).", links_path)
    return MoviesCatalog(movies, links)
