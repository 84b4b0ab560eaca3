"""One EDA run: load data/processed, compute the statistics once, draw every figure, write the report set.

Outputs under the output directory: figures/*.png, eda.json ({"numbers": the stats dict, "figures": [{"file",
"title", "caption", "catalog"}, ...]}, strict JSON) and eda.md. When `<processed>/movies/movies.parquet` exists the
Movies catalog is analysed too: its numbers go under numbers["movies"], its figures (and the side-by-side ones of
both catalogs' item signal) follow the streaming ones, with "catalog" "movies" or "both". They are staged and move
into place together only once all of them are written, so a failed run leaves the previous report as it was.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from tqdm import tqdm

from etl import io
from etl.eda import captions, figures, movies_figures, stats
from etl.eda.data import load
from etl.eda.movies_captions import MOVIES_CAPTIONS
from etl.eda.movies_data import Catalogs, load_movies
from etl.eda.movies_stats import compute_movies

log = logging.getLogger("etl.eda")


def figure_entries(numbers: dict) -> list[dict]:
    """eda.json's "figures" list, in report order: {"file", "title", "caption", "catalog"} of each figure; the
    Movies figures only when the numbers hold the Movies catalog's."""
    entries = [{"file": f"figures/{name}.png", "title": spec.title, "caption": captions.CAPTIONS[name](numbers),
                "catalog": "streaming"} for name, spec in figures.FIGURES.items()]
    if "movies" in numbers:
        entries += [{"file": f"figures/{name}.png", "title": spec.title, "caption": MOVIES_CAPTIONS[name](numbers),
                     "catalog": movies_figures.CATALOG[name]} for name, spec in movies_figures.MOVIES_FIGURES.items()]
    return entries


def eda_json(numbers: dict, entries: list[dict]) -> str:
    """The text of eda.json; ValueError rather than a bare NaN, which is not JSON."""
    return json.dumps({"numbers": numbers, "figures": entries}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def run(processed_dir: Path, out_dir: Path, quiet: bool = False) -> dict:
    """Everything: load, compute the numbers, draw each figure, then write figures, eda.json and eda.md."""
    io.check_out_dir(out_dir / "figures")  # fail before the work, not after
    data = load(processed_dir)
    log.info("loaded %s ratings of %s titles from %s", f"{len(data.ratings):,}", f"{len(data.titles):,}",
             processed_dir)
    movies = load_movies(processed_dir)  # None when the Movies catalog was not built
    if movies is not None:
        log.info("loaded %s movies and %s ratings of the Movies catalog", f"{len(movies.movies):,}",
                 f"{len(movies.ratings.ratings):,}")
    numbers = stats.compute(data)
    if movies is not None:
        numbers["movies"] = compute_movies(movies)
    log.info("statistics computed (%d shuffles)", numbers["item_signal"]["n_shuffles"])
    entries = figure_entries(numbers)
    drawings = [(name, lambda name: figures.render(name, numbers, data)) for name in figures.FIGURES]
    if movies is not None:
        catalogs = Catalogs(movies, data)
        drawings += [(name, lambda name: movies_figures.render_movies(name, numbers, catalogs))
                     for name in movies_figures.MOVIES_FIGURES]
    with io.staged(out_dir) as report_stage, io.staged(out_dir / "figures") as figure_stage:
        for name, draw in tqdm(drawings, desc="eda figures", unit="figure", disable=quiet):
            io.write_bytes(draw(name), figure_stage / f"{name}.png")
        io.write_text(eda_json(numbers, entries), report_stage / "eda.json")
        io.write_text(captions.markdown(numbers, entries), report_stage / "eda.md")
    return {"numbers": numbers, "figures": entries}
