"""A prediction's explanation in words a person understands, built from the terms of the SVD estimate.

    explain(prediction)
    # "Users rate titles 3.53 on average; this user rates 0.42 higher than average (57 ratings); this title
    #  is rated 0.01 lower than average; their taste profile adds +0.03 -> 3.97, at or above the 3.5
    #  threshold: Recommend."
"""
from __future__ import annotations

from serving.recommender import Prediction

# Below this a bias is "about average": printing "0.00 higher" reads as noise.
NEGLIGIBLE = 0.005


def _relative(value: float, subject: str, verb: str) -> str:
    """'this user rates 0.42 higher than average' / '... about average'."""
    if abs(value) < NEGLIGIBLE:
        return f"{subject} {verb} about average"
    return f"{subject} {verb} {abs(value):.2f} {'higher' if value > 0 else 'lower'} than average"


def verdict(recommend: bool) -> str:
    return "Recommend" if recommend else "Don't recommend"


def explain(prediction: Prediction) -> str:
    """One paragraph: the average, the user's and the title's offsets, the taste term, the decision."""
    e = prediction.explanation
    parts = [f"Users rate titles {e.global_mean:.2f} on average"]
    if e.known_user:
        plural = "rating" if e.user_n_ratings == 1 else "ratings"
        parts.append(_relative(e.user_bias, "this user", "rates") + f" ({e.user_n_ratings} {plural})")
    else:
        parts.append("this user has no ratings the model learned from, so nothing is known about their taste")
    if e.known_title:
        parts.append(_relative(e.title_bias, "this title", "is rated"))
    else:
        parts.append("this title has no ratings the model learned from")
    if e.known_user and e.known_title:
        parts.append(f"their taste profile adds {e.factor_term:+.2f}")
    text = "; ".join(parts) + f" -> {prediction.rating:.2f}"
    if e.clipped:
        text += f" (capped from {e.raw_estimate:.2f} to the rating scale)"
    side = "at or above" if prediction.recommend else "below"
    return f"{text}, {side} the {prediction.threshold:g} threshold: {verdict(prediction.recommend)}."
