"""Reading raw inputs with clear errors, and writing outputs atomically (temp file, then rename)."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from errors import InputError


def require_columns(path: Path, columns: Iterable[str], required: Iterable[str]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(required)}")


def check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty")


def check_complete_csv(path: Path) -> None:
    """InputError when a CSV looks cut off: no final newline, a quoted field left open, or a row with fewer
    fields than the header. pandas would pad a short last row with blanks and read a truncated file as a
    smaller, valid one."""
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        raise InputError(f"{path}: ends in the middle of a row (no final newline); the file looks cut off")
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), strict=True)
        header = next(reader)
        for row in reader:
            if len(row) < len(header):
                raise InputError(f"{path}: the record ending on line {reader.line_num} has {len(row)} fields, "
                                 f"the header {len(header)}; the file looks cut off or broken")
    except csv.Error as exc:
        raise InputError(f"{path}: a quoted field is not closed near line {reader.line_num} ({exc}); "
                         "the file looks cut off") from None


def read_json_object(path: Path, what: str) -> dict:
    """A JSON file holding an object (`what` names it in the message), with clear errors."""
    check_file(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected an object ({what})")
    return data


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV with every column as text (None for empty), so that no value is reinterpreted on the way in."""
    check_file(path)
    try:
        check_complete_csv(path)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputError(f"{path}: unreadable CSV ({str(exc).splitlines()[0]})") from None
    if frame.empty:
        raise InputError(f"{path}: file has a header but no rows")
    return frame


def read_table(path: Path, columns: list[str], optional: tuple[str, ...] = (),
               read_dictionary: list[str] | None = None) -> pa.Table:
    """A parquet or CSV file as an Arrow table with the required columns (and the optional ones it has).

    `read_dictionary` names parquet columns to keep dictionary-encoded (cheap for 11M repeated ids).
    """
    check_file(path)
    try:
        if path.suffix == ".parquet":
            names = pq.read_schema(path).names
            require_columns(path, names, columns)
            table = pq.read_table(path, columns=columns + [c for c in optional if c in names],
                                  read_dictionary=read_dictionary)
        else:
            table = pacsv.read_csv(path)
            require_columns(path, table.column_names, columns)
            table = table.select(columns + [c for c in optional if c in table.column_names])
    except InputError:
        raise
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: unreadable {path.suffix.lstrip('.')} file ({str(exc).splitlines()[0]})") from None
    if table.num_rows == 0:
        raise InputError(f"{path}: file has no rows")
    return table


def ensure_dir(path: Path) -> Path:
    """The output directory, created if needed; InputError when it cannot be (a file in the way, no permission)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{path}: cannot be used as an output directory ({exc.strerror})") from None
    if not os.access(path, os.W_OK):
        raise InputError(f"{path}: output directory is not writable")
    return path


def check_out_dir(path: Path) -> None:
    """Fail early, creating nothing, when `path` cannot become an output directory."""
    existing = next(p for p in [path, *path.parents] if p.exists())
    if not existing.is_dir():
        raise InputError(f"{existing}: not a directory, so {path} cannot be the output directory")
    if not os.access(existing, os.W_OK):
        raise InputError(f"{existing}: not writable, so {path} cannot be the output directory")


@contextmanager
def staged(out_dir: Path):
    """Write a set of outputs together: into a staging folder whose files move into out_dir only once all
    of them are written, so that a failed run leaves every earlier output as it was."""
    stage = Path(tempfile.mkdtemp(prefix=".staging-", dir=ensure_dir(out_dir)))
    try:
        yield stage
        for written in stage.iterdir():
            os.replace(written, out_dir / written.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _atomic(path: Path, write) -> None:
    ensure_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes owner-only files; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    _atomic(path, lambda tmp: pq.write_table(table, tmp))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    _atomic(path, lambda tmp: frame.to_csv(tmp, index=False))


def write_bytes(data: bytes, path: Path) -> None:
    _atomic(path, lambda tmp: Path(tmp).write_bytes(data))


def write_text(text: str, path: Path) -> None:
    _atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_json(data: dict, path: Path) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")

    _atomic(path, write)
