"""The Movies catalog's recipe (`python -m model.train --catalog movies`): search, evaluate, fold-in, export.

Steps (seeded; SEED = 0, the issue's `random_state`):
1. the issue's split: surprise's `train_test_split(data, test_size=0.2, random_state=0)` on a Dataset loaded
   from MovieLens' ratings_small.csv (userId, movieId, rating), all 100,004 rows in file order, so that the
   issue's reference figures (BaselineOnly 0.8838, default SVD 0.8874) are reproduced exactly. The clean
   catalog table drops 194 ratings of films outside the catalog (quarantined by the ETL), which reshuffles
   the split; the same table on that split is reported beside it (`catalog_split`);
2. a seeded greedy coordinate search (the engine's) over SEARCH_SPACE: reg_all, (lr, epochs) and n_factors up
   to 300 and 100 epochs, each candidate fitted on 80% of the training part and scored on the other 20%;
3. the held-out table: NormalPredictor, the global mean, BaselineOnly, the engine's default model and the tuned
   one, with RMSE, MAE, F1 at 3.5, ROC AUC and NDCG/precision/recall@10 (relevant = rating >= 4);
4. the fold-in table and the visitor method (model.movies.visitors);
5. the tuned model refitted on all catalog ratings (TMDB ids, plus the recipe's extra ratings) with its content
   neighbours (model.movies.content), exported by model.train to artifacts/<name>/;
6. the list ranker on the same ratings: EASE on who rated what (model.rankers, lambda tuned on a validation
   split, each film's 200 strongest neighbours kept; `python -m model.rank_eval` compares it with the other
   rankings), its CSR rows in the same artifacts and its choice in the manifest's `ranker`.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from surprise import BaselineOnly, Dataset, Reader, Trainset
from surprise.model_selection import train_test_split

from catalog import MOVIES
from config import COL_ITEM, COL_RATING, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.io import read_table
from model.dataset import TEST_SIZE
from model.engines import Engine, benchmark_result
from model.evaluate import rmse
from model.movies import visitors
from model.movies.content import build_movie_neighbours
from model.movies.visitors import COL_TMDB, RELEVANT_AT
from model.rankers import fit_ranker
from model.recipe import CardText, Recipe, Trained
from serving.artifacts import sha256_file
from settings import load_settings

log = logging.getLogger(__name__)

SEED = 0
ISSUE_RATINGS = Path("tmdb") / "ratings_small.csv"
# Searched one coordinate at a time from surprise's defaults (model.search.greedy_search).
SEARCH_SPACE: list[tuple[str, list[Any]]] = [
    ("reg_all", [0.05, 0.1, 0.15]),
    ("lr_epochs", [(0.005, 50), (0.004, 100), (0.007, 100)]),
    ("n_factors", [50, 200, 300]),
]
TABLE_COLUMNS = ["rmse", "mae", "f1", "roc_auc", "ndcg@k", "precision@k", "recall@k", "ranking_users"]

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
    sha = {f"{MOVIES.name}/ratings.parquet": sha256_file(paths["ratings"]),
           f"{MOVIES.name}/movies.parquet": sha256_file(paths["movies"]),
           str(ISSUE_RATINGS): sha256_file(paths["issue"])}
    return MoviesInputs(issue, clean, movies, sha)


# ---- the issue's split and the held-out table ----------------------------------------------------------
def surprise_split(df: pd.DataFrame, random_state: int = SEED) -> tuple[Trainset, list[tuple]]:
    """surprise's own `train_test_split(test_size=0.2, random_state=...)` of (userId, movieId, rating)."""
    data = Dataset.load_from_df(df[[COL_USER, COL_ITEM, COL_RATING]], Reader(rating_scale=(RATING_MIN, RATING_MAX)))
    return train_test_split(data, test_size=TEST_SIZE, random_state=random_state)


def trainset_frame(trainset: Trainset) -> pd.DataFrame:
    """A Trainset's ratings as a (userId, movieId, rating) frame of raw ids."""
    rows = [(trainset.to_raw_uid(u), trainset.to_raw_iid(i), r) for u, i, r in trainset.all_ratings()]
    return pd.DataFrame(rows, columns=[COL_USER, COL_ITEM, COL_RATING])


def split_result(engine: Engine, df: pd.DataFrame, params: dict[str, Any], trials: list[dict], seed: int,
                 threshold: float, label: str) -> dict[str, Any]:
    """The held-out table of one ratings frame on the issue's split, as a benchmark of metrics.json."""
    trainset, testset = surprise_split(df)
    table = engine.heldout_table(trainset, testset, params, seed, threshold, RELEVANT_AT)
    counts = {"ratings": len(df), "users": int(df[COL_USER].nunique()), "items": int(df[COL_ITEM].nunique())}
    return benchmark_result(label, counts, len(testset), SEED, threshold, params, trials, table, RELEVANT_AT,
                            TABLE_COLUMNS)


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


# ---- the run ----------------------------------------------------------------------------------------------
class MoviesRecipe(Recipe):
    """The Movies catalog's recipe (the module docstring's steps)."""

    spec = MOVIES
    seed = SEED
    takes_feedback = True
    search_space = SEARCH_SPACE

    def train(self, engine: Engine, options: Any) -> Trained:
        seconds: dict[str, float] = {}
        started = time.perf_counter()

        def lap(name: str, since: float) -> float:
            seconds[name] = round(time.perf_counter() - since, 1)
            return time.perf_counter()

        seed, threshold = options.seed, options.threshold
        inputs = load_inputs(options.processed_dir, options.movielens_dir())
        log.info("movies: %s ratings in ratings_small.csv, %s of catalog films", f"{len(inputs.issue_ratings):,}",
                 f"{len(inputs.ratings):,}")
        t = time.perf_counter()
        trainset, _ = surprise_split(inputs.issue_ratings)
        params, trials = engine.search(trainset_frame(trainset), seed, SEARCH_SPACE, label="movies search")
        log.info("movies: chosen %s", params)
        t = lap("search", t)
        heldout = split_result(engine, inputs.issue_ratings, params, trials, seed, threshold,
                               "MovieLens ratings_small.csv")
        t = lap("heldout", t)
        catalog_split = split_result(engine, inputs.ratings, params, [], seed, threshold, "catalog ratings (TMDB ids)")
        t = lap("catalog_split", t)
        fold_in = visitors.fold_in_evaluation(engine, inputs.ratings, inputs.movies, params, seed, threshold)
        t = lap("fold_in", t)
        ratings, feedback = inputs.ratings, None
        if options.with_feedback:  # visitors' opt-in ratings as extra users of the final fit
            from model.feedback import add_feedback_users, feedback_folders

            ratings, feedback = add_feedback_users(ratings, inputs.movies, feedback_folders(load_settings()))
        arrays, rec = visitors.fit_recommender(engine, ratings, inputs.movies, params, seed, "movies final model",
                                               threshold)
        t = lap("final_fit", t)
        neighbours, ranker, _ = fit_ranker(ratings, seed)  # lists: EASE, item positions as item_ids
        if not np.array_equal(np.sort(ratings[COL_ITEM].unique()), arrays["item_ids"]):
            raise ValueError("the ranker's films differ from the recommender's item_ids")
        arrays.update(neighbours)
        t = lap("ranker", t)
        lists = visitors.visitor_lists(rec)
        chosen = visitors.choose_method(fold_in, lists)
        t = lap("visitors", t)
        seconds["training_and_evaluation"] = round(time.perf_counter() - started, 1)
        if options.with_content:
            log.info("movies: content neighbours of %s catalog films", f"{inputs.movies[COL_TMDB].nunique():,}")
            arrays.update(build_movie_neighbours(inputs.movies))  # similar movies: content, over the whole catalog
            lap("content_neighbours", t)
        per_film = inputs.issue_ratings.groupby(COL_ITEM).size()
        data = {"share_films_le3": float((per_film <= 3).mean()), "median_per_film": float(per_film.median()),
                "median_per_user": float(inputs.issue_ratings.groupby(COL_USER).size().median()),
                "baseline_by_split": baseline_by_split(inputs.issue_ratings)}
        extras = {"feedback": feedback, "data": data, "search_space": [[n, v] for n, v in SEARCH_SPACE],
                  "ranker": ranker, "fold_in": fold_in,
                  "visitors": {"tastes": visitors.TASTES, "methods": lists, "chosen": chosen,
                               "min_share": visitors.MIN_TASTE_SHARE,
                               "markdown": visitors.visitor_markdown(fold_in, lists, chosen)}}
        return Trained(arrays, params, {"heldout": heldout, "catalog_split": catalog_split}, len(ratings),
                       inputs.sha256, extras=extras, tables={"fold_in": fold_in["table"]},
                       meta={"item_ids": "TMDB ids", "feedback": feedback,
                             "visitor_method": {"label": chosen, **visitors.VISITOR_METHODS[chosen]},
                             "ranker": {k: v for k, v in ranker.items() if k != "validation_ndcg@10"}},
                       seconds=seconds)

    def card(self, meta: dict[str, Any], metrics: dict[str, Any], options: Any) -> CardText:
        from model.movies.card import card_text, read_rank_eval

        return card_text(meta, metrics, read_rank_eval(Path(options.reports_dir)))


RECIPE = MoviesRecipe()
