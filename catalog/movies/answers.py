"""The Movies catalog's model-backed answers, as JSON-ready dicts shared by the REST API and the Gradio UI.

    recommend(state, user_id, movie)          a MovieLens user and a film: predicted rating, verdict, why
    top_n(state, user_id, n, genre, year_from, year_to, platform)   a MovieLens user's best unrated films
    for_visitor(state, ratings, n, platform, exclude)  a visitor's own picks from three or more rated films,
                                              never the films in `exclude` (not interested)
    similar(state, movie, n, platform)        films like a film: by content (whole catalog) and by the people
                                              who liked it (the list ranker's neighbours)
    search(state, q, limit)                   rated films matching part of a title (the UI's search box)

A film is named by its TMDB id (an integer: 862) or its title (a string: "toy story"); ids are never read as
titles, so the film titled "2012" is asked for as "2012" and TMDB id 2012 as 2012. Every listed film carries
its where_to_watch (the streaming titles it is linked to) and its `poster` (TMDB's image address, None when it
has none or APP_REMOTE_IMAGES is off: serving.posters); a visitor's pick also its `because` (the rated films
raising its list score most, MoviesModel.because). A filter that leaves fewer films than asked gives
what there is, with a "notice" saying so. Bad input is errors.InputError (NotFound for an unknown film, with
suggestions); a model or catalog not loaded is serving.state.Unavailable.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from catalog.movies import MOVIES
from catalog.movies.model import MoviesModel
from catalog.movies.queries import MoviesCatalog
from errors import InputError, NotFound
from inputs.numbers import FILM_YEARS, FILM_YEARS_SPAN, parse_limit, parse_n, parse_optional_year, parse_user_id
from inputs.platforms import parse_optional_platform
from inputs.ratings import parse_exclude, parse_rated
from inputs.text import echo, is_empty
from inputs.titles import parse_tmdb_id
from serving.explain import explain, verdict
from serving.posters import poster_url, remote_images

if TYPE_CHECKING:
    from serving.state.snapshot import AppState

MOVIE_HELP = "a TMDB id as a number (e.g. 862) or a title as text (e.g. 'toy story')"


def _parts(state: AppState) -> tuple[MoviesModel, MoviesCatalog]:
    return state.require_movie_model(), state.require_queries(MOVIES)


def resolve_movie(movies: MoviesCatalog, value: object, param: str = "movie",
                  model: MoviesModel | None = None) -> int:
    """The TMDB id a film reference names: a number is an id of the catalog, text a title. A title several
    films share (remakes) means the one with the most MovieLens ratings in `model` (answers echo the film they
    used, with its year); when none has ratings, the message lists them with their ids."""
    if isinstance(value, bool) or value is None or is_empty(value):
        raise InputError(f"{param} is required: {MOVIE_HELP}.")
    if isinstance(value, (int, float)):
        tmdb_id = parse_tmdb_id(value)
        if movies.card(tmdb_id) is None:
            raise NotFound(f"no film of the catalog has TMDB id {tmdb_id}; give another id, or a title as text.")
        return tmdb_id
    cards = movies.movies_titled(value, param)
    if len(cards) > 1 and model is not None:
        counts = {c["id"]: int(model.item_n_ratings[i]) for c in cards if (i := model.item_index(c["id"])) is not None}
        if counts:
            return max(counts, key=lambda tmdb_id: (counts[tmdb_id], -tmdb_id))
    if len(cards) > 1:
        listed = "; ".join(f"{c['title']} ({c['release_year']}, TMDB id {c['id']})" for c in cards[:10])
        raise InputError(f"{param} {echo(value)} names {len(cards)} films: {listed}. Give its TMDB id as a number.")
    return int(cards[0]["id"])


def _listed(movies: MoviesCatalog, items: list[dict]) -> list[dict]:
    """The recommender's items with the catalog's where_to_watch and poster (and its year and genres for any
    film); a `because` names the catalog's titles."""
    out = []
    remote = remote_images()
    for item in items:
        card = movies.card(item["id"]) or {}
        out.append({**item, "release_year": card.get("release_year", item.get("year")),
                    "genres": card.get("genres", item.get("genres", [])),
                    "where_to_watch": card.get("where_to_watch", []),
                    "poster": poster_url(movies.poster_path(item["id"]), remote)})
        out[-1].pop("year", None)
        if "because" in item:
            out[-1]["because"] = [{**b, "title": (movies.card(b["id"]) or b)["title"]} for b in item["because"]]
    return out


def _with_poster(movies: MoviesCatalog, card: dict, remote: bool) -> dict:
    return {**card, "poster": poster_url(movies.poster_path(card["id"]), remote)}


def _allowed(movies: MoviesCatalog, platform: object) -> tuple[str | None, frozenset[int] | None]:
    key = parse_optional_platform(platform)
    return key, (movies.ids_streaming_on(key) if key else None)


def _fewer(found: int, n: int, singular: str, plural: str) -> str | None:
    """The notice when a filter leaves fewer than n films: `singular` / `plural` complete "film(s) ..."."""
    if found >= n:
        return None
    if found == 0:
        return f"No film {singular}."
    return f"Only 1 film {singular}: here it is." if found == 1 else f"Only {found} films {plural}: here they are."


def recommend(state: AppState, user_id: object, movie: object) -> dict:
    """A MovieLens user's predicted rating of a film, the verdict at the threshold and the explanation."""
    user = parse_user_id(user_id)
    model, movies = _parts(state)
    tmdb_id = resolve_movie(movies, movie, "movie", model)
    prediction = model.predict(user, tmdb_id)
    if not prediction.explanation.known_user:
        raise NotFound(f"user {user} is not one of the model's {model.user_ids.size:,} MovieLens users (ids "
                       f"{model.user_ids[0]}-{model.user_ids[-1]}); rate three films as a visitor instead.")
    card = movies.card(tmdb_id)
    return {"user_id": user, "id": tmdb_id, "title": card["title"], "release_year": card["release_year"],
            "genres": card["genres"], "where_to_watch": card["where_to_watch"],
            "poster": poster_url(movies.poster_path(tmdb_id)),
            "predicted_rating": round(float(prediction.rating), 4), "threshold": prediction.threshold,
            "recommend": bool(prediction.recommend), "decision": verdict(prediction.recommend),
            "explanation": explain(prediction), "terms": asdict(prediction.explanation),
            "rated_by_model": model.item_index(tmdb_id) is not None}


def _genres(genre: object) -> list[str] | None:
    if is_empty(genre):
        return None
    names = [g.strip() for g in str(genre).split(",") if g.strip()]
    return names or None


def top_n(state: AppState, user_id: object, n: object = 10, genre: object = None, year_from: object = None,
          year_to: object = None, platform: object = None) -> dict:
    """A MovieLens user's n best films (the list ranker fed their ratings; each with SVD's predicted rating and
    verdict), leaving out the films they rated: optionally of a
    genre (or several, comma-separated), released from `year_from` to `year_to`, streaming on a platform."""
    user, n = parse_user_id(user_id), parse_n(n)
    model, movies = _parts(state)
    genres = _genres(genre)
    lo = parse_optional_year(year_from, FILM_YEARS, "year_from", FILM_YEARS_SPAN)
    hi = parse_optional_year(year_to, FILM_YEARS, "year_to", FILM_YEARS_SPAN)
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"year_from ({lo}) must not be after year_to ({hi}).")
    key, allowed = _allowed(movies, platform)
    years = None if lo is None and hi is None else (lo if lo is not None else 0, hi if hi is not None else 9999)
    items = _listed(movies, model.top_n_for_user(user, n, genres, years, allowed))
    filters = {"genre": genres, "year_from": lo, "year_to": hi, "platform": key}
    if any(v is not None for v in filters.values()):
        notice = _fewer(len(items), n, "matches these filters among the films the user has not rated",
                        "match these filters among the films the user has not rated")
    else:
        notice = _fewer(len(items), n, "is left that the user has not rated", "are left that the user has not rated")
    u = model.user_index(user)
    return {"user_id": user, "n": n, **filters, "n_rated": int(model.rated_indptr[u + 1] - model.rated_indptr[u]),
            "notice": notice, "items": items}


def for_visitor(state: AppState, ratings: object, n: object = 10, platform: object = None,
                exclude: object = None) -> dict:
    """A visitor's n best films from their own ratings (at least three; the films they rated never among them,
    nor the films in `exclude`, a list of TMDB ids they said they are not interested in). Each pick says
    `because`: up to three rated films raising its list score most, with their share of it."""
    n = parse_n(n)
    excluded = parse_exclude(exclude)
    model, movies = _parts(state)
    pairs = parse_rated(ratings)
    resolved = [(resolve_movie(movies, movie, "movie", model), rating) for movie, rating in pairs]
    unrated = [tmdb_id for tmdb_id, _ in resolved if model.item_index(tmdb_id) is None]
    if unrated:
        named = ", ".join(f"{movies.card(t)['title']} (TMDB id {t})" for t in unrated)
        raise InputError(f"the model knows no ratings of {named}, so it cannot learn your taste from "
                         f"{'it' if len(unrated) == 1 else 'them'}: rate films with MovieLens ratings "
                         f"({model.item_ids.size:,} of the catalog's films; /movies/search finds them).")
    key, allowed = _allowed(movies, platform)
    items = _listed(movies, model.for_visitor(resolved, n, allowed, exclude_ids=excluded))
    cards = [movies.card(tmdb_id) for tmdb_id, _ in resolved]
    rated = [{"id": card["id"], "title": card["title"], "release_year": card["release_year"], "rating": float(rating)}
             for card, (_, rating) in zip(cards, resolved, strict=True)]
    if key:
        notice = _fewer(len(items), n, f"you have not rated streams on {key}", f"you have not rated stream on {key}")
    else:
        notice = _fewer(len(items), n, "is left that you have not rated", "are left that you have not rated")
    return {"n": n, "platform": key, "rated": rated, "exclude": excluded, "notice": notice, "items": items}


def similar(state: AppState, movie: object, n: object = 10, platform: object = None) -> dict:
    """Films like a film: by content over the whole catalog, and for a rated film by the people who liked it
    (its list-ranker neighbours)."""
    n = parse_n(n)
    model, movies = _parts(state)
    tmdb_id = resolve_movie(movies, movie, "movie", model)
    key, allowed = _allowed(movies, platform)
    remote = remote_images()
    content = [{**_with_poster(movies, movies.card(other), remote), "score": score}
               for other, score in model.similar_by_content(tmdb_id) if allowed is None or other in allowed][:n]
    taste = _listed(movies, model.similar_by_taste(tmdb_id, n, allowed))
    card = movies.card(tmdb_id)
    on = f" on {key}" if key else ""
    notice = _fewer(len(content), n, f"among its closest in content streams{on}" if key else "is close in content",
                    f"among its closest in content stream{on}" if key else "are close in content")
    if model.item_index(tmdb_id) is None:
        taste_notice = "No MovieLens ratings of this film, so no neighbours by taste."
    else:
        taste_notice = _fewer(len(taste), n, f"close in taste streams{on}" if key else "is close in taste",
                              f"close in taste stream{on}" if key else "are close in taste")
    return {"id": tmdb_id, "title": card["title"], "release_year": card["release_year"], "genres": card["genres"],
            "where_to_watch": card["where_to_watch"], "poster": poster_url(movies.poster_path(tmdb_id), remote),
            "n": n, "platform": key, "notice": notice,
            "items": content, "by_taste": {"notice": taste_notice, "items": taste}}


def search(state: AppState, q: object, limit: object = 10) -> dict:
    """Films with ratings (the ones a visitor can rate) matching part of a title, best first."""
    query = "" if q is None else str(q).strip()
    if not query:
        raise InputError("q is required: give part of a title, e.g. 'toy story'.")
    model, movies = _parts(state)
    remote = remote_images()
    return {"query": query, "items": [_with_poster(movies, card, remote)
                                      for card in model.search(query, parse_limit(limit))]}
