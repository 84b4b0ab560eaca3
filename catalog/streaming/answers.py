"""The streaming catalog's model-backed answers as JSON-ready dicts, shared by the REST API and the Gradio UI.

Each function takes the loaded AppState and raw inputs as any door sends them ("42", 42.0, a title or its
id), parses them with the inputs package, and raises errors.InputError for bad input or
serving.state.Unavailable when a piece is not built: recommend, top picks, similar titles, search, and the cold
start (what a user with no ratings is shown instead: titles like one they name, else the newest releases).

A recommended title and a similar-titles seed carry "tmdb": the TMDB facts of the movie the title is linked
to (the Movies catalog's where-to-watch links, catalog.movies.queries.MoviesCatalog.facts_for_title), or None
when it is not linked or the Movies catalog is not loaded.
"""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import numpy as np

from catalog.movies import MOVIES
from catalog.streaming.similar import SimilarTitles, is_placeholder
from config import COL_ID, COL_PLATFORM
from errors import InputError
from inputs.choices import parse_optional_content_type
from inputs.numbers import parse_limit, parse_n, parse_user_id
from inputs.platforms import parse_optional_platform
from inputs.text import is_blank
from serving.explain import explain, verdict

if TYPE_CHECKING:
    from serving.state.snapshot import AppState


def cold_start_answer(state: AppState, user: int, seed_title: str | None = None, n: int = 5,
                      platform: str | None = None, content_type: str | None = None) -> dict:
    """For a user the model never saw (cold_start): a notice and titles to show instead."""
    if state.similar is None:  # no content neighbours loaded: the notice alone (a 503 while they are loading)
        state.check_loading("similar")
        return {"notice": f"User {user} has no ratings yet, so the rating model cannot personalise for them.",
                "basis": None, "items": []}
    answer = cold_start(user, state.similar, seed_title=seed_title, n=n, platform=platform,
                        content_type=content_type)
    return {"notice": answer["notice"], "basis": answer["basis"], "items": answer["items"]}


def tmdb_facts(state: AppState, title_id: str) -> dict | None:
    """The TMDB facts of a streaming title linked to a movie; None when unlinked or without the Movies catalog."""
    movies = state.queries.get(MOVIES.name)
    return movies.facts_for_title(title_id) if movies is not None else None


def recommend(state: AppState, user_id: object, title: object) -> dict:
    """Predicted rating of a title (id or exact title) for a user, the decision and its explanation."""
    user = parse_user_id(user_id)
    predictor = state.require_model()
    title_id = state.require_index().resolve(str(title) if title is not None else "")
    prediction = predictor.predict(user, title_id)
    info = state.title_info(title_id)
    answer = {
        "user_id": user, "title_id": title_id, "title": info["title"], "platform": info.get("platform"),
        "type": info.get("type"), "release_year": info.get("release_year"),
        "predicted_rating": round(float(prediction.rating), 4), "threshold": prediction.threshold,
        "recommend": bool(prediction.recommend), "decision": verdict(prediction.recommend),
        "explanation": explain(prediction), "terms": asdict(prediction.explanation),
        "known_user": prediction.explanation.known_user, "tmdb": tmdb_facts(state, title_id),
    }
    if not prediction.explanation.known_user:  # titles like the one they asked about, instead
        alternatives = cold_start_answer(state, user, seed_title=title_id)
        answer.update(notice=alternatives["notice"], basis=alternatives["basis"], alternatives=alternatives["items"])
    return answer


def top_n(state: AppState, user_id: object, n: object = 10, platform: object = None,
          content_type: object = None) -> dict:
    """The user's n best titles (optionally one platform / content type), leaving out the titles they rated."""
    user = parse_user_id(user_id)
    n = parse_n(n)
    platform, content_type = parse_optional_platform(platform), parse_optional_content_type(content_type)
    predictor = state.require_model()
    answer = {"user_id": user, "n": n, "platform": platform, "type": content_type,
              "known_user": predictor.is_known_user(user), "n_rated": predictor.n_rated(user), "notice": None,
              "basis": "predicted_rating"}
    if not answer["known_user"]:  # no ratings: the model would rank every user alike; show the cold-start list
        answer.update(cold_start_answer(state, user, n=n, platform=platform, content_type=content_type))
        return answer
    ranked = predictor.top_n(user, n, platform, content_type)
    answer["items"] = [{**state.title_info(str(row[COL_ID])),
                        "predicted_rating": round(float(row["predicted_rating"]), 4),
                        "recommend": bool(row["recommend"])} for _, row in ranked.iterrows()]
    return answer


def similar(state: AppState, title: object, n: object = 10, platform: object = None,
            content_type: object = None) -> dict:
    """The n titles most like a title (id or exact title), optionally on one platform / of one content type."""
    engine = state.require_similar()
    title_text = "" if title is None else str(title)
    items = engine.similar(title_text, n=n, platform=parse_optional_platform(platform),
                           content_type=parse_optional_content_type(content_type))
    seed = engine.info(title_text)
    return {"title_id": seed[COL_ID], "title": seed["title"], "platform": seed["platform"],
            "tmdb": tmdb_facts(state, seed[COL_ID]), "n": len(items), "items": items}


def search(state: AppState, q: object, limit: object = 10) -> dict:
    """Catalog titles matching a partial, misspelled or any-case query, best first."""
    query = "" if q is None else str(q).strip()
    if not query:
        raise InputError("q is required: give part of a title, e.g. 'toy story'.")
    limit = parse_limit(limit)
    return {"query": query, "items": state.require_index().search(query, limit=limit)}


# ---- cold start: the rating model knows nothing of a user without ratings (it would give everyone the same
# average), and title offsets carry no signal here (ratings were dealt to titles at random) -----------------
def cold_start(user_id: object, similar: SimilarTitles, seed_title: str | None = None, n: object = 10,
               platform: str | None = None, content_type: str | None = None) -> dict:
    """Notice + alternatives for a user with no ratings.

    Returns {"user_id", "known_user": False, "basis": "similar_to_seed" | "newest_titles", "notice",
    "seed": the seed title's card or None, "items": list of title cards (as SimilarTitles.similar)}.
    An unknown seed title raises InputError with search suggestions.
    """
    user = parse_user_id(user_id)
    n = parse_n(n)
    no_ratings = (f"User {user} has no ratings yet, so the rating model cannot personalise for them "
                  "(it would only return the same average for everyone).")
    if not is_blank(seed_title):
        seed = similar.info(seed_title)
        items = similar.similar(seed[COL_ID], n=n, platform=platform, content_type=content_type)
        notice = (f"{no_ratings} Instead, here are titles similar in content (genres, description, cast, "
                  f"director, country) to '{seed['title']}' ({seed[COL_PLATFORM]}, {seed['release_year']}).")
        return {"user_id": user, "known_user": False, "basis": "similar_to_seed", "notice": notice,
                "seed": seed, "items": items}
    items = [similar.info(id_) for id_ in newest_titles(similar, n, platform, content_type)]
    notice = (f"{no_ratings} Pick a title you like to get titles similar to it; meanwhile, here are the "
              "newest releases, from each platform in turn.")
    return {"user_id": user, "known_user": False, "basis": "newest_titles", "notice": notice,
            "seed": None, "items": items}


def newest_titles(similar: SimilarTitles, n: int, platform: str | None = None,
                  content_type: str | None = None) -> list[str]:
    """Ids of the n newest titles (release year, then date added), alternating between platforms."""
    titles = similar.titles
    keep = ~is_placeholder(titles)
    platform = parse_optional_platform(platform)
    if platform is not None:
        keep &= (titles[COL_PLATFORM] == platform).to_numpy()
    content_type = parse_optional_content_type(content_type)
    if content_type is not None:
        keep &= (titles["type"] == content_type).to_numpy()
    newest = titles[keep].sort_values(["release_year", "date_added", COL_ID], ascending=[False, False, True],
                                      na_position="last")
    # Rank within each platform, then interleave: 1st of each platform, 2nd of each, ...
    turn = newest.groupby(COL_PLATFORM, sort=False).cumcount().to_numpy()
    order = np.lexsort((np.arange(len(newest)), turn))
    return newest[COL_ID].to_numpy()[order][:n].astype(str).tolist()
