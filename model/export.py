"""What the trainer writes for every catalog: the factor model's arrays, the manifest metadata, the files.

- `model_arrays`: factors, biases, id maps, each user's rated titles (CSR), title types and which titles may
  be recommended, as the serving side reads them;
- `manifest_meta`, `library_versions`: what manifest.json records about the run;
- `write_artifacts`: everything through serving.artifacts.save_artifacts (numpy and JSON, no pickle), which
  replaces the output folder only when the whole write succeeded.
"""
from __future__ import annotations

import json
import logging
import platform as py_platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from config import COL_ID, RATING_MAX, RATING_MIN
from model.engines import MODEL_NAMES, Factors
from serving.artifacts import json_default, save_artifacts

log = logging.getLogger(__name__)

LIBRARIES = ("scikit-surprise", "numpy", "pandas", "scikit-learn", "pyarrow", "scipy", "huggingface_hub")


def model_arrays(model: Factors, titles: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The served factor model's arrays, whichever engine trained: factors, biases, id maps (rows = positions
    in the sorted ids), each user's rated titles (CSR, from the row pair of every training rating), title types
    and which titles may be recommended (`titles`: the streaming titles table; None leaves every title plain)."""
    user_ids, item_ids = model.user_ids, model.item_ids
    user_idx, item_idx = np.asarray(model.user_idx, dtype=np.int64), np.asarray(model.item_idx, dtype=np.int64)
    order = np.lexsort((item_idx, user_idx))
    indptr = np.searchsorted(user_idx[order], np.arange(user_ids.size + 1)).astype(np.int64)
    item_dtype = np.int16 if item_ids.size <= np.iinfo(np.int16).max else np.int32
    types = np.full(item_ids.size, "", dtype="<U8")
    recommendable = np.ones(item_ids.size, dtype=bool)
    if titles is not None:
        by_id = titles.set_index(COL_ID)
        types = by_id["type"].astype(str).reindex(item_ids).fillna("").to_numpy().astype("<U8")
        if "is_placeholder" in by_id:  # the catalog's upload test rows are never recommended
            recommendable = ~by_id["is_placeholder"].reindex(item_ids).fillna(False).to_numpy(dtype=bool)
    return {
        "global_mean": np.array(model.global_mean, dtype=np.float64),
        "user_ids": user_ids.astype(np.int64),
        "item_ids": item_ids.astype(str),
        "user_bias": np.asarray(model.user_bias, dtype=np.float64),
        "item_bias": np.asarray(model.item_bias, dtype=np.float64),
        "user_factors": np.asarray(model.user_factors, dtype=np.float64),
        "item_factors": np.asarray(model.item_factors, dtype=np.float64),
        "rated_indptr": indptr,
        "rated_items": item_idx[order].astype(item_dtype),
        "item_types": types,
        "item_recommendable": recommendable,
    }


def library_versions(engine: str = "surprise") -> dict[str, str]:
    """Python's and the training libraries' versions, as installed (and pyspark's for the Spark engine)."""
    names = LIBRARIES + (("pyspark",) if engine == "spark" else ())
    return {"python": py_platform.python_version(), **{name: version(name) for name in names}}


def manifest_meta(name: str, arrays: dict[str, np.ndarray], metrics: dict[str, Any], tables: dict[str, Any],
                  engine: dict[str, Any], *, threshold: float, seed: int, sample_users: int | None, n_ratings: int,
                  inputs: dict[str, str], train_seconds: float, **extra: Any) -> dict[str, Any]:
    """What manifest.json records about a run, the same fields for every catalog: the catalog, model, engine
    (name, Spark version, master), data sizes, hyper-parameters, the held-out `tables` ({data set: {model:
    {metric: value}}}), the inputs' sha256 and library versions; then the recipe's `extra` fields."""
    return {
        "catalog": name,
        "model": MODEL_NAMES[engine["engine"]],
        **engine,
        "rating_scale": [RATING_MIN, RATING_MAX],
        "threshold": threshold,
        "seed": seed,
        "sample_users": sample_users,
        "n_users": int(arrays["user_ids"].size),
        "n_titles": int(arrays["item_ids"].size),
        "n_ratings": n_ratings,
        "hyperparameters": metrics["hyperparameters"],
        "metrics": tables,
        **extra,
        "inputs_sha256": inputs,
        "library_versions": library_versions(engine["engine"]),
        "train_seconds": round(train_seconds, 1),
    }


def write_artifacts(out_dir: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any], metrics: dict[str, Any],
                    model_card: str) -> Path:
    """The arrays, metrics.json and the model card (README.md) with the manifest, replacing `out_dir` only
    when the whole write succeeded."""
    files = {"metrics.json": json.dumps(metrics, indent=2, default=json_default), "README.md": model_card}
    return save_artifacts(Path(out_dir), arrays, meta=meta, files=files)
