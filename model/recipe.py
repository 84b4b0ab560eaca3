"""A catalog's training recipe: what every model/<name>/recipe.py provides to the one training path.

A recipe says which ratings and item features its catalog trains on, its hyper-parameter search space and its
extras (content neighbours, the MovieLens benchmark, visitors' fold-in): `train(engine, options)` returns a
`Trained`, from which model.train writes metrics.json (one schema), the manifest and the card (model.card).
A recipe with `takes_feedback` folds visitors' opt-in ratings into its final fit (`--with-feedback`).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from catalog import CATALOGS, CatalogSpec


@dataclass
class CardText:
    """What a recipe says in its model card (model.card.model_card writes the rest): the title, the YAML
    metadata particular to the catalog, and the markdown sections between the title and the files."""

    title: str
    tags: list[str]
    datasets: list[str]
    index: dict[str, Any]          # the model-index: name, dataset (type, name), benchmark and row it reports
    sections: list[str]


@dataclass
class Trained:
    """A recipe's run: the served arrays and what metrics.json and the manifest record about it."""

    arrays: dict[str, np.ndarray]
    hyperparameters: dict[str, Any]
    benchmarks: dict[str, dict[str, Any]]     # held-out benchmarks (model.engines.benchmark_result), by name
    n_ratings: int
    inputs: dict[str, str]                    # sha256 of the input files, by name
    extras: dict[str, Any] = field(default_factory=dict)   # the recipe's own measurements (metrics.json)
    tables: dict[str, Any] = field(default_factory=dict)   # more tables for the manifest's metrics
    meta: dict[str, Any] = field(default_factory=dict)     # more manifest fields
    seconds: dict[str, float] = field(default_factory=dict)


class Recipe:
    """The interface of a catalog's recipe (see the module docstring)."""

    spec: CatalogSpec
    seed: int  # every random step's seed when the run names none
    takes_feedback = False  # whether `--with-feedback` applies (visitors' ratings as extra users)

    def check(self, options: Any) -> None:
        """Refuse bad inputs (InputError) before the work starts; nothing to check here."""

    def train(self, engine: Any, options: Any) -> Trained:
        raise NotImplementedError

    def card(self, meta: dict[str, Any], metrics: dict[str, Any], options: Any) -> CardText:
        raise NotImplementedError



def catalog_names() -> tuple[str, ...]:
    """Every declared catalog's name, in declaration order (the CLI's --catalog choices)."""
    return tuple(spec.name for spec in CATALOGS)


def recipe_for(name: str) -> Recipe:
    """The recipe of the catalog called `name` (model/<name>/recipe.py's RECIPE)."""
    return importlib.import_module(f"model.{name}.recipe").RECIPE
