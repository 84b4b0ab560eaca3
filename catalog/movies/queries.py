"""The Movies catalog's six questions, answered from indexes built once when the catalog is loaded.

    catalog = load_movies_catalog("data/processed/movies")     # reads its movies.parquet
    catalog.peliculas_idioma("en")                      # -> {"idioma": "en", "language": "English", "count": ...}
    catalog.franquicia("toy story")                     # -> {"franquicia": "Toy Story Collection", "count": 3, ...}

Every answer is a JSON-ready dict that echoes the normalised inputs and carries a "message" key (None when there
is an answer, a sentence when the data cannot answer); a listed movie carries its where_to_watch. Each method's
docstring starts with the question's definition (shown by the UI and README). Names (titles, collections,
companies, directors) match by catalog.names; one that matches nothing raises NotFound with close names.
"""
from __future__ import annotations

import gc
import logging
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from catalog.movies import codes, schema
from catalog.movies.cards import cut_overview, text_list
from catalog.movies.where_to_watch import WHERE_TO_WATCH_FILE, movie_by_title, read_where_to_watch, streams_by_movie
from catalog.names import NameIndex, name_keys, name_words
from errors import InputError
from inputs.numbers import parse_n
from inputs.text import check_length, echo, is_empty

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

log = logging.getLogger(__name__)


def parse_limit(value: object, name: str = "limit") -> int:
    """How many movies a list gives: inputs.numbers' count rule (ASCII digits, 1-100); None or blank -> 50."""
    return LIMIT_DEFAULT if is_empty(value) else parse_n(value, LIMIT_MAX, name)


def parse_name(value: object, name: str, example: str) -> tuple[str, list[str]]:
    """A required name as (key, words); InputError when blank, too long or without a letter or digit."""
    if value is None or (isinstance(value, float) and value != value) or not str(value).strip():
        raise InputError(f"{name} is required: give a name, e.g. {example!r}.")
    check_length(value, name)
    words = name_words(str(value))
    if not words:
        raise InputError(f"{name} must contain a letter or a digit, e.g. {example!r}; got {echo(str(value))}.")
    return "".join(words), words


class MoviesCatalog:
    """The movies table with the indexes the six questions need. Build with load_movies_catalog().

    `links`: the where-to-watch table (catalog.movies.where_to_watch.LINK_COLUMNS; None: no film streams anywhere)."""

    def __init__(self, movies: pd.DataFrame, links: pd.DataFrame | None = None):
        missing = [c for c in schema.REQUIRED_COLUMNS if c not in movies.columns]
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
        ids = movies[schema.ID].astype("int64").tolist()
        titles = movies[schema.TITLE].astype(str).tolist()
        dates = movies[schema.RELEASE_DATE].astype(str).tolist()
        years = movies[schema.RELEASE_YEAR].astype("int64").tolist()
        runtimes = movies[schema.RUNTIME].astype("float64").tolist()
        budgets = movies[schema.BUDGET].astype("int64").tolist()
        revenues = movies[schema.REVENUE].astype("int64").tolist()
        returns = movies[schema.RETURN].astype("float64").tolist()
        votes = movies[schema.VOTE_COUNT].fillna(0).astype("int64").tolist()
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
        genres = movies[schema.GENRES].tolist() if schema.GENRES in movies.columns else [None] * self.size
        self._genres = [tuple(text_list(g)) for g in genres]
        posters = movies[schema.POSTER_PATH].tolist() if schema.POSTER_PATH in movies.columns else [None] * self.size
        self._posters = [p if isinstance(p, str) and p else None for p in posters]
        # A name's list answer is built at its first question and kept (a few microseconds per movie).
        self._answers: dict[tuple[str, str], object] = {}
        self._build_titles(titles, votes)
        self._build_lists(movies[schema.COLLECTION].tolist(), "collection")
        self._build_lists(movies[schema.COMPANIES].tolist(), "company")
        self._build_lists(movies[schema.DIRECTORS].tolist(), "director")
        self._languages = codes.languages(movies[schema.LANGUAGE].tolist())
        self._countries = codes.countries(movies[schema.COUNTRIES].tolist())
        self.languages, self.countries = self._languages.in_catalog, self._countries.in_catalog

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
                  for name in (schema.VOTE_AVERAGE, schema.VOTE_COUNT, schema.GENRES, schema.OVERVIEW,
                               schema.DIRECTORS)}

        def value(name: str, row: int) -> object:
            values = column[name]
            return None if values is None else values[row]

        self._facts = {}
        for movie_id, row in row_of.items():
            average, votes = value(schema.VOTE_AVERAGE, row), value(schema.VOTE_COUNT, row)
            self._facts[movie_id] = {
                schema.ID: movie_id, schema.TITLE: self._titles[row], schema.RELEASE_YEAR: self._years[row],
                schema.RUNTIME: self._runtime[row],
                schema.VOTE_AVERAGE: None if average is None or pd.isna(average) else float(average),
                schema.VOTE_COUNT: None if votes is None or pd.isna(votes) else int(votes),
                schema.GENRES: tuple(text_list(value(schema.GENRES, row))),
                schema.DIRECTORS: tuple(dict.fromkeys(text_list(value(schema.DIRECTORS, row)))),
                schema.OVERVIEW: cut_overview(value(schema.OVERVIEW, row))}

    def _group(self, names_of_row: list[list[str]]) -> tuple[dict, dict, dict]:
        """Names per movie -> (key -> rows, key -> {spelling: movies}, key -> words). A movie counts once
        per key, even when it lists the name twice or in two spellings."""
        rows_of_name: dict[str, list[int]] = {}
        for row, names in enumerate(names_of_row):
            for name in names:
                rows_of_name.setdefault(name, []).append(row)
        keys = name_keys([n for n in rows_of_name if isinstance(n, str)])
        rows: dict[str, list[int]] = {}
        spellings: dict[str, dict[str, int]] = {}
        words: dict[str, list[str]] = {}
        for name, name_rows in rows_of_name.items():
            w = keys[name].split() if isinstance(name, str) else []
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
        # full passes stay fast however big the catalog (lists would be scanned at every pass).
        return ({k: tuple(r) for k, r in rows.items()}, spellings, {k: tuple(w) for k, w in words.items()})

    def _build_titles(self, titles: list[str], votes: list[int]) -> None:
        self._title_rows, spellings, words = self._group([[t] for t in titles])
        weights = {k: sum(votes[r] for r in rows) for k, rows in self._title_rows.items()}
        self._title_names = NameIndex(spellings, weights, words)

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
        names = NameIndex(spellings, weights, words, aliases)
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
                {schema.ID: self._ids[r], schema.TITLE: self._titles[r], schema.RELEASE_DATE: self._dates[r],
                 schema.RELEASE_YEAR: self._years[r], schema.RUNTIME: self._runtime[r]} for r in rows]
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
        items = [{schema.ID: self._ids[r], schema.TITLE: self._titles[r], schema.RELEASE_DATE: self._dates[r],
                  schema.RETURN: self._returns[r], schema.BUDGET: self._budgets[r], schema.REVENUE: self._revenues[r]}
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

    # ---------------------------------------------------------------- helpers

    def _with_streams(self, item: dict) -> dict:
        """A copy of a listed movie with its streaming titles (fresh dicts: answers never share the index's)."""
        return {**item, schema.WHERE_TO_WATCH: [dict(s) for s in self._streams.get(item[schema.ID], ())]}

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
        return {**facts, schema.GENRES: list(facts[schema.GENRES]), schema.DIRECTORS: list(facts[schema.DIRECTORS])}

    # ---------------------------------------------------------------- the Movies model's answers

    def card(self, movie_id: int) -> dict | None:
        """A film as an answer lists it: id, title, release_year, genres, where_to_watch; None when unknown."""
        row = self._row_of_id.get(movie_id)
        if row is None:
            return None
        return self._with_streams({schema.ID: movie_id, schema.TITLE: self._titles[row],
                                   schema.RELEASE_YEAR: self._years[row],
                                   schema.GENRES: list(self._genres[row])})

    def poster_path(self, movie_id: int) -> str | None:
        """The film's TMDB image path ("/rhIRbceoE9lR4veEXuwCC2wARtG.jpg"); None when it has none or is unknown."""
        row = self._row_of_id.get(movie_id)
        return None if row is None else self._posters[row]

    def movies_titled(self, value: object, param: str = "title") -> list[dict]:
        """The films titled `value` (matched as peliculas_duracion matches), newest first, as cards; NotFound
        with up to five close titles when none is."""
        key, words = parse_name(value, param, "Toy Story")
        found = self._title_names.find(key)
        if found is None:
            raise self._title_names.not_found(param, value, "movie title", words)
        return [self.card(item[schema.ID]) for item in self._title_items(found)]

    def ids_streaming_on(self, platform: str) -> frozenset[int]:
        """TMDB ids of the films linked to a title of `platform` (a canonical key: netflix, disney, ...)."""
        return self._ids_on.get(platform, frozenset())

    # ---------------------------------------------------------------- the six questions

    def peliculas_idioma(self, idioma: str) -> dict:
        """The number of movies whose original language is `idioma`: an ISO 639-1 code (`en`, `fr`) or its
        English name (`English`, `French`), any case, accents optional. TMDB's non-standard codes are
        accepted as they appear in the data: `xx` "No Language" (films without spoken language) and `cn`
        "Cantonese" (ISO 639-1 has no Cantonese); the withdrawn codes `iw`, `in`, `ji`, `mo` count only the
        movies that carry them. A valid code with no movies gives 0.
        """
        code = self._languages.parse(idioma, "idioma")
        count = self._languages.counts.get(code, 0)
        name = self._languages.names[code]
        message = None if count else f"No movie in the catalog has {name} ({code}) as its original language."
        return {"idioma": code, "language": name, "count": count, "message": message}

    def peliculas_duracion(self, pelicula: str) -> dict:
        """The runtime (minutes) and release year of the movie titled `pelicula` (any case, accents and
        punctuation optional). When several movies share the title, each of them, newest first (release
        date, then title, then id). A runtime of 0 or none in the data is unknown (null).
        """
        key, words = parse_name(pelicula, "pelicula", "Toy Story")
        found = self._title_names.find(key)
        if found is None:
            raise self._title_names.not_found("pelicula", pelicula, "movie title", words)
        items = [self._with_streams(item) for item in self._title_items(found)]
        message = None
        if all(item[schema.RUNTIME] is None for item in items):
            message = f"The data does not give the runtime of {self._title_names.display[found]!r}."
        return {"pelicula": self._title_names.display[found], "count": len(items), "items": items,
                "message": message}

    def franquicia(self, franquicia: str, limit: int | str | None = LIMIT_DEFAULT) -> dict:
        """For the collection (franchise) `franquicia`, e.g. `Toy Story Collection`, also found as `toy story`
        (any case, accents optional, without "collection" or a leading "the"): its number of movies, their
        total revenue and mean revenue per movie (movies whose revenue is unknown, 0, are counted in the
        mean), and its movies in release order (oldest first; ties by title, then id), at most `limit`.
        """
        limit = parse_limit(limit)
        key, words = parse_name(franquicia, "franquicia", "Toy Story Collection")
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
        code = self._countries.parse(pais, "pais")
        count = self._countries.counts.get(code, 0)
        name = self._countries.names[code]
        message = None if count else f"No movie in the catalog was produced in {name} ({code})."
        return {"pais": code, "country": name, "count": count, "message": message}

    def productoras_exitosas(self, productora: str) -> dict:
        """The total revenue (US dollars, unknown revenue counted as 0) and the number of movies of the
        production company `productora` (its full name as in the data, e.g. `Pixar Animation Studios`; any
        case, accents and punctuation optional).
        """
        key, words = parse_name(productora, "productora", "Pixar Animation Studios")
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
        limit = parse_limit(limit)
        key, words = parse_name(nombre_director, "nombre_director", "John Lasseter")
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
    path = Path(folder) / schema.MOVIES_FILE
    if not path.is_file():
        raise InputError(f"{path} not found: build it with `python -m etl --catalog movies`.")
    available = set(pq.read_schema(path).names)
    facts = [c for c in schema.FACTS_COLUMNS + schema.POSTER_COLUMNS if c in available]
    movies = pd.read_parquet(path, columns=schema.REQUIRED_COLUMNS + facts)
    links_path = Path(folder) / WHERE_TO_WATCH_FILE
    if links_path.is_file():
        links = read_where_to_watch(folder)
    else:
        links = None
        log.warning("%s not found: Movies answers list no streaming platforms and streaming titles show no TMDB "
                    "facts; build it with `python -m etl` (both catalogs).", links_path)
    return MoviesCatalog(movies, links)
