"""Benchmark the warehouse pipeline against a pandas + XGBoost script, side by side.

One command runs every stage of the warehouse (real ``dbt build --select ...``
runs against a DuckDB file in bench/work/) and its peers on the same generated
data, and writes bench/results/benchmark.json and bench/results/benchmark.md:

    .venv/bin/python bench/run.py [--sizes 1000000 5000000]
        [--sql-only-sizes 20000000 50000000] [--repeats 3] [--smoke]

Every measured step runs in its own child process; wall time is a monotonic
clock around it, CPU time and peak resident memory come from ``os.wait4``'s
rusage of that child (Linux ``ru_maxrss``: the largest resident set of the
child or any of its waited-for descendants, not their sum). See bench/README.md.

Modules (all under bench/, imported by this script's folder being first on sys.path):
harness.py (settings, measuring), warehouse.py (dbt stages, the DuckDB file),
data.py (samples), peer_runs.py (pandas and scoring peers), runs.py (one size end to
end), targets.py (met / missed), results.py (JSON, Markdown, smoke checks).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import BENCH, Settings
from peer_runs import scoring_peer
from results import markdown, save, smoke_checks, versions
from runs import run_full_size, run_sql_only_size
from targets import targets


def parse_args(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000_000, 5_000_000])
    parser.add_argument("--sql-only-sizes", type=int, nargs="*", default=[20_000_000, 50_000_000])
    parser.add_argument(
        "--repeats",
        type=int,
        nargs="+",
        default=[3, 2],
        help="repeats of ingestion, feature SQL and the pandas features peer: one number, "
        "or one per size in --sizes",
    )
    parser.add_argument(
        "--train-repeats",
        type=int,
        default=1,
        help="repeats that also run training and scoring (the rest: ingestion + feature SQL)",
    )
    parser.add_argument("--hpo-trials", type=int, default=10)
    parser.add_argument(
        "--hpo-max-events",
        type=int,
        default=1_000_000,
        help="largest size that runs the HPO training build (it is the longest stage)",
    )
    parser.add_argument(
        "--train-max-events",
        type=int,
        default=10**12,
        help="largest size that runs training and scoring (larger: ingestion + feature SQL)",
    )
    parser.add_argument(
        "--sql-only-tests",
        action="store_true",
        help="run the data tests in the SQL-only sizes' feature build too (default: models)",
    )
    parser.add_argument("--requests-ratio", type=float, default=0.1, help="requests per event")
    parser.add_argument("--duckdb-memory-limit", default="4GB")
    parser.add_argument(
        "--capped-memory-limit",
        default="300MB",
        help="after the repeats, ingestion + feature SQL once more at this DuckDB memory_limit "
        "('' to skip)",
    )
    parser.add_argument("--scoring-rows", type=int, default=200_000)
    parser.add_argument(
        "--scoring-grid",
        nargs="*",
        default=["5x3", "20x6", "100x3", "100x6", "300x6"],
        help="rounds x max_depth of the scoring comparison",
    )
    parser.add_argument("--scoring-repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=BENCH / "work")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    parser.add_argument("--name", default="benchmark", help="results file name (no suffix)")
    parser.add_argument(
        "--peer-hpo",
        action="store_true",
        help="the pandas peer also runs the HPO trials (same training code as the warehouse)",
    )
    parser.add_argument("--stage-timeout", type=float, default=3600.0, help="seconds per step")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat, no results")
    parser.add_argument(
        "--render", type=Path, help="only rewrite the Markdown table of an existing results JSON"
    )
    args = parser.parse_args(argv)
    grid = [tuple(int(v) for v in g.split("x")) for g in args.scoring_grid]
    settings = Settings(
        sizes=args.sizes,
        sql_only_sizes=args.sql_only_sizes,
        repeats=args.repeats,
        hpo_trials=args.hpo_trials,
        hpo_max_events=args.hpo_max_events,
        sql_only_tests=args.sql_only_tests,
        name=args.name,
        train_max_events=args.train_max_events,
        stage_timeout=args.stage_timeout,
        peer_hpo=args.peer_hpo,
        render=args.render,
        train_repeats=args.train_repeats,
        requests_ratio=args.requests_ratio,
        work=args.work.resolve(),
        results=args.results.resolve(),
        memory_limit=args.duckdb_memory_limit,
        capped_memory_limit=args.capped_memory_limit,
        scoring_rows=args.scoring_rows,
        scoring_grid=grid,
        scoring_repeats=args.scoring_repeats,
    )
    if args.smoke:
        settings.sizes, settings.sql_only_sizes = [3000], [6000]
        settings.repeats = [1]
        settings.train_repeats = settings.scoring_repeats = 1
        settings.hpo_trials = 2
        settings.work = settings.work / "smoke"
        settings.results = None
        settings.scoring_rows, settings.scoring_grid = 2000, [(100, 6)]
        settings.dbt_vars = {"num_boost_round": 20, "early_stopping_rounds": 5}
        settings.stage_timeout = 300.0
        # The capped stages rerun the same two dbt builds with one more setting; the smoke
        # run only checks that the harness works, and CI's 90 minutes are nearly spent.
        settings.capped_memory_limit = ""
        settings.smoke = True
    return settings


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv)
    if settings.render:
        results = json.loads(settings.render.read_text())
        settings.hpo_trials = results["settings"]["hpo_trials"]
        settings.memory_limit = results["settings"]["duckdb_memory_limit"]
        results["targets"] = targets(results, settings)
        settings.render.write_text(json.dumps(results, indent=2, default=str) + "\n")
        settings.render.with_suffix(".md").write_text(markdown(results))
        return 0
    settings.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/run.py", *(argv or sys.argv[1:])]),
        "official": not settings.smoke,
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "settings": {
            "repeats": settings.repeats,
            "hpo_max_events": settings.hpo_max_events,
            "train_max_events": settings.train_max_events,
            "sql_only_data_tests": settings.sql_only_tests,
            "train_repeats": settings.train_repeats,
            "hpo_trials": settings.hpo_trials,
            "duckdb_memory_limit": settings.memory_limit,
            "dbt_vars": settings.dbt_vars,
            "requests_ratio": settings.requests_ratio,
        },
        "versions": versions(),
        "sizes": {},
    }
    for n in settings.sizes:
        run_full_size(n, settings, results)
    if settings.scoring_grid and settings.sizes:
        size = settings.sizes[0]
        n_requests = max(1000, int(size * settings.requests_ratio))
        data = settings.work / "data" / f"e{size}_r{n_requests}"
        print("[bench] scoring comparison", flush=True)
        results["scoring"] = scoring_peer(settings, data / "landing", f"e{size}")
        save(results, settings)
    for n in settings.sql_only_sizes:
        run_sql_only_size(n, settings, results)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    results["total_seconds"] = time.perf_counter() - started
    save(results, settings)
    where = settings.results or settings.work / "smoke_results"
    print(f"[bench] done in {results['total_seconds']:.0f}s; wrote {where}/{settings.name}.md")
    if settings.smoke:
        return smoke_checks(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
