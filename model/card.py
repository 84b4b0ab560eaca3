"""Hugging Face cards: the one model card generator (artifacts/<name>/README.md) and the processed data's card.

`model_card` writes every catalog's card from its manifest, metrics.json and the recipe's `CardText` (title,
catalog-specific metadata and sections); `benchmark_section` and `search_table` are the parts recipes share.
Measured facts about the data come from the run or the EDA's reports/eda.json (`read_eda`), never typed in.
Both cards start with YAML metadata (JSON-style flow values, which YAML accepts) followed by markdown.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from catalog import MOVIES, STREAMING
from errors import InputError
from model.recipe import CardText

EDA_FILE = "eda.json"
# Per engine (manifest "engine"): the model's name and how it is fitted, in the card's words, and its library.
LIBRARY = {"surprise": "scikit-surprise", "spark": "pyspark"}
LIBRARY_TAG = {"surprise": "scikit-surprise", "spark": "apache-spark"}
ENGINE_TEXT = {
    "surprise": ("SVD", "A biased SVD (scikit-surprise, Funk-style SGD)"),
    "spark": ("ALS", "BaselineOnly biases fitted by Spark aggregates (surprise's ALS formulas) plus an explicit "
                     "ALS factor model of their residuals (Apache Spark MLlib)"),
}
ITEM_SIGNAL_KEYS = ("title_mean_std", "title_mean_std_shuffled_mean", "title_mean_std_expected",
                    "split_half_r_titles", "split_half_r_users")


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON value")


def read_eda(reports_dir: str | Path) -> dict[str, Any] | None:
    """The EDA's statistics (the "numbers" of reports/eda.json), or None when the EDA was not run.

    InputError, naming the file, when eda.json is not strict JSON or lacks the item-signal numbers the card cites.
    """
    path = Path(reports_dir) / EDA_FILE
    if not path.is_file():
        return None
    try:
        eda = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError) as exc:  # json.JSONDecodeError is a ValueError
        raise InputError(f"{path}: not strict JSON ({exc}); rerun `python -m etl.eda`") from None
    numbers = eda.get("numbers") if isinstance(eda, dict) else None
    signal = numbers.get("item_signal") if isinstance(numbers, dict) else None
    if not isinstance(signal, dict) or not all(key in signal for key in ITEM_SIGNAL_KEYS):
        raise InputError(f"{path}: no numbers.item_signal with {', '.join(ITEM_SIGNAL_KEYS)}; "
                         "rerun `python -m etl.eda`")
    return numbers


def _yaml(meta: dict[str, Any]) -> str:
    return "---\n" + "".join(f"{key}: {json.dumps(value)}\n" for key, value in meta.items()) + "---\n"


def model_card(meta: dict[str, Any], metrics: dict[str, Any], text: CardText) -> str:
    """artifacts/<name>/README.md of any catalog: YAML metadata (the model-index from the benchmark and row the
    recipe names), the recipe's title and sections (`text`, from its `card`), then the files and how the run
    went. Every figure comes from this run's manifest and metrics."""
    engine = meta.get("engine", "surprise")
    short = ENGINE_TEXT[engine][0]
    index = text.index
    row = metrics["benchmarks"][index["benchmark"]]["table"][index["row"]]
    header = _yaml({
        "library_name": LIBRARY[engine],
        "pipeline_tag": "tabular-regression",
        "tags": ["recommender-system", "collaborative-filtering", short.lower(), LIBRARY_TAG[engine], *text.tags],
        "datasets": text.datasets,
        "metrics": ["rmse", "mae", "accuracy", "precision", "recall", "f1", "roc_auc", "ndcg"],
        "model-index": [{
            "name": index["name"],
            "results": [{
                "task": {"type": "tabular-regression", "name": "Rating prediction"},
                "dataset": index["dataset"],
                "metrics": [{"type": name, "value": round(row[name], 4) if row[name] is not None else None,
                             "name": f"held-out {name}"} for name in ("rmse", "mae", "f1", "roc_auc")],
            }],
        }],
    })
    seconds = metrics.get("seconds", {})
    steps = ", ".join(f"{name.replace('_', ' ')} {value:.0f} s" for name, value in seconds.items() if name != "total")
    lines = [
        header,
        f"# {text.title}\n",
        *text.sections,
        "## Files\n",
        "NumPy arrays (`np.load(..., allow_pickle=False)`) and JSON; `manifest.json` lists the sha256 of every "
        "file, the input files' sha256, hyper-parameters, metrics and library versions; `metrics.json` holds "
        "every measurement of the run. No pickle."
        + (f" The run took {seconds['total']:.0f} s" + (f" ({steps})" if steps else "") + "." if "total" in seconds
           else "") + "\n",
        f"Hyper-parameters: `{json.dumps(meta['hyperparameters'])}`; seed {meta['seed']}; "
        f"libraries: `{json.dumps(meta['library_versions'])}`.\n",
    ]
    return "\n".join(lines)


def search_table(trials: list[dict[str, Any]], engine: str) -> str:
    """The hyper-parameter search's trials as a markdown table (each engine's own columns)."""
    if engine == "spark":
        lines = ["| rank | regParam | maxIter | validation RMSE | fit s (mean) |", "|---|---|---|---|---|"]
        lines += [f"| {t['rank']} | {t['reg_param']} | {t['max_iter']} | {t['val_rmse']:.4f} | {t['seconds']} |"
                  for t in trials]
    else:
        lines = ["| n_factors | n_epochs | lr_all | reg_bu | reg_bi | reg_factors | validation RMSE | fit s |",
                 "|---|---|---|---|---|---|---|---|"]
        lines += [f"| {t['n_factors']} | {t['n_epochs']} | {t['lr_all']} | {t['reg_bu']} | {t['reg_bi']} | "
                  f"{t['reg_factors']} | {t['val_rmse']:.4f} | {t['seconds']} |" for t in trials]
    return "\n".join(lines)


def benchmark_section(title: str, result: dict[str, Any], engine: str) -> str:
    """One benchmark of metrics.json as a card section: its data, split, chosen hyper-parameters and table."""
    hp = ", ".join(f"{k}={v}" for k, v in result["hyperparameters"].items())
    model, sample = ENGINE_TEXT[engine][0], ""
    if result.get("metric_sample"):  # Spark: RMSE and MAE over every held-out rating, the rest on a user sample
        model, share = "ALS (TrainValidationSplit)", result["metric_sample"]["sample_share"]
        sample = (" RMSE and MAE over every held-out rating (computed in Spark); the other metrics on "
                  f"{result['metric_sample']['sample_rows']:,} held-out ratings of a seeded {share:.0%} of the "
                  "users, collected to the driver.") if share < 1 else ""
    return (f"### {title}\n\n{result['ratings']:,} ratings, {result['users']:,} users, {result['items']:,} "
            f"items; seeded {1 - result['test_size']:.0%}/{result['test_size']:.0%} split "
            f"({result['test_ratings']:,} held-out ratings, seed {result['seed']}). {model} chosen by the search on "
            f"the training part: {hp}.{sample}\n\n{result['markdown']}\n")


def dataset_card(titles: pd.DataFrame, report: dict[str, Any] | None = None, movies_rows: int | None = None) -> str:
    """README.md of the dataset repo: each catalog in its folder, the streaming catalog's titles.parquet and the
    Movies catalog's tables when they are published too (`movies_rows` movies)."""
    s, m = STREAMING.name, MOVIES.name
    header = _yaml({
        "pretty_name": "Streaming catalog (Amazon Prime Video, Disney+, Hulu, Netflix)",
        "tags": ["recommender-system", "tabular", "movies", "tv-shows"],
        "task_categories": ["tabular-classification"],
        "size_categories": ["10K<n<100K"],
        "configs": [{"config_name": "default", "data_files": f"{s}/titles.parquet"}],
    })
    counts = titles.groupby(["platform", "type"]).size().unstack(fill_value=0)
    lines = [
        header,
        "# Streaming catalog, processed\n",
        f"{len(titles):,} titles of four streaming platforms, cleaned by the project's ETL (`python -m etl`): "
        "one row per title, all text lower case, multi-valued fields (cast, director, country, listed_in) as "
        "\", \"-separated strings, missing text as null. `score` is the mean user rating of the title and "
        "`n_ratings` how many ratings it has.\n",
        "## Titles per platform and type\n",
        "| platform | " + " | ".join(counts.columns) + " |",
        "|---|" + "---|" * len(counts.columns),
        *[f"| {p} | " + " | ".join(str(v) for v in row) + " |" for p, row in counts.iterrows()],
        "",
        "## Columns\n",
        ", ".join(f"`{c}`" for c in titles.columns) + "\n",
        "## Caveat\n",
        "The ratings behind `score` assigned title ids at random: scores differ between titles by noise only.\n",
    ]
    if movies_rows is not None:
        lines += [f"## The Movies catalog (`{m}/`)\n",
                  f"{movies_rows:,} films of The Movies Dataset (TMDB metadata), cleaned by the movies ETL: "
                  f"`{m}/movies.parquet` (one row per TMDB id), `{m}/ratings.parquet` (MovieLens ratings by "
                  f"TMDB id), `{m}/where_to_watch.parquet` (streaming titles linked to a TMDB movie) and "
                  f"`{m}/etl_report.json`.\n"]
    if report:
        lines += ["## ETL report (summary)\n", "```json", json.dumps(report, indent=2, default=str)[:4000], "```\n"]
    return "\n".join(lines)
