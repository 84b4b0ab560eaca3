"""Light requests under a flood of heavy ones: does a cheap answer wait behind expensive ones?

    python -m bench.load [--processed-dir data/processed] [--artifacts-dir artifacts] [--heavy 200]
                         [--light 300] [--seconds 60]

Starts the real app (`python app.py` on 127.0.0.1, tests/harness/launcher.py) over the given data and model,
then measures the latency of light requests (GET /health, GET /count_platform/netflix) twice:
- alone (the naive reference): a few light clients and nothing else;
- under load: `--heavy` clients (200) each sending heavy requests back to back (GET /top_n n=100 for a known
  user, GET /similar n=100, and the heaviest catalog questions: /contents/tv-ma, 3,675 titles, and a Movies
  list when that catalog is loaded), while the same light clients run.
Prints light p50/p95/p99 beside the target (p95 <= 1 s under 200 concurrent heavy requests, 2 cores) and
the heavy throughput. Bounded: at most `--light` light requests per phase and `--seconds` per phase.
The heavy clients run in a process of their own, so the light latencies are not those of a client event loop
busy reading 200 heavy answers (both still share the machine's cores with the app).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

import httpx
import numpy as np

import config
from catalog import STREAMING
from tests.harness.launcher import AppProcess

TARGET_P95_S = 1.0
LIGHT = ("/health", "/count_platform/netflix")
LIGHT_CLIENTS = 4
LIGHT_PAUSE_S = 0.02  # between one light client's requests: a monitor and a few users, not a flood


def heavy_urls(http: httpx.Client, artifacts_dir: Path) -> list[str]:
    """The heavy requests: the largest lists each kind of route gives."""
    users = np.load(artifacts_dir / "user_ids.npy", allow_pickle=False)
    indptr = np.load(artifacts_dir / "rated_indptr.npy", allow_pickle=False)
    user = int(users[int(np.argmax(np.diff(indptr)))])
    urls = [f"/top_n?user_id={user}&n=100", "/similar?title_id=ds1378&n=100", "/contents/tv-ma"]
    catalogs = http.get("/health").json().get("catalogs", {})
    if catalogs.get("movies", {}).get("loaded"):
        urls.append("/movies/peliculas_idioma?idioma=en")
    for url in urls:
        response = http.get(url)
        if response.status_code != 200:
            raise SystemExit(f"bench.load: {url} answered {response.status_code}: {response.text[:200]}")
    return urls


async def light_client(client: httpx.AsyncClient, latencies: list[float], errors: list[str], stop: asyncio.Event,
                       limit: int, offset: int) -> None:
    i = offset
    while not stop.is_set() and len(latencies) < limit:
        url = LIGHT[i % len(LIGHT)]
        i += 1
        start = time.perf_counter()
        try:
            response = await client.get(url)
            if response.status_code != 200:
                errors.append(f"{url}: {response.status_code}")
        except httpx.HTTPError as exc:
            errors.append(f"{url}: {type(exc).__name__}")
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(LIGHT_PAUSE_S)
    stop.set()


async def heavy_client(client: httpx.AsyncClient, urls: list[str], offset: int, counts: dict,
                       stop: asyncio.Event) -> None:
    i = offset
    while not stop.is_set():
        url = urls[i % len(urls)]
        i += 1
        try:
            response = await client.get(url)
            key = "ok" if response.status_code == 200 else f"status {response.status_code}"
            counts[key] = counts.get(key, 0) + 1
        except httpx.HTTPError as exc:
            counts[type(exc).__name__] = counts.get(type(exc).__name__, 0) + 1


async def flood(base_url: str, heavy: list[str], n_heavy: int, stop: multiprocessing.Event) -> dict:
    """n_heavy clients sending heavy requests back to back until `stop` is set; their answer counts."""
    limits = httpx.Limits(max_connections=n_heavy + 10, max_keepalive_connections=n_heavy + 10)
    counts = {"ok": 0}
    done = asyncio.Event()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=httpx.Timeout(120.0)) as client:
        tasks = [asyncio.create_task(heavy_client(client, heavy, i, counts, done)) for i in range(n_heavy)]
        while not stop.is_set():
            await asyncio.sleep(0.1)
        done.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return counts


def flood_process(base_url: str, heavy: list[str], n_heavy: int, stop: multiprocessing.Event,
                  results: multiprocessing.Queue) -> None:
    results.put(asyncio.run(flood(base_url, heavy, n_heavy, stop)))


async def light_phase(base_url: str, n_light: int, seconds: float) -> tuple[list[float], list[str], float]:
    latencies: list[float] = []
    errors: list[str] = []
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(120.0)) as light_http:
        start = time.perf_counter()
        tasks = [asyncio.create_task(light_client(light_http, latencies, errors, stop, n_light, i))
                 for i in range(LIGHT_CLIENTS)]
        try:
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds)
        except TimeoutError:
            pass
        elapsed = time.perf_counter() - start
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return latencies, errors, elapsed


def phase(base_url: str, heavy: list[str], n_heavy: int, n_light: int, seconds: float) -> dict:
    """Light latencies with n_heavy heavy clients running in another process (0: the reference)."""
    counts: dict = {"ok": 0}
    stop, results = multiprocessing.Event(), multiprocessing.Queue()
    flooder = multiprocessing.Process(target=flood_process, args=(base_url, heavy, n_heavy, stop, results))
    if n_heavy:
        flooder.start()
        time.sleep(3.0)  # let the flood build up: every heavy client has a request in flight
    latencies, errors, elapsed = asyncio.run(light_phase(base_url, n_light, seconds))
    if n_heavy:
        stop.set()
        counts = results.get(timeout=150)
        flooder.join(timeout=30)
    values = np.asarray(latencies) if latencies else np.asarray([float("nan")])
    return {"heavy_clients": n_heavy, "light_requests": len(latencies), "light_errors": len(errors),
            "p50_s": float(np.percentile(values, 50)), "p95_s": float(np.percentile(values, 95)),
            "p99_s": float(np.percentile(values, 99)), "max_s": float(values.max()),
            "heavy_answers": counts["ok"], "heavy_other": {k: v for k, v in counts.items() if k != "ok"},
            "heavy_per_s": counts["ok"] / elapsed if elapsed else 0.0, "seconds": elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processed-dir", default=str(config.PROCESSED_DATA_DIR))
    parser.add_argument("--artifacts-dir", default=str(config.ARTIFACTS_DIR))
    parser.add_argument("--heavy", type=int, default=200, help="concurrent heavy clients (default 200)")
    parser.add_argument("--light", type=int, default=300, help="light requests per phase, at most (default 300)")
    parser.add_argument("--seconds", type=float, default=60.0, help="longest a phase runs (default 60)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    artifacts = Path(args.artifacts_dir)
    titles = STREAMING.folder(args.processed_dir) / config.TITLES_FILE
    if not (artifacts / "manifest.json").is_file() or not titles.is_file():
        print(f"bench.load: needs {titles} and a model in {artifacts} "
              "(python -m etl; python -m model.train)", file=sys.stderr)
        return 2
    with AppProcess(artifacts_dir=artifacts, processed_dir=args.processed_dir) as app, \
            httpx.Client(base_url=app.url, timeout=60) as http:
        heavy = heavy_urls(http, artifacts)
        alone = phase(app.url, heavy, 0, args.light, args.seconds)
        loaded = phase(app.url, heavy, args.heavy, args.light, args.seconds)
    print(f"cores: {os.cpu_count()}; heavy requests: {', '.join(heavy)}")
    print(f"light requests ({', '.join(LIGHT)}), {LIGHT_CLIENTS} clients:")
    print(f"{'':28} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'n':>5}  heavy answers/s")
    for name, r in (("alone (reference)", alone), (f"under {args.heavy} heavy clients", loaded)):
        print(f"{name:28} {r['p50_s']:8.3f} {r['p95_s']:8.3f} {r['p99_s']:8.3f} {r['max_s']:8.3f} "
              f"{r['light_requests']:5d}  {r['heavy_per_s']:.1f}" + (f"  errors {r['light_errors']}"
                                                                      if r["light_errors"] else ""))
    verdict = "met" if loaded["p95_s"] <= TARGET_P95_S else "NOT met"
    print(f"target: light p95 <= {TARGET_P95_S:g} s under {args.heavy} heavy clients: {verdict} "
          f"({loaded['p95_s']:.3f} s)")
    if loaded["heavy_other"]:
        print(f"heavy requests not answered 200: {loaded['heavy_other']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"alone": alone, "loaded": loaded, "heavy_urls": heavy}, indent=2))
    return 0 if loaded["p95_s"] <= TARGET_P95_S and not loaded["light_errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
