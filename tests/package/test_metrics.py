"""Tests for warehouse_ml.metrics against scikit-learn as the independent reference."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from warehouse_ml.metrics import (
    RELIABILITY_FIELDS,
    evaluate_binary,
    evaluate_multiclass,
    metrics_to_rows,
    passes_gate,
    rare_value_breakdown,
    reliability_table,
)


def _random_case(seed: int, n: int, k: int, dtype: type = np.float64):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, k))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = rng.integers(0, k, size=n)
    return y, proba.astype(dtype)


def _assert_matches_sklearn(y: np.ndarray, proba: np.ndarray) -> None:
    k = proba.shape[1]
    pred = proba.argmax(axis=1)
    m = evaluate_multiclass(y, proba)
    labels = list(range(k))
    assert m["hamming_loss"] == pytest.approx(skm.hamming_loss(y, pred), abs=1e-12)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred), abs=1e-12)
    assert m["macro_f1"] == pytest.approx(
        skm.f1_score(y, pred, average="macro", zero_division=0.0), abs=1e-12
    )
    assert m["log_loss"] == pytest.approx(skm.log_loss(y, y_proba=proba, labels=labels), rel=1e-6)
    precision = skm.precision_score(y, pred, labels=labels, average=None, zero_division=0.0)
    recall = skm.recall_score(y, pred, labels=labels, average=None, zero_division=0.0)
    np.testing.assert_allclose([m["precision"][str(i)] for i in labels], precision, atol=1e-12)
    np.testing.assert_allclose([m["recall"][str(i)] for i in labels], recall, atol=1e-12)
    np.testing.assert_array_equal(m["confusion"], skm.confusion_matrix(y, pred, labels=labels))
    assert m["n_rows"] == len(y)
    majority = np.bincount(y, minlength=k).argmax()
    assert m["baseline_hamming_loss"] == pytest.approx(
        skm.hamming_loss(y, np.full_like(y, majority)), abs=1e-12
    )


@pytest.mark.parametrize("seed", range(12))
def test_matches_sklearn_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    k = int(rng.integers(2, 7))
    n = int(rng.integers(5, 400))
    y, proba = _random_case(seed, n, k)
    _assert_matches_sklearn(y, proba)


def test_matches_sklearn_with_float32_xgboost_like_probabilities() -> None:
    y, proba = _random_case(7, 300, 4, dtype=np.float32)
    _assert_matches_sklearn(y, proba)


def test_class_never_predicted_has_zero_precision_without_warnings() -> None:
    y = np.array([0, 1, 2, 2, 1, 0])
    proba = np.array([[0.9, 0.1, 0.0], [0.2, 0.8, 0.0], [0.6, 0.4, 0.0]] * 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = evaluate_multiclass(y, proba, class_labels=["offA", "offB", "offC"])
    assert m["precision"]["offC"] == 0.0
    assert m["recall"]["offC"] == 0.0
    assert m["support"] == {"offA": 2, "offB": 2, "offC": 2}
    # proba 0 for the true class: log loss is finite thanks to clipping, like sklearn
    assert np.isfinite(m["log_loss"])
    _assert_matches_sklearn(y, proba)


def test_class_absent_from_truth_and_predictions_is_left_out_of_macro_f1() -> None:
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.7, 0.2, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1]])
    _assert_matches_sklearn(y, proba)
    assert evaluate_multiclass(y, proba)["precision"]["2"] == 0.0


def test_single_row_and_perfect_predictions() -> None:
    m = evaluate_multiclass([1], [[0.0, 1.0]])
    assert m["hamming_loss"] == 0.0 and m["accuracy"] == 1.0 and m["macro_f1"] == 1.0
    assert m["log_loss"] == pytest.approx(-np.log(1 - np.finfo(np.float64).eps))


def test_baseline_class_can_come_from_training_split() -> None:
    y = np.array([0, 0, 0, 1])
    proba = np.tile([0.4, 0.6], (4, 1))
    assert evaluate_multiclass(y, proba)["baseline_hamming_loss"] == 0.25
    assert evaluate_multiclass(y, proba, baseline_class=1)["baseline_hamming_loss"] == 0.75


@pytest.mark.parametrize(
    ("y", "proba", "message"),
    [
        ([], np.empty((0, 2)), "zero rows"),
        ([0, 1], [[0.5, 0.5]], "labels for"),
        ([0, 2], [[0.5, 0.5], [0.5, 0.5]], "0..1"),
        ([0, 1], [[0.5, 0.6], [0.5, 0.5]], "sum to 1"),
        ([0, 0.5], [[0.5, 0.5], [0.5, 0.5]], "integer"),
        ([0], [0.5, 0.5], "2-D"),
    ],
)
def test_invalid_inputs(y: list, proba: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate_multiclass(y, proba)


def test_class_labels_length_checked() -> None:
    with pytest.raises(ValueError, match="class_labels"):
        evaluate_multiclass([0], [[1.0, 0.0]], class_labels=["a"])


def test_metrics_to_rows_flattens_everything() -> None:
    y = np.array([0, 1, 1])
    proba = np.array([[0.8, 0.2], [0.6, 0.4], [0.1, 0.9]])
    m = evaluate_multiclass(y, proba, class_labels=["o-a", "o-b"])
    rows = metrics_to_rows(m, "test")
    by_name = {r["metric"]: r["value"] for r in rows}
    assert all(r["split"] == "test" for r in rows)
    assert all(isinstance(r["value"], float) for r in rows)
    assert by_name["hamming_loss"] == pytest.approx(1 / 3)
    assert by_name["precision[o-b]"] == 1.0
    assert by_name["recall[o-b]"] == 0.5
    assert by_name["support[o-a]"] == 1.0
    assert by_name["confusion[o-b][o-a]"] == 1.0
    assert by_name["confusion[o-a][o-a]"] == 1.0
    assert by_name["n_rows"] == 3.0
    assert "labels" not in by_name
    assert len(by_name) == len(rows)  # no duplicate metric names
    # 7 scalars + 3 dicts x 2 classes + 4 confusion cells
    assert len(rows) == 7 + 6 + 4


def test_passes_gate() -> None:
    ok, reason = passes_gate({"hamming_loss": 0.40, "baseline_hamming_loss": 0.5, "n_rows": 10})
    assert ok and "0.4000" in reason and "baseline 0.5000" in reason
    ok, reason = passes_gate({"hamming_loss": 0.41})
    assert not ok and "exceeds" in reason
    assert passes_gate({"hamming_loss": 0.2}, 0.1)[0] is False
    assert passes_gate({}) == (False, "no hamming_loss was computed")
    assert passes_gate({"hamming_loss": float("nan")})[0] is False


def test_rare_value_breakdown_matches_sklearn_on_each_group() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, size=300)
    proba = rng.dirichlet(np.ones(4), size=300)
    rare = rng.random(300) < 0.3
    got = rare_value_breakdown(y, proba, rare)
    predicted = proba.argmax(1)
    assert got["n_rows_known_values"] == int((~rare).sum())
    assert got["n_rows_rare_values"] == int(rare.sum())
    assert got["hamming_loss_known_values"] == pytest.approx(
        skm.hamming_loss(y[~rare], predicted[~rare])
    )
    assert got["hamming_loss_rare_values"] == pytest.approx(
        skm.hamming_loss(y[rare], predicted[rare])
    )
    # the two groups' losses weighted by their rows give the overall loss
    overall = evaluate_multiclass(y, proba)["hamming_loss"]
    weighted = (
        got["hamming_loss_known_values"] * got["n_rows_known_values"]
        + got["hamming_loss_rare_values"] * got["n_rows_rare_values"]
    ) / 300
    assert weighted == pytest.approx(overall)


def test_rare_value_breakdown_empty_group_has_no_loss_and_no_metric_row() -> None:
    got = rare_value_breakdown([0, 1], [[0.9, 0.1], [0.2, 0.8]], [False, False])
    assert got == {
        "n_rows_known_values": 2,
        "hamming_loss_known_values": 0.0,
        "n_rows_rare_values": 0,
        "hamming_loss_rare_values": None,
    }
    names = [r["metric"] for r in metrics_to_rows(got, "test")]
    assert "hamming_loss_rare_values" not in names
    assert "n_rows_rare_values" in names


def test_rare_value_breakdown_checks_flag_length() -> None:
    with pytest.raises(ValueError, match="has_rare_value"):
        rare_value_breakdown([0, 1], [[0.9, 0.1], [0.2, 0.8]], [True])


# --- binary metrics -------------------------------------------------------------------


def _binary_case(seed: int, n: int, *, grid: int | None = None, dtype: type = np.float64):
    """Labels loosely related to p; ``grid`` rounds p to 1/grid steps so scores tie
    (and many land exactly on bin edges)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(0.8, 0.8, size=n)
    if grid is not None:
        p = np.round(p * grid) / grid
    y = (rng.random(n) < 0.15 + 0.7 * p).astype(int)
    return y, p.astype(dtype)


def _reference_reliability(y: np.ndarray, p: np.ndarray, n_bins: int) -> list[dict]:
    """The docstring's definition, written as a plain loop over rows and bins.

    Each p is widened to a Python float first: numpy 2 would otherwise compare a
    float32 p with the edge rounded to float32 (NEP 50)."""
    table = []
    for i in range(n_bins):
        lower, upper = i / n_bins, (i + 1) / n_bins
        members = [
            (float(pi), int(yi))
            for pi, yi in zip(p, y, strict=True)
            if lower <= float(pi) < upper or (i == n_bins - 1 and float(pi) == 1.0)
        ]
        count = len(members)
        table.append(
            {
                "bin": i,
                "lower": lower,
                "upper": upper,
                "n_rows": count,
                "mean_predicted": sum(m[0] for m in members) / count if count else None,
                "observed_rate": sum(m[1] for m in members) / count if count else None,
            }
        )
    return table


def _reference_ece(table: list[dict], n_rows: int) -> float:
    return sum(
        b["n_rows"] / n_rows * abs(b["mean_predicted"] - b["observed_rate"])
        for b in table
        if b["n_rows"]
    )


def _assert_binary_matches_references(y: np.ndarray, p: np.ndarray, n_bins: int = 10) -> None:
    m = evaluate_binary(y, p, n_bins=n_bins)
    # sklearn averages float32 input in float32; we average in float64
    tol = 1e-12 if p.dtype == np.float64 else 1e-6
    assert m["auc"] == pytest.approx(skm.roc_auc_score(y, p), abs=1e-12)
    assert m["pr_auc"] == pytest.approx(skm.average_precision_score(y, p), abs=1e-12)
    assert m["log_loss"] == pytest.approx(skm.log_loss(y, y_proba=p, labels=[0, 1]), rel=1e-6)
    assert m["brier_score"] == pytest.approx(skm.brier_score_loss(y, p), abs=tol)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, (p > 0.5).astype(int)), abs=1e-12)
    rate = y.mean()
    assert m["baseline_log_loss"] == pytest.approx(
        skm.log_loss(y, y_proba=np.full(len(y), rate), labels=[0, 1]), rel=1e-9
    )
    assert m["positive_rate"] == pytest.approx(rate)
    assert m["mean_predicted"] == pytest.approx(float(np.mean(p, dtype=np.float64)))
    assert m["n_rows"] == len(y) and m["n_positive"] == int(y.sum())
    expected = _reference_reliability(y, p, n_bins)
    got = reliability_table(m)
    assert [b["n_rows"] for b in got] == [b["n_rows"] for b in expected]
    for g, e in zip(got, expected, strict=True):
        assert g["bin"] == e["bin"]
        assert g["lower"] == e["lower"] and g["upper"] == e["upper"]
        for field in ("mean_predicted", "observed_rate"):
            if e[field] is None:
                assert g[field] is None
            else:
                assert g[field] == pytest.approx(e[field], abs=1e-12)
    assert m["ece"] == pytest.approx(_reference_ece(expected, len(y)), abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_binary_matches_sklearn_and_loop_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(5, 500))
    y, p = _binary_case(seed, n)
    if y.min() == y.max():  # tiny draws can be single-class; make it two-class
        y[0] = 1 - y[0]
    _assert_binary_matches_references(y, p, n_bins=int(rng.integers(1, 16)))


@pytest.mark.parametrize(("seed", "grid"), [(0, 10), (1, 20), (2, 4), (3, 100), (4, 7)])
def test_binary_matches_sklearn_with_tied_scores_on_bin_edges(seed: int, grid: int) -> None:
    y, p = _binary_case(seed, 400, grid=grid)
    assert len(np.unique(p)) < len(p) / 2  # heavy ties
    assert (p == 1.0).any()  # the closed end of the last bin
    if grid % 2 == 0:
        assert (p == 0.5).any()  # the accuracy threshold itself
    _assert_binary_matches_references(y, p, n_bins=10)


def test_binary_matches_sklearn_with_float32_probabilities() -> None:
    y, p = _binary_case(9, 300, grid=50, dtype=np.float32)
    _assert_binary_matches_references(y, p)
    # float32(0.7) is 0.69999998..., below the edge 0.7: bin 6, not 7
    assert evaluate_binary([1], np.array([0.7], dtype=np.float32))["reliability_n_rows"]["6"] == 1
    # clipping uses float32's eps, like sklearn: a confident miss stays finite
    m = evaluate_binary([1, 0], np.array([0.0, 1.0], dtype=np.float32))
    assert m["log_loss"] == pytest.approx(-math.log(np.finfo(np.float32).eps), rel=1e-6)


def test_binary_accepts_bools_and_integral_floats() -> None:
    y, p = _binary_case(5, 50)
    base = evaluate_binary(y, p)
    assert evaluate_binary(y.astype(bool), p) == base
    assert evaluate_binary(y.astype(float), list(p)) == base


def test_probability_one_goes_to_the_last_bin_and_edges_to_the_upper_bin() -> None:
    m = evaluate_binary([1, 0, 1, 0], [1.0, 0.0, 0.5, 0.25], n_bins=4)
    assert m["reliability_n_rows"] == {"0": 1, "1": 1, "2": 1, "3": 1}
    assert m["reliability_mean_predicted"]["3"] == 1.0
    assert m["reliability_mean_predicted"]["2"] == 0.5  # 0.5 opens bin [0.5, 0.75)
    assert m["reliability_lower"]["2"] == 0.5 and m["reliability_upper"]["3"] == 1.0
    only_one = evaluate_binary([1], [1.0], n_bins=10)
    assert only_one["reliability_n_rows"]["9"] == 1
    assert sum(only_one["reliability_n_rows"].values()) == 1


def test_empty_bins_have_no_rate_and_no_metric_rows() -> None:
    m = evaluate_binary([0, 1, 1], [0.05, 0.95, 0.9], n_bins=5)
    assert m["reliability_n_rows"] == {"0": 1, "1": 0, "2": 0, "3": 0, "4": 2}
    assert m["reliability_observed_rate"]["2"] is None
    assert m["ece"] == pytest.approx((1 * 0.05 + 2 * abs(0.925 - 1.0)) / 3)
    names = {r["metric"] for r in metrics_to_rows(m, "test")}
    assert "reliability_n_rows[2]" in names
    assert "reliability_observed_rate[2]" not in names
    assert "reliability_observed_rate[4]" in names


def test_a_mis_binned_ece_is_caught() -> None:
    """The loop reference can tell bin conventions apart: right-closed bins
    (lower, upper] move every edge value down one bin and change the ECE."""
    y, p = _binary_case(11, 300, grid=20)  # half the values sit on a bin edge
    table = _reference_reliability(y, p, 10)
    wrong = []
    for i in range(10):
        lower, upper = i / 10, (i + 1) / 10
        members = [
            (pi, yi)
            for pi, yi in zip(p, y, strict=True)
            if lower < pi <= upper or (i == 0 and pi == 0)
        ]
        wrong.append(
            {
                "n_rows": len(members),
                "mean_predicted": np.mean([a for a, _ in members]) if members else None,
                "observed_rate": np.mean([b for _, b in members]) if members else None,
            }
        )
    got = evaluate_binary(y, p)["ece"]
    assert got == pytest.approx(_reference_ece(table, len(y)), abs=1e-12)
    assert got != pytest.approx(_reference_ece(wrong, len(y)), abs=1e-6)
    # and floor(p * n_bins) disagrees with the stated edges for some values
    # (0.7 * 10 == 7.000000000000001, 0.29 * 100 == 28.999999999999996)
    assert math.floor(0.29 * 100) == 28 and 0.29 >= 29 / 100
    assert evaluate_binary([1], [0.29], n_bins=100)["reliability_n_rows"]["29"] == 1


def test_single_class_labels_leave_auc_undefined() -> None:
    for label in (0, 1):
        y = np.full(20, label)
        p = np.linspace(0.0, 1.0, 20)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            m = evaluate_binary(y, p)
        assert m["auc"] is None and m["pr_auc"] is None
        assert m["log_loss"] == pytest.approx(skm.log_loss(y, y_proba=p, labels=[0, 1]), rel=1e-6)
        assert m["brier_score"] == pytest.approx(skm.brier_score_loss(y, p, labels=[0, 1]))
        assert m["positive_rate"] == float(label)
        assert m["baseline_log_loss"] == pytest.approx(0.0, abs=1e-12)
        names = {r["metric"] for r in metrics_to_rows(m, "test")}
        assert "auc" not in names and "log_loss" in names
        json.loads(json.dumps(m, allow_nan=False))  # no NaN in the registry's JSON


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([], [], "zero rows"),
        ([0, 1], [0.5], "2 labels for 1"),
        ([0, 2], [0.5, 0.5], "0/1 labels"),
        ([0, 0.5], [0.5, 0.5], "0/1 labels"),
        ([0, float("nan")], [0.5, 0.5], "0/1 labels"),
        (["a", "b"], [0.5, 0.5], "0/1 labels"),
        ([0, 1], [0.5, 1.01], r"\[0, 1\]"),
        ([0, 1], [-0.01, 0.5], r"\[0, 1\]"),
        ([0, 1], [0.5, float("nan")], "finite"),
        ([0, 1], [[0.5, 0.5], [0.5, 0.5]], "1-D"),
    ],
)
def test_binary_invalid_inputs(y: list, p: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate_binary(y, p)


@pytest.mark.parametrize("n_bins", [0, -1, 2.5, True])
def test_binary_invalid_n_bins(n_bins: object) -> None:
    with pytest.raises(ValueError, match="n_bins"):
        evaluate_binary([0, 1], [0.2, 0.8], n_bins=n_bins)  # type: ignore[arg-type]


def test_binary_metrics_to_rows_and_json_round_trip() -> None:
    y, p = _binary_case(4, 120)
    m = evaluate_binary(y, p, n_bins=5)
    # the registry stores json.dumps(metrics); the table must survive the round trip
    restored = json.loads(json.dumps(m, allow_nan=False))
    assert reliability_table(restored) == reliability_table(m)
    rows = metrics_to_rows(restored, "test")
    by_name = {r["metric"]: r["value"] for r in rows}
    assert len(by_name) == len(rows)
    for key in ("auc", "pr_auc", "log_loss", "baseline_log_loss", "brier_score", "ece"):
        assert by_name[key] == pytest.approx(m[key])
    table = reliability_table(m)
    for field in RELIABILITY_FIELDS:
        for b in table:
            if b[field] is not None:
                assert by_name[f"reliability_{field}[{b['bin']}]"] == pytest.approx(b[field])
    n_scalars = 12  # n_rows .. ece, n_bins
    n_cells = sum(1 for b in table for f in RELIABILITY_FIELDS if b[f] is not None)
    assert len(rows) == n_scalars + n_cells


def test_reliability_table_needs_the_reliability_dicts() -> None:
    with pytest.raises(ValueError, match="reliability_"):
        reliability_table(evaluate_multiclass([0, 1], [[0.6, 0.4], [0.3, 0.7]]))


# --- the gate ---------------------------------------------------------------------------


def test_gate_keeps_the_seed_message_for_hamming_loss() -> None:
    metrics = {"hamming_loss": 0.25, "baseline_hamming_loss": 0.5, "n_rows": 10}
    expected = (
        True,
        "hamming loss 0.2500 on 10 rows is within the limit 0.4000 "
        "(majority-class baseline 0.5000)",
    )
    assert passes_gate(metrics) == expected
    assert passes_gate(metrics, 0.40) == expected  # registry's positional call
    assert passes_gate(metrics, 0.40, metric="hamming_loss", direction="max") == expected
    assert passes_gate({"hamming_loss": 0.5}, 0.4) == (
        False,
        "hamming loss 0.5000 exceeds the limit 0.4000",
    )


def test_gate_direction_max_on_binary_losses() -> None:
    m = {"log_loss": 0.45, "baseline_log_loss": 0.69, "ece": 0.08, "n_rows": 200}
    ok, reason = passes_gate(m, 0.5, metric="log_loss")
    assert ok
    assert reason == "log loss 0.4500 on 200 rows is within the limit 0.5000 (baseline 0.6900)"
    ok, reason = passes_gate(m, 0.05, metric="ece", direction="max")
    assert not ok and reason == "ece 0.0800 on 200 rows exceeds the limit 0.0500"
    assert passes_gate(m, 0.45, metric="log_loss")[0]  # equal to the limit passes


def test_gate_direction_min_on_auc() -> None:
    m = {"auc": 0.7, "n_rows": 50}
    assert passes_gate(m, 0.65, metric="auc", direction="min") == (
        True,
        "auc 0.7000 on 50 rows meets the minimum 0.6500",
    )
    assert passes_gate(m, 0.75, metric="auc", direction="min") == (
        False,
        "auc 0.7000 on 50 rows is below the minimum 0.7500",
    )
    assert passes_gate(m, 0.7, metric="auc", direction="min")[0]  # equal to the minimum passes
    # the same number gated the wrong way round flips the decision
    assert not passes_gate(m, 0.65, metric="auc", direction="max")[0]


def test_gate_on_a_real_binary_evaluation() -> None:
    y, p = _binary_case(6, 300)
    m = evaluate_binary(y, p)
    ok, reason = passes_gate(m, m["baseline_log_loss"], metric="log_loss")
    assert ok == (m["log_loss"] <= m["baseline_log_loss"])
    assert "(baseline " in reason


@pytest.mark.parametrize(
    ("metrics", "reason"),
    [
        ({"n_rows": 10}, "no auc was computed"),
        ({"auc": None}, "auc is not a number (None), so it cannot pass"),
        ({"auc": "0.9"}, "auc is not a number ('0.9'), so it cannot pass"),
        ({"auc": float("nan")}, "auc is not a number (nan), so it cannot pass"),
        ({"auc": True}, "auc is not a number (True), so it cannot pass"),
    ],
)
def test_gate_fails_on_missing_or_non_numeric_metric(metrics: dict, reason: str) -> None:
    assert passes_gate(metrics, 0.5, metric="auc", direction="min") == (False, reason)


def test_gate_single_class_split_fails_on_auc() -> None:
    m = evaluate_binary([1, 1, 1], [0.9, 0.8, 0.7])
    assert passes_gate(m, 0.5, metric="auc", direction="min")[0] is False


def test_gate_rejects_bad_direction_and_threshold() -> None:
    with pytest.raises(ValueError, match="direction"):
        passes_gate({"auc": 0.9}, 0.5, metric="auc", direction="up")
    with pytest.raises(ValueError, match="threshold"):
        passes_gate({"auc": 0.9}, "auc")  # type: ignore[arg-type]
