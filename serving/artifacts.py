"""The on-disk model artifact format: numpy arrays, parquet tables and text files plus a manifest. No pickle.

A directory of artifacts holds
- `<name>.npy` per array (saved and loaded with allow_pickle=False, so only plain numeric/str dtypes),
- `<name>.parquet` per table,
- extra text files (the model card README.md, metrics.json),
- `manifest.json`: format version, creation time, sha256 and size of every file above, the sha256 of the
  input files, hyper-parameters, metrics, library versions and any other metadata the writer passes.

`save_artifacts` writes everything into a temporary sibling directory and swaps it in at the end, so a
failed run leaves the previous artifacts intact. `load_artifacts` checks the format version and every
checksum before parsing anything; any problem raises `ArtifactError` naming the offending file.

`ArtifactError` subclasses `errors.InputError`: a broken artifact is bad input from a file, and every door
(CLI exit 2, app message, REST 4xx/5xx mapping) already knows how to show an InputError as one clear line.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from errors import InputError

FORMAT_VERSION = 2  # 2: item_recommendable
MANIFEST_FILE = "manifest.json"
_RESERVED = {MANIFEST_FILE}


class ArtifactError(InputError):
    """An artifact directory or file is missing, corrupt or of an incompatible format."""


@dataclass(frozen=True)
class Artifacts:
    """Loaded, verified artifacts: arrays by name, tables by name, the manifest and where they came from."""

    directory: Path
    manifest: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def array(self, name: str) -> np.ndarray:
        """One array, or an ArtifactError naming it when the artifacts do not have it."""
        if name not in self.arrays:
            raise ArtifactError(f"{self.directory / (name + '.npy')}: not in the artifacts "
                                f"(have: {', '.join(sorted(self.arrays)) or 'none'}); re-run python -m model.train")
        return self.arrays[name]


def sha256_file(path: str | os.PathLike, chunk_size: int = 1 << 22) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def save_artifacts(out_dir: str | os.PathLike, arrays: dict[str, np.ndarray],
                   tables: dict[str, pd.DataFrame] | None = None, meta: dict[str, Any] | None = None,
                   files: dict[str, str | bytes] | None = None) -> Path:
    """Write arrays, tables and extra files plus manifest.json into `out_dir`, replacing it only on success.

    `meta` goes into the manifest as is (hyper-parameters, metrics, input checksums, library versions...).
    Returns the final directory.
    """
    out_dir = Path(out_dir)
    tables = tables or {}
    files = files or {}
    names = [f"{n}.npy" for n in arrays] + [f"{n}.parquet" for n in tables] + list(files)
    if len(set(names)) != len(names) or _RESERVED & set(names):
        raise ValueError(f"artifact file names must be unique and not {sorted(_RESERVED)}: {names}")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        tmp.chmod(0o755)  # mkdtemp makes it private; artifacts are meant to be shared
        entries: dict[str, dict[str, Any]] = {}
        for name, arr in arrays.items():
            arr = np.asarray(arr)
            if arr.dtype == object:
                raise ValueError(f"array {name!r} has dtype object, which would need pickle")
            np.save(tmp / f"{name}.npy", arr, allow_pickle=False)
            entries[f"{name}.npy"] = {"kind": "array", "dtype": arr.dtype.str, "shape": list(arr.shape)}
        for name, df in tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
            entries[f"{name}.parquet"] = {"kind": "table", "rows": len(df), "columns": list(df.columns)}
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            (tmp / name).write_bytes(data)
            entries[name] = {"kind": "file"}
        for name, entry in entries.items():
            entry["bytes"] = (tmp / name).stat().st_size
            entry["sha256"] = sha256_file(tmp / name)
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            **(meta or {}),
            "files": entries,
        }
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2, sort_keys=False, default=json_default))
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def read_manifest(directory: str | os.PathLike) -> dict[str, Any]:
    """The parsed manifest.json of an artifact directory, with its format version checked."""
    path = Path(directory) / MANIFEST_FILE
    if not path.is_file():
        raise ArtifactError(f"{path}: missing; build the model with `python -m model.train` "
                            "or pull it with the Hub loader")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{path}: not a readable JSON manifest ({exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ArtifactError(f"{path}: not an artifact manifest (no 'files' table)")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(f"{path}: format version {version!r}, this code reads version {FORMAT_VERSION}; "
                            "re-run python -m model.train (or update the code)")
    return manifest


def verify_artifacts(directory: str | os.PathLike) -> dict[str, Any]:
    """Check the manifest and the size and sha256 of every listed file; returns the manifest."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    for name, entry in manifest["files"].items():
        path = directory / name
        if Path(name).name != name:
            raise ArtifactError(f"{directory / MANIFEST_FILE}: file name {name!r} is not a plain file name")
        if not path.is_file():
            raise ArtifactError(f"{path}: missing (listed in {MANIFEST_FILE})")
        if path.stat().st_size != entry.get("bytes") or sha256_file(path) != entry.get("sha256"):
            raise ArtifactError(f"{path}: corrupt (size or sha256 differs from {MANIFEST_FILE}); "
                                "re-run python -m model.train or pull the model again")
    return manifest


def load_artifacts(directory: str | os.PathLike) -> Artifacts:
    """Verify, then load every array (allow_pickle=False, memory-mapped read-only) and table listed in the
    manifest."""
    directory = Path(directory)
    manifest = verify_artifacts(directory)
    arrays: dict[str, np.ndarray] = {}
    tables: dict[str, pd.DataFrame] = {}
    for name, entry in manifest["files"].items():
        path = directory / name
        try:
            if entry.get("kind") == "array":
                # Mapped, not read: rows of users nobody asks about never take memory (the files were just
                # verified; the Hub cache and save_artifacts replace files, never rewrite them in place).
                arrays[name.removesuffix(".npy")] = np.load(path, allow_pickle=False, mmap_mode="r")
            elif entry.get("kind") == "table":
                tables[name.removesuffix(".parquet")] = pd.read_parquet(path)
        except (ValueError, OSError) as exc:  # e.g. an object array that would need pickle
            raise ArtifactError(f"{path}: cannot be read without pickle ({exc})") from None
    return Artifacts(directory=directory, manifest=manifest, arrays=arrays, tables=tables)


def _swap_in(tmp: Path, out_dir: Path) -> None:
    """Replace out_dir by tmp with two renames; on failure the old directory is put back."""
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    os.replace(out_dir, old)
    try:
        os.replace(tmp, out_dir)
    except BaseException:
        os.replace(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def json_default(value: Any) -> Any:
    """json.dumps(default=...) for what the model writes: numpy scalars as Python numbers, paths as text."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
