"""Batch scores from XGBoost's own predict: one row per request and class, every spec."""

from warehouse_ml.scoring import score_requests, sql_request_fetcher
from warehouse_ml.sql_fetcher import duckdb_query


def model(dbt, session):
    dbt.config(materialized="table")
    serving = dbt.ref("ml_serving_models")
    models = dbt.ref("ml_models").join(serving.project("model_id"), "model_id").df()
    query = duckdb_query(
        session,
        {
            "wml_scoring_requests": dbt.ref("int_scoring_requests"),
            "wml_scoring_features": dbt.ref("int_scoring_features"),
        },
    )
    fetch = sql_request_fetcher(query, "wml_scoring_requests", "wml_scoring_features")
    return score_requests(models, fetch)
