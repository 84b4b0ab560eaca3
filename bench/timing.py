"""What the benchmarks share: timing a call, and running a command's variants interleaved in subprocesses.

    median_seconds(lambda: catalog.get_actor("netflix", 2019), repeat=2000)
    runs = interleaved("bench.etl", ["etl", "reference"], repeat=3, raw=raw, out=out)   # kind -> [[fields]]

A variant runs in its own process (`python -m <module> --one <kind> --raw-dir RAW --out OUT`, which prints
its figures on one line) so that each gets a fresh interpreter and its own peak memory; the variants take
turns, so that load from other work on the machine hits them alike.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from config import PROJ_ROOT
from settings import raw_dir


def median_seconds(call: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Median time of one call over `repeat` timed calls (after one warm-up), wall clock by default."""
    call()
    times = []
    for _ in range(repeat):
        start = clock()
        call()
        times.append(clock() - start)
    return statistics.median(times)


def interleaved(module: str, kinds: list[str], repeat: int, raw: str, out: str) -> dict[str, list[list[float]]]:
    """Each kind's printed figures, `repeat` times, the kinds taking turns."""
    results: dict[str, list[list[float]]] = {kind: [] for kind in kinds}
    for _ in range(repeat):
        for kind in kinds:
            line = subprocess.run([sys.executable, "-m", module, "--one", kind, "--raw-dir", raw, "--out", out],
                                  check=True, capture_output=True, text=True, cwd=PROJ_ROOT).stdout.split()
            results[kind].append([float(field) for field in line])
    return results


def run_interleaved(module: str, doc: str, kinds: list[str],
                    one: Callable[[str, str, str], None]) -> tuple[argparse.Namespace, str, dict] | None:
    """A benchmark's main: options (--raw-dir, --repeat), then each kind `repeat` times in turns; None when this
    process is one of those runs (--one KIND: `one(kind, raw, out)` prints its figures)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--raw-dir")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=kinds, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    raw = str(raw_dir(args.raw_dir))
    if args.one:
        one(args.one, raw, args.out)
        return None
    with tempfile.TemporaryDirectory() as out:
        return args, raw, interleaved(module, kinds, args.repeat, raw, out)


def print_rows(rows: list[tuple[str, str, str]], summary: str) -> None:
    """A benchmark's result table: measure, our figure, the reference or target beside it; then a summary."""
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'ours':>12}  reference / target")
    for name, value, ref_text in rows:
        print(f"{name:<{width}}  {value:>12}  {ref_text}")
    print(f"\n{summary}")


# The environment of every process a benchmark starts: no analytics, telemetry or Xet.
ENV = {**os.environ, "HF_HUB_DISABLE_XET": "1", "HF_HUB_DISABLE_TELEMETRY": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
# Seconds and memory of one load in a fresh process (growth of the peak resident set, VmHWM), as JSON.
_MEASURE_LOAD = """
import json, time
def peak_mb():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
{imports}
base = peak_mb()
t = time.perf_counter(); loaded = {load}; s = time.perf_counter() - t
print(json.dumps({{"seconds": s, "mb": peak_mb() - base}}))
"""
# surprise's own way of saving a model, the reference the artifacts are measured against.
SURPRISE_DUMP = {"imports": "from surprise import dump", "load": "dump.load({path!r})"}


def measure_load(kind: dict[str, str], path: str) -> dict[str, float]:
    """{"seconds", "mb"} of `kind["load"]` (formatted with `path`) after `kind["imports"]`, in a fresh process."""
    code = _MEASURE_LOAD.format(imports=kind["imports"], load=kind["load"].format(path=path))
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJ_ROOT, env=ENV, check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def dir_mb(path: str | os.PathLike) -> float:
    """Size in MB of the files directly in a folder (an artifact directory)."""
    return sum(f.stat().st_size for f in Path(path).iterdir() if f.is_file()) / 2**20
