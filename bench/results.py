"""Results: the JSON and Markdown files a run writes, the smoke checks, tool versions."""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

from harness import BENCH, Settings
from targets import targets

MET = {True: "yes", False: "**no**", None: "not measured"}


def save(results: dict[str, Any], settings: Settings) -> None:
    results["targets"] = targets(results, settings)
    out = settings.results or settings.work / "smoke_results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{settings.name}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (out / f"{settings.name}.md").write_text(markdown(results))


def _n(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "-"
    if abs(x) >= 1e6:
        return f"{x / 1e6:.{digits}f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:.0f}k"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}f}"


def _cold_parse(stage: dict[str, Any]) -> str:
    walls = [m["cold_parse"]["wall_s"] for m in stage.get("samples", []) if m.get("cold_parse")]
    return f"{statistics.median(walls):.1f}" if walls else "-"


def markdown(results: dict[str, Any]) -> str:
    lines = [
        "# warehouse_ml benchmark",
        "",
        f"Run {results['started_at']} on {results['machine']['cores']} cores, "
        f"{results['machine']['memory_gb']:.0f} GB; command `{results['command']}`.",
        "Medians over repeats, spread as min-max wall seconds. Peak RSS: `ru_maxrss` of the",
        "stage's child process (see bench/README.md). Rows/s counts input events (requests for",
        "the scoring stages).",
        "",
        *([f"Note: {results['note']}", ""] if results.get("note") else []),
        "## Stages",
        "",
        "dbt stages run with a warm partial parse, as a scheduled build does; `cold parse s` is",
        "the untimed full `dbt parse` of the same vars run just before (a first or changed build",
        "pays it once, on top of the stage's time).",
        "",
        "| size | stage | n | wall s (median) | spread s | CPU s | rows/s | peak RSS MB "
        "| cold parse s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, entry in results["sizes"].items():
        items = list((entry.get("stages") or {}).items())
        if "load_staging" in entry:
            items.insert(0, ("(bench loader: staging table)", entry["load_staging"]))
        items += [(f"peer: {k}", v) for k, v in (entry.get("peers") or {}).items()]
        for name, s in items:
            lines.append(
                f"| {int(key):,} | {name} | {s['n']} | {s['wall_s_median']:.1f} | "
                f"{s['wall_s_min']:.1f}-{s['wall_s_max']:.1f} | {s['cpu_s_median']:.1f} | "
                f"{_n(s['rows_per_s'])} | {s['peak_rss_mb_median']:.0f} | {_cold_parse(s)} |"
            )
        if "error" in entry:
            lines.append(f"| {int(key):,} | feature_sql | FAILED | see benchmark.json | | | | | |")
    lines += ["", "## pandas peer phases (median seconds)", ""]
    for key, entry in results["sizes"].items():
        for name, s in (entry.get("peers") or {}).items():
            phases = ", ".join(f"{k} {v:.1f}" for k, v in s.get("phases_median", {}).items())
            lines.append(f"- {int(key):,} events, {name}: {phases}")
    scoring = results.get("scoring")
    if scoring:
        prep = scoring["prepare"]
        lines += [
            "",
            "## Scoring: XGBoost inplace_predict vs compiled SQL in DuckDB "
            f"({prep['rows']:,} rows, {prep['n_features']} features, {prep['n_classes']} classes)",
            "",
            "| rounds x depth | trees | SQL chars | inplace_predict rows/s "
            "| SQL rows/s (long input) | SQL/xgb | SQL rows/s (wide input) "
            "| SQL rows/s (distinct vectors only) | xgb rows/s (long input) | RSS MB xgb / SQL |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for p in scoring["points"]:
            x, s = p["xgboost"]["report"], p["sql"]["report"]
            w = p["sql_wide"]["report"] if "sql_wide" in p else {"rows_per_s": None}
            d = p["sql_distinct"]["report"] if "sql_distinct" in p else {"rows_per_s": None}
            xl = p["xgboost_long"]["report"]
            lines.append(
                f"| {p['rounds']} x {p['max_depth']} | {s['n_trees']} | {_n(s['sql_chars'], 0)} | "
                f"{_n(x['rows_per_s'])} | {_n(s['rows_per_s'])} | "
                f"{s['rows_per_s'] / x['rows_per_s']:.2f} | {_n(w['rows_per_s'])} | "
                f"{_n(d['rows_per_s'])} | {_n(xl['rows_per_s'])} | "
                f"{p['xgboost']['peak_rss_mb']:.0f} / {p['sql']['peak_rss_mb']:.0f} |"
            )
    lines += ["", "## Targets", "", "| target | size | measured | met |"]
    lines += ["| --- | --- | --- | --- |"]
    for t in results.get("targets", []):
        measured = "; ".join(
            f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}"
            for k, v in t["measured"].items()
        )
        lines.append(f"| {t['target']} | {t['size']:,} | {measured} | {MET[t['met']]} |")
    lines.append("")
    notes = BENCH / "results" / "NOTES.md"
    if results.get("official") and notes.exists():
        lines += ["See bench/results/NOTES.md for causes of missed targets.", ""]
    return "\n".join(lines)


def smoke_checks(results: dict[str, Any]) -> int:
    """The smoke run fails when the peer and the warehouse stop doing the same work."""
    problems = []
    for key, entry in results["sizes"].items():
        problems += [f"{key}: {e[-300:]}" for e in entry.get("errors", [])]
        problems += [f"{key}: {entry['error'][-300:]}"] if "error" in entry else []
        if entry.get("kind") != "full":
            continue
        parity = entry.get("parity") or {}
        if "warehouse" not in parity or "pandas" not in parity:
            problems.append(f"{key}: no parity check (a training stage or the peer failed)")
            continue
        wh, pd_ = parity["warehouse"], parity["pandas"]
        if sorted(wh) != sorted(pd_):
            problems.append(f"campaigns differ: {sorted(wh)} vs {sorted(pd_)}")
            continue
        for cid in wh:
            for k in ("n_features", "n_train_rows", "n_validation_rows", "n_test_rows"):
                if wh[cid][k] != pd_[cid][k]:
                    problems.append(f"{cid} {k}: warehouse {wh[cid][k]} vs pandas {pd_[cid][k]}")
    for p in problems:
        print(f"[bench] smoke: {p}", file=sys.stderr)
    return 1 if problems else 0


def versions() -> dict[str, str]:
    from importlib.metadata import version

    names = ("dbt-core", "dbt-duckdb", "duckdb", "xgboost", "pandas", "pyarrow", "numpy")
    return {p: version(p) for p in names}
