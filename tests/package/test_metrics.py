"""Tests for warehouse_ml.metrics against scikit-learn as the independent reference."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm

from warehouse_ml.metrics import (
    evaluate_multiclass,
    metrics_to_rows,
    passes_gate,
    rare_value_breakdown,
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
    assert passes_gate({"hamming_loss": 0.2}, max_hamming_loss=0.1)[0] is False
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
