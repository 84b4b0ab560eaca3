"""Shared fixtures. Real-data fixtures read ../shared/data/raw (or RAW_DIR); under CI=true a missing file fails."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

import config

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_DISABLE_XET", "1")


def require(path: Path) -> Path:
    """The path if it exists; otherwise fail under CI=true and skip on a developer machine without the data."""
    if not path.exists():
        message = f"real data missing: {path} (set RAW_DIR or put ../shared beside the project)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    root = config.raw_dir()
    for platform, (_, file_name, _) in config.PLATFORMS.items():
        require(root / "titles" / file_name)
    require(root / "ratings")
    return root


@pytest.fixture(scope="session")
def processed_dir(raw_dir: Path, tmp_path_factory) -> Path:
    """The real ETL run once per test session into a temporary directory."""
    from etl.pipeline import run

    out = tmp_path_factory.mktemp("processed")
    run(raw_dir, out, quiet=True)
    return out


@pytest.fixture(scope="session")
def titles(processed_dir: Path):
    import pandas as pd

    return pd.read_parquet(processed_dir / config.TITLES_FILE)
