"""The peer: what a competent user writes instead of the warehouse, in pandas.

Same feature steps as the dbt models, on the same JSON-lines files:

1. read every ``*.json`` file of the landing folder (pyarrow's multi-threaded
   JSON reader, all fields as strings), keep records whose ids are UUIDs and
   whose lat/long are numbers in range, drop duplicate event ids (first wins);
2. split 70/15/15 by ``md5(f"{seed}:{event_id}")``, the warehouse's hash;
3. per campaign, fit the categorical levels on the training split; a level is
   rare below 1% of the campaign's training rows or 10 rows; training rows
   holding a rare value are dropped (validation/test rows are kept and their
   rare or unseen values light no indicator);
4. classes = the kept training rows' offers in id order; validation/test rows
   with an offer unseen in training are dropped;
5. ``pd.get_dummies`` over categoricals fixed to the fitted levels, numeric
   ``long, lat`` first, a dense float64 matrix per split;
6. train with :func:`warehouse_ml.training.train_model`, the very function
   the warehouse's ``ml_models`` calls, so the training work is identical and
   the comparison is about everything around it.

Prints one JSON object (phase timings, row counts per campaign, test Hamming
loss) as the last line of stdout. Peak memory is measured by the caller.

Usage:
    python bench/peers/pandas_pipeline.py --landing DIR [--trials 1 10] [--no-train]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as paj

from warehouse_ml.generator import EVENT_COLUMNS

FIELDS = EVENT_COLUMNS
# The model's inputs after the project's default `dropped_columns`, in its order.
CATEGORICAL = {"country": "country", "dOs": "dos", "dType": "dtype", "dBrowser": "dbrowser"}
NUMERIC = ("long", "lat")
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


def read_events(landing: Path) -> pd.DataFrame:
    """All JSON-lines files of ``landing`` as one frame of cleaned, typed events."""
    schema = pa.schema([(f, pa.string()) for f in FIELDS])
    tables = [
        paj.read_json(path, parse_options=paj.ParseOptions(explicit_schema=schema))
        for path in sorted(landing.glob("*.json"))
    ]
    table = pa.concat_tables(tables)
    ids = {f: pc.utf8_lower(pc.utf8_trim_whitespace(table[f])) for f in ("id", "campaign", "offer")}
    frame = pd.DataFrame(
        {
            "event_id": ids["id"].to_pandas(),
            "campaign_id": ids["campaign"].to_pandas(),
            "offer_id": ids["offer"].to_pandas(),
            **{
                name: pc.if_else(
                    pc.equal(pc.utf8_trim_whitespace(table[field]), ""),
                    None,
                    pc.utf8_trim_whitespace(table[field]),
                ).to_pandas()
                for field, name in CATEGORICAL.items()
            },
            **{c: pd.to_numeric(table[c].to_pandas(), errors="coerce") for c in NUMERIC},
        }
    )
    valid = np.ones(len(frame), dtype=bool)
    for col in ("event_id", "campaign_id", "offer_id"):
        valid &= frame[col].str.fullmatch(UUID).fillna(False).to_numpy(dtype=bool)
    valid &= ~(frame["lat"].abs() > 90).to_numpy() & ~(frame["long"].abs() > 180).to_numpy()
    frame = frame[valid]
    return frame.drop_duplicates("event_id", keep="first").reset_index(drop=True)


def hash_fraction(ids: pd.Series, seed: int | str) -> np.ndarray:
    """``int(md5(f"{seed}:{id}")[:8], 16) / 2**32``, the warehouse's split hash."""
    prefix = f"{seed}:"
    return np.fromiter(
        (int(hashlib.md5((prefix + i).encode()).hexdigest()[:8], 16) for i in ids),
        dtype=np.float64,
        count=len(ids),
    ) / float(2**32)


def split(frame: pd.DataFrame, seed: int, train: float = 0.70, validation: float = 0.15) -> None:
    """Add the ``split`` column (train / validation / test) in place."""
    fraction = hash_fraction(frame["event_id"], seed)
    frame["split"] = np.where(
        fraction < train, "train", np.where(fraction < train + validation, "validation", "test")
    )


def campaign_matrices(
    events: pd.DataFrame, min_frequency: float = 0.01, min_count: int = 10
) -> dict[str, Any]:
    """One campaign's dense (X, y) per split, encoded with levels fitted on its training rows."""
    train = events[events["split"] == "train"]
    n_train = len(train)
    levels: dict[str, list[str]] = {}
    rare_row = np.zeros(len(events), dtype=bool)
    for col in CATEGORICAL.values():
        counts = train[col].value_counts()
        rare = counts[(counts < min_count) | (counts / n_train < min_frequency)].index
        levels[col] = counts.drop(rare).index.tolist()
        rare_row |= events[col].isin(rare).to_numpy() & (events["split"] == "train").to_numpy()
    kept = events[~rare_row]
    classes = sorted(kept.loc[kept["split"] == "train", "offer_id"].unique())
    kept = kept[kept["offer_id"].isin(classes)]
    onehot = pd.get_dummies(
        kept[list(CATEGORICAL.values())].astype(
            {c: pd.CategoricalDtype(levels[c]) for c in CATEGORICAL.values()}
        ),
        dtype=np.float64,
    )
    X = np.hstack([kept[list(NUMERIC)].to_numpy(dtype=np.float64), onehot.to_numpy()])
    y = pd.Categorical(kept["offer_id"], categories=classes).codes.astype(np.int64)
    splits = kept["split"].to_numpy()
    return {
        "classes": classes,
        "n_features": X.shape[1],
        **{s: (X[splits == s], y[splits == s]) for s in ("train", "validation", "test")},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--split-seed", type=int, default=13)
    parser.add_argument("--trials", type=int, nargs="*", default=[1], help="HPO trials per run")
    parser.add_argument("--no-train", action="store_true", help="stop after the features")
    parser.add_argument("--num-boost-round", type=int, default=300)
    parser.add_argument("--early-stopping-rounds", type=int, default=20)
    parser.add_argument("--hpo-seed", type=int, default=13)
    args = parser.parse_args()

    phases: dict[str, float] = {}
    started = time.perf_counter()
    events = read_events(args.landing)
    phases["read"] = time.perf_counter() - started

    started = time.perf_counter()
    split(events, args.split_seed)
    campaigns = {
        cid: campaign_matrices(rows) for cid, rows in events.groupby("campaign_id", sort=True)
    }
    phases["features"] = time.perf_counter() - started
    n_events = len(events)
    del events

    out: dict[str, Any] = {
        "n_events": n_events,
        "phases": phases,
        "campaigns": {
            cid: {
                "n_features": m["n_features"],
                "n_classes": len(m["classes"]),
                **{f"n_{s}_rows": len(m[s][1]) for s in ("train", "validation", "test")},
            }
            for cid, m in campaigns.items()
        },
    }
    if not args.no_train:
        from warehouse_ml.registry import TrainingSettings
        from warehouse_ml.training import TrainingSkipped, predict_proba, train_model

        defaults = TrainingSettings()

        for trials in args.trials:
            started = time.perf_counter()
            for cid, m in campaigns.items():
                try:
                    result = train_model(
                        *m["train"],
                        *m["validation"],
                        n_classes=len(m["classes"]),
                        n_trials=trials,
                        seed=args.hpo_seed,
                        num_boost_round=args.num_boost_round,
                        early_stopping_rounds=args.early_stopping_rounds,
                        # the warehouse's defaults: every core, trials on a capped sample
                        nthread=defaults.nthread,
                        search_rows=defaults.search_sample_cap,
                    )
                except TrainingSkipped as skipped:
                    out["campaigns"][cid][f"trials_{trials}"] = {"skipped": skipped.reason}
                    continue
                X_test, y_test = m["test"]
                predicted = predict_proba(result.booster, X_test).argmax(axis=1)
                out["campaigns"][cid][f"trials_{trials}"] = {
                    "test_hamming_loss": float(np.mean(predicted != y_test)),
                    "best_iteration": result.best_iteration,
                }
            phases[f"train_{trials}_trials"] = time.perf_counter() - started
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
