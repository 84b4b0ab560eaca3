"""Benchmark of the served app on the full model: cold start, memory, HTTP latency and 50 concurrent clients.

    python bench/app.py            # needs artifacts/ from a full `python -m model.train` and data/processed/

Starts `python app.py` on 127.0.0.1 (loopback only) and measures, against the issue's targets:
- cold start: process launch to the first answered /recommend (target <= 8 s), over --starts launches, each
  beside a fresh `python -c "import gradio"` timed just before it (same machine, same moment: the ratio is what
  counts on a shared machine; target <= 1.3 times); also the CPU seconds each spent (user + system, all threads),
  whose ratio a busy machine changes little (wall time there is mostly waiting for a core);
- resident memory (VmRSS from /proc) right after start (target <= 1 GB), once every background load is done
  (/health pending nothing; target <= 600 MB with both catalogs), and the peak after the load test;
- latency p50/p99 of GET /recommend and GET /max_duration, one client, keep-alive;
- 50 concurrent clients x 20 requests each (mixed /recommend and /max_duration): errors (target 0), p99;
- 16 users at once on the Gradio queue (/recommend via gradio_client, concurrency limit raised to 16):
  the time until all are answered, beside one call alone (on 2 cores both sides share the CPU).
Prints figures beside targets, and beside the previous run's (bench/results/app.json, then rewritten).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

import config
from catalog import STREAMING
from tests.harness.launcher import QUIET_ENV, AppProcess

TARGETS = {"cold_start_s": 8.0, "rss_mb": 1024.0, "errors": 0, "cold_start_ratio": 1.3, "rss_settled_mb": 600.0}
RESULTS = config.PROJ_ROOT / "bench" / "results" / "app.json"


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process from /proc (psutil is not a dependency)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process, all its threads, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


class Workload:
    """Random but seeded requests over known users, titles, years and platforms."""

    def __init__(self, artifacts_dir: Path, seed: int = config.SEED):
        self.users = np.load(artifacts_dir / "user_ids.npy", allow_pickle=False)
        self.titles = np.load(artifacts_dir / "item_ids.npy", allow_pickle=False)
        self.rng = random.Random(seed)

    def recommend(self) -> tuple[str, dict]:
        return "/recommend", {"user_id": int(self.rng.choice(self.users)),
                              "title_id": str(self.rng.choice(self.titles))}

    def max_duration(self) -> tuple[str, dict]:
        params = {"year": self.rng.randint(1990, 2021), "platform": self.rng.choice(list(config.PLATFORMS)),
                  "duration_type": self.rng.choice(["min", "season"])}
        return "/max_duration", params

    def mixed(self) -> tuple[str, dict]:
        return self.recommend() if self.rng.random() < 0.5 else self.max_duration()


def timed_get(client: httpx.Client, path: str, params: dict) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        ok = client.get(path, params=params).status_code == 200
    except httpx.HTTPError:
        ok = False
    return time.perf_counter() - start, ok


def cold_start(artifacts_dir: Path, processed_dir: Path, workload: Workload,
               root: Path | None = None) -> tuple[float, float, float, AppProcess]:
    """Launch the app (of the checkout `root`, default this one); seconds to the first answered /recommend, VmRSS
    and the CPU seconds the process had used then. Returns the running app too."""
    app = AppProcess(artifacts_dir=artifacts_dir, processed_dir=processed_dir, root=root, settle=False)
    app.start(timeout=180)
    path, params = workload.recommend()
    response = httpx.get(app.url + path, params=params, timeout=30)
    seconds, cpu = time.perf_counter() - app.started_at, cpu_seconds(app.pid)
    if response.status_code != 200:
        raise RuntimeError(f"first /recommend answered {response.status_code}: {response.text}")
    return seconds, rss_mb(app.pid), cpu, app


def import_gradio_seconds() -> tuple[float, float]:
    """Wall and CPU time of a fresh `python -c "import gradio"`: the floor under any cold start of this app."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([sys.executable, "-c", "import gradio"], cwd=config.PROJ_ROOT, env={**os.environ, **QUIET_ENV},
                   check=True)  # the same interpreter and packages the app runs on
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return time.perf_counter() - start, cpu


def settled(app: AppProcess, timeout: float = 120) -> tuple[float, float]:
    """(seconds from launch, VmRSS MB) once /health says nothing is loading (the pieces loaded after the port
    opened: similar titles, the Movies model, a Hub check)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        health = httpx.get(app.url + "/health", timeout=10).json()
        if not health.get("pending") and not any(r.get("pending") for r in health.get("hub", {}).values()):
            return time.perf_counter() - app.started_at, rss_mb(app.pid)
        time.sleep(0.1)
    raise RuntimeError(f"background loading not done within {timeout:g} s")


def latency(url: str, make_request, n: int) -> dict:
    with httpx.Client(base_url=url, timeout=30) as client:
        for _ in range(10):  # warm-up
            timed_get(client, *make_request())
        times, errors = [], 0
        for _ in range(n):
            seconds, ok = timed_get(client, *make_request())
            times.append(seconds)
            errors += not ok
    return {"n": n, "errors": errors, "p50_ms": percentile(times, 50) * 1e3, "p99_ms": percentile(times, 99) * 1e3}


def concurrent_clients(url: str, workload: Workload, clients: int, requests_each: int) -> dict:
    plans = [[workload.mixed() for _ in range(requests_each)] for _ in range(clients)]

    def run(plan: list) -> list[tuple[float, bool]]:
        with httpx.Client(base_url=url, timeout=60) as client:
            return [timed_get(client, path, params) for path, params in plan]

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = [r for per_client in pool.map(run, plans) for r in per_client]
    wall = time.perf_counter() - start
    times = [t for t, _ in results]
    return {"clients": clients, "requests": len(results), "errors": sum(not ok for _, ok in results),
            "p50_ms": percentile(times, 50) * 1e3, "p99_ms": percentile(times, 99) * 1e3,
            "throughput_rps": len(results) / wall, "wall_s": wall}


def gradio_users_at_once(url: str, workload: Workload, users: int) -> dict:
    """One /recommend through the Gradio queue, then `users` at once: wall time ratio (1 = no queueing)."""
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(users)]
    requests = [workload.recommend()[1] for _ in range(users)]

    def call(i: int) -> float:
        start = time.perf_counter()
        clients[i].predict(str(requests[i]["user_id"]), requests[i]["title_id"], api_name="/recommend")
        return time.perf_counter() - start

    call(0)  # warm-up
    one = statistics.median(call(0) for _ in range(3))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(call, range(users)))
    together = time.perf_counter() - start
    return {"users": users, "one_call_s": one, "all_at_once_s": together, "ratio": together / one}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--artifacts-dir", type=Path, default=config.ARTIFACTS_DIR)
    parser.add_argument("--processed-dir", type=Path, default=config.PROCESSED_DATA_DIR)
    parser.add_argument("--starts", type=int, default=3, help="cold starts to measure (default 3)")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per route (default 300)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--root", type=Path, default=None,
                        help="the checkout whose app.py to start (default this one), e.g. an older commit to compare")
    parser.add_argument("--requests-each", type=int, default=20)
    args = parser.parse_args(argv)

    streaming_model = args.artifacts_dir / STREAMING.name  # each catalog's model in artifacts/<name>/
    manifest_path = streaming_model / "manifest.json"
    titles = STREAMING.folder(args.processed_dir) / config.TITLES_FILE
    if not manifest_path.is_file() or not titles.is_file():
        print(f"bench/app.py: needs {manifest_path} and {titles}; build them with "
              "`python -m etl && python -m model.train --catalog all` (the full model, no --sample-users).",
              file=sys.stderr)
        return 2
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("sample_users"):
        print(f"warning: {args.artifacts_dir} holds a model of a {manifest['sample_users']}-user sample, not the "
              "full model: run `python -m model.train --catalog streaming`.", file=sys.stderr)
    workload = Workload(streaming_model)
    print(f"model: {manifest.get('n_users', '?'):,} users x {manifest.get('n_titles', '?'):,} titles, "
          f"{manifest.get('n_ratings', 0):,} ratings, built {manifest.get('created_at')}")

    previous = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    starts, rss_values, gradio_imports, ratios, settled_s, settled_rss = [], [], [], [], [], []
    cpu_ratios, loads = [], []
    for i in range(args.starts):
        loads.append(os.getloadavg()[0])
        gradio_seconds, gradio_cpu = import_gradio_seconds()
        gradio_imports.append(gradio_seconds)
        seconds, rss, cpu, app = cold_start(args.artifacts_dir, args.processed_dir, workload, args.root)
        done, rss_done = settled(app)
        starts.append(seconds)
        rss_values.append(rss)
        ratios.append(seconds / gradio_imports[-1])
        cpu_ratios.append(cpu / gradio_cpu)
        settled_s.append(done)
        settled_rss.append(rss_done)
        print(f"cold start {i + 1}/{args.starts}: {seconds:.2f} s to the first /recommend "
              f"(import gradio alone {gradio_imports[-1]:.2f} s: {ratios[-1]:.2f} times), RSS {rss:.0f} MB; "
              f"CPU {cpu:.2f} s (import gradio {gradio_cpu:.2f} s: {cpu_ratios[-1]:.2f} times); "
              f"background loads done at {done:.1f} s, RSS then {rss_done:.0f} MB; load average {loads[-1]:.1f}")
        if i < args.starts - 1:
            app.stop()
    try:
        recommend = latency(app.url, workload.recommend, args.requests)
        max_duration = latency(app.url, workload.max_duration, args.requests)
        load = concurrent_clients(app.url, workload, args.clients, args.requests_each)
        gradio = gradio_users_at_once(app.url, workload, 16)
        peak = rss_mb(app.pid, "VmHWM")
        rss_after_load = rss_mb(app.pid)
    finally:
        app.stop()

    results = {
        "cold_start_s": {"runs": starts, "median": statistics.median(starts), "max": max(starts)},
        "import_gradio_s": {"runs": gradio_imports, "median": statistics.median(gradio_imports)},
        "cold_start_ratio": {"runs": ratios, "median": statistics.median(ratios), "max": max(ratios)},
        "cold_start_cpu_ratio": {"runs": cpu_ratios, "median": statistics.median(cpu_ratios)},
        "load_average": loads,
        "settled_s": {"runs": settled_s, "max": max(settled_s)},
        "rss_settled_mb": {"runs": settled_rss, "max": max(settled_rss)},
        "rss_after_start_mb": {"runs": rss_values, "max": max(rss_values)},
        "rss_after_load_mb": rss_after_load, "rss_peak_mb": peak,
        "recommend": recommend, "max_duration": max_duration, "concurrent": load, "gradio_queue": gradio,
        "targets": TARGETS, "model": {k: manifest.get(k) for k in ("n_users", "n_titles", "n_ratings", "created_at")},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))

    def before(*keys: str, unit: str = "", digits: int = 2) -> str:
        value = previous
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return "-" if value is None else f"{value:.{digits}f}{unit}"

    rows = [
        ("cold start / `import gradio` in the same run (median)",
         f"{statistics.median(ratios):.2f} times (runs {', '.join(f'{r:.2f}' for r in ratios)}; medians "
         f"{statistics.median(starts):.2f} s and {statistics.median(gradio_imports):.2f} s)",
         f"<= {TARGETS['cold_start_ratio']:g}",
         before("cold_start_ratio", "median"), statistics.median(ratios) / TARGETS["cold_start_ratio"]),
        ("CPU to the first /recommend / CPU of `import gradio` (median)",
         f"{statistics.median(cpu_ratios):.2f} times (runs {', '.join(f'{r:.2f}' for r in cpu_ratios)}; load average "
         f"{', '.join(f'{v:.1f}' for v in loads)})", "-", before("cold_start_cpu_ratio", "median"), None),
        ("resident memory once the background loads are done (max)", f"{max(settled_rss):.0f} MB",
         f"<= {TARGETS['rss_settled_mb']:.0f} MB", before("rss_settled_mb", "max", unit=" MB", digits=0),
         max(settled_rss) / TARGETS["rss_settled_mb"]),
        ("cold start to first /recommend (max)", f"{max(starts):.2f} s", f"<= {TARGETS['cold_start_s']:g} s",
         before("cold_start_s", "max", unit=" s"), max(starts) / TARGETS["cold_start_s"]),
        ("resident memory after start (max)", f"{max(rss_values):.0f} MB", f"<= {TARGETS['rss_mb']:.0f} MB",
         before("rss_after_start_mb", "max", unit=" MB", digits=0), max(rss_values) / TARGETS["rss_mb"]),
        ("resident memory peak (after load)", f"{peak:.0f} MB", f"<= {TARGETS['rss_mb']:.0f} MB",
         before("rss_peak_mb", unit=" MB", digits=0), peak / TARGETS["rss_mb"]),
        ("/recommend p50 / p99", f"{recommend['p50_ms']:.1f} / {recommend['p99_ms']:.1f} ms", "-", "-", None),
        ("/max_duration p50 / p99", f"{max_duration['p50_ms']:.1f} / {max_duration['p99_ms']:.1f} ms", "-", "-", None),
        (f"{load['clients']} clients x {args.requests_each}: errors", str(load["errors"]), "0", "-", None),
        (f"{load['clients']} clients x {args.requests_each}: p50 / p99",
         f"{load['p50_ms']:.1f} / {load['p99_ms']:.1f} ms", "-", "-", None),
        (f"{load['clients']} clients x {args.requests_each}: throughput", f"{load['throughput_rps']:.0f} req/s", "-",
         "-", None),
        (f"Gradio queue: {gradio['users']} users at once, all answered in",
         f"{gradio['all_at_once_s']:.2f} s (one alone {gradio['one_call_s']:.2f} s)", "-", "-", None),
    ]
    print("\n| measure | measured | target | previous run | of target |\n|---|---|---|---|---|")
    for name, measured, target, was, ratio in rows:
        print(f"| {name} | {measured} | {target} | {was} | {'' if ratio is None else f'{ratio:.2f}'} |")
    ok = (max(starts) <= TARGETS["cold_start_s"] and max(rss_values) <= TARGETS["rss_mb"]
          and statistics.median(ratios) <= TARGETS["cold_start_ratio"]
          and max(settled_rss) <= TARGETS["rss_settled_mb"]
          and load["errors"] == 0 and recommend["errors"] == 0 and max_duration["errors"] == 0)
    print(f"\n{'all targets met' if ok else 'TARGETS MISSED'}; results in {RESULTS.relative_to(config.PROJ_ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
