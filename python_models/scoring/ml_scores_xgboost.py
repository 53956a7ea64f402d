"""Batch scores from XGBoost's own predict: one row per request and class, every spec."""

from warehouse_ml.scoring import dbt_serving_requests, score_requests


def model(dbt, session):
    dbt.config(materialized="table")
    return score_requests(*dbt_serving_requests(dbt, session))
