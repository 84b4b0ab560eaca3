"""One EDA run: each chosen catalog's section (etl/<name>/eda/) loads its folder, computes its numbers once and
draws its figures; with more than one catalog, the comparison (compare.py) follows.

Outputs, per catalog under OUT/<name>/: figures/*.png, eda.json ({"numbers": its stats dict, "figures": [{"file",
"title", "caption", "catalog"}, ...]}, strict JSON) and eda.md. With every catalog (`--catalog all`), OUT itself
gets the comparison figures and the index the app's Data tab reads: eda.json ({"catalogs": {name: its eda.json},
"figures": every figure, files relative to OUT}) and eda.md. Everything is computed and drawn before anything is
written, and each folder's files move into place together, so a failed run leaves the previous report as it was.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import logging
from pathlib import Path
from types import ModuleType

from tqdm import tqdm

from errors import InputError
from etl import io
from etl.eda import compare, plots

log = logging.getLogger("etl.eda")


def section(name: str) -> ModuleType:
    """The catalog's EDA section: etl/<name>/eda/ (load, compute, FIGURES, CAPTIONS, markdown, ratings)."""
    return importlib.import_module(f"etl.{name}.eda")


def figure_entries(name: str, numbers: dict, figures: dict[str, plots.Figure], captions: dict) -> list[dict]:
    """eda.json's "figures" list of one catalog (or of the comparison), in report order."""
    return [{"file": f"figures/{fig}.png", "title": spec.title, "caption": captions[fig](numbers), "catalog": name}
            for fig, spec in figures.items()]


def eda_json(numbers: dict, entries: list[dict]) -> str:
    """The text of a catalog's eda.json; ValueError rather than a bare NaN, which is not JSON."""
    return json.dumps({"numbers": numbers, "figures": entries}, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def index_json(names: list[str], entries: list[dict]) -> str:
    """The text of OUT/eda.json: where each catalog's report is, and every figure (files relative to OUT)."""
    return json.dumps({"catalogs": {name: f"{name}/eda.json" for name in names}, "figures": entries}, indent=2,
                      ensure_ascii=False, allow_nan=False) + "\n"


def run(processed_dir: Path, out_dir: Path, names: list[str], quiet: bool = False) -> dict[str, dict]:
    """Every chosen catalog's report (and the comparison when there are several); returns {name: {"numbers",
    "figures"}}."""
    compared = len(names) > 1
    for folder in [out_dir / name / "figures" for name in names] + ([out_dir / "figures"] if compared else []):
        io.check_out_dir(folder)  # fail before the work, not after
    results, pngs, ratings = {}, {}, {}
    for name in names:
        folder = processed_dir / name
        if not folder.is_dir():
            raise InputError(f"{folder}: the {name} catalog's folder not found (build it with "
                             f"`python -m etl --catalog {name}`)")
        module = section(name)
        data = module.load(folder)
        numbers = module.compute(data)
        log.info("%s: statistics computed from %s", name, folder)
        entries = figure_entries(name, numbers, module.FIGURES, module.CAPTIONS)
        pngs[name] = {fig: plots.render(module.FIGURES, fig, numbers, data)
                      for fig in tqdm(module.FIGURES, desc=f"eda {name}", unit="figure", disable=quiet)}
        results[name] = {"numbers": numbers, "figures": entries, "markdown": module.markdown(numbers, entries)}
        ratings[name] = module.ratings(data)
    if compared:
        numbers = {name: result["numbers"] for name, result in results.items()}
        registry = compare.figures(len(names))
        compared_entries = figure_entries("all", numbers, registry, compare.CAPTIONS)
        compared_pngs = {fig: plots.render(registry, fig, numbers, ratings) for fig in registry}
    with contextlib.ExitStack() as stack:
        for name, result in results.items():
            report_stage = stack.enter_context(io.staged(out_dir / name))
            figure_stage = stack.enter_context(io.staged(out_dir / name / "figures"))
            for fig, png in pngs[name].items():
                io.write_bytes(png, figure_stage / f"{fig}.png")
            io.write_text(eda_json(result["numbers"], result["figures"]), report_stage / "eda.json")
            io.write_text(result["markdown"], report_stage / "eda.md")
        if compared:
            report_stage = stack.enter_context(io.staged(out_dir))
            figure_stage = stack.enter_context(io.staged(out_dir / "figures"))
            for fig, png in compared_pngs.items():
                io.write_bytes(png, figure_stage / f"{fig}.png")
            every = [{**e, "file": f"{name}/{e['file']}"} for name, r in results.items() for e in r["figures"]]
            io.write_text(index_json(names, every + compared_entries), report_stage / "eda.json")
            io.write_text(compare.markdown(numbers, compared_entries), report_stage / "eda.md")
    return {name: {"numbers": r["numbers"], "figures": r["figures"]} for name, r in results.items()}
