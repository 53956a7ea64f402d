"""The shipped propensity spec on a generated stream, against the known truth (issue 12, item 8).

Generates an event stream (warehouse_ml.generator.streams) whose prediction
points carry the true probability, builds the shipped spec
``purchase_propensity`` on it with dbt (DuckDB), and compares the model's
test metrics with the Bayes scores of the same test points: the AUC and log
loss of the true probabilities. Target: within 0.01 of the Bayes AUC, ECE
(10 equal-width bins) at most 0.02. Writes bench/results/propensity_generated.{json,md}.

    nice -n 10 .venv/bin/python bench/propensity/generated.py [--entities 10000 --days 35]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from sklearn.metrics import log_loss, roc_auc_score

from warehouse_ml.generator.streams import EventStreamConfig, write_stream
from warehouse_ml.metrics import evaluate_binary

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
DBT = str(ROOT / ".venv" / "bin" / "dbt")
SPEC = "purchase_propensity"


def build(work: Path, events: Path) -> float:
    empty = work / "empty"
    empty.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "WML_DUCKDB_PATH": str(work / "w.duckdb"),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "WML_LANDING_DIR": str(empty),
        "WML_REQUESTS_DIR": str(empty),
        "WML_EVENTS_DIR": str(events),
        "OMP_WAIT_POLICY": "PASSIVE",
    }
    started = time.perf_counter()
    proc = subprocess.run(
        [DBT, "build", "-s", "+ml_models", "--exclude", "test_type:unit", "--vars",
         f"{{model_specs: [{SPEC}]}}"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode:
        sys.exit(f"dbt build failed:\n{proc.stdout[-4000:]}")
    return time.perf_counter() - started


def measure(work: Path, points: Path) -> dict:
    with duckdb.connect(str(work / "w.duckdb"), read_only=True) as con:
        metrics = json.loads(
            con.execute("select metrics from ml_models where model_name = ?", [SPEC]).fetchone()[0]
        )["test"]
        test = con.execute(
            f"""select p.true_probability, p.label from int_event_points as e
            inner join read_parquet('{points}') as p
                on e.entity_id = p.entity_id and e.point_time = (p.point_time at time zone 'UTC')
            where e.model_name = ? and e.split = 'test'""",
            [SPEC],
        ).df()
        splits = dict(
            con.execute(
                "select coalesce(split, 'none'), count(*) from int_event_points group by 1"
            ).fetchall()
        )
    bayes = evaluate_binary(test["label"], test["true_probability"])
    out = {
        "test_points": len(test),
        "positive_rate": float(test["label"].mean()),
        "splits": splits,
        "bayes_auc": float(roc_auc_score(test["label"], test["true_probability"])),
        "bayes_log_loss": float(log_loss(test["label"], test["true_probability"])),
        "bayes_ece": bayes["ece"],
    }
    for name in ("auc", "pr_auc", "log_loss", "brier_score", "ece"):
        out[name] = metrics[name]
        out[f"uncalibrated_{name}"] = metrics[f"uncalibrated_{name}"]
    out["auc_gap"] = out["bayes_auc"] - out["auc"]
    out["meets_targets"] = out["auc_gap"] <= 0.01 and out["ece"] <= 0.02
    return out


def render(result: dict) -> str:
    r = result
    rows = [
        ("warehouse_ml, calibrated", r["auc"], r["pr_auc"], r["log_loss"], r["ece"]),
        ("warehouse_ml, uncalibrated", r["uncalibrated_auc"], r["uncalibrated_pr_auc"],
         r["uncalibrated_log_loss"], r["uncalibrated_ece"]),
        ("true probability (Bayes)", r["bayes_auc"], None, r["bayes_log_loss"], r["bayes_ece"]),
    ]  # fmt: skip
    lines = [
        "# Propensity on a generated stream: the shipped spec against the truth",
        "",
        f"`{r['command']}` on {r['machine']}; stream: {r['entities']:,} users, {r['days']} days,"
        f" {r['events']:,} events, seed {r['seed']}; dbt build {r['build_seconds']:.0f} s.",
        f"Test points: {r['test_points']:,} (positive rate {r['positive_rate']:.4f});"
        f" points per split: {r['splits']}.",
        "",
        "| model (test split) | AUC | PR-AUC | log loss | ECE (10 bins) |",
        "|---|---|---|---|---|",
    ]
    for name, *values in rows:
        cells = " | ".join("—" if v is None else f"{v:.4f}" for v in values)
        lines.append(f"| {name} | {cells} |")
    lines += [
        "",
        f"AUC gap to Bayes: {r['auc_gap']:.4f} (target ≤ 0.01); ECE {r['ece']:.4f} (target ≤ 0.02):"
        f" {'met' if r['meets_targets'] else 'NOT met'}.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--work", type=Path, default=Path("/tmp/propensity_generated"))
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    (args.work / "w.duckdb").unlink(missing_ok=True)
    cfg = EventStreamConfig(n_entities=args.entities, days=args.days, seed=args.seed)
    meta = write_stream(args.work / "stream", cfg, "parquet")
    seconds = build(args.work, args.work / "stream" / "landing")
    result = {
        "command": "nice -n 10 .venv/bin/python bench/propensity/generated.py"
        f" --entities {args.entities} --days {args.days} --seed {args.seed}",
        "machine": f"{os.cpu_count()} cores",
        "entities": args.entities,
        "days": args.days,
        "seed": args.seed,
        "events": meta["n_events"],
        "build_seconds": seconds,
        **measure(args.work, args.work / "stream" / "points" / "points.parquet"),
    }
    text = render(result)
    print(text)
    if not args.no_write:
        (RESULTS / "propensity_generated.json").write_text(json.dumps(result, indent=2) + "\n")
        (RESULTS / "propensity_generated.md").write_text(text)


if __name__ == "__main__":
    main()
