"""The offer pipeline end to end on the local Trino cluster next to DuckDB, same data and vars.

Issue 13's measurement: ``wml run`` (DuckDB, one ``dbt build``) and ``wml run --target
trino`` (plan, land, features build, training through the client, second build) over the
same generated sample, one after the other on the same machine. Trino's time is split by
step from the runner's own timing line. The cluster must be running
(``scripts/trino/trino_local.py start``, credentials sourced); each size builds into a new
schema of ``WML_TRINO_CATALOG``, dropped afterwards unless ``--keep``.

    .venv/bin/python bench/trino_scale.py --events 1000000 --work /tmp/wml_trino_bench
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import re
import sys
import time
import uuid
from pathlib import Path

from warehouse_ml.trino_client import TrinoClient, TrinoSettings

from harness import PYTHON, ROOT, measure, tail

WML = str(Path(sys.executable).with_name("wml"))
RESULTS = ROOT / "bench" / "results"
STEPS = re.compile(r"Trino run finished in ([0-9.]+)s \((.*)\)")
STEP = re.compile(r"([^,(]+(?:\([^)]*\))?) ([0-9.]+)s(?:, |$)")


def steps_of(timings: str) -> dict[str, float]:
    """The runner's step timings, e.g. ``plan 7.9s, dbt build (registry, scoring) 143.8s``
    (a step's name may hold commas inside its parentheses)."""
    return {name: float(s) for name, s in STEP.findall(timings)}


def sample(n_events: int, n_requests: int, work: Path) -> Path:
    out = work / "data" / f"e{n_events}_r{n_requests}"
    if not (out / "sample_meta.json").exists():
        cmd = [PYTHON, "-m", "warehouse_ml.generator", "--out", str(out)]
        cmd += ["--events", str(n_events), "--requests", str(n_requests), "--seed", "13"]
        m = measure(cmd, work / "logs" / f"generate_e{n_events}.log")
        if m["returncode"]:
            raise SystemExit(f"generator failed:\n{tail(m['log'])}")
    return out


def folders(data: Path) -> dict[str, str]:
    return {
        "WML_LANDING_DIR": str(data / "landing"),
        "WML_REQUESTS_DIR": str(data / "requests"),
        "WML_EVENTS_DIR": str(data / "no_events"),
    }


def run_duckdb(data: Path, dbt_vars: str, work: Path, tag: str, reuse: bool) -> dict:
    kept = work / "duckdb" / f"{tag}.json"
    if reuse and kept.exists() and json.loads(kept.read_text())["vars"] == dbt_vars:
        return json.loads(kept.read_text())["measure"]
    db = work / "duckdb" / f"{tag}.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    env = {**os.environ, **folders(data), "WML_TARGET": "duckdb", "WML_DUCKDB_PATH": str(db)}
    m = measure([WML, "run", "--vars", dbt_vars], work / "logs" / f"duckdb_{tag}.log", env)
    if m["returncode"]:
        raise SystemExit(f"DuckDB run failed:\n{tail(m['log'])}")
    kept.write_text(json.dumps({"vars": dbt_vars, "measure": m}))
    return m


def run_trino(data: Path, dbt_vars: str, work: Path, tag: str, keep: bool) -> dict:
    base = TrinoSettings.from_env()
    settings = dataclasses.replace(base, schema=f"bench_{tag}_{uuid.uuid4().hex[:6]}", landing="")
    env = {**os.environ, **folders(data), **settings.env()}
    cmd = [WML, "run", "--target", "trino", "--vars", dbt_vars]
    m = measure(cmd, work / "logs" / f"trino_{tag}.log", env, timeout=4 * 3600)
    text = (ROOT / m["log"]).read_text(errors="replace")
    found = STEPS.search(text)
    m["steps"] = steps_of(found[2]) if found else {}
    m["schema"] = f"{settings.catalog}.{settings.schema}"
    if not keep:
        with TrinoClient(settings) as client:
            for catalog, schema in (
                (settings.catalog, settings.schema),
                (settings.catalog, settings.landing_schema),
                (settings.lake_catalog, settings.landing_schema),
            ):
                client.execute(f"drop schema if exists {catalog}.{schema} cascade")
    if m["returncode"]:
        raise SystemExit(f"Trino run failed:\n{tail(m['log'])}")
    return m


def render(rows: list[dict]) -> str:
    lines = [
        "# The offer pipeline on the local Trino cluster and on DuckDB",
        "",
        "Command: `.venv/bin/python bench/trino_scale.py " + " ".join(sys.argv[1:]) + "`",
        "",
        "| events | DuckDB s (peak RSS MB) | Trino s | Trino / DuckDB | Trino steps (s) |",
        "|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        d, t = r["duckdb"], r["trino"]
        steps = ", ".join(f"{k} {v:.0f}" for k, v in t["steps"].items())
        lines.append(
            f"| {r['events']:,} | {d['wall_s']:.0f} ({d['peak_rss_mb']:.0f}) | "
            f"{t['wall_s']:.0f} | {t['wall_s'] / d['wall_s']:.1f}x | {steps} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--hpo-trials", type=int, default=2)
    parser.add_argument("--work", type=Path, default=Path("/tmp/wml_trino_bench"))
    parser.add_argument("--name", default="trino_scale")
    parser.add_argument("--keep", action="store_true", help="keep the Trino schemas")
    parser.add_argument(
        "--reuse-duckdb", action="store_true", help="reuse a DuckDB run of the same size and vars"
    )
    args = parser.parse_args()
    dbt_vars = json.dumps({"hpo_trials": args.hpo_trials, "model_specs": ["offer_conversion"]})
    rows = []
    for n in args.events:
        data = sample(n, args.requests, args.work)
        tag = f"e{n}"
        print(f"[trino_scale] {n:,} events: DuckDB", flush=True)
        duck = run_duckdb(data, dbt_vars, args.work, tag, args.reuse_duckdb)
        print(f"[trino_scale] DuckDB {duck['wall_s']:.0f}s; Trino", flush=True)
        trino = run_trino(data, dbt_vars, args.work, tag, args.keep)
        print(f"[trino_scale] Trino {trino['wall_s']:.0f}s {trino['steps']}", flush=True)
        rows.append({"events": n, "duckdb": duck, "trino": trino})
    record = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "vars": dbt_vars,
        "rows": rows,
    }
    (RESULTS / f"{args.name}.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
    (RESULTS / f"{args.name}.md").write_text(render(rows))
    print(render(rows))


if __name__ == "__main__":
    main()
