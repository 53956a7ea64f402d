"""warehouse_ml.scoring: XGBoost's own batch scores, ranks, and the SQL request fetcher."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from warehouse_ml.explanations import empty_explanations
from warehouse_ml.scoring import (
    SCORE_COLUMNS,
    as_scoring,
    empty_scores,
    history_to_skip,
    rank_scores,
    score_model_requests,
    score_requests,
    sql_request_fetcher,
)


def model_row(num_class: int = 3) -> tuple[pd.Series, xgb.Booster, np.ndarray]:
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.normal(size=300), (rng.random(300) < 0.5).astype(float)])
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    params = {"objective": "multi:softprob", "num_class": num_class, "nthread": 1, "seed": 0}
    booster = xgb.train(params, xgb.DMatrix(X, label=y), 8)
    row = pd.Series(
        {
            "model_id": "m1",
            "model_name": "offers",
            "group_id": "c1",
            "booster_json": bytes(booster.save_raw("json")).decode(),
            "feature_kinds": json.dumps(["numeric", "onehot"]),
            "classes": json.dumps({"offer-a": 0, "offer-b": 1, "offer-c": 2}),
        }
    )
    return row, booster, X


def long_rows(X: np.ndarray, ids: list[str]) -> pd.DataFrame:
    rows = [
        (rid, j, float(x[j]))
        for rid, x in zip(ids, X, strict=True)
        for j in range(2)
        if j == 0 or x[j] == 1.0  # one-hot zeros are absent rows, as in the warehouse
    ]
    return pd.DataFrame(rows, columns=["request_id", "feature_index", "value"])


def test_scores_equal_xgboost_predict_and_carry_labels() -> None:
    model, booster, X = model_row()
    ids = [f"r{i:03d}" for i in range(20)]
    scores = score_model_requests(model, ids, long_rows(X[:20], ids))
    expected = booster.predict(xgb.DMatrix(X[:20]))
    got = scores.pivot(index="request_id", columns="class_index", values="probability")
    np.testing.assert_allclose(got.loc[ids].to_numpy(), expected, rtol=0, atol=1e-7)
    assert scores.loc[scores["class_index"] == 1, "label_value"].unique().tolist() == ["offer-b"]


def test_rank_one_is_the_most_probable_class_ties_by_index() -> None:
    scores = pd.DataFrame(
        {
            "model_name": "m",
            "request_id": ["a", "a", "a"],
            "class_index": [0, 1, 2],
            "probability": [0.4, 0.4, 0.2],
        }
    )
    ranked = rank_scores(scores)
    assert ranked.sort_values("class_index")["rank"].tolist() == [1, 2, 3]


def test_score_requests_without_serving_models_is_empty_with_columns() -> None:
    empty = score_requests(pd.DataFrame(columns=["model_name", "group_id", "model_id"]), None)
    assert list(empty.columns) == list(SCORE_COLUMNS) and empty.empty


def test_sql_fetcher_reads_only_the_models_scorable_requests() -> None:
    con = duckdb.connect()
    con.execute(
        "create table reqs as select * from (values "
        "('offers', 'r1', 'm1', null), ('offers', 'r2', 'm1', 'bad vector'), "
        "('offers', 'r3', 'm2', null), ('clicks', 'r1', 'm1', null)) "
        "as t(model_name, request_id, model_id, scoring_error)"
    )
    con.execute(
        "create table feats as select * from (values "
        "('offers', 'r1', 0, 1.5), ('offers', 'r2', 0, 2.5), ('offers', 'r3', 0, 3.5), "
        "('clicks', 'r1', 0, 9.0)) as t(model_name, request_id, feature_index, value)"
    )
    fetch = sql_request_fetcher(lambda sql, p: con.execute(sql, list(p)).df(), "reqs", "feats")
    ids, feats = fetch("offers", "m1")
    assert ids == ["r1"]
    assert feats[["request_id", "value"]].values.tolist() == [["r1", 1.5]]

    # With a history, the requests it holds for the same model name are skipped.
    con.execute(
        "create table history as select * from (values ('offers', 'r3'), ('clicks', 'r1')) "
        "as t(model_name, request_id)"
    )
    query = lambda sql, p: con.execute(sql, list(p)).df()  # noqa: E731
    fetch = sql_request_fetcher(query, "reqs", "feats", history="history")
    assert fetch("offers", "m1")[0] == ["r1"]  # r1 of clicks was scored, not r1 of offers
    ids, feats = fetch("offers", "m2")
    assert ids == [] and feats.empty
    assert fetch("clicks", "m1")[0] == []


def test_empty_outputs_keep_their_types_in_duckdb() -> None:
    """An incremental history created from a build that scored nothing must get the
    real column types, or later rows would not fit (untyped empty columns are NULL)."""
    con = duckdb.connect()
    scores = as_scoring(empty_scores(), "inv-1")  # noqa: F841 (read by DuckDB)
    relation = con.sql("select * from scores")
    types = dict(zip(relation.columns, map(str, relation.types), strict=True))
    assert types["model_name"] == "VARCHAR" and types["class_index"] == "INTEGER"
    assert types["probability"] == "DOUBLE" and types["invocation_id"] == "VARCHAR"
    assert types["scored_at"] == "TIMESTAMP WITH TIME ZONE"
    explanations = empty_explanations()  # noqa: F841 (read by DuckDB)
    relation = con.sql("select * from explanations")
    typed = dict(zip(relation.columns, map(str, relation.types), strict=True))
    assert typed["feature_name"] == "VARCHAR" and typed["feature_rank"] == "INTEGER"
    assert typed["contribution"] == "DOUBLE"


def test_one_scoring_shares_one_time_and_invocation() -> None:
    model, _, X = model_row()
    ids = [f"r{i}" for i in range(4)]
    tagged = as_scoring(score_model_requests(model, ids, long_rows(X[:4], ids)), "inv-2")
    assert tagged["scored_at"].nunique() == 1 and set(tagged["invocation_id"]) == {"inv-2"}
    assert str(tagged["scored_at"].dt.tz) == "UTC"


class _Dbt:
    def __init__(self, incremental: bool) -> None:
        self.is_incremental, self.this = incremental, '"wh"."main"."ml_scores_xgboost"'


@pytest.mark.parametrize(
    ("incremental", "rescore", "skips"),
    [(True, "False", True), (True, False, True), (True, "True", False), (False, "False", False)],
)
def test_the_history_is_skipped_unless_first_build_or_rescore(incremental, rescore, skips) -> None:
    dbt = _Dbt(incremental)
    assert (history_to_skip(dbt, rescore) == dbt.this) is skips


def test_a_bad_rescore_value_is_refused() -> None:
    with pytest.raises(ValueError, match="rescore_requests must be true or false, got 'maybe'"):
        history_to_skip(_Dbt(True), "maybe")


@pytest.mark.parametrize("n_requests", [0, 5])
def test_score_requests_fetches_per_model(n_requests: int) -> None:
    model, _, X = model_row()
    ids = [f"r{i}" for i in range(n_requests)]
    seen = []

    def requests_of(model_name: str, model_id: str):
        seen.append((model_name, model_id))
        return ids, long_rows(X[:n_requests], ids)

    out = score_requests(model.to_frame().T, requests_of, progress=lambda _: None)
    assert seen == [("offers", "m1")]
    assert len(out) == 3 * n_requests
    if n_requests:
        assert out.groupby("request_id")["probability"].sum().round(6).eq(1.0).all()
