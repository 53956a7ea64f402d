"""Assembling the report: one HTML document from the sections, written to disk."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from warehouse_ml.report.charts import _esc
from warehouse_ml.report.queries import ReportData, ReportError, collect_report_data
from warehouse_ml.report.sections import (
    _section_confusion,
    _section_drift,
    _section_eda,
    _section_importance,
    _section_probabilities,
    _section_quality,
    _section_rare_values,
    _section_reliability,
    _section_served,
    _section_summary,
)


def _css() -> str:
    """The stylesheet shipped beside this module (``style.css``), inlined into the page."""
    return resources.files("warehouse_ml.report").joinpath("style.css").read_text("utf-8")


def build_report(
    database: str | Path,
    out: str | Path,
    *,
    progress: Callable[[str], None] = print,
) -> Path:
    """Read ``database`` (a DuckDB file, opened read-only) and write the HTML report to ``out``.

    Raises:
        ReportError: the file is missing or locked by another process, or the
            monitoring tables are not there.
    """
    import duckdb

    path = Path(database)
    if not path.is_file():
        raise ReportError(f"no DuckDB file at {path}: build the warehouse first (`make demo`)")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:  # another process holds a write lock
        if "lock" in str(exc).lower():
            raise ReportError(
                f"another process holds {path} (a running dbt build, a DuckDB shell or a BI "
                "tool); DuckDB allows one writer: wait for it or close it, then run again"
            ) from exc
        raise ReportError(f"cannot open {path}: {exc}") from exc
    try:
        data = collect_report_data(con, str(path), progress)
    finally:
        con.close()
    progress("[warehouse_ml] report: rendering")
    text = render_report(data)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    progress(f"[warehouse_ml] report: wrote {target} ({len(text) / 1024:.0f} KiB)")
    return target


def render_report(data: ReportData) -> str:
    """The whole report as one HTML document (no external resources)."""
    sections = [
        _section_summary(data),
        _section_quality(data),
        _section_confusion(data),
        _section_drift(data),
        _section_rare_values(data),
        _section_probabilities(data),
        _section_reliability(data),
        _section_served(data),
        _section_importance(data),
        _section_eda(data),
    ]
    nav = " · ".join(
        f'<a href="#{anchor}" style="color:#93c5fd">{name}</a>'
        for anchor, name in (
            ("quality", "quality"),
            ("confusion", "confusion"),
            ("drift", "drift"),
            ("rare-values", "rare values"),
            ("probabilities", "probabilities"),
            ("reliability", "reliability"),
            ("served", "served"),
            ("importance", "importance"),
            ("eda", "EDA"),
        )
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>warehouse_ml monitoring report</title>"
        f"<style>\n{_css()}</style></head><body>"
        "<header><h1>warehouse_ml · monitoring report</h1>"
        f"<p>{_esc(data.database)} · generated {_esc(data.generated_at)} UTC · {nav}</p></header>"
        f"<main>{''.join(sections)}</main></body></html>\n"
    )
