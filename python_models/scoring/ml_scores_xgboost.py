"""Batch scores from XGBoost's own predict: one row per request and offer."""

from warehouse_ml.scoring import duckdb_request_fetcher, score_requests


def model(dbt, session):
    dbt.config(materialized="table")
    serving = dbt.ref("ml_serving_models")
    models = dbt.ref("ml_models").join(serving.project("model_id"), "model_id").df()
    fetch = duckdb_request_fetcher(
        dbt.ref("int_requests_assigned"), dbt.ref("int_requests_features")
    )
    return score_requests(models, fetch)
