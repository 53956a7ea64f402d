"""Calibrators: fitted like scikit-learn's, applied alike in Python and in SQL (DuckDB)."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.isotonic import IsotonicRegression

from warehouse_ml.calibration import (
    MIN_ISOTONIC_ROWS,
    apply_calibrator,
    calibrator_sql,
    fit_calibrator,
)
from warehouse_ml.metrics import evaluate_binary


def miscalibrated(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Raw scores that are too confident: the truth is p ** 2 squashed towards 0.5."""
    rng = np.random.default_rng(seed)
    p_raw = rng.beta(0.6, 2.0, size=n)
    p_true = 0.15 + 0.7 * p_raw**2
    return p_raw, (rng.random(n) < p_true).astype(int)


def sql_values(calibrator: dict, p: np.ndarray) -> np.ndarray:
    with duckdb.connect() as con:
        con.execute("create table raw (i integer, p double)")
        con.executemany("insert into raw values (?, ?)", list(enumerate(p.tolist())))
        rows = con.execute(
            f"select {calibrator_sql(calibrator, 'p')} from raw order by i"
        ).fetchall()
    return np.array([r[0] for r in rows], dtype=np.float64)


def test_isotonic_matches_scikit_learn_predict() -> None:
    p, y = miscalibrated(5000, 1)
    cal = fit_calibrator(p, y, "isotonic")
    assert cal["method"] == "isotonic"
    bound = 1 / (len(p) + 1)
    reference = IsotonicRegression(y_min=bound, y_max=1 - bound, out_of_bounds="clip").fit(p, y)
    grid = np.concatenate([np.linspace(-0.1, 1.1, 2001), p[:500]])
    np.testing.assert_allclose(apply_calibrator(cal, grid), reference.predict(grid), atol=1e-12)
    # Never exactly 0 or 1: a slice bin without a positive must not promise certainty.
    assert min(cal["y"]) > 0 and max(cal["y"]) < 1


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_sql_and_python_calibrators_agree_to_1e_6(method: str) -> None:
    p, y = miscalibrated(4000, 2)
    cal = fit_calibrator(p, y, method)
    probe = np.concatenate([np.linspace(0, 1, 1001), p[:1000], [1e-15, 1 - 1e-15]])
    np.testing.assert_allclose(sql_values(cal, probe), apply_calibrator(cal, probe), atol=1e-6)


def test_small_slices_get_the_sigmoid_and_it_calibrates() -> None:
    p, y = miscalibrated(MIN_ISOTONIC_ROWS - 1, 3)
    cal = fit_calibrator(p, y, "isotonic")
    assert cal["method"] == "sigmoid" and cal["n_rows"] == MIN_ISOTONIC_ROWS - 1
    # On fresh data from the same process, calibration lowers the ECE (10 bins)
    # and the log loss of the raw, overconfident scores.
    p_new, y_new = miscalibrated(20_000, 4)
    raw = evaluate_binary(y_new, p_new)
    fixed = evaluate_binary(y_new, apply_calibrator(cal, p_new))
    assert fixed["ece"] < raw["ece"] / 2
    assert fixed["log_loss"] < raw["log_loss"]


def test_isotonic_calibration_is_reliable_on_fresh_data() -> None:
    p, y = miscalibrated(20_000, 5)
    cal = fit_calibrator(p, y, "isotonic")
    p_new, y_new = miscalibrated(50_000, 6)
    calibrated = apply_calibrator(cal, p_new)
    # scikit-learn's reliability curve (uniform bins) is the independent
    # reference; bins are compared where they hold enough rows to be measured.
    observed, predicted = calibration_curve(y_new, calibrated, n_bins=10)
    counts = np.histogram(calibrated, bins=np.linspace(0, 1, 11))[0]
    filled = counts[counts > 0]
    assert len(filled) == len(observed)
    big = filled >= 1000
    assert big.sum() >= 5
    assert np.max(np.abs(observed - predicted)[big]) < 0.06
    assert evaluate_binary(y_new, calibrated)["ece"] < 0.01


def test_bad_inputs_are_refused() -> None:
    assert fit_calibrator([0.1, 0.2], [0, 1], "none") is None
    with pytest.raises(ValueError, match="both classes"):
        fit_calibrator([0.1, 0.2, 0.3], [1, 1, 1], "isotonic")
    with pytest.raises(ValueError, match="none, isotonic or sigmoid"):
        fit_calibrator([0.1, 0.2], [0, 1], "beta")
    with pytest.raises(ValueError, match="non-finite"):
        calibrator_sql({"method": "sigmoid", "a": float("nan"), "b": 0.0}, "p")
