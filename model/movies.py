"""The Movies catalog's recommender (`python -m model.train --catalog movies`): search, evaluate, fold-in, export.

Steps (seeded; MOVIES_SEED = 0, the issue's `random_state`):
1. the issue's split: surprise's `train_test_split(data, test_size=0.2, random_state=0)` on a Dataset loaded
   from MovieLens' ratings_small.csv (userId, movieId, rating), all 100,004 rows in file order, so that the
   issue's reference figures (BaselineOnly 0.8838, default SVD 0.8874) are reproduced exactly. The clean
   catalog table drops 194 ratings of films outside the catalog (quarantined by the ETL), which reshuffles
   the split; the same table on that split is reported beside it (`catalog_split`);
2. a seeded greedy coordinate search (model.search) over reg_all, (lr, epochs) and n_factors up to 300 and 100
   epochs, each candidate fitted on 80% of the training part and scored on the other 20%;
3. the held-out table: NormalPredictor, the global mean, BaselineOnly, default SVD and the tuned SVD, with
   RMSE, MAE, F1 at 3.5, ROC AUC and NDCG/precision/recall@10 (relevant = rating >= 4);
4. the fold-in table: 100 seeded users with >= 30 ratings are left out of training; k = 3, 5, 10, 20 of their
   ratings are folded in (serving.recommender's closed form) and the rest predicted: RMSE and NDCG@10
   against the item-bias baseline (global mean + item bias), for plain fold-in and the visitor methods;
5. the visitor method: themed visitors (five loved films of one taste, TASTES) get their top 10 from the final
   model under each candidate method; the share of films of their taste's genres is measured, and the method
   kept is the candidate with the best fold-in NDCG@10 among those giving every themed visitor at least
   MIN_TASTE_SHARE of their taste;
6. the list ranker: EASE on who rated what (model.rankers, lambda tuned on a validation split, each film's 200
   strongest neighbours kept; `python -m model.rank_eval` compares it with the other rankings);
7. the tuned SVD refitted on all catalog ratings (TMDB ids) and exported to artifacts/movies/ through
   serving.artifacts (no pickle), with metrics.json and the model card (model.card.movies_model_card).
"""
from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from surprise import SVD, BaselineOnly, Dataset, NormalPredictor, Reader, Trainset
from surprise.model_selection import train_test_split
from tqdm import tqdm

from catalog import MOVIES
from catalog.movies.model import MoviesModel
from config import COL_ITEM, COL_RATING, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.io import read_table
from model.benchmark import finite
from model.content import build_movie_neighbours
from model.dataset import Encoded, build_trainset, split
from model.evaluate import DEFAULT_K, evaluate_models, ranking_metrics, rmse, table_markdown
from model.export import MODEL_NAMES, SURPRISE_ENGINE, export_arrays, library_versions
from model.fit import fit_model, make_svd
from model.rankers import fit_ranker
from model.search import DEFAULT_PARAMS, Trials, cheapest_within, greedy_search
from model.visitor_blend import FoldInBlend
from serving.artifacts import Artifacts, sha256_file

log = logging.getLogger(__name__)

MOVIES_SEED = 0
TEST_SIZE = 0.2
RELEVANT_AT = 4.0
MOVIES_SUBDIR = MOVIES.name
ISSUE_RATINGS = Path("tmdb") / "ratings_small.csv"
COL_TMDB = "id"
# Searched one coordinate at a time from surprise's defaults (model.search.greedy_search).
MOVIES_SEARCH_SPACE: list[tuple[str, list[Any]]] = [
    ("reg_all", [0.05, 0.1, 0.15]),
    ("lr_epochs", [(0.005, 50), (0.004, 100), (0.007, 100)]),
    ("n_factors", [50, 200, 300]),
]
SURPRISE_DEFAULT = dict(DEFAULT_PARAMS)
TABLE_COLUMNS = ["rmse", "mae", "f1", "roc_auc", "ndcg@k", "precision@k", "recall@k", "ranking_users"]

FOLD_IN_KS = (3, 5, 10, 20)
FOLD_IN_USERS = 100
FOLD_IN_MIN_RATINGS = 30  # k up to 20 folded in, at least 10 left to rank

# Themed visitors: five loved films (rated 5) of one clear taste, and the genres that taste accepts.
TASTES: dict[str, dict[str, Any]] = {
    "animated family": {"ids": [862, 12, 8587, 585, 812], "genres": ["Animation", "Family"]},
    "horror classics": {"ids": [694, 948, 9552, 377, 539], "genres": ["Horror", "Thriller"]},
    "science fiction": {"ids": [11, 603, 78, 62, 348], "genres": ["Science Fiction"]},
    "romantic comedies": {"ids": [114, 509, 11036, 634, 639], "genres": ["Romance"]},
    "war films": {"ids": [857, 600, 28, 424, 423], "genres": ["War", "History"]},
}
MIN_TASTE_SHARE = 0.7  # the method must give every themed visitor at least 7 of 10 (the issue asks 6)
# Candidate visitor methods: plain fold-in, then blends (weights of prediction, factor and genre similarity).
VISITOR_METHODS: dict[str, dict[str, Any]] = {
    "plain": {"name": "plain", "min_support": 0},
    "plain, >= 10 ratings": {"name": "plain", "min_support": 10},
    "prediction + factors": {"name": "blend", "w_prediction": 1.0, "w_factors": 1.0, "w_genres": 0.0,
                             "min_support": 10},
    "prediction + genres/4": {"name": "blend", "w_prediction": 1.0, "w_factors": 0.0, "w_genres": 0.25,
                              "min_support": 10},
    "prediction + genres/2": {"name": "blend", "w_prediction": 1.0, "w_factors": 0.0, "w_genres": 0.5,
                              "min_support": 10},
    "prediction + genres": {"name": "blend", "w_prediction": 1.0, "w_factors": 0.0, "w_genres": 1.0,
                            "min_support": 10},
    "prediction + factors/2 + genres": {"name": "blend", "w_prediction": 1.0, "w_factors": 0.5,
                                        "w_genres": 1.0, "min_support": 10},
    "prediction + factors + genres": {"name": "blend", "w_prediction": 1.0, "w_factors": 1.0, "w_genres": 1.0,
                                      "min_support": 10},
}


# The films' columns the run reads: the recommender's (title, genres, year) and the content blocks'.
MOVIE_COLUMNS = [COL_TMDB, "title", "genres", "release_year", "overview", "cast_top3", "directors", "collection",
                 "original_language", "vote_count"]


@dataclass
class MoviesInputs:
    """What the Movies run reads: the issue's ratings file, the clean catalog ratings and the films."""

    issue_ratings: pd.DataFrame     # ratings_small.csv: userId, movieId, rating (file order)
    ratings: pd.DataFrame           # clean: userId, movieId (= TMDB id), rating (file order)
    movies: pd.DataFrame            # MOVIE_COLUMNS (those the table has)
    sha256: dict[str, str]


def load_inputs(processed_dir: Path, raw_dir: Path) -> MoviesInputs:
    """The Movies run's inputs; InputError naming a missing or bad file."""
    folder = MOVIES.folder(processed_dir)
    paths = {"ratings": folder / "ratings.parquet", "movies": folder / "movies.parquet",
             "issue": Path(raw_dir) / ISSUE_RATINGS}
    for key in ("ratings", "movies"):
        if not paths[key].is_file():
            raise InputError(f"{paths[key]}: missing; build it with `python -m etl --catalog movies` "
                             "(or pass --processed-dir)")
    if not paths["issue"].is_file():
        raise InputError(f"{paths['issue']}: missing; set RAW_DIR or --raw-dir to the folder holding tmdb/")
    issue = read_table(paths["issue"], [COL_USER, COL_ITEM, COL_RATING]).to_pandas()
    clean = read_table(paths["ratings"], [COL_USER, COL_TMDB, COL_RATING]).to_pandas()
    available = set(pq.read_schema(paths["movies"]).names)
    movies = pd.read_parquet(paths["movies"], columns=[c for c in MOVIE_COLUMNS if c in available])
    for path, df in ((paths["issue"], issue), (paths["ratings"], clean)):
        values = pd.to_numeric(df[COL_RATING], errors="coerce").to_numpy(dtype=np.float64)
        if len(df) == 0 or not np.all((values >= RATING_MIN) & (values <= RATING_MAX)):
            raise InputError(f"{path}: need ratings within {RATING_MIN}..{RATING_MAX} (found {len(df)} rows)")
    clean = clean.rename(columns={COL_TMDB: COL_ITEM})[[COL_USER, COL_ITEM, COL_RATING]]
    clean[COL_RATING] = clean[COL_RATING].astype(np.float64)
    sha = {f"{MOVIES_SUBDIR}/ratings.parquet": sha256_file(paths["ratings"]),
           f"{MOVIES_SUBDIR}/movies.parquet": sha256_file(paths["movies"]),
           str(ISSUE_RATINGS): sha256_file(paths["issue"])}
    return MoviesInputs(issue, clean, movies, sha)


# ---- the issue's split and the held-out table ----------------------------------------------------------
def surprise_split(df: pd.DataFrame, random_state: int = MOVIES_SEED) -> tuple[Trainset, list[tuple]]:
    """surprise's own `train_test_split(test_size=0.2, random_state=...)` of (userId, movieId, rating)."""
    data = Dataset.load_from_df(df[[COL_USER, COL_ITEM, COL_RATING]], Reader(rating_scale=(RATING_MIN, RATING_MAX)))
    return train_test_split(data, test_size=TEST_SIZE, random_state=random_state)


def trainset_frame(trainset: Trainset) -> pd.DataFrame:
    """A Trainset's ratings as a (userId, movieId, rating) frame of raw ids."""
    rows = [(trainset.to_raw_uid(u), trainset.to_raw_iid(i), r) for u, i, r in trainset.all_ratings()]
    return pd.DataFrame(rows, columns=[COL_USER, COL_ITEM, COL_RATING])


def search_movies(train: pd.DataFrame, seed: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Greedy coordinate search over MOVIES_SEARCH_SPACE on a seeded 80/20 split of the training part."""
    fit_part, val_part = split(train, seed + 1)
    enc = build_trainset(fit_part)
    n_trials = 1 + sum(len(v) for _, v in MOVIES_SEARCH_SPACE)
    log.info("movies: hyper-parameter search (%s ratings to fit, %s to validate)", f"{len(fit_part):,}",
             f"{len(val_part):,}")
    with tqdm(total=n_trials, desc="movies search", unit="trial", file=sys.stderr,
              disable=not log.isEnabledFor(logging.INFO)) as bar:
        trials = Trials(enc, val_part, seed, bar)
        best = greedy_search(trials, SURPRISE_DEFAULT, MOVIES_SEARCH_SPACE)
    table = trials.table()
    return cheapest_within(table, best), table


def heldout_table(trainset: Trainset, testset: list[tuple], params: dict[str, Any], seed: int,
                  threshold: float) -> pd.DataFrame:
    """The five models fitted on `trainset`, scored on `testset` (surprise's own predictions)."""
    test = pd.DataFrame(testset, columns=[COL_USER, COL_ITEM, COL_RATING])
    normal = NormalPredictor()
    normal.fit(trainset)
    draws = np.random.default_rng(seed).normal(trainset.global_mean, normal.sigma, len(test))
    predictions = {"NormalPredictor": np.clip(draws, RATING_MIN, RATING_MAX),
                   "GlobalMean": np.full(len(test), trainset.global_mean)}
    for name, algo in (("BaselineOnly", BaselineOnly(verbose=False)),
                       ("SVD (surprise defaults)", SVD(random_state=seed)),
                       ("SVD (tuned)", make_svd(params, seed))):
        started = time.perf_counter()
        algo.verbose = False
        algo.fit(trainset)
        predictions[name] = np.array([p.est for p in algo.test(testset)])
        log.info("movies: %s fitted and tested in %.1f s", name, time.perf_counter() - started)
    return evaluate_models(test, predictions, threshold=threshold, k=DEFAULT_K, relevant_at=RELEVANT_AT)


def split_result(df: pd.DataFrame, params: dict[str, Any], seed: int, threshold: float,
                 label: str, engine: MoviesEngine | None = None) -> dict[str, Any]:
    """The held-out table of one ratings frame on the issue's split, as metrics.json keeps it."""
    trainset, testset = surprise_split(df)
    table = (engine or SURPRISE).heldout_table(trainset, testset, params, seed, threshold)
    return {"data": label, "ratings": len(df), "users": int(df[COL_USER].nunique()),
            "films": int(df[COL_ITEM].nunique()), "test_ratings": len(testset), "test_size": TEST_SIZE,
            "random_state": MOVIES_SEED, "threshold": threshold, "relevant_at": RELEVANT_AT, "k": DEFAULT_K,
            "table": finite(table.to_dict(orient="index")),
            "markdown": table_markdown(table[TABLE_COLUMNS], DEFAULT_K)}


def baseline_by_split(df: pd.DataFrame, states: int = 5) -> list[float]:
    """BaselineOnly's held-out RMSE on the issue's split rule with random_state 0..states-1: how much the
    figures move from one random split to another."""
    out = []
    for state in range(states):
        trainset, testset = surprise_split(df, state)
        algo = BaselineOnly(verbose=False)
        algo.fit(trainset)
        out.append(rmse(np.array([r for _, _, r in testset]), np.array([p.est for p in algo.test(testset)])))
    return out


class MoviesEngine:
    """Who searches and fits the Movies model: surprise here (SURPRISE); model.spark_engine.SparkMovies runs the
    same steps on Spark. `rows` names the held-out table's tuned, baseline and default-model rows."""

    meta: dict[str, Any] = SURPRISE_ENGINE
    rows = ("SVD (tuned)", "BaselineOnly", "SVD (surprise defaults)")

    def search(self, train: pd.DataFrame, seed: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        return search_movies(train, seed)

    def heldout_table(self, trainset: Trainset, testset: list[tuple], params: dict[str, Any], seed: int,
                      threshold: float) -> pd.DataFrame:
        return heldout_table(trainset, testset, params, seed, threshold)

    def fit(self, ratings: pd.DataFrame, params: dict[str, Any], seed: int, label: str) -> tuple[Any, Encoded]:
        """(a fitted model with bu, bi, pu, qi; the Encoded ratings with global mean, ids and rows)."""
        enc = build_trainset(ratings)
        return fit_model(make_svd(params, seed), enc, label), enc


SURPRISE = MoviesEngine()


# ---- the recommender's arrays ---------------------------------------------------------------------------
def recommender_arrays(algo: SVD, enc: Encoded, movies: pd.DataFrame) -> dict[str, np.ndarray]:
    """catalog.movies.model's arrays for an SVD fitted on `enc` (item ids = TMDB ids)."""
    arrays = export_arrays(algo, enc, None)
    del arrays["item_types"], arrays["item_recommendable"]
    item_ids = enc.item_ids.astype(np.int64)
    arrays["item_ids"] = item_ids
    arrays["rated_items"] = arrays["rated_items"].astype(np.int32)
    arrays["item_n_ratings"] = np.bincount(enc.item_idx, minlength=item_ids.size).astype(np.int32)
    by_id = movies.drop_duplicates(COL_TMDB).set_index(COL_TMDB).reindex(item_ids)
    genre_lists = [list(g) if g is not None and not isinstance(g, float) else [] for g in by_id["genres"]]
    names = np.array(sorted({g for gs in genre_lists for g in gs}), dtype=str)
    column = {g: j for j, g in enumerate(names.tolist())}
    genres = np.zeros((item_ids.size, names.size), dtype=bool)
    for row, gs in enumerate(genre_lists):
        genres[row, [column[g] for g in gs]] = True
    arrays["item_titles"] = by_id["title"].fillna("").astype(str).to_numpy().astype(str)
    arrays["item_years"] = by_id["release_year"].fillna(0).astype(np.int32).to_numpy()
    arrays["item_genres"] = genres
    arrays["genre_names"] = names
    return arrays


def fit_recommender(ratings: pd.DataFrame, movies: pd.DataFrame, params: dict[str, Any], seed: int,
                    label: str, threshold: float,
                    engine: MoviesEngine | None = None) -> tuple[dict[str, np.ndarray], MoviesModel]:
    """The tuned model fitted on `ratings`, its arrays and an in-memory MoviesModel over them."""
    algo, enc = (engine or SURPRISE).fit(ratings, params, seed, label)
    arrays = recommender_arrays(algo, enc, movies)
    manifest = {"hyperparameters": params, "threshold": threshold, "rating_scale": [RATING_MIN, RATING_MAX]}
    return arrays, MoviesModel(Artifacts(Path("<memory>"), manifest, arrays))


# ---- fold-in evaluation and the visitor method ------------------------------------------------------
def fold_in_evaluation(ratings: pd.DataFrame, movies: pd.DataFrame, params: dict[str, Any], seed: int,
                       threshold: float, engine: MoviesEngine | None = None) -> dict[str, Any]:
    """Fold-in RMSE and NDCG@10 for FOLD_IN_USERS left-out users, k = FOLD_IN_KS, per visitor method."""
    counts = ratings.groupby(COL_USER).size()
    eligible = np.sort(counts.index[counts >= FOLD_IN_MIN_RATINGS].to_numpy())
    rng = np.random.default_rng(seed)
    held = np.sort(rng.choice(eligible, min(FOLD_IN_USERS, eligible.size), replace=False))
    is_held = ratings[COL_USER].isin(held)
    _, rec = fit_recommender(ratings[~is_held].reset_index(drop=True), movies, params, seed,
                             "movies fold-in model", threshold, engine)
    blend = FoldInBlend(rec)
    rows: dict[tuple[str, int], list[np.ndarray]] = {}
    users_used = 0
    for user, frame in ratings[is_held].groupby(COL_USER, sort=True):
        pos = np.searchsorted(rec.item_ids, frame[COL_ITEM].to_numpy())
        pos = np.minimum(pos, rec.item_ids.size - 1)
        known = rec.item_ids[pos] == frame[COL_ITEM].to_numpy()
        items, values = pos[known], frame[COL_RATING].to_numpy(dtype=np.float64)[known]
        if items.size < FOLD_IN_MIN_RATINGS:
            continue
        users_used += 1
        order = rng.permutation(items.size)
        items, values = items[order], values[order]
        rest, truth = items[max(FOLD_IN_KS):], values[max(FOLD_IN_KS):]
        baseline = np.clip(rec.global_mean + rec.item_bias[rest], RATING_MIN, RATING_MAX)
        for k in FOLD_IN_KS:
            components = blend.components(items[:k], values[:k])
            cols = {"item bias": baseline, "plain (rating)": components["predicted"][rest]}
            for name, method in VISITOR_METHODS.items():
                if method["name"] == "plain" and method["min_support"]:
                    continue  # the support floor changes candidates, not the ranking of rated films
                cols[name] = blend.combine(components, {**blend.method, **method})[rest]
            for name, col in cols.items():
                rows.setdefault((name, k), []).append(np.column_stack([np.full(rest.size, user), truth, col]))
    table: dict[str, dict[str, Any]] = {}
    for (name, k), parts in rows.items():
        data = np.concatenate(parts)
        if name == "plain (rating)":
            table.setdefault("plain", {})[f"rmse@k={k}"] = rmse(data[:, 1], data[:, 2])
            continue
        entry = table.setdefault(name, {})
        if name == "item bias":
            entry[f"rmse@k={k}"] = rmse(data[:, 1], data[:, 2])
        entry[f"ndcg@10@k={k}"] = ranking_metrics(data[:, 0], data[:, 1], data[:, 2], DEFAULT_K,
                                                  RELEVANT_AT)["ndcg@k"]
    return {"users": users_used, "ks": list(FOLD_IN_KS), "min_ratings": FOLD_IN_MIN_RATINGS,
            "relevant_at": RELEVANT_AT, "train_users": int(ratings[~is_held][COL_USER].nunique()),
            "table": table, "markdown": fold_in_markdown(table)}


def fold_in_markdown(table: dict[str, dict[str, Any]]) -> str:
    """The fold-in table: RMSE and NDCG@10 per k for the item-bias baseline and each method."""
    ks = FOLD_IN_KS
    head = ["method"] + [f"RMSE k={k}" for k in ks] + [f"NDCG@10 k={k}" for k in ks]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, entry in table.items():
        cells = [f"{entry[f'rmse@k={k}']:.4f}" if f"rmse@k={k}" in entry else "-" for k in ks]
        cells += [f"{entry[f'ndcg@10@k={k}']:.4f}" for k in ks]
        lines.append("| " + " | ".join([name] + cells) + " |")
    return "\n".join(lines)


def taste_share(items: list[dict[str, Any]], genres: list[str]) -> float:
    """The share of recommended films with at least one of `genres`."""
    return sum(bool(set(it["genres"]) & set(genres)) for it in items) / max(len(items), 1)


def visitor_lists(rec: MoviesModel) -> dict[str, dict[str, Any]]:
    """Every candidate method's top 10 for every themed visitor, with the share of the taste's genres."""
    out: dict[str, dict[str, Any]] = {}
    blend = FoldInBlend(rec)
    for method_name, method in VISITOR_METHODS.items():
        per_taste = {}
        for taste, spec in TASTES.items():
            top = blend.for_visitor([(tid, 5.0) for tid in spec["ids"]], 10, method)
            per_taste[taste] = {"share": taste_share(top, spec["genres"]),
                                "titles": [f"{it['title']} ({it['year']})" for it in top]}
        shares = [v["share"] for v in per_taste.values()]
        out[method_name] = {"min_share": min(shares), "mean_share": float(np.mean(shares)), "tastes": per_taste}
    return out


def choose_method(fold_in: dict[str, Any], visitors: dict[str, dict[str, Any]]) -> str:
    """The blend with the best mean fold-in NDCG@10 among those giving every themed visitor at least
    MIN_TASTE_SHARE of their taste; none: the one with the highest smallest share."""
    def ndcg(name: str) -> float:
        entry = fold_in["table"][name]
        return float(np.mean([entry[f"ndcg@10@k={k}"] for k in FOLD_IN_KS]))

    blends = [n for n, m in VISITOR_METHODS.items() if m["name"] == "blend"]
    good = [n for n in blends if visitors[n]["min_share"] >= MIN_TASTE_SHARE]
    if good:
        return max(good, key=ndcg)
    return max(blends, key=lambda n: (visitors[n]["min_share"], ndcg(n)))


def visitor_markdown(fold_in: dict[str, Any], visitors: dict[str, dict[str, Any]], chosen: str) -> str:
    """Per method: taste share of the top 10 for each themed visitor and the mean fold-in NDCG@10."""
    head = ["method"] + list(TASTES) + ["smallest share", "fold-in NDCG@10 (mean over k)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, entry in visitors.items():
        table_name = "plain" if VISITOR_METHODS[name]["name"] == "plain" else name
        ndcg = np.mean([fold_in["table"][table_name][f"ndcg@10@k={k}"] for k in FOLD_IN_KS])
        label = f"**{name}** (chosen)" if name == chosen else name
        cells = [f"{entry['tastes'][t]['share'] * 10:.0f}/10" for t in TASTES]
        lines.append("| " + " | ".join([label, *cells, f"{entry['min_share'] * 10:.0f}/10", f"{ndcg:.4f}"]) + " |")
    return "\n".join(lines)


# ---- the run ----------------------------------------------------------------------------------------------
def train_movies(processed_dir: Path, raw_dir: Path, threshold: float, seed: int = MOVIES_SEED,
                 engine: MoviesEngine | None = None, feedback_folders: list[Path] | None = None,
                 ) -> tuple[dict[str, np.ndarray], dict[str, Any], dict[str, Any]]:
    """The whole Movies run; returns (arrays, manifest metadata, metrics) for model.export.write_artifacts.
    `engine`: who searches and fits (default surprise; model.spark_engine.SparkMovies for Spark).
    `feedback_folders`: fold the visitors' ratings kept there into the catalog ratings (model.feedback)."""
    engine = engine or SURPRISE
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        timings[name] = round(time.perf_counter() - since, 1)
        return time.perf_counter()

    inputs = load_inputs(processed_dir, raw_dir)
    # ---- feedback hook (--with-feedback): visitors' ratings as extra users of the catalog ratings ----
    feedback = None
    if feedback_folders is not None:
        from model.feedback import add_feedback_users

        inputs.ratings, feedback = add_feedback_users(inputs.ratings, inputs.movies, feedback_folders)
    # ---- end of the feedback hook ----
    log.info("movies: %s ratings in ratings_small.csv, %s of catalog films", f"{len(inputs.issue_ratings):,}",
             f"{len(inputs.ratings):,}")
    t = time.perf_counter()
    trainset, _ = surprise_split(inputs.issue_ratings)
    params, trials = engine.search(trainset_frame(trainset), seed)
    log.info("movies: chosen %s", params)
    t = lap("search", t)
    heldout = split_result(inputs.issue_ratings, params, seed, threshold, "MovieLens ratings_small.csv", engine)
    t = lap("heldout", t)
    catalog_split = split_result(inputs.ratings, params, seed, threshold, "catalog ratings (TMDB ids)", engine)
    t = lap("catalog_split", t)
    fold_in = fold_in_evaluation(inputs.ratings, inputs.movies, params, seed, threshold, engine)
    t = lap("fold_in", t)
    arrays, rec = fit_recommender(inputs.ratings, inputs.movies, params, seed, "movies final model", threshold,
                                  engine)
    t = lap("final_fit", t)
    neighbours, ranker, _ = fit_ranker(inputs.ratings, seed)  # lists: EASE, item positions as item_ids
    if not np.array_equal(np.sort(inputs.ratings[COL_ITEM].unique()), arrays["item_ids"]):
        raise ValueError("the ranker's films differ from the recommender's item_ids")
    arrays.update(neighbours)
    t = lap("ranker", t)
    visitors = visitor_lists(rec)
    chosen = choose_method(fold_in, visitors)
    t = lap("visitors", t)
    log.info("movies: content neighbours of %s catalog films", f"{inputs.movies['id'].nunique():,}")
    arrays.update(build_movie_neighbours(inputs.movies))  # similar movies: content, over the whole catalog
    lap("content_neighbours", t)
    per_film = inputs.issue_ratings.groupby(COL_ITEM).size()
    data = {"share_films_le3": float((per_film <= 3).mean()), "median_per_film": float(per_film.median()),
            "median_per_user": float(inputs.issue_ratings.groupby(COL_USER).size().median()),
            "baseline_by_split": baseline_by_split(inputs.issue_ratings)}
    metrics = {
        "data": data, "hyperparameters": params, "search": trials,
        "search_space": [[n, v] for n, v in MOVIES_SEARCH_SPACE],
        "ranker": ranker, "heldout": heldout, "catalog_split": catalog_split, "fold_in": fold_in,
        "visitors": {"tastes": TASTES, "methods": visitors, "chosen": chosen, "min_share": MIN_TASTE_SHARE,
                     "markdown": visitor_markdown(fold_in, visitors, chosen)},
        "feedback": feedback,  # None: trained without --with-feedback
        "seconds": {**timings, "total": round(time.perf_counter() - started, 1),
                    "training_and_evaluation": round(time.perf_counter() - started - timings["content_neighbours"], 1)},
    }
    meta = {
        "model": MODEL_NAMES[engine.meta["engine"]], **engine.meta, "catalog": "movies", "item_ids": "TMDB ids",
        "rating_scale": [RATING_MIN, RATING_MAX], "threshold": threshold, "seed": seed,
        "n_users": int(arrays["user_ids"].size), "n_titles": int(arrays["item_ids"].size),
        "n_ratings": len(inputs.ratings), "hyperparameters": params,
        "visitor_method": {"label": chosen, **VISITOR_METHODS[chosen]},
        "ranker": {k: v for k, v in ranker.items() if k != "validation_ndcg@10"},
        "metrics": {"heldout": heldout["table"], "catalog_split": catalog_split["table"],
                    "fold_in": fold_in["table"]},
        "inputs_sha256": inputs.sha256, "library_versions": library_versions(engine.meta["engine"]),
        "train_seconds": metrics["seconds"]["total"], "feedback": feedback,
    }
    return arrays, meta, metrics
