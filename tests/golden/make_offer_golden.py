"""Write the offer model's golden file: what the demo sample builds to.

Issue 11 moved the offer model onto the model-spec layer with the promise that
its outputs do not change. This script was run on the commit before that
refactor (44123da) to record them; ``tests/pipeline/test_offer_golden.py``
builds the same sample with the refactored project and compares.

It builds the demo sample (60,000 events, 6,000 requests, seed 13) with one
XGBoost thread (bit-identical boosters) into a temporary DuckDB file, then
stores for each compared table its row count and the sha256 of its rows as
canonical CSV (floats as ``repr``), plus each campaign's booster digest,
hyperparameters and test metrics.

    .venv/bin/python tests/golden/make_offer_golden.py --out tests/golden/offer_conversion.json

``GOLDEN_QUERIES`` names the pre-refactor tables; the test passes its own
queries over the new tables to :func:`dump`, with the same columns and order.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = {"n_events": 60_000, "n_requests": 6_000, "seed": 13}
BUILD_VARS = "{training_threads: 1}"

#: table -> query returning its canonical rows (ordered, ids and times left out).
GOLDEN_QUERIES: dict[str, str] = {
    "split": "select event_id, campaign_id, split from int_conversions_split order by event_id",
    "category_levels": (
        "select campaign_id, column_name, category, encoded_value, feature_name, feature_index,"
        " n_train_rows, is_rare from fit_category_levels"
        " order by campaign_id, column_name, category"
    ),
    "offer_classes": (
        "select campaign_id, offer_id, class_index, n_train_rows from fit_offer_classes"
        " order by campaign_id, class_index"
    ),
    "feature_columns": (
        "select campaign_id, feature_index, feature_name, kind from fit_feature_columns"
        " order by campaign_id, feature_index"
    ),
    "labelled": (
        "select event_id, campaign_id, split, class_index, has_rare_value"
        " from int_conversions_labelled order by event_id"
    ),
    "features": (
        "select event_id, feature_index, value from int_conversions_features"
        " order by event_id, feature_index"
    ),
    "offer_predictions": (
        "select request_id, campaign_id, predicted_offer_id, probability, scoring_error"
        " from offer_predictions order by request_id"
    ),
    "offer_scores": (
        "select request_id, campaign_id, offer_id, class_index, probability, rank"
        " from offer_scores order by request_id, rank"
    ),
}

MODELS_QUERY = (
    "select campaign_id, status, booster_json, hyperparameters, best_iteration, metrics,"
    " feature_columns, classes from ml_models order by campaign_id"
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def digest_rows(rows: list[tuple]) -> str:
    """sha256 of the rows as canonical CSV."""
    h = hashlib.sha256()
    for row in rows:
        h.update((",".join(_cell(v) for v in row) + "\n").encode())
    return h.hexdigest()


def dump(con: duckdb.DuckDBPyConnection, queries: dict[str, str], models_query: str) -> dict:
    """Row counts and digests of ``queries``, and the models of ``models_query``."""
    tables = {}
    for name, sql in queries.items():
        rows = con.execute(sql).fetchall()
        tables[name] = {"rows": len(rows), "sha256": digest_rows(rows)}
    models = {}
    for campaign, status, booster, params, best, metrics, columns, classes in con.execute(
        models_query
    ).fetchall():
        test = json.loads(metrics)["test"] if metrics else {}
        models[campaign] = {
            "status": status,
            "booster_sha256": hashlib.sha256(booster.encode()).hexdigest() if booster else None,
            "hyperparameters": json.loads(params) if params else None,
            "best_iteration": best,
            "feature_columns": json.loads(columns),
            "classes": json.loads(classes),
            "test_hamming_loss": test.get("hamming_loss"),
            "test_log_loss": test.get("log_loss"),
        }
    return {"tables": tables, "models": models}


def build_demo(workdir: Path) -> Path:
    """Generate the demo sample and dbt-build it into workdir; return the DuckDB path."""
    from warehouse_ml.generator import GeneratorConfig, write_sample

    sample = workdir / "sample"
    write_sample(sample, GeneratorConfig(**SAMPLE))
    db = workdir / "golden.duckdb"
    env = {
        **os.environ,
        "WML_DUCKDB_PATH": str(db),
        "WML_LANDING_DIR": str(sample / "landing"),
        "WML_REQUESTS_DIR": str(sample / "requests"),
        "WML_EVENTS_DIR": str(sample / "no_events"),
        "DBT_TARGET_PATH": str(workdir / "target"),
        "DBT_LOG_PATH": str(workdir / "logs"),
    }
    dbt = str(Path(sys.executable).with_name("dbt"))
    proc = subprocess.run(
        [dbt, "build", "--target", "duckdb", "--vars", BUILD_VARS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(f"dbt build failed:\n{proc.stdout[-4000:]}\n{proc.stderr}")
    return db


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = build_demo(Path(tmp))
        with duckdb.connect(str(db), read_only=True) as con:
            golden = dump(con, GOLDEN_QUERIES, MODELS_QUERY)
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    golden = {"commit": commit, "sample": SAMPLE, "vars": BUILD_VARS, **golden}
    args.out.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
