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

The module also parses the explicit ``?input=`` CSV vectors from the seed's
prediction API ("100.5997,13.5989,1,0,...").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FEATURE_KINDS",
    "FeatureVectorError",
    "long_to_matrix",
    "parse_feature_vector",
]

#: Accepted values of the feature-columns table's ``kind`` column.
FEATURE_KINDS: tuple[str, ...] = ("numeric", "onehot")

# A plain decimal number, optionally signed, with an optional exponent. Python's
# float() would also accept "nan", "inf" and "1_000", which are not numbers a
# client should send as a feature value.
# The pattern of models/intermediate/int_scoring_requests.sql, ASCII digits only
# (\d would also take other scripts' digits, which float() reads but SQL refuses).
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class FeatureVectorError(ValueError):
    """An explicit feature vector is malformed (wrong length or a non-number).

    Subclasses :class:`ValueError` so generic callers can catch it, while the
    scoring path can tell a bad client request from a bug.
    """


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


def parse_feature_vector(
    text: str,
    n_features: int,
    *,
    kinds: Sequence[str] | None = None,
) -> np.ndarray:
    """Parse an explicit CSV feature vector such as ``"100.5997,13.5989,1,0,0"``.

    What: splits on commas, strips surrounding whitespace, and returns a float64
    array of length ``n_features``. An empty entry means *missing* (``NaN``);
    if ``kinds`` is given, an empty one-hot entry becomes ``0.0`` instead, the
    same semantics as :func:`long_to_matrix`.

    Why: the seed's prediction API accepts a ready-made model input. A vector of
    the wrong length or with a typo must be refused with a message the client
    can act on rather than scored into a meaningless prediction.

    Positions in error messages are 1-based ("value 3" is the third entry, i.e.
    ``feature_index`` 2).

    Raises:
        FeatureVectorError: ``"expected 38 values, got 37"`` or
            ``"value 3 ('abc') is not a number"``. ``nan``/``inf`` spellings are
            refused too; leave the entry empty to send a missing value.

    Example:
        >>> parse_feature_vector("52.2,,1", 3).tolist()
        [52.2, nan, 1.0]
    """
    if not isinstance(text, str):
        raise FeatureVectorError(f"feature vector must be a string, got {type(text).__name__}")
    if n_features < 0:
        raise ValueError("n_features must be >= 0")
    kinds_arr = None
    if kinds is not None:
        kinds_arr = _validate_kinds(kinds)
        if len(kinds_arr) != n_features:
            raise ValueError(f"kinds has {len(kinds_arr)} entries but n_features is {n_features}")

    stripped = text.strip()
    entries = [] if stripped == "" and n_features == 0 else stripped.split(",")
    if len(entries) != n_features:
        raise FeatureVectorError(f"expected {n_features} values, got {len(entries)}")

    out = np.empty(n_features, dtype=np.float64)
    for position, raw in enumerate(entries):
        entry = raw.strip()
        if entry == "":
            is_onehot = kinds_arr is not None and kinds_arr[position] == "onehot"
            out[position] = 0.0 if is_onehot else np.nan
        elif _NUMBER_RE.fullmatch(entry):
            out[position] = float(entry)
        else:
            raise FeatureVectorError(f"value {position + 1} ({entry!r}) is not a number")
    if np.isinf(out).any():
        position = int(np.flatnonzero(np.isinf(out))[0])
        raise FeatureVectorError(
            f"value {position + 1} ({entries[position].strip()!r}) is out of range"
        )
    return out
