"""Why each request got its prediction: the top three input columns by SHAP contribution."""

from warehouse_ml.explanations import explain_requests
from warehouse_ml.scoring import serving_requests


def model(dbt, session):
    dbt.config(materialized="table")
    serving = serving_requests(
        session,
        dbt.ref("ml_models"),
        dbt.ref("ml_serving_models"),
        dbt.ref("int_scoring_requests"),
        dbt.ref("int_scoring_features"),
    )
    return explain_requests(*serving, top_k=3)
