"""The pandas/numpy peer of the event propensity SQL (bench/propensity_scale).

What a data scientist would write instead of the dbt models: read the event
Parquet files, build the weekly snapshot points, labels, entity cap, split, top
event types and the same point-in-time features as int_event_points /
fit_event_type_ranks / int_event_examples, on sorted arrays (every window is
a difference of per-entity cumulative sums found by ``searchsorted``, the
vectorised form of ``merge_asof``). Features are held as one float32 frame
(points x features), as a training script would.

Prints one JSON object: row counts, label and split counts, per-column sums
(for the parity check against the warehouse) and step seconds. Run it in a
child process to measure its time and peak memory (run.py does).

    .venv/bin/python bench/propensity_scale/peer.py EVENTS_DIR SPEC_JSON
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

WEEK = 604_800


def _label(seconds: int) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def run(events_dir: Path, spec: dict) -> dict:
    """The peer's points, labels, split and features; returns its summary."""
    clock = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = round(now - clock, 2)
        clock = now

    every, active = spec["every"], spec["active_within"]
    horizon, windows, weeks = spec["horizon"], spec["windows"], spec["rolling_weeks"]
    n_top, cap = spec["top_event_types"], spec["entity_cap"]
    files = sorted(events_dir.glob("*.parquet"))
    frame = pq.read_table(
        files, columns=["entity_id", "event_time", "event_type", "country", "amount"]
    ).to_pandas()
    lap("read")

    # Events sorted by (entity, time); entity codes index the entity names.
    ent, names = pd.factorize(frame["entity_id"])
    t_us = frame["event_time"].dt.tz_convert(None).to_numpy("datetime64[us]").view(np.int64)
    order = np.lexsort((t_us, ent))
    ent, t_us = ent[order].astype(np.int64), t_us[order]
    etype = frame["event_type"].to_numpy()[order]
    country = frame["country"].to_numpy()[order]
    amount = frame["amount"].to_numpy(dtype=float, na_value=np.nan)[order]
    del frame
    watermark_us = int(t_us.max())
    lap("sort")

    # Keys comparable across entities: entity * span + milliseconds. Window edges
    # are whole seconds, so floor-ms keys are exact for ">= edge" and "< edge",
    # ceil-ms keys for "> edge" and "<= edge".
    longest = max([*(windows or [0]), weeks * WEEK])
    base_ms = int(t_us.min()) // 1000 - (longest + horizon + 2 * every) * 1000
    span = (watermark_us // 1000 - base_ms) + (longest + horizon + 2 * every) * 1000
    floor_key = ent * span + (t_us // 1000 - base_ms)
    ceil_key = ent * span + (-(-t_us // 1000) - base_ms)

    # Points: grid times k * every with an event in [t - active, t), up to the watermark.
    sec = t_us // 1_000_000  # epoch_seconds: whole seconds (floor)
    first_k = sec // every + 1
    last_k = (sec + active) // every
    pairs = pd.DataFrame({"ent": ent, "first": first_k, "n": last_k - first_k + 1})
    pairs = pairs.drop_duplicates()
    p_ent = np.repeat(pairs["ent"].to_numpy(), pairs["n"].to_numpy())
    start = np.repeat(pairs["first"].to_numpy(), pairs["n"].to_numpy())
    step = np.arange(len(p_ent)) - np.repeat(
        np.cumsum(pairs["n"].to_numpy()) - pairs["n"].to_numpy(), pairs["n"].to_numpy()
    )
    points = pd.DataFrame({"ent": p_ent, "k": start + step}).drop_duplicates()
    points = points[points["k"] * every * 1_000_000 <= watermark_us]
    points = points.sort_values(["ent", "k"], ignore_index=True)
    p_ent = points["ent"].to_numpy()
    p_sec = points["k"].to_numpy() * every
    n_points = len(points)
    del pairs, start, step, points
    lap("points")

    def key(entity: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        return entity * span + (seconds * 1000 - base_ms)

    # Labels: an outcome in (t, t + horizon]; NULL (-1) while the horizon is open.
    is_outcome = np.isin(etype, spec["outcome_types"])
    outcome_keys = ceil_key[is_outcome]
    n_out = np.searchsorted(outcome_keys, key(p_ent, p_sec + horizon), "right") - np.searchsorted(
        outcome_keys, key(p_ent, p_sec), "right"
    )
    label = np.where((p_sec + horizon) * 1_000_000 <= watermark_us, (n_out > 0).astype(np.int8), -1)
    lap("labels")

    # Entity cap: the first `cap` point entities by md5('<name>:' || entity_id), entity_id.
    point_entities = np.unique(p_ent)
    prefix = spec["name"] + ":"
    digests = [hashlib.md5((prefix + names[e]).encode()).hexdigest() for e in point_entities]
    ranked = pd.DataFrame({"d": digests, "id": names[point_entities], "e": point_entities})
    capped = ranked.sort_values(["d", "id"]).head(cap)["e"].to_numpy()
    in_cap = np.isin(p_ent, capped)
    lap("entity_cap")

    # Out-of-time split: percent_rank of point_time among labelled capped points, then purge.
    eligible = (label >= 0) & in_cap
    times = np.sort(p_sec[eligible])
    n_el = len(times)
    prank = np.searchsorted(times, p_sec, "left") / max(n_el - 1, 1)
    train_f, valid_f = spec["train_fraction"], spec["validation_fraction"]
    split = np.full(n_points, "", dtype=object)
    split[eligible & (prank < train_f)] = "train"
    split[eligible & (prank >= train_f) & (prank < train_f + valid_f)] = "validation"
    split[eligible & (prank >= train_f + valid_f)] = "test"
    valid_from = p_sec[split == "validation"].min() if (split == "validation").any() else None
    test_from = p_sec[split == "test"].min() if (split == "test").any() else None
    if valid_from is not None:
        split[(split == "train") & (p_sec + horizon > valid_from)] = ""
    if test_from is not None:
        split[(split == "validation") & (p_sec + horizon > test_from)] = ""
    lap("split")

    # Top event types, ranked on events before the validation period.
    cutoff = p_sec[(split == "validation") | (split == "test")].min()
    counts = pd.Series(etype[t_us < cutoff * 1_000_000]).value_counts()
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n_top]
    rank_of = {t: r for r, (t, _) in enumerate(top, start=1)}
    type_rank = pd.Series(etype).map(rank_of).fillna(0).astype(np.int8).to_numpy()
    lap("top_types")

    # The warehouse computes features only for points with a split (labelled, capped
    # entities, not purged): the peer does the same work.
    keep = split != ""
    f_ent, f_sec = p_ent[keep], p_sec[keep]

    # Point-in-time features: half-open windows [t - w, t) as cumulative-sum differences.
    measures: dict[str, np.ndarray] = {"events": np.ones(len(ent))}
    for k in range(1, n_top + 1):
        measures[f"type{k}"] = (type_rank == k).astype(float)
    amount0 = np.nan_to_num(amount, nan=0.0)
    for column in spec["numeric"]:
        measures[f"{column}_sum"] = amount0
        for k in range(1, n_top + 1):
            measures[f"type{k}_{column}_sum"] = np.where(type_rank == k, amount0, 0.0)
    cums = {m: np.concatenate([[0.0], np.cumsum(v)]) for m, v in measures.items()}
    del measures
    at_t = np.searchsorted(floor_key, key(f_ent, f_sec), "left")
    columns: dict[str, np.ndarray] = {}
    for w in windows:
        lo = np.searchsorted(floor_key, key(f_ent, f_sec - w), "left")
        for m, c in cums.items():
            columns[f"{m}_{_label(w)}"] = c[at_t] - c[lo]
    edges = [at_t] + [
        np.searchsorted(floor_key, key(f_ent, f_sec - 7 * 86400 * k), "left")
        for k in range(1, weeks + 1)
    ]
    for k in range(1, weeks + 1):
        for m in ["events", *(f"type{j}" for j in range(1, n_top + 1))]:
            columns[f"{m}_week{k}"] = cums[m][edges[k - 1]] - cums[m][edges[k]]
    del cums
    prev = at_t - 1
    has_prev = (prev >= 0) & (ent[np.maximum(prev, 0)] == f_ent)
    prev_us = t_us[np.maximum(prev, 0)]
    columns["hours_since_last_event"] = np.where(
        has_prev, (f_sec - prev_us // 1_000_000) / 3600.0, np.nan
    )
    lap("features")

    # The training frame: float32 features plus the categorical ones.
    sums = {name: float(np.nansum(v)) for name, v in columns.items()}
    features = pd.DataFrame({name: v.astype(np.float32) for name, v in columns.items()})
    del columns
    categorical = {}
    for column in spec["categorical"]:
        values = country if column == "country" else None
        last_ok = has_prev & (prev_us >= (f_sec - longest) * 1_000_000)
        last = np.where(last_ok, values[np.maximum(prev, 0)], None)
        first_i = np.searchsorted(floor_key, key(f_ent, f_sec - longest), "left")
        first_ok = first_i < at_t
        first = np.where(first_ok, values[np.minimum(first_i, len(values) - 1)], None)
        features[f"last_{column}"] = pd.Categorical(last)
        features[f"first_{column}"] = pd.Categorical(first)
        categorical[f"last_{column}"] = int(last_ok.sum())
        categorical[f"first_{column}"] = int(first_ok.sum())
    features["label"] = label[keep]
    features["split"] = pd.Categorical(split[keep])
    lap("frame")

    splits = pd.Series(np.where(split == "", "null", split)).value_counts()
    return {
        "events": len(ent),
        "points": n_points,
        "point_entities": len(point_entities),
        "labelled": int((label >= 0).sum()),
        "positives": int((label == 1).sum()),
        "entities_in_split": len(np.unique(p_ent[split != ""])),
        "split_counts": {str(k): int(v) for k, v in splits.items()},
        "top_event_types": [t for t, _ in top],
        "feature_sums": sums,
        "categorical_non_null": categorical,
        "frame_bytes": int(features.memory_usage(deep=False).sum()),
        "steps": steps,
        "seconds": round(sum(steps.values()), 2),
    }


def main() -> None:
    events_dir, spec = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
    print(json.dumps(run(events_dir, spec)))


if __name__ == "__main__":
    main()
