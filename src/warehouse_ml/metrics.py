"""Multiclass evaluation of offer models, the quality gate, and metric rows.

The seed gates deployment on the Hamming loss (share of rows whose predicted
offer is wrong; for single-label multiclass it is ``1 - accuracy``) at 40%.
Alongside it we record what explains a pass or a fail: accuracy, macro F1, log
loss, per-offer precision/recall/support, the confusion matrix and the Hamming
loss of always predicting the majority offer (a model that does not beat that
baseline has learned nothing, even under the 40% gate).

Implemented with numpy only so the definitions are visible here; the tests
check every number against scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["evaluate_multiclass", "metrics_to_rows", "passes_gate", "rare_value_breakdown"]

#: Rows of a probability matrix must sum to 1 within this tolerance (float32
#: softmax output sums to 1 only up to ~1e-7).
_PROBA_SUM_ATOL = 1e-4


def _check_inputs(y_true: Any, proba: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert labels (int64, 0..k-1) and probabilities ((n, k), float)."""
    proba_arr = np.asarray(proba)
    if proba_arr.ndim != 2 or proba_arr.shape[1] < 1:
        raise ValueError(f"proba must be 2-D (n_rows, n_classes), got shape {proba_arr.shape}")
    if not np.issubdtype(proba_arr.dtype, np.floating):
        proba_arr = proba_arr.astype(np.float64)
    raw = np.asarray(y_true, dtype=np.float64).reshape(-1)
    if len(raw) != proba_arr.shape[0]:
        raise ValueError(f"{len(raw)} labels for {proba_arr.shape[0]} probability rows")
    if len(raw) == 0:
        raise ValueError("cannot evaluate zero rows")
    labels = raw.astype(np.int64)
    if np.isnan(raw).any() or not np.array_equal(labels, raw):
        raise ValueError("y_true must hold integer class indices")
    n_classes = proba_arr.shape[1]
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"y_true must be in 0..{n_classes - 1}")
    if not np.isfinite(proba_arr).all() or (proba_arr < 0).any():
        raise ValueError("proba must be finite and non-negative")
    sums = proba_arr.sum(axis=1, dtype=np.float64)
    if not np.allclose(sums, 1.0, rtol=0.0, atol=_PROBA_SUM_ATOL):
        raise ValueError("each row of proba must sum to 1")
    return labels, proba_arr


def evaluate_multiclass(
    y_true: Any,
    proba: Any,
    class_labels: Sequence[str] | None = None,
    *,
    baseline_class: int | None = None,
) -> dict[str, Any]:
    """Evaluate class probabilities against true class indices.

    What: the predicted class is ``argmax(proba, axis=1)`` (first maximum on a
    tie, like ``numpy.argmax``). Returns::

        {"n_rows", "n_classes", "hamming_loss", "accuracy", "macro_f1",
         "log_loss", "baseline_hamming_loss",
         "precision": {label: float}, "recall": {label: float},
         "support": {label: int}, "confusion": [[int]], "labels": [str]}

    Definitions (they match scikit-learn's functions with default arguments):

    * ``hamming_loss`` = share of rows with a wrong predicted class;
      ``accuracy = 1 - hamming_loss``.
    * ``precision[c]`` = correct predictions of ``c`` / predictions of ``c``,
      0.0 when ``c`` is never predicted; ``recall[c]`` likewise over rows of ``c``.
    * ``macro_f1`` = mean F1 over the classes that occur in ``y_true`` or in the
      predictions (classes absent from both are left out, as in
      ``f1_score(average="macro")``); F1 is 0.0 where precision + recall is 0.
    * ``log_loss`` = mean ``-log p[true class]`` over ``n_classes`` classes, with
      ``p`` clipped to ``[eps, 1 - eps]`` (``eps`` of the probabilities' dtype).
    * ``confusion[i][j]`` = rows of true class ``i`` predicted as ``j``.
    * ``baseline_hamming_loss`` = Hamming loss of always predicting
      ``baseline_class``; default is this split's most frequent class (pass the
      training split's majority class for a baseline that does not peek).

    Args:
        y_true: class indices ``0..n_classes-1``.
        proba: ``(n_rows, n_classes)`` probabilities; rows must sum to 1.
        class_labels: names for the classes (e.g. offer ids) used as keys;
            default ``"0"``, ``"1"``, ...
        baseline_class: class index for the baseline (see above).

    Raises:
        ValueError: empty input, shape mismatch, labels outside the range, rows
            not summing to 1, or ``class_labels`` of the wrong length.
    """
    labels, proba_arr = _check_inputs(y_true, proba)
    n_rows, n_classes = proba_arr.shape
    names = [str(c) for c in class_labels] if class_labels is not None else None
    if names is None:
        names = [str(i) for i in range(n_classes)]
    if len(names) != n_classes:
        raise ValueError(f"{len(names)} class_labels for {n_classes} probability columns")
    if len(set(names)) != n_classes:
        raise ValueError("class_labels must be unique")

    predicted = np.argmax(proba_arr, axis=1)
    confusion = np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes)
    confusion = confusion.reshape(n_classes, n_classes)
    correct = np.diag(confusion).astype(np.float64)
    support = confusion.sum(axis=1)
    predicted_count = confusion.sum(axis=0)

    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted_count > 0, correct / predicted_count, 0.0)
        recall = np.where(support > 0, correct / support, 0.0)
        denom = precision + recall
        f1 = np.where(denom > 0, 2.0 * precision * recall / denom, 0.0)
    present = (support > 0) | (predicted_count > 0)
    macro_f1 = float(f1[present].mean())

    hamming = float(np.mean(predicted != labels))

    eps = np.finfo(proba_arr.dtype).eps
    p_true = np.clip(proba_arr[np.arange(n_rows), labels], eps, 1 - eps).astype(np.float64)
    log_loss = float(-np.mean(np.log(p_true)))

    if baseline_class is None:
        baseline_class = int(np.argmax(support))
    elif not 0 <= baseline_class < n_classes:
        raise ValueError(f"baseline_class must be in 0..{n_classes - 1}")
    baseline = float(np.mean(labels != baseline_class))

    return {
        "n_rows": int(n_rows),
        "n_classes": int(n_classes),
        "hamming_loss": hamming,
        "accuracy": 1.0 - hamming,
        "macro_f1": macro_f1,
        "log_loss": log_loss,
        "baseline_hamming_loss": baseline,
        "precision": {name: float(v) for name, v in zip(names, precision, strict=True)},
        "recall": {name: float(v) for name, v in zip(names, recall, strict=True)},
        "support": {name: int(v) for name, v in zip(names, support, strict=True)},
        "confusion": confusion.astype(int).tolist(),
        "labels": names,
    }


def rare_value_breakdown(y_true: Any, proba: Any, has_rare_value: Any) -> dict[str, Any]:
    """Hamming loss on the rows without and with a rare (or unseen) category value.

    What: ``{"n_rows_known_values", "hamming_loss_known_values",
    "n_rows_rare_values", "hamming_loss_rare_values"}``; a loss is ``None``
    when its group has no rows. Flat scalars, so ``ml_metrics`` gets one row each.

    Why: the seed drops rows with a value under 1% of the data *before* it
    splits, so its reported Hamming loss is measured on rows without rare
    values only. The warehouse keeps those rows in the test split (they are
    scored like live requests: all-zero indicators, or ``__other__`` in
    ``bucket`` mode), which makes the
    plain ``hamming_loss`` a harder number than the seed's; the known-values
    loss is the one to compare with it, and the rare-values loss shows what
    the rare rows cost (see var ``rare_value_handling``).
    """
    labels, proba_arr = _check_inputs(y_true, proba)
    rare = np.asarray(has_rare_value, dtype=bool).reshape(-1)
    if len(rare) != len(labels):
        raise ValueError(f"{len(rare)} has_rare_value flags for {len(labels)} rows")
    wrong = np.argmax(proba_arr, axis=1) != labels
    out: dict[str, Any] = {}
    for name, mask in (("known_values", ~rare), ("rare_values", rare)):
        n = int(mask.sum())
        out[f"n_rows_{name}"] = n
        out[f"hamming_loss_{name}"] = float(wrong[mask].mean()) if n else None
    return out


def metrics_to_rows(metrics: dict[str, Any], split: str) -> list[dict[str, Any]]:
    """Flatten an :func:`evaluate_multiclass` result into ``(split, metric, value)`` rows.

    What: scalars keep their name (``hamming_loss``); per-class dicts become
    ``precision[<label>]``; the confusion matrix becomes
    ``confusion[<true label>][<predicted label>]`` (labels from
    ``metrics["labels"]``, else indices). Non-numeric entries such as ``labels``
    are skipped. Values are floats; order is deterministic (insertion order).

    Why: ``ml_metrics`` is a long, append-only table, so new metrics or offers
    add rows rather than columns, and BI tools can chart any one metric.
    """
    labels = metrics.get("labels")
    rows: list[dict[str, Any]] = []

    def add(name: str, value: Any) -> None:
        rows.append({"split": split, "metric": name, "value": float(value)})

    for key, value in metrics.items():
        if key == "labels":
            continue
        if key == "confusion":
            matrix = np.asarray(value)
            names = list(labels) if labels is not None else [str(i) for i in range(len(matrix))]
            for i, true_name in enumerate(names):
                for j, pred_name in enumerate(names):
                    add(f"confusion[{true_name}][{pred_name}]", matrix[i, j])
        elif isinstance(value, dict):
            for sub_key, sub_value in value.items():
                if _is_number(sub_value):
                    add(f"{key}[{sub_key}]", sub_value)
        elif _is_number(value):
            add(key, value)
    return rows


def _is_number(value: Any) -> bool:
    """True for int/float/bool scalars (numpy ones included)."""
    return isinstance(value, int | float | np.integer | np.floating | np.bool_)


def passes_gate(metrics: dict[str, Any], max_hamming_loss: float = 0.40) -> tuple[bool, str]:
    """Decide whether a model may be deployed, with the reason in words.

    What: passes when ``hamming_loss <= max_hamming_loss`` (the seed's rule:
    at most 40% of test rows wrongly predicted). A missing or NaN Hamming loss
    fails. The reason also quotes the majority-class baseline when present, so
    a reader sees whether a passing model beats guessing.

    Why: the deploy step must keep the previous model when a new one is worse,
    and the ``ml_models`` row should say why.
    """
    value = metrics.get("hamming_loss")
    if value is None or not _is_number(value) or math.isnan(float(value)):
        return False, "no hamming_loss was computed"
    hamming = float(value)
    baseline = metrics.get("baseline_hamming_loss")
    suffix = ""
    if baseline is not None and _is_number(baseline):
        suffix = f" (majority-class baseline {float(baseline):.4f})"
    n_rows = metrics.get("n_rows")
    on_rows = f" on {int(n_rows)} rows" if n_rows is not None else ""
    if hamming <= max_hamming_loss:
        return True, (
            f"hamming loss {hamming:.4f}{on_rows} is within the limit "
            f"{max_hamming_loss:.4f}{suffix}"
        )
    return False, (
        f"hamming loss {hamming:.4f}{on_rows} exceeds the limit {max_hamming_loss:.4f}{suffix}"
    )
