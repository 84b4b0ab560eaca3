"""Benchmark: the Movies catalog's six questions (catalog/movies/queries.py) on the real table, beside a pandas
filter per call doing the same question the plain way (below).

Inputs per question: typical examples plus the heaviest cases (the longest lists, names that match nothing and
compute suggestions, a closed-set error). Timed: the median of each input over --repeat calls after one warm-up,
the slowest input's median ("worst"), and the first call of each input on a freshly loaded catalog ("cold": a
name's answer is made from its index entry at its first question and kept).
Target: each question's median <= 1 ms.
Usage: python -m bench.movies_queries [--processed-dir DIR] [--repeat N]
(DIR holds each catalog's folder, the Movies one from `python -m etl --catalog movies`)
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
from catalog import MOVIES
from catalog.movies.queries import EXAMPLES, MoviesCatalog, load_movies_catalog
from errors import InputError
from etl.movies import columns as C

TARGET_QUERY_MS = 1.0
# Heavier inputs on top of the examples (catalog.movies.queries.EXAMPLES): the longest lists, names that match
# nothing (suggestions), closed-set errors.
EXTRA_CASES = {
    "peliculas_idioma": [("zz",)],
    "peliculas_duracion": [("les miserables",), ("toy stroy",)],
    "franquicia": [("James Bond Collection", 100), ("harry poter",)],
    "peliculas_pais": [("united states",), ("ZZ",)],
    "productoras_exitosas": [("pixar",)],
    "get_director": [("Woody Allen", 100), ("stephen spielberg",)],
}
CASES = {name: [*EXAMPLES[name], *EXTRA_CASES[name]] for name in EXAMPLES}


# ---- the reference: the same question as a pandas filter per call (lower-cased exact match, no index) ---------

def _items(frame: pd.DataFrame, fields: list[str], limit: int = 50) -> list[dict]:
    return frame[fields].head(limit).to_dict("records")


def peliculas_idioma(movies: pd.DataFrame, idioma: str) -> dict:
    text = idioma.strip().lower()
    mask = (movies[C.LANGUAGE] == text) | (movies[C.LANGUAGE_NAME].str.lower() == text)
    return {"idioma": text, "count": int(mask.sum())}


def peliculas_duracion(movies: pd.DataFrame, pelicula: str) -> dict:
    found = movies[movies[C.TITLE].str.lower() == pelicula.strip().lower()]
    found = found.sort_values([C.RELEASE_DATE, C.TITLE, C.ID], ascending=[False, True, True])
    return {"count": len(found), "items": _items(found, [C.ID, C.TITLE, C.RELEASE_YEAR, C.RUNTIME])}


def franquicia(movies: pd.DataFrame, name: str, limit: int = 50) -> dict:
    text = name.strip().lower()
    found = movies[movies[C.COLLECTION].str.lower().isin([text, f"{text} collection"])]
    found = found.sort_values([C.RELEASE_DATE, C.TITLE, C.ID])
    count = len(found)
    return {"count": count, "revenue_total": int(found[C.REVENUE].sum()),
            "revenue_mean": float(found[C.REVENUE].mean()) if count else None,
            "items": _items(found, [C.ID, C.TITLE, C.RELEASE_DATE, C.RETURN, C.BUDGET, C.REVENUE], limit)}


def peliculas_pais(movies: pd.DataFrame, pais: str) -> dict:
    text = pais.strip().lower()
    mask = [any(c.lower() == text for c in codes) or any(n.lower() == text for n in names)
            for codes, names in zip(movies[C.COUNTRIES], movies[C.COUNTRY_NAMES])]
    return {"pais": text, "count": sum(mask)}


def productoras_exitosas(movies: pd.DataFrame, productora: str) -> dict:
    text = productora.strip().lower()
    found = movies[[any(n.lower() == text for n in names) for names in movies[C.COMPANIES]]]
    return {"count": len(found), "revenue_total": int(found[C.REVENUE].sum())}


def get_director(movies: pd.DataFrame, nombre: str, limit: int = 50) -> dict:
    text = nombre.strip().lower()
    found = movies[[any(n.lower() == text for n in names) for names in movies[C.DIRECTORS]]]
    found = found.sort_values([C.RELEASE_DATE, C.TITLE, C.ID], ascending=[False, True, True])
    budgeted = found[found[C.BUDGET] > 0]
    overall = budgeted[C.REVENUE].sum() / budgeted[C.BUDGET].sum() if len(budgeted) else None
    return {"count": len(found), "return_sum": float(found[C.RETURN].sum()), "return_overall": overall,
            "items": _items(found, [C.ID, C.TITLE, C.RELEASE_DATE, C.RETURN, C.BUDGET, C.REVENUE], limit)}


REFERENCE = {f.__name__: f for f in (peliculas_idioma, peliculas_duracion, franquicia, peliculas_pais,
                                     productoras_exitosas, get_director)}


def _answer(catalog: MoviesCatalog, name: str, args: tuple) -> object:
    """One question as a door would ask it: a bad input's error is part of the answer."""
    try:
        return getattr(catalog, name)(*args)
    except InputError as error:
        return error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR)
    parser.add_argument("--repeat", type=int, default=2000, help="timed calls per input (reference: repeat/200)")
    args = parser.parse_args()

    folder = MOVIES.folder(args.processed_dir)
    path = folder / C.MOVIES_FILE
    start, start_cpu = time.perf_counter(), time.process_time()
    try:
        catalog = load_movies_catalog(folder)
    except InputError as error:
        raise SystemExit(f"bench.movies_queries: {error}") from None
    # CPU time too: on a busy shared machine the wall time also counts waiting for a core.
    load, load_cpu = time.perf_counter() - start, time.process_time() - start_cpu
    cold = {name: max(_timed_once(catalog, name, a) for a in cases) for name, cases in CASES.items()}
    movies = pd.read_parquet(path)
    print(f"catalog: {path} ({len(movies):,} movies); load_movies_catalog {load:.2f} s wall, {load_cpu:.2f} s CPU")
    print(f"machine load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    header = (f"{'question':<22}{'inputs':>7}{'median':>10}{'worst':>10}{'cold':>10}{'pandas filter':>15}"
              f"{'ratio':>9}  target")
    print(header)
    print("-" * len(header))
    all_ok = True
    for name, cases in CASES.items():
        reference = REFERENCE[name]
        fast = [median_seconds(lambda a=a, q=name: _answer(catalog, q, a), args.repeat) for a in cases]
        slow = [median_seconds(lambda a=a, f=reference: f(movies, *a), max(3, args.repeat // 200)) for a in cases]
        fast_median, slow_median = statistics.median(fast), statistics.median(slow)
        ok = fast_median * 1e3 <= TARGET_QUERY_MS
        all_ok &= ok
        print(f"{name:<22}{len(cases):>7}{fast_median * 1e6:>8.1f}us{max(fast) * 1e6:>8.1f}us"
              f"{cold[name] * 1e3:>8.2f}ms{slow_median * 1e3:>13.2f}ms{slow_median / fast_median:>8.0f}x  "
              f"{'OK' if ok else 'MISS'}")
    print("\nmedian: median over the inputs of each input's median; worst: the slowest input's median; cold: the"
          "\nslowest first call on a fresh catalog; pandas filter: the same question as a per-call filter of the"
          f"\ntable (median over the inputs); target: median <= {TARGET_QUERY_MS:g} ms. "
          f"{'All met.' if all_ok else 'Some MISSED.'}")


def _timed_once(catalog: MoviesCatalog, name: str, args: tuple) -> float:
    start = time.perf_counter()
    _answer(catalog, name, args)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
