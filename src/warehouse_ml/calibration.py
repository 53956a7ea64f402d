"""Probability calibration of binary models: fit, apply in Python, apply in SQL.

A binary model's raw probabilities are calibrated on a later slice that
training never saw (the validation split, unweighted): isotonic regression,
or Platt's sigmoid below :data:`MIN_ISOTONIC_ROWS` rows, where isotonic steps
overfit. The calibrator is a small JSON object stored with the model in the
registry (``ml_models.calibration``) and applied identically by the Python
scorer (:func:`apply_calibrator`) and the SQL scorer (:func:`calibrator_sql`,
a piecewise-linear ``case``): the SQL spells out the same arithmetic as
``numpy.interp`` so the two agree to rounding.

Example:
    >>> cal = fit_calibrator([0.1, 0.2, 0.8, 0.9] * 300, [0, 0, 1, 1] * 300, "isotonic")
    >>> cal["method"], float(apply_calibrator(cal, [0.85])[0])
    ('isotonic', 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

__all__ = ["MIN_ISOTONIC_ROWS", "apply_calibrator", "calibrator_sql", "fit_calibrator"]

#: Below this many calibration rows isotonic regression is replaced by the sigmoid.
MIN_ISOTONIC_ROWS = 1000
#: Raw probabilities are clipped to [EPS, 1 - EPS] before the sigmoid's logit.
EPS = 1e-12


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, EPS, 1 - EPS)
    return np.log(q / (1 - q))


def fit_calibrator(p_raw: Any, y: Any, method: str) -> dict[str, Any] | None:
    """Fit ``method`` (``isotonic``, ``sigmoid`` or ``none``) on raw probabilities.

    Returns the calibrator as JSON-ready data (``None`` for ``none``):
    ``{"method": "isotonic", "x": [...], "y": [...], "n_rows": n}`` (the
    thresholds of :class:`~sklearn.isotonic.IsotonicRegression` bounded to
    ``[1/(n+1), n/(n+1)]``, applied by linear interpolation and clipped at the
    ends, as its ``predict``) or
    ``{"method": "sigmoid", "a": a, "b": b, "n_rows": n}`` for
    ``1 / (1 + exp(-(a * logit(p) + b)))``. ``isotonic`` on fewer than
    :data:`MIN_ISOTONIC_ROWS` rows fits the sigmoid and says so in ``method``.
    """
    if method == "none":
        return None
    if method not in ("isotonic", "sigmoid"):
        raise ValueError(f"calibration must be none, isotonic or sigmoid, got {method!r}")
    p = np.asarray(p_raw, dtype=np.float64)
    labels = np.asarray(y, dtype=np.float64)
    if p.shape != labels.shape or p.ndim != 1 or len(p) == 0:
        raise ValueError("calibration needs equal-length, non-empty 1-d probabilities and labels")
    if len(np.unique(labels)) < 2:
        raise ValueError("calibration needs both classes in the calibration slice")
    if method == "isotonic" and len(p) >= MIN_ISOTONIC_ROWS:
        # Bounded half an observation inside (0, 1): a bin of the slice with no
        # positive must not promise a probability of exactly 0 (or 1).
        bound = 1.0 / (len(p) + 1)
        iso = IsotonicRegression(y_min=bound, y_max=1.0 - bound, out_of_bounds="clip")
        iso.fit(p, labels)
        return {
            "method": "isotonic",
            "x": [float(v) for v in iso.X_thresholds_],
            "y": [float(v) for v in iso.y_thresholds_],
            "n_rows": len(p),
        }
    # Platt scaling on the raw logit; a weak penalty keeps separable slices finite.
    lr = LogisticRegression(C=1e6, max_iter=1000).fit(_logit(p).reshape(-1, 1), labels)
    return {
        "method": "sigmoid",
        "a": float(lr.coef_[0, 0]),
        "b": float(lr.intercept_[0]),
        "n_rows": len(p),
    }


def apply_calibrator(calibrator: Mapping[str, Any] | None, p_raw: Any) -> np.ndarray:
    """Calibrated probabilities (float64) of raw ones; ``None`` returns them unchanged."""
    p = np.asarray(p_raw, dtype=np.float64)
    if calibrator is None:
        return p
    if calibrator["method"] == "isotonic":
        return np.interp(p, calibrator["x"], calibrator["y"])
    z = calibrator["a"] * _logit(p) + calibrator["b"]
    return 1.0 / (1.0 + np.exp(-z))


def _literal(value: float) -> str:
    """A float as a SQL double literal that reads back exactly."""
    if not math.isfinite(value):
        raise ValueError(f"calibrator holds a non-finite value {value!r}")
    return f"cast({float(value)!r} as double)"


def calibrator_sql(calibrator: Mapping[str, Any] | None, expr: str) -> str:
    """SQL of the calibrated probability of the raw probability ``expr`` (portable SQL).

    Isotonic: ``case`` over the thresholds, each piece ``slope * (p - x0) + y0``
    with the slope computed in SQL from the same doubles, as ``numpy.interp``
    does; below the first threshold the first value, above the last the last.
    """
    if calibrator is None:
        return expr
    if calibrator["method"] == "sigmoid":
        p = f"least(greatest({expr}, {_literal(EPS)}), {_literal(1 - EPS)})"
        z = f"{_literal(calibrator['a'])} * ln({p} / (1 - {p})) + {_literal(calibrator['b'])}"
        return f"(1.0 / (1.0 + exp(-({z}))))"
    xs, ys = calibrator["x"], calibrator["y"]
    if len(xs) != len(ys) or not xs:
        raise ValueError("an isotonic calibrator needs as many x as y thresholds, at least one")
    parts = [f"case when {expr} <= {_literal(xs[0])} then {_literal(ys[0])}"]
    for x0, x1, y0, y1 in zip(xs, xs[1:], ys, ys[1:], strict=False):
        if x1 == x0:
            continue
        slope = f"(({_literal(y1)} - {_literal(y0)}) / ({_literal(x1)} - {_literal(x0)}))"
        piece = f"{slope} * ({expr} - {_literal(x0)}) + {_literal(y0)}"
        parts.append(f"when {expr} <= {_literal(x1)} then {piece}")
    parts.append(f"else {_literal(ys[-1])} end")
    return "\n".join(parts)
