"""A request as the model's dense input row, encoded as the batch path encodes it.

Numeric spec features are doubles at their positions (absent: missing, NaN);
a categorical value lights its kept level's one-hot column, and an unseen or
rare value lights none, or the column's ``__other__`` level in bucket mode
(models/intermediate/int_scoring_features.sql, macros/features/encode_onehot.sql).
An explicit vector is used as given after the checks of
models/intermediate/int_scoring_requests.sql.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from warehouse_ml.serve.models import ServingModel
from warehouse_ml.serve.records import RequestError, plain_number, trim_spaces

__all__ = ["encode_record", "parse_vector"]


def _empty_row(model: ServingModel) -> np.ndarray:
    # Numeric inputs start missing, one-hot columns off (features.long_to_matrix).
    return np.array(
        [math.nan if kind == "numeric" else 0.0 for kind in model.feature_kinds],
        dtype=np.float64,
    )


def encode_record(model: ServingModel, staged: Mapping[str, Any]) -> tuple[np.ndarray, list[str]]:
    """The dense feature row of a staged record (records.stage_record) for ``model``,
    and the categorical columns whose value is not a kept level (rare or unseen)."""
    x = _empty_row(model)
    unseen = []
    for position, column in enumerate(model.numeric):
        value = staged.get(column)
        if value is not None:
            x[position] = float(value)
    for column in model.categorical:
        value = staged.get(column)
        if value is None:
            continue
        index = model.levels.get(column, {}).get(str(value))
        if index is None:
            unseen.append(column)
            index = model.other.get(column)
        if index is not None:
            x[index] = 1.0
    return x, unseen


def parse_vector(model: ServingModel, text: str) -> np.ndarray:
    """An explicit comma-separated feature vector (the seed's ``?input=``) as a row.

    Raises:
        RequestError: a wrong number of values or a value that is not a plain
            decimal number, with the batch path's message.
    """
    items = [trim_spaces(item) for item in text.split(",")]
    expected = len(model.feature_kinds)
    if len(items) != expected:
        raise RequestError(f"input has {len(items)} values, the model expects {expected}")
    x = _empty_row(model)
    for position, item in enumerate(items):
        if item == "":
            # An empty item is NULL in the warehouse: missing for a numeric input, 0 for a one-hot.
            continue
        value = float(item) if plain_number(item) else math.nan
        if not math.isfinite(value):
            raise RequestError(f"input value {position + 1} is not a number")
        x[position] = value
    return x
