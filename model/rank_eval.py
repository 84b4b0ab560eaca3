"""Full-catalog top-10 evaluation (`python -m model.rank_eval`): how well each model's lists find hidden films.

For each data set (the Movies model's ratings: ratings_small.csv as the catalog table holds it, TMDB ids; and
MovieLens ml-latest-small), each user's ratings are split 75/25 with a fixed seed (model.rankers'
stratified split). Every model is trained on the same 75%; each user then gets 10 films from everything they
did not rate in training, and every hidden (test) film counts as relevant, whatever its rating
(model.evaluate.top_k_metrics: nDCG, precision, recall, MAP, hit rate at 10, catalog coverage, novelty).

Rows: random; popularity (most-rated first); SVD with the served hyper-parameters (the Movies artifacts'
manifest), by predicted rating; the visitor ranking served before the list ranker (fold-in + genre blend of
model.visitor_blend, fed each user's training ratings as a visitor); implicit ALS (numpy, grid-tuned);
EASE (lambda tuned on a validation split of the training part); EASE truncated to each film's 200 strongest
neighbours as the artifacts store it, a list being the rated films' rows summed (1 per rated film, or rating / 5,
or z-scored with the earlier genre blend on top); and the list as served, computed by the app's own code
(catalog.movies.model.MoviesModel.list_scores: those rows summed and the genre similarity to the rated films,
each over its largest value, the second weighted GENRE_WEIGHT), fed each user's training ratings as a visitor.
The table is printed and written as JSON (atomic), and the figure (nDCG@10 and recall@10 per model and data
set) as a PNG.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm

import config
from catalog.movies import MOVIES
from catalog.movies.model import GENRE_WEIGHT, MoviesModel
from config import COL_ITEM, COL_RATING, COL_USER, RATING_MAX, RATING_MIN
from errors import InputError
from etl.io import read_table, write_bytes, write_json
from model.cli import OneLineParser, add_verbosity_options, configure_logging, whole_number
from model.engines import SurpriseEngine
from model.evaluate import DEFAULT_K, top_k_markdown
from model.movies.recipe import load_inputs
from model.movies.visitors import COL_TMDB, recommender_arrays
from model.rankers import (
    MIN_USER_RATINGS,
    TEST_SHARE,
    Interactions,
    fit_als,
    fit_ranker,
    neighbour_scores,
    stratified_split,
    tune_als,
)
from model.visitor_blend import FoldInBlend
from serving.artifacts import Artifacts, read_manifest
from settings import raw_dir

log = logging.getLogger("model.rank_eval")  # not __main__ under python -m

DATASETS = ("ratings_small", "ml-latest-small")
ML_SMALL = Path("movielens") / "ml-latest-small"
DEFAULT_SEED = 0
DEFAULT_JSON = config.REPORTS_DIR / "rank_eval.json"
DEFAULT_FIGURE = config.PROJ_ROOT / "docs" / "figures" / "rank_eval.png"
ANCHORS = ("random", "popularity", "SVD (predicted rating)", "visitor ranking (fold-in + genres)")
SERVED = f"EASE top-200 + genres x {GENRE_WEIGHT:g} (as served)"
MOVIES_ARTIFACTS_DIR = config.ARTIFACTS_DIR / MOVIES.name


# ---- the data sets ------------------------------------------------------------------------------------
def load_dataset(name: str, processed_dir: Path, raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ratings userId/movieId/rating, films id/title/genres/release_year) of one data set."""
    if name == "ratings_small":
        inputs = load_inputs(processed_dir, raw_dir)
        return inputs.ratings, inputs.movies
    folder = Path(raw_dir) / ML_SMALL
    for file in ("ratings.csv", "movies.csv"):
        if not (folder / file).is_file():
            raise InputError(f"{folder / file}: missing; set RAW_DIR or --raw-dir to the folder holding movielens/")
    ratings = read_table(folder / "ratings.csv", [COL_USER, COL_ITEM, COL_RATING]).to_pandas()
    ratings = ratings[[COL_USER, COL_ITEM, COL_RATING]].astype({COL_ITEM: np.int64, COL_RATING: np.float64})
    films = read_table(folder / "movies.csv", [COL_ITEM, "title", "genres"]).to_pandas()
    year = films["title"].str.extract(r"\((\d{4})\)\s*$")[0]
    return ratings, pd.DataFrame({
        COL_TMDB: films[COL_ITEM].astype(np.int64), "title": films["title"].astype(str),
        "genres": [[] if g == "(no genres listed)" else g.split("|") for g in films["genres"].astype(str)],
        "release_year": pd.to_numeric(year, errors="coerce")})


def served_settings(artifacts_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(SVD hyper-parameters, visitor method) of the served Movies model, from its manifest."""
    manifest = read_manifest(artifacts_dir)
    return manifest["hyperparameters"], manifest["visitor_method"]


# ---- one data set's table -----------------------------------------------------------------------------
def evaluate_dataset(name: str, ratings: pd.DataFrame, films: pd.DataFrame, params: dict[str, Any],
                     method: dict[str, Any], seed: int, k: int = DEFAULT_K) -> dict[str, Any]:
    """Every row of the table for one data set (all models trained on the same 75%)."""
    train, test = stratified_split(ratings, seed)
    inter = Interactions.of(train)
    counts = ratings.groupby(COL_USER).size()
    log.info("%s: %s training and %s hidden ratings of %s users, %s films", name, f"{len(train):,}",
             f"{len(test):,}", f"{counts.size:,}", f"{inter.item_ids.size:,}")
    rows: dict[str, dict[str, float]] = {}
    seconds: dict[str, float] = {}

    def row(label: str, scores: np.ndarray, since: float, candidates: np.ndarray | None = None) -> None:
        rows[label] = inter.evaluate(scores, test, k, candidates)
        seconds[label] = round(time.perf_counter() - since, 1)
        log.info("%s: %-40s nDCG@%d %.4f recall@%d %.4f", name, label, k, rows[label]["ndcg@k"], k,
                 rows[label]["recall@k"])

    t = time.perf_counter()
    row("random", np.random.default_rng(seed).random(inter.binary.shape), t)
    t = time.perf_counter()
    row("popularity", np.broadcast_to(inter.item_users.astype(np.float64), inter.binary.shape), t)

    t = time.perf_counter()
    rec = fitted_recommender(train, films, params, method, seed)
    if not np.array_equal(rec.item_ids, inter.item_ids.astype(np.int64)):
        raise AssertionError("the SVD's items differ from the interactions' items")
    svd = np.clip(rec.global_mean + rec.user_bias[:, None] + rec.item_bias[None, :]
                  + rec.user_factors @ rec.item_factors.T, RATING_MIN, RATING_MAX)
    row("SVD (predicted rating)", svd, t)

    t = time.perf_counter()
    visitors = visitor_inputs(inter)
    fold_in = FoldInBlend(rec)
    blend = np.vstack([fold_in.scores(items, values)
                       for items, values in tqdm(visitors, desc=f"{name} visitors", unit="user", file=sys.stderr,
                                                 disable=not log.isEnabledFor(logging.INFO))])
    row("visitor ranking (fold-in + genres)", blend, t, fold_in.support())

    t = time.perf_counter()
    als_params, als_validation = tune_als(train, seed, k)
    users, items = fit_als(inter.binary, seed=seed, **als_params)
    row("implicit ALS", users @ items.T, t)

    t = time.perf_counter()
    neighbours, ranker, model = fit_ranker(train, seed)
    ranker_seconds = time.perf_counter() - t
    row("EASE (full matrix)", model.scores(inter.binary), t)
    t = time.perf_counter()
    alone = np.vstack([neighbour_scores(neighbours, items, np.ones(items.size), inter.item_ids.size)
                       for items, _ in visitors])
    row("EASE top-200, 1 per rated film", alone, t)
    t = time.perf_counter()
    weighted = [neighbour_scores(neighbours, items, values / RATING_MAX, inter.item_ids.size)
                for items, values in visitors]
    row("EASE top-200, rating / 5 as input", np.vstack(weighted), t)
    t = time.perf_counter()
    genres = np.vstack([fold_in.components(items, values, ("genres",))["genres"] for items, values in visitors])
    z = (alone - alone.mean(axis=1, keepdims=True)) / alone.std(axis=1, keepdims=True)
    row("EASE top-200 + z-scored genre blend", z + float(method["w_genres"]) * genres, t)
    t = time.perf_counter()
    ranked = MoviesModel(Artifacts(Path("<memory>"), rec.manifest, {**rec.artifacts.arrays, **neighbours}))
    served = np.vstack([ranked.list_scores(items, values) for items, values in visitors])  # the app's own code
    row(SERVED, served, t)

    return {
        "data": name, "ratings": len(ratings), "users": int(counts.size), "films": int(ratings[COL_ITEM].nunique()),
        "train_ratings": len(train), "test_ratings": len(test), "test_share": TEST_SHARE, "seed": seed, "k": k,
        "users_below_min": int((counts < MIN_USER_RATINGS).sum()), "min_user_ratings": MIN_USER_RATINGS,
        "training_films": int(inter.item_ids.size),
        "svd_hyperparameters": params, "visitor_method": method,
        "als": {**als_params, "validation_ndcg@10": als_validation},
        "ease": ranker, "ranker_training_seconds": round(ranker_seconds, 1),
        "rows": rows, "seconds": seconds, "markdown": top_k_markdown(rows, k),
    }


def fitted_recommender(train: pd.DataFrame, films: pd.DataFrame, params: dict[str, Any], method: dict[str, Any],
                       seed: int) -> MoviesModel:
    """The served recommender's code over an SVD with the served hyper-parameters fitted on `train`."""
    arrays = recommender_arrays(SurpriseEngine().fit(train, params, seed, "rank_eval SVD"), films)
    manifest = {"hyperparameters": params, "visitor_method": method, "rating_scale": [RATING_MIN, RATING_MAX]}
    return MoviesModel(Artifacts(Path("<memory>"), manifest, arrays))


def visitor_inputs(inter: Interactions) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each user's training ratings as a visitor gives them: (item positions, ratings)."""
    out = []
    for row in inter.ratings:
        items = np.flatnonzero(row)
        out.append((items, row[items].astype(np.float64)))
    return out


# ---- the report ---------------------------------------------------------------------------------------
def goal_check(result: dict[str, Any]) -> dict[str, Any]:
    """Does the served list beat every anchor on nDCG@10 and recall@10, and popularity 1.5x on nDCG@10?"""
    rows = result["rows"]
    served = rows[SERVED]
    beats = {a: served["ndcg@k"] > rows[a]["ndcg@k"] and served["recall@k"] > rows[a]["recall@k"] for a in ANCHORS}
    ratio = served["ndcg@k"] / rows["popularity"]["ndcg@k"]
    return {"beats_anchors": beats, "ndcg_over_popularity": round(ratio, 3),
            "met": all(beats.values()) and ratio >= 1.5}


def draw_figure(results: list[dict[str, Any]], path: Path, k: int) -> None:
    """nDCG@k and recall@k per model, one panel per data set, as a PNG (atomic)."""
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4.8), squeeze=False)
    for ax, result in zip(axes[0], results, strict=True):
        names = list(result["rows"])
        y = np.arange(len(names))
        ndcg = [result["rows"][n]["ndcg@k"] for n in names]
        recall = [result["rows"][n]["recall@k"] for n in names]
        ax.barh(y - 0.2, ndcg, 0.4, label=f"nDCG@{k}", color="#1f77b4")
        ax.barh(y + 0.2, recall, 0.4, label=f"recall@{k}", color="#ff7f0e")
        ax.set_yticks(y, names, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(f"{result['data']}: {result['users']:,} users, {result['training_films']:,} films, "
                     f"75/25 split", fontsize=9)
        ax.set_xlabel("full-catalog top-10 (higher is better)", fontsize=8)
        ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    write_bytes(buffer.getvalue(), path)


def print_report(results: list[dict[str, Any]]) -> None:
    for r in results:
        print(f"\n{r['data']}: {r['users']:,} users, {r['training_films']:,} films in training; per-user "
              f"{1 - r['test_share']:.0%}/{r['test_share']:.0%} split, seed {r['seed']} ({r['train_ratings']:,} "
              f"training, {r['test_ratings']:,} hidden ratings); k = {r['k']}; every hidden film relevant")
        print(f"SVD {r['svd_hyperparameters']}; EASE lambda {r['ease']['lambda']:g} (validation split), top "
              f"{r['ease']['top']}; ALS {r['als']['factors']} factors, reg {r['als']['reg']:g}, alpha "
              f"{r['als']['alpha']:g}; ranker trained in {r['ranker_training_seconds']:.1f} s")
        print(r["markdown"])
        goal = r["goal"]
        print(f"served list ({SERVED}): beats every anchor on nDCG and recall: "
              f"{all(goal['beats_anchors'].values())}; nDCG@{r['k']} = {goal['ndcg_over_popularity']:.2f} x "
              f"popularity; goal met: {goal['met']}")


# ---- the command line ---------------------------------------------------------------------------------
def build_parser() -> OneLineParser:
    p = OneLineParser(prog="python -m model.rank_eval", description=__doc__.split("\n")[0])
    p.add_argument("--data", choices=(*DATASETS, "both"), default="both",
                   help="which data set(s) to evaluate (default both)")
    p.add_argument("--seed", type=whole_number(0, 2**32 - 1), default=DEFAULT_SEED,
                   help=f"seed of the split and of every model (default {DEFAULT_SEED})")
    p.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR,
                   help="folder with movies/ratings.parquet and movies/movies.parquet (default data/processed)")
    p.add_argument("--raw-dir", type=Path, default=None,
                   help="raw data folder holding tmdb/ and movielens/ (default RAW_DIR)")
    p.add_argument("--movies-artifacts", type=Path, default=MOVIES_ARTIFACTS_DIR,
                   help="the Movies model whose hyper-parameters and visitor method are evaluated "
                        "(default artifacts/movies)")
    p.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write the results (default "
                                                                   "reports/rank_eval.json)")
    p.add_argument("--figure", type=Path, default=DEFAULT_FIGURE,
                   help="where to draw nDCG@10 and recall@10 per model (default docs/figures/rank_eval.png)")
    add_verbosity_options(p)
    return p


def main(argv: list[str] | None = None) -> int:
    """0 on success, 2 (one line on stderr) on bad options or inputs."""
    args = build_parser().parse_args(argv)
    configure_logging(args.verbosity)
    try:
        raw = raw_dir(args.raw_dir)
        params, method = served_settings(args.movies_artifacts)
        names = DATASETS if args.data == "both" else (args.data,)
        results = []
        with logging_redirect_tqdm():
            for name in names:
                ratings, films = load_dataset(name, args.processed_dir, raw)
                result = evaluate_dataset(name, ratings, films, params, method, args.seed)
                result["goal"] = goal_check(result)
                results.append(result)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_json(json.loads(json.dumps({"results": results}, default=float)), args.json)
    draw_figure(results, args.figure, DEFAULT_K)
    print_report(results)
    print(f"\nresults: {args.json}; figure: {args.figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
