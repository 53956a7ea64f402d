"""The node-table SQL scorer on Trino: a model whose nested-CASE SQL Trino refuses
(over ``query.max-length``) scores within 1e-5 of XGBoost's own predict."""

from __future__ import annotations

import numpy as np
import pytest
import xgboost as xgb

from warehouse_ml.sql_compiler import compile_booster_sql
from warehouse_ml.sql_node_scorer import booster_node_table, choose_formulation

TOL = 1e-5


def _model(rng, objective: str, rounds: int, num_class: int = 1):
    X = rng.normal(size=(3000, 8)).round(3)
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 6:] = (rng.random((3000, 2)) < 0.3).astype(float)  # two one-hot columns
    signal = np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1]) * X[:, 6]
    if num_class > 1:
        y = np.digitize(signal + rng.normal(size=3000), [-0.5, 0.5])
        params = {"objective": objective, "num_class": num_class}
    else:
        y = (signal + rng.normal(size=3000) > 0).astype(int)
        params = {"objective": objective}
    params |= {"max_depth": 6, "eta": 0.1, "nthread": 1, "seed": 0}
    booster = xgb.train(params, xgb.DMatrix(X, label=y), rounds)
    return booster, ["numeric"] * 6 + ["onehot"] * 2


def _long_rows(X, kinds):
    """(request_id, feature_index, value): missing numerics absent or NaN, zero one-hots absent."""
    rows = []
    for i, row in enumerate(X):
        for j, x in enumerate(row):
            if kinds[j] == "onehot" and x == 0:
                continue
            if np.isnan(x) and (i + j) % 2:
                continue
            rows.append((f"r{i:05d}", j, float(x)))
    return rows


NODE_COLUMN_TYPES = [
    ("tree_id", "integer"),
    ("node_id", "integer"),
    ("class_index", "integer"),
    ("is_leaf", "boolean"),
    ("feature_index", "integer"),
    ("threshold", "double"),
    ("left_child", "integer"),
    ("right_child", "integer"),
    ("missing_child", "integer"),
    ("leaf_value", "double"),
]


@pytest.fixture
def tables(trino_warehouse):
    client, settings = trino_warehouse.client, trino_warehouse.settings
    client.ensure_schema(settings.schema)
    nodes, feats = settings.qualified("node_table"), settings.qualified("node_features")
    body = ", ".join(f"{name} {kind}" for name, kind in NODE_COLUMN_TYPES)
    client.execute(f"create table {nodes} ({body})")
    client.execute(
        f"create table {feats} (request_id varchar, feature_index integer, value double)"
    )
    yield client, nodes, feats
    client.execute(f"drop table {nodes}")
    client.execute(f"drop table {feats}")


@pytest.mark.parametrize(
    ("objective", "rounds", "num_class"), [("multi:softprob", 250, 3), ("binary:logistic", 40, 1)]
)
def test_node_scorer_matches_predict_on_trino(tables, objective, rounds, num_class):
    client, nodes, feats = tables
    rng = np.random.default_rng(rounds)
    booster, kinds = _model(rng, objective, rounds, num_class)
    X = rng.normal(size=(120, 8)).round(3)
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 6:] = (rng.random((120, 2)) < 0.3).astype(float)

    table = booster_node_table(booster, kinds)
    client.insert_json_rows(nodes, NODE_COLUMN_TYPES, table.rows)  # as the registry writes them
    client.insert_rows(feats, ["request_id", "feature_index", "value"], _long_rows(X, kinds))
    scored = client.frame(
        f"select * from ({table.scoring_sql(nodes, feats, dialect='trino')}) as s "
        "order by request_id, class_index"
    )
    n_classes = max(num_class, 2)
    got = scored["probability"].to_numpy().reshape(-1, n_classes)
    expected = booster.predict(xgb.DMatrix(X))
    if expected.ndim == 1:
        expected = np.column_stack([1 - expected, expected])
    assert len(got) == len(X)
    assert np.abs(got - expected).max() <= TOL

    if num_class == 3:
        # The nested-CASE form of the same model is too long for Trino's default
        # query.max-length: the chooser picks the node table, and Trino refuses the other.
        nested = compile_booster_sql(booster, kinds, dialect="trino", relation=feats)
        assert len(nested) > 1_000_000
        assert choose_formulation(booster, "trino") == "node_table"
        with pytest.raises(Exception, match=r"(?i)query text length|max.?length"):
            client.execute(nested)


def test_json_rows_insert_what_values_rows_insert(trino_warehouse):
    """insert_json_rows (the registry's node rows) stores the same values as a VALUES
    list, quotes, non-ASCII text, NULLs, extreme doubles and batching included."""
    client, settings = trino_warehouse.client, trino_warehouse.settings
    client.ensure_schema(settings.schema)
    columns = [("name", "varchar"), ("n", "integer"), ("x", "double"), ("flag", "boolean")]
    rows = [
        ("it's", 1, 0.1, True),
        ('Kraków \\ "q" ;--', -2, -1.7976931348623157e308, False),
        (None, None, None, None),
        ("", 2**31 - 1, 5e-324, True),
    ] + [(f"r{i}", i, i / 7, i % 2 == 0) for i in range(500)]
    tables = []
    for name in ("by_values", "by_json"):
        table = settings.qualified(name)
        client.execute(f"create table {table} (name varchar, n integer, x double, flag boolean)")
        tables.append(table)
    assert client.insert_rows(tables[0], [c for c, _ in columns], rows) == len(rows)
    # a small statement cap forces several statements
    assert client.insert_json_rows(tables[1], columns, rows, max_chars=2_000) == len(rows)
    read = [
        client.execute(f"select name, n, x, flag from {t} order by n nulls first, name")
        for t in tables
    ]
    assert read[0] == read[1] and len(read[1]) == len(rows)
    with pytest.raises(ValueError, match="NaN"):
        client.insert_json_rows(tables[1], columns, [("nan", 1, float("nan"), True)])
