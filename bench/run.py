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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warehouse_ml.generator import EVENT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))

# The warehouse stages: (name, dbt --select, extra --exclude, vars, what rows/s counts).
INGESTION = ("ingestion", "tag:ingestion tag:staging", "", {}, "events")
FEATURES = (
    "feature_sql",
    "+int_conversions_features fit_feature_columns",
    "tag:ingestion tag:staging",
    {},
    "events",
)
TRAIN_1 = ("train_1_trial", "ml_models", "", {"hpo_trials": 1}, "events")
REQUEST_FEATURES = (
    "request_features",
    "ml_serving_models int_requests_assigned int_requests_features int_serving_offer_classes",
    "",
    {},
    "requests",
)
SCORE_PY = ("score_python", "offer_scores_xgboost", "", {}, "requests")
SCORE_SQL = ("score_sql", "offer_scores_sql", "", {}, "requests")

TARGET_E2E_SECONDS = 600
PART_EVENTS = 5_000_000
MET = {True: "yes", False: "**no**", None: "not measured"}


@dataclass
class Settings:
    """What one invocation of the harness runs."""

    sizes: list[int]
    sql_only_sizes: list[int]
    repeats: list[int]
    hpo_trials: int
    hpo_max_events: int
    train_repeats: int
    requests_ratio: float
    work: Path
    results: Path | None
    memory_limit: str
    capped_memory_limit: str
    scoring_rows: int
    scoring_grid: list[tuple[int, int]]
    scoring_repeats: int
    dbt_vars: dict[str, Any] = field(default_factory=dict)
    smoke: bool = False
    stage_timeout: float = 3600.0
    sql_only_tests: bool = False
    name: str = "benchmark"
    train_max_events: int = 10**12
    peer_hpo: bool = False
    render: Path | None = None

    def repeats_for(self, n_events: int) -> int:
        """``--repeats`` is one number for every size, or one per size in ``--sizes``."""
        if len(self.repeats) == 1:
            return self.repeats[0]
        return self.repeats[self.sizes.index(n_events)]


# ----------------------------------------------------------------------------- measuring


def measure(
    cmd: list[str], log: Path, env: dict[str, str] | None = None, timeout: float = 3600.0
) -> dict[str, Any]:
    """Run ``cmd`` as a child process; return wall/CPU seconds, peak RSS and the exit code.

    The child gets its own session so a timeout can kill dbt and anything it started.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        out.write("$ " + " ".join(cmd) + "\n")
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, signal.SIGKILL))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,  # Linux reports kilobytes
        "returncode": proc.returncode,
        "log": str(log.relative_to(ROOT)) if log.is_relative_to(ROOT) else str(log),
    }


def tail(path: str | Path, lines: int = 25) -> str:
    text = (ROOT / path).read_text(errors="replace").splitlines()
    return "\n".join(text[-lines:])


def summarize(samples: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    """Median and spread (min..max) of repeated measurements of one stage."""
    walls = [s["wall_s"] for s in samples]
    rss = [s["peak_rss_mb"] for s in samples]
    cpu = [s["cpu_s"] for s in samples]
    median = statistics.median(walls)
    return {
        "n": len(samples),
        "rows": rows,
        "wall_s_median": median,
        "wall_s_min": min(walls),
        "wall_s_max": max(walls),
        "cpu_s_median": statistics.median(cpu),
        "rows_per_s": rows / median if median > 0 else None,
        "peak_rss_mb_median": statistics.median(rss),
        "peak_rss_mb_max": max(rss),
        "samples": samples,
    }


# ----------------------------------------------------------------------------- data


def generate(n_events: int, n_requests: int, settings: Settings) -> Path:
    """Generate (or reuse) a sample with the project's generator; return its folder."""
    out = settings.work / "data" / f"e{n_events}_r{n_requests}"
    meta = out / "sample_meta.json"
    if meta.exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    print(f"[bench] generating {n_events:,} events, {n_requests:,} requests in {out}", flush=True)
    cmd = [PYTHON, "-m", "warehouse_ml.generator", "--out", str(out)]
    cmd += ["--events", str(n_events), "--requests", str(n_requests), "--seed", "13"]
    m = measure(cmd, settings.work / "logs" / f"generate_e{n_events}.log")
    if m["returncode"]:
        raise SystemExit(f"generator failed:\n{tail(m['log'])}")
    return out


# ----------------------------------------------------------------------------- warehouse


class Warehouse:
    """One DuckDB file built stage by stage with real ``dbt build`` runs."""

    def __init__(
        self, data: Path, db: Path, settings: Settings, tag: str, memory_limit: str = ""
    ) -> None:
        self.data, self.db, self.settings, self.tag = data, db, settings, tag
        tmp = settings.work / "duckdb_tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "WML_DUCKDB_PATH": str(db),
            "WML_LANDING_DIR": str(data / "landing"),
            "WML_REQUESTS_DIR": str(data / "requests"),
            "WML_BENCH_MEMORY_LIMIT": memory_limit or settings.memory_limit,
            "WML_BENCH_TEMP_DIR": str(tmp),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }

    def reset(self) -> None:
        self.db.parent.mkdir(parents=True, exist_ok=True)
        for path in (self.db, self.db.with_name(self.db.name + ".wal")):
            path.unlink(missing_ok=True)
        shutil.rmtree(self.db.with_name(self.db.name + ".tmp"), ignore_errors=True)

    def build(
        self, stage: tuple, extra_vars: dict[str, Any] | None = None, models_only: bool = False
    ) -> dict[str, Any]:
        name, select, exclude, stage_vars, _ = stage
        if models_only:
            exclude += " test_type:data"
        run_dir = self.settings.work / "dbt" / self.tag / name
        dbt_vars = {**self.settings.dbt_vars, **stage_vars, **(extra_vars or {})}
        cmd = [DBT, "build", "--select", *select.split()]
        cmd += ["--exclude", "test_type:unit", *exclude.split()]
        cmd += ["--indirect-selection", "cautious", "--vars", json.dumps(dbt_vars)]
        cmd += ["--profiles-dir", str(BENCH), "--target-path", str(run_dir / "target")]
        cmd += ["--log-path", str(run_dir / "logs")]
        m = measure(cmd, run_dir / "build.log", self.env, self.settings.stage_timeout)
        m["nodes"] = node_timings(run_dir / "target" / "run_results.json")
        if m["returncode"]:
            raise RuntimeError(f"dbt build of stage {name} failed:\n{tail(m['log'])}")
        return m

    def query(self, sql: str) -> list[tuple]:
        import duckdb

        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.execute(sql).fetchall()


def node_timings(run_results: Path) -> dict[str, Any]:
    """Seconds spent in models vs tests, and the slowest nodes, from dbt's run_results.json."""
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text())["results"]
    kinds: dict[str, float] = {}
    for r in results:
        kind = r["unique_id"].split(".")[0]
        kinds[kind] = kinds.get(kind, 0.0) + float(r["execution_time"])
    slowest = sorted(results, key=lambda r: -float(r["execution_time"]))[:6]
    return {
        "seconds_by_kind": {k: round(v, 2) for k, v in kinds.items()},
        "failed": [r["unique_id"] for r in results if r["status"] in ("error", "fail")],
        "slowest": [
            [r["unique_id"].split(".", 2)[-1], round(float(r["execution_time"]), 2)]
            for r in slowest
        ],
    }


def load_staging_directly(wh: Warehouse, n_events: int) -> dict[str, Any]:
    """Fill ``stg_landing__conversions`` straight from the JSON files (bench-only shortcut).

    Used for the SQL-only sizes: the dbt ingestion at 20-50M events takes longer
    than the run's time budget (see README), so the feature SQL is measured on a
    staging table loaded by DuckDB's JSON reader with the staging model's typing
    (trim, empty text = NULL, lower-case ids, finite numbers). ``record`` is
    left NULL: no feature model reads it.
    """
    fields = EVENT_COLUMNS
    columns = "{" + ", ".join(f"'{f}': 'varchar'" for f in fields) + "}"

    def text(f: str) -> str:
        return f"nullif(trim(\"{f}\"), '')"

    def number(f: str) -> str:
        cast = f"try_cast({text(f)} as double)"
        return f"case when isfinite({cast}) then {cast} end"

    sql = f"""
        create or replace table stg_landing__conversions as
        select
            lower({text("id")}) as event_id,
            lower({text("campaign")}) as campaign_id,
            lower({text("offer")}) as offer_id,
            filename as source_file,
            'json' as file_format,
            cast(null as varchar) as record,
            {text("country")} as country, {text("city")} as city, {text("isp")} as isp,
            {text("network")} as network, {text("dOs")} as dos, {text("dType")} as dtype,
            {text("dOsVersion")} as dos_version, {text("dBrowser")} as dbrowser,
            {text("dBrowserVersion")} as dbrowser_version,
            {number("lat")} as lat, {number("long")} as long,
            cast(null as varchar) as reject_reason,
            current_timestamp as ingested_at
        from read_json('{wh.data / "landing"}/*.json', format = 'newline_delimited',
                       columns = {columns}, filename = true)
    """
    script = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        'con.execute("set memory_limit = \'" + sys.argv[2] + "\'")\n'
        'con.execute("set temp_directory = \'" + sys.argv[3] + "\'")\n'
        "con.execute(sys.stdin.read())\n"
        "print(con.execute('select count(*) from stg_landing__conversions').fetchone()[0])\n"
    )
    log = wh.settings.work / "dbt" / wh.tag / "load_staging" / "load.log"
    sql_file = log.with_suffix(".sql")
    log.parent.mkdir(parents=True, exist_ok=True)
    sql_file.write_text(sql)
    cmd = [
        PYTHON,
        "-c",
        f"import sys; sys.stdin = open({str(sql_file)!r}); exec({script!r})",
        str(wh.db),
        wh.settings.memory_limit,
        wh.env["WML_BENCH_TEMP_DIR"],
    ]
    m = measure(cmd, log, wh.env, wh.settings.stage_timeout)
    if m["returncode"]:
        raise RuntimeError(f"loading the staging table failed:\n{tail(m['log'])}")
    return m


# ----------------------------------------------------------------------------- peers


def pandas_peer(
    data: Path, settings: Settings, tag: str, train: bool, hpo: bool = True
) -> dict[str, Any]:
    """Run bench/peers/pandas_pipeline.py once; phases and counts come from its last line."""
    cmd = [PYTHON, str(BENCH / "peers" / "pandas_pipeline.py"), "--landing", str(data / "landing")]
    dv = settings.dbt_vars
    cmd += ["--num-boost-round", str(dv.get("num_boost_round", 300))]
    cmd += ["--early-stopping-rounds", str(dv.get("early_stopping_rounds", 20))]
    if train:
        cmd += ["--trials", "1", *([str(settings.hpo_trials)] if hpo else [])]
    else:
        cmd += ["--no-train"]
    log = settings.work / "peers" / tag / ("pandas_train.log" if train else "pandas_features.log")
    m = measure(cmd, log, dict(os.environ), settings.stage_timeout)
    if m["returncode"]:
        raise RuntimeError(f"pandas peer failed:\n{tail(m['log'])}")
    last = (ROOT / m["log"]).read_text().strip().splitlines()[-1]
    m["report"] = json.loads(last)
    return m


def scoring_peer(settings: Settings, landing: Path, tag: str) -> dict[str, Any]:
    """XGBoost inplace_predict vs the compiled SQL in DuckDB over a grid of model sizes."""
    out = settings.work / "scoring" / tag
    out.mkdir(parents=True, exist_ok=True)
    script = str(BENCH / "peers" / "scoring.py")
    prep = [PYTHON, script, "prepare", "--landing", str(landing), "--work", str(out)]
    prep += ["--rows", str(settings.scoring_rows)]
    prep += ["--grid", *[f"{r}x{d}" for r, d in settings.scoring_grid]]
    m = measure(prep, out / "prepare.log", dict(os.environ), settings.stage_timeout)
    if m["returncode"]:
        raise RuntimeError(f"scoring peer (prepare) failed:\n{tail(m['log'])}")
    info = json.loads((ROOT / m["log"]).read_text().strip().splitlines()[-1])
    points = []
    for rounds, depth in settings.scoring_grid:
        point: dict[str, Any] = {"rounds": rounds, "max_depth": depth}
        engines = ["xgboost", "xgboost_long", "sql"]
        # The wide-input run only splits pivot from tree cost: once, at the target point.
        engines += ["sql_wide"] if (rounds, depth) == (100, 6) else []
        for engine in engines:
            cmd = [PYTHON, script, "score", "--work", str(out), "--engine", engine]
            cmd += ["--model", f"{rounds}x{depth}", "--repeats", str(settings.scoring_repeats)]
            log = out / f"score_{engine}_{rounds}x{depth}.log"
            r = measure(cmd, log, dict(os.environ), settings.stage_timeout)
            if r["returncode"]:
                raise RuntimeError(f"scoring peer ({engine}) failed:\n{tail(r['log'])}")
            r["report"] = json.loads((ROOT / r["log"]).read_text().strip().splitlines()[-1])
            point[engine] = r
            print(f"[bench]   scoring {rounds}x{depth} {engine}: {r['report']}", flush=True)
        points.append(point)
    return {"prepare": info, "points": points}


# ----------------------------------------------------------------------------- the run


def run_full_size(n_events: int, settings: Settings, results: dict[str, Any]) -> None:
    n_requests = max(1000, int(n_events * settings.requests_ratio))
    data = generate(n_events, n_requests, settings)
    key = f"{n_events}"
    entry: dict[str, Any] = {"events": n_events, "requests": n_requests, "kind": "full"}
    results["sizes"][key] = entry
    stages: dict[str, list[dict[str, Any]]] = {}
    peers: dict[str, list[dict[str, Any]]] = {"pandas_features": [], "pandas_train": []}
    parity: dict[str, Any] = {}
    hpo = ("train_hpo", "ml_models", "", {"hpo_trials": settings.hpo_trials}, "events")
    for rep in range(settings.repeats_for(n_events)):
        tag = f"e{n_events}_rep{rep}"
        wh = Warehouse(data, settings.work / "db" / f"e{n_events}.duckdb", settings, tag)
        wh.reset()
        plan = [INGESTION, FEATURES]
        trains = rep < settings.train_repeats and n_events <= settings.train_max_events
        if trains:
            # The smoke run skips the 1-trial build: the HPO build runs the same code.
            plan += [] if settings.smoke else [TRAIN_1]
            plan += [hpo] if n_events <= settings.hpo_max_events else []
            plan += [REQUEST_FEATURES, SCORE_PY, SCORE_SQL]
        for stage in plan:
            print(f"[bench] {n_events:,} events, repeat {rep + 1}: {stage[0]}", flush=True)
            try:
                m = wh.build(stage)
            except RuntimeError as exc:  # recorded; later stages may still run
                entry.setdefault("errors", []).append(f"repeat {rep + 1}: {str(exc)[-2000:]}")
                print(f"[bench]   FAILED: {str(exc)[-400:]}", flush=True)
                continue
            stages.setdefault(stage[0], []).append(m)
            print(f"[bench]   {fmt_sample(m)}", flush=True)
        if rep == 0 and trains and ("train_1_trial" in stages or "train_hpo" in stages):
            parity["warehouse"] = warehouse_counts(wh)
        print(f"[bench] {n_events:,} events, repeat {rep + 1}: pandas peer", flush=True)
        p = pandas_peer(data, settings, tag, train=False)
        peers["pandas_features"].append(p)
        print(f"[bench]   {fmt_sample(p)} {p['report']['phases']}", flush=True)
        if trains:
            hpo_too = settings.peer_hpo and n_events <= settings.hpo_max_events
            p = pandas_peer(data, settings, tag, train=True, hpo=hpo_too)
            peers["pandas_train"].append(p)
            print(f"[bench]   {fmt_sample(p)} {p['report']['phases']}", flush=True)
        if rep == 0:
            source = peers["pandas_train"] or peers["pandas_features"]
            parity["pandas"] = source[0]["report"]["campaigns"]
        save(results, settings)
        wh.reset()
    if settings.capped_memory_limit:
        capped_ingestion_and_features(data, n_events, settings, stages, entry)
    rows = {"events": n_events, "requests": n_requests}
    entry["stages"] = {
        name: summarize(samples, rows[stage_rows(name)]) for name, samples in stages.items()
    }
    entry["peers"] = {}
    for name, samples in peers.items():
        if samples:
            entry["peers"][name] = summarize(samples, n_events)
            entry["peers"][name]["phases_median"] = {
                phase: statistics.median(s["report"]["phases"][phase] for s in samples)
                for phase in samples[0]["report"]["phases"]
            }
    entry["parity"] = parity
    save(results, settings)


def capped_ingestion_and_features(
    data: Path, n_events: int, settings: Settings, stages: dict[str, list], entry: dict
) -> None:
    """Ingestion + feature SQL once more with DuckDB's buffer pool capped at
    ``--capped-memory-limit``: what the memory target costs in time."""
    cap = settings.capped_memory_limit
    db = settings.work / "db" / f"e{n_events}.duckdb"
    wh = Warehouse(data, db, settings, f"e{n_events}_capped", memory_limit=cap)
    wh.reset()
    for stage in (INGESTION, FEATURES):
        name = f"{stage[0]}@{cap}"
        print(f"[bench] {n_events:,} events: {name}", flush=True)
        try:
            m = wh.build(stage)
        except RuntimeError as exc:
            entry.setdefault("errors", []).append(f"{name}: {str(exc)[-2000:]}")
            print(f"[bench]   FAILED: {str(exc)[-400:]}", flush=True)
            break
        stages.setdefault(name, []).append(m)
        print(f"[bench]   {fmt_sample(m)}", flush=True)
    wh.reset()


def stage_rows(name: str) -> str:
    stage = {s[0]: s for s in (INGESTION, FEATURES, TRAIN_1, REQUEST_FEATURES, SCORE_PY, SCORE_SQL)}
    return stage[name][4] if name in stage else "events"


def warehouse_counts(wh: Warehouse) -> dict[str, Any]:
    """Per-campaign row counts and test Hamming loss of the newest models (for the parity check)."""
    rows = wh.query(
        """
        select campaign_id, n_train_rows, n_validation_rows, n_test_rows,
               json_array_length(feature_kinds), hyperparameters, metrics
        from ml_models
        where invocation_id = (select invocation_id from ml_models order by trained_at desc limit 1)
        order by campaign_id
        """
    )
    out = {}
    for cid, n_train, n_valid, n_test, n_features, _, metrics in rows:
        test = json.loads(metrics)["test"] if metrics else {}
        out[cid] = {
            "n_features": n_features,
            "n_train_rows": n_train,
            "n_validation_rows": n_valid,
            "n_test_rows": n_test,
            "test_hamming_loss": test.get("hamming_loss"),
        }
    return out


def expanded(n_events: int, settings: Settings) -> Path:
    """A landing folder of ``n_events`` events for the SQL-only sizes, built from copies.

    The generator holds a whole sample in memory (about 2 GB per 5M events), so
    50M events would not fit beside the benchmark. Instead a base sample of
    ``PART`` events is generated once and written again with new event ids
    (``md5(part || ':' || id)`` shaped as a UUID, deterministic), one file per
    part; folders of different sizes share the part files through symlinks.
    The campaigns, offers and category frequencies are those of the base sample.
    """
    part = min(n_events, PART_EVENTS)
    if n_events % part:
        raise SystemExit(f"SQL-only sizes must be multiples of {part:,}")
    base = generate(part, 1000, settings)
    parts_dir = settings.work / "data" / f"parts_of_e{part}"
    parts_dir.mkdir(parents=True, exist_ok=True)
    out = settings.work / "data" / f"e{n_events}_expanded"
    (out / "landing").mkdir(parents=True, exist_ok=True)
    if not (out / "requests").exists():
        (out / "requests").symlink_to(base / "requests")
    for k in range(n_events // part):
        path = parts_dir / f"conversions_part{k:03d}.json"
        if not path.exists():
            print(f"[bench] writing {path.name} ({part:,} events)", flush=True)
            write_part(base / "landing" / "conversions.json", path, k, settings)
        link = out / "landing" / path.name
        if not link.exists():
            link.symlink_to(path)
    return out


def write_part(source: Path, target: Path, k: int, settings: Settings) -> None:
    fields = ["id", "campaign", "offer", "country", "city", "long", "lat", "isp", "network"]
    fields += ["dOs", "dType", "dOsVersion", "dBrowser", "dBrowserVersion"]
    columns = "{" + ", ".join(f"'{f}': 'varchar'" for f in fields) + "}"
    new_id = (
        f"regexp_replace(md5('{k}:' || id), "
        "'^(.{8})(.{4})(.{4})(.{4})(.{12})$', '\\1-\\2-\\3-\\4-\\5')"
    )
    select = ", ".join([f"{new_id} as id", *[f'"{f}"' for f in fields[1:]]])
    sql = (
        f"copy (select {select} from read_json('{source}', format = 'newline_delimited', "
        f"columns = {columns})) to '{target}.tmp' (format json)"
    )
    script = "import duckdb, sys; duckdb.connect().execute(sys.argv[1])"
    m = measure([PYTHON, "-c", script, sql], settings.work / "logs" / f"{target.name}.log")
    if m["returncode"]:
        raise SystemExit(f"writing {target} failed:\n{tail(m['log'])}")
    Path(f"{target}.tmp").rename(target)


def run_sql_only_size(n_events: int, settings: Settings, results: dict[str, Any]) -> None:
    data = expanded(n_events, settings)
    tag = f"e{n_events}_sql"
    wh = Warehouse(data, settings.work / "db" / f"e{n_events}.duckdb", settings, tag)
    wh.reset()
    entry: dict[str, Any] = {"events": n_events, "requests": 1000, "kind": "sql_only"}
    results["sizes"][f"{n_events}"] = entry
    try:
        print(f"[bench] {n_events:,} events: loading staging directly", flush=True)
        load = load_staging_directly(wh, n_events)
        print(f"[bench]   {fmt_sample(load)}", flush=True)
        entry["load_staging"] = summarize([load], n_events)
        print(f"[bench] {n_events:,} events: feature SQL", flush=True)
        try:
            m = wh.build(FEATURES, models_only=not settings.sql_only_tests)
            entry["data_tests"] = settings.sql_only_tests
            entry["stages"] = {"feature_sql": summarize([m], n_events)}
            print(f"[bench]   {fmt_sample(m)}", flush=True)
        except RuntimeError as exc:
            entry["error"] = str(exc)[-3000:]
            print(f"[bench]   FAILED: {str(exc)[-600:]}", flush=True)
        entry["db_size_mb"] = wh.db.stat().st_size / 2**20 if wh.db.exists() else None
    finally:
        wh.reset()
        shutil.rmtree(settings.work / "duckdb_tmp", ignore_errors=True)
        save(results, settings)


def fmt_sample(m: dict[str, Any]) -> str:
    return f"wall {m['wall_s']:.1f}s, cpu {m['cpu_s']:.1f}s, peak RSS {m['peak_rss_mb']:.0f} MB"


def save(results: dict[str, Any], settings: Settings) -> None:
    results["targets"] = targets(results, settings)
    out = settings.results or settings.work / "smoke_results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{settings.name}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / f"{settings.name}.md").write_text(markdown(results))


# ----------------------------------------------------------------------------- targets


def _get(d: dict[str, Any], *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def targets(results: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """Each target as a ratio measured in this run, with met / missed."""
    out: list[dict[str, Any]] = []
    for key, entry in results["sizes"].items():
        if entry.get("kind") != "full" or "stages" not in entry:
            continue
        st, pe = entry["stages"], entry.get("peers", {})
        pandas = pe.get("pandas_features")
        if pandas and "feature_sql" in st:
            sql_wall = st["feature_sql"]["wall_s_median"]
            both_wall = sql_wall + st["ingestion"]["wall_s_median"]
            pandas_wall = pandas["wall_s_median"]
            pandas_feat = pandas["phases_median"]["features"]
            peak_sql = st["feature_sql"]["peak_rss_mb_median"]
            peak_both = max(peak_sql, st["ingestion"]["peak_rss_mb_median"])
            pandas_peak = pandas["peak_rss_mb_median"]
            out.append(
                {
                    "target": "feature SQL >= 5x the pandas script's rows/s",
                    "size": int(key),
                    "measured": {
                        "ingestion+feature SQL speed vs pandas read+features (x)": pandas_wall
                        / both_wall,
                        "feature SQL alone vs pandas features phase (x)": pandas_feat / sql_wall,
                        "same on CPU seconds: pandas / (ingestion + feature SQL) (x)": pandas[
                            "cpu_s_median"
                        ]
                        / (st["ingestion"]["cpu_s_median"] + st["feature_sql"]["cpu_s_median"]),
                    },
                    "met": pandas_wall / both_wall >= 5,
                }
            )
            memory: dict[str, Any] = {
                f"max(ingestion, feature SQL) peak / pandas peak, memory_limit "
                f"{settings.memory_limit}": peak_both / pandas_peak,
                "feature SQL peak / pandas peak": peak_sql / pandas_peak,
            }
            met_memory = peak_both / pandas_peak <= 1 / 3
            cap = settings.capped_memory_limit
            capped = [st.get(f"{name}@{cap}") for name in ("ingestion", "feature_sql")]
            if cap and all(capped):
                capped_peak = max(c["peak_rss_mb_median"] for c in capped)
                capped_wall = sum(c["wall_s_median"] for c in capped)
                memory[f"same at memory_limit {cap}"] = capped_peak / pandas_peak
                memory[f"its ingestion + feature SQL wall time vs {settings.memory_limit} (x)"] = (
                    capped_wall / both_wall
                )
                memory["its speed vs pandas read + features (x)"] = pandas_wall / capped_wall
                met_memory = met_memory or capped_peak / pandas_peak <= 1 / 3
            out.append(
                {
                    "target": "feature SQL peak memory <= 1/3 of the pandas script's",
                    "size": int(key),
                    "measured": memory,
                    "met": met_memory,
                }
            )
        base = [st.get(s) for s in ("ingestion", "feature_sql", "request_features", "score_python")]
        if all(base):
            rest = sum(s["wall_s_median"] for s in base)
            target = f"end to end incl. {settings.hpo_trials} HPO trials in 10 minutes"
            if "train_hpo" in st:
                total = rest + st["train_hpo"]["wall_s_median"]
                measured = {
                    "seconds (sum of stage medians)": total,
                    "of which train_hpo": st["train_hpo"]["wall_s_median"],
                }
                met: bool | None = total <= TARGET_E2E_SECONDS
            else:
                one = st["train_1_trial"]["wall_s_median"]
                measured = {
                    "seconds without training (measured)": rest,
                    "lower bound with train_1_trial (measured)": rest + one,
                    f"estimate with {settings.hpo_trials} x train_1_trial": rest
                    + settings.hpo_trials * one,
                }
                # Missed for certain when even one trial does not fit; else unknown.
                met = False if rest + one > TARGET_E2E_SECONDS else None
            out.append({"target": target, "size": int(key), "measured": measured, "met": met})
        elif "ingestion" in st and "feature_sql" in st:
            out.append(e2e_scaled(results, settings, int(key), st))
    scoring = results.get("scoring")
    if scoring:
        for p in scoring["points"]:
            if (p["rounds"], p["max_depth"]) == (100, 6):
                ratio = p["sql"]["report"]["rows_per_s"] / p["xgboost"]["report"]["rows_per_s"]
                out.append(
                    {
                        "target": "SQL scoring >= 0.5x inplace_predict rows/s (100x6)",
                        "size": scoring["prepare"]["rows"],
                        "measured": {"SQL / inplace_predict rows/s": ratio},
                        "met": ratio >= 0.5,
                    }
                )
    for key, entry in results["sizes"].items():
        if entry.get("kind") == "sql_only":
            ok = "stages" in entry and "error" not in entry
            out.append(
                {
                    "target": "feature SQL completes without running out of memory",
                    "size": int(key),
                    "measured": {
                        "peak RSS MB": _get(entry, "stages", "feature_sql", "peak_rss_mb_median"),
                        "seconds": _get(entry, "stages", "feature_sql", "wall_s_median"),
                        "memory_limit": settings.memory_limit,
                    },
                    "met": ok,
                }
            )
    return out


def e2e_scaled(
    results: dict[str, Any], settings: Settings, n_events: int, st: dict[str, Any]
) -> dict[str, Any]:
    """End to end at a size that ran ingestion + feature SQL only: those are measured,
    training and scoring are scaled linearly from the largest size that ran them."""
    measured_part = st["ingestion"]["wall_s_median"] + st["feature_sql"]["wall_s_median"]
    measured: dict[str, Any] = {"ingestion + feature SQL (measured)": measured_part}
    trained = [
        (int(k), e["stages"])
        for k, e in results["sizes"].items()
        if e.get("kind") == "full" and "train_1_trial" in e.get("stages", {})
    ]
    if trained:
        size, other = max(trained)
        train = (
            other["train_hpo"]["wall_s_median"]
            if "train_hpo" in other
            else settings.hpo_trials * other["train_1_trial"]["wall_s_median"]
        )
        rest = train + sum(
            other[s]["wall_s_median"] for s in ("request_features", "score_python") if s in other
        )
        measured[f"+ training and scoring scaled from {size:,} events (estimate)"] = (
            measured_part + rest * n_events / size
        )
    return {
        "target": f"end to end incl. {settings.hpo_trials} HPO trials in 10 minutes",
        "size": n_events,
        "measured": measured,
        "met": False if measured_part > TARGET_E2E_SECONDS else None,
    }


# ----------------------------------------------------------------------------- markdown


def _n(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "-"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.{digits}f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f}k"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}f}"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# warehouse_ml benchmark",
        "",
        f"Run {results['started_at']} on {results['machine']['cores']} cores, "
        f"{results['machine']['memory_gb']:.0f} GB; command `{results['command']}`.",
        "Medians over repeats, spread as min-max wall seconds. Peak RSS: `ru_maxrss` of the",
        "stage's child process (see bench/README.md). Rows/s counts input events (requests for",
        "the scoring stages).",
        "",
        *([f"Note: {results['note']}", ""] if results.get("note") else []),
        "## Stages",
        "",
        "| size | stage | n | wall s (median) | spread s | CPU s | rows/s | peak RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, entry in results["sizes"].items():
        items = list((entry.get("stages") or {}).items())
        if "load_staging" in entry:
            items.insert(0, ("(bench loader: staging table)", entry["load_staging"]))
        items += [(f"peer: {k}", v) for k, v in (entry.get("peers") or {}).items()]
        for name, s in items:
            lines.append(
                f"| {int(key):,} | {name} | {s['n']} | {s['wall_s_median']:.1f} | "
                f"{s['wall_s_min']:.1f}-{s['wall_s_max']:.1f} | {s['cpu_s_median']:.1f} | "
                f"{_n(s['rows_per_s'])} | {s['peak_rss_mb_median']:.0f} |"
            )
        if "error" in entry:
            lines.append(f"| {int(key):,} | feature_sql | FAILED | see benchmark.json | | | | |")
    lines += ["", "## pandas peer phases (median seconds)", ""]
    for key, entry in results["sizes"].items():
        for name, s in (entry.get("peers") or {}).items():
            phases = ", ".join(f"{k} {v:.1f}" for k, v in s.get("phases_median", {}).items())
            lines.append(f"- {int(key):,} events, {name}: {phases}")
    scoring = results.get("scoring")
    if scoring:
        prep = scoring["prepare"]
        lines += [
            "",
            "## Scoring: XGBoost inplace_predict vs compiled SQL in DuckDB "
            f"({prep['rows']:,} rows, {prep['n_features']} features, {prep['n_classes']} classes)",
            "",
            "| rounds x depth | trees | SQL chars | inplace_predict rows/s "
            "| SQL rows/s (long input) | SQL/xgb | SQL rows/s (wide input) "
            "| xgb rows/s (long input) | RSS MB xgb / SQL |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for p in scoring["points"]:
            x, s = p["xgboost"]["report"], p["sql"]["report"]
            w = p["sql_wide"]["report"] if "sql_wide" in p else {"rows_per_s": None}
            xl = p["xgboost_long"]["report"]
            lines.append(
                f"| {p['rounds']} x {p['max_depth']} | {s['n_trees']} | {_n(s['sql_chars'], 0)} | "
                f"{_n(x['rows_per_s'])} | {_n(s['rows_per_s'])} | "
                f"{s['rows_per_s'] / x['rows_per_s']:.2f} | {_n(w['rows_per_s'])} | "
                f"{_n(xl['rows_per_s'])} | "
                f"{p['xgboost']['peak_rss_mb']:.0f} / {p['sql']['peak_rss_mb']:.0f} |"
            )
    lines += ["", "## Targets", "", "| target | size | measured | met |"]
    lines += ["| --- | --- | --- | --- |"]
    for t in results.get("targets", []):
        measured = "; ".join(
            f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}"
            for k, v in t["measured"].items()
        )
        lines.append(f"| {t['target']} | {t['size']:,} | {measured} | {MET[t['met']]} |")
    lines.append("")
    notes = BENCH / "results" / "NOTES.md"
    if results.get("official") and notes.exists():
        lines += ["See bench/results/NOTES.md for causes of missed targets.", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main


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


def smoke_checks(results: dict[str, Any]) -> int:
    """The smoke run fails when the peer and the warehouse stop doing the same work."""
    problems = []
    for key, entry in results["sizes"].items():
        problems += [f"{key}: {e[-300:]}" for e in entry.get("errors", [])]
        problems += [f"{key}: {entry['error'][-300:]}"] if "error" in entry else []
        if entry.get("kind") != "full":
            continue
        parity = entry.get("parity") or {}
        if "warehouse" not in parity or "pandas" not in parity:
            problems.append(f"{key}: no parity check (a training stage or the peer failed)")
            continue
        wh, pd_ = parity["warehouse"], parity["pandas"]
        if sorted(wh) != sorted(pd_):
            problems.append(f"campaigns differ: {sorted(wh)} vs {sorted(pd_)}")
            continue
        for cid in wh:
            for k in ("n_features", "n_train_rows", "n_validation_rows", "n_test_rows"):
                if wh[cid][k] != pd_[cid][k]:
                    problems.append(f"{cid} {k}: warehouse {wh[cid][k]} vs pandas {pd_[cid][k]}")
    for p in problems:
        print(f"[bench] smoke: {p}", file=sys.stderr)
    return 1 if problems else 0


def versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("dbt-core", "dbt-duckdb", "duckdb", "xgboost", "pandas", "pyarrow", "numpy")
    return {p: version(p) for p in names}


if __name__ == "__main__":
    raise SystemExit(main())
