"""warehouse_ml.explanations: the top SHAP contributions of each prediction.

References: the margin and the chosen class come from XGBoost's own predict
(output_margin and probabilities), and a brute-force check of TreeSHAP's
defining property on a one-tree model: with a single split on one column, the
whole margin above the bias is that column's contribution.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import xgboost as xgb
from test_scoring import long_rows, model_row

from warehouse_ml.explanations import (
    EXPLANATION_COLUMNS,
    explain_model_requests,
    explain_requests,
    global_importance,
)

IDS = [f"r{i:03d}" for i in range(40)]


def with_names(model: pd.Series) -> pd.Series:
    return pd.concat([model, pd.Series({"feature_columns": json.dumps(["age", "is_mobile"])})])


def test_contributions_and_bias_add_up_to_the_chosen_class_margin() -> None:
    model, booster, X = model_row()
    got = explain_model_requests(with_names(model), IDS, long_rows(X[:40], IDS), top_k=3)
    assert list(got.columns) == list(EXPLANATION_COLUMNS)
    # Two input columns: top 3 keeps both, so nothing is left over.
    assert (got.groupby("request_id").size() == 2).all()
    per_request = got.groupby("request_id").agg(
        total=("contribution", "sum"), other=("other_contribution", "first"),
        bias=("bias", "first"), margin=("margin", "first"), chosen=("class_index", "first"),
    ).loc[IDS]  # fmt: skip
    np.testing.assert_allclose(
        per_request["total"] + per_request["other"] + per_request["bias"],
        per_request["margin"],
        atol=1e-5,
    )
    margins = booster.predict(xgb.DMatrix(X[:40]), output_margin=True)
    proba = booster.predict(xgb.DMatrix(X[:40]))
    assert (per_request["chosen"].to_numpy() == proba.argmax(axis=1)).all()
    np.testing.assert_allclose(
        per_request["margin"], margins[np.arange(40), proba.argmax(axis=1)], atol=1e-6
    )
    labels = {0: "offer-a", 1: "offer-b", 2: "offer-c"}
    assert (got["label_value"] == got["class_index"].map(labels)).all()


def test_the_top_features_are_the_largest_in_order() -> None:
    model, _, X = model_row()
    got = explain_model_requests(with_names(model), IDS, long_rows(X[:40], IDS), top_k=1)
    both = explain_model_requests(with_names(model), IDS, long_rows(X[:40], IDS), top_k=2)
    best = both.sort_values(["request_id", "contribution"], ascending=[True, False])
    best = best.groupby("request_id").head(1).set_index("request_id")
    top = got.set_index("request_id").loc[best.index]
    assert (top["feature_name"] == best["feature_name"]).all()
    assert (top["feature_rank"] == 1).all()
    # With one column kept, the other's contribution is what is left over.
    second = both[both["feature_rank"] == 2].set_index("request_id").loc[best.index]
    np.testing.assert_allclose(top["other_contribution"], second["contribution"], atol=1e-9)


def test_a_single_split_puts_the_whole_margin_on_its_column() -> None:
    X = np.array([[0.0, 1.0], [1.0, 0.0]] * 50)
    y = X[:, 0]
    params = {"objective": "binary:logistic", "max_depth": 1, "nthread": 1, "base_score": 0.5}
    booster = xgb.train(params, xgb.DMatrix(X, label=y), 1)
    model = pd.Series(
        {
            "model_id": "m", "model_name": "clicks", "group_id": "all",
            "booster_json": bytes(booster.save_raw("json")).decode(),
            "feature_kinds": json.dumps(["numeric", "numeric"]),
            "feature_columns": json.dumps(["x", "y"]),
            "classes": json.dumps({"0": 0, "1": 1}),
        }
    )  # fmt: skip
    long = pd.DataFrame(
        [("a", 0, 1.0), ("a", 1, 0.0), ("b", 0, np.nan), ("b", 1, 1.0)],
        columns=["request_id", "feature_index", "value"],
    )
    got = explain_model_requests(model, ["a", "b"], long, top_k=1).set_index("request_id")
    leaves = booster.predict(xgb.DMatrix(np.array([[1.0, 0.0], [np.nan, 1.0]])), output_margin=True)
    # Binary models explain the positive class (their score).
    assert got["class_index"].tolist() == [1, 1] and got["label_value"].tolist() == ["1", "1"]
    assert got.loc["a", "feature_name"] == "x"
    np.testing.assert_allclose(got["margin"], leaves, atol=1e-6)
    np.testing.assert_allclose(got["contribution"] + got["bias"], got["margin"], atol=1e-6)
    assert np.isnan(got.loc["b", "feature_value"])  # a missing input is reported missing


def test_every_serving_model_is_explained_and_summarised() -> None:
    model, _, X = model_row()
    other = with_names(model).copy()
    other["model_id"], other["group_id"] = "m2", "c2"
    serving = pd.DataFrame([with_names(model), other])
    got = explain_requests(serving, lambda name, mid: (IDS, long_rows(X[:40], IDS)), top_k=1)
    assert set(got["model_id"]) == {"m1", "m2"} and len(got) == 80
    summary = global_importance(got)
    assert set(summary["feature_name"]) <= {"age", "is_mobile"}
    assert summary["n_predictions"].sum() == 40  # request ids repeat across the two groups
    empty = explain_requests(serving, lambda name, mid: ([], long_rows(X[:0], [])))
    assert list(empty.columns) == list(EXPLANATION_COLUMNS) and empty.empty
