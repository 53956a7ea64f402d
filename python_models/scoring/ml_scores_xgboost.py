"""Batch scores from XGBoost's own predict: one row per request and class, every spec."""

from warehouse_ml.scoring import score_requests, serving_requests


def model(dbt, session):
    dbt.config(materialized="table")
    serving = serving_requests(
        session,
        dbt.ref("ml_models"),
        dbt.ref("ml_serving_models"),
        dbt.ref("int_scoring_requests"),
        dbt.ref("int_scoring_features"),
    )
    return score_requests(*serving)
