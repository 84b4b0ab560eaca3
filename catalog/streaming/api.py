"""The streaming catalog's model routes (recommend, top picks, similar titles, title search), added to its router:
served under /streaming/ and, as the catalog's root alias, at /recommend, /top_n, /similar and /search."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from catalog.streaming import answers
from inputs.numbers import MAX_LIMIT, MAX_N
from serving.api import per_route
from serving.state.snapshot import AppState, snapshot

UserId = Annotated[str, Query(description="User id, e.g. 42.")]
TitleCount = Annotated[str, Query(description=f"How many titles, 1-{MAX_N}.")]
OnPlatform = Annotated[str | None, Query(description="Only this platform.")]
OfType = Annotated[str | None, Query(alias="type", description="Only movie or tv show.")]


def routes(router: APIRouter, state: AppState) -> None:
    """Add the model routes to `router`; each request reads the state's snapshot once."""

    @router.get("/recommend", tags=["model"], summary="Recommend or not: predicted rating and explanation")
    @per_route
    def recommend(user_id: UserId,
                  title_id: Annotated[str, Query(description="Title id (e.g. ns123) or exact title.")]) -> dict:
        return answers.recommend(snapshot(state), user_id, title_id)

    @router.get("/top_n", tags=["model"], summary="The user's top picks, leaving out what they rated")
    @per_route
    def top_n(user_id: UserId, n: TitleCount = "10", platform: OnPlatform = None,
              content_type: OfType = None) -> dict:
        return answers.top_n(snapshot(state), user_id, n, platform, content_type)

    @router.get("/similar", tags=["model"], summary="Titles similar to a title (by content)")
    @per_route
    def similar(title_id: Annotated[str, Query(description="Title id (e.g. ds1378) or exact title.")],
                n: TitleCount = "10", platform: OnPlatform = None, content_type: OfType = None) -> dict:
        return answers.similar(snapshot(state), title_id, n, platform, content_type)

    @router.get("/search", tags=["catalog"], summary="Find titles by a partial, misspelled or any-case title")
    @per_route
    def search(q: Annotated[str, Query(description="Part of a title, e.g. toy stor.")],
               limit: Annotated[str, Query(description=f"How many titles, 1-{MAX_LIMIT}.")] = "10") -> dict:
        return answers.search(snapshot(state), q, limit)
