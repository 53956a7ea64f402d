"""One benchmark size end to end: the full sizes (every stage, repeated, with peers) and
the SQL-only sizes (feature SQL on a directly loaded staging table)."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path
from typing import Any

from data import expanded, generate
from harness import Settings, fmt_sample, summarize
from peer_runs import pandas_peer
from results import save
from warehouse import (
    FEATURES,
    INGESTION,
    REQUEST_FEATURES,
    SCORE_PY,
    SCORE_SQL,
    TRAIN_1,
    TRAINING,
    Warehouse,
    load_staging_directly,
    stage_rows,
    warehouse_counts,
)


def run_full_size(n_events: int, settings: Settings, results: dict[str, Any]) -> None:
    n_requests = max(1000, int(n_events * settings.requests_ratio))
    data = generate(n_events, n_requests, settings)
    key = f"{n_events}"
    entry: dict[str, Any] = {"events": n_events, "requests": n_requests, "kind": "full"}
    results["sizes"][key] = entry
    stages: dict[str, list[dict[str, Any]]] = {}
    peers: dict[str, list[dict[str, Any]]] = {"pandas_features": [], "pandas_train": []}
    parity: dict[str, Any] = {}
    hpo = ("train_hpo", TRAINING, "", {"hpo_trials": settings.hpo_trials}, "events")
    for rep in range(settings.repeats_for(n_events)):
        tag = f"e{n_events}_rep{rep}"
        wh = Warehouse(data, settings.work / "db" / f"e{n_events}.duckdb", settings, tag)
        wh.reset()
        plan = [INGESTION, FEATURES]
        trains = rep < settings.train_repeats and n_events <= settings.train_max_events
        if trains:
            # The smoke run skips the 1-trial build: the HPO build runs the same code.
            plan += [] if settings.smoke else [TRAIN_1]
            plan += [hpo] if n_events <= settings.hpo_max_events else []
            plan += [REQUEST_FEATURES, SCORE_PY, SCORE_SQL]
        for stage in plan:
            print(f"[bench] {n_events:,} events, repeat {rep + 1}: {stage[0]}", flush=True)
            try:
                m = wh.build(stage)
            except RuntimeError as exc:  # recorded; later stages may still run
                entry.setdefault("errors", []).append(f"repeat {rep + 1}: {str(exc)[-2000:]}")
                print(f"[bench]   FAILED: {str(exc)[-400:]}", flush=True)
                continue
            stages.setdefault(stage[0], []).append(m)
            print(f"[bench]   {fmt_sample(m)}", flush=True)
        if rep == 0 and trains and ("train_1_trial" in stages or "train_hpo" in stages):
            parity["warehouse"] = warehouse_counts(wh)
        print(f"[bench] {n_events:,} events, repeat {rep + 1}: pandas peer", flush=True)
        p = pandas_peer(data, settings, tag, train=False)
        peers["pandas_features"].append(p)
        print(f"[bench]   {fmt_sample(p)} {p['report']['phases']}", flush=True)
        if trains:
            hpo_too = settings.peer_hpo and n_events <= settings.hpo_max_events
            p = pandas_peer(data, settings, tag, train=True, hpo=hpo_too)
            peers["pandas_train"].append(p)
            print(f"[bench]   {fmt_sample(p)} {p['report']['phases']}", flush=True)
        if rep == 0:
            source = peers["pandas_train"] or peers["pandas_features"]
            parity["pandas"] = source[0]["report"]["campaigns"]
        save(results, settings)
        wh.reset()
    if settings.capped_memory_limit:
        capped_ingestion_and_features(data, n_events, settings, stages, entry)
    rows = {"events": n_events, "requests": n_requests}
    entry["stages"] = {
        name: summarize(samples, rows[stage_rows(name)]) for name, samples in stages.items()
    }
    entry["peers"] = {}
    for name, samples in peers.items():
        if samples:
            entry["peers"][name] = summarize(samples, n_events)
            entry["peers"][name]["phases_median"] = {
                phase: statistics.median(s["report"]["phases"][phase] for s in samples)
                for phase in samples[0]["report"]["phases"]
            }
    entry["parity"] = parity
    save(results, settings)


def capped_ingestion_and_features(
    data: Path, n_events: int, settings: Settings, stages: dict[str, list], entry: dict
) -> None:
    """Ingestion + feature SQL once more with DuckDB's buffer pool capped at
    ``--capped-memory-limit``: what the memory target costs in time."""
    cap = settings.capped_memory_limit
    db = settings.work / "db" / f"e{n_events}.duckdb"
    wh = Warehouse(data, db, settings, f"e{n_events}_capped", memory_limit=cap)
    wh.reset()
    for stage in (INGESTION, FEATURES):
        name = f"{stage[0]}@{cap}"
        print(f"[bench] {n_events:,} events: {name}", flush=True)
        try:
            m = wh.build(stage)
        except RuntimeError as exc:
            entry.setdefault("errors", []).append(f"{name}: {str(exc)[-2000:]}")
            print(f"[bench]   FAILED: {str(exc)[-400:]}", flush=True)
            break
        stages.setdefault(name, []).append(m)
        print(f"[bench]   {fmt_sample(m)}", flush=True)
    wh.reset()


def run_sql_only_size(n_events: int, settings: Settings, results: dict[str, Any]) -> None:
    data = expanded(n_events, settings)
    tag = f"e{n_events}_sql"
    wh = Warehouse(data, settings.work / "db" / f"e{n_events}.duckdb", settings, tag)
    wh.reset()
    entry: dict[str, Any] = {"events": n_events, "requests": 1000, "kind": "sql_only"}
    results["sizes"][f"{n_events}"] = entry
    try:
        print(f"[bench] {n_events:,} events: loading staging directly", flush=True)
        load = load_staging_directly(wh, n_events)
        print(f"[bench]   {fmt_sample(load)}", flush=True)
        entry["load_staging"] = summarize([load], n_events)
        print(f"[bench] {n_events:,} events: feature SQL", flush=True)
        try:
            m = wh.build(FEATURES, models_only=not settings.sql_only_tests)
            entry["data_tests"] = settings.sql_only_tests
            entry["stages"] = {"feature_sql": summarize([m], n_events)}
            print(f"[bench]   {fmt_sample(m)}", flush=True)
        except RuntimeError as exc:
            entry["error"] = str(exc)[-3000:]
            print(f"[bench]   FAILED: {str(exc)[-600:]}", flush=True)
        entry["db_size_mb"] = wh.db.stat().st_size / 2**20 if wh.db.exists() else None
    finally:
        wh.reset()
        shutil.rmtree(settings.work / "duckdb_tmp", ignore_errors=True)
        save(results, settings)
