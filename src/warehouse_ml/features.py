"""Turn the warehouse's long-format features into the dense matrices XGBoost needs.

The dbt SQL models emit one row per *present* feature value::

    (model_name varchar, entity_id varchar, feature_index integer, value double)

because that shape is dialect-neutral (no dynamic pivot in SQL) and the one-hot
vocabulary can change between groups (e.g. campaigns) without changing the
table's columns. A per-group feature-columns table says what each position
means, including its ``kind``:

* ``"numeric"`` (e.g. ``lat``, ``long``): an absent row or a NULL value is *missing*
  and becomes ``NaN``, which XGBoost routes down each split's default branch.
* ``"onehot"``: an absent row means the category was not observed and becomes
  ``0.0`` (a NULL value is treated the same way).

Keeping those two meanings apart matters: turning a missing latitude into 0.0
would silently send it down the "less than threshold" branch, and the SQL scorer
(which treats NULL as missing) would then disagree with the trained model.

Explicit ``?input=`` vectors from the seed's prediction API are validated in
SQL (``models/intermediate/int_scoring_requests.sql``);
``tests/reference/feature_vector.py`` is the Python reading the tests hold
that SQL to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FEATURE_KINDS",
    "long_to_matrix",
]

#: Accepted values of the feature-columns table's ``kind`` column.
FEATURE_KINDS: tuple[str, ...] = ("numeric", "onehot")


def _validate_kinds(kinds: Sequence[str]) -> np.ndarray:
    """Return ``kinds`` as an array after checking every entry is a known kind."""
    kinds_arr = np.asarray(list(kinds), dtype=object)
    bad = sorted({str(k) for k in kinds_arr if k not in FEATURE_KINDS})
    if bad:
        raise ValueError(f"unknown feature kind(s) {bad}; expected one of {list(FEATURE_KINDS)}")
    return kinds_arr


def _row_id_index(row_ids: Sequence[Any]) -> pd.Index:
    """Row ids as an index: int64 when they are integers (fast, and equal to
    comparing their decimal text), text otherwise."""
    ids = np.asarray(row_ids)
    if ids.dtype.kind in "iu":
        return pd.Index(ids.astype(np.int64))
    return pd.Index([str(r) for r in row_ids])


def long_to_matrix(
    long_df: pd.DataFrame,
    row_ids: Sequence[str],
    kinds: Sequence[str],
    *,
    dtype: type[np.floating] = np.float64,
) -> np.ndarray:
    """Pivot long-format feature rows into a dense ``(len(row_ids), len(kinds))`` matrix.

    What: row ``i`` of the result holds the features of ``row_ids[i]``; column ``j``
    holds ``feature_index == j``. Numeric columns start as ``NaN`` (missing) and
    one-hot columns as ``0.0``; every long row then overwrites its cell. A NULL
    ``value`` stays ``NaN`` for numeric columns and becomes ``0.0`` for one-hots.

    Why: the SQL layer only materialises present values (the table stays narrow
    and the same on DuckDB and Trino); this restores the model's dense input with
    the missing-vs-zero distinction XGBoost and the SQL scorer both rely on.

    Long rows whose ``row_id`` is not in ``row_ids`` are ignored, so a caller can
    pass a whole table and pick one group's or one split's rows. Row ids are
    compared as strings (the warehouse column is ``varchar``), or as integers
    when both sides are integers (a surrogate key, much faster for large splits).

    Args:
        long_df: columns ``row_id``, ``feature_index`` and ``value`` (others ignored).
        row_ids: the output's row order; must be unique.
        kinds: ``"numeric"`` or ``"onehot"`` per feature position ``0..n-1``.
        dtype: ``np.float64`` (default) or ``np.float32``.

    Raises:
        ValueError: missing columns, duplicate ``row_ids``, an unknown kind, a
            ``feature_index`` outside ``0..len(kinds)-1`` or a duplicated
            ``(row_id, feature_index)`` pair.

    Example:
        >>> df = pd.DataFrame({"row_id": ["b", "a"], "feature_index": [1, 0],
        ...                    "value": [1.0, 52.2]})
        >>> long_to_matrix(df, ["a", "b"], ["numeric", "onehot"]).tolist()
        [[52.2, 0.0], [nan, 1.0]]
    """
    missing = {"row_id", "feature_index", "value"} - set(long_df.columns)
    if missing:
        raise ValueError(f"long_df is missing column(s) {sorted(missing)}")
    kinds_arr = _validate_kinds(kinds)
    n_features = len(kinds_arr)

    row_index = _row_id_index(row_ids)
    if not row_index.is_unique:
        dupes = row_index[row_index.duplicated()].unique().tolist()[:5]
        raise ValueError(f"row_ids must be unique; duplicated: {dupes}")

    is_numeric = kinds_arr == "numeric"
    matrix = np.zeros((len(row_index), n_features), dtype=dtype)
    matrix[:, is_numeric] = np.nan
    if long_df.empty or n_features == 0:
        return matrix

    long_ids = long_df["row_id"]
    if row_index.dtype == np.int64 and pd.api.types.is_integer_dtype(long_ids.dtype):
        rows = row_index.get_indexer(long_ids.to_numpy(dtype=np.int64))
    else:
        rows = row_index.astype(str).get_indexer(long_ids.astype(str).to_numpy())
    keep = rows >= 0
    if not keep.any():
        return matrix
    rows = rows[keep]

    feature_index = pd.to_numeric(long_df["feature_index"], errors="raise").to_numpy(
        dtype=np.float64, na_value=np.nan
    )[keep]
    if np.isnan(feature_index).any():
        raise ValueError("feature_index must not be NULL")
    cols = feature_index.astype(np.int64)
    if not np.array_equal(cols, feature_index):
        raise ValueError("feature_index must be an integer")
    out_of_range = (cols < 0) | (cols >= n_features)
    if out_of_range.any():
        bad = np.unique(cols[out_of_range])[:5].tolist()
        raise ValueError(f"feature_index out of range 0..{n_features - 1}: {bad}")

    flat = rows.astype(np.int64) * n_features + cols
    if len(np.unique(flat)) != len(flat):
        raise ValueError("long_df has more than one value for the same (row_id, feature_index)")

    values = pd.to_numeric(long_df["value"], errors="raise").to_numpy(
        dtype=np.float64, na_value=np.nan
    )[keep]
    # A NULL one-hot value means "not observed", the same as an absent row.
    values = np.where(np.isnan(values) & ~is_numeric[cols], 0.0, values)
    matrix[rows, cols] = values
    return matrix
