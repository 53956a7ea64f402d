"""A small SVG chart library: line, bar, paired horizontal bar and heatmap charts.

Every chart is a ``<figure class="chart" data-chart="<kind>">`` whose marks carry their
data in ``data-*`` attributes (``data-value`` holds the exact number) and whose numbers
are also embedded as JSON, so tests and other tools can read the figures back.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

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


def _plot_start(
    width: int, height: int, left: int, top: int, plot_h: float, y_max: float, plot_w: float
) -> list[str]:
    """The opening ``<svg>`` of a plot and its y axis with grid lines."""
    parts = [f'<svg class="plot" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    parts += _axis_y(left, top, plot_h, y_max, plot_w)
    return parts


def _threshold_line(threshold: float, left: int, plot_w: float, y: float) -> str:
    """The dashed horizontal line at height ``y`` that marks ``threshold`` across the plot."""
    return (
        f'<line class="threshold" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
        f"{_attrs(data_threshold=_num(threshold))}/>"
    )


def _plot_end(
    parts: list[str],
    legend: Sequence[tuple[str, str]],
    left: int,
    height: int,
    threshold: float | None,
) -> str:
    """Close a plot: its legend row along the bottom, ``</svg>``, all joined."""
    parts += _legend(legend, left, height - 8, threshold)
    parts.append("</svg>")
    return "".join(parts)


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

    parts = _plot_start(width, height, left, top, plot_h, y_max, plot_w)
    for i, label in enumerate(x_labels):
        parts.append(
            f'<text class="tick" x="{x_at(i):.1f}" y="{top + plot_h + 14}" '
            f'text-anchor="middle">{_esc(label)}</text>'
        )
    if threshold is not None:
        parts.append(_threshold_line(threshold, left, plot_w, y_at(threshold)))
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
    return _plot_end(parts, legend, left, height, threshold)


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
    parts = _plot_start(width, height, left, top, plot_h, y_max, plot_w)
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
        parts.append(_threshold_line(threshold, left, plot_w, y))
    return _plot_end(parts, series, left, height, threshold)


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


def _reliability_chart(
    series: Mapping[str, Sequence[Mapping[str, Any]]], *, width: int = 320, height: int = 320
) -> str:
    """Observed rate against mean predicted probability per bin, on [0, 1] x [0, 1],
    with the diagonal a calibrated model follows; marks carry ``data-*`` attributes."""
    left, top = 44, 16
    side = min(width - left - 16, height - top - 56)

    def x_at(v: float) -> float:
        return left + side * v

    def y_at(v: float) -> float:
        return top + side - side * v

    parts = _plot_start(width, height, left, top, side, 1.0, side)
    parts.append(
        f'<line class="threshold" x1="{x_at(0):.1f}" y1="{y_at(0):.1f}" '
        f'x2="{x_at(1):.1f}" y2="{y_at(1):.1f}"/>'
    )
    legend = []
    for k, (name, rows) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        legend.append((name, colour))
        coords = " ".join(
            f"{x_at(r['mean_predicted']):.1f},{y_at(r['observed_rate']):.1f}" for r in rows
        )
        parts.append(f'<polyline class="line" points="{coords}" stroke="{colour}"/>')
        for r in rows:
            attrs = _attrs(
                data_series=name,
                data_bin=r["bin"],
                data_predicted=_num(r["mean_predicted"]),
                data_observed=_num(r["observed_rate"]),
                data_rows=r["n_rows"],
            )
            parts.append(
                f'<circle class="point" cx="{x_at(r["mean_predicted"]):.1f}" '
                f'cy="{y_at(r["observed_rate"]):.1f}" r="3.5" fill="{colour}" {attrs}>'
                f"<title>{_esc(name)} bin {r['bin']}: predicted {_fmt(r['mean_predicted'], 3)}, "
                f"observed {_fmt(r['observed_rate'], 3)} ({r['n_rows']} rows)</title></circle>"
            )
    return _plot_end(parts, legend, left, height, None)
