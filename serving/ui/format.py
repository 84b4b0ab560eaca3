"""Numbers as people read them, for the UI's markdown and tables: money with a currency and a magnitude
($83.5M), returns as ratios (2.42x), counts with thousands separators (1,234), scores with a few decimals,
dates as the data writes them. The JSON answers keep the exact values; only what the page shows goes through
here. No project imports: any UI module can use it.
"""
from __future__ import annotations

import datetime as dt
import math
import numbers
from typing import Any

MISSING = "-"
CURRENCY = "$"  # TMDB's budgets and revenues are US dollars
MAGNITUDES = ((1e9, "B"), (1e6, "M"), (1e3, "K"))

# How an answer field or a table column is shown, by its name (the names the catalogs and models answer with).
MONEY_WORDS = ("budget", "revenue")
RATIO_WORDS = ("return",)
COUNT_NAMES = {"count", "n_ratings", "n_rated", "vote_count", "scored", "movies_with_revenue", "movies_with_budget",
               "counts"}
SCORE_DECIMALS = {"predicted_rating": 2, "rating": 2, "score": 3, "vote_average": 1, "threshold": 2}


def _number(value: Any) -> float | None:
    """`value` as a finite float, or None (missing, NaN, text, a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def money(value: Any, currency: str = CURRENCY) -> str:
    """83_500_000 -> "$83.5M", 1_940_000_000 -> "$1.94B", 950_000 -> "$950K", 0 -> "$0"; missing -> "-"."""
    number = _number(value)
    if number is None:
        return MISSING
    sign, number = ("-" if number < 0 else ""), abs(number)
    for size, suffix in MAGNITUDES:
        scaled = float(f"{number / size:.3g}")  # three significant digits: 999,999 is $1M, not $1000K
        if scaled >= 1:
            text = f"{scaled:,.{max(0, 3 - len(str(int(scaled))))}f}"
            return f"{sign}{currency}{text.rstrip('0').rstrip('.') if '.' in text else text}{suffix}"
    return f"{sign}{currency}{number:,.0f}"


def ratio(value: Any) -> str:
    """A return (revenue / budget) as a ratio: 2.4231 -> "2.42x", 12.0 -> "12.00x", 12396.4 -> "12,396x"."""
    number = _number(value)
    if number is None:
        return MISSING
    return f"{number:,.0f}x" if abs(number) >= 1000 else f"{number:,.2f}x"


def count(value: Any) -> str:
    """1234 -> "1,234"; missing -> "-"."""
    number = _number(value)
    return MISSING if number is None else f"{round(number):,}"


def score(value: Any, decimals: int = 2) -> str:
    """A rating or score with `decimals` decimals: 3.87654 -> "3.88"; missing -> "-"."""
    number = _number(value)
    return MISSING if number is None else f"{number:.{decimals}f}"


def date(value: Any) -> str:
    """A date as the data writes it (ISO, 1995-10-30): text is kept, a date or timestamp loses its time."""
    if value is None or value != value:  # NaN, NaT
        return MISSING
    if isinstance(value, dt.datetime):  # a pandas Timestamp too
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def plain(value: Any) -> str:
    """A number with no known meaning: whole numbers as they are (years and ids take no separators), others
    with up to four significant digits."""
    number = _number(value)
    if number is None:
        return MISSING if value is None or isinstance(value, float) else str(value)
    return str(int(number)) if number.is_integer() else f"{number:.4g}"


def by_name(name: str, value: Any) -> str:
    """`value` shown the way its field or column `name` means it (money, ratio, count, score, date, plain)."""
    if isinstance(value, str):
        return value
    key = name.lower()
    if key in COUNT_NAMES:  # before the words: movies_with_revenue is a count
        return count(value)
    if any(word in key for word in MONEY_WORDS):
        return money(value)
    if any(word in key for word in RATIO_WORDS):
        return ratio(value)
    if key in SCORE_DECIMALS:
        return score(value, SCORE_DECIMALS[key])
    if key.endswith("date"):
        return date(value)
    return plain(value)
