"""Cold start (model/coldstart.py): a user with no ratings gets a notice and content-based alternatives."""
from __future__ import annotations

import re

import pytest

from catalog.streaming.answers import cold_start
from errors import InputError

pytestmark = pytest.mark.slow

UNKNOWN_USER = 999_999_999  # far above the 115,077 rating users


def test_no_seed_gives_a_notice_and_the_newest_titles_of_every_platform(similar_titles):
    answer = cold_start(UNKNOWN_USER, similar_titles, n=8)
    assert answer["known_user"] is False and answer["basis"] == "newest_titles" and answer["seed"] is None
    assert f"User {UNKNOWN_USER} has no ratings" in answer["notice"]
    assert "Pick a title you like" in answer["notice"]
    items = answer["items"]
    assert len(items) == 8
    assert {item["platform"] for item in items} == {"amazon", "disney", "hulu", "netflix"}
    newest = similar_titles.titles["release_year"].max()
    assert all(item["release_year"] == newest for item in items)
    assert all(item["score"] is None for item in items)  # no made-up predicted rating


def test_seed_title_gives_titles_similar_to_it(similar_titles):
    answer = cold_start(str(UNKNOWN_USER), similar_titles, seed_title="Frozen", n=5)
    assert answer["basis"] == "similar_to_seed"
    assert answer["seed"]["id"] == "ds904"
    assert "similar in content" in answer["notice"] and "'frozen' (disney, 2013)" in answer["notice"]
    assert answer["items"] == similar_titles.similar("ds904", n=5)
    assert all(re.search(r"animation|family", item["listed_in"]) for item in answer["items"])


def test_seed_with_filters(similar_titles):
    answer = cold_start(UNKNOWN_USER, similar_titles, seed_title="ds1378", n=5, platform="hulu",
                        content_type="movie")
    assert len(answer["items"]) == 5
    assert {(item["platform"], item["type"]) for item in answer["items"]} == {("hulu", "movie")}


def test_newest_titles_respect_filters(similar_titles):
    items = cold_start(UNKNOWN_USER, similar_titles, n=4, platform="Disney+", content_type="tv shows")["items"]
    assert len(items) == 4 and {(i["platform"], i["type"]) for i in items} == {("disney", "tv show")}


def test_misspelled_seed_gets_suggestions(similar_titles):
    with pytest.raises(InputError, match=r"unknown title 'frozn'; did you mean: 'frozen' \(disney, 2013, id ds904\)"):
        cold_start(UNKNOWN_USER, similar_titles, seed_title="frozn")


@pytest.mark.parametrize("user_id", ["", "abc", -3, 1.5, "٤٢", "４２", "𝟒𝟐", "4_2"])
def test_bad_user_id_says_what_is_accepted(similar_titles, user_id):
    with pytest.raises(InputError, match="user id"):
        cold_start(user_id, similar_titles)
