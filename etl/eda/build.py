"""One EDA run: load data/processed, compute the statistics once, draw every figure, write the report set.

Outputs under the output directory: figures/*.png, eda.json ({"numbers": the stats dict, "figures": [{"file",
"title", "caption"}, ...]}, strict JSON) and eda.md. They are staged and move into place together only once all of
them are written, so a failed run leaves the previous report as it was.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from tqdm import tqdm

from etl import io
from etl.eda import captions, figures, stats
from etl.eda.data import load

log = logging.getLogger("etl.eda")


def figure_entries(numbers: dict) -> list[dict]:
    """eda.json's "figures" list, in report order: {"file", "title", "caption"} of each figure."""
    return [{"file": f"figures/{name}.png", "title": spec.title, "caption": captions.CAPTIONS[name](numbers)}
            for name, spec in figures.FIGURES.items()]


def eda_json(numbers: dict, entries: list[dict]) -> str:
    """The text of eda.json; ValueError rather than a bare NaN, which is not JSON."""
    return json.dumps({"numbers": numbers, "figures": entries}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def run(processed_dir: Path, out_dir: Path, quiet: bool = False) -> dict:
    """Everything: load, compute the numbers, draw each figure, then write figures, eda.json and eda.md."""
    io.check_out_dir(out_dir / "figures")  # fail before the work, not after
    data = load(processed_dir)
    log.info("loaded %s ratings of %s titles from %s", f"{len(data.ratings):,}", f"{len(data.titles):,}",
             processed_dir)
    numbers = stats.compute(data)
    log.info("statistics computed (%d shuffles)", numbers["item_signal"]["n_shuffles"])
    entries = figure_entries(numbers)
    with io.staged(out_dir) as report_stage, io.staged(out_dir / "figures") as figure_stage:
        for name in tqdm(figures.FIGURES, desc="eda figures", unit="figure", disable=quiet):
            io.write_bytes(figures.render(name, numbers, data), figure_stage / f"{name}.png")
        io.write_text(eda_json(numbers, entries), report_stage / "eda.json")
        io.write_text(captions.markdown(numbers, entries), report_stage / "eda.md")
    return {"numbers": numbers, "figures": entries}
