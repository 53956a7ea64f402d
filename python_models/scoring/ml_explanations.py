"""Why each request got its prediction: the top three input columns by SHAP contribution."""

from warehouse_ml.explanations import explain_requests
from warehouse_ml.scoring import dbt_serving_requests


def model(dbt, session):
    dbt.config(materialized="table")
    return explain_requests(*dbt_serving_requests(dbt, session), top_k=3)
