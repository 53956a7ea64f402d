"""Node-table SQL scoring wired end to end on DuckDB: a spec scored from ml_model_nodes.

With ``scoring_sql_formulation: node_table`` every model's SQL scorer reads its trees
from ``ml_model_nodes`` instead of holding them in nested CASEs; the dbt test
``assert_ml_scores_sql_matches_xgboost`` (run by the build) holds ``ml_scores_sql`` to
XGBoost's predict within 1e-5, and this module checks the same against the booster
itself and that the node rows are the registered boosters' trees.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xgboost as xgb
from conftest import Warehouse, sample_warehouse

from warehouse_ml.sql_node_scorer import NODES_PLACEHOLDER, booster_node_table

pytestmark = pytest.mark.dbt

NODE_VARS = (
    "{hpo_trials: 2, num_boost_round: 40, early_stopping_rounds: 10, "
    "scoring_sql_formulation: node_table}"
)


@pytest.fixture(scope="module")
def wh(make_warehouse) -> Warehouse:
    wh = sample_warehouse(
        make_warehouse, "node_table_scoring", n_events=3_000, n_requests=150, seed=5
    )
    # The build runs the ml_scores_sql-versus-XGBoost data test too.
    wh.build("-s", "+ml_scores_sql", "+ml_scores_xgboost", "ml_model_nodes", vars_=NODE_VARS)
    return wh


def test_every_sql_scorer_reads_the_node_table(wh: Warehouse) -> None:
    rows = wh.query(
        "select scoring_sql, status_reason from ml_models where scoring_sql is not null"
    )
    assert rows
    for scoring_sql, reason in rows:
        # the node form's text depends on the depth only: a few kB, not kB per tree
        assert NODES_PLACEHOLDER in scoring_sql and len(scoring_sql) < 12_000
        assert "node table" in reason


def test_the_node_rows_are_each_registered_booster(wh: Warehouse) -> None:
    registry = wh.query(
        "select model_id, booster_json, feature_kinds from ml_models where scoring_sql is not null"
    )
    for model_id, booster_json, kinds in registry:
        expected = booster_node_table(booster_json, json.loads(kinds)).to_arrow().to_pylist()
        got = wh.frame(
            "select * exclude (model_id) from ml_model_nodes where model_id = ? "
            "order by tree_id, node_id",
            [model_id],
        ).to_dict("records")
        assert len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            for column, value in e.items():
                if value is None:
                    assert g[column] is None or np.isnan(g[column]), (model_id, column)
                else:
                    assert g[column] == value, (model_id, column)


def test_sql_scores_equal_the_boosters_predict(wh: Warehouse) -> None:
    """Independent of the dbt test: the probabilities against xgboost's predict on the
    features the SQL scored, rebuilt dense from int_scoring_features."""
    scored = wh.frame(
        "select s.model_id, s.request_id, s.class_index, s.probability, m.booster_json, "
        "m.model_name, m.feature_kinds from ml_scores_sql as s join ml_models as m using (model_id)"
    )
    assert len(scored) > 100
    features = wh.frame(
        "select model_name, request_id, feature_index, value from int_scoring_features"
    )
    checked = 0
    for model_id, rows in scored.groupby("model_id"):
        booster = xgb.Booster()
        booster.load_model(bytearray(rows["booster_json"].iloc[0], "utf-8"))
        kinds = json.loads(rows["feature_kinds"].iloc[0])
        ids = sorted(rows["request_id"].unique())
        # an absent numeric is missing, an absent one-hot is 0 (sql_compiler's contract)
        dense = np.array([[np.nan if k == "numeric" else 0.0 for k in kinds]] * len(ids))
        position = {r: i for i, r in enumerate(ids)}
        mine = features[
            (features["model_name"] == rows["model_name"].iloc[0])
            & features["request_id"].isin(position)
        ]
        for r, j, v in mine[["request_id", "feature_index", "value"]].itertuples(index=False):
            dense[position[r], int(j)] = v
        expected = booster.predict(xgb.DMatrix(dense, missing=np.nan))
        if expected.ndim == 1:
            expected = np.column_stack([1 - expected, expected])
        got = np.zeros_like(expected)
        for r, c, p in rows[["request_id", "class_index", "probability"]].itertuples(index=False):
            got[position[r], int(c)] = p
        assert np.abs(got - expected).max() <= 1e-5, model_id
        checked += 1
    assert checked >= 1
