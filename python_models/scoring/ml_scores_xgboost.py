"""Batch scores from XGBoost's own predict: one row per request and class, every spec.

An append-only history: a build scores only the requests its own table holds no
rows for (all of them when var rescore_requests is true), so a request keeps the
score of the model that first served it.
"""

from warehouse_ml.scoring import as_scoring, history_to_skip, score_requests, serving_requests


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="append",
        full_refresh=False,
        on_schema_change="append_new_columns",
    )
    serving = serving_requests(
        session,
        dbt.ref("ml_models"),
        dbt.ref("ml_serving_models"),
        dbt.ref("int_scoring_requests"),
        dbt.ref("int_scoring_features"),
        history=history_to_skip(dbt, dbt.config.get("rescore_requests")),
    )
    return as_scoring(score_requests(*serving), dbt.config.get("invocation_id"))
