"""serving.ui.format: how the UI shows money, returns, counts, scores and dates (the JSON keeps the exact values)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from serving.ui import format as fmt


@pytest.mark.parametrize(("value", "shown"), [
    (83_500_000, "$83.5M"), (1_940_000_000, "$1.94B"), (950_000, "$950K"), (0, "$0"), (None, "-"),
    (math.nan, "-"), (373_554_033, "$374M"), (30_000_000, "$30M"), (1_000_000, "$1M"),
    (999_999, "$1M"),  # three significant digits round up to the next magnitude, not "$1000K"
    (999_400, "$999K"), (1234, "$1.23K"), (950, "$950"), (2.5e12, "$2,500B"), (-5_000_000, "-$5M"),
    (12.0, "$12"), (True, "-"), ("n/a", "-"),
])
def test_money_has_a_currency_and_a_magnitude(value, shown):
    assert fmt.money(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (2.4231370476190475, "2.42x"), (36.87723784761904, "36.88x"), (12.0, "12.00x"), (0, "0.00x"),
    (12396.38, "12,396x"), (None, "-"), (math.inf, "-"),
])
def test_returns_are_ratios(value, shown):
    assert fmt.ratio(value) == shown


def test_counts_scores_and_dates():
    assert [fmt.count(v) for v in (1234, 0, 1_234_567.0, None)] == ["1,234", "0", "1,234,567", "-"]
    assert [fmt.score(3.87654), fmt.score(7.7, 1), fmt.score(0.53219, 3), fmt.score(None)] == [
        "3.88", "7.7", "0.532", "-"]
    assert fmt.date("1995-10-30") == "1995-10-30"  # as the data writes it
    assert fmt.date(pd.Timestamp("1995-10-30 00:00")) == fmt.date(dt.date(1995, 10, 30)) == "1995-10-30"
    assert fmt.date(None) == fmt.date(pd.NaT) == fmt.date(math.nan) == "-"


def test_fields_are_shown_by_what_their_name_means():
    shown = {key: fmt.by_name(key, value) for key, value in {
        "budget_total": 83_500_000, "revenue_mean": 1_940_000_000.0, "return_sum": 36.87723784761904,
        "return_overall": 2.4231370476190475, "count": 12_345, "movies_with_revenue": 1200,
        "predicted_rating": 3.87654, "vote_average": 7.7, "release_date": "1995-10-30",
        "release_year": 1995, "id": 2012, "limit": 10, "duration_int": 312, "title": "Toy Story",
        "runtime": 81.0, "return": None}.items()}
    assert shown == {
        "budget_total": "$83.5M", "revenue_mean": "$1.94B", "return_sum": "36.88x", "return_overall": "2.42x",
        "count": "12,345", "movies_with_revenue": "1,200", "predicted_rating": "3.88", "vote_average": "7.7",
        "release_date": "1995-10-30",
        "release_year": "1995", "id": "2012", "limit": "10", "duration_int": "312",  # no separators in years, ids
        "title": "Toy Story", "runtime": "81", "return": "-"}


def test_the_module_is_a_leaf():
    """No project imports: any UI module (and a later widgets package) can use it."""
    import ast

    tree = ast.parse(open(fmt.__file__, encoding="utf-8").read())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module}
    assert imported <= {"__future__", "datetime", "math", "numbers", "typing"}, imported
