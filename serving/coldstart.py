"""Cold start: what to show a user id with no ratings, instead of a silent global-mean answer.

The SVD model knows nothing about such a user: every "prediction" would be the global mean plus a title
offset, and title offsets carry no signal here (ratings were assigned to titles at random). So the app
calls this when `Predictor.is_known_user(user)` is False:

    cold_start(999999999, similar)                          # notice + newest titles, asks for a seed title
    cold_start(999999999, similar, seed_title="toy story")  # notice + titles similar to the one they picked

The answer is content-based (serving.similar): titles like one the user names, which needs no ratings at all.
Without a seed there is nothing to go on, so the notice asks for one and lists the newest releases, taken in
turn from each platform so no catalog dominates (release year is catalog fact, unlike our rating counts).
"""
from __future__ import annotations

import numpy as np

from config import COL_ID, COL_PLATFORM
from inputs.choices import parse_optional_content_type
from inputs.numbers import parse_n, parse_user_id
from inputs.platforms import parse_optional_platform
from inputs.text import is_blank
from serving.similar import SimilarTitles, is_placeholder


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
