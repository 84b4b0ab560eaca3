"""tests.harness.extras: a test needing a missing extra skips on a developer machine, fails under CI and make test."""
from __future__ import annotations

import pytest

from tests.harness.extras import require_extra, require_module


@pytest.mark.parametrize(("env", "outcome"), [({}, pytest.skip.Exception), ({"CI": "true"}, pytest.fail.Exception),
                                              ({"REQUIRE_EXTRAS": "1"}, pytest.fail.Exception)])
def test_a_missing_extra_skips_with_its_reason_unless_extras_are_required(monkeypatch, env, outcome):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REQUIRE_EXTRAS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(outcome, match=r"no_such_package is not installed \(make setup-spark\)"):
        require_module("no_such_package", "make setup-spark")
    require_extra(None)  # present: nothing happens
    require_module("pytest", "pip install pytest")
