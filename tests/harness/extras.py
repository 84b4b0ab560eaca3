"""Tests that need an extra (pyspark and Java for the Spark engine, chromium for the browser): skipped with the
reason on a developer machine without it, failed under CI=true and under `make test` (REQUIRE_EXTRAS=1), which
installs every extra."""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable

import pytest


def extras_required() -> bool:
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("REQUIRE_EXTRAS") == "1"


def require_extra(missing: str | None) -> None:
    """Nothing when `missing` is None; else skip with it as the reason, or fail when extras are required."""
    if missing is None:
        return
    if extras_required():
        pytest.fail(f"an extra is missing (CI=true or REQUIRE_EXTRAS=1): {missing}")
    pytest.skip(missing)


def require_module(name: str, install: str) -> None:
    """require_extra for an importable package, e.g. ("pyspark", "make setup-spark")."""
    require_extra(None if importlib.util.find_spec(name) else f"{name} is not installed ({install})")


def require_check(check: Callable[[], object]) -> None:
    """require_extra for a check raising an exception whose text names the fix (spark_engine.check_runtime)."""
    try:
        check()
    except Exception as exc:  # InputError naming the fix
        require_extra(str(exc))
