"""Reading the warehouse: every figure the report shows, as plain Python values.

:func:`collect_report_data` runs the queries on an open DuckDB connection and returns a
:class:`ReportData`; nothing here knows about HTML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from warehouse_ml.explanations import global_importance

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
#: Days of prediction-log volume and realised outcomes listed (newest first).
RECENT_DAYS = 30


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
    reliability: list[dict[str, Any]] = field(default_factory=list)
    importance: list[dict[str, Any]] = field(default_factory=list)
    explanations: list[dict[str, Any]] = field(default_factory=list)
    log_volume: list[dict[str, Any]] = field(default_factory=list)
    realised: list[dict[str, Any]] = field(default_factory=list)
    realised_days: list[dict[str, Any]] = field(default_factory=list)
    eda: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Seed names of campaigns and offers (empty when the seeds are not loaded).
    campaign_names: dict[str, str] = field(default_factory=dict)
    offer_names: dict[tuple[str, str], str] = field(default_factory=dict)


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
        select serving.model_name, serving.group_id as campaign_id, serving.model_id,
               serving.serving_reason, models.classes, models.status_reason, models.trained_at
        from ml_serving_models as serving
        inner join ml_models as models on serving.model_id = models.model_id
        order by serving.model_name, serving.group_id
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
        select latest.model_id, latest.group_id as campaign_id, latest.metric, latest.value
        from ml_metrics_latest as latest
        inner join ml_serving_models as serving on latest.model_id = serving.model_id
        where latest.split = 'test' and latest.metric like 'confusion[%'
        order by latest.model_name, latest.group_id, latest.metric
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
        select group_id as campaign_id, column_name, category, is_rare, n_rows_before,
               n_rows_after
        from eda_rare_values
        order by model_name, group_id, column_name, n_rows_before desc, category
        """,
    )
    if "ml_explanations" in present:  # DuckDB builds (a dbt Python model)
        explained = con.execute(
            "select model_name, request_id, feature_name, contribution from ml_explanations"
        ).df()
        data.importance = global_importance(explained).to_dict("records")
        data.explanations = _explanations_summary(con)
    data.reliability = reliability_rows(
        _rows(
            con,
            """
            select serving.model_name, serving.group_id, serving.model_id, models.metrics,
                   models.calibration
            from ml_serving_models as serving
            inner join ml_models as models on serving.model_id = models.model_id
            where models.metrics like '%reliability_observed_rate%'
            order by serving.model_name, serving.group_id
            """,
        )
    )
    data.probabilities = _rows(
        con,
        f"""
        select predictions.group_id as campaign_id,
               least(cast(floor(predictions.probability * {PROBABILITY_BINS}) as integer),
                     {PROBABILITY_BINS - 1}) as bin_index,
               count(*) as n_predictions
        from ml_predictions as predictions
        inner join (select distinct model_name, request_id from ml_drift_requests) as monitored
            on predictions.model_name = monitored.model_name
            and predictions.request_id = monitored.request_id
        where predictions.probability is not null
        group by 1, 2
        order by 1, 2
        """,
    )

    progress("[warehouse_ml] report: reading served predictions and realised outcomes")
    if "ml_prediction_log" in present:  # warehouses built before the log have none
        data.log_volume = _log_volume(con)
    if "ml_realised_outcomes" in present:
        data.realised, data.realised_days = _realised_outcomes(con)
    data.campaign_names, data.offer_names = _seed_names(con, present)

    progress("[warehouse_ml] report: reading the EDA tables")
    data.eda = {
        "cv_by_split": _rows(
            con,
            "select *, group_id as campaign_id from eda_cv_by_split "
            "order by model_name, group_id, feature",
        ),
        "target_distribution": _rows(
            con,
            "select *, group_id as campaign_id, label_value as offer_id "
            "from eda_target_distribution order by model_name, group_id, split, label_value",
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
            con,
            "select *, group_id as campaign_id from eda_iqr_outliers "
            "order by model_name, group_id, feature, split",
        ),
        "correlations": _rows(
            con,
            """
            select group_id as campaign_id, label_value as offer_id, feature_name, method,
                   correlation, strength_rank
            from eda_target_correlation
            where strength_rank <= 3
            order by model_name, group_id, label_value, strength_rank
            """,
        ),
    }
    return data


def _explanations_summary(con: Any) -> list[dict[str, Any]]:
    """Per model spec: predictions explained, serving models, distinct columns among
    the top three, the column most often the first reason, and the share of the
    contributions' size the top three carry (against ``other_contribution``,
    the columns left out): a low share means the top-three lists say little."""
    return _rows(
        con,
        """
        with per_request as (
            select model_name, request_id, model_id,
                   sum(contribution) as top_contribution,
                   max(other_contribution) as other_contribution
            from ml_explanations
            group by model_name, request_id, model_id
        ),
        firsts as (
            select model_name, feature_name, count(*) as n_first,
                   row_number() over (
                       partition by model_name order by count(*) desc, feature_name
                   ) as position
            from ml_explanations
            where feature_rank = 1
            group by model_name, feature_name
        ),
        per_model as (
            select model_name,
                   count(*) as n_predictions,
                   count(distinct model_id) as n_models,
                   avg(abs(top_contribution)) as mean_abs_top_contribution,
                   avg(abs(other_contribution)) as mean_abs_other_contribution,
                   sum(abs(top_contribution)) / nullif(
                       sum(abs(top_contribution)) + sum(abs(other_contribution)), 0
                   ) as top_share
            from per_request
            group by model_name
        ),
        features as (
            select model_name, count(distinct feature_name) as n_features
            from ml_explanations
            group by model_name
        )
        select per_model.model_name, per_model.n_predictions, per_model.n_models,
               features.n_features, firsts.feature_name as first_reason,
               firsts.n_first, per_model.mean_abs_top_contribution,
               per_model.mean_abs_other_contribution, per_model.top_share
        from per_model
        inner join features on per_model.model_name = features.model_name
        left join firsts on per_model.model_name = firsts.model_name and firsts.position = 1
        order by per_model.model_name
        """,
    )


def _log_volume(con: Any) -> list[dict[str, Any]]:
    """Per model spec and UTC day of scoring (newest :data:`RECENT_DAYS` days): rows
    logged, distinct requests, re-scores (rows of requests logged on an earlier
    row) and the builds that logged them."""
    rows = _rows(
        con,
        f"""
        with numbered as (
            select model_name, request_id, invocation_id,
                   cast(timezone('UTC', scored_at) as date) as scored_date,
                   row_number() over (
                       partition by model_name, request_id order by scored_at, invocation_id
                   ) as occurrence
            from ml_prediction_log
        ),
        days as (
            select model_name, scored_date, count(*) as n_rows,
                   count(distinct request_id) as n_requests,
                   count(*) filter (where occurrence > 1) as n_rescores,
                   count(distinct invocation_id) as n_builds,
                   dense_rank() over (order by scored_date desc) as recency
            from numbered
            group by model_name, scored_date
        )
        select model_name, scored_date, n_rows, n_requests, n_rescores, n_builds
        from days
        where recency <= {RECENT_DAYS}
        order by scored_date desc, model_name
        """,
    )
    for row in rows:
        row["scored_date"] = str(row["scored_date"])
    return rows


def _realised_outcomes(con: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Realised against expected loss: one row per serving-or-past model over every
    day of outcomes (losses recomputed from the summed counts, days above the
    bound counted), and the newest :data:`RECENT_DAYS` days as recorded."""
    totals = _rows(
        con,
        """
        select model_name, group_id as campaign_id, model_id,
               sum(n_outcomes) as n_outcomes, sum(n_wrong) as n_wrong,
               cast(sum(n_wrong) as double) / sum(n_outcomes) as realised_hamming_loss,
               max(test_hamming_loss) as test_hamming_loss,
               count(*) as n_days,
               count(*) filter (where is_worse_than_test) as n_days_worse,
               max(outcome_date) as last_outcome_date
        from ml_realised_outcomes
        group by model_name, group_id, model_id
        order by model_name, group_id, max(outcome_date) desc, model_id
        """,
    )
    days = _rows(
        con,
        f"""
        select model_name, group_id as campaign_id, model_id, outcome_date, n_outcomes,
               n_wrong, realised_hamming_loss, accuracy, test_hamming_loss,
               loss_upper_bound, is_worse_than_test
        from ml_realised_outcomes
        where outcome_date >= (select max(outcome_date) from ml_realised_outcomes)
                             - interval {RECENT_DAYS - 1} day
        order by outcome_date desc, model_name, group_id, model_id
        """,
    )
    for row in (*totals, *days):
        for key in ("outcome_date", "last_outcome_date"):
            if key in row:
                row[key] = str(row[key])
    return totals, days


def _seed_names(con: Any, present: set[str]) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Campaign and offer names from the seeds ``campaign_names`` and ``offer_names``
    when the warehouse has them (users may replace them; older builds lack them).
    Keys are lower-cased: the seeds may load ids as UUIDs or as text in either case."""
    campaigns: dict[str, str] = {}
    offers: dict[tuple[str, str], str] = {}
    if "campaign_names" in present:
        for campaign_id, name in con.execute(
            "select campaign_id, campaign_name from campaign_names"
        ).fetchall():
            if campaign_id is not None and name:
                campaigns[str(campaign_id).lower()] = str(name)
    if "offer_names" in present:
        for campaign_id, offer_id, name in con.execute(
            "select campaign_id, offer_id, offer_name from offer_names"
        ).fetchall():
            if offer_id is not None and name:
                offers[(str(campaign_id).lower(), str(offer_id).lower())] = str(name)
    return campaigns, offers


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


def reliability_rows(models: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The test split's reliability table of each serving binary model, after and
    (when calibrated) before calibration: ``{model_name, group_id, model_id,
    calibration, n_bins, ece, uncalibrated_ece, series: {name: [bin rows]}}``
    where a bin row is ``{bin, mean_predicted, observed_rate, n_rows}`` for
    the bins that hold rows (``ml_models.metrics``, 10 equal-width bins)."""
    out = []
    for model in models:
        test = json.loads(model["metrics"])["test"]
        series = {}
        for name, prefix in (("calibrated", ""), ("uncalibrated", "uncalibrated_")):
            observed = test.get(f"{prefix}reliability_observed_rate")
            if not observed:
                continue
            series[name] = [
                {
                    "bin": int(b),
                    "mean_predicted": test[f"{prefix}reliability_mean_predicted"][b],
                    "observed_rate": rate,
                    "n_rows": test[f"{prefix}reliability_n_rows"][b],
                }
                for b, rate in sorted(observed.items(), key=lambda item: int(item[0]))
                if rate is not None
            ]
        if not model["calibration"]:
            series = {"model": series.pop("calibrated", [])}
        out.append(
            {
                "model_name": model["model_name"],
                "group_id": model["group_id"],
                "model_id": model["model_id"],
                "calibration": json.loads(model["calibration"])["method"]
                if model["calibration"]
                else "none",
                "n_bins": test.get("n_bins"),
                "ece": test.get("ece"),
                "uncalibrated_ece": test.get("uncalibrated_ece"),
                "series": series,
            }
        )
    return out
