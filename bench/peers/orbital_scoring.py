"""Scoring peer: orbital (scikit-learn -> SQL) in DuckDB, on the scoring bench's rows.

Runs in its own venv (bench/requirements-orbital.txt; see bench/README.md), not
the project's, so orbital's dependencies (ibis, sqlglot, skl2onnx, onnx,
scikit-learn) never touch the shared environment. It reads what
``bench/peers/scoring.py prepare`` wrote in ``--work``:

* ``train.parquet``: the rows the XGBoost boosters were trained on (``f0..fN``, ``label``);
* ``X.npy``: the scoring rows (float32, the same matrix ``inplace_predict`` scores).

For ``--model ROUNDSxDEPTH`` it fits scikit-learn's ``GradientBoostingClassifier``
(``n_estimators=ROUNDS``, ``max_depth=DEPTH``, ``learning_rate=0.1``, so
ROUNDS x classes regression trees of depth <= DEPTH combined by softmax: the
same shape as XGBoost's ``multi:softprob``), cached in ``--work``; compiles it
with ``orbital.export_sql`` for DuckDB; loads the rows as a wide table
(``request_id`` + one DOUBLE column per feature, as ``scoring.py``'s
``sql_wide``) and times ``create or replace temp table s as <orbital SQL>``
``--repeats`` times with 2 DuckDB threads. It checks the SQL's probabilities
against ``predict_proba`` on the first 1000 rows and prints one JSON line.

``GradientBoostingClassifier`` has no missing-value support and orbital's tree
translation does not route NULLs, so the script stops if the rows hold a NaN
(the scoring bench's rows hold none). The orbital model is a peer of the same
shape on the same rows, not the same model as XGBoost's (exact splits vs hist).
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import orbital
import orbital.types
import pandas as pd
import sklearn
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline


def no_nan(X: np.ndarray) -> np.ndarray:
    if np.isnan(X).any():
        raise SystemExit("NaN in the rows: GradientBoostingClassifier and orbital's SQL differ")
    return X


def fit(work: Path, rounds: int, depth: int) -> tuple[Pipeline, float | None]:
    path = work / f"orbital_gbc_{rounds}x{depth}.pkl"
    meta = path.with_suffix(".json")
    if path.exists():
        fit_s = json.loads(meta.read_text())["fit_s"] if meta.exists() else None
        return pickle.loads(path.read_bytes()), fit_s
    train = pd.read_parquet(work / "train.parquet")
    y = train.pop("label").to_numpy()
    X = no_nan(train.to_numpy(dtype=np.float64))
    model = GradientBoostingClassifier(
        n_estimators=rounds, max_depth=depth, learning_rate=0.1, random_state=13
    )
    started = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - started
    pipeline = Pipeline([("gbc", model)])
    path.write_bytes(pickle.dumps(pipeline))
    meta.write_text(json.dumps({"fit_s": seconds}))
    return pipeline, seconds


def score(work: Path, model: str, repeats: int, threads: int) -> dict[str, Any]:
    rounds, depth = (int(v) for v in model.split("x"))
    pipeline, fit_s = fit(work, rounds, depth)
    gbc = pipeline.named_steps["gbc"]
    X = no_nan(np.load(work / "X.npy").astype(np.float64))
    n, n_features = X.shape
    names = [f"f{k}" for k in range(n_features)]
    report: dict[str, Any] = {"engine": "orbital", "model": model, "rows": n}
    report["estimator"] = f"GradientBoostingClassifier(n_estimators={rounds}, max_depth={depth})"
    report["n_trees"] = int(gbc.estimators_.size)
    report["n_leaves"] = int(sum(t.get_n_leaves() for t in gbc.estimators_.ravel()))
    report["max_tree_depth"] = int(max(t.get_depth() for t in gbc.estimators_.ravel()))
    report["fit_s"] = fit_s
    features: dict[str, Any] = {"request_id": orbital.types.StringColumnType(passthrough=True)}
    features |= {c: orbital.types.DoubleColumnType() for c in names}
    started = time.perf_counter()
    parsed = orbital.parse_pipeline(pipeline, features=features)
    sql = orbital.export_sql(
        "wide", parsed, dialect="duckdb", projection=orbital.ResultsProjection(["request_id"])
    )
    report["compile_s"] = time.perf_counter() - started
    report["sql_chars"] = len(sql)
    (work / f"orbital_{model}.sql").write_text(sql)

    con = duckdb.connect()
    con.execute(f"set threads = {threads}")
    wide = pd.DataFrame(X, columns=names)
    wide.insert(0, "request_id", [f"r{i:08d}" for i in range(n)])
    con.register("wide_df", wide)
    con.execute("create table wide as select * from wide_df")
    con.unregister("wide_df")
    del wide
    query = f"create or replace temp table s as {sql}"
    times, cpu = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        con.execute(query)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)

    # The timed query must be a correct one: compare with predict_proba.
    got = con.execute("select * from s where request_id < 'r00001000' order by request_id").df()
    prob_cols = [c for c in got.columns if c.startswith("output_probability")]
    labels = [c.split(".", 1)[1] for c in prob_cols]
    order = [labels.index(str(c)) for c in gbc.classes_]
    p_sql = got[prob_cols].to_numpy(dtype=np.float64)[:, order]
    p_skl = pipeline.predict_proba(X[:1000])
    report["max_abs_diff_vs_sklearn"] = float(np.max(np.abs(p_sql - p_skl)))
    labels_skl = pipeline.predict(X[:1000]).astype(str)
    report["label_agreement_vs_sklearn"] = float(
        np.mean(got["output_label"].astype(str).to_numpy() == labels_skl)
    )
    report["seconds"] = times
    report["cpu_seconds"] = cpu
    report["median_s"] = statistics.median(times)
    report["rows_per_s"] = n / report["median_s"]
    report["versions"] = {
        "orbital": orbital_version(),
        "scikit-learn": sklearn.__version__,
        "duckdb": duckdb.__version__,
    }
    return report


def orbital_version() -> str:
    from importlib.metadata import version

    return version("orbital")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--model", default="100x6", help="ROUNDSxDEPTH")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fit-only", action="store_true", help="fit and cache the model, no SQL")
    args = parser.parse_args()
    if args.fit_only:
        rounds, depth = (int(v) for v in args.model.split("x"))
        _, fit_s = fit(args.work, rounds, depth)
        print(json.dumps({"model": args.model, "fit_s": fit_s}))
        return 0
    print(json.dumps(score(args.work, args.model, args.repeats, args.threads)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
