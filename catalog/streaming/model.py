"""The streaming catalog's rating model at serving time: the recommender core over title ids ("ns123"), with the
catalog's filters (platform: the first letter of an id; content type) and its test rows never recommended.

Its lists stay ranked by SVD's predicted rating: the streaming ratings were dealt to titles at random, so no
list ranker trained on who rated what could find anything there.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from config import COL_ID
from inputs.choices import parse_optional_content_type
from inputs.numbers import parse_n, parse_user_id
from inputs.platforms import id_letter, parse_optional_platform
from inputs.titles import parse_title_id
from serving.recommender import REQUIRED_ARRAYS as CORE_ARRAYS
from serving.recommender import Prediction, Recommender

TITLE_ARRAYS = ("item_types", "item_recommendable")
REQUIRED_ARRAYS = (*CORE_ARRAYS, *TITLE_ARRAYS)  # what model.export writes for this catalog


class StreamingModel(Recommender):
    """Predicts ratings, decides "recommend / don't recommend" and ranks titles for a user."""

    noun = "titles"
    required = TITLE_ARRAYS

    def __init__(self, artifacts, threshold: float | None = None):
        super().__init__(artifacts, threshold)
        a = artifacts.arrays
        self.item_types: np.ndarray = a["item_types"]
        self.item_recommendable: np.ndarray = a["item_recommendable"]  # False for the catalog's test rows
        n_items = self.item_ids.size
        self.expect_shapes({"item_types": (n_items,), "item_recommendable": (n_items,)})
        self.item_platform_letter = self.item_ids.astype("<U1")  # a title's platform is its id's first letter

    def user_index(self, user: object) -> int | None:
        """Row of a user (as any door sends it), None for a well-formed but unknown user."""
        return self.user_row(parse_user_id(user))

    def item_index(self, title: object) -> int | None:
        """Row of a title id, None for a well-formed but unknown title."""
        return self.item_row(parse_title_id(title))

    def is_known_user(self, user: object) -> bool:
        return self.user_index(user) is not None

    def n_rated(self, user: object) -> int:
        """How many titles the user rated in the training data (0 for an unknown user)."""
        return self.n_rated_of(self.user_index(user))

    def predict(self, user: object, title: object) -> Prediction:
        """Predicted rating (exactly surprise's SVD estimate), decision at the threshold, and explanation."""
        return self.prediction(parse_user_id(user), parse_title_id(title))

    def scores(self, user: object) -> np.ndarray:
        """Predicted rating of every title in `item_ids` for the user, vectorized and clipped."""
        return self.user_scores(self.user_index(user))

    def top_n(self, user: object, n: object = 10, platform: object = None,
              content_type: object = None) -> pd.DataFrame:
        """The user's n best titles (n from 1 to inputs.numbers.MAX_N) over the whole catalog, leaving out
        titles they already rated (and test rows). platform: amazon/disney/hulu/netflix or a full name, any case;
        content_type: movie or tv show (None/"" for all). Columns id, predicted_rating, recommend, best first
        (ties broken by id)."""
        n = parse_n(n)
        u = self.user_index(user)
        keep = self.item_recommendable.copy()
        platform = parse_optional_platform(platform)
        if platform is not None:
            keep &= self.item_platform_letter == id_letter(platform)
        content_type = parse_optional_content_type(content_type)
        if content_type is not None:
            keep &= self.item_types == content_type
        if u is not None:
            keep[self.rated_rows(u)] = False
        scores = self.user_scores(u)
        best = self.top(keep, scores, n)
        return pd.DataFrame({COL_ID: self.item_ids[best].astype(str), "predicted_rating": scores[best],
                             "recommend": scores[best] >= self.threshold})
