"""Why each request got its prediction: the top three input columns by SHAP contribution.

An append-only history kept in step with ml_scores_xgboost: each request is
explained once, by the model that scored it, unless var rescore_requests asks
for every request again. ml_explanations shows the newest per request.
"""

from warehouse_ml.explanations import explain_requests
from warehouse_ml.scoring import as_scoring, history_to_skip, serving_requests


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
    return as_scoring(explain_requests(*serving, top_k=3), dbt.config.get("invocation_id"))
