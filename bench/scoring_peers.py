"""Scoring peers: this project's compiled SQL vs orbital's SQL vs XGBoost inplace_predict.

Issue 15's scoring goals, at 100 rounds x depth 6: the compiled SQL scores at
least 3x orbital's rows/s and at least 0.2x ``inplace_predict``'s. One command
measures all three on the same rows, in the same session, and writes
``bench/results/scoring_peers.json`` and ``.md``:

    python3 -m venv /tmp/orbital_venv
    /tmp/orbital_venv/bin/pip install -r bench/requirements-orbital.txt
    .venv/bin/python bench/scoring_peers.py --orbital-python /tmp/orbital_venv/bin/python

The rows and the XGBoost boosters come from ``bench/peers/scoring.py prepare``
(the scoring bench's own step: one campaign's real features from the 1M-event
sample, seed 13, tiled to ``--rows``); orbital's ensemble is trained by
``bench/peers/orbital_scoring.py`` in its own venv on the boosters' training
rows. Engines, each in its own process, ``--repeats`` timings per process, the
median kept, and ``--rounds`` passes over the engines in turn (each pass's
median recorded, the median of those reported):

* ``xgboost``: ``inplace_predict`` on the dense float32 matrix;
* ``sql``: the compiled SQL on the long relation, pivot included (as ``ml_scores_sql``);
* ``sql_wide``: the compiled trees on already pivoted DOUBLE columns;
* ``orbital``: orbital's SQL on the same wide table (orbital reads columns, so
  ``sql_wide`` is its like-for-like peer; ``sql`` is what the product runs).

This script is not part of ``bench/run.py`` (so the smoke run never needs orbital).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from run import parse_args as bench_settings

from data import generate
from harness import BENCH, PYTHON, ROOT, measure, tail

ENGINES = ["xgboost", "sql", "sql_wide", "orbital"]
GOAL_VS_ORBITAL = 3.0
GOAL_VS_INPLACE = 0.2


def run_engine(
    engine: str, work: Path, model: str, repeats: int, orbital_python: str, log: Path
) -> dict[str, Any]:
    if engine == "orbital":
        cmd = [orbital_python, str(BENCH / "peers" / "orbital_scoring.py")]
        cmd += ["--work", str(work), "--model", model, "--repeats", str(repeats)]
    else:
        cmd = [PYTHON, str(BENCH / "peers" / "scoring.py"), "score", "--work", str(work)]
        cmd += ["--engine", engine, "--model", model, "--repeats", str(repeats)]
    load = os.getloadavg()
    m = measure(cmd, log, dict(os.environ), 3600.0)
    if m["returncode"]:
        raise RuntimeError(f"{engine} {model} failed:\n{tail(m['log'])}")
    m["report"] = json.loads((ROOT / m["log"]).read_text().strip().splitlines()[-1])
    m["load_average_before"] = load
    return m


def ours_over_peers(rates: dict[str, float]) -> dict[str, float]:
    """Our long- and wide-input rates over orbital's and inplace_predict's."""
    return {
        f"{ours} / {peer}": rates[ours] / rates[engine]
        for peer, engine in (("orbital", "orbital"), ("inplace_predict", "xgboost"))
        for ours in ("sql", "sql_wide")
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orbital-python", required=True, help="python of the orbital venv")
    parser.add_argument("--grid", nargs="+", default=["20x6", "100x6"])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3, help="timings per engine process")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the engines")
    parser.add_argument("--events", type=int, default=1_000_000, help="sample the rows come from")
    parser.add_argument("--work", type=Path, default=BENCH / "work")
    parser.add_argument("--results", type=Path, default=BENCH / "results")
    args = parser.parse_args()

    settings = bench_settings(["--work", str(args.work)])
    data = generate(args.events, max(1000, int(args.events * settings.requests_ratio)), settings)
    work = settings.work / "scoring" / f"e{args.events}"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/scoring_peers.py", *sys.argv[1:]]),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
        "settings": {"rows": args.rows, "repeats": args.repeats, "rounds": args.rounds},
    }
    prep = [PYTHON, str(BENCH / "peers" / "scoring.py"), "prepare"]
    prep += ["--landing", str(data / "landing"), "--work", str(work), "--rows", str(args.rows)]
    prep += ["--grid", *args.grid]
    # prepare is deterministic (seeded sample, fixed split and boosters): reuse its output.
    cached = work / "prepare.json"
    models = [work / f"model_{g}.json" for g in args.grid]
    if not (cached.exists() and all(p.exists() for p in [*models, work / "train.parquet"])):
        m = measure(prep, work / "prepare.log", dict(os.environ), 7200.0)
        if m["returncode"] or not (work / "train.parquet").exists():
            raise SystemExit(f"prepare failed:\n{tail(m['log'])}")
        cached.write_text((ROOT / m["log"]).read_text().strip().splitlines()[-1])
    results["prepare"] = json.loads(cached.read_text())
    points = []
    for model in args.grid:
        # Fit orbital's ensemble first (cached), so no timed pass pays for training.
        fit = [args.orbital_python, str(BENCH / "peers" / "orbital_scoring.py")]
        fit += ["--work", str(work), "--model", model, "--fit-only"]
        f = measure(fit, work / f"orbital_fit_{model}.log", dict(os.environ), 7200.0)
        if f["returncode"]:
            raise SystemExit(f"orbital fit failed:\n{tail(f['log'])}")
        fitted = json.loads((ROOT / f["log"]).read_text().strip().splitlines()[-1])
        trees = json.loads((work / f"model_{model}.json").read_text())["learner"]
        trees = trees["gradient_booster"]["model"]["trees"]
        xgb_leaves = sum(t["left_children"].count(-1) for t in trees)
        point: dict[str, Any] = {"model": model, "orbital_fit": fitted, "runs": {}}
        point["xgboost_leaves"] = xgb_leaves
        for k in range(args.rounds):
            for engine in ENGINES:
                log = work / f"peers_{engine}_{model}_{k}.log"
                r = run_engine(engine, work, model, args.repeats, args.orbital_python, log)
                point["runs"].setdefault(engine, []).append(r)
                rep = r["report"]
                print(
                    f"[scoring_peers] {model} pass {k} {engine}: {rep['rows_per_s']:,.0f} rows/s "
                    f"(times {[round(t, 2) for t in rep['seconds']]}, "
                    f"load {r['load_average_before']})",
                    flush=True,
                )
        point["rows_per_s"] = {
            e: statistics.median(r["report"]["rows_per_s"] for r in runs)
            for e, runs in point["runs"].items()
        }
        # CPU seconds (process time, both threads) are less bent by the other jobs on the machine.
        point["rows_per_cpu_s"] = {
            e: args.rows / statistics.median(c for r in runs for c in r["report"]["cpu_seconds"])
            for e, runs in point["runs"].items()
        }
        point["cpu_ratios"] = ours_over_peers(point["rows_per_cpu_s"])
        rps = point["rows_per_s"]
        point["ratios"] = {
            **ours_over_peers(rps),
            "orbital / inplace_predict": rps["orbital"] / rps["xgboost"],
        }
        points.append(point)
        results["points"] = points
        write(results, args.results)
    results["machine"]["load_average_at_end"] = os.getloadavg()
    write(results, args.results)
    print(f"[scoring_peers] wrote {args.results}/scoring_peers.md", flush=True)
    return 0


def write(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "scoring_peers.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / "scoring_peers.md").write_text(markdown(results))


def _k(x: float) -> str:
    return f"{x / 1e6:.2f}M" if x >= 1e6 else f"{x / 1e3:.1f}k"


def _long_wide(ratios: dict[str, float], over: str) -> str:
    """Our long-input and wide-input ratios against ``over`` in one table cell."""
    return f"long {ratios[f'sql / {over}']:.2f}, wide {ratios[f'sql_wide / {over}']:.2f}"


def markdown(results: dict[str, Any]) -> str:
    prep = results["prepare"]
    m = results["machine"]
    lines = [
        "# Scoring peers: compiled SQL vs orbital vs XGBoost inplace_predict",
        "",
        f"Run {results['started_at']} at commit {results['commit']} on {m['cores']} cores; "
        f"command `{results['command']}`.",
        f"{prep['rows']:,} rows ({prep['distinct_rows']:,} distinct), {prep['n_features']} "
        f"features, {prep['n_classes']} classes; models trained on "
        f"{prep['train_rows_for_models']:,} rows. Load average at start "
        f"{tuple(round(x, 2) for x in m['load_average_at_start'])}"
        + (
            f", at end {tuple(round(x, 2) for x in m['load_average_at_end'])}."
            if "load_average_at_end" in m
            else "."
        ),
        "Rows/s = rows / median of the timed runs (2 threads each; see bench/scoring_peers.py).",
        "",
        "| rounds x depth | trees (xgb / orbital) | leaves (xgb / orbital) "
        "| SQL chars (ours / orbital) "
        "| inplace_predict rows/s | ours, long input rows/s | ours, wide input rows/s "
        "| orbital rows/s | ours/orbital (goal >= 3) | ours/inplace_predict (goal >= 0.2) "
        "| orbital max abs diff vs predict_proba | ours max abs diff vs xgb |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in results.get("points", []):
        rps, ratio = p["rows_per_s"], p["ratios"]
        sql = p["runs"]["sql"][0]["report"]
        orb = p["runs"]["orbital"][0]["report"]
        wide = p["runs"]["sql_wide"][0]["report"]
        lines.append(
            f"| {p['model'].replace('x', ' x ')} | {sql['n_trees']} / {orb['n_trees']} | "
            f"{p.get('xgboost_leaves', '-')} / {orb.get('n_leaves', '-')} | "
            f"{sql['sql_chars']:,} / {orb['sql_chars']:,} | {_k(rps['xgboost'])} | "
            f"{_k(rps['sql'])} | {_k(rps['sql_wide'])} | {_k(rps['orbital'])} | "
            f"{_long_wide(ratio, 'orbital')} | {_long_wide(ratio, 'inplace_predict')} | "
            f"{orb['max_abs_diff_vs_sklearn']:.1e} | "
            f"{max(sql['max_abs_diff_vs_xgboost'], wide['max_abs_diff_vs_xgboost']):.1e} |"
        )
    lines += ["", "## Goals at 100 x 6", ""]
    for p in results.get("points", []):
        if p["model"] != "100x6":
            continue
        r = p["ratios"]
        for name, key, goal in (
            ("ours >= 3x orbital's rows/s", "sql / orbital", GOAL_VS_ORBITAL),
            ("ours >= 0.2x inplace_predict's rows/s", "sql / inplace_predict", GOAL_VS_INPLACE),
        ):
            wide_key = key.replace("sql", "sql_wide", 1)
            lines.append(
                f"- {name}: {r[key]:.2f}x as the product runs it (long input, pivot included), "
                f"{'met' if r[key] >= goal else '**missed**'}; {r[wide_key]:.2f}x on the same "
                f"wide table orbital reads, {'met' if r[wide_key] >= goal else '**missed**'}."
            )
    lines += [
        "",
        "## The same on CPU seconds",
        "",
        "Rows per CPU second (process time of the scoring process, all its threads; median",
        "of every timed run). The machine was shared, so wall times include waiting for a core;",
        "CPU time does not (it still includes cache and memory-bandwidth contention).",
        "",
        "| rounds x depth | inplace_predict | ours, long | ours, wide | orbital "
        "| ours/orbital | ours/inplace_predict |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in results.get("points", []):
        c, r = p["rows_per_cpu_s"], p["cpu_ratios"]
        lines.append(
            f"| {p['model'].replace('x', ' x ')} | {_k(c['xgboost'])} | {_k(c['sql'])} | "
            f"{_k(c['sql_wide'])} | {_k(c['orbital'])} | {_long_wide(r, 'orbital')} | "
            f"{_long_wide(r, 'inplace_predict')} |"
        )
    lines += ["", "## Every timed run", ""]
    for p in results.get("points", []):
        for engine, runs in p["runs"].items():
            for r in runs:
                rep = r["report"]
                lines.append(
                    f"- {p['model']} {engine}: seconds {[round(t, 2) for t in rep['seconds']]}, "
                    f"CPU seconds {[round(t, 2) for t in rep['cpu_seconds']]}, "
                    f"peak RSS {r['peak_rss_mb']:.0f} MB, load before "
                    f"{tuple(round(x, 2) for x in r['load_average_before'])}"
                )
        fit_s = p["orbital_fit"].get("fit_s")
        if fit_s:
            lines.append(
                f"- {p['model']} orbital's GradientBoostingClassifier fit: {fit_s:.0f} s; "
                f"orbital compile (parse_pipeline + export_sql): "
                f"{p['runs']['orbital'][0]['report']['compile_s']:.0f} s"
            )
    lines.append("")
    notes = BENCH / "results" / "scoring_peers_notes.md"
    if notes.exists():
        lines += ["See bench/results/scoring_peers_notes.md.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
