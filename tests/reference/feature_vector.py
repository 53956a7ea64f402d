"""Reference reading of an explicit feature vector (the seed API's ``?input=``).

The product validates and splits request vectors in SQL
(``models/intermediate/int_scoring_requests.sql``); this is the independent
Python reading the tests compare that SQL with, including the number pattern
(``tests/package/test_features.py`` checks both patterns agree).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from warehouse_ml.features import _validate_kinds

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
