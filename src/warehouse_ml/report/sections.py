"""The report's HTML sections, one function per section, from :class:`ReportData`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from warehouse_ml.report.charts import (
    CALM,
    DRIFTED,
    _bar_chart,
    _esc,
    _figure,
    _fmt,
    _hbar_pairs,
    _heatmap,
    _line_chart,
    _num,
    _reliability_chart,
    _short,
)
from warehouse_ml.report.queries import (
    PROBABILITY_BINS,
    QUALITY_METRICS,
    RARE_VALUES_SHOWN,
    ReportData,
    rare_value_rows,
)


def _campaign(data: ReportData | None, campaign_id: Any) -> str:
    """A campaign as the report names it: its seed name, else its id's first block."""
    if data is not None:
        name = data.campaign_names.get(str(campaign_id).lower())
        if name:
            return name
    return _short(campaign_id)


def _offer(data: ReportData | None, campaign_id: Any, offer_id: Any) -> str:
    """An offer of a campaign as the report names it (seed name, else a short id)."""
    if data is not None:
        name = data.offer_names.get((str(campaign_id).lower(), str(offer_id).lower()))
        if name:
            return name
    return _short(offer_id)


def _table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[tuple[str, str]],
    cls: str,
    data: ReportData | None = None,
) -> str:
    """An HTML table of ``rows`` with (key, header) columns. With ``data``, campaign
    and offer ids show their seed names (the id stays in the cell's title)."""
    if not rows:
        return '<p class="empty">No rows.</p>'
    head = "".join(f"<th>{_esc(h)}</th>" for _, h in columns)
    body = []
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            if key == "campaign_id":
                text = _campaign(data, value)
            elif key == "offer_id":
                text = _offer(data, row.get("campaign_id"), value)
            elif key.endswith("_id"):
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


def _grid_section(
    section_id: str, title: str, intro: str, figures: Sequence[str], empty: str
) -> str:
    """A section of chart figures in a grid under its heading and an introduction
    (``intro``, HTML); ``empty`` (HTML) stands in for the grid when there are no figures."""
    body = "".join(figures) or f'<p class="empty">{empty}</p>'
    return (
        f'<section id="{section_id}"><h2>{title}</h2><p>{intro}</p>'
        f'<div class="grid">{body}</div></section>'
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
            f"<b>{_esc(_campaign(data, r['campaign_id']))}</b>: "
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


def _session_point_attrs(
    data: ReportData,
    fixed: Mapping[str, Any],
    name_attr: str,
    names: Mapping[str, str] | None = None,
) -> Callable[[str, int, float], dict[str, Any]]:
    """``mark_attrs`` for a line chart over sessions: a point of series ``name`` at
    session position ``i`` gets the ``fixed`` attributes, ``name_attr`` (the series
    name, or what ``names`` maps it to), its session id and its value."""
    session_ids = [s["invocation_id"] for s in data.sessions]

    def attrs(name: str, i: int, v: float) -> dict[str, Any]:
        return {
            **fixed,
            name_attr: names[name] if names is not None else name,
            "data_session": session_ids[i],
            "data_value": _num(v),
        }

    return attrs


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
            series.setdefault(_campaign(data, row["campaign_id"]), []).append(
                (i, float(row["value"]))
            )
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
        campaigns = {_campaign(data, r["campaign_id"]): r["campaign_id"] for r in payload}
        attrs = _session_point_attrs(data, {"data_metric": metric}, "data_campaign", campaigns)
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
    return _grid_section(
        "quality",
        "Model quality per session",
        "Test-split metrics of the model serving each campaign, recorded by every build "
        "(<code>ml_metrics</code>, one line per campaign). Lower is better for "
        "<code>hamming_loss</code> and <code>log_loss</code>, higher for <code>macro_f1</code>.",
        figures,
        "No metrics recorded yet.",
    )


def _section_confusion(data: ReportData) -> str:
    figures = []
    for item in data.confusion:
        svg = _heatmap(item["labels"], item["matrix"], model_id=item["model_id"])
        figures.append(
            _figure(
                "confusion",
                f"campaign {_campaign(data, item['campaign_id'])} · "
                f"model {_short(item['model_id'])}",
                svg,
                item,
                data_campaign=item["campaign_id"],
                data_model=item["model_id"],
            )
        )
    return _grid_section(
        "confusion",
        "Confusion matrix per serving model",
        "Test split of each champion serving now: rows are the offer converted on, columns "
        "the offer predicted (<code>ml_metrics_latest</code>).",
        figures,
        "No serving model has a confusion matrix.",
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
                f"campaign {_campaign(data, campaign)} · KL divergence in session {session_label}",
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
        attrs = _session_point_attrs(data, {"data_campaign": campaign}, "data_feature")
        figures.append(
            _figure(
                "drift-history",
                f"campaign {_campaign(data, campaign)} · feature KL divergence per session",
                _line_chart(series, labels, mark_attrs=attrs, threshold=threshold),
                history,
                data_campaign=campaign,
            )
        )
    return _grid_section(
        "drift",
        "Drift per campaign",
        "Feature drift is D(current ‖ training) on histograms of each model input: the "
        "campaign's newest batch of requests against the training split of the serving model "
        "(categorical values with an unseen bucket, lat/long in training-quantile bins, "
        "smoothed). Prediction drift compares Gaussians fitted to the predicted offer's "
        "probability with the previous session and with the test split. Red bars exceed "
        "<code>drift_threshold</code> (<code>ml_drift</code>).",
        figures,
        "No drift measured yet.",
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
                f"campaign {_campaign(data, campaign)} · {column} ({shown}; rare values in red)",
                _hbar_pairs(rows, campaign=campaign, column=column),
                payload,
                data_campaign=campaign,
                data_column=column,
            )
        )
    return _grid_section(
        "rare-values",
        "Rare values before and after handling",
        "Training rows holding each value before rare-value handling and among the rows the "
        "model learns from (<code>eda_rare_values</code>; the seed's Data Wrangler views). "
        f"The {RARE_VALUES_SHOWN} most frequent values are shown one by one, the others are "
        "summed into a row of more (common) values and a row of rare values.",
        figures,
        "No fitted categories.",
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
        caption = f"campaign {_campaign(data, campaign)} · probability of the predicted offer"
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
    return _grid_section(
        "probabilities",
        "Distribution of predicted probabilities",
        "How sure the serving model is: the probability of the predicted offer for the "
        "campaign's current requests (<code>ml_drift_requests</code>, its newest batch, as "
        "scored in <code>offer_predictions</code>), in bins of "
        f"{1 / PROBABILITY_BINS:.2f}.",
        figures,
        "No predictions yet.",
    )


def _section_reliability(data: ReportData) -> str:
    figures = []
    for item in data.reliability:
        group = _campaign(data, item["group_id"])
        caption = f"{item['model_name']} / {group} · {item['calibration']}"
        if item["ece"] is not None:
            caption += f" · ECE {_fmt(item['ece'], 4)}"
        if item["uncalibrated_ece"] is not None:
            caption += f" (before calibration {_fmt(item['uncalibrated_ece'], 4)})"
        figures.append(
            _figure(
                "reliability",
                caption,
                _reliability_chart(item["series"]),
                item,
                data_model=item["model_id"],
                data_model_name=item["model_name"],
            )
        )
    return _grid_section(
        "reliability",
        "Reliability of binary models",
        "Test split of each serving binary model (<code>ml_models.metrics</code>): the share "
        "of positives against the mean predicted probability in 10 equal-width bins, after and "
        "before calibration; a calibrated model follows the diagonal.",
        figures,
        "No serving binary model.",
    )


def _section_importance(data: ReportData) -> str:
    summary = _table(
        data.explanations,
        [
            ("model_name", "model spec"),
            ("n_predictions", "predictions explained"),
            ("n_models", "serving models"),
            ("n_features", "input columns among the top three"),
            ("first_reason", "most frequent first reason"),
            ("n_first", "times first"),
            ("mean_abs_top_contribution", "mean |top-3 sum| (log-odds)"),
            ("mean_abs_other_contribution", "mean |other columns| (log-odds)"),
            ("top_share", "top-3 share of |contributions|"),
        ],
        "explanations-summary",
    )
    tables = []
    for name in dict.fromkeys(row["model_name"] for row in data.importance):
        rows = [r for r in data.importance if r["model_name"] == name]
        columns = [
            ("feature_name", "input column"),
            ("n_predictions", "predictions it is a top-3 reason for"),
            ("mean_contribution", "mean contribution (log-odds)"),
        ]
        tables.append(f"<h3>{_esc(name)}</h3>" + _table(rows, columns, "importance"))
    body = "".join(tables) or '<p class="empty">No explained predictions.</p>'
    return (
        '<section id="importance"><h2>Why the models predict what they do</h2><p>'
        "From <code>ml_explanations</code> (the three largest SHAP contributions to each "
        "prediction's class). Per model spec: how many predictions are explained, how "
        "many input columns ever make the top three, the most frequent first reason, and "
        "how much of the contributions' size the top three carry against the columns "
        "left out (<code>other_contribution</code>).</p>"
        f"{summary if data.explanations else ''}"
        "<p>Global importance: the input columns most often among a prediction's top "
        "reasons, with their mean contribution then.</p>"
        f"{body}</section>"
    )


def _section_served(data: ReportData) -> str:
    volume = _table(
        data.log_volume,
        [
            ("scored_date", "day (UTC)"),
            ("model_name", "model spec"),
            ("n_rows", "predictions logged"),
            ("n_requests", "distinct requests"),
            ("n_rescores", "re-scores"),
            ("n_builds", "builds"),
        ],
        "log-volume",
    )
    totals = _table(
        data.realised,
        [
            ("model_name", "model spec"),
            ("campaign_id", "campaign"),
            ("model_id", "model"),
            ("n_outcomes", "outcomes"),
            ("realised_hamming_loss", "realised Hamming loss"),
            ("test_hamming_loss", "test Hamming loss"),
            ("n_days", "days"),
            ("n_days_worse", "days above the bound"),
            ("last_outcome_date", "last outcome (UTC)"),
        ],
        "realised-totals",
        data,
    )
    days = _table(
        data.realised_days,
        [
            ("outcome_date", "day (UTC)"),
            ("model_name", "model spec"),
            ("campaign_id", "campaign"),
            ("model_id", "model"),
            ("n_outcomes", "outcomes"),
            ("realised_hamming_loss", "realised loss"),
            ("test_hamming_loss", "test loss"),
            ("loss_upper_bound", "bound"),
            ("is_worse_than_test", "worse than test"),
        ],
        "realised-days",
        data,
    )
    worse = sum(1 for r in data.realised_days if r["is_worse_than_test"])
    alert = (
        f'<div class="alert">{worse} model-day(s) lost more than the test split explains.</div>'
        if worse
        else ""
    )
    return (
        '<section id="served"><h2>Served predictions and realised outcomes</h2>'
        "<h3>Prediction log volume</h3><p>Rows of <code>ml_prediction_log</code> per model "
        "spec and day of scoring: every prediction served, distinct requests, and re-scores "
        "(rows of a request logged before, from builds with <code>rescore_requests</code>). "
        "Newest days first.</p>"
        f"{volume}"
        "<h3>Realised against expected loss</h3><p>A conversion whose id is a scored "
        "request's id settles that request's served prediction "
        "(<code>ml_realised_outcomes</code>). Per model over every day of outcomes, the "
        "realised Hamming loss next to the test split's; per day, the binomial bound "
        "(<code>realised_loss_z</code> standard errors of both samples) above which the "
        "<code>assert_realised_loss_within_test_bound</code> test warns.</p>"
        f"{alert}{totals}<h4>Per day</h4>{days}</section>"
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
            data,
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
            data,
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
            data,
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
            data,
        ),
        "</section>",
    ]
    return "".join(parts)
