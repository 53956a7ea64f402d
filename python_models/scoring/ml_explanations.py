"""Why each request got its prediction: the top three input columns by SHAP contribution."""

from warehouse_ml.explanations import explain_requests
from warehouse_ml.scoring import sql_request_fetcher
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
    return explain_requests(models, fetch, top_k=3)
