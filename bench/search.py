"""Benchmark: title search and similar-title look-up latency on the full catalog, beside naive references.

Search: TitleIndex.search over real titles turned into what people type (a prefix, one letter dropped, two
letters swapped, upper case without accents), against difflib.get_close_matches over every title. Besides
median and p99 latency it reports how often the intended title is in the top 10 (hit@10) for both.
Similar titles: SimilarTitles.similar (stored top-50, exact on-the-fly fallback when a platform filter needs
it) against brute force at query time (cosine to every title, full sort). Target: search median <= 20 ms.
Usage: python bench/search.py [--processed-dir DIR] [--artifacts-dir DIR] [--queries N]
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import config
from catalog import STREAMING
from catalog.names import title_key
from catalog.search import TitleIndex
from catalog.streaming.similar import NEIGHBOUR_ARRAYS, SimilarTitles, is_placeholder

TARGET_SEARCH_MS = 20.0
RESULTS = config.PROJ_ROOT / "bench" / "results" / "search.json"


def typed_queries(titles: pd.DataFrame, n: int, seed: int) -> list[tuple[str, str, str]]:
    """(kind, query, intended id) for n real titles of 6+ letters, each typed four ways."""
    rng = random.Random(seed)
    pool = titles[~is_placeholder(titles) & (titles["title"].str.len() >= 6)]
    rows = pool.sample(n=n, random_state=seed)
    queries = []
    for id_, title in zip(rows[config.COL_ID], rows["title"]):
        i = rng.randrange(1, len(title) - 2)
        queries += [
            ("prefix", title[: max(3, int(len(title) * 0.6))], id_),
            ("dropped letter", title[:i] + title[i + 1:], id_),
            ("swapped letters", title[:i] + title[i + 1] + title[i] + title[i + 2:], id_),
            ("upper, no accents", title_key(title).upper(), id_),
        ]
    return queries


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def summary(seconds: list[float]) -> dict:
    ms = np.array(seconds) * 1e3
    return {"median_ms": float(np.median(ms)), "p99_ms": float(np.percentile(ms, 99)), "calls": len(ms)}


def bench_search(titles: pd.DataFrame, n_queries: int, n_reference: int, seed: int) -> dict:
    build, index = timed(lambda: TitleIndex(titles))
    queries = typed_queries(titles, n_queries, seed)
    norm_titles = [title_key(t) for t in titles["title"]]
    ids_of_norm: dict[str, set[str]] = {}
    for norm, id_ in zip(norm_titles, titles[config.COL_ID]):
        ids_of_norm.setdefault(norm, set()).add(id_)

    index.search("warm up")
    fast, fast_hits = [], {}
    for kind, query, id_ in queries:
        seconds, found = timed(lambda query=query: index.search(query, limit=10))
        fast.append(seconds)
        fast_hits.setdefault(kind, []).append(id_ in {item[config.COL_ID] for item in found})

    # The reference is ~1000x slower: a seeded subset of the same queries.
    subset = random.Random(seed).sample(queries, min(n_reference, len(queries)))
    slow, slow_hits = [], {}
    for kind, query, id_ in subset:
        key = title_key(query)
        seconds, found = timed(lambda key=key: difflib.get_close_matches(key, norm_titles, n=10, cutoff=0))
        slow.append(seconds)
        slow_hits.setdefault(kind, []).append(any(id_ in ids_of_norm[norm] for norm in found))
    return {"build_s": build, "queries": len(queries), "fast": summary(fast), "reference": summary(slow),
            "hit_at_10": {kind: float(np.mean(hits)) for kind, hits in fast_hits.items()},
            "reference_hit_at_10": {kind: float(np.mean(hits)) for kind, hits in slow_hits.items()}}


def neighbour_arrays(titles: pd.DataFrame, artifacts_dir: Path) -> tuple[dict, str]:
    """The trained artifacts' neighbour arrays when they exist, else built here (and timed)."""
    if (artifacts_dir / "manifest.json").is_file():
        from serving.artifacts import load_artifacts

        arrays = load_artifacts(artifacts_dir).arrays
        if all(name in arrays for name in NEIGHBOUR_ARRAYS):
            return arrays, f"loaded from {artifacts_dir}"
    from model.content import build_neighbours

    seconds, arrays = timed(lambda: build_neighbours(titles))
    return arrays, f"built here in {seconds:.1f} s (no artifacts in {artifacts_dir})"


def brute_force(similar: SimilarTitles, title_id: str, n: int, platform: str | None) -> list[str]:
    """Reference: cosine to every title at query time and a full sort, no stored neighbours."""
    features = similar._features
    row = similar._row_of_id[title_id]
    sims = (features @ features[row].T).toarray().ravel()
    sims[row] = -np.inf
    if platform:
        sims[similar._platform != platform] = -np.inf
    return [str(similar.titles[config.COL_ID].iat[r]) for r in np.argsort(-sims, kind="stable")[:n]]


def bench_similar(titles: pd.DataFrame, arrays: dict, n_titles: int, seed: int) -> dict:
    load, similar = timed(lambda: SimilarTitles(titles, arrays))
    ids = titles.loc[~is_placeholder(titles), config.COL_ID].sample(n=n_titles, random_state=seed).tolist()
    platforms = [None, "disney"]  # no filter: stored top-50; Disney+ only: mostly the exact fallback
    out = {"load_s": load, "titles": len(ids)}
    similar.similar(ids[0])
    for platform in platforms:
        fast = [timed(lambda id_=id_, platform=platform: similar.similar(id_, n=10, platform=platform))[0]
                for id_ in ids]
        slow = [timed(lambda id_=id_, platform=platform: brute_force(similar, id_, 10, platform))[0] for id_ in ids]
        out[platform or "all platforms"] = {"fast": summary(fast), "reference": summary(slow)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR)
    parser.add_argument("--artifacts-dir", type=Path, default=config.ARTIFACTS_DIR)
    parser.add_argument("--queries", type=int, default=500, help="real titles, each typed 4 ways")
    parser.add_argument("--reference-queries", type=int, default=60, help="of those, timed with difflib too")
    parser.add_argument("--titles", type=int, default=300, help="titles whose neighbours are looked up")
    args = parser.parse_args()

    path = STREAMING.folder(args.processed_dir) / config.TITLES_FILE
    if not path.is_file():
        print(f"error: {path} is missing; run `python -m etl` first", file=sys.stderr)
        sys.exit(2)
    titles = pd.read_parquet(path)
    print(f"catalog: {path} ({len(titles):,} titles); machine load average (1 min): "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")

    s = bench_search(titles, args.queries, args.reference_queries, config.SEED)
    ok = s["fast"]["median_ms"] <= TARGET_SEARCH_MS
    print(f"title search: index built in {s['build_s']:.2f} s; {s['queries']} queries "
          f"(reference: {s['reference']['calls']})")
    print(f"{'':<30}{'median':>10}{'p99':>10}")
    print(f"{'TitleIndex.search':<30}{s['fast']['median_ms']:>8.2f}ms{s['fast']['p99_ms']:>8.2f}ms"
          f"   target median <= {TARGET_SEARCH_MS:.0f} ms: {'OK' if ok else 'MISS'}")
    print(f"{'difflib.get_close_matches':<30}{s['reference']['median_ms']:>8.1f}ms{s['reference']['p99_ms']:>8.1f}ms"
          f"   ratio of medians: {s['reference']['median_ms'] / s['fast']['median_ms']:.0f}x")
    print(f"{'hit@10 (intended title found)':<34}{'ours':>8}{'difflib':>9}")
    for kind, hit in s["hit_at_10"].items():
        print(f"  {kind:<32}{hit:>8.1%}{s['reference_hit_at_10'].get(kind, float('nan')):>9.1%}")

    arrays, origin = neighbour_arrays(titles, args.artifacts_dir)
    m = bench_similar(titles, arrays, args.titles, config.SEED)
    print(f"\nsimilar titles: neighbours {origin}; SimilarTitles built in {m['load_s']:.2f} s; "
          f"{m['titles']} titles, n=10")
    print(f"{'':<34}{'median':>10}{'p99':>10}{'brute force':>14}{'ratio':>8}")
    for key in ("all platforms", "disney"):
        fast, slow = m[key]["fast"], m[key]["reference"]
        print(f"  {'similar(), ' + key:<32}{fast['median_ms']:>8.3f}ms{fast['p99_ms']:>8.3f}ms"
              f"{slow['median_ms']:>12.2f}ms{slow['median_ms'] / fast['median_ms']:>7.0f}x")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"search": s, "similar": m}, indent=2))
    print(f"\nwritten: {RESULTS.relative_to(config.PROJ_ROOT)}")


if __name__ == "__main__":
    main()
