"""Node-table SQL scorer vs nested-CASE SQL vs xgboost ``inplace_predict`` on DuckDB.

Standalone: generated data (fixed seed), boosters trained here, every timing in this
process (DuckDB in-process).  Writes ``<out>.json`` (every sample) and ``<out>.md``.

    .venv/bin/python bench/node_scorer.py                        # 50k rows, 100x6 300x6 1000x8
    .venv/bin/python bench/node_scorer.py --rows 2000 --grid 5x3 --repeats 1   # smoke
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import xgboost as xgb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from warehouse_ml.sql_compiler import compile_booster_sql  # noqa: E402
from warehouse_ml.sql_node_scorer import booster_node_table  # noqa: E402


def main() -> None:
    args = _parse_args()
    load_start = os.getloadavg()
    started = time.time()
    rng = np.random.default_rng(args.seed)
    X_train, y_train = _data(rng, args.train_rows, args.features, args.classes)
    X, _ = _data(rng, args.rows, args.features, args.classes)
    con = duckdb.connect()
    con.execute(f"set threads={args.threads}")
    con.register("feats_arrow", _long(X))
    con.execute("create table feats as select * from feats_arrow")
    kinds = ["numeric"] * args.features
    results = []
    for spec in args.grid:
        rounds, depth = (int(v) for v in spec.split("x"))
        print(f"== {rounds} rounds x depth {depth}", flush=True)
        results.append(_bench_model(args, con, X, X_train, y_train, kinds, rounds, depth))
        _write(args, load_start, started, results)
    print(f"wrote {args.out}.json and .md")


def _parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=50_000, help="requests scored")
    p.add_argument("--train-rows", type=int, default=20_000, help="rows the boosters train on")
    p.add_argument("--features", type=int, default=20)
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--grid", nargs="+", default=["100x6", "300x6", "1000x8"], help="ROUNDSxDEPTH")
    p.add_argument("--repeats", type=int, default=3, help="timed runs per method (median)")
    p.add_argument(
        "--repeat-below", type=float, default=120.0, help="repeat a method only if one run took"
    )
    p.add_argument("--threads", type=int, default=2, help="DuckDB threads and predict nthread")
    p.add_argument("--train-nthread", type=int, default=2)
    p.add_argument("--time-cap", type=float, default=600.0, help="seconds per SQL run")
    p.add_argument("--nested-max-chars", type=int, default=4_000_000, help="skip bigger SQL")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "node_scorer")
    return p.parse_args()


def _data(rng, n, n_features, n_classes):
    X = rng.normal(size=(n, n_features))
    signal = X[:, :n_classes] + 0.5 * X[:, n_classes : 2 * n_classes] ** 2
    X[rng.random(X.shape) < 0.05] = np.nan  # missing after the label is drawn
    y = np.argmax(signal + rng.gumbel(size=signal.shape), axis=1)
    return X, y


def _long(X):
    """The scorers' input: one row per present value; a NaN is an absent row."""
    present = ~np.isnan(X)
    rows, cols = np.nonzero(present)
    ids = np.char.add("r", np.char.zfill(rows.astype(str), 8))
    return pa.table(
        {
            "request_id": pa.array(ids, pa.string()),
            "feature_index": pa.array(cols, pa.int32()),
            "value": pa.array(X[present], pa.float64()),
        }
    )


def _bench_model(args, con, X, X_train, y_train, kinds, rounds, depth):
    params = {"objective": "multi:softprob", "num_class": args.classes, "max_depth": depth}
    params.update({"tree_method": "hist", "nthread": args.train_nthread, "seed": args.seed})
    t = time.perf_counter()
    booster = xgb.train(params, xgb.DMatrix(X_train, label=y_train), rounds)
    out = {"rounds": rounds, "depth": depth, "train_s": time.perf_counter() - t}
    booster.set_param({"nthread": args.threads})
    expected = booster.predict(xgb.DMatrix(X))

    out["xgboost"] = _timed(args, lambda: booster.inplace_predict(X))
    out["xgboost"]["max_abs_diff"] = float(np.abs(booster.inplace_predict(X) - expected).max())

    t = time.perf_counter()
    table = booster_node_table(booster, kinds)
    out["node_table_build_s"] = time.perf_counter() - t
    out["node_rows"] = len(table.rows)
    t = time.perf_counter()
    con.register("nodes_arrow", table.to_arrow())
    con.execute("create or replace table nodes as select * from nodes_arrow")
    out["node_table_load_s"] = time.perf_counter() - t
    sql = table.scoring_sql("nodes", "feats")
    out["node_sql"] = _sql_run(args, con, sql, expected)

    t = time.perf_counter()
    try:
        nested = compile_booster_sql(booster, kinds, relation="feats")
    except ValueError as exc:
        out["nested_sql"] = {"not_run": str(exc)}
        return out
    out["nested_compile_s"] = time.perf_counter() - t
    if len(nested) > args.nested_max_chars:
        reason = f"SQL is {len(nested):,} chars, over --nested-max-chars {args.nested_max_chars:,}"
        out["nested_sql"] = {"not_run": reason, "sql_chars": len(nested)}
    else:
        out["nested_sql"] = _sql_run(args, con, nested, expected)
    return out


def _sql_run(args, con, sql, expected):
    def run():
        # materialise every row: a count(*) could let DuckDB skip the scoring
        con.execute(f"create or replace temp table scored as {sql}")

    stats = _timed(args, run, cap=args.time_cap, con=con)
    stats["sql_chars"] = len(sql)
    if "not_run" not in stats:
        got = con.sql("select probability from scored order by request_id, class_index")
        probs = got.fetchnumpy()["probability"].reshape(expected.shape)
        stats["max_abs_diff"] = float(np.abs(probs - expected).max())
    return stats


def _timed(args, fn, cap=None, con=None):
    walls, cpus = [], []
    for _ in range(args.repeats):
        timer = threading.Timer(cap, con.interrupt) if cap else None
        if timer:
            timer.start()
        c, t = time.process_time(), time.perf_counter()
        try:
            fn()
        except (duckdb.InterruptException, RuntimeError) as exc:
            return {"not_run": f"stopped at the {cap:.0f} s cap ({type(exc).__name__})"}
        finally:
            if timer:
                timer.cancel()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        if walls[-1] > args.repeat_below:
            break
    wall = statistics.median(walls)
    return {"wall_s": walls, "cpu_s": cpus, "median_wall_s": wall, "rows_per_s": args.rows / wall}


def _write(args, load_start, started, results):
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    doc = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "commit": commit,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_avg_start": load_start,
            "load_avg_end": os.getloadavg(),
            "duckdb": duckdb.__version__,
            "xgboost": xgb.__version__,
        },
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "elapsed_s": time.time() - started,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(doc, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(_markdown(doc))


def _cell(stats):
    if "not_run" in stats:
        return "not run", "", "", ""
    return (
        f"{stats['median_wall_s']:.2f} s ({len(stats['wall_s'])} runs)",
        f"{statistics.median(stats['cpu_s']):.2f} s",
        f"{stats['rows_per_s']:,.0f}",
        f"{stats['max_abs_diff']:.1e}",
    )


def _markdown(doc):
    m, s = doc["machine"], doc["settings"]
    lines = [
        "# Node-table SQL scorer vs nested-CASE SQL vs xgboost (DuckDB in-process)",
        "",
        f"`{doc['command']}` at commit `{doc['commit']}`: {s['rows']:,} requests x "
        f"{s['features']} numeric features (5% absent), {s['classes']} classes, boosters "
        f"trained on {s['train_rows']:,} rows (hist, nthread {s['train_nthread']}). DuckDB "
        f"{m['duckdb']} with {s['threads']} threads, xgboost {m['xgboost']} nthread "
        f"{s['threads']}; median wall of up to {s['repeats']} runs (one when a run took over "
        f"{s['repeat_below']:.0f} s). SQL timings materialise every output row from the long "
        "feature table (the nested SQL's pivot included); the node table is already loaded.",
        "",
        f"Machine: {m['cpus']} CPUs, SHARED: load average {_load(m['load_avg_start'])} at the "
        f"start, {_load(m['load_avg_end'])} at the end, so wall times are inflated; CPU seconds "
        "(this process, all threads) are the steadier comparison.",
        "",
        "| model | method | wall | CPU | rows/s | SQL chars | max abs diff vs `predict(DMatrix)` |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in doc["results"]:
        name = f"{r['rounds']}x{r['depth']} ({r['node_rows']:,} nodes)"
        for label, key in (("xgboost inplace_predict", "xgboost"), ("node-table SQL", "node_sql")):
            chars = f"{r[key]['sql_chars']:,}" if "sql_chars" in r[key] else ""
            lines.append(
                f"| {name} | {label} | " + " | ".join(_cell(r[key])[:3]) + f" | {chars} | "
                f"{_cell(r[key])[3]} |"
            )
        nested = r["nested_sql"]
        chars = f"{nested['sql_chars']:,}" if "sql_chars" in nested else ""
        lines.append(
            f"| {name} | nested-CASE SQL | "
            + " | ".join(_cell(nested)[:3])
            + f" | {chars} | {_cell(nested)[3]} |"
        )
    lines += ["", "Side costs and skipped runs:", ""]
    for r in doc["results"]:
        note = (
            f"- {r['rounds']}x{r['depth']}: training {r['train_s']:.1f} s; node table built in "
            f"{r['node_table_build_s']:.2f} s and loaded in {r['node_table_load_s']:.2f} s"
        )
        if "nested_compile_s" in r:
            note += f"; nested SQL compiled in {r['nested_compile_s']:.2f} s"
        if "not_run" in r["nested_sql"]:
            note += f"; nested-CASE SQL not run: {r['nested_sql']['not_run']}"
        if "not_run" in r["node_sql"]:
            note += f"; node-table SQL not run: {r['node_sql']['not_run']}"
        lines.append(note)
    return "\n".join(lines) + f"\n\nTotal bench time {doc['elapsed_s']:.0f} s.\n"


def _load(avg):
    return " / ".join(f"{v:.1f}" for v in avg) + " (1/5/15 min)"


if __name__ == "__main__":
    main()
