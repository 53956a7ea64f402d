"""One static HTML report of the warehouse's monitoring tables (``wml report``).

What: reads the DuckDB file a build produced (read-only) and writes a single
self-contained HTML file: inline CSS and inline SVG charts, no JavaScript and
no network access, so it opens from disk in any browser and can be mailed or
archived. Sections:

* campaigns needing retraining (``models_needing_retraining``) and a summary;
* model quality per monitoring session (``ml_metrics``, serving models, test split);
* the confusion matrix of every serving model (``ml_metrics_latest``);
* feature and prediction drift per campaign: the latest session as bars and
  every session as lines (``ml_drift``);
* rare-value histograms before and after rare-value handling (``eda_rare_values``);
* the distribution of predicted probabilities (``offer_predictions``);
* the EDA tables (CV by split, target distribution, null rates, IQR outliers,
  strongest correlations).

Why: the seed's workflow ends with dashboards on model metrics and drift; this
is the zero-infrastructure version of that, built from the same tables a BI
tool would read.

Every chart is a ``<figure class="chart" data-chart="<kind>">`` whose marks carry
their data in ``data-*`` attributes (``data-value`` holds the exact number), and
whose numbers are also embedded as JSON (``<script type="application/json"
class="chart-data">``), so tests and other tools can read the figures back.

Example::

    >>> from warehouse_ml.report import build_report   # doctest: +SKIP
    >>> build_report("warehouse.duckdb", "reports/report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["ReportError", "build_report", "collect_report_data", "render_report"]

#: Tables the report needs; a warehouse without them was not built with monitoring.
REQUIRED_TABLES: tuple[str, ...] = (
    "ml_models",
    "ml_metrics",
    "ml_metrics_latest",
    "ml_drift",
    "ml_prediction_stats",
    "models_needing_retraining",
    "offer_predictions",
    "ml_drift_requests",
    "eda_rare_values",
    "eda_cv_by_split",
    "eda_target_distribution",
    "eda_null_rates",
    "eda_iqr_outliers",
    "eda_target_correlation",
)
#: Test-split metrics charted per session.
QUALITY_METRICS: tuple[str, ...] = ("hamming_loss", "macro_f1", "log_loss")
#: Values shown one by one per rare-value histogram (the most frequent before
#: handling); the rest are summed into a "more values" and a "rare values" row.
RARE_VALUES_SHOWN = 15
#: Bins of the predicted-probability histograms, on [0, 1].
PROBABILITY_BINS = 20
PALETTE: tuple[str, ...] = (
    "#2563eb",
    "#ea580c",
    "#16a34a",
    "#9333ea",
    "#dc2626",
    "#0891b2",
    "#ca8a04",
    "#db2777",
)
DRIFTED = "#dc2626"
CALM = "#2563eb"


class ReportError(RuntimeError):
    """The report cannot be made (no database, locked file, tables missing)."""


@dataclass
class ReportData:
    """Everything the report shows, as plain Python values read from the warehouse."""

    database: str
    generated_at: str
    sessions: list[dict[str, Any]] = field(default_factory=list)
    retraining: list[dict[str, Any]] = field(default_factory=list)
    serving: list[dict[str, Any]] = field(default_factory=list)
    quality: list[dict[str, Any]] = field(default_factory=list)
    confusion: list[dict[str, Any]] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)
    rare_values: list[dict[str, Any]] = field(default_factory=list)
    probabilities: list[dict[str, Any]] = field(default_factory=list)
    prediction_stats: list[dict[str, Any]] = field(default_factory=list)
    eda: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Reading the warehouse
# --------------------------------------------------------------------------------------
def _rows(con: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Query results as a list of dicts (column name -> value)."""
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _iso(value: Any) -> str:
    """A timestamp as ISO text (UTC when it has a zone)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def collect_report_data(
    con: Any, database: str = "", progress: Callable[[str], None] = print
) -> ReportData:
    """Read every figure the report shows from an open DuckDB connection.

    Raises:
        ReportError: a required table is missing (the monitoring models were not built).
    """
    present = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    missing = [t for t in REQUIRED_TABLES if t not in present]
    if missing:
        raise ReportError(
            f"the warehouse has no {', '.join(missing)}: run `dbt build` (with the monitoring "
            "models) before `wml report`"
        )
    data = ReportData(database=database, generated_at=_iso(datetime.now(UTC)))

    progress("[warehouse_ml] report: reading sessions and serving models")
    data.sessions = _rows(
        con,
        """
        select invocation_id, min(recorded_at) as recorded_at
        from (
            select invocation_id, recorded_at from ml_metrics
            union all
            select invocation_id, recorded_at from ml_drift
        ) as sessions
        group by invocation_id
        order by min(recorded_at), invocation_id
        """,
    )
    for n, session in enumerate(data.sessions, start=1):
        session["label"] = f"S{n}"
        session["recorded_at"] = _iso(session["recorded_at"])
    data.retraining = _rows(
        con,
        """
        select campaign_id, model_id, invocation_id, reason, n_drifted_features,
               n_drifted_predictions, max_kl_divergence, threshold
        from models_needing_retraining
        order by max_kl_divergence desc, campaign_id
        """,
    )
    data.serving = _rows(
        con,
        """
        select serving.campaign_id, serving.model_id, serving.serving_reason, models.classes,
               models.status_reason, models.trained_at
        from ml_serving_models as serving
        inner join ml_models as models on serving.model_id = models.model_id
        order by serving.campaign_id
        """,
    )
    for row in data.serving:
        row["trained_at"] = _iso(row["trained_at"])

    progress("[warehouse_ml] report: reading the metric history (ml_metrics)")
    data.quality = _rows(
        con,
        f"""
        select invocation_id, campaign_id, model_id, metric, value
        from ml_metrics
        where split = 'test' and is_serving
          and metric in ({", ".join("'" + m + "'" for m in QUALITY_METRICS)})
        order by recorded_at, campaign_id, metric
        """,
    )
    cells = _rows(
        con,
        """
        select latest.model_id, latest.campaign_id, latest.metric, latest.value
        from ml_metrics_latest as latest
        inner join ml_serving_models as serving on latest.model_id = serving.model_id
        where latest.split = 'test' and latest.metric like 'confusion[%'
        order by latest.campaign_id, latest.metric
        """,
    )
    data.confusion = _confusion_matrices(cells, data.serving)

    progress("[warehouse_ml] report: reading drift (ml_drift, ml_prediction_stats)")
    data.drift = _rows(
        con,
        """
        select invocation_id, campaign_id, model_id, kind, feature, reference,
               kl_divergence, threshold, is_drifted
        from ml_drift
        order by recorded_at, campaign_id, kind, feature, reference
        """,
    )
    data.prediction_stats = _rows(
        con,
        """
        select stats.invocation_id, stats.campaign_id, stats.model_id, stats.n_predictions,
               stats.top_probability_mean, stats.top_probability_std
        from ml_prediction_stats as stats
        order by stats.recorded_at, stats.campaign_id
        """,
    )

    progress("[warehouse_ml] report: reading rare values and predicted probabilities")
    data.rare_values = _rows(
        con,
        """
        select campaign_id, column_name, category, is_rare, n_rows_before, n_rows_after
        from eda_rare_values
        order by campaign_id, column_name, n_rows_before desc, category
        """,
    )
    data.probabilities = _rows(
        con,
        f"""
        select predictions.campaign_id,
               least(cast(floor(predictions.probability * {PROBABILITY_BINS}) as integer),
                     {PROBABILITY_BINS - 1}) as bin_index,
               count(*) as n_predictions
        from offer_predictions as predictions
        inner join ml_drift_requests as monitored
            on predictions.request_id = monitored.request_id
        where predictions.probability is not null
        group by 1, 2
        order by 1, 2
        """,
    )

    progress("[warehouse_ml] report: reading the EDA tables")
    data.eda = {
        "cv_by_split": _rows(con, "select * from eda_cv_by_split order by campaign_id, feature"),
        "target_distribution": _rows(
            con,
            "select * from eda_target_distribution order by campaign_id, split, offer_id",
        ),
        "null_rates": _rows(
            con,
            """
            select dataset, column_name, is_model_input, sum(n_rows) as n_rows,
                   sum(n_missing) as n_missing,
                   cast(sum(n_missing) as double) / sum(n_rows) as null_rate
            from eda_null_rates
            group by dataset, column_name, is_model_input
            order by dataset, null_rate desc, column_name
            """,
        ),
        "iqr_outliers": _rows(
            con, "select * from eda_iqr_outliers order by campaign_id, feature, split"
        ),
        "correlations": _rows(
            con,
            """
            select campaign_id, offer_id, feature_name, method, correlation, strength_rank
            from eda_target_correlation
            where strength_rank <= 3
            order by campaign_id, offer_id, strength_rank
            """,
        ),
    }
    return data


_CONFUSION = re.compile(r"^confusion\[(.+)\]\[(.+)\]$")


def _confusion_matrices(
    cells: Iterable[Mapping[str, Any]], serving: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One matrix per serving model: offers in class order, counts[true][predicted]."""
    by_model: dict[str, dict[tuple[str, str], float]] = {}
    for cell in cells:
        match = _CONFUSION.match(str(cell["metric"]))
        if match:
            by_model.setdefault(cell["model_id"], {})[match.groups()] = float(cell["value"])
    out = []
    for model in serving:
        counts = by_model.get(model["model_id"])
        if not counts:
            continue
        classes = json.loads(model["classes"]) if model.get("classes") else {}
        labels = sorted(classes, key=lambda offer: classes[offer])
        labels += sorted({t for t, _ in counts} - set(labels))
        matrix = [[counts.get((t, p), 0.0) for p in labels] for t in labels]
        out.append(
            {
                "campaign_id": model["campaign_id"],
                "model_id": model["model_id"],
                "labels": labels,
                "matrix": matrix,
            }
        )
    return out


def rare_value_rows(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows one rare-value histogram shows, from one campaign and column's
    ``eda_rare_values`` rows ordered by ``n_rows_before`` (largest first).

    The first :data:`RARE_VALUES_SHOWN` values one by one, then the remaining
    common values and the remaining rare values each summed into one row
    (``is_aggregate``), so every training row is accounted for.
    """
    shown = [{**row, "is_aggregate": False} for row in rows[:RARE_VALUES_SHOWN]]
    rest = rows[RARE_VALUES_SHOWN:]
    for rare, label in ((False, "more values"), (True, "rare values")):
        group = [r for r in rest if bool(r["is_rare"]) is rare]
        if group:
            shown.append(
                {
                    "category": f"({len(group)} {label})",
                    "is_rare": rare,
                    "n_rows_before": sum(int(r["n_rows_before"]) for r in group),
                    "n_rows_after": sum(int(r["n_rows_after"]) for r in group),
                    "is_aggregate": True,
                }
            )
    return shown


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


# --------------------------------------------------------------------------------------
# SVG building blocks
# --------------------------------------------------------------------------------------
def _esc(value: Any) -> str:
    """Text escaped for HTML content and attribute values."""
    return html.escape(str(value), quote=True)


def _num(value: Any) -> str:
    """An exact, round-trippable number for ``data-value`` (``nan`` for missing)."""
    if value is None:
        return "nan"
    return repr(float(value))


def _fmt(value: Any, digits: int = 3) -> str:
    """A number for people: fixed digits, thousands separators for counts."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    number = float(value)
    if number == int(number) and abs(number) >= 1000:
        return f"{int(number):,}"
    return f"{number:.{digits}f}"


def _short(identifier: Any) -> str:
    """The first block of a UUID (enough to tell campaigns and offers apart)."""
    return str(identifier).split("-")[0]


def _attrs(**attributes: Any) -> str:
    """``key="value"`` pairs; underscores become dashes (``data_value`` -> ``data-value``)."""
    return " ".join(
        f'{k.rstrip("_").replace("_", "-")}="{_esc(v)}"'
        for k, v in attributes.items()
        if v is not None
    )


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _figure(kind: str, title: str, svg: str, payload: Any, **attributes: Any) -> str:
    """A chart: caption, SVG and its data as embedded JSON."""
    blob = json.dumps(payload, default=str, sort_keys=True).replace("</", "<\\/")
    return (
        f'<figure class="chart" {_attrs(data_chart=kind, **attributes)}>'
        f"<figcaption>{_esc(title)}</figcaption>{svg}"
        f'<script type="application/json" class="chart-data">{blob}</script></figure>'
    )


def _axis_y(x0: float, y0: float, height: float, y_max: float, width: float) -> list[str]:
    """Horizontal grid lines with labels at 0, 1/4, ..., 1 of ``y_max``."""
    parts = []
    whole = y_max >= 4 and float(y_max / 4).is_integer()
    for i in range(5):
        value = y_max * i / 4
        y = y0 + height - height * i / 4
        text = f"{int(value):,}" if whole else f"{value:.3f}".rstrip("0").rstrip(".")
        parts.append(f'<line class="grid" x1="{x0}" x2="{x0 + width}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{x0 - 4}" y="{y + 3:.1f}" text-anchor="end">{text}</text>'
        )
    return parts


def _legend(
    items: Sequence[tuple[str, str]], x: float, y: float, threshold: float | None = None
) -> list[str]:
    """Colour swatches with labels in one row, then the dashed threshold line's key."""
    parts, offset = [], 0.0
    for label, colour in items:
        parts.append(
            f'<rect x="{x + offset:.1f}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
        )
        parts.append(f'<text class="legend" x="{x + offset + 14:.1f}" y="{y}">{_esc(label)}</text>')
        offset += 24 + 6 * len(label)
    if threshold is not None:
        parts.append(
            f'<line class="threshold" x1="{x + offset:.1f}" x2="{x + offset + 18:.1f}" '
            f'y1="{y - 4}" y2="{y - 4}"/>'
            f'<text class="legend" x="{x + offset + 22:.1f}" y="{y}">'
            f"threshold {_fmt(threshold, 3)}</text>"
        )
    return parts


def _line_chart(
    series: Mapping[str, Sequence[tuple[int, float]]],
    x_labels: Sequence[str],
    *,
    mark_attrs: Callable[[str, int, float], Mapping[str, Any]],
    threshold: float | None = None,
    width: int = 520,
    height: int = 220,
) -> str:
    """Lines over sessions (x = session position); points carry ``data-*`` attributes."""
    left, top, plot_w, plot_h = 52, 26, width - 70, height - 62
    values = [v for points in series.values() for _, v in points if v is not None]
    y_max = _nice_max(max([*values, threshold or 0.0, 1e-9]))
    n = max(len(x_labels), 1)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y_at(v: float) -> float:
        return top + plot_h - plot_h * (v / y_max)

    parts = [f'<svg class="plot" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    parts += _axis_y(left, top, plot_h, y_max, plot_w)
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text class="tick" x="{x_at(i):.1f}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{_esc(label)}</text>'
        )
    if threshold is not None:
        y = y_at(threshold)
        parts.append(
            f'<line class="threshold" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f"{_attrs(data_threshold=_num(threshold))}/>"
        )
    legend = []
    for k, (name, points) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        legend.append((name, colour))
        coords = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in points)
        parts.append(f'<polyline class="line" points="{coords}" stroke="{colour}"/>')
        for i, v in points:
            parts.append(
                f'<circle class="point" cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="3.5" '
                f'fill="{colour}" '
                f"{_attrs(**mark_attrs(name, i, v))}><title>{_esc(name)} {_esc(x_labels[i])}: "
                f"{_fmt(v, 4)}</title></circle>"
            )
    parts += _legend(legend, left, height - 8, threshold)
    parts.append("</svg>")
    return "".join(parts)


def _bar_chart(
    bars: Sequence[Mapping[str, Any]],
    *,
    threshold: float | None = None,
    width: int = 520,
    height: int = 220,
    series: Sequence[tuple[str, str]] = (),
) -> str:
    """Vertical bars grouped by ``group``; each bar is a dict with ``group``,
    ``value``, ``colour``, ``attrs`` (``data-*``), ``tip`` and optionally
    ``label`` (the group's tick text, default the group key)."""
    left, top, plot_w, plot_h = 52, 26, width - 70, height - 72
    groups = list(dict.fromkeys(b["group"] for b in bars))
    y_max = _nice_max(max([float(b["value"]) for b in bars] + [threshold or 0.0, 1e-9]))
    parts = [f'<svg class="plot" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    parts += _axis_y(left, top, plot_h, y_max, plot_w)
    group_w = plot_w / max(len(groups), 1)
    for g, group in enumerate(groups):
        members = [b for b in bars if b["group"] == group]
        bar_w = max(min((group_w - 6) / len(members), 28), 2)
        start = left + g * group_w + (group_w - bar_w * len(members)) / 2
        for k, bar in enumerate(members):
            value = float(bar["value"])
            h = plot_h * value / y_max
            parts.append(
                f'<rect class="bar" x="{start + k * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{bar_w - 1:.1f}" height="{h:.1f}" fill="{bar["colour"]}" '
                f"{_attrs(**bar['attrs'])}><title>{_esc(bar['tip'])}</title></rect>"
            )
        x_mid = left + (g + 0.5) * group_w
        lines = str(members[0].get("label", group)).split("\n")
        spans = "".join(
            f'<tspan x="{x_mid:.1f}" dy="{0 if k == 0 else 11}">{_esc(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts.append(
            f'<text class="tick" x="{x_mid:.1f}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{spans}</text>'
        )
    if threshold is not None:
        y = top + plot_h - plot_h * threshold / y_max
        parts.append(
            f'<line class="threshold" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f"{_attrs(data_threshold=_num(threshold))}/>"
        )
    parts += _legend(series, left, height - 8, threshold)
    parts.append("</svg>")
    return "".join(parts)


def _hbar_pairs(
    rows: Sequence[Mapping[str, Any]], *, campaign: str, column: str, width: int = 520
) -> str:
    """Horizontal before/after bars per category value (rare values highlighted)."""
    row_h, left, top = 16, 150, 8
    height = top + row_h * len(rows) + 34
    plot_w = width - left - 60
    x_max = _nice_max(max([float(r["n_rows_before"]) for r in rows] + [1.0]))
    parts = [f'<svg class="plot" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for i, row in enumerate(rows):
        y = top + i * row_h
        label = str(row["category"])
        label = label if len(label) <= 22 else label[:21] + "…"
        cls = "tick rare" if row["is_rare"] else "tick"
        parts.append(
            f'<text class="{cls}" x="{left - 6}" y="{y + 11}" text-anchor="end">'
            f"{_esc(label)}</text>"
        )
        for k, (key, colour) in enumerate((("n_rows_before", "#94a3b8"), ("n_rows_after", CALM))):
            value = float(row[key])
            w = plot_w * value / x_max
            parts.append(
                f'<rect class="bar" x="{left}" y="{y + 1 + k * 7}" width="{w:.1f}" height="6" '
                f'fill="{colour}" '
                + _attrs(
                    data_campaign=campaign,
                    data_column=column,
                    data_category=row["category"],
                    data_stage="before" if k == 0 else "after",
                    data_value=_num(value),
                    data_rare="true" if row["is_rare"] else "false",
                    data_aggregate="true" if row.get("is_aggregate") else "false",
                )
                + f"><title>{_esc(row['category'])}: {int(value):,} training rows "
                f"{'before' if k == 0 else 'after'} rare-value handling</title></rect>"
            )
    parts += _legend([("before", "#94a3b8"), ("after", CALM)], left, height - 8)
    parts.append("</svg>")
    return "".join(parts)


def _heatmap(labels: Sequence[str], matrix: Sequence[Sequence[float]], *, model_id: str) -> str:
    """Confusion matrix: rows true offer, columns predicted offer, darker = more."""
    n = len(labels)
    cell = max(min(300 // max(n, 1), 60), 22)
    left, top = 90, 40
    width, height = left + cell * n + 20, top + cell * n + 30
    peak = max([v for row in matrix for v in row] + [1.0])
    parts = [f'<svg class="plot" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    parts.append(
        f'<text class="tick" x="{left + cell * n / 2:.1f}" y="12" text-anchor="middle">'
        "predicted offer</text>"
    )
    for j, label in enumerate(labels):
        parts.append(
            f'<text class="tick" x="{left + (j + 0.5) * cell:.1f}" y="{top - 6}" '
            'text-anchor="middle">'
            f"{_esc(_short(label))}</text>"
        )
    for i, true_label in enumerate(labels):
        parts.append(
            f'<text class="tick" x="{left - 6}" y="{top + (i + 0.5) * cell + 4:.1f}" '
            'text-anchor="end">'
            f"{_esc(_short(true_label))}</text>"
        )
        for j, predicted in enumerate(labels):
            value = float(matrix[i][j])
            shade = value / peak
            fill = f"rgba(37, 99, 235, {0.08 + 0.92 * shade:.3f})"
            text_colour = "#fff" if shade > 0.55 else "#111"
            parts.append(
                f'<rect class="cell" x="{left + j * cell}" y="{top + i * cell}" width="{cell - 1}" '
                f'height="{cell - 1}" fill="{fill}" '
                + _attrs(
                    data_model=model_id,
                    data_true=true_label,
                    data_predicted=predicted,
                    data_value=_num(value),
                )
                + f"><title>true {_esc(true_label)}, predicted {_esc(predicted)}: "
                f"{int(value):,}</title></rect>"
                f'<text class="cellv" x="{left + (j + 0.5) * cell:.1f}" '
                f'y="{top + (i + 0.5) * cell + 4:.1f}" '
                f'text-anchor="middle" fill="{text_colour}">{int(value):,}</text>'
            )
    parts.append(
        f'<text class="tick" x="12" y="{top + cell * n / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + cell * n / 2:.1f})">true offer</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


# --------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------
def _table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], cls: str) -> str:
    """An HTML table of ``rows`` with (key, header) columns."""
    if not rows:
        return '<p class="empty">No rows.</p>'
    head = "".join(f"<th>{_esc(h)}</th>" for _, h in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            if key.endswith("_id"):
                text = _short(value)
            elif isinstance(value, str):
                text = value
            else:
                text = _fmt(value)
            cells.append(f'<td title="{_esc(value)}">{_esc(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _session_labels(data: ReportData) -> tuple[dict[str, int], list[str]]:
    """Session id -> position, and the x-axis labels (S1, S2, ...)."""
    index = {s["invocation_id"]: i for i, s in enumerate(data.sessions)}
    return index, [s["label"] for s in data.sessions]


def _section_summary(data: ReportData) -> str:
    latest = data.sessions[-1] if data.sessions else None
    cards = [
        ("monitoring sessions", f"{len(data.sessions)}"),
        ("latest session", latest["recorded_at"] if latest else "–"),
        ("serving models", f"{len(data.serving)}"),
        ("campaigns to retrain", f"{len(data.retraining)}"),
    ]
    html_cards = "".join(
        f'<div class="card"><div class="card-value">{_esc(v)}</div>'
        f'<div class="card-label">{_esc(k)}</div></div>'
        for k, v in cards
    )
    if data.retraining:
        items = "".join(
            f'<li class="retrain" data-campaign="{_esc(r["campaign_id"])}">'
            f"<b>{_esc(r['campaign_id'])}</b>: "
            f"{_esc(r['reason'])}</li>"
            for r in data.retraining
        )
        retrain = f'<div class="alert"><h3>Campaigns needing retraining</h3><ul>{items}</ul></div>'
    else:
        retrain = (
            '<div class="ok">No campaign needs retraining: no drift above the threshold '
            "in the latest session.</div>"
        )
    sessions = _table(
        data.sessions,
        [
            ("label", "session"),
            ("invocation_id", "invocation id"),
            ("recorded_at", "started (UTC)"),
        ],
        "sessions",
    )
    return (
        f'<section id="summary"><div class="cards">{html_cards}</div>{retrain}'
        f"<details><summary>Sessions</summary>{sessions}</details></section>"
    )


def _section_quality(data: ReportData) -> str:
    index, labels = _session_labels(data)
    figures = []
    for metric in QUALITY_METRICS:
        series: dict[str, list[tuple[int, float]]] = {}
        payload = []
        for row in data.quality:
            if row["metric"] != metric or row["invocation_id"] not in index:
                continue
            i = index[row["invocation_id"]]
            series.setdefault(_short(row["campaign_id"]), []).append((i, float(row["value"])))
            payload.append(
                {
                    "invocation_id": row["invocation_id"],
                    "campaign_id": row["campaign_id"],
                    "model_id": row["model_id"],
                    "value": float(row["value"]),
                }
            )
        if not series:
            continue
        campaigns = {_short(r["campaign_id"]): r["campaign_id"] for r in payload}
        session_ids = [s["invocation_id"] for s in data.sessions]

        def attrs(
            name: str,
            i: int,
            v: float,
            metric: str = metric,
            campaigns: Mapping[str, str] = campaigns,
            session_ids: Sequence[str] = session_ids,
        ) -> dict[str, Any]:
            return {
                "data_metric": metric,
                "data_campaign": campaigns[name],
                "data_session": session_ids[i],
                "data_value": _num(v),
            }

        svg = _line_chart(series, labels, mark_attrs=attrs)
        figures.append(
            _figure(
                "metric-history",
                f"{metric} on the test split of the serving model, per session",
                svg,
                payload,
                data_metric=metric,
            )
        )
    body = "".join(figures) or '<p class="empty">No metrics recorded yet.</p>'
    return (
        '<section id="quality"><h2>Model quality per session</h2>'
        "<p>Test-split metrics of the model serving each campaign, recorded by every build "
        "(<code>ml_metrics</code>, one line per campaign). Lower is better for "
        "<code>hamming_loss</code> and <code>log_loss</code>, higher for <code>macro_f1</code>.</p>"
        f'<div class="grid">{body}</div></section>'
    )


def _section_confusion(data: ReportData) -> str:
    figures = []
    for item in data.confusion:
        svg = _heatmap(item["labels"], item["matrix"], model_id=item["model_id"])
        figures.append(
            _figure(
                "confusion",
                f"campaign {_short(item['campaign_id'])} · model {_short(item['model_id'])}",
                svg,
                item,
                data_campaign=item["campaign_id"],
                data_model=item["model_id"],
            )
        )
    body = "".join(figures) or '<p class="empty">No serving model has a confusion matrix.</p>'
    return (
        '<section id="confusion"><h2>Confusion matrix per serving model</h2>'
        "<p>Test split of each champion serving now: rows are the offer converted on, columns "
        "the offer predicted (<code>ml_metrics_latest</code>).</p>"
        f'<div class="grid">{body}</div></section>'
    )


def _drift_label(row: Mapping[str, Any]) -> str:
    """Tick text of a drift bar: the input, or the prediction check on two lines."""
    if row["kind"] == "prediction":
        return "pred vs\n" + ("previous" if row["reference"] == "previous_session" else "test")
    return str(row["feature"])


def _section_drift(data: ReportData) -> str:
    index, labels = _session_labels(data)
    figures = []
    latest_session = data.sessions[-1]["invocation_id"] if data.sessions else None
    campaigns = sorted({r["campaign_id"] for r in data.drift})
    for campaign in campaigns:
        rows = [r for r in data.drift if r["campaign_id"] == campaign]
        latest_id = max(
            (r["invocation_id"] for r in rows),
            key=lambda s: index.get(s, -1),
            default=latest_session,
        )
        latest = [r for r in rows if r["invocation_id"] == latest_id]
        threshold = float(latest[0]["threshold"]) if latest else None
        bars = [
            {
                "group": f"{r['kind']}:{r['feature']}:{r['reference']}",
                "label": _drift_label(r),
                "value": float(r["kl_divergence"]),
                "colour": DRIFTED if r["is_drifted"] else CALM,
                "attrs": {
                    "data_campaign": campaign,
                    "data_feature": r["feature"],
                    "data_kind": r["kind"],
                    "data_reference": r["reference"],
                    "data_session": r["invocation_id"],
                    "data_value": _num(r["kl_divergence"]),
                    "data_drifted": "true" if r["is_drifted"] else "false",
                },
                "tip": f"{r['feature']} vs {r['reference']}: KL {float(r['kl_divergence']):.4f}",
            }
            for r in latest
        ]
        payload = [
            {
                k: r[k]
                for k in (
                    "invocation_id",
                    "kind",
                    "feature",
                    "reference",
                    "kl_divergence",
                    "is_drifted",
                )
            }
            for r in latest
        ]
        session_label = labels[index[latest_id]] if latest_id in index else "?"
        figures.append(
            _figure(
                "drift-latest",
                f"campaign {_short(campaign)} · KL divergence in session {session_label}",
                _bar_chart(
                    bars,
                    threshold=threshold,
                    series=[("drifted", DRIFTED), ("within threshold", CALM)],
                ),
                payload,
                data_campaign=campaign,
                data_session=latest_id,
            )
        )
        series: dict[str, list[tuple[int, float]]] = {}
        history = []
        for r in rows:
            if r["kind"] != "feature" or r["invocation_id"] not in index:
                continue
            series.setdefault(str(r["feature"]), []).append(
                (index[r["invocation_id"]], float(r["kl_divergence"]))
            )
            history.append(
                {k: r[k] for k in ("invocation_id", "feature", "kl_divergence", "is_drifted")}
            )
        session_ids = [s["invocation_id"] for s in data.sessions]

        def attrs(
            name: str,
            i: int,
            v: float,
            campaign: str = campaign,
            session_ids: Sequence[str] = session_ids,
        ) -> dict[str, Any]:
            return {
                "data_campaign": campaign,
                "data_feature": name,
                "data_session": session_ids[i],
                "data_value": _num(v),
            }

        figures.append(
            _figure(
                "drift-history",
                f"campaign {_short(campaign)} · feature KL divergence per session",
                _line_chart(series, labels, mark_attrs=attrs, threshold=threshold),
                history,
                data_campaign=campaign,
            )
        )
    body = "".join(figures) or '<p class="empty">No drift measured yet.</p>'
    return (
        '<section id="drift"><h2>Drift per campaign</h2>'
        "<p>Feature drift is D(current ‖ training) on histograms of each model input: the "
        "campaign's newest batch of requests against the training split of the serving model "
        "(categorical values with an unseen bucket, lat/long in training-quantile bins, "
        "smoothed). Prediction drift compares Gaussians fitted to the predicted offer's "
        "probability with the previous session and with the test split. Red bars exceed "
        "<code>drift_threshold</code> (<code>ml_drift</code>).</p>"
        f'<div class="grid">{body}</div></section>'
    )


def _section_rare_values(data: ReportData) -> str:
    figures = []
    keys = list(dict.fromkeys((r["campaign_id"], r["column_name"]) for r in data.rare_values))
    for campaign, column in keys:
        values = [
            r
            for r in data.rare_values
            if (r["campaign_id"], r["column_name"]) == (campaign, column)
        ]
        rows = rare_value_rows(values)
        n_rare = sum(1 for r in values if r["is_rare"])
        shown = f"{len(values)} values, {n_rare} rare"
        payload = [
            {
                k: r[k]
                for k in ("category", "is_rare", "is_aggregate", "n_rows_before", "n_rows_after")
            }
            for r in rows
        ]
        figures.append(
            _figure(
                "rare-values",
                f"campaign {_short(campaign)} · {column} ({shown}; rare values in red)",
                _hbar_pairs(rows, campaign=campaign, column=column),
                payload,
                data_campaign=campaign,
                data_column=column,
            )
        )
    body = "".join(figures) or '<p class="empty">No fitted categories.</p>'
    return (
        '<section id="rare-values"><h2>Rare values before and after handling</h2>'
        "<p>Training rows holding each value before rare-value handling and among the rows the "
        "model learns from (<code>eda_rare_values</code>; the seed's Data Wrangler views). "
        f"The {RARE_VALUES_SHOWN} most frequent values are shown one by one, the others are "
        "summed into a row of more (common) values and a row of rare values.</p>"
        f'<div class="grid">{body}</div></section>'
    )


def _section_probabilities(data: ReportData) -> str:
    figures = []
    latest_stats: dict[str, Mapping[str, Any]] = {}
    for row in data.prediction_stats:
        latest_stats[row["campaign_id"]] = row
    campaigns = sorted({r["campaign_id"] for r in data.probabilities})
    for campaign in campaigns:
        counts = {
            int(r["bin_index"]): int(r["n_predictions"])
            for r in data.probabilities
            if r["campaign_id"] == campaign
        }
        bars = []
        for b in range(PROBABILITY_BINS):
            low, high = b / PROBABILITY_BINS, (b + 1) / PROBABILITY_BINS
            n = counts.get(b, 0)
            bars.append(
                {
                    "group": str(b),
                    "label": f"{low:.1f}" if b % 4 == 0 else "",
                    "value": n,
                    "colour": CALM,
                    "attrs": {
                        "data_campaign": campaign,
                        "data_bin": b,
                        "data_value": _num(n),
                    },
                    "tip": f"[{low:.2f}, {high:.2f}): {n:,} predictions",
                }
            )
        stats = latest_stats.get(campaign)
        caption = f"campaign {_short(campaign)} · probability of the predicted offer"
        if stats:
            caption += (
                f" (current batch: mean {float(stats['top_probability_mean']):.3f}, "
                f"sd {float(stats['top_probability_std']):.3f})"
            )
        figures.append(
            _figure(
                "probabilities",
                caption,
                _bar_chart(bars),
                {
                    "bins": PROBABILITY_BINS,
                    "counts": [counts.get(b, 0) for b in range(PROBABILITY_BINS)],
                },
                data_campaign=campaign,
            )
        )
    body = "".join(figures) or '<p class="empty">No predictions yet.</p>'
    return (
        '<section id="probabilities"><h2>Distribution of predicted probabilities</h2>'
        "<p>How sure the serving model is: the probability of the predicted offer for the "
        "campaign's current requests (<code>ml_drift_requests</code>, its newest batch, as "
        "scored in <code>offer_predictions</code>), in bins of "
        f"{1 / PROBABILITY_BINS:.2f}.</p>"
        f'<div class="grid">{body}</div></section>'
    )


def _section_eda(data: ReportData) -> str:
    eda = data.eda
    parts = [
        '<section id="eda"><h2>Exploratory checks (seed 003)</h2>',
        "<h3>Coefficient of variation, train vs test</h3><p>The seed's rule: a split is fair "
        "when the CVs differ by less than <code>eda_max_cv_difference</code> points.</p>",
        _table(
            eda.get("cv_by_split", []),
            [
                ("campaign_id", "campaign"),
                ("feature", "feature"),
                ("train_cv_percent", "CV train %"),
                ("test_cv_percent", "CV test %"),
                ("cv_difference", "difference"),
                ("is_split_fair", "fair"),
            ],
            "eda-cv",
        ),
        "<h3>Target distribution per split</h3>",
        _table(
            eda.get("target_distribution", []),
            [
                ("campaign_id", "campaign"),
                ("split", "split"),
                ("offer_id", "offer"),
                ("n_rows", "events"),
                ("share", "share"),
                ("n_model_rows", "model rows"),
            ],
            "eda-target",
        ),
        "<h3>Null rates (all campaigns)</h3>",
        _table(
            eda.get("null_rates", []),
            [
                ("dataset", "dataset"),
                ("column_name", "column"),
                ("is_model_input", "model input"),
                ("n_rows", "rows"),
                ("null_rate", "null rate"),
            ],
            "eda-nulls",
        ),
        "<h3>IQR outliers</h3>",
        _table(
            eda.get("iqr_outliers", []),
            [
                ("campaign_id", "campaign"),
                ("feature", "feature"),
                ("split", "split"),
                ("q1", "Q1"),
                ("q3", "Q3"),
                ("n_below", "below"),
                ("n_above", "above"),
                ("outlier_share", "share"),
            ],
            "eda-iqr",
        ),
        "<h3>Strongest correlations with each offer</h3><p>Pearson correlation of each model "
        "input with the offer's one-vs-rest indicator (phi for one-hot inputs, point-biserial "
        "for lat/long), top 3 per offer.</p>",
        _table(
            eda.get("correlations", []),
            [
                ("campaign_id", "campaign"),
                ("offer_id", "offer"),
                ("strength_rank", "rank"),
                ("feature_name", "input"),
                ("method", "method"),
                ("correlation", "correlation"),
            ],
            "eda-corr",
        ),
        "</section>",
    ]
    return "".join(parts)


_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
  color:#111;background:#f8fafc}
header{background:#0f172a;color:#f8fafc;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#cbd5e1;font-size:12px}
main{padding:8px 28px 40px}
section{margin:22px 0}
h2{font-size:18px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
.grid{display:flex;flex-wrap:wrap;gap:14px}
figure.chart{background:#fff;border:1px solid #e2e8f0;border-radius:8px;margin:0;
  padding:8px 10px}
figcaption{font-size:12px;color:#334155;margin-bottom:4px;max-width:520px}
svg .grid{stroke:#e2e8f0;stroke-width:1}
svg .tick,svg .legend{font-size:10px;fill:#475569}
svg .rare{fill:#dc2626}
svg .line{fill:none;stroke-width:2}
svg .threshold{stroke:#dc2626;stroke-dasharray:5 4;stroke-width:1.5}
svg .cellv{font-size:11px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 16px;
  min-width:150px}
.card-value{font-size:20px;font-weight:600}
.card-label{font-size:12px;color:#64748b}
.alert{background:#fef2f2;border:1px solid #fecaca;border-radius:8px;padding:6px 16px;
  margin-top:14px}
.alert h3{margin:6px 0;color:#b91c1c;font-size:15px}
.alert li{margin:4px 0}
.ok{background:#f0fdf4;border:1px solid #bbf7d0;border-radius:8px;padding:10px 16px;
  margin-top:14px}
table{border-collapse:collapse;background:#fff;font-size:12px;margin:6px 0 14px}
th,td{border:1px solid #e2e8f0;padding:3px 8px;text-align:left}
th{background:#f1f5f9}
.empty{color:#64748b}
code{background:#f1f5f9;padding:0 3px;border-radius:3px}
details{margin-top:10px}
"""


def render_report(data: ReportData) -> str:
    """The whole report as one HTML document (no external resources)."""
    sections = [
        _section_summary(data),
        _section_quality(data),
        _section_confusion(data),
        _section_drift(data),
        _section_rare_values(data),
        _section_probabilities(data),
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
            ("eda", "EDA"),
        )
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>warehouse_ml monitoring report</title>"
        f"<style>{_CSS}</style></head><body>"
        "<header><h1>warehouse_ml · monitoring report</h1>"
        f"<p>{_esc(data.database)} · generated {_esc(data.generated_at)} UTC · {nav}</p></header>"
        f"<main>{''.join(sections)}</main></body></html>\n"
    )
