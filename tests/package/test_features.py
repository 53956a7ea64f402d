"""Tests for warehouse_ml.features: long → dense pivot and explicit vector parsing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from warehouse_ml.features import long_to_matrix

from reference.feature_vector import FeatureVectorError, parse_feature_vector

KINDS = ["numeric", "numeric", "onehot", "onehot"]


def _long(rows: list[tuple[str, int, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row_id": [r[0] for r in rows],
            "campaign_id": "c1",
            "feature_index": [r[1] for r in rows],
            "value": [r[2] for r in rows],
        }
    )


def test_absent_numeric_is_nan_and_absent_onehot_is_zero() -> None:
    df = _long([("r1", 0, 52.25), ("r1", 3, 1.0), ("r2", 1, 21.0)])
    m = long_to_matrix(df, ["r1", "r2"], KINDS)
    assert m.shape == (2, 4)
    np.testing.assert_array_equal(m[0], [52.25, np.nan, 0.0, 1.0])
    np.testing.assert_array_equal(m[1], [np.nan, 21.0, 0.0, 0.0])


def test_null_value_numeric_stays_missing_onehot_becomes_zero() -> None:
    df = _long([("r1", 0, None), ("r1", 2, None), ("r1", 1, 3.5)])
    m = long_to_matrix(df, ["r1"], KINDS)
    assert np.isnan(m[0, 0])
    assert m[0, 1] == 3.5
    assert m[0, 2] == 0.0 and not np.isnan(m[0, 2])


def test_rows_follow_row_ids_order_and_unknown_rows_are_ignored() -> None:
    df = _long([("a", 0, 1.0), ("b", 0, 2.0), ("c", 0, 3.0), ("zz", 0, 9.0)])
    m = long_to_matrix(df, ["c", "a", "b", "never_seen"], KINDS)
    np.testing.assert_array_equal(m[:, 0], [3.0, 1.0, 2.0, np.nan])
    # a row with no long rows at all: numerics missing, one-hots zero
    np.testing.assert_array_equal(m[3], [np.nan, np.nan, 0.0, 0.0])


def test_matches_a_pandas_pivot_reference_on_random_data() -> None:
    rng = np.random.default_rng(0)
    n_rows, kinds = 200, ["numeric"] * 3 + ["onehot"] * 7
    ids = [f"id{i}" for i in range(n_rows)]
    cells = [(r, c) for r in range(n_rows) for c in range(len(kinds)) if rng.random() < 0.4]
    df = _long([(ids[r], c, float(rng.normal())) for r, c in cells]).sample(frac=1, random_state=1)
    order = list(rng.permutation(ids))
    got = long_to_matrix(df, order, kinds, dtype=np.float32)
    assert got.dtype == np.float32

    ref = df.pivot(index="row_id", columns="feature_index", values="value")
    ref = ref.reindex(index=order, columns=range(len(kinds)))
    for j, kind in enumerate(kinds):
        if kind == "onehot":
            ref[j] = ref[j].fillna(0.0)
    np.testing.assert_array_equal(got, ref.to_numpy(dtype=np.float32))


def test_nullable_and_string_dtypes_are_accepted() -> None:
    df = pd.DataFrame(
        {
            "row_id": pd.array(["r1", "r2"], dtype="string"),
            "feature_index": pd.array([0, 2], dtype="Int64"),
            "value": pd.array([pd.NA, 1.0], dtype="Float64"),
        }
    )
    m = long_to_matrix(df, ["r1", "r2"], KINDS)
    assert np.isnan(m[0, 0]) and m[1, 2] == 1.0


def test_empty_long_frame_gives_defaults() -> None:
    m = long_to_matrix(_long([]), ["a"], KINDS)
    np.testing.assert_array_equal(m, [[np.nan, np.nan, 0.0, 0.0]])


@pytest.mark.parametrize(
    ("df", "row_ids", "kinds", "message"),
    [
        (_long([("a", 4, 1.0)]), ["a"], KINDS, "out of range"),
        (_long([("a", -1, 1.0)]), ["a"], KINDS, "out of range"),
        (_long([("a", 0, 1.0), ("a", 0, 2.0)]), ["a"], KINDS, "more than one value"),
        (_long([("a", 0, 1.0)]), ["a", "a"], KINDS, "unique"),
        (_long([("a", 0, 1.0)]), ["a"], ["numeric", "text"], "unknown feature kind"),
        (pd.DataFrame({"row_id": ["a"], "value": [1.0]}), ["a"], KINDS, "feature_index"),
    ],
)
def test_invalid_input_raises(
    df: pd.DataFrame, row_ids: list[str], kinds: list[str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        long_to_matrix(df, row_ids, kinds)


def test_parse_feature_vector_seed_example() -> None:
    text = "100.5997,13.5989,1," + ",".join(["0"] * 22) + ",1,0,1,0,0,0,1,0,0,0,0,0"
    v = parse_feature_vector(text, 37)
    assert v.dtype == np.float64 and v.shape == (37,)
    assert v[0] == 100.5997 and v[1] == 13.5989 and v[2] == 1.0


def test_parse_feature_vector_empty_entry_is_missing_and_onehot_aware() -> None:
    v = parse_feature_vector(" 1.5 , ,-2e-3,", 4)
    np.testing.assert_array_equal(v, [1.5, np.nan, -0.002, np.nan])
    w = parse_feature_vector("1.5,,0,", 4, kinds=KINDS)
    np.testing.assert_array_equal(w, [1.5, np.nan, 0.0, 0.0])


def test_parse_feature_vector_wrong_length() -> None:
    with pytest.raises(FeatureVectorError, match=r"^expected 38 values, got 37$"):
        parse_feature_vector(",".join(["0"] * 37), 38)


@pytest.mark.parametrize("bad", ["abc", "nan", "inf", "1_000", "0x10", "1.2.3", "--1"])
def test_parse_feature_vector_non_number(bad: str) -> None:
    with pytest.raises(FeatureVectorError, match=rf"^value 3 \('{bad}'\) is not a number$"):
        parse_feature_vector(f"1,2,{bad},4", 4)


def test_feature_vector_error_is_a_value_error() -> None:
    assert issubclass(FeatureVectorError, ValueError)
    with pytest.raises(ValueError):
        parse_feature_vector("1,2", 3)
    with pytest.raises(FeatureVectorError, match="out of range"):
        parse_feature_vector("1e999", 1)


def test_integer_row_keys_give_the_same_matrix_as_their_text() -> None:
    rng = np.random.default_rng(3)
    n_rows, kinds = 200, ["numeric", "numeric", "onehot", "onehot", "onehot"]
    keys = rng.permutation(10_000)[:n_rows]
    cells = [(k, j) for k in keys for j in range(len(kinds)) if rng.random() < 0.6]
    long = pd.DataFrame(
        {
            "row_id": np.array([k for k, _ in cells], dtype=np.int64),
            "feature_index": [j for _, j in cells],
            "value": rng.normal(size=len(cells)),
        }
    )
    as_text = long.assign(row_id=long["row_id"].astype(str))
    expected = long_to_matrix(as_text, [str(k) for k in keys], kinds)
    np.testing.assert_array_equal(long_to_matrix(long, keys, kinds), expected)
    # One side integer, the other text: compared as text, still the same cells.
    np.testing.assert_array_equal(long_to_matrix(as_text, keys, kinds), expected)
    np.testing.assert_array_equal(long_to_matrix(long, [str(k) for k in keys], kinds), expected)
    with pytest.raises(ValueError, match="unique"):
        long_to_matrix(long, np.array([1, 1]), kinds)


def _sql_number_pattern() -> str:
    """The number pattern of models/intermediate/int_scoring_requests.sql."""
    import re
    from pathlib import Path

    sql = (
        Path(__file__).resolve().parents[2] / "models/intermediate/int_scoring_requests.sql"
    ).read_text()
    found = re.findall(r"'(\^\[\+-\]\?[^']*\$)'", sql)
    assert len(found) == 1, found
    return found[0]


NUMBER_CASES = [
    "1",
    "-1",
    "+1",
    "1.",
    ".5",
    "1.5",
    "1e3",
    "1E-3",
    "-.5e+2",
    "007",
    "",
    " ",
    "1 ",
    "+",
    "-",
    ".",
    "e3",
    "1e",
    "1e+",
    "1.2.3",
    "1,5",
    "abc",
    "nan",
    "inf",
    "0x10",
    "1_000",
    "١",
    "--1",
    "1e3.5",
]


def test_sql_and_python_number_patterns_agree():
    import duckdb

    from reference.feature_vector import _NUMBER_RE

    pattern = _sql_number_pattern()
    with duckdb.connect() as con:
        for case in NUMBER_CASES:
            sql_ok = con.execute("select regexp_full_match(?, ?)", [case, pattern]).fetchone()[0]
            assert sql_ok == bool(_NUMBER_RE.fullmatch(case)), repr(case)
