"""Multiclass and binary evaluation of offer models, the quality gate, and metric rows.

The seed gates deployment on the Hamming loss (share of rows whose predicted
offer is wrong; for single-label multiclass it is ``1 - accuracy``) at 40%.
Alongside it we record what explains a pass or a fail: accuracy, macro F1, log
loss, per-offer precision/recall/support, the confusion matrix and the Hamming
loss of always predicting the majority offer (a model that does not beat that
baseline has learned nothing, even under the 40% gate).

For binary (converts / does not convert) models, :func:`evaluate_binary`
records ranking (ROC AUC, average precision), probability quality (log loss,
Brier score, expected calibration error and a reliability table) and the log
loss of always predicting the positive rate; :func:`passes_gate` can gate on
any of them.

Implemented with numpy only so the definitions are visible here; the tests
check every number against scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "RELIABILITY_FIELDS",
    "evaluate_binary",
    "evaluate_multiclass",
    "metrics_to_rows",
    "passes_gate",
    "rare_value_breakdown",
    "reliability_table",
]

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


#: Per-bin fields of the reliability table. :func:`evaluate_binary` stores each
#: as its own ``reliability_<field>`` dict keyed by bin index (``"0"``, ``"1"``,
#: ...), the one nested shape ``metrics_json_rows`` unnests in SQL.
RELIABILITY_FIELDS = ("lower", "upper", "n_rows", "mean_predicted", "observed_rate")


def _check_binary_inputs(y_true: Any, p_positive: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate and convert 0/1 labels (int64) and positive-class probabilities (1-D float)."""
    p_arr = np.asarray(p_positive)
    if p_arr.ndim != 1:
        raise ValueError(f"p_positive must be 1-D (n_rows,), got shape {p_arr.shape}")
    if not np.issubdtype(p_arr.dtype, np.floating):
        p_arr = p_arr.astype(np.float64)
    y_arr = np.asarray(y_true)
    if y_arr.ndim != 1:
        raise ValueError(f"y_true must be 1-D (n_rows,), got shape {y_arr.shape}")
    if len(y_arr) != len(p_arr):
        raise ValueError(f"{len(y_arr)} labels for {len(p_arr)} probabilities")
    if len(y_arr) == 0:
        raise ValueError("cannot evaluate zero rows")
    try:
        raw = y_arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError("y_true must hold 0/1 labels") from None
    if not np.isin(raw, (0.0, 1.0)).all():
        raise ValueError("y_true must hold 0/1 labels")
    if not np.isfinite(p_arr).all():
        raise ValueError("p_positive must be finite")
    if (p_arr < 0).any() or (p_arr > 1).any():
        raise ValueError("p_positive must be probabilities in [0, 1]")
    return raw.astype(np.int64), p_arr


def _roc_auc(labels: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic; tied scores share their average rank."""
    n = len(p)
    order = np.argsort(p, kind="mergesort")
    sorted_p = p[order]
    starts_group = np.r_[True, sorted_p[1:] != sorted_p[:-1]]
    starts = np.flatnonzero(starts_group)
    ends = np.r_[starts[1:], n]  # exclusive; the group holds ranks starts+1 .. ends
    mean_rank = (starts + 1 + ends) / 2.0
    ranks = mean_rank[np.cumsum(starts_group) - 1]
    n_pos = int(labels.sum())
    n_neg = n - n_pos
    rank_sum = float(ranks[labels[order] == 1].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def _average_precision(labels: np.ndarray, p: np.ndarray) -> float:
    """Sum over distinct thresholds of (recall step) x precision, highest threshold first."""
    order = np.argsort(p, kind="mergesort")[::-1]
    sorted_p = p[order]
    hits = labels[order]
    # last row of each run of tied scores: everything scored >= that score is predicted positive
    cut = np.r_[np.flatnonzero(sorted_p[1:] != sorted_p[:-1]), len(p) - 1]
    tps = np.cumsum(hits)[cut].astype(np.float64)
    predicted = (cut + 1).astype(np.float64)
    precision = tps / predicted
    recall = tps / tps[-1]
    recall_step = np.diff(np.r_[0.0, recall])
    return float(np.sum(recall_step * precision))


def _binary_log_loss(labels: np.ndarray, p: np.ndarray) -> float:
    """Mean ``-log`` probability of the true class, clipped like sklearn's ``log_loss``."""
    eps = np.finfo(p.dtype).eps
    p_true = np.where(labels == 1, p, 1 - p)
    p_true = np.clip(p_true, eps, 1 - eps).astype(np.float64)
    return float(-np.mean(np.log(p_true)))


def evaluate_binary(y_true: Any, p_positive: Any, *, n_bins: int = 10) -> dict[str, Any]:
    """Evaluate positive-class probabilities against 0/1 labels.

    What: returns a flat dict (plus the per-bin dicts of the reliability table)::

        {"n_rows", "n_positive", "positive_rate", "mean_predicted",
         "auc", "pr_auc", "log_loss", "baseline_log_loss", "brier_score",
         "accuracy", "ece", "n_bins",
         "reliability_lower": {bin: float}, "reliability_upper": {bin: float},
         "reliability_n_rows": {bin: int},
         "reliability_mean_predicted": {bin: float | None},
         "reliability_observed_rate": {bin: float | None}}

    with bins keyed ``"0"`` .. ``str(n_bins - 1)``; :func:`reliability_table`
    turns those dicts back into a list of ``{bin, lower, upper, n_rows,
    mean_predicted, observed_rate}`` rows.

    Definitions (each matches scikit-learn with default arguments):

    * ``auc``: ROC AUC (``roc_auc_score``), the probability that a random
      positive scores above a random negative, ties counting one half.
    * ``pr_auc``: average precision (``average_precision_score``),
      ``sum_k (R_k - R_{k-1}) * P_k`` over the distinct scores from high to low,
      not the trapezoidal area under the precision-recall curve.
    * ``log_loss``: mean ``-ln p(true class)`` with ``p`` clipped to
      ``[eps, 1 - eps]``, ``eps`` the machine epsilon of the probabilities' dtype
      (as ``log_loss``). ``baseline_log_loss`` is the same loss for the constant
      prediction ``positive_rate`` (this split's own rate: a lower bound for any
      constant, so a model should beat it clearly).
    * ``brier_score``: mean ``(p - y)^2`` (``brier_score_loss``).
    * ``accuracy``: share of rows right when predicting positive for
      ``p > 0.5``; ``p == 0.5`` counts as negative, as in XGBoost's and
      scikit-learn's ``predict``.
    * ``ece`` (expected calibration error): ``n_bins`` equal-width bins on
      ``[0, 1]``; bin ``i`` holds ``i/n_bins <= p < (i+1)/n_bins`` and the last
      bin also holds ``p == 1.0``. ``ece = sum over non-empty bins of
      (n_bin / n_rows) * |mean_predicted_bin - observed_rate_bin|``. Edges are
      the floats ``i / n_bins`` and binning compares ``p`` with them (no
      ``floor(p * n_bins)``, which misplaces some values next to an edge);
      float32 ``p`` is widened exactly to float64 first, so ``float32(0.7)``,
      which is 0.69999998..., lands in bin 6 of 10.
    * ``reliability_*``: each bin's edges, row count, mean ``p`` and share of
      positives; the last two are ``None`` for an empty bin.

    When ``y_true`` holds a single class, ``auc`` and ``pr_auc`` are undefined
    and returned as ``None`` (scikit-learn raises or warns); every other
    metric is still computed. ``None`` rather than NaN keeps the dict valid
    JSON and produces no ``ml_metrics`` row.

    Example:
        >>> m = evaluate_binary([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], n_bins=2)
        >>> m["auc"], m["accuracy"], m["reliability_n_rows"]
        (0.75, 0.75, {'0': 3, '1': 1})

    Args:
        y_true: 0/1 labels (ints, bools or integral floats).
        p_positive: probability of class 1 for each row.
        n_bins: number of calibration bins (a positive integer).

    Raises:
        ValueError: empty input, length mismatch, labels other than 0/1,
            probabilities outside ``[0, 1]`` or not finite, or a bad ``n_bins``.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    n_bins = int(n_bins)
    labels, p = _check_binary_inputs(y_true, p_positive)
    p64 = p.astype(np.float64)
    n_rows = len(labels)
    n_positive = int(labels.sum())
    positive_rate = n_positive / n_rows
    single_class = n_positive in (0, n_rows)

    edges = np.arange(n_bins + 1, dtype=np.float64) / n_bins
    bins = np.clip(np.searchsorted(edges, p64, side="right") - 1, 0, n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    sum_p = np.bincount(bins, weights=p64, minlength=n_bins)
    sum_y = np.bincount(bins, weights=labels.astype(np.float64), minlength=n_bins)
    filled = counts > 0
    mean_p = np.divide(sum_p, counts, out=np.zeros(n_bins), where=filled)
    observed = np.divide(sum_y, counts, out=np.zeros(n_bins), where=filled)
    ece = float(np.sum(counts[filled] / n_rows * np.abs(mean_p[filled] - observed[filled])))

    keys = [str(i) for i in range(n_bins)]
    baseline_p = np.full(n_rows, positive_rate, dtype=np.float64)
    return {
        "n_rows": int(n_rows),
        "n_positive": n_positive,
        "positive_rate": float(positive_rate),
        "mean_predicted": float(np.mean(p64)),
        "auc": None if single_class else float(_roc_auc(labels, p)),
        "pr_auc": None if single_class else _average_precision(labels, p),
        "log_loss": _binary_log_loss(labels, p),
        "baseline_log_loss": _binary_log_loss(labels, baseline_p),
        "brier_score": float(np.mean((p64 - labels) ** 2)),
        "accuracy": float(np.mean((p > 0.5) == (labels == 1))),
        "ece": ece,
        "n_bins": n_bins,
        "reliability_lower": {k: float(edges[i]) for i, k in enumerate(keys)},
        "reliability_upper": {k: float(edges[i + 1]) for i, k in enumerate(keys)},
        "reliability_n_rows": {k: int(counts[i]) for i, k in enumerate(keys)},
        "reliability_mean_predicted": {
            k: float(mean_p[i]) if filled[i] else None for i, k in enumerate(keys)
        },
        "reliability_observed_rate": {
            k: float(observed[i]) if filled[i] else None for i, k in enumerate(keys)
        },
    }


def reliability_table(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """The reliability table of an :func:`evaluate_binary` result as one dict per bin.

    What: ``[{"bin": 0, "lower": 0.0, "upper": 0.1, "n_rows": ..., "mean_predicted":
    ..., "observed_rate": ...}, ...]`` in bin order, read from the
    ``reliability_<field>`` dicts (which also works on a result read back from
    ``ml_models.metrics`` JSON). Empty bins have ``None`` mean and rate.

    Why: the metrics dict stores the table column-wise so ``ml_metrics`` can
    unnest it; plots and reports want it row-wise.
    """
    columns = {field: metrics.get(f"reliability_{field}") for field in RELIABILITY_FIELDS}
    missing = [
        f"reliability_{field}" for field, col in columns.items() if not isinstance(col, dict)
    ]
    if missing:
        raise ValueError(f"metrics has no reliability table (missing {', '.join(missing)})")
    keys = sorted(columns["n_rows"], key=int)
    return [
        {"bin": int(k), **{field: columns[field].get(k) for field in RELIABILITY_FIELDS}}
        for k in keys
    ]


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

    Works the same on an :func:`evaluate_binary` result.

    What: scalars keep their name (``hamming_loss``); per-class dicts become
    ``precision[<label>]``; the confusion matrix becomes
    ``confusion[<true label>][<predicted label>]`` (labels from
    ``metrics["labels"]``, else indices). The binary reliability table is stored
    as one dict per field keyed by bin index, so it becomes
    ``reliability_observed_rate[<bin>]``, ``reliability_n_rows[<bin>]`` etc.
    Non-numeric entries such as ``labels``, and ``None`` values (an undefined
    ``auc``, an empty bin's rate), are skipped. Values are floats; order is
    deterministic (insertion order). The names match the SQL macro
    ``metrics_json_rows``, which builds ``ml_metrics`` from the same JSON and
    unnests only scalars, objects of numbers and ``confusion``, which is why
    the reliability table is not a list of objects.

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


#: Name of the baseline quoted beside a gated metric, where it is not just "baseline".
_BASELINE_NAMES = {"hamming_loss": "majority-class baseline"}


def passes_gate(
    metrics: dict[str, Any],
    threshold: float = 0.40,
    *,
    metric: str = "hamming_loss",
    direction: str = "max",
) -> tuple[bool, str]:
    """Decide whether a model may be deployed, with the reason in words.

    What: ``direction="max"`` passes when ``metrics[metric] <= threshold`` (a
    loss: ``hamming_loss``, ``log_loss``, ``brier_score``, ``ece``);
    ``direction="min"`` passes when ``metrics[metric] >= threshold`` (a score:
    ``auc``, ``pr_auc``, ``accuracy``). The default is the seed's rule, at most
    40% of test rows wrongly predicted, and ``passes_gate(metrics, 0.40)`` keeps
    working. A missing, ``None``, non-numeric or NaN metric fails (an undefined
    ``auc`` on a single-class test split must not deploy). The reason quotes
    ``baseline_<metric>`` when present (the majority-class baseline for the
    Hamming loss), so a reader sees whether a passing model beats guessing.

    Why: the deploy step must keep the previous model when a new one is worse,
    and the ``ml_models`` row should say why.

    Example:
        >>> passes_gate({"auc": 0.71, "n_rows": 200}, 0.6, metric="auc", direction="min")
        (True, 'auc 0.7100 on 200 rows meets the minimum 0.6000')

    Raises:
        ValueError: ``direction`` other than ``"max"``/``"min"`` or a threshold
            that is not a number.
    """
    if direction not in ("max", "min"):
        raise ValueError(f"direction must be 'max' or 'min', got {direction!r}")
    if not _is_real(threshold):
        raise ValueError(f"threshold must be a number, got {threshold!r}")
    limit = float(threshold)
    if metric not in metrics:
        return False, f"no {metric} was computed"
    value = metrics[metric]
    if not _is_real(value):
        if metric == "hamming_loss":  # the seed's wording, kept for existing rows
            return False, "no hamming_loss was computed"
        return False, f"{metric} is not a number ({value!r}), so it cannot pass"
    score = float(value)
    label = metric.replace("_", " ")
    baseline = metrics.get(f"baseline_{metric}")
    suffix = ""
    if baseline is not None and _is_number(baseline):
        suffix = f" ({_BASELINE_NAMES.get(metric, 'baseline')} {float(baseline):.4f})"
    n_rows = metrics.get("n_rows")
    on_rows = f" on {int(n_rows)} rows" if n_rows is not None else ""
    if direction == "max":
        if score <= limit:
            return True, f"{label} {score:.4f}{on_rows} is within the limit {limit:.4f}{suffix}"
        return False, f"{label} {score:.4f}{on_rows} exceeds the limit {limit:.4f}{suffix}"
    if score >= limit:
        return True, f"{label} {score:.4f}{on_rows} meets the minimum {limit:.4f}{suffix}"
    return False, f"{label} {score:.4f}{on_rows} is below the minimum {limit:.4f}{suffix}"


def _is_real(value: Any) -> bool:
    """True for a non-bool, non-NaN int/float scalar (numpy ones included)."""
    if isinstance(value, bool | np.bool_) or not _is_number(value):
        return False
    return not math.isnan(float(value))
