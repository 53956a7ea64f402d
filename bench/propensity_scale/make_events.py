"""A synthetic event log at scale for the propensity benchmark (issue 12 item 10).

Vectorised numpy + pyarrow: N events (default 10M) for M entities (default 1M)
over W weeks (default 12) from 2026-01-05 00:00 UTC (or ending at --end-us),
12 event types with skewed frequencies (``purchase`` is the outcome type), a categorical property
(``country``, mostly the entity's home country) and a numeric one (``amount``,
log-normal, NULL on a fifth of the events). Every entity has at least one
event; activity per entity is skewed (log-normal weights) and confined to a
per-entity active span, so snapshot points follow the active entities.

Written as one Parquet file per week (columns event_id, entity_id, event_time
as timestamp[us, tz=UTC], event_type, country, amount) plus ``meta.json``.

    .venv/bin/python bench/propensity_scale/make_events.py OUT_DIR [--events N] [--entities M]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

START_US = 1_767_571_200_000_000  # 2026-01-05 00:00:00 UTC in microseconds
WEEK_US = 7 * 86_400 * 1_000_000
#: 12 event types, most frequent first; `purchase` is the outcome.
EVENT_TYPES = (
    "view",
    "scroll",
    "search",
    "click",
    "login",
    "add_to_cart",
    "wishlist",
    "remove_from_cart",
    "share",
    "coupon",
    "purchase",
    "review",
)
TYPE_WEIGHTS = np.array([30, 18, 12, 9, 7, 6, 4, 3, 2.5, 2, 1.5, 1], dtype=float)
OUTCOME_TYPE = "purchase"
COUNTRIES = ("US", "IN", "GB", "DE", "FR", "BR", "MX", "JP", "CA", "ES")
COUNTRY_WEIGHTS = np.array([30, 15, 10, 9, 8, 8, 6, 6, 4, 4], dtype=float)


def _dictionary(codes: np.ndarray, values: tuple[str, ...]) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int8)), pa.array(values)).cast(
        pa.string()
    )


def make_events(
    out: Path,
    n_events: int,
    n_entities: int,
    weeks: int = 12,
    seed: int = 12,
    end_us: int | None = None,
) -> dict:
    """Write the event log to ``out`` (Parquet per week) and return its metadata.

    ``end_us``: the log ends at this UTC time (microseconds since 1970) instead
    of starting on 2026-01-05 (run.py ends it just before the load, so the
    hourly scoring scope sees a "last hour" of events).
    """
    if n_events < n_entities:
        raise ValueError("need at least one event per entity")
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    span_us = weeks * WEEK_US
    start_us = START_US if end_us is None else end_us - span_us
    # Entities: activity weight (skewed), active span [first, first + length).
    weight = rng.lognormal(0.0, 1.0, n_entities)
    length = np.minimum(rng.exponential(3.0 * WEEK_US, n_entities), span_us).astype(np.int64)
    length = np.maximum(length, 3_600_000_000)  # at least an hour
    first = (rng.random(n_entities) * (span_us - length)).astype(np.int64)
    home = rng.choice(len(COUNTRIES), n_entities, p=COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum())
    # Events: one per entity, the rest by weight.
    extra = rng.choice(n_entities, n_events - n_entities, p=weight / weight.sum())
    entity = np.concatenate([np.arange(n_entities), extra])
    offset = (rng.random(n_events) * length[entity]).astype(np.int64)
    event_us = start_us + first[entity] + offset
    kind = rng.choice(len(EVENT_TYPES), n_events, p=TYPE_WEIGHTS / TYPE_WEIGHTS.sum())
    country = np.where(
        rng.random(n_events) < 0.9,
        home[entity],
        rng.choice(len(COUNTRIES), n_events, p=COUNTRY_WEIGHTS / COUNTRY_WEIGHTS.sum()),
    )
    amount = np.round(rng.lognormal(3.5, 1.0, n_events), 2)
    amount_null = rng.random(n_events) < 0.2
    order = np.argsort(event_us, kind="stable")
    week = (event_us[order] - start_us) // WEEK_US
    bounds = np.searchsorted(week, np.arange(weeks + 1))
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("events_w*.parquet"):
        old.unlink()
    ids = pa.array(np.arange(n_events, dtype=np.int64))
    for w in range(weeks):
        idx = order[bounds[w] : bounds[w + 1]]
        if len(idx) == 0:
            continue
        table = pa.table(
            {
                "event_id": pc.binary_join_element_wise(
                    "e", pc.utf8_lpad(ids.take(pa.array(idx)).cast(pa.string()), 9, "0"), ""
                ),
                "entity_id": pc.binary_join_element_wise(
                    "u", pc.utf8_lpad(pa.array(entity[idx]).cast(pa.string()), 7, "0"), ""
                ),
                "event_time": pa.array(event_us[idx], type=pa.timestamp("us", tz="UTC")),
                "event_type": _dictionary(kind[idx], EVENT_TYPES),
                "country": _dictionary(country[idx], COUNTRIES),
                "amount": pa.array(amount[idx], mask=amount_null[idx]),
            }
        )
        pq.write_table(table, out / f"events_w{w:02d}.parquet", compression="zstd")
    counts = np.bincount(kind, minlength=len(EVENT_TYPES))
    meta = {
        "seed": seed,
        "n_events": n_events,
        "n_entities": n_entities,
        "weeks": weeks,
        "start_us": start_us,
        "end_us": start_us + span_us,
        "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start_us // 1_000_000)),
        "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime((start_us + span_us) // 1_000_000)),
        "event_types": list(EVENT_TYPES),
        "outcome_type": OUTCOME_TYPE,
        "events_by_type": {t: int(c) for t, c in zip(EVENT_TYPES, counts, strict=True)},
        "files": sorted(p.name for p in out.glob("events_w*.parquet")),
        "bytes": sum(p.stat().st_size for p in out.glob("events_w*.parquet")),
        "seconds": round(time.perf_counter() - started, 2),
    }
    (out.parent / f"{out.name}_meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the Parquet files")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--end-us", type=int, default=None, help="end (UTC us since 1970)")
    args = parser.parse_args(argv)
    meta = make_events(args.out, args.events, args.entities, args.weeks, args.seed, args.end_us)
    print(json.dumps({k: v for k, v in meta.items() if k != "files"}))


if __name__ == "__main__":
    main()
