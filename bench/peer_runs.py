"""The peers: the hand-written pandas + XGBoost pipeline, and XGBoost vs compiled-SQL scoring."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from harness import BENCH, PYTHON, ROOT, Settings, measure, tail


def pandas_peer(
    data: Path, settings: Settings, tag: str, train: bool, hpo: bool = True
) -> dict[str, Any]:
    """Run bench/peers/pandas_pipeline.py once; phases and counts come from its last line."""
    cmd = [PYTHON, str(BENCH / "peers" / "pandas_pipeline.py"), "--landing", str(data / "landing")]
    dv = settings.dbt_vars
    cmd += ["--num-boost-round", str(dv.get("num_boost_round", 300))]
    cmd += ["--early-stopping-rounds", str(dv.get("early_stopping_rounds", 20))]
    if train:
        cmd += ["--trials", "1", *([str(settings.hpo_trials)] if hpo else [])]
    else:
        cmd += ["--no-train"]
    log = settings.work / "peers" / tag / ("pandas_train.log" if train else "pandas_features.log")
    m = measure(cmd, log, dict(os.environ), settings.stage_timeout)
    if m["returncode"]:
        raise RuntimeError(f"pandas peer failed:\n{tail(m['log'])}")
    last = (ROOT / m["log"]).read_text().strip().splitlines()[-1]
    m["report"] = json.loads(last)
    return m


def scoring_peer(settings: Settings, landing: Path, tag: str) -> dict[str, Any]:
    """XGBoost inplace_predict vs the compiled SQL in DuckDB over a grid of model sizes."""
    out = settings.work / "scoring" / tag
    out.mkdir(parents=True, exist_ok=True)
    script = str(BENCH / "peers" / "scoring.py")
    prep = [PYTHON, script, "prepare", "--landing", str(landing), "--work", str(out)]
    prep += ["--rows", str(settings.scoring_rows)]
    prep += ["--grid", *[f"{r}x{d}" for r, d in settings.scoring_grid]]
    m = measure(prep, out / "prepare.log", dict(os.environ), settings.stage_timeout)
    if m["returncode"]:
        raise RuntimeError(f"scoring peer (prepare) failed:\n{tail(m['log'])}")
    info = json.loads((ROOT / m["log"]).read_text().strip().splitlines()[-1])
    points = []
    for rounds, depth in settings.scoring_grid:
        point: dict[str, Any] = {"rounds": rounds, "max_depth": depth}
        engines = ["xgboost", "xgboost_long", "sql"]
        # The wide-input run only splits pivot from tree cost: once, at the target point;
        # so does the run on distinct vectors only (no repeated request to score once).
        engines += ["sql_wide", "sql_distinct"] if (rounds, depth) == (100, 6) else []
        for engine in engines:
            cmd = [PYTHON, script, "score", "--work", str(out), "--engine", engine]
            cmd += ["--model", f"{rounds}x{depth}", "--repeats", str(settings.scoring_repeats)]
            log = out / f"score_{engine}_{rounds}x{depth}.log"
            r = measure(cmd, log, dict(os.environ), settings.stage_timeout)
            if r["returncode"]:
                raise RuntimeError(f"scoring peer ({engine}) failed:\n{tail(r['log'])}")
            r["report"] = json.loads((ROOT / r["log"]).read_text().strip().splitlines()[-1])
            point[engine] = r
            print(f"[bench]   scoring {rounds}x{depth} {engine}: {r['report']}", flush=True)
        points.append(point)
    return {"prepare": info, "points": points}
