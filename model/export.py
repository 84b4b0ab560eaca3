"""What the trainer writes: the streaming model's arrays, the content neighbours, the manifest metadata, the files.

- `export_arrays`: factors, biases, id maps, each user's rated titles (CSR), title types and which titles may
  be recommended, as catalog.streaming.model.StreamingModel reads them (REQUIRED_ARRAYS);
- `content_arrays`: the content-similarity neighbours of model.content;
- `input_checksums`, `library_versions`, `manifest_meta`: what manifest.json records about the run;
- `write_artifacts`: everything through serving.artifacts.save_artifacts (numpy and JSON, no pickle), which
  replaces the output folder only when the whole write succeeded.
"""
from __future__ import annotations

import json
import logging
import os
import platform as py_platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from surprise import SVD

import config
from config import COL_ID, RATING_MAX, RATING_MIN
from model.dataset import Encoded
from serving.artifacts import json_default, save_artifacts, sha256_file

log = logging.getLogger(__name__)

LIBRARIES = ("scikit-surprise", "numpy", "pandas", "scikit-learn", "pyarrow", "scipy", "huggingface_hub")


def export_arrays(algo: SVD, enc: Encoded, titles: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The streaming model's arrays of a fitted surprise model (model_arrays)."""
    return model_arrays(enc.trainset.global_mean, algo.bu, algo.bi, algo.pu, algo.qi, enc.user_ids, enc.item_ids,
                        enc.user_idx, enc.item_idx, titles)


def model_arrays(global_mean: float, user_bias: np.ndarray, item_bias: np.ndarray, user_factors: np.ndarray,
                 item_factors: np.ndarray, user_ids: np.ndarray, item_ids: np.ndarray, user_idx: np.ndarray,
                 item_idx: np.ndarray, titles: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """The streaming model's arrays, whichever engine trained: factors, biases, id maps (rows = positions in the
    sorted ids), each user's rated titles (CSR, from the row pair of every training rating), title types and
    which titles may be recommended."""
    user_idx, item_idx = np.asarray(user_idx, dtype=np.int64), np.asarray(item_idx, dtype=np.int64)
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
        "global_mean": np.array(global_mean, dtype=np.float64),
        "user_ids": user_ids.astype(np.int64),
        "item_ids": item_ids.astype(str),
        "user_bias": np.asarray(user_bias, dtype=np.float64),
        "item_bias": np.asarray(item_bias, dtype=np.float64),
        "user_factors": np.asarray(user_factors, dtype=np.float64),
        "item_factors": np.asarray(item_factors, dtype=np.float64),
        "rated_indptr": indptr,
        "rated_items": item_idx[order].astype(item_dtype),
        "item_types": types,
        "item_recommendable": recommendable,
    }


def content_arrays(titles: pd.DataFrame) -> dict[str, np.ndarray]:
    """Content-similarity neighbours (model.content), saved alongside the SVD arrays."""
    from model.content import build_neighbours  # heavy (sklearn TF-IDF); only needed at train time

    log.info("content neighbours for %s titles", f"{len(titles):,}")
    return build_neighbours(titles)


def input_checksums(processed_dir: Path, metrics: dict[str, Any]) -> dict[str, str]:
    """sha256 of the processed ratings and titles, and of MovieLens' ratings when it was benchmarked."""
    inputs = {name: sha256_file(Path(processed_dir) / name) for name in (config.RATINGS_FILE, config.TITLES_FILE)}
    if "movielens" in metrics:
        inputs.update(metrics["movielens"]["input_sha256"])
    return inputs


def library_versions(engine: str = "surprise") -> dict[str, str]:
    """Python's and the training libraries' versions, as installed (and pyspark's for the Spark engine)."""
    names = LIBRARIES + (("pyspark",) if engine == "spark" else ())
    return {"python": py_platform.python_version(), **{name: version(name) for name in names}}


# What manifest.json says about the engine: "surprise" (no Spark) or "spark" with its version and master.
SURPRISE_ENGINE = {"engine": "surprise", "spark_version": None, "master": None}
MODEL_NAMES = {"surprise": "surprise.SVD",
               "spark": "pyspark.ml ALS on the residuals of BaselineOnly biases (Spark aggregates)"}


def manifest_meta(arrays: dict[str, np.ndarray], metrics: dict[str, Any], *, threshold: float, seed: int,
                  sample_users: int | None, n_ratings: int, inputs: dict[str, str],
                  train_seconds: float, engine: dict[str, Any] | None = None) -> dict[str, Any]:
    """The run's metadata for manifest.json: model, engine (name, Spark version, master), data sizes,
    hyper-parameters, held-out tables, inputs' sha256 and library versions."""
    tables = {name: metrics[name]["table"] for name in ("ours", "movielens") if name in metrics}
    engine = dict(SURPRISE_ENGINE if engine is None else engine)
    return {
        "model": MODEL_NAMES[engine["engine"]],
        **engine,
        "rating_scale": [RATING_MIN, RATING_MAX],
        "threshold": threshold,
        "seed": seed,
        "sample_users": sample_users,
        "n_users": int(arrays["user_ids"].size),
        "n_titles": int(arrays["item_ids"].size),
        "n_ratings": n_ratings,
        "hyperparameters": metrics["ours"]["hyperparameters"],
        "metrics": tables,
        "inputs_sha256": inputs,
        "library_versions": library_versions(engine["engine"]),
        "train_seconds": round(train_seconds, 1),
    }


# Folders of other models inside an artifact folder (the Movies model in artifacts/movies/): replacing the
# streaming artifacts carries them over instead of deleting them.
NESTED_MODELS = ("movies",)


def write_artifacts(out_dir: Path, arrays: dict[str, np.ndarray], meta: dict[str, Any], metrics: dict[str, Any],
                    model_card: str) -> Path:
    """The arrays, metrics.json and the model card (README.md) with the manifest, replacing `out_dir`
    (nested model folders, NESTED_MODELS, are kept)."""
    files = {"metrics.json": json.dumps(metrics, indent=2, default=json_default), "README.md": model_card}
    out_dir = Path(out_dir)
    kept = {name: out_dir / name for name in NESTED_MODELS if (out_dir / name).is_dir()}
    parked = {name: out_dir.parent / f".{out_dir.name}.{name}.keep-{os.getpid()}" for name in kept}
    for name, path in kept.items():
        os.replace(path, parked[name])
    try:
        save_artifacts(out_dir, arrays, meta=meta, files=files)
    finally:  # back into the new folder, or into the old one when the write failed
        for name, path in parked.items():
            os.replace(path, out_dir / name)
    return out_dir
