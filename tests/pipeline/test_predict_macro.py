"""warehouse_ml.predict: any relation scored in SQL with a spec's serving models,
from a user's own model; equal to the batch scorers on the same rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import Warehouse, copy_project

from warehouse_ml.generator import GeneratorConfig, write_sample

pytestmark = pytest.mark.dbt

#: A user's model over the staged requests, and one over rows they make up
#: (an unseen country, a campaign nobody serves, a rejected-looking row).
USER_MODELS = {
    "predict_staged_requests": (
        "{{ warehouse_ml.predict('offer_conversion', ref('stg_landing__requests')) }}\n"
    ),
    "what_if_requests": """
select
    'what-if-' || cast(row_number() over (order by group_id) as varchar) as request_id,
    group_id as campaign_id,
    cast(100.5 as double) as long,
    cast(13.6 as double) as lat,
    'ZZ' as country,
    'Android' as dos,
    'mobile' as dtype,
    'Chrome' as dbrowser
from {{ ref('ml_serving_models') }}
where model_name = 'offer_conversion'
union all
select 'what-if-nobody', 'no-such-campaign', 0.0, 0.0, 'US', 'iOS', 'mobile', 'Safari'
""",
    "predict_what_if": (
        "{{ warehouse_ml.predict('offer_conversion', ref('what_if_requests')) }}\n"
    ),
}
COLUMNS = "model_name, request_id, group_id, model_id, label_value, class_index, probability, rank"


@pytest.fixture(scope="module")
def wh(make_warehouse, tmp_path_factory) -> Warehouse:
    wh = make_warehouse("predict_macro")
    write_sample(
        wh.path.parent / "sample", GeneratorConfig(n_events=3_000, n_requests=300, seed=21)
    )
    wh.landing = wh.path.parent / "sample" / "landing"
    wh.requests = wh.path.parent / "sample" / "requests"
    wh.project = copy_project(tmp_path_factory.mktemp("predict_project") / "project")
    for name, sql in USER_MODELS.items():
        (wh.project / "models" / f"{name}.sql").write_text(sql)
    wh.build("-s", "+ml_scores_sql", "+offer_scores", "+offer_predictions")
    wh.dbt("run", "-s", *USER_MODELS)
    return wh


def test_predict_equals_the_batch_sql_scorer_row_for_row(wh: Warehouse) -> None:
    got = wh.query(f"select {COLUMNS} from predict_staged_requests order by all")
    batch = wh.query(
        f"select {COLUMNS} from ml_scores_sql where model_name = 'offer_conversion' order by all"
    )
    assert len(batch) > 300 and got == batch


def test_predict_equals_xgboost_own_predict_and_the_offer_contract(wh: Warehouse) -> None:
    got = wh.frame(
        "select request_id, label_value as offer_id, probability, rank from predict_staged_requests"
    )
    xgb = wh.frame("select request_id, offer_id, probability, rank from offer_scores")
    merged = got.merge(xgb, on=["request_id", "offer_id"], suffixes=("_sql", "_xgb"))
    assert len(merged) == len(got) == len(xgb) > 0
    assert np.abs(merged["probability_sql"] - merged["probability_xgb"]).max() < 1e-5
    best = dict(wh.query("select request_id, predicted_offer_id from offer_predictions"))
    top = got[got["rank"] == 1]
    assert {r: best[r] for r in top["request_id"]} == dict(
        zip(top["request_id"], top["offer_id"], strict=True)
    )


def test_made_up_rows_are_encoded_with_the_fitted_state_and_unserved_groups_skipped(
    wh: Warehouse,
) -> None:
    rows = wh.frame("select * from predict_what_if")
    served = dict(
        wh.query(
            "select group_id, model_id from ml_serving_models where model_name = 'offer_conversion'"
        )
    )
    assert set(rows["group_id"]) == set(served) and "what-if-nobody" not in set(rows["request_id"])
    assert (rows["model_id"] == rows["group_id"].map(served)).all()
    # Probabilities of each row sum to one; rank 1 is the most probable class.
    sums = rows.groupby("request_id")["probability"].sum()
    assert np.allclose(sums, 1.0, atol=1e-9)
    top = rows.sort_values(["request_id", "probability"], ascending=[True, False])
    assert (top.groupby("request_id")["rank"].first() == 1).all()
    # The same rows through XGBoost: 'ZZ' was never seen, so no country column is lit.
    models = wh.frame(
        "select model_id, booster_json, feature_columns, classes from ml_models "
        "where model_id in (select model_id from ml_serving_models)"
    ).set_index("model_id")
    import xgboost as xgb

    for request_id, one in rows.groupby("request_id"):
        model = models.loc[one["model_id"].iloc[0]]
        columns = json.loads(model["feature_columns"])
        x = np.zeros((1, len(columns)))
        lit = {
            "long": 100.5,
            "lat": 13.6,
            "dos_Android": 1,
            "dtype_mobile": 1,
            "dbrowser_Chrome": 1,
        }
        for name, value in lit.items():
            if name in columns:
                x[0, columns.index(name)] = value
        booster = xgb.Booster()
        booster.load_model(bytearray(model["booster_json"].encode()))
        proba = booster.inplace_predict(x).reshape(1, -1)[0]
        if proba.size == 1:
            proba = np.array([1 - proba[0], proba[0]])
        by_class = one.set_index("class_index")["probability"].sort_index().to_numpy()
        assert np.abs(by_class - proba).max() < 1e-5, request_id


def test_predict_refuses_specs_it_cannot_score(wh: Warehouse) -> None:
    bad = wh.project / "models" / "predict_bad.sql"
    for spec, message in (
        ("no_such_spec", "model spec 'no_such_spec' is not part of this build"),
        ("purchase_propensity", "spec 'purchase_propensity' has no scoring source"),
    ):
        bad.write_text(f"{{{{ warehouse_ml.predict('{spec}', ref('stg_landing__requests')) }}}}\n")
        try:
            proc = wh.dbt("run", "-s", "predict_bad", check=False)
        finally:
            bad.unlink()
        assert proc.returncode != 0 and message in proc.stdout, proc.stdout[-2000:]
