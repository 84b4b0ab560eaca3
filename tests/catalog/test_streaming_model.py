"""catalog.streaming.model (the recommender core over title ids): exactly surprise's SVD estimates, fallbacks,
clipping, decisions and vectorized top-N.

The model under test is trained with scikit-surprise on a sample of the real processed ratings; the
clipping case uses a tiny hand-made data set whose estimates overshoot the rating scale on purpose.
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import asdict

import numpy as np
import pandas as pd
import pytest
from surprise import SVD

import config
from catalog import STREAMING
from catalog.streaming.model import StreamingModel
from config import COL_ITEM, COL_RATING, COL_USER
from errors import InputError
from inputs.numbers import parse_n, parse_user_id
from model.dataset import build_trainset, load_ratings
from model.engines import Factors
from model.export import model_arrays
from serving.artifacts import ArtifactError, save_artifacts
from tests.conftest import rated_titles

UNKNOWN_USER = 10**9
UNKNOWN_TITLE = "ns999999"


def _fit(df: pd.DataFrame, titles: pd.DataFrame | None, out, **params) -> tuple[SVD, StreamingModel]:
    enc = build_trainset(df)
    algo = SVD(random_state=config.SEED, **params).fit(enc.trainset)
    fitted = Factors(enc.trainset.global_mean, algo.bu, algo.bi, algo.pu, algo.qi, enc.user_ids, enc.item_ids,
                     enc.user_idx, enc.item_idx)
    save_artifacts(out, model_arrays(fitted, titles), meta={"threshold": 3.5, "rating_scale": [0.5, 5.0]})
    return algo, StreamingModel.from_dir(out)


@pytest.fixture(scope="module")
def model(streaming_processed, titles, tmp_path_factory):
    df = load_ratings(streaming_processed / STREAMING.name, sample_users=300, seed=config.SEED)
    algo, predictor = _fit(df, titles, tmp_path_factory.mktemp("svd") / "artifacts", n_factors=8, n_epochs=5)
    return df, algo, predictor


@pytest.mark.slow
def test_known_pairs_equal_surprise_exactly(model):
    df, algo, predictor = model
    rng = np.random.default_rng(0)
    users = rng.choice(predictor.user_ids, 40)
    titles = rng.choice(predictor.item_ids, 40)
    for user, title in zip(users.tolist(), titles.tolist()):
        ours = predictor.predict(user, title)
        assert ours.rating == algo.predict(user, title).est  # bit-for-bit, not approximately
        assert ours.explanation.fallback is None and ours.recommend == (ours.rating >= 3.5)


@pytest.mark.slow
def test_unknown_user_and_title_fall_back_like_surprise(model):
    df, algo, predictor = model
    user, title = int(predictor.user_ids[3]), str(predictor.item_ids[7])
    cases = {(UNKNOWN_USER, title): "unknown user", (user, UNKNOWN_TITLE): "unknown title",
             (UNKNOWN_USER, UNKNOWN_TITLE): "unknown user and title"}
    for (u, t), fallback in cases.items():
        ours = predictor.predict(u, t)
        assert ours.rating == algo.predict(u, t).est
        assert ours.explanation.fallback == fallback
    e = predictor.predict(UNKNOWN_USER, title).explanation
    assert e.user_bias == 0 and e.factor_term == 0 and e.user_n_ratings == 0
    assert predictor.predict(UNKNOWN_USER, UNKNOWN_TITLE).rating == pytest.approx(predictor.global_mean)


@pytest.mark.slow
def test_explanation_adds_up(model):
    df, algo, predictor = model
    user = int(predictor.user_ids[0])
    p = predictor.predict(user, str(predictor.item_ids[0]))
    e = p.explanation
    assert e.global_mean + e.user_bias + e.title_bias + e.factor_term == pytest.approx(e.raw_estimate, abs=1e-12)
    assert e.user_n_ratings == int((df[COL_USER] == user).sum()) and e.known_user and e.known_title
    assert asdict(p)["explanation"]["user_n_ratings"] == e.user_n_ratings


def test_clipping_matches_surprise(tmp_path):
    # User 1 loves everything, user 2 hates everything, user 3 splits: estimates overshoot both ends.
    rows = [(1, f"ns{i}", 5.0) for i in range(1, 6)] + [(2, f"ns{i}", 0.5) for i in range(1, 6)]
    rows += [(3, "ns1", 5.0), (3, "ns2", 5.0), (3, "ns3", 0.5), (3, "ns4", 0.5), (3, "ns5", 0.5)]
    df = pd.DataFrame(rows, columns=[COL_USER, COL_ITEM, COL_RATING])
    algo, predictor = _fit(df, None, tmp_path / "a", n_factors=2, n_epochs=200, lr_all=0.05, reg_all=0.0)
    raws = []
    for user in (1, 2, 3, UNKNOWN_USER):
        for title in [f"ns{i}" for i in range(1, 6)] + [UNKNOWN_TITLE]:
            ours = predictor.predict(user, title)
            assert ours.rating == algo.predict(user, title).est
            raws.append(ours.explanation.raw_estimate)
            assert ours.explanation.clipped == (not 0.5 <= ours.explanation.raw_estimate <= 5.0)
    assert max(raws) > 5.0 and min(raws) < 0.5  # both clipping directions were exercised


@pytest.mark.slow
def test_top_n_equals_a_predict_loop_and_skips_rated_titles(model):
    df, algo, predictor = model
    user = int(predictor.user_ids[5])
    rated = set(df.loc[df[COL_USER] == user, COL_ITEM])
    assert set(rated_titles(predictor, user)) == rated
    shown = predictor.item_ids[predictor.item_recommendable].tolist()
    loop = sorted((-algo.predict(user, t).est, t) for t in shown if t not in rated)[:10]
    top = predictor.top_n(user, 10)
    assert top[config.COL_ID].tolist() == [t for _, t in loop]
    np.testing.assert_allclose(top["predicted_rating"], [-s for s, _ in loop], rtol=0, atol=1e-12)
    assert not rated & set(top[config.COL_ID]) and list(top.columns) == ["id", "predicted_rating", "recommend"]


@pytest.mark.slow
def test_top_n_filters_by_platform_and_type(model, titles):
    df, algo, predictor = model
    user = str(int(predictor.user_ids[1])) + ".0"  # as a UI sends it
    top = predictor.top_n(user, 25, platform="Disney+", content_type="TV Show")
    kinds = titles.set_index(config.COL_ID).loc[top[config.COL_ID], "type"]
    assert len(top) == 25 and top[config.COL_ID].str.startswith("d").all() and (kinds == "tv show").all()
    assert predictor.top_n(user, 5, platform="NETFLIX")[config.COL_ID].str.startswith("n").all()
    assert predictor.top_n(user, 3, platform="", content_type=None).shape[0] == 3


@pytest.mark.slow
def test_top_n_never_offers_the_catalogs_test_rows(model, titles):
    df, algo, predictor = model
    placeholders = set(titles.loc[titles["is_placeholder"], config.COL_ID]) & set(predictor.item_ids)
    assert set(predictor.item_ids[~predictor.item_recommendable]) == placeholders and placeholders
    for user in predictor.user_ids[:5].tolist():
        assert not placeholders & set(predictor.top_n(user, 100, platform="amazon")[config.COL_ID])


@pytest.mark.slow
def test_top_n_for_an_unknown_user_is_the_cold_start_ranking(model):
    df, algo, predictor = model
    top = predictor.top_n(UNKNOWN_USER, 5)
    order = np.lexsort((predictor.item_ids, -np.clip(predictor.global_mean + predictor.item_bias, 0.5, 5.0)))
    recommendable = set(predictor.item_ids[predictor.item_recommendable])  # built once, not per title
    best = [t for t in predictor.item_ids[order] if t in recommendable][:5]
    assert top[config.COL_ID].tolist() == best


@pytest.mark.parametrize("value", [7, 7.0, "7", " 7.0 ", np.int64(7), np.float32(7)])
def test_user_ids_arrive_in_many_shapes(value):
    assert parse_user_id(value) == 7


@pytest.mark.slow
@pytest.mark.parametrize("value", ["abc", "7.5", "", None, True, -1, 0, "nan", float("inf"), "1e400", [7], "1e3",
                                   "99999999999999999999", 2**60, "+7", "0x7", "٤٢", "４２", "𝟒𝟐", "4_2"])
def test_malformed_user_ids_are_input_errors(model, value):
    df, algo, predictor = model
    with pytest.raises(InputError, match="user id"):
        predictor.predict(value, str(predictor.item_ids[0]))


@pytest.mark.slow
@pytest.mark.parametrize("kwargs, message", [
    ({"n": 0}, "n must be"), ({"n": "ten"}, "n must be"), ({"n": 2.5}, "n must be"),
    ({"platform": "netflx"}, "Did you mean 'netflix'"), ({"content_type": "podcast"}, "type must be"),
    ({"n": 101}, "n must be a whole number from 1 to 100"), ({"n": "1_0"}, "n must be"), ({"n": "１０"}, "n must be"),
])
def test_bad_top_n_arguments_are_input_errors(model, kwargs, message):
    df, algo, predictor = model
    with pytest.raises(InputError, match=message):
        predictor.top_n(int(predictor.user_ids[0]), **{"n": 5, **kwargs})


@pytest.mark.parametrize("value", [10, 10.0, "10", "10.0", " 10 "])
def test_counts_arrive_in_many_shapes(value):
    assert parse_n(value) == 10 and parse_n(value, max_n=50, name="limit") == 10


def test_count_bounds_and_name_are_the_callers():
    assert parse_n(100) == 100
    with pytest.raises(InputError, match=r"n must be a whole number from 1 to 100; got 1000"):
        parse_n(1000)
    with pytest.raises(InputError, match=r"limit must be a whole number from 1 to 50; got '51'"):
        parse_n("51", max_n=50, name="limit")


@pytest.mark.slow
def test_n_rated_counts_the_training_ratings_without_listing_them(model):
    df, algo, predictor = model
    user = int(predictor.user_ids[0])
    assert predictor.n_rated(user) == len(rated_titles(predictor, user)) == int((df[COL_USER] == user).sum()) > 0
    assert predictor.n_rated(UNKNOWN_USER) == 0


@pytest.mark.slow
def test_malformed_title_ids_are_input_errors(model):
    with pytest.raises(InputError, match="title id"):
        model[2].predict(int(model[2].user_ids[0]), "the office")


@pytest.mark.slow
def test_threshold_is_configurable(model):
    df, algo, predictor = model
    strict = StreamingModel(predictor.artifacts, threshold=5.0)
    p = strict.predict(int(predictor.user_ids[0]), str(predictor.item_ids[0]))
    assert p.threshold == 5.0 and p.recommend == (p.rating >= 5.0)


@pytest.mark.slow
def test_corrupt_artifact_is_refused_by_name(model, tmp_path):
    import shutil

    copy = tmp_path / "artifacts"
    shutil.copytree(model[2].artifacts.directory, copy)
    with open(copy / "user_factors.npy", "r+b") as f:
        f.seek(-8, 2)
        f.write(b"\x00" * 8)
    with pytest.raises(ArtifactError, match=r"user_factors\.npy: corrupt"):
        StreamingModel.from_dir(copy)


def test_serving_does_not_import_surprise():
    code = ("import sys, serving.recommender, catalog.streaming.model, catalog.movies.model, serving.hub; "
            "assert 'surprise' not in sys.modules, 'surprise imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=config.PROJ_ROOT)


def test_title_ids_have_one_definition_for_search_and_model():
    import catalog.search
    import catalog.streaming.model
    import inputs.titles

    assert catalog.search.is_title_id is inputs.titles.is_title_id
    assert catalog.streaming.model.parse_title_id is inputs.titles.parse_title_id
    assert catalog.streaming.model.parse_title_id(" NS123 ") == "ns123"
