"""The compiled SQL scorer equals ``booster.predict`` (real xgboost, real DuckDB, no mocks)."""

from __future__ import annotations

import copy
import json
import os

import duckdb
import numpy as np
import pyarrow as pa
import pytest
import xgboost as xgb

from warehouse_ml.sql_compiler import FEATURES_PLACEHOLDER, compile_booster_sql, load_model_json

TOL = 1e-5


# ------------------------------------------------------------------------------------ helpers


def _train(X, y, num_class, rounds=10, **params):
    base = {"objective": "multi:softprob", "num_class": num_class, "max_depth": 4, "eta": 0.3}
    base.update({"nthread": 1, "seed": 0, **params})
    if base["objective"] == "binary:logistic":
        base.pop("num_class")
    return xgb.train(base, xgb.DMatrix(X, label=y), rounds)


def _random_data(rng, n, n_numeric, n_onehot, num_class, missing=0.2):
    """Dense training matrix: NaN for missing numerics, 0/1 one-hots; labels with signal."""
    num = rng.normal(size=(n, n_numeric)).round(2)
    num[rng.random(num.shape) < missing] = np.nan
    hot = (rng.random((n, n_onehot)) < 0.3).astype(float)
    X = np.hstack([num, hot])
    score = np.nan_to_num(num[:, :1]) * np.arange(num_class) + hot[:, :1] * (num_class - 1)
    y = np.argmax(score + rng.gumbel(size=(n, num_class)), axis=1)
    return X, y, ["numeric"] * n_numeric + ["onehot"] * n_onehot


def _long_table(X, kinds, rng):
    """Long (request_id, feature_index, value) rows encoding X the way the warehouse does.

    Missing numerics are an absent row, a NULL value or a NaN value; zero one-hots are an
    absent row, an explicit 0 or a NULL.  Every request keeps at least one row.
    """
    ids, idx, vals, nulls = [], [], [], []
    for i, row in enumerate(X):
        start = len(ids)
        for j, x in enumerate(row):
            draw = rng.random()
            if kinds[j] == "numeric" and np.isnan(x):
                if draw < 0.4:
                    continue
                value, null = (np.nan, draw < 0.7)
            elif kinds[j] == "onehot" and x == 0:
                if draw < 0.5:
                    continue
                value, null = (0.0, draw < 0.75)
            else:
                value, null = (float(x), False)
            ids.append(f"r{i:06d}")
            idx.append(j)
            vals.append(value)
            nulls.append(null)
        if len(ids) == start:  # no row at all: one NULL row (missing numeric / zero one-hot)
            ids.append(f"r{i:06d}")
            idx.append(0)
            vals.append(np.nan)
            nulls.append(True)
    return pa.table(
        {
            "request_id": pa.array(ids, pa.string()),
            "feature_index": pa.array(idx, pa.int32()),
            "value": pa.array(vals, pa.float64(), mask=np.array(nulls, dtype=bool)),
        }
    )


def _run_sql(sql, table, n_rows, n_classes):
    """Execute in DuckDB; return the (n_rows, n_classes) probability matrix in request order."""
    con = duckdb.connect()
    con.register("feats", table)
    res = con.sql(f"select * from ({sql}) as s order by request_id, class_index")
    assert res.columns == ["request_id", "class_index", "probability"]
    assert [str(t) for t in res.types] == ["VARCHAR", "INTEGER", "DOUBLE"]
    out = res.fetchnumpy()
    assert len(out["request_id"]) == n_rows * n_classes
    expected_ids = np.repeat([f"r{i:06d}" for i in range(n_rows)], n_classes)
    assert list(out["request_id"]) == list(expected_ids)
    assert list(out["class_index"]) == list(np.tile(np.arange(n_classes), n_rows))
    return np.asarray(out["probability"], dtype=float).reshape(n_rows, n_classes)


def _score(booster, kinds, X, rng, **kwargs):
    sql = compile_booster_sql(booster, kinds, relation="feats", **kwargs)
    n_classes = int(
        json.loads(booster.save_raw("json"))["learner"]["learner_model_param"]["num_class"]
    )
    return _run_sql(sql, _long_table(X, kinds, rng), len(X), max(n_classes, 2))


def _assert_matches(got, expected):
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= TOL
    assert np.array_equal(got.argmax(axis=1), expected.argmax(axis=1))


# ------------------------------------------------------------------------------------ parity


@pytest.mark.parametrize("num_class", [3, 5])
def test_multiclass_matches_predict_with_missing_values(num_class):
    rng = np.random.default_rng(num_class)
    X, y, kinds = _random_data(rng, 600, 4, 3, num_class)
    booster = _train(X, y, num_class, rounds=15)
    X_score, _, _ = _random_data(rng, 400, 4, 3, num_class, missing=0.3)
    X_score[:25, :4] = np.nan  # every numeric missing
    X_score[25:35] = np.nan  # every numeric missing and ...
    X_score[25:35, 4:] = 0.0  # ... every one-hot zero: only NULL rows / the placeholder row
    expected = booster.predict(xgb.DMatrix(X_score))
    _assert_matches(_score(booster, kinds, X_score, rng), expected)


def test_deep_trees_depth_10():
    rng = np.random.default_rng(10)
    X, y, kinds = _random_data(rng, 10_000, 6, 2, 3, missing=0.1)
    booster = _train(X, y, 3, rounds=4, max_depth=10, min_child_weight=0.0, eta=0.5)
    trees = load_model_json(booster)["learner"]["gradient_booster"]["model"]["trees"]
    assert max(_depth(t) for t in trees) == 10
    X_score, _, _ = _random_data(rng, 500, 6, 2, 3, missing=0.1)
    expected = booster.predict(xgb.DMatrix(X_score))
    _assert_matches(_score(booster, kinds, X_score, rng), expected)

    # The Trino layout cuts trees over 400 splits into path-guarded subtrees and sums several
    # parts per class; it is portable SQL, so check it on DuckDB too (NaN test swapped).
    assert max(sum(c != -1 for c in t["left_children"]) for t in trees) > 400
    trino = compile_booster_sql(booster, kinds, dialect="trino", relation="feats")
    assert "else 0e0 end" in trino and "0.5e0 * (" in trino and "(p1 + p1)" in trino
    as_duckdb = trino.replace("is_nan(value)", "isnan(value)")
    _assert_matches(_run_sql(as_duckdb, _long_table(X_score, kinds, rng), 500, 3), expected)


def _depth(tree):
    left, right = tree["left_children"], tree["right_children"]

    def walk(node):
        return 0 if left[node] == -1 else 1 + max(walk(left[node]), walk(right[node]))

    return walk(0)


def test_float32_threshold_boundaries():
    """Values exactly on thresholds, one float32 step around them, and below float32 precision."""
    rng = np.random.default_rng(32)
    # few distinct values, so xgboost's cut points are data values (e.g. 0.1 as float32)
    X = rng.integers(-20, 20, size=(2000, 3)) / 10.0
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0.05).astype(int) + (X[:, 2] > 0.3)
    booster = _train(X, y, 3, rounds=6, max_depth=3)
    trees = load_model_json(booster)["learner"]["gradient_booster"]["model"]["trees"]
    thresholds = {
        (int(f), float(t))
        for tree in trees
        for f, t, child in zip(
            tree["split_indices"], tree["split_conditions"], tree["left_children"], strict=True
        )
        if child != -1
    }
    candidates = []  # (feature, threshold, value)
    for feature, thr in sorted(thresholds):
        t32 = np.float32(thr)
        up, down = np.nextafter(t32, np.float32(np.inf)), np.nextafter(t32, np.float32(-np.inf))
        for value in (
            float(t32),  # exactly the threshold
            round(float(t32), 6),  # the decimal the data came from (0.1, not float32(0.1))
            float(up),
            float(down),
            float(t32) * (1 + 1e-12),  # differ from the threshold only below float32 precision
            float(t32) * (1 - 1e-12),
            (float(t32) + float(up)) / 2,  # exact midpoints: round-half-even in both engines
            (float(t32) + float(down)) / 2,
        ):
            candidates.append((feature, t32, value))
    # the data really sits where a float64 comparison would disagree with xgboost's float32 one
    assert any((v < float(t)) != (np.float32(v) < t) for _, t, v in candidates)
    X_score = rng.integers(-20, 20, size=(len(candidates) * 3, 3)) / 10.0
    for row, (feature, _, value) in enumerate(candidates * 3):
        X_score[row, feature] = value
    _assert_matches(
        _score(booster, ["numeric"] * 3, X_score, rng), booster.predict(xgb.DMatrix(X_score))
    )


def test_non_default_base_score_vector():
    rng = np.random.default_rng(5)
    X, y, kinds = _random_data(rng, 500, 3, 2, 3)
    booster = _train(X, y, 3, rounds=5, base_score=[0.7, -1.3, 2.1])
    doc = load_model_json(booster)
    raw = doc["learner"]["learner_model_param"]["base_score"]  # a string like "[7E-1,...]"
    base = np.array([float(v) for v in raw.strip("[]").split(",")])
    np.testing.assert_allclose(base, [0.7, -1.3, 2.1], rtol=1e-6)
    X_score, _, _ = _random_data(rng, 300, 3, 2, 3)
    _assert_matches(_score(booster, kinds, X_score, rng), booster.predict(xgb.DMatrix(X_score)))

    # softprob adds base_score to the margin as stored: with every leaf zeroed the margin is it
    for tree in doc["learner"]["gradient_booster"]["model"]["trees"]:
        tree["split_conditions"] = [
            0.0 if child == -1 else cond
            for cond, child in zip(tree["split_conditions"], tree["left_children"], strict=True)
        ]
    zeroed = xgb.Booster()
    zeroed.load_model(bytearray(json.dumps(doc).encode()))
    margins = zeroed.predict(xgb.DMatrix(X_score), output_margin=True)
    np.testing.assert_allclose(margins, np.tile(base, (len(X_score), 1)), atol=1e-6)
    softmax = np.exp(base - base.max()) / np.exp(base - base.max()).sum()
    sql = compile_booster_sql(doc, kinds, relation="feats")
    got = _run_sql(sql, _long_table(X_score, kinds, rng), len(X_score), 3)
    _assert_matches(got, np.tile(softmax, (len(X_score), 1)))


def test_early_stopping_and_iteration_range():
    rng = np.random.default_rng(11)
    X, y, kinds = _random_data(rng, 900, 4, 2, 3)
    dtrain, dvalid = xgb.DMatrix(X[:500], label=y[:500]), xgb.DMatrix(X[500:], label=y[500:])
    params = {"objective": "multi:softprob", "num_class": 3, "max_depth": 5, "eta": 0.8}
    booster = xgb.train(
        {**params, "nthread": 1, "seed": 0},
        dtrain,
        60,
        evals=[(dvalid, "valid")],
        early_stopping_rounds=3,
        verbose_eval=False,
    )
    best = booster.best_iteration
    assert best + 1 < booster.num_boosted_rounds()  # trees after the best round are kept
    X_score, _, _ = _random_data(rng, 300, 4, 2, 3)
    dm = xgb.DMatrix(X_score)

    # xgboost 3: predict() without iteration_range uses every tree, not best_iteration
    all_trees = booster.predict(dm)
    at_best = booster.predict(dm, iteration_range=(0, best + 1))
    assert np.abs(all_trees - at_best).max() > 1e-3
    assert np.array_equal(all_trees, booster.predict(dm, iteration_range=(0, 0)))

    _assert_matches(_score(booster, kinds, X_score, rng), all_trees)
    _assert_matches(_score(booster, kinds, X_score, rng, iteration_range=(0, best + 1)), at_best)
    middle = (1, best + 1)
    _assert_matches(
        _score(booster, kinds, X_score, rng, iteration_range=middle),
        booster.predict(dm, iteration_range=middle),
    )


def test_absent_one_hot_is_zero_not_missing():
    rng = np.random.default_rng(3)
    n = 800
    hot = (rng.random((n, 3)) < 0.5).astype(float)
    num = rng.normal(size=(n, 1))
    X = np.hstack([num, hot])
    y = (hot[:, 0] + 2 * hot[:, 1]).astype(int)  # the class is in the one-hots
    booster = _train(X, y, 4, rounds=5, max_depth=3)
    kinds = ["numeric", "onehot", "onehot", "onehot"]
    X_score = np.hstack([rng.normal(size=(200, 1)), (rng.random((200, 3)) < 0.5).astype(float)])
    expected = booster.predict(xgb.DMatrix(X_score))
    table = _long_table(X_score, kinds, rng)
    assert table.num_rows < X_score.size  # zero one-hots really are absent rows
    sql = compile_booster_sql(booster, kinds, relation="feats")
    _assert_matches(_run_sql(sql, table, 200, 4), expected)
    # reading the same rows as "numeric" (absent = missing) scores differently
    wrong = compile_booster_sql(booster, ["numeric"] * 4, relation="feats")
    assert np.abs(_run_sql(wrong, table, 200, 4) - expected).max() > 0.05


@pytest.mark.parametrize("base_score", [{}, {"base_score": 0.3}])
def test_binary_logistic(base_score):
    rng = np.random.default_rng(8)
    X, y, kinds = _random_data(rng, 600, 3, 2, 2)
    booster = _train(X, y, 2, rounds=8, objective="binary:logistic", **base_score)
    X_score, _, _ = _random_data(rng, 300, 3, 2, 2)
    p1 = booster.predict(xgb.DMatrix(X_score))
    got = _score(booster, kinds, X_score, rng)
    _assert_matches(got, np.column_stack([1 - p1, p1]))


def test_constant_trees_fold_into_base():
    rng = np.random.default_rng(4)
    X, y, kinds = _random_data(rng, 300, 2, 1, 3)
    booster = _train(X, y, 3, rounds=6, gamma=40.0)  # most trees never split
    trees = load_model_json(booster)["learner"]["gradient_booster"]["model"]["trees"]
    assert any(len(t["left_children"]) == 1 for t in trees)
    X_score, _, _ = _random_data(rng, 100, 2, 1, 3)
    _assert_matches(_score(booster, kinds, X_score, rng), booster.predict(xgb.DMatrix(X_score)))


def test_chain_tree_deeper_than_nested_case_limit():
    """A 140-level tree (lossguide can grow these) compiles to a flat case and still matches."""
    rng = np.random.default_rng(9)
    X = rng.uniform(0, 3, size=(200, 2))
    X[rng.random(X.shape) < 0.1] = np.nan
    booster = _train(X, rng.integers(0, 3, 200), 3, rounds=1, max_depth=1)
    doc = load_model_json(booster)
    depth = 140  # > the 128 levels emitted as nested case
    n_nodes = 2 * depth + 1
    # xgboost's layout: children are consecutive ids (its predictor relies on right == left + 1)
    # internal node i is 2i, its left child a leaf 2i+1, its right child the next internal 2i+2
    left, right = [-1] * n_nodes, [-1] * n_nodes
    parents = [2147483647] * n_nodes
    values, features, default_left = [0.0] * n_nodes, [0] * n_nodes, [0] * n_nodes
    for i in range(depth):
        node = 2 * i
        left[node], right[node] = node + 1, node + 2
        parents[node + 1] = parents[node + 2] = node
        values[node], features[node], default_left[node] = 0.01 * (i + 1), i % 2, i % 3 == 0
        values[node + 1] = 0.001 * i - 0.1  # leaf
    values[-1] = 0.2
    tree = doc["learner"]["gradient_booster"]["model"]["trees"][0]
    tree.update(
        base_weights=values,
        default_left=[int(d) for d in default_left],
        left_children=left,
        right_children=right,
        parents=parents,
        split_conditions=values,
        split_indices=features,
        split_type=[0] * n_nodes,
        loss_changes=[1.0] * n_nodes,
        sum_hessian=[1.0] * n_nodes,
    )
    tree["tree_param"]["num_nodes"] = str(n_nodes)
    chain = xgb.Booster()
    chain.load_model(bytearray(json.dumps(doc).encode()))
    expected = chain.predict(xgb.DMatrix(X))
    assert len(np.unique(expected[:, 0].round(6))) > 30  # rows really end in many leaves
    sql = compile_booster_sql(doc, ["numeric", "numeric"], relation="feats")
    # 0.01 as float32 is 0.0099999998; the literal is the shortest exact stand-in for it
    assert "f0 >= 9.999999e-3 as c0" in sql
    # missing goes left (the default) at the first split: "not c0" is NULL there
    assert "case when coalesce(not c0, true) then -0.1e0 when c0 and " in sql
    _assert_matches(_run_sql(sql, _long_table(X, ["numeric"] * 2, rng), 200, 3), expected)


def test_300_trees_depth_8_stay_under_expression_depth_limit():
    rng = np.random.default_rng(300)
    X, y, kinds = _random_data(rng, 1000, 6, 4, 3, missing=0.1)
    booster = _train(X, y, 3, rounds=100, max_depth=8, min_child_weight=0.0, eta=0.1)
    assert len(load_model_json(booster)["learner"]["gradient_booster"]["model"]["trees"]) == 300
    X_score, _, _ = _random_data(rng, 300, 6, 4, 3, missing=0.1)
    _assert_matches(_score(booster, kinds, X_score, rng), booster.predict(xgb.DMatrix(X_score)))


# ------------------------------------------------------------------------ the check can fail


def test_perturbed_leaf_is_detected():
    rng = np.random.default_rng(21)
    X, y, kinds = _random_data(rng, 500, 3, 2, 3)
    booster = _train(X, y, 3, rounds=3)
    X_score, _, _ = _random_data(rng, 300, 3, 2, 3)
    expected = booster.predict(xgb.DMatrix(X_score))
    table = _long_table(X_score, kinds, rng)

    doc = copy.deepcopy(load_model_json(booster))
    tree = doc["learner"]["gradient_booster"]["model"]["trees"][0]
    leaf = tree["left_children"].index(-1)
    tree["split_conditions"][leaf] += 0.5
    perturbed = compile_booster_sql(doc, kinds, relation="feats")
    got = _run_sql(perturbed, table, len(X_score), 3)
    assert np.abs(got - expected).max() > 100 * TOL
    # ... and it is exactly what xgboost predicts with that leaf changed
    changed = xgb.Booster()
    changed.load_model(bytearray(json.dumps(doc).encode()))
    _assert_matches(got, changed.predict(xgb.DMatrix(X_score)))


# ------------------------------------------------------------------------- API and validation


def test_booster_input_forms_and_placeholder(tmp_path):
    rng = np.random.default_rng(1)
    X, y, kinds = _random_data(rng, 200, 2, 1, 3)
    booster = _train(X, y, 3, rounds=2)
    expected = compile_booster_sql(booster, kinds)
    path = tmp_path / "model.ubj"
    booster.save_model(path)
    json_text = booster.save_raw("json").decode()
    for form in (
        json_text,
        json_text.encode(),
        bytes(booster.save_raw()),
        json.loads(json_text),
        str(path),
        path,
    ):
        assert compile_booster_sql(form, kinds) == expected
    assert expected.count(FEATURES_PLACEHOLDER) == 1
    assert f"from {FEATURES_PLACEHOLDER}\n" in expected
    assert expected.startswith("with ") and not expected.rstrip().endswith(";")
    without_placeholder = expected.replace(FEATURES_PLACEHOLDER, "")
    assert without_placeholder == without_placeholder.lower()  # lowercase keywords


def test_small_model_dialects_differ_only_in_nan_test_and_duckdb_sort():
    rng = np.random.default_rng(2)
    X, y, kinds = _random_data(rng, 200, 2, 1, 3)
    booster = _train(X, y, 3, rounds=2)
    duck = compile_booster_sql(booster, kinds, dialect="duckdb")
    trino = compile_booster_sql(booster, kinds, dialect="trino")
    assert "is_nan(value)" in trino and "isnan(" not in trino
    # DuckDB's sort of the distinct vectors (wml_o), which Trino does not get
    start, end = duck.index("wml_o as ("), duck.index("wml_c as (")
    assert "row_number() over (partition by hash(wml_keys[1]) % 2 order by f" in duck[start:end]
    duck = duck[:start] + duck[end:]
    duck = duck.replace("    from wml_o\n    where wml_rn > 0\n", "    from wml_v\n")
    assert trino.replace("is_nan(value)", "isnan(value)") == duck


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"feature_kinds": ["numeric"] * 2}, "one kind per model feature"),
        ({"feature_kinds": ["numeric", "onehot", "category"]}, "must be one of"),
        ({"feature_kinds": "nno"}, "one kind per model feature"),
        ({"dialect": "postgres"}, "dialect"),
        ({"relation": "feats; drop table x"}, "safe identifier"),
        ({"relation": "1feats"}, "safe identifier"),
        ({"relation": 'feats"'}, "safe identifier"),
        ({"relation": "feats --"}, "safe identifier"),
        ({"key": "id; drop table x"}, "plain identifier"),
        ({"key": "a.b"}, "plain identifier"),
        ({"key": "f3"}, "clashes"),
        ({"key": "probability"}, "clashes"),
        ({"iteration_range": (0, 99)}, "iteration_range"),
        ({"iteration_range": (2, 1)}, "iteration_range"),
        ({"max_split_nodes": 3}, "max_split_nodes=3"),
    ],
)
def test_invalid_arguments(kwargs, message):
    rng = np.random.default_rng(0)
    X, y, kinds = _random_data(rng, 100, 2, 1, 3)
    booster = _train(X, y, 3, rounds=2)
    args = {"feature_kinds": kinds, **kwargs}
    with pytest.raises(ValueError, match=message):
        compile_booster_sql(booster, **args)


def test_quoted_and_dotted_relation_names_are_accepted():
    rng = np.random.default_rng(0)
    X, y, kinds = _random_data(rng, 100, 2, 1, 3)
    booster = _train(X, y, 3, rounds=2)
    sql = compile_booster_sql(booster, kinds, relation='main."feats"')
    assert 'from main."feats"\n' in sql


def test_key_names_the_scored_id_column():
    rng = np.random.default_rng(3)
    X, y, kinds = _random_data(rng, 200, 2, 2, 2)
    booster = _train(X, y, 2, rounds=5, objective="binary:logistic")
    table = _long_table(X, kinds, rng).rename_columns(["point_id", "feature_index", "value"])
    sql = compile_booster_sql(booster, kinds, relation="feats", key="point_id")
    assert "request_id" not in sql
    con = duckdb.connect()
    con.register("feats", table)
    got = con.sql(f"select * from ({sql}) as s where class_index = 1 order by point_id").fetchall()
    assert [row[0] for row in got] == [f"r{i:06d}" for i in range(len(X))]
    expected = booster.predict(xgb.DMatrix(X))
    np.testing.assert_allclose([row[2] for row in got], expected, atol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "reg:squarederror"},
        {"objective": "multi:softmax", "num_class": 3},
        {"objective": "multi:softprob", "num_class": 3, "booster": "dart"},
    ],
)
def test_unsupported_models(params):
    rng = np.random.default_rng(0)
    X, y, _ = _random_data(rng, 100, 2, 1, 3)
    booster = xgb.train({**params, "nthread": 1}, xgb.DMatrix(X, label=y), 2)
    with pytest.raises(ValueError, match="unsupported"):
        compile_booster_sql(booster, ["numeric", "numeric", "onehot"])


def test_categorical_splits_are_rejected():
    rng = np.random.default_rng(0)
    import pandas as pd

    frame = pd.DataFrame(
        {"c": pd.Categorical(rng.choice(list("abcd"), 300)), "x": rng.normal(size=300)}
    )
    y = (frame["c"].isin(["a", "c"])).astype(int) + (frame["x"] > 0)
    dm = xgb.DMatrix(frame, label=y, enable_categorical=True)
    booster = xgb.train({"objective": "multi:softprob", "num_class": 3, "nthread": 1}, dm, 2)
    with pytest.raises(ValueError, match="categorical"):
        compile_booster_sql(booster, ["numeric", "numeric"])


def test_not_a_model():
    with pytest.raises(ValueError, match="not an XGBoost JSON model"):
        compile_booster_sql({"learner": {}}, ["numeric"])
    with pytest.raises(ValueError, match="neither JSON text nor a file"):
        compile_booster_sql(os.path.join("no", "such", "model.json"), ["numeric"])


# ------------------------------------------------------------------------------- Trino (opt-in)


def _trino_cursor():
    trino = pytest.importorskip("trino")
    host = os.environ.get("WML_TRINO_HOST", "127.0.0.1")
    port = int(os.environ.get("WML_TRINO_PORT", "8080"))
    try:
        conn = trino.dbapi.connect(host=host, port=port, user="wml_sql_compiler_test")
        cur = conn.cursor()
        cur.execute("select 1")
        cur.fetchall()
    except Exception as exc:  # no server, or still starting up
        pytest.skip(f"no Trino server at {host}:{port}: {str(exc)[:120]}")
    return cur


def _sql_double(value, null):
    if null:
        return "cast(null as double)"
    if np.isnan(value):
        return "nan()"
    text = repr(float(value))
    return text if "e" in text else text + "e0"


@pytest.mark.trino
def test_trino_matches_predict():
    rng = np.random.default_rng(76)
    X, y, kinds = _random_data(rng, 600, 4, 3, 3)
    booster = _train(X, y, 3, rounds=15, max_depth=5)
    X_score, _, _ = _random_data(rng, 150, 4, 3, 3, missing=0.3)
    X_score[:10, :4] = np.nan
    table = _long_table(X_score, kinds, rng).to_pydict()
    nulls = [v is None for v in table["value"]]
    values = ",\n".join(
        f"('{r}', {i}, {_sql_double(np.nan if n else v, n)})"
        for r, i, v, n in zip(
            table["request_id"], table["feature_index"], table["value"], nulls, strict=True
        )
    )
    sql = compile_booster_sql(booster, kinds, dialect="trino", relation="feats")
    cur = _trino_cursor()
    cur.execute(
        f"with feats (request_id, feature_index, value) as (values {values})\n"
        f"select * from ({sql}) as s order by request_id, class_index"
    )
    rows = cur.fetchall()
    assert [(d[0], d[1]) for d in cur.description] == [
        ("request_id", "varchar(7)"),
        ("class_index", "integer"),
        ("probability", "double"),
    ]
    assert [r[0] for r in rows] == list(np.repeat([f"r{i:06d}" for i in range(150)], 3))
    got = np.array([r[2] for r in rows]).reshape(150, 3)
    _assert_matches(got, booster.predict(xgb.DMatrix(X_score)))
