"""serving.artifacts: pickle-free round trip, checksums, format version, atomic replacement."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from errors import InputError
from serving import artifacts as art
from serving.artifacts import ArtifactError, load_artifacts, save_artifacts, sha256_file

ARRAYS = {
    "floats": np.linspace(0, 1, 7).reshape(7, 1),
    "ids": np.array(["ns1", "as22", "hs333"]),
    "ints": np.arange(5, dtype=np.int16),
    "scalar": np.array(3.25),
}
TABLE = pd.DataFrame({"id": ["a", "b"], "score": [1.5, 2.5]})


@pytest.fixture()
def saved(tmp_path):
    return save_artifacts(tmp_path / "artifacts", ARRAYS, {"table": TABLE}, meta={"hyperparameters": {"k": 1}},
                          files={"README.md": "# card\n"})


def test_round_trip_is_exact_and_pickle_free(saved):
    loaded = load_artifacts(saved)
    for name, arr in ARRAYS.items():
        assert loaded.arrays[name].dtype == arr.dtype and np.array_equal(loaded.arrays[name], arr)
        np.load(saved / f"{name}.npy", allow_pickle=False)  # plain arrays: no pickle anywhere
    pd.testing.assert_frame_equal(loaded.tables["table"], TABLE)
    m = loaded.manifest
    assert m["format_version"] == art.FORMAT_VERSION and m["hyperparameters"] == {"k": 1} and m["created_at"]
    for name in ["floats.npy", "ids.npy", "table.parquet", "README.md"]:
        assert m["files"][name]["sha256"] == sha256_file(saved / name)
        assert m["files"][name]["bytes"] == (saved / name).stat().st_size


def test_corrupted_file_is_a_clear_error_naming_it(saved):
    path = saved / "floats.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # same size, one flipped byte
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"floats\.npy: corrupt") as info:
        load_artifacts(saved)
    assert isinstance(info.value, InputError)


def test_missing_file_and_missing_manifest(saved):
    (saved / "ids.npy").unlink()
    with pytest.raises(ArtifactError, match=r"ids\.npy: missing"):
        load_artifacts(saved)
    (saved / "manifest.json").unlink()
    with pytest.raises(ArtifactError, match=r"manifest\.json: missing"):
        load_artifacts(saved)


def test_incompatible_format_version(saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["format_version"] = art.FORMAT_VERSION + 1
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=r"manifest\.json: format version"):
        load_artifacts(saved)
    (saved / "manifest.json").write_text("{not json")
    with pytest.raises(ArtifactError, match=r"manifest\.json: not a readable JSON"):
        load_artifacts(saved)


def test_pickled_array_is_refused_even_with_matching_checksum(saved):
    np.save(saved / "ints.npy", np.array([{"x": 1}], dtype=object), allow_pickle=True)
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["files"]["ints.npy"].update(sha256=sha256_file(saved / "ints.npy"),
                                         bytes=(saved / "ints.npy").stat().st_size)
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=r"ints\.npy: cannot be read without pickle"):
        load_artifacts(saved)


def test_object_arrays_are_never_written(tmp_path):
    with pytest.raises(ValueError, match="pickle"):
        save_artifacts(tmp_path / "a", {"bad": np.array([None, 1], dtype=object)})
    assert not (tmp_path / "a").exists()


def test_failed_save_leaves_previous_artifacts_intact(saved, monkeypatch):
    before = {p.name: p.read_bytes() for p in saved.iterdir()}

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(art, "sha256_file", boom)
    with pytest.raises(OSError):
        save_artifacts(saved, {"other": np.zeros(3)})
    assert {p.name: p.read_bytes() for p in saved.iterdir()} == before
    assert [p.name for p in saved.parent.iterdir()] == ["artifacts"]  # no temp directory left behind


def test_save_replaces_previous_artifacts(saved):
    save_artifacts(saved, {"only": np.ones(2)})
    assert sorted(p.name for p in saved.iterdir()) == ["manifest.json", "only.npy"]
    assert sorted(p.name for p in saved.parent.iterdir()) == ["artifacts"]


@pytest.mark.slow
def test_content_neighbour_arrays_go_through_the_same_format(tmp_path, titles):
    from catalog.streaming.similar import NEIGHBOUR_ARRAYS
    from model.content import build_neighbours

    arrays = build_neighbours(titles.head(60), k=5)
    out = save_artifacts(tmp_path / "artifacts", arrays)
    loaded = load_artifacts(out)
    for name in NEIGHBOUR_ARRAYS:
        assert np.array_equal(loaded.arrays[name], arrays[name])
