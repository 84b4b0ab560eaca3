"""Benchmark: catalog load time and the median time of each of the nine questions on the full catalog,
beside the reference: the same question as a plain pandas filter per call (tests/harness/naive.py).

Inputs per question: the declaration's examples (catalog/streaming/__init__.py: what the UI offers) plus the heaviest
cases (longest lists, no-match answers that compute a suggestion). Targets: load <= 1 s, each question's median <= 1 ms.
Usage: python bench/queries.py [--processed-dir DIR] [--repeat N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pandas as pd

import config
from bench.timing import median_seconds
from catalog import STREAMING
from catalog.streaming.queries import load_streaming_catalog
from tests.harness import naive

TARGET_LOAD_S, TARGET_QUERY_MS = 1.0, 1.0
# Heavier inputs on top of the declaration's examples.
EXTRA_CASES = {
    "get_max_duration": [(None, None, "min"), (1925, "hulu", "min")],
    "get_score_count": [("netflix", 0.5, 2020), ("hulu", 3.5, 1930)],
    "get_count_platform": [("hulu",)],
    "get_actor": [("amazon", 2021), ("hulu", 2018)],
    "get_contents": [("tv-14",), ("nc-17",)],
    "prod_per_county": [("movie", "united states", 2018), ("movie", "indai", 2019)],
    "get_word_count": [("amazon", "the"), ("netflix", "the last"), ("hulu", "zzzqqq")],
    "get_second_score": [("amazon",)],
    "get_listedin": [("drama",), ("westrn",)],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR)
    parser.add_argument("--repeat", type=int, default=2000, help="timed calls per input (reference: repeat/100)")
    args = parser.parse_args()

    folder = STREAMING.folder(args.processed_dir)
    path = folder / config.TITLES_FILE
    load = median_seconds(lambda: load_streaming_catalog(folder).warm(), 5)
    # CPU time too: on a busy shared machine the wall time also counts waiting for a core.
    load_cpu = median_seconds(lambda: load_streaming_catalog(folder).warm(), 5, time.process_time)
    read = median_seconds(lambda: pd.read_parquet(path), 5)
    catalog = load_streaming_catalog(folder)
    titles = pd.read_parquet(path)
    print(f"catalog: {path} ({len(titles):,} titles)")
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"load_streaming_catalog + warm: {load:.3f} s wall, {load_cpu:.3f} s CPU, medians of 5 "
          f"(target <= {TARGET_LOAD_S:.0f} s; reading the parquet alone: {read:.3f} s)  "
          f"{'OK' if load <= TARGET_LOAD_S else 'MISS'}\n")

    header = f"{'question':<20}{'inputs':>7}{'median':>11}{'worst':>11}{'pandas filter':>15}{'speed-up':>10}  target"
    print(header)
    print("-" * len(header))
    all_ok = load <= TARGET_LOAD_S
    for spec in STREAMING.questions:  # spec.run parses as the doors do, then asks the StreamingCatalog
        cases = list(spec.examples) + EXTRA_CASES[spec.name]
        reference = getattr(naive, spec.name.removeprefix("get_"))
        fast = [median_seconds(lambda a=a, spec=spec: spec.run(catalog, *a), args.repeat) for a in cases]
        slow = [median_seconds(lambda a=a, ref=reference: ref(titles, *a), max(3, args.repeat // 100))
                for a in cases]
        fast_median, slow_median = statistics.median(fast), statistics.median(slow)
        ok = fast_median * 1e3 <= TARGET_QUERY_MS
        all_ok &= ok
        print(f"{spec.name:<20}{len(cases):>7}{fast_median * 1e6:>9.1f}us{max(fast) * 1e6:>9.1f}us"
              f"{slow_median * 1e3:>13.2f}ms{slow_median / fast_median:>9.0f}x  {'OK' if ok else 'MISS'}")
    print("\nmedian: median over the inputs of each input's median time; worst: the slowest input's median "
          "(long lists, e.g. 3,675 tv-ma titles, cost a copy per item).")
    print("all targets met" if all_ok else "SOME TARGETS MISSED")


if __name__ == "__main__":
    main()
