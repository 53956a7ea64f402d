"""Scoring peer: XGBoost's ``inplace_predict`` vs the project's compiled SQL in DuckDB.

``prepare`` builds one campaign's real features (the pandas peer's encoding of
the landed events), tiles them to ``--rows`` rows, and trains one booster per
grid point ``ROUNDSxDEPTH`` (fixed rounds, no early stopping). ``score`` times
one engine on one booster, ``--repeats`` times, in a fresh process so the
caller reads that engine's peak memory:

* ``xgboost``: ``booster.inplace_predict`` on the dense float32 matrix;
* ``xgboost_long``: the Python scorer's real path, long rows -> dense matrix
  (``warehouse_ml.features.long_to_matrix``) -> ``inplace_predict``;
* ``sql``: ``warehouse_ml.sql_compiler.compile_booster_sql`` run by DuckDB on
  the long relation ``(request_id, feature_index, value)``, as ml_scores_sql
  runs it (pivot included), materialised with ``create temp table``;
* ``sql_wide``: the same trees on an already pivoted table, to show how much of
  the SQL time is the pivot;
* ``sql_distinct``: ``sql`` on one request per distinct feature vector only. The
  compiled SQL scores each distinct vector once, and real requests repeat (the
  1M sample's 200,000 rows hold about 48,000 vectors); this run shows its speed
  when nothing repeats (rows/s counts those requests only).

Each prints one JSON line (median seconds, rows/s, SQL size, max |p_sql - p_xgb|).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xgboost as xgb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pandas_pipeline import campaign_matrices, read_events, split


def prepare(landing: Path, work: Path, rows: int, grid: list[str]) -> dict[str, Any]:
    events = read_events(landing)
    split(events, 13)
    campaigns = {cid: g for cid, g in events.groupby("campaign_id", sort=True)}
    # The campaign with the most offers: more trees per round, the harder case for SQL.
    cid = max(campaigns, key=lambda c: (campaigns[c]["offer_id"].nunique(), len(campaigns[c])))
    m = campaign_matrices(campaigns[cid])
    X_train, y_train = m["train"]
    X_all = np.vstack([m["train"][0], m["validation"][0], m["test"][0]])
    n_classes, n_features = len(m["classes"]), m["n_features"]
    take = np.resize(np.arange(len(X_all)), rows)
    X = X_all[take].astype(np.float32)
    np.save(work / "X.npy", X)
    kinds = ["numeric", "numeric"] + ["onehot"] * (n_features - 2)
    (work / "kinds.json").write_text(json.dumps(kinds))
    # Long form as the warehouse stores it: numeric rows always (NULL = missing),
    # one-hot rows only where lit.
    r_idx, f_idx = np.nonzero(np.isnan(X) | (X != 0) | (np.arange(n_features) < 2)[None, :])
    values = X[r_idx, f_idx].astype(np.float64)
    long = pd.DataFrame(
        {
            "request_id": pd.Series(np.char.add("r", np.char.zfill(r_idx.astype(str), 8))),
            "feature_index": f_idx.astype(np.int32),
            "value": pd.Series(values).where(~np.isnan(values)),
        }
    )
    long.to_parquet(work / "long.parquet", index=False)
    fit_rows = min(len(X_train), 200_000)
    dtrain = xgb.DMatrix(X_train[:fit_rows], label=y_train[:fit_rows], nthread=2)
    # The training rows, for peers outside this venv (bench/peers/orbital_scoring.py).
    train = pd.DataFrame(X_train[:fit_rows], columns=[f"f{k}" for k in range(n_features)])
    train["label"] = np.asarray(y_train[:fit_rows]).astype(np.int32)
    train.to_parquet(work / "train.parquet", index=False)
    for point in grid:
        rounds, depth = (int(v) for v in point.split("x"))
        path = work / f"model_{point}.json"
        if path.exists():
            continue
        params = {
            "objective": "multi:softprob",
            "num_class": n_classes,
            "max_depth": depth,
            "eta": 0.1,
            "tree_method": "hist",
            "nthread": 2,
            "seed": 13,
            "verbosity": 0,
        }
        xgb.train(params, dtrain, num_boost_round=rounds).save_model(str(path))
    return {
        "campaign_id": cid,
        "rows": rows,
        "distinct_rows": len(X_all),
        "n_features": n_features,
        "n_classes": n_classes,
        "long_rows": len(long),
        "train_rows_for_models": fit_rows,
    }


CPU_SECONDS: list[float] = []  # process CPU seconds of each timed run (wall times returned)


def _timed(fn: Any, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        CPU_SECONDS.append(time.process_time() - cpu)
    return times


def score(work: Path, engine: str, model: str, repeats: int) -> dict[str, Any]:
    booster = xgb.Booster(model_file=str(work / f"model_{model}.json"))
    booster.set_param({"nthread": 2})
    kinds = json.loads((work / "kinds.json").read_text())
    X = np.load(work / "X.npy")
    n = len(X)
    report: dict[str, Any] = {"engine": engine, "model": model, "rows": n}
    report["n_trees"] = len(booster.get_dump())
    if engine == "xgboost":
        times = _timed(lambda: booster.inplace_predict(X), repeats)
    elif engine == "xgboost_long":
        from warehouse_ml.features import long_to_matrix

        long = pd.read_parquet(work / "long.parquet").rename(columns={"request_id": "row_id"})
        ids = [f"r{i:08d}" for i in range(n)]
        del X
        times = _timed(lambda: booster.inplace_predict(long_to_matrix(long, ids, kinds)), repeats)
    else:
        import duckdb

        from warehouse_ml.sql_compiler import compile_booster_sql

        con = duckdb.connect()
        con.execute("set threads = 2")
        started = time.perf_counter()
        sql = compile_booster_sql(booster, kinds, dialect="duckdb", relation="feats")
        report["compile_s"] = time.perf_counter() - started
        report["sql_chars"] = len(sql)
        if engine in ("sql", "sql_distinct"):
            con.execute(f"create table feats as select * from '{work / 'long.parquet'}'")
        if engine == "sql_distinct":
            _, first = np.unique(X, axis=0, return_index=True)
            keep = pd.DataFrame({"request_id": [f"r{i:08d}" for i in np.sort(first)]})
            con.register("keep_df", keep)
            con.execute("delete from feats where request_id not in (from keep_df)")
            con.unregister("keep_df")
            n = report["rows"] = len(keep)
        elif engine == "sql_wide":  # start from the pivoted columns the compiled trees read
            wide = pd.DataFrame(X, columns=[f"f{k}" for k in range(X.shape[1])]).astype("float64")
            wide.insert(0, "request_id", [f"r{i:08d}" for i in range(n)])
            con.register("wide_df", wide)
            con.execute("create table wide as select * from wide_df")
            con.unregister("wide_df")
            del wide
            # Swap the first CTE (the pivot, up to its closing line) for the wide table.
            sql = "with wml_x as (select * from wide)" + sql[sql.index("\n),\n") + 2 :]
        del X
        times = _timed(lambda: con.execute(f"create or replace temp table s as {sql}"), repeats)
        # Agreement with XGBoost on a sample of rows (the compiled SQL's parity check).
        got = con.execute(
            "select request_id, class_index, probability from s "
            "where request_id < 'r00001000' order by request_id, class_index"
        ).df()
        rows = got["request_id"].str[1:].astype(int).unique()
        X_sample = np.load(work / "X.npy", mmap_mode="r")[np.sort(rows)]
        expected = booster.inplace_predict(np.asarray(X_sample)).reshape(-1)
        report["max_abs_diff_vs_xgboost"] = float(
            np.max(np.abs(got["probability"].to_numpy() - expected))
        )
    report["seconds"] = times
    report["cpu_seconds"] = CPU_SECONDS[-len(times) :]
    report["median_s"] = statistics.median(times)
    report["rows_per_s"] = n / report["median_s"]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--landing", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--grid", nargs="+", default=["100x6"])
    s = sub.add_parser("score")
    s.add_argument("--work", type=Path, required=True)
    engines = ["xgboost", "xgboost_long", "sql", "sql_wide", "sql_distinct"]
    s.add_argument("--engine", choices=engines)
    s.add_argument("--model", default="100x6")
    s.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.command == "prepare":
        out = prepare(args.landing, args.work, args.rows, args.grid)
    else:
        out = score(args.work, args.engine, args.model, args.repeats)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
