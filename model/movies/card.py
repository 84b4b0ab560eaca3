"""The Movies model card's text: what model.card.model_card writes between the title and the files."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.card import ENGINE_TEXT, search_table
from model.engines import ROWS
from model.recipe import CardText


def card_text(meta: dict[str, Any], metrics: dict[str, Any], rank_eval: dict[str, Any] | None = None) -> CardText:
    """The Movies model card's title and sections (model.card.model_card writes the card), every figure from
    this run's measurements."""
    h, c = metrics["benchmarks"]["heldout"], metrics["benchmarks"]["catalog_split"]
    f, v, d = metrics["extras"]["fold_in"], metrics["extras"]["visitors"], metrics["extras"]["data"]
    plain, bias = f["table"]["plain"], f["table"]["item bias"]
    ndcgs = [e[f"ndcg@10@k={k}"] for e in f["table"].values() for k in f["ks"]]
    rmse_gains = ", ".join(f"k={k}: {plain[f'rmse@k={k}'] - bias[f'rmse@k={k}']:+.4f}" for k in f["ks"])
    spark = meta.get("engine") == "spark"
    rows = ROWS[meta.get("engine", "surprise")]
    tuned, base, default = (h["table"][name] for name in (rows.tuned, rows.baseline, rows.default))
    gain = base["rmse"] - tuned["rmse"]
    model = "ALS" if spark else "SVD"
    hyper = meta["hyperparameters"]
    how = (f"rank {hyper['rank']} and regParam {hyper['reg_param']} (Spark's ALS regularises each user's and "
           "film's factors once per rating, as surprise does)" if spark else
           f"{hyper['n_factors']} factors, {hyper['n_epochs']} epochs and {hyper['reg_factors'] / 0.02:g} times "
           "surprise's default regularisation")
    default_text = "Spark ALS defaults (rank 10, regParam 0.1) give" if spark else "surprise's default SVD gives"
    hp = ", ".join(f"{k}={val}" for k, val in meta["hyperparameters"].items())
    method = meta["visitor_method"]
    search_lines = [search_table(h["search"], meta.get("engine", "surprise"))]
    visitor_lists = []
    for taste, spec in v["tastes"].items():
        plain = v["methods"]["plain"]["tastes"][taste]
        chosen = v["methods"][v["chosen"]]["tastes"][taste]
        visitor_lists.append(f"- **{taste}** (rated 5: TMDB {', '.join(map(str, spec['ids']))}; taste = "
                             f"{' or '.join(spec['genres'])}): plain fold-in {plain['share'] * 10:.0f}/10 "
                             f"({'; '.join(plain['titles'][:5])}; ...), chosen method "
                             f"{chosen['share'] * 10:.0f}/10 ({'; '.join(chosen['titles'])})")
    sections = [
        f"{ENGINE_TEXT[meta.get('engine', 'surprise')][1]}, trained on {meta['n_ratings']:,} MovieLens ratings of "
        f"{meta['n_users']:,} "
        f"users on {meta['n_titles']:,} films of the Movies catalog (item ids are TMDB ids). Known users get "
        "predictions and top-N lists; a visitor who rates at least three films is folded in (their bias and "
        "factors solved in closed form against the fixed item factors) and gets a top-N list.\n",
        *feedback_lines(meta.get("feedback")),
        "## Held-out evaluation (the issue's split)\n",
        f"surprise's `train_test_split(test_size=0.2, random_state=0)` on MovieLens `ratings_small.csv` "
        f"(userId, movieId, rating; {h['ratings']:,} ratings in file order; {h['test_ratings']:,} held out). "
        f"RMSE and MAE of the predicted rating; F1 of \"recommend when prediction >= {meta['threshold']}\" "
        f"against \"true rating >= {meta['threshold']}\"; ROC AUC of the prediction as a score; NDCG, "
        f"precision and recall @{h['k']} over each user's held-out films ranked by prediction (users with at "
        f"least {h['k']} held-out ratings; relevant = true rating >= {h['relevant_at']}). NormalPredictor draws "
        f"are seeded. Tuned {model}: {hp}.\n",
        h["markdown"] + "\n",
        f"Tuned {model} RMSE **{tuned['rmse']:.4f}** (target <= 0.865), **{gain:.4f}** better than BaselineOnly "
        f"(target >= 0.015); {default_text} {default['rmse']:.4f}.\n",
        f"**Why the gain is modest.** {h['ratings']:,} ratings of {h['users']:,} users spread over "
        f"{h['items']:,} films: {d['share_films_le3']:.0%} of the films have three ratings or fewer (median "
        f"{d['median_per_film']:.0f} per film, against {d['median_per_user']:.0f} per user), so their factors "
        "cannot be learned and only their biases (shrunk towards zero) carry information. On such data most "
        "of the predictable variance is user and film bias, which "
        "BaselineOnly already captures; the factors add the interaction part, which needs many ratings per "
        f"film and per user. The tuned model gets there with {how}, so that the factors of rarely rated films "
        "stay near zero "
        "instead of fitting noise. Differences between random splits are of the same order: BaselineOnly's "
        f"held-out RMSE ranges {min(d['baseline_by_split']):.4f}-{max(d['baseline_by_split']):.4f} over "
        f"random_state 0-{len(d['baseline_by_split']) - 1}.\n",
        "### The same on the catalog's ratings\n",
        f"The served model is trained on the ratings of catalog films only ({c['ratings']:,}; the ETL "
        "quarantines ratings of films outside the catalog). The same split rule on that table shuffles "
        "differently, and gives:\n",
        c["markdown"] + "\n",
        "### Hyper-parameter search\n",
        "A seeded greedy coordinate search from surprise's defaults (one coordinate at a time: regularisation, "
        "then learning rate with epochs, then factors), each candidate fitted on a seeded 80% of the training "
        "part and scored on the other 20%; the cheapest configuration within 0.0005 of the best validation "
        "RMSE wins.\n",
        "\n".join(search_lines) + "\n",
        "## Visitors: fold-in\n",
        "A visitor's bias b and factors p minimise `sum_j (r_j - mu - b_j - b - q_j . p)^2 + n (reg_bu b^2 + "
        "reg_pu |p|^2)` with the item factors q and biases fixed: the objective surprise's SGD minimises for one "
        "user (its regularisation applies once per rating), solved in closed form.\n",
        f"Offline: {f['users']} seeded users with at least {f['min_ratings']} ratings are left out of training "
        f"(the model is fitted on the other {f['train_users']} users); for each, k of their ratings (a seeded "
        f"shuffle) are folded in and the ratings after the first {max(f['ks'])} are predicted (the same films "
        "for every k). RMSE of the folded-in prediction, and NDCG@10 of each method's ranking of those films "
        f"(relevant = rating >= {f['relevant_at']}), against the item-bias baseline (global mean + item bias):\n",
        f["markdown"] + "\n",
        f"Plain fold-in's RMSE against the item-bias baseline: "
        f"{rmse_gains}. "
        f"NDCG@10 ranges from {min(ndcgs):.4f} to {max(ndcgs):.4f}. It ranks only the films a user *has* rated, "
        "mostly well-liked films (people watch what is good), so it rewards bias-driven rankings and cannot "
        "see whether a visitor's list matches their taste, which the next table measures.\n",
        "### Why visitors are not ranked by plain fold-in\n",
        "With three to five ratings the ridge keeps |p| small and the item biases decide the ranking: every "
        "visitor gets the same acclaimed classics whatever they like. Themed visitors (five films of one "
        "taste rated 5) show it; the share of their top 10 that belongs to their taste's genres, per method "
        "(blends: weighted sum of z-scores over all films of the folded-in prediction, of the cosine similarity "
        "of each film's factors to the rated films' factors and of the same for genres, weighted by rating minus "
        "the mean rating; films with fewer than 10 ratings left out):\n",
        v["markdown"] + "\n",
        f"Chosen: **{v['chosen']}** (`{json.dumps(method)}`): the best mean fold-in NDCG@10 among the methods "
        f"giving every themed visitor at least {v['min_share'] * 10:.0f} of 10 films of their taste.\n",
        "\n".join(visitor_lists) + "\n",
        "## Similar movies\n",
        "Two lists. **By content**, over the whole catalog: each film is one vector of weighted blocks (genres, "
        "overview words, top-3 cast, directors, collection, original language; each block TF-IDF and "
        "L2-normalised, then weighted), normalised as a whole, and similarity is the cosine of two such vectors "
        "(the rule every catalog's content neighbours follow). About a third of the films have an overview and "
        "about 5,000 their cast: a film lacking a block is compared on the blocks it has. The neighbours (30 per "
        "film) are drawn from films with at least 10 TMDB votes. **By taste**, for films with ratings: the "
        "nearest films in the learned factor space (cosine of the item factors, films with at least 10 ratings), "
        "i.e. films the same people rate alike.\n",
        *ranking_lines(rank_eval),
        "## Intended use and limitations\n",
        "A demo recommender of films. The ratings are MovieLens' small 2016 sample: films after 2016 are unknown, "
        "taste is that of 671 users, and films with few ratings are never recommended to visitors. Genres come "
        "from the catalog. Not for decisions about people.\n",
    ]
    return CardText(
        title=f"{model} recommender for the Movies catalog (MovieLens ratings, TMDB ids)",
        tags=["movielens", "fold-in"], datasets=["movielens-small"],
        index={"name": "svd-movies-recommender", "benchmark": "heldout", "row": rows.tuned,
               "dataset": {"type": "movielens-small",
                           "name": "MovieLens ratings_small.csv (held-out 20%, random_state=0)"}},
        sections=sections)


def feedback_lines(feedback: dict[str, int] | None) -> list[str]:
    """The card's words on visitors' feedback folded in (`--with-feedback`); nothing without it."""
    if feedback is None:
        return []
    return [f"Visitors' feedback (`--with-feedback`): {feedback['ratings']:,} opt-in ratings of "
            f"{feedback['users']:,} visitors (from {feedback['events']:,} events) were added as extra users of the "
            "final fit, with ids above every MovieLens user id; they are among the ratings counted above"
            + (f" ({feedback['ratings_of_unknown_films']:,} ratings of films outside the catalog left out)"
               if feedback.get("ratings_of_unknown_films") else "") + ".\n"]


def read_rank_eval(reports_dir: Path) -> dict[str, Any] | None:
    """`python -m model.rank_eval`'s results (reports/rank_eval.json), or None when it has not been run."""
    path = Path(reports_dir) / "rank_eval.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ranking_lines(rank_eval: dict[str, Any] | None) -> list[str]:
    """The card's section on how its lists rank: the full-catalog top-10 table of each data set, measured by
    `python -m model.rank_eval` (a pointer to it when it has not been run)."""
    lines = ["## Lists: full-catalog ranking\n",
             "Lists (a visitor's picks, a user's top N, films liked by the same people) come from the EASE item-item "
             "ranker (each film's 200 strongest neighbours) plus a genre term; the verdict stays SVD's predicted "
             "rating against the threshold. Measured as the field measures lists: each user's ratings split 75/25 "
             "(stratified per user, seeded), every model trained on the same 75%, 10 films recommended from "
             "everything the user has not rated in training, the hidden ones counted.\n"]
    if rank_eval is None:
        return lines + ["Run `python -m model.rank_eval` (it writes reports/rank_eval.json) for the table.\n"]
    for result in rank_eval.get("results", []):
        svd = next((r for r in result["rows"] if r.startswith("SVD")), None)
        ranked = sorted(result["rows"], key=lambda r: -result["rows"][r]["ndcg@10"])
        where = f" SVD by predicted rating ranks {ranked.index(svd) + 1} of {len(ranked)} on nDCG@10." if svd else ""
        lines += [f"**{result['data']}** ({result['ratings']:,} ratings, {result['users']:,} users, seed "
                  f"{result['seed']}, EASE lambda {result['ease'].get('lambda', '?')}).{where}\n",
                  result["markdown"] + "\n"]
    return lines
