"""The node-table SQL scorer equals ``booster.predict`` and the nested-CASE SQL (real DuckDB)."""

from __future__ import annotations

import json

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import xgboost as xgb

from warehouse_ml.sql_compiler import compile_booster_sql
from warehouse_ml.sql_node_scorer import (
    NODE_COLUMNS,
    booster_node_table,
    choose_formulation,
    estimate_nested_sql_chars,
    render_node_scoring_sql,
)

TOL = 1e-5


def _train(X, y, rounds, **params):
    base = {"objective": "multi:softprob", "max_depth": 4, "eta": 0.3, "nthread": 1, "seed": 0}
    base.update(params)
    return xgb.train(base, xgb.DMatrix(X, label=y), rounds)


def _data(rng, n, n_num, n_hot, num_class, missing=0.25):
    num = rng.normal(size=(n, n_num)).round(3)
    num[rng.random(num.shape) < missing] = np.nan
    hot = (rng.random((n, n_hot)) < 0.3).astype(float)
    signal = np.nan_to_num(num[:, :1]) * np.arange(num_class)
    if n_hot:
        signal += hot[:, :1] * np.arange(num_class)
    y = np.argmax(signal + rng.gumbel(size=(n, num_class)), axis=1)
    return np.hstack([num, hot]), y, ["numeric"] * n_num + ["onehot"] * n_hot


def _long(X, kinds, rng, key="request_id"):
    """Long rows: a missing numeric / zero one-hot is absent, NULL, NaN (or an explicit 0)."""
    ids, idx, vals, null = [], [], [], []
    for i, row in enumerate(X):
        for j, x in enumerate(row):
            draw = rng.random()
            if (kinds[j] == "numeric" and np.isnan(x)) or (kinds[j] == "onehot" and x == 0):
                if draw < 0.4:
                    continue  # absent
                x = np.nan if draw < 0.7 or kinds[j] == "numeric" else 0.0
                null.append(draw < 0.55)
            else:
                null.append(False)
            ids.append(f"r{i:06d}")
            idx.append(j)
            vals.append(float(x))
        if not ids or ids[-1] != f"r{i:06d}":  # keep every request: one NULL row
            ids.append(f"r{i:06d}")
            idx.append(0)
            vals.append(np.nan)
            null.append(True)
    return pa.table(
        {
            key: pa.array(ids, pa.string()),
            "feature_index": pa.array(idx, pa.int32()),
            "value": pa.array(vals, pa.float64(), mask=np.array(null)),
        }
    )


def _run(sql, feats, nodes=None, key="request_id"):
    con = duckdb.connect()
    con.execute("set threads=1")
    con.register("feats", feats)
    if nodes is not None:
        con.register("nodes", nodes.to_arrow())
    res = con.sql(f"select * from ({sql}) as s order by {key}, class_index")
    assert res.columns == [key, "class_index", "probability"]
    assert [str(t) for t in res.types] == ["VARCHAR", "INTEGER", "DOUBLE"]
    out = res.fetchnumpy()
    n_classes = len(set(out["class_index"].tolist()))
    assert list(out["class_index"]) == list(np.arange(len(out[key])) % n_classes)
    return out[key][::n_classes], np.asarray(out["probability"]).reshape(-1, n_classes)


def _node_scores(booster, kinds, feats, **kwargs):
    table = booster_node_table(booster, kinds)
    return _run(table.scoring_sql("nodes", "feats", **kwargs), feats, table, **kwargs)


def _check_all(booster, kinds, X, rng):
    """Node SQL vs predict (1e-5) and vs the nested-CASE SQL (same doubles, ~1e-15)."""
    feats = _long(X, kinds, rng)
    ids, got = _node_scores(booster, kinds, feats)
    assert list(ids) == [f"r{i:06d}" for i in range(len(X))]
    expected = booster.predict(xgb.DMatrix(X))
    if expected.ndim == 1:
        expected = np.column_stack([1 - expected, expected])
    assert np.abs(got - expected).max() <= TOL
    assert np.array_equal(got.argmax(axis=1), expected.argmax(axis=1))
    _, nested = _run(compile_booster_sql(booster, kinds, relation="feats"), feats)
    assert np.abs(got - nested).max() <= 1e-12
    return got


def _leaf_depths(booster):
    depths = set()
    for tree in json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"][
        "trees"
    ]:
        stack = [(0, 0)]
        while stack:
            node, depth = stack.pop()
            left = tree["left_children"][node]
            if left == -1:
                depths.add(depth)
            else:
                stack += [(left, depth + 1), (tree["right_children"][node], depth + 1)]
    return depths


# ------------------------------------------------------------------------------------ parity


@pytest.mark.parametrize("num_class", [3, 4])
def test_multiclass_parity_with_missing_and_absent_values(num_class):
    rng = np.random.default_rng(num_class)
    X, y, kinds = _data(rng, 800, 4, 3, num_class)
    booster = _train(X, y, 12, num_class=num_class)
    X_score, _, _ = _data(rng, 300, 4, 3, num_class, missing=0.35)
    X_score[:20, :4] = np.nan  # every numeric missing
    X_score[20:30] = 0.0  # every one-hot zero ...
    X_score[20:30, :4] = np.nan  # ... and every numeric missing: only NULL/NaN/absent rows
    _check_all(booster, kinds, X_score, rng)


def test_binary_logistic_parity():
    rng = np.random.default_rng(7)
    X, y, kinds = _data(rng, 800, 3, 2, 2)
    booster = _train(X, y, 15, objective="binary:logistic", base_score=0.3)
    X_score, _, _ = _data(rng, 300, 3, 2, 2, missing=0.3)
    got = _check_all(booster, kinds, X_score, rng)
    assert np.allclose(got.sum(axis=1), 1.0)


@pytest.mark.parametrize(("depth", "rounds"), [(1, 30), (8, 4)])
def test_stumps_and_deep_trees(depth, rounds):
    rng = np.random.default_rng(depth)
    X, y, kinds = _data(rng, 6000, 6, 2, 3, missing=0.1)
    params = {"max_depth": depth, "min_child_weight": 0.0, "eta": 0.5, "num_class": 3}
    booster = _train(X, y, rounds, **params)
    table = booster_node_table(booster, kinds)
    assert table.max_depth == depth
    if depth > 1:  # leaves above the last level too: paths that end early must stay put
        leaf_depths = _leaf_depths(booster)
        assert min(leaf_depths) < depth == max(leaf_depths)
    X_score, _, _ = _data(rng, 400, 6, 2, 3, missing=0.2)
    _check_all(booster, kinds, X_score, rng)


def test_more_levels_than_the_deepest_tree_change_nothing():
    rng = np.random.default_rng(11)
    X, y, kinds = _data(rng, 600, 3, 1, 3)
    booster = _train(X, y, 5, num_class=3, max_depth=3)
    table = booster_node_table(booster, kinds)
    feats = _long(X[:100], kinds, rng)
    _, exact = _run(table.scoring_sql("nodes", "feats"), feats, table)
    sql = render_node_scoring_sql(
        "nodes",
        "feats",
        objective=table.objective,
        num_classes=3,
        max_depth=table.max_depth + 3,
        base_margins=table.base_margins,
    )
    _, deeper = _run(sql, feats, table)
    assert np.array_equal(exact, deeper)
    short = sql.replace(f"wml_l{table.max_depth + 3} as s", "wml_l1 as s")
    _, wrong = _run(short, feats, table)  # stopping early really changes the scores
    assert np.abs(wrong - exact).max() > 1e-3


def test_float32_threshold_edges():
    rng = np.random.default_rng(32)
    X = rng.integers(-20, 20, size=(2000, 3)) / 10.0  # cut points are float32(0.1) etc.
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0.05).astype(int) + (X[:, 2] > 0.3)
    booster = _train(X, y, 6, num_class=3, max_depth=3)
    table = booster_node_table(booster, ["numeric"] * 3)
    trees = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    edges = []  # (feature, float32 threshold, value)
    for tree_id, node, _, is_leaf, feature, cut, *_ in table.rows:
        if is_leaf:
            continue
        t32 = np.float32(trees[tree_id]["split_conditions"][node])
        for v in (
            t32,
            np.nextafter(t32, np.float32(np.inf)),
            np.nextafter(t32, np.float32(-np.inf)),
            round(float(t32), 6),  # the decimal the data came from, not its float32
            float(t32) * (1 + 1e-12),  # above t only below float32 precision
        ):
            assert (np.float32(v) < t32) == (float(np.float32(v)) < cut)
            edges.append((feature, t32, float(v)))
    # these values really sit where a double comparison with t disagrees with float32's
    assert any((v < float(t)) != (np.float32(v) < t) for _, t, v in edges)
    X_score = rng.integers(-20, 20, size=(len(edges), 3)) / 10.0
    for row, (feature, _, v) in enumerate(edges):
        X_score[row, feature] = v
    _check_all(booster, ["numeric"] * 3, X_score, rng)


def test_onehot_missing_child_is_where_zero_goes():
    rng = np.random.default_rng(3)
    X, y, kinds = _data(rng, 800, 2, 3, 3)
    booster = _train(X, y, 8, num_class=3)
    hot = [
        r for r in booster_node_table(booster, kinds).rows if not r[3] and kinds[r[4]] == "onehot"
    ]
    assert hot
    for _, _, _, _, _, cut, left, right, missing, _ in hot:
        assert missing == (left if cut > 0.0 else right)
    # every one-hot feature absent must score like explicit zeros, not like NaN (missing)
    X_zero = np.hstack([rng.normal(size=(50, 2)), np.zeros((50, 3))])
    no_rows = _long(X_zero, kinds, rng).filter(pc.less(pc.field("feature_index"), 2))
    assert no_rows.num_rows == 100
    _, got = _node_scores(booster, kinds, no_rows)
    assert np.abs(got - booster.predict(xgb.DMatrix(X_zero))).max() <= TOL
    X_nan = X_zero.copy()
    X_nan[:, 2:] = np.nan
    assert np.abs(got - booster.predict(xgb.DMatrix(X_nan))).max() > 1e-3


def test_key_renames_the_id_column_and_duplicates_keep_max():
    rng = np.random.default_rng(5)
    X, y, kinds = _data(rng, 600, 3, 1, 3)
    booster = _train(X, y, 6, num_class=3)
    feats = _long(X[:80], kinds, rng, key="entity_time")
    nested = compile_booster_sql(booster, kinds, relation="feats", key="entity_time")
    low = feats.slice(0, 40).set_column(2, "value", pa.array([-1e6] * 40, pa.float64()))
    doubled = pa.concat_tables([feats, low])  # duplicates: both formulations keep the max
    ids, got = _node_scores(booster, kinds, doubled, key="entity_time")
    _, want = _run(nested, doubled, key="entity_time")
    assert len(ids) == 80 and np.abs(got - want).max() <= 1e-12


# ------------------------------------------------------------------------------- SQL shape


def test_sql_length_does_not_grow_with_rounds():
    rng = np.random.default_rng(9)
    X, y, kinds = _data(rng, 2000, 4, 0, 3, missing=0.0)
    tables = [
        booster_node_table(_train(X, y, r, num_class=3, max_depth=3), kinds) for r in (10, 100)
    ]
    assert [t.max_depth for t in tables] == [3, 3]
    arrow = tables[1].to_arrow()
    assert arrow.schema == NODE_COLUMNS and arrow.num_rows == len(tables[1].rows)
    assert arrow.slice(0, 1).to_pylist()[0] == dict(
        zip(NODE_COLUMNS.names, tables[1].rows[0], strict=True)
    )
    assert len(tables[1].rows) > 5 * len(tables[0].rows)
    for dialect in ("duckdb", "trino"):
        small, big = (t.scoring_sql("nodes", "feats", dialect=dialect) for t in tables)
        assert len(small) == len(big)


def test_trino_dialect_uses_only_trino_functions():
    rng = np.random.default_rng(1)
    X, y, kinds = _data(rng, 300, 2, 1, 3)
    table = booster_node_table(_train(X, y, 3, num_class=3), kinds)
    trino = table.scoring_sql("nodes", "feats", dialect="trino")
    duck = table.scoring_sql("nodes", "feats")
    assert "is_nan(value)" in trino and "isnan(" not in trino
    assert trino.replace("is_nan(", "isnan(") == duck
    for duckdb_only in ("::", "exclude", "qualify", "list_", "struct", "  using ", "isnan("):
        assert duckdb_only not in trino.lower()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"nodes": "nodes; drop table x"}, "relation"),
        ({"features": "feats --"}, "relation"),
        ({"nodes": 'a"b'}, "relation"),
        ({"key": "id, 1"}, "key"),
        ({"dialect": "spark"}, "dialect"),
        ({"objective": "reg:squarederror"}, "objective"),
        ({"max_depth": -1}, "max_depth"),
        ({"base_margins": [0.0, 0.0]}, "base margins"),
    ],
)
def test_invalid_arguments_are_refused(kwargs, message):
    args = {"nodes": "nodes", "features": "feats", "objective": "multi:softprob"}
    args.update({"num_classes": 3, "max_depth": 2, "base_margins": [0.5] * 3, **kwargs})
    with pytest.raises(ValueError, match=message):
        render_node_scoring_sql(args.pop("nodes"), args.pop("features"), **args)


def test_feature_kinds_are_checked():
    rng = np.random.default_rng(2)
    X, y, kinds = _data(rng, 200, 2, 1, 3)
    booster = _train(X, y, 2, num_class=3)
    for bad in (kinds[:2], "numeric", [*kinds[:2], "text"]):
        with pytest.raises(ValueError, match="feature_kinds"):
            booster_node_table(booster, bad)


def test_chooser_and_its_size_estimate():
    rng = np.random.default_rng(4)
    X, y, kinds = _data(rng, 5000, 6, 0, 3, missing=0.1)
    tiny = _train(X, y, 3, num_class=3, max_depth=2)
    medium = _train(X, y, 20, num_class=3, max_depth=6)
    estimate, _ = estimate_nested_sql_chars(medium)
    actual = len(compile_booster_sql(medium, kinds, dialect="trino"))
    assert 0.8 < estimate / actual < 1.25
    assert choose_formulation(tiny, "trino") == "nested_case"
    assert choose_formulation(tiny, "duckdb") == "nested_case"
    big = _train(X, y, 170, num_class=3, max_depth=6, min_child_weight=0.0)
    assert len(compile_booster_sql(big, kinds, dialect="trino")) > 1_000_000  # really too big
    assert choose_formulation(big, "trino") == "node_table"
    assert choose_formulation(big, "duckdb") == "nested_case"  # no text limit, few splits
    assert choose_formulation(big, "duckdb", max_sql_chars=100_000) == "node_table"
    assert choose_formulation(big, "trino", iteration_range=(0, 2)) == "nested_case"


def test_a_registered_node_table_scorer_reads_its_model_rows_and_equals_predict():
    """model_scoring_sql + registry_node_table, as the registry and ml_model_nodes use them:
    two models in one node table, each scored through its own model_id's rows."""
    import pandas as pd

    from warehouse_ml.sql_compiler import FEATURES_PLACEHOLDER
    from warehouse_ml.sql_node_scorer import (
        NODES_PLACEHOLDER,
        model_scoring_sql,
        registry_node_table,
    )

    rng = np.random.default_rng(11)
    X, y, kinds = _data(rng, 400, 4, 2, 3)
    multi = _train(X, y, 12, num_class=3)
    binary = _train(X, (y > 0).astype(int), 8, objective="binary:logistic")
    rows = []
    for model_id, booster in (("m-multi", multi), ("m-binary", binary)):
        formulation, sql = model_scoring_sql(
            booster, kinds, dialect="duckdb", formulation="node_table"
        )
        assert formulation == "node_table" and NODES_PLACEHOLDER in sql
        rows.append((model_id, booster.save_raw("json").decode(), json.dumps(kinds), sql))
    nested = model_scoring_sql(multi, kinds, dialect="duckdb")  # auto: small, so nested
    assert nested[0] == "nested_case" and NODES_PLACEHOLDER not in nested[1]
    rows.append(("m-nested", "{}", json.dumps(kinds), nested[1]))
    rows.append(("m-none", "{}", json.dumps(kinds), None))
    registry = pd.DataFrame(
        rows, columns=["model_id", "booster_json", "feature_kinds", "scoring_sql"]
    )
    table = registry_node_table(registry)
    assert table.column_names == ["model_id", *NODE_COLUMNS.names]
    assert set(table.column("model_id").to_pylist()) == {"m-multi", "m-binary"}

    feats = _long(X, kinds, rng)
    con = duckdb.connect()
    con.register("all_nodes", table)
    con.register("feats", feats)
    for (model_id, _, _, sql), booster in zip(rows[:2], (multi, binary), strict=True):
        own = f"(select * from all_nodes where model_id = '{model_id}')"
        query = sql.replace(NODES_PLACEHOLDER, own).replace(FEATURES_PLACEHOLDER, "feats")
        got = con.sql(f"select * from ({query}) as s order by request_id, class_index").fetchnumpy()
        n_classes = 3 if model_id == "m-multi" else 2
        probability = np.asarray(got["probability"]).reshape(-1, n_classes)
        expected = booster.predict(xgb.DMatrix(X))
        if expected.ndim == 1:
            expected = np.column_stack([1 - expected, expected])
        assert np.abs(probability - expected).max() <= TOL, model_id
    with pytest.raises(ValueError, match="sql_formulation"):
        model_scoring_sql(multi, kinds, dialect="duckdb", formulation="fastest")
