"""Test-split Hamming loss on a generated sample next to the generator's Bayes error.

Each run is a real `dbt build --select +ml_models` on a sample written by
warehouse_ml.generator; the Bayes error is the generator's own
(``bayes_error_by_campaign``: the expected error of the true model's argmax) on
exactly the test rows the warehouse held out, and ``oracle_error`` its realised
counterpart on those rows' actual offers. Both are also given on the test rows
without a rare value (``has_rare_value`` false), the population the seed's test
split held, as in ``bench/accuracy.py``.

Usage: .venv/bin/python bench/accuracy_generated.py [--events 60000] [--modes drop bucket]
Writes bench/results/accuracy_generated_<events>.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from warehouse_ml.generator import (
    GeneratorConfig,
    bayes_error_by_campaign,
    generate_events,
    oracle_error,
    write_sample,
)

ROOT = Path(__file__).resolve().parents[1]
# The spec trained on the generated offers (model_specs/offer_conversion.sql); its
# groups are the campaigns, its entities the events.
MODEL = "offer_conversion"


def build(sample: Path, db: Path, dbt_vars: dict) -> dict[str, dict]:
    env = {
        **os.environ,
        "WML_DUCKDB_PATH": str(db),
        "WML_LANDING_DIR": str(sample / "landing"),
        "WML_REQUESTS_DIR": str(sample / "requests"),
        "WML_EVENTS_DIR": str(sample / "no_events"),
    }
    dbt = str(Path(sys.executable).with_name("dbt"))
    cmd = [dbt, "build", "--select", "+ml_models", "--vars", json.dumps(dbt_vars), "--quiet"]
    # cautious: skip tests of models outside +ml_models (e.g. the requests')
    cmd += ["--indirect-selection", "cautious", "--target-path", str(db.parent / "target")]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)
    with duckdb.connect(str(db), read_only=True) as con:
        models = con.execute(
            "select group_id, metrics from ml_models where model_name = ? and status = 'champion'",
            [MODEL],
        ).fetchall()
        test_ids = con.execute(
            "select group_id, entity_id, has_rare_value from int_training_labelled"
            " where model_name = ? and split = 'test'",
            [MODEL],
        ).fetchall()
    out: dict[str, dict] = {}
    for campaign, metrics in models:
        test = json.loads(metrics)["test"]
        out[campaign] = {
            "hamming_loss": test["hamming_loss"],
            "n_test_rows": test["n_rows"],
            "hamming_loss_known_values": test["hamming_loss_known_values"],
            "n_rows_known_values": test["n_rows_known_values"],
        }
    for campaign, event_id, has_rare_value in test_ids:
        out.setdefault(campaign, {}).setdefault("test_ids", set()).add(event_id)
        if not has_rare_value:
            out[campaign].setdefault("known_ids", set()).add(event_id)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=60_000)
    parser.add_argument("--modes", nargs="+", default=["drop", "bucket"])
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    cfg = GeneratorConfig(n_events=args.events, n_requests=1000, seed=13)
    events = generate_events(cfg)
    summary: dict = {"events": args.events, "hpo_trials": args.trials, "modes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample"
        write_sample(sample, cfg)
        for mode in args.modes:
            dbt_vars = {"rare_value_handling": mode, "hpo_trials": args.trials}
            per = build(sample, Path(tmp) / f"{mode}.duckdb", dbt_vars)
            rows = {}
            for campaign, got in sorted(per.items()):
                test = events[events["id"].isin(got.pop("test_ids", set()))]
                known = events[events["id"].isin(got.pop("known_ids", set()))]
                bayes = bayes_error_by_campaign(test, cfg).get(campaign)
                bayes_known = bayes_error_by_campaign(known, cfg).get(campaign)
                rows[campaign] = {
                    **got,
                    "bayes_error": bayes,
                    "oracle_error": oracle_error(test, cfg),
                    "gap": got.get("hamming_loss", float("nan")) - bayes,
                    # rows without a rare value (the seed's test population)
                    "bayes_error_known_values": bayes_known,
                    "gap_known_values": got.get("hamming_loss_known_values", float("nan"))
                    - bayes_known,
                }
                print(mode, campaign, json.dumps(rows[campaign]), flush=True)
            summary["modes"][mode] = rows
    out = ROOT / "bench" / "results" / f"accuracy_generated_{args.events}.json"
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"-> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
