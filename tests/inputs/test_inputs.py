"""The inputs package: one rule per kind of input at every door. Fast: no data, no model.

Regression tests for the hardening issue: Unicode digits and underscores are not numbers (Python's int() and
float() read them), n is 1 to 100 everywhere, and no error message repeats more than ~80 characters of input.
"""
from __future__ import annotations

import numpy as np
import pytest

from errors import InputError
from inputs.choices import parse_choice, parse_content_type, parse_duration_type, parse_optional_content_type
from inputs.numbers import (
    FILM_YEARS,
    FILM_YEARS_SPAN,
    MAX_LIMIT,
    MAX_N,
    parse_limit,
    parse_n,
    parse_optional_year,
    parse_score,
    parse_user_id,
    parse_year,
)
from inputs.platforms import id_letter, parse_optional_platform, parse_platform
from inputs.ratings import MAX_VISITOR_RATINGS, parse_rated, parse_visitor_ratings
from inputs.text import ECHO_LIMIT, MAX_TEXT_LENGTH, check_length, echo, is_blank, parse_text
from inputs.titles import ID_LETTERS, TITLE_ID_PATTERN, is_title_id, parse_title_id, parse_tmdb_id

YEARS = (1920, 2021)
# Text Python's int()/float() read as numbers, which no person means as one.
NOT_ASCII_42 = ["٤٢", "４２", "𝟒𝟐", "४२", "4_2", "42\n\n٤"]
BIG = "x" * 100_000


def message(call, *args) -> str:
    with pytest.raises(InputError) as err:
        call(*args)
    return str(err.value)


# ---- numbers: ASCII digits only ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", NOT_ASCII_42)
def test_user_id_in_other_digits_is_rejected(text):
    assert "user id must be" in message(parse_user_id, text)


@pytest.mark.parametrize("value", [42, 42.0, "42", " 42 ", "42.0", "42.", np.int64(42), np.float32(42)])
def test_user_id_in_every_shape_a_widget_sends(value):
    assert parse_user_id(value) == 42


@pytest.mark.parametrize("text", ["2_019", "2019.0000000000001", "٢٠١٩", "２０１９", "2019.5", "2e3", "+2019", "-2019"])
def test_year_must_be_ascii_digits(text):
    assert "year must be a whole number between 1920 and 2021" in message(parse_year, text, YEARS)


@pytest.mark.parametrize("value", [2019, 2019.0, "2019", "2019.0", " 2019 "])
def test_year_in_every_shape_a_widget_sends(value):
    assert parse_year(value, YEARS) == 2019


@pytest.mark.parametrize("text", ["1_0", "١٠", "１０", "1e1", "10.5", "0x0a", "+10"])
def test_n_must_be_ascii_digits(text):
    assert "n must be a whole number from 1 to 100" in message(parse_n, text)


@pytest.mark.parametrize("value", [10, 10.0, "10", "10.0", " 10 "])
def test_n_in_every_shape_a_widget_sends(value):
    assert parse_n(value) == 10


def test_n_is_1_to_100_everywhere():
    assert MAX_N == 100 and parse_n(100) == 100 and parse_n("1") == 1
    for bad in (0, 101, "101", 1000, -1):
        assert "n must be a whole number from 1 to 100" in message(parse_n, bad)


def test_search_limit_is_its_own_range():
    assert MAX_LIMIT == 50 and parse_limit("50") == 50
    assert "limit must be a whole number from 1 to 50; got '51'" in message(parse_limit, "51")


@pytest.mark.parametrize("text", ["3_5", "３.５", "٣.٥", "3.5e0", "nan", "inf", "3..5"])
def test_score_must_be_ascii_digits(text):
    assert "scored must be a number from 0.5 to 5.0" in message(parse_score, text)


@pytest.mark.parametrize("value, expected", [("3.5", 3.5), ("3,5", 3.5), (" 4 ", 4.0), (".5", 0.5), ("5.", 5.0)])
def test_score_text(value, expected):
    assert parse_score(value) == expected


def test_huge_digit_strings_are_refused_without_converting_them():
    assert "user id must be" in message(parse_user_id, "9" * 5000)  # int() would refuse past 4,300 digits
    assert "year must be" in message(parse_year, "1" * 5000, YEARS)


# ---- echo: at most ~80 characters of any input ---------------------------------------------------------------
def test_echo_cuts_long_input_and_says_how_long_it_was():
    assert echo("abc") == "'abc'" and echo(2.5) == "2.5" and echo(None) == "None"
    cut = echo(BIG)
    assert cut.startswith("'" + "x" * ECHO_LIMIT + "'…") and "100,000 characters" in cut and len(cut) < 120
    assert len(echo(["x"] * 10_000)) < 120


@pytest.mark.parametrize("call", [
    lambda: parse_user_id(BIG), lambda: parse_n(BIG), lambda: parse_year(BIG, YEARS), lambda: parse_score(BIG),
    lambda: parse_platform(BIG), lambda: parse_content_type(BIG), lambda: parse_duration_type(BIG),
    lambda: parse_choice(BIG, ["g", "pg"], "rating"), lambda: parse_text(BIG, "genre"),
    lambda: parse_title_id(BIG), lambda: parse_user_id("4" * 90 + "٤"),
], ids=["user_id", "n", "year", "score", "platform", "content_type", "duration_type", "choice", "text",
        "title_id", "digits"])
def test_no_error_repeats_more_than_about_80_characters_of_input(call):
    with pytest.raises(InputError) as err:
        call()
    assert str(err.value).count("x") <= ECHO_LIMIT + 10 and len(str(err.value)) < 400, str(err.value)[:300]


# ---- text ----------------------------------------------------------------------------------------------------
def test_free_text_is_normalised_and_bounded():
    assert parse_text("  Stand-Up   Comedy ", "genre") == "stand-up comedy"
    assert "genre is required" in message(parse_text, "   ", "genre")
    assert parse_text("x" * MAX_TEXT_LENGTH, "genre") == "x" * MAX_TEXT_LENGTH
    assert f"genre is at most {MAX_TEXT_LENGTH} characters; got 100,000." == message(parse_text, BIG, "genre")
    check_length("x" * MAX_TEXT_LENGTH, "q")


@pytest.mark.parametrize("value, blank", [(None, True), ("", True), (" Any ", True), ("all", True), ("none", True),
                                          (float("nan"), True), ("netflix", False), (0, False), (BIG, False)])
def test_blank_means_no_filter(value, blank):
    assert is_blank(value) is blank


# ---- choices and platforms -------------------------------------------------------------------------------------
def test_optional_filters():
    assert parse_optional_platform("any") is None and parse_optional_platform("Disney+") == "disney"
    assert parse_optional_content_type("") is None and parse_optional_content_type("series") == "tv show"
    assert "type must be one of" in message(parse_optional_content_type, "podcast")
    assert id_letter("Netflix") == "n"


# ---- title ids -------------------------------------------------------------------------------------------------
def test_title_id_scheme_comes_from_the_platforms():
    assert ID_LETTERS == ("a", "d", "h", "n")
    assert parse_title_id(" NS123 ") == "ns123" and is_title_id("ds1378")
    for text in ("1917", "xs1", "ns", "ns12a", "ns١٢", "ns1_2", "ns123\n", "the office"):
        assert not TITLE_ID_PATTERN.match(text), text
    assert not is_title_id("1917")  # a title named "1917" is never read as an id
    assert "title id must be a platform letter (a, d, h or n)" in message(parse_title_id, "ns١٢")


# ---- TMDB ids and a visitor's ratings ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", [862, 862.0, "862", " 862 ", "862.0", np.int64(862)])
def test_tmdb_id_in_every_shape_a_door_sends(value):
    assert parse_tmdb_id(value) == 862


@pytest.mark.parametrize("value", [0, -1, "٨٦٢", "8_62", "862.5", True, None, "toy story", BIG])
def test_tmdb_id_is_a_positive_whole_number_and_the_message_names_the_parameter(value):
    text = message(parse_tmdb_id, value, "movie_id")
    assert text.startswith("movie_id must be a TMDB id (a positive whole number, e.g. 862") and len(text) < 200


def test_one_grammar_for_a_visitors_ratings():
    documented = [{"movie": 862, "rating": 5}, {"movie": "toy story", "rating": 4.5}, {"movie": 12, "rating": "4"}]
    pairs = [[862, 5], ["toy story", 4.5], [12, "4"]]
    assert parse_rated(documented) == parse_rated(pairs) == [(862, 5), ("toy story", 4.5), (12, "4")]
    assert parse_visitor_ratings([(862, 5), (12, "4,5"), (8587, 0.5)]) == [(862, 5.0), (12, 4.5), (8587, 0.5)]
    for other in ({862: 5, 12: 4, 8587: 3}, [{"id": 862, "rating": 5}] * 3, [{"movie": 862}] * 3, "862:5"):
        assert "[movie, rating] pair" in message(parse_rated, other)
    assert "rate at least 3 movies" in message(parse_rated, [[862, 5]])
    many = [[i, 4] for i in range(1, MAX_VISITOR_RATINGS + 2)]
    assert f"rate at most {MAX_VISITOR_RATINGS} movies" in message(parse_visitor_ratings, many)


def test_film_years_bound_the_movies_filters():
    assert parse_optional_year("1995", FILM_YEARS, "year_from", FILM_YEARS_SPAN) == 1995
    assert parse_optional_year(" ", FILM_YEARS, "year_from", FILM_YEARS_SPAN) is None
    assert message(parse_optional_year, "1700", FILM_YEARS, "year_from", FILM_YEARS_SPAN) == (
        "year_from 1700 is outside the years a film can have, 1800-2100.")
