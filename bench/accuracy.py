"""Test-split Hamming loss over several split seeds, each a real `dbt build`.

Usage: .venv/bin/python bench/accuracy.py [--landing DIR] [--seeds 1 2 ... 20] [--trials 10]
Writes bench/results/accuracy_<name>.json and prints mean ± standard deviation of
the test-split Hamming loss on all test rows and on the rows without a rare value
(the seed filters those out before splitting, so its reported loss is on the latter).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]


def run(landing: Path, seed: int, trials: int, workdir: Path, extra: dict | None = None) -> dict:
    db = workdir / f"accuracy_{seed}.duckdb"
    requests = workdir / "no_requests"
    requests.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "WML_DUCKDB_PATH": str(db),
        "WML_LANDING_DIR": str(landing),
        "WML_REQUESTS_DIR": str(requests),
        "WML_EVENTS_DIR": str(requests.parent / "no_events"),
    }
    dbt = str(Path(sys.executable).with_name("dbt"))
    vars_ = json.dumps({"split_seed": seed, "hpo_trials": trials, **(extra or {})})
    cmd = [dbt, "build", "--select", "+ml_models", "--vars", vars_, "--quiet"]
    # cautious: skip tests of models outside +ml_models (e.g. the requests')
    cmd += ["--indirect-selection", "cautious", "--target-path", str(workdir / "target")]
    subprocess.run(
        cmd,
        cwd=ROOT,
        env=env,
        check=True,
    )
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select group_id, metrics from ml_models"
            " where model_name = 'offer_conversion' and status <> 'retired'"
            " and metrics is not null"
        ).fetchall()
    keys = (
        "hamming_loss",
        "baseline_hamming_loss",
        "n_rows",
        "hamming_loss_known_values",
        "n_rows_known_values",
        "hamming_loss_rare_values",
        "n_rows_rare_values",
    )
    return {campaign: {k: json.loads(m)["test"].get(k) for k in keys} for campaign, m in rows}


def _summary(losses: list[float]) -> dict:
    return {
        "mean": statistics.mean(losses),
        "stdev": statistics.stdev(losses) if len(losses) > 1 else 0.0,
        "standard_error": (
            statistics.stdev(losses) / len(losses) ** 0.5 if len(losses) > 1 else 0.0
        ),
        "min": min(losses),
        "max": max(losses),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--landing", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(1, 21)))
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--name", default="real_sample")
    parser.add_argument("--vars", default="{}", help="extra dbt vars as JSON")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            extra = json.loads(args.vars)
            results[seed] = run(args.landing.resolve(), seed, args.trials, Path(tmp), extra)
            print(seed, results[seed], flush=True)
    per_model = [m for per in results.values() for m in per.values()]
    summary = {
        "landing": str(args.landing),
        "seeds": args.seeds,
        "hpo_trials": args.trials,
        "vars": json.loads(args.vars),
        "per_seed": results,
        # every test row, rare values included (scored with all-zero indicators)
        "all_test_rows": _summary([m["hamming_loss"] for m in per_model]),
        # the rows without a rare value: the population of the seed's test split
        "known_value_rows": _summary(
            [m["hamming_loss_known_values"] for m in per_model if m["n_rows_known_values"]]
        ),
        "rare_value_rows": _summary(
            [m["hamming_loss_rare_values"] for m in per_model if m["n_rows_rare_values"]]
        ),
        "majority_baseline": _summary([m["baseline_hamming_loss"] for m in per_model]),
    }
    out = ROOT / "bench" / "results" / f"accuracy_{args.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    for name in ("all_test_rows", "known_value_rows", "rare_value_rows", "majority_baseline"):
        got = summary[name]
        print(
            f"{name}: mean {got['mean']:.4f} ± {got['stdev']:.4f} (se {got['standard_error']:.4f},"
            f" min {got['min']:.4f}, max {got['max']:.4f})"
        )
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
