"""Event propensity at scale (issue 12 item 10, and the scoring cost of item 6).

10M events for 1M entities over 12 weeks (make_events.py), a weekly-snapshot
spec with eight rolling-week counts of the top-10 event types plus the
1 hour / 1 day / 7 days windows, built with the shipped dbt models on DuckDB:

1. ingestion, points/labels and features: ``dbt run -s +int_event_examples``
   (per-model seconds from run_results.json; wall, CPU and peak RSS of the
   dbt process from ``os.wait4``), against the 180 s target;
2. checks: the entity cap (distinct entities with a split) and the parity of
   row, label, split counts and every feature column's sum with the peer;
3. the pandas/numpy peer (peer.py) on the same files: time and peak RSS;
4. scoring: ``dbt run -s int_event_scoring_points`` with scoring_scope
   hourly vs daily at a fixed score_at (rows scored, seconds).

The project is copied to a temp dir (warehouse_ml.dbt_project.PROJECT_PARTS,
from git HEAD by default: others edit the worktree) with
the spec model_specs/scale_propensity.sql added and bench/profiles.yml as its
profile (DuckDB memory_limit from --memory-limit). Nothing in the project is
changed. Writes bench/results/propensity_scale.json and .md (``--smoke``:
the same files in its work folder; ``--no-results`` writes none).

    .venv/bin/python bench/propensity_scale/run.py            # full: 10M events, 1M entities
    .venv/bin/python bench/propensity_scale/run.py --smoke    # 20k events, seconds
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse_ml.dbt_project import PROJECT_PARTS, copy_dbt_project

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RESULTS = ROOT / "bench" / "results"
DBT = str(ROOT / ".venv" / "bin" / "dbt")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
TARGET_SECONDS = 180
SPEC_NAME = "scale_propensity"
STEPS = {
    "ingestion": ["ingest_file_manifest", "ingest_event_records", "stg_events__stream"],
    "points_labels": ["int_event_points"],
    "features": ["fit_event_type_ranks", "int_event_examples"],
}
#: (name, score_at, extra vars): `now` is the time after the build; `past` three
#: hours before the log's end, i.e. before the load (a re-score of a past hour).
SCORING_RUNS = (
    ("daily", "now", ""),
    ("hourly", "now", ""),
    ("hourly_steady", "now", ", late_data_lookback: '1 second'"),
    ("hourly_past", "past", ""),
)
ID_COLUMNS = {
    "model_name",
    "point_id",
    "entity_id",
    "point_time",
    "label",
    "split",
    "reject_reason",
}

sys.path.insert(0, str(HERE))
from make_events import make_events  # noqa: E402


def spec_body(cap: int) -> str:
    return f"""name: {SPEC_NAME}
description: Benchmark only (bench/propensity_scale), a purchase within 7 days of a snapshot.
events:
  source: stg_events__stream
  points:
    every: 7 days
    active_within: 28 days
  outcome:
    event_types: [purchase]
    horizon: 7 days
  windows: [1 hour, 1 day, 7 days]
  rolling_weeks: 8
  top_event_types: 10
  categorical: [country]
  numeric: [amount]
  entity_cap: {cap}
split:
  train_fraction: 0.6
  validation_fraction: 0.2
gate:
  metric: auc
  threshold: 0.5
"""


def peer_spec(cap: int) -> dict:
    """The same spec in the peer's terms (seconds)."""
    return {
        "name": SPEC_NAME,
        "every": 7 * 86400,
        "active_within": 28 * 86400,
        "horizon": 7 * 86400,
        "outcome_types": ["purchase"],
        "windows": [3600, 86400, 7 * 86400],
        "rolling_weeks": 8,
        "top_event_types": 10,
        "categorical": ["country"],
        "numeric": ["amount"],
        "entity_cap": cap,
        "train_fraction": 0.6,
        "validation_fraction": 0.2,
    }


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def load_1min() -> float:
    return os.getloadavg()[0]


def wait_for_low_load(limit: float, max_wait: float) -> dict:
    """Wait up to max_wait seconds for the 1-minute load to drop to limit."""
    started = time.monotonic()
    while load_1min() > limit and time.monotonic() - started < max_wait:
        time.sleep(10)
    return {"waited_s": round(time.monotonic() - started, 1), "uptime": load()}


def measured(cmd: list[str], cwd: Path, env: dict, timeout: float) -> dict:
    """Run cmd as a child: wall seconds, CPU seconds and peak RSS (os.wait4)."""
    before = {"uptime": load()}
    started = time.monotonic()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    return {
        **before,
        "cmd": " ".join(cmd),
        "returncode": os.waitstatus_to_exitcode(status),
        "timed_out": wall > timeout,
        "timeout_s": timeout,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stdout": stdout,
        "stderr": stderr,
    }


def copy_project(dest: Path, source: str) -> str:
    """The dbt project in dest: from git HEAD (default) or the worktree."""
    if source == "worktree":
        copy_dbt_project(ROOT, dest)
        return "worktree"
    commit = subprocess.run(
        ["git", "rev-parse", source], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", commit, *PROJECT_PARTS], cwd=ROOT, capture_output=True, check=True
    ).stdout
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return commit


def run_results(target: Path) -> dict[str, dict]:
    data = json.loads((target / "run_results.json").read_text())
    return {
        r["unique_id"].split(".")[-1]: {
            "status": r["status"],
            "seconds": round(r["execution_time"], 2),
            "message": (r.get("message") or "")[:300],
        }
        for r in data["results"]
    }


def models_from_log(stdout: str) -> dict[str, dict]:
    """Per-model seconds from dbt's log lines (a killed dbt writes no run_results.json);
    a model still running when it was killed is listed with status 'killed'."""
    models: dict[str, dict] = {}
    for line in stdout.splitlines():
        done = re.search(r"OK created \S+ \S+ model main\.(\w+) .* in ([0-9.]+)s\]", line)
        started = re.search(r"START \S+ \S+ model main\.(\w+) ", line)
        if done:
            models[done.group(1)] = {"status": "success", "seconds": float(done.group(2))}
        elif started:
            models[started.group(1)] = {"status": "killed", "seconds": None}
    return models


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def warehouse_checks(db: Path, cap: int) -> dict:
    name = f"'{SPEC_NAME}'"
    (events, rejects) = query(
        db,
        "select count(*), count(*) filter (where reject_reason is not null)"
        " from stg_events__stream",
    )[0]
    (points, entities, labelled, positives, in_split, capped) = query(
        db,
        f"""select count(*), count(distinct entity_id), count(label), sum(label),
            count(distinct case when split is not null then entity_id end),
            count(distinct case when in_entity_cap then entity_id end)
        from int_event_points where model_name = {name}""",
    )[0]
    splits = dict(
        query(
            db,
            f"select coalesce(split, 'null'), count(*) from int_event_points"
            f" where model_name = {name} group by all",
        )
    )
    top = [
        r[0]
        for r in query(
            db,
            f"select event_type from fit_event_type_ranks where model_name = {name}"
            " order by type_rank",
        )
    ]
    columns = [
        r[0]
        for r in query(
            db,
            "select column_name from information_schema.columns"
            " where table_name = 'int_event_examples' order by ordinal_position",
        )
    ]
    base = {
        "staged_events": events,
        "rejected_events": rejects,
        "points": points,
        "point_entities": entities,
        "labelled": labelled,
        "positives": int(positives or 0),
        "entities_in_split": in_split,
        "entities_in_cap": capped,
        "entity_cap": cap,
        "entity_cap_honoured": in_split <= cap and capped <= cap,
        "split_counts": splits,
        "top_event_types": top,
    }
    if not columns:
        return base | {"examples": None, "feature_columns": None}
    numeric = [c for c in columns if c not in ID_COLUMNS and not c.startswith(("last_", "first_"))]
    categorical = [c for c in columns if c.startswith(("last_", "first_"))]
    exprs = [f'sum("{c}")' for c in numeric] + [f'count("{c}")' for c in categorical]
    row = query(
        db,
        f"select count(*), {', '.join(exprs)} from int_event_examples where model_name = {name}",
    )[0]
    return base | {
        "examples": row[0],
        "feature_columns": len(numeric) + len(categorical),
        "feature_sums": {c: float(v or 0) for c, v in zip(numeric, row[1:], strict=False)},
        "categorical_non_null": dict(zip(categorical, row[1 + len(numeric) :], strict=True)),
    }


def parity(sql: dict, peer: dict) -> dict:
    """Counts, top types and every feature column's sum, warehouse vs peer."""
    diffs = []
    for key in ("points", "point_entities", "labelled", "positives", "entities_in_split"):
        if sql[key] != peer[key]:
            diffs.append(f"{key}: sql {sql[key]} peer {peer[key]}")
    if {k: v for k, v in sql["split_counts"].items()} != peer["split_counts"]:
        diffs.append(f"split_counts: sql {sql['split_counts']} peer {peer['split_counts']}")
    if sql["top_event_types"] != peer["top_event_types"]:
        diffs.append("top_event_types differ")
    in_split = sum(n for split, n in sql["split_counts"].items() if split != "null")
    if sql["examples"] != in_split:
        diffs.append(f"examples {sql['examples']} != points with a split {in_split}")
    missing = sorted(set(sql["feature_sums"]) ^ set(peer["feature_sums"]))
    if missing:
        diffs.append(f"feature columns only on one side: {missing[:10]}")
    for column, value in sql["feature_sums"].items():
        other = peer["feature_sums"].get(column)
        if other is not None and abs(value - other) > 1e-6 * max(1.0, abs(value), abs(other)):
            diffs.append(f"sum({column}): sql {value} peer {other}")
    for column, value in sql["categorical_non_null"].items():
        if peer["categorical_non_null"].get(column) != value:
            diffs.append(
                f"count({column}): sql {value} peer {peer['categorical_non_null'].get(column)}"
            )
    return {"ok": not diffs, "differences": diffs[:40], "n_differences": len(diffs)}


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    return {
        "cores": os.cpu_count(),
        "ram_gb": round(int(mem) / 1024 / 1024, 1),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="20k events, 2k entities, cap 500")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--entity-cap", type=int, default=200_000)
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit")
    parser.add_argument("--project-from", default="HEAD", help="a git revision, or 'worktree'")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "propensity_scale"
    )
    parser.add_argument(
        "--score-at", default=None, help="var score_at (UTC; default: after the build)"
    )
    parser.add_argument(
        "--data-end",
        default="now",
        help="'now': the log ends a minute before the run; 'fixed': 2026-01-05 + 12 weeks",
    )
    parser.add_argument("--max-load", type=float, default=1.5, help="wait for this 1-min load")
    parser.add_argument("--max-wait", type=float, default=120, help="seconds to wait for it")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds for the build")
    parser.add_argument(
        "--scoring-timeout", type=float, default=900, help="seconds per scoring run"
    )
    parser.add_argument(
        "--scoring-runs",
        default=",".join(r[0] for r in SCORING_RUNS),
        help="which scoring runs (comma-separated)",
    )
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/results")
    args = parser.parse_args(argv)
    if args.smoke:
        args.events, args.entities, args.entity_cap = 20_000, 2_000, 500
        args.max_wait, args.timeout = 0, 600
    label = "smoke" if args.smoke else f"e{args.events}"
    work = args.work / label
    data = args.work / "data" / f"events_{args.events}_{args.entities}"
    meta_file = data.parent / f"{data.name}_meta.json"
    end_us = None
    if args.data_end == "now":
        end_us = (int(time.time()) // 60 - 1) * 60 * 1_000_000
    meta = json.loads(meta_file.read_text()) if meta_file.exists() else None
    if (
        not meta
        or meta["n_events"] != args.events
        or meta["n_entities"] != args.entities
        or (end_us is not None and meta.get("end_us") != end_us)
    ):
        meta = make_events(data, args.events, args.entities, end_us=end_us)
    if work.exists():
        shutil.rmtree(work)
    project = work / "project"
    source = copy_project(project, args.project_from)
    spec_text = __import__("warehouse_ml.spec", fromlist=["spec_file_text"]).spec_file_text(
        SPEC_NAME, spec_body(args.entity_cap)
    )
    (project / "model_specs" / f"{SPEC_NAME}.sql").write_text(spec_text)
    profiles = work / "profiles"
    profiles.mkdir()
    shutil.copy(ROOT / "bench" / "profiles.yml", profiles / "profiles.yml")
    for empty in ("landing", "requests"):
        (work / empty).mkdir()
    db = work / "warehouse.duckdb"
    env = {
        **os.environ,
        "WML_TARGET": "duckdb",
        "WML_DUCKDB_PATH": str(db),
        "WML_EVENTS_DIR": str(data),
        "WML_LANDING_DIR": str(work / "landing"),
        "WML_REQUESTS_DIR": str(work / "requests"),
        "WML_BENCH_MEMORY_LIMIT": args.memory_limit,
        "DBT_LOG_PATH": str(work / "logs"),
        "OMP_WAIT_POLICY": "PASSIVE",
    }
    specs_var = f"{{model_specs: [{SPEC_NAME}]}}"
    result: dict = {
        "issue": "12 item 10 (and item 6: hourly vs daily scoring)",
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "project": source,
        "data": {k: v for k, v in meta.items() if k != "files"} | {"folder": str(data)},
        "spec": spec_body(args.entity_cap),
        "duckdb_memory_limit": args.memory_limit,
        "threads": 2,
        "target_seconds": TARGET_SECONDS,
        "errors": [],
    }

    def dbt(name: str, *extra: str, timeout: float | None = None) -> dict:
        target = work / f"target_{name}"
        cmd = [DBT, "run", "--profiles-dir", str(profiles), "--target-path", str(target), *extra]
        result.setdefault("waits", {})[name] = wait_for_low_load(args.max_load, args.max_wait)
        step = measured(cmd, project, env, timeout or args.timeout)
        step["models"] = (
            run_results(target)
            if (target / "run_results.json").exists()
            else models_from_log(step["stdout"])
        )
        if step["returncode"] != 0:
            result["errors"].append(f"{name}: {step['stdout'][-3000:]}\n{step['stderr'][-2000:]}")
        step["stdout_tail"] = step.pop("stdout")[-1500:]
        step["stderr_tail"] = step.pop("stderr")[-1500:]
        return step

    # 1. ingestion, points/labels, features.
    build = dbt("build", "-s", "+int_event_examples", "--vars", specs_var)
    steps = {
        step: round(sum(build["models"].get(m, {}).get("seconds") or 0 for m in models), 2)
        if all(build["models"].get(m, {}).get("status") == "success" for m in models)
        else f"> {round(sum(build['models'].get(m, {}).get('seconds') or 0 for m in models), 2)}"
        " (not finished)"
        for step, models in STEPS.items()
    }
    total = round(sum(m.get("seconds") or 0 for m in build["models"].values()), 2)
    result["build"] = build
    result["steps_s"] = steps
    result["models_total_s"] = total
    result["meets_target"] = build["returncode"] == 0 and build["wall_s"] <= TARGET_SECONDS
    # 2. warehouse checks.
    points_built = build["models"].get("int_event_points", {}).get("status") == "success"
    checks = warehouse_checks(db, args.entity_cap) if points_built else {}
    result["warehouse"] = {k: v for k, v in checks.items() if k != "feature_sums"}
    # 3. pandas/numpy peer.
    if not args.skip_peer:
        spec_file = work / "peer_spec.json"
        spec_file.write_text(json.dumps(peer_spec(args.entity_cap)))
        result.setdefault("waits", {})["peer"] = wait_for_low_load(args.max_load, args.max_wait)
        peer_run = measured(
            [PYTHON, str(HERE / "peer.py"), str(data), str(spec_file)], ROOT, env, args.timeout
        )
        peer = json.loads(peer_run["stdout"]) if peer_run["returncode"] == 0 else {}
        if peer_run["returncode"] != 0:
            result["errors"].append(f"peer: {peer_run['stderr'][-3000:]}")
        peer_run.pop("stdout")
        peer_run["stderr_tail"] = peer_run.pop("stderr")[-1500:]
        result["peer"] = peer_run | {
            "result": {k: v for k, v in peer.items() if k != "feature_sums"}
        }
        if checks.get("examples") is not None and peer:
            result["parity"] = parity(checks, peer)
    # 4. scoring: hourly vs daily at a fixed time (after the load, so the load is in the past).
    score_at = args.score_at or time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    end_s = meta["end_us"] // 1_000_000
    past = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(end_s - 3 * 3600))
    result["scoring"] = {}
    for scope, at, extra in SCORING_RUNS:
        if scope not in args.scoring_runs.split(","):
            continue
        at_value = past if at == "past" else score_at
        run = dbt(
            f"score_{scope}",
            "-s",
            "int_event_scoring_points",
            "--vars",
            f"{{model_specs: [{SPEC_NAME}], scoring_scope: {scope.split('_')[0]},"
            f" score_at: '{at_value}'{extra}}}",
            timeout=args.scoring_timeout,
        )
        rows = (
            query(db, "select count(*) from int_event_scoring_points")[0][0]
            if run["returncode"] == 0
            else None
        )
        run["rows_scored"] = rows
        run["score_at"] = at_value
        run["vars_extra"] = extra
        run["model_s"] = run["models"].get("int_event_scoring_points", {}).get("seconds")
        result["scoring"][scope] = run
    result["score_at"] = score_at

    if not args.no_results:
        out = work if args.smoke else RESULTS
        out.mkdir(parents=True, exist_ok=True)
        (out / "propensity_scale.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "propensity_scale.md").write_text(render(result))
    print(render(result))
    ok = not result["errors"] and result.get("parity", {}).get("ok", True)
    return 0 if ok else 1


def render(r: dict) -> str:
    m, d, b = r["machine"], r["data"], r["build"]
    w = r.get("warehouse", {})
    lines = [
        "# Event propensity at scale (bench/propensity_scale)",
        "",
        f"Generated {r['generated_at']} by `bench/propensity_scale/run.py`;"
        f" project {r['project']}.",
        f"Machine: {m['cores']} cores (shared with other jobs), {m['ram_gb']} GB RAM,"
        f" DuckDB {m['duckdb']},"
        f" dbt threads {r['threads']}, DuckDB memory_limit {r['duckdb_memory_limit']}.",
        f"Data: {d['n_events']:,} events, {d['n_entities']:,} entities, {d['weeks']} weeks,"
        f" {len(d['event_types'])} event types, Parquet"
        f" ({d['bytes'] / 1e6:.0f} MB).",
        "",
        "## Ingestion, points/labels and features (`dbt run -s +int_event_examples`)",
        "",
        f"Load before: `{b['uptime']}`",
        "",
        "| step | models | seconds |",
        "| --- | --- | ---: |",
    ]
    for step, models in STEPS.items():
        lines.append(f"| {step} | {' + '.join(models)} | {r['steps_s'][step]} |")
    lines += [
        f"| **sum of models** | | **{r['models_total_s']}** |",
        f"| dbt process wall (incl. parse/compile) | | {b['wall_s']} |",
        f"| dbt process CPU (user+sys) | | {b['cpu_s']} |",
        "",
        f"Target {r['target_seconds']} s: **{'met' if r['meets_target'] else 'MISSED'}**"
        f" (dbt wall {b['wall_s']} s). Peak RSS of the dbt process: {b['peak_rss_mb']:.0f} MB"
        f" (DuckDB memory_limit {r['duckdb_memory_limit']}).",
        "",
        "Per model:",
        "",
        "| model | seconds |",
        "| --- | ---: |",
    ]
    lines += [
        f"| {name} | {v['seconds'] if v['seconds'] is not None else 'killed at the timeout'} |"
        for name, v in b["models"].items()
    ]
    if b["timed_out"]:
        lines += ["", f"**The build was killed at the {b['timeout_s']} s timeout.**"]
    if w:
        honoured = "honoured" if w["entity_cap_honoured"] else "NOT honoured"
        lines += [
            "",
            "## Warehouse output",
            "",
            f"- staged events {w['staged_events']:,} (rejected {w['rejected_events']:,});"
            f" points {w['points']:,} for {w['point_entities']:,} entities;"
            f" labelled {w['labelled']:,}, positives {w['positives']:,};"
            f" examples {w['examples'] if w['examples'] is None else format(w['examples'], ',')}"
            f" x {w['feature_columns']} feature columns",
            f"- split counts: {w['split_counts']}",
            f"- entity cap {w['entity_cap']:,}: {w['entities_in_split']:,} entities with a"
            f" non-NULL split, {w['entities_in_cap']:,} in_entity_cap -> **{honoured}**",
            f"- top event types: {', '.join(w['top_event_types'])}",
        ]
    if "peer" in r:
        p = r["peer"]
        lines += [
            "",
            "## pandas/numpy peer (bench/propensity_scale/peer.py, same files, same run)",
            "",
            f"Load before: `{p['uptime']}`",
            "",
            "| | wall s | CPU s | peak RSS MB |",
            "| --- | ---: | ---: | ---: |",
            f"| dbt + DuckDB (`+int_event_examples`) | {b['wall_s']} | {b['cpu_s']} |"
            f" {b['peak_rss_mb']:.0f} |",
            f"| pandas/numpy peer | {p['wall_s']} | {p['cpu_s']} | {p['peak_rss_mb']:.0f} |",
            "",
            f"Peer steps (s): {p['result'].get('steps')}",
        ]
        if "parity" in r:
            par = r["parity"]
            lines += [
                "",
                f"Parity (row/label/split counts, top types, sum of every feature column): "
                f"**{'identical' if par['ok'] else str(par['n_differences']) + ' differences'}**",
            ]
            lines += [f"- {diff}" for diff in par["differences"][:15]]
    lines += [
        "",
        "## Scoring points: hourly vs daily (`dbt run -s int_event_scoring_points`)",
        "",
        f"Log: {d['start']} .. {d['end']}, loaded at the build; score_at 'now' = {r['score_at']}"
        " (after the load).",
        "",
        "| run | scoring_scope, score_at, extra vars | rows scored | model s | dbt wall s"
        " | peak RSS MB | load before |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for scope, s in r["scoring"].items():
        how = f"{scope.split('_')[0]}, {s['score_at']}{s['vars_extra']}"
        lines.append(
            f"| {scope} | {how} | {s['rows_scored']:,} | {s['model_s']} | {s['wall_s']} |"
            f" {s['peak_rss_mb']:.0f} | `{s['uptime'].split('load average: ')[-1]}` |"
            if s["rows_scored"] is not None
            else f"| {scope} | {how} | failed | | {s['wall_s']} | | |"
        )
    if r["errors"]:
        lines += ["", "## Errors", ""] + [f"```\n{e[-1500:]}\n```" for e in r["errors"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
