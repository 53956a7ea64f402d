"""Data and prediction drift as KL divergence, in the spirit of Hivemall's ``kld``.

The seed (Treasure Data's custom ML workflow) monitors models by tracking the
KL divergence between what a model sees now and what it was trained on; a
spike means a data error or a model that needs retraining. Here:

* every feature is turned into a discrete histogram over *reference* (training
  split) buckets: category frequencies for one-hot source columns, quantile
  bins for numeric ones, each with a bucket for missing values;
* ``D(current || reference)`` is computed on the histograms
  (:func:`kl_divergence`, natural log, equal to ``scipy.stats.entropy(p, q)``);
* additive smoothing keeps a bucket that is empty in the reference from making
  the divergence infinite when a few new values appear;
* :func:`gaussian_kl` is the closed form for two normal distributions, for
  comparing a statistic's mean/standard deviation across runs as Hivemall does.

Note on Hivemall: its ``kld(mu1, sigma1, mu2, sigma2)`` takes *variances* and
its formula is not the textbook KL of either direction; :func:`gaussian_kl`
takes standard deviations and is the exact ``KL(N1 || N2)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MISSING_BUCKET",
    "OTHER_BUCKET",
    "categorical_histograms",
    "feature_drift",
    "gaussian_kl",
    "kl_divergence",
    "numeric_histograms",
    "prediction_drift",
]

#: Bucket for values not in the reference (or not in ``known_categories``).
OTHER_BUCKET = "__other__"
#: Bucket for NULL/NaN values.
MISSING_BUCKET = "__missing__"

#: Smallest standard deviation :func:`gaussian_kl` uses (a constant statistic
#: would otherwise divide by zero).
_MIN_SIGMA = 1e-9

DRIFT_COLUMNS: tuple[str, ...] = ("feature", "kind", "kl_divergence", "threshold", "is_drifted")


def kl_divergence(p: Any, q: Any) -> float:
    """Kullback-Leibler divergence ``D(p || q) = sum p_i * ln(p_i / q_i)``.

    What: both inputs are non-negative histograms of the same length; each is
    normalised to sum to 1 first. Terms with ``p_i == 0`` contribute 0; a bucket
    with ``p_i > 0`` and ``q_i == 0`` makes the result ``inf`` (use smoothing to
    avoid that). Same value as ``scipy.stats.entropy(p, q)``.

    Why: ``p`` is the current data and ``q`` the reference, so the number grows
    when current data puts mass where the reference had little.

    Raises:
        ValueError: different shapes, not 1-D, empty, negative, NaN/inf entries
            or an all-zero histogram.
    """
    p_arr = np.asarray(p, dtype=np.float64)
    q_arr = np.asarray(q, dtype=np.float64)
    if p_arr.ndim != 1 or q_arr.ndim != 1:
        raise ValueError("p and q must be 1-D histograms")
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p has {p_arr.size} buckets but q has {q_arr.size}")
    if p_arr.size == 0:
        raise ValueError("histograms must not be empty")
    for name, arr in (("p", p_arr), ("q", q_arr)):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or infinite counts")
        if (arr < 0).any():
            raise ValueError(f"{name} contains negative counts")
        if arr.sum() <= 0:
            raise ValueError(f"{name} sums to zero")
    p_arr = p_arr / p_arr.sum()
    q_arr = q_arr / q_arr.sum()
    positive = p_arr > 0
    if (q_arr[positive] == 0).any():
        return math.inf
    return float(np.sum(p_arr[positive] * np.log(p_arr[positive] / q_arr[positive])))


def _smooth(counts: np.ndarray, smoothing: float) -> np.ndarray:
    """Add ``smoothing`` to every bucket and normalise (Laplace/additive smoothing)."""
    smoothed = counts.astype(np.float64) + smoothing
    total = smoothed.sum()
    return smoothed / total if total > 0 else smoothed


def _check_smoothing(smoothing: float) -> None:
    """Smoothing is a pseudo-count, so it cannot be negative."""
    if not smoothing >= 0:
        raise ValueError("smoothing must be >= 0")


def _category_keys(values: Iterable[Any]) -> pd.Series:
    """Values as strings, with NULL/NaN turned into :data:`MISSING_BUCKET`."""
    series = pd.Series(list(values) if not isinstance(values, pd.Series) else values, dtype=object)
    missing = series.isna().to_numpy()
    keys = series.astype(str).to_numpy(dtype=object)
    keys[missing] = MISSING_BUCKET
    return pd.Series(keys, dtype=object)


def categorical_histograms(
    current_values: Iterable[Any],
    reference_values: Iterable[Any],
    *,
    smoothing: float = 1.0,
    known_categories: Sequence[Any] | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Category frequency histograms of current and reference values on shared buckets.

    What: the buckets are ``known_categories`` (in the given order) or, by
    default, the sorted distinct non-missing reference values, followed by
    :data:`OTHER_BUCKET` (values outside those categories) and
    :data:`MISSING_BUCKET` (NULL/NaN). Values are compared as strings. Each
    bucket count gets ``smoothing`` added, then each histogram is normalised.

    Why: buckets come from the reference (the training split) only, as the
    model's encoders do; a value the model never saw lands in ``__other__``,
    and smoothing keeps ``D(p || q)`` finite when the reference has none.

    Returns:
        ``(p, q, labels)``: current and reference probabilities and bucket names.
    """
    _check_smoothing(smoothing)
    current = _category_keys(current_values)
    reference = _category_keys(reference_values)
    if known_categories is not None:
        categories = list(dict.fromkeys(str(c) for c in known_categories))
    else:
        categories = sorted(set(reference[reference != MISSING_BUCKET]))
    categories = [c for c in categories if c not in (OTHER_BUCKET, MISSING_BUCKET)]
    labels = [*categories, OTHER_BUCKET, MISSING_BUCKET]
    other = len(categories)
    index = pd.Index(labels)

    def counts(keys: pd.Series) -> np.ndarray:
        positions = index.get_indexer(keys.to_numpy())
        positions = np.where(positions < 0, other, positions)
        return np.bincount(positions, minlength=len(labels))

    return _smooth(counts(current), smoothing), _smooth(counts(reference), smoothing), labels


def _as_float(values: Iterable[Any]) -> np.ndarray:
    """Values as float64 with NULL/pd.NA as NaN."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return pd.to_numeric(series, errors="raise").to_numpy(dtype=np.float64, na_value=np.nan)


def numeric_histograms(
    current: Iterable[Any],
    reference: Iterable[Any],
    *,
    n_bins: int = 10,
    smoothing: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantile-bin histograms of a numeric feature, bins fitted on the reference.

    What: cut points are the reference's interior quantiles
    ``1/n_bins, ..., (n_bins-1)/n_bins`` with duplicates removed (a column with
    repeated values gets fewer bins). ``edges`` is ``[-inf, c_1, ..., c_k, inf]``
    so the first and last bins are open-ended; a value equal to a cut point goes
    to the bin on its right. The histograms have ``len(edges) - 1`` value bins
    plus a last bucket for missing (NaN) values. ``smoothing`` is added to every
    bucket before normalising.

    Why: quantile bins put roughly equal reference mass in every bin, so the
    divergence is sensitive across the whole range rather than dominated by one
    wide bin; open ends catch values outside the training range.

    Returns:
        ``(p, q, edges)``: current and reference probabilities (length
        ``len(edges)``: value bins + missing) and the bin edges.
    """
    _check_smoothing(smoothing)
    if n_bins < 1:
        raise ValueError("n_bins must be >= 1")
    cur = _as_float(current)
    ref = _as_float(reference)
    ref_present = ref[~np.isnan(ref)]
    finite = ref_present[np.isfinite(ref_present)]
    if finite.size and n_bins > 1:
        cuts = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, n_bins + 1)[1:-1]))
    else:
        cuts = np.empty(0, dtype=np.float64)
    edges = np.concatenate(([-np.inf], cuts, [np.inf]))
    n_value_bins = len(edges) - 1

    def counts(values: np.ndarray) -> np.ndarray:
        missing = np.isnan(values)
        bins = np.searchsorted(cuts, values[~missing], side="right")
        hist = np.bincount(bins, minlength=n_value_bins).astype(np.float64)
        return np.append(hist, missing.sum())

    return _smooth(counts(cur), smoothing), _smooth(counts(ref), smoothing), edges


def gaussian_kl(mu1: float, sigma1: float, mu2: float, sigma2: float) -> float:
    """``KL(N(mu1, sigma1^2) || N(mu2, sigma2^2))`` in closed form (natural log).

    ``ln(s2/s1) + (s1^2 + (mu1 - mu2)^2) / (2 s2^2) - 1/2`` with ``sigma`` the
    standard deviation. Standard deviations below ``1e-9`` are raised to that
    floor so a constant statistic gives a large finite number instead of a
    division by zero.

    Why: comparing a score's mean and spread between runs, as Hivemall's
    ``kld`` is used in the seed, needs no histogram.

    Raises:
        ValueError: a negative or non-finite standard deviation, or a
            non-finite mean.
    """
    values = (mu1, sigma1, mu2, sigma2)
    if not all(math.isfinite(float(v)) for v in values):
        raise ValueError("means and standard deviations must be finite")
    if sigma1 < 0 or sigma2 < 0:
        raise ValueError("standard deviations must be >= 0")
    s1 = max(float(sigma1), _MIN_SIGMA)
    s2 = max(float(sigma2), _MIN_SIGMA)
    diff = float(mu1) - float(mu2)
    return math.log(s2 / s1) + (s1 * s1 + diff * diff) / (2.0 * s2 * s2) - 0.5


def _drift_row(feature: str, kind: str, kl: float, threshold: float) -> dict[str, Any]:
    """One ``ml_drift`` row (without the run/model keys the caller adds)."""
    return {
        "feature": feature,
        "kind": kind,
        "kl_divergence": float(kl),
        "threshold": float(threshold),
        "is_drifted": bool(kl > threshold),
    }


def feature_drift(
    current_df: pd.DataFrame,
    reference_df: pd.DataFrame,
    categorical: Sequence[str],
    numeric: Sequence[str],
    threshold: float,
    *,
    smoothing: float = 1.0,
    n_bins: int = 10,
    known_categories: dict[str, Sequence[Any]] | None = None,
) -> pd.DataFrame:
    """Per-feature KL divergence of current data against the reference data.

    What: one row per feature, categorical ones first, in the given order, with
    columns ``feature, kind ('feature'), kl_divergence, threshold, is_drifted``
    (``is_drifted`` = ``kl_divergence > threshold``). Categorical columns use
    :func:`categorical_histograms` (optionally with the model's stored
    vocabulary from ``known_categories[column]``), numeric ones
    :func:`numeric_histograms`.

    Why: these rows are appended to ``ml_drift`` per run, so a spike for one
    feature points at the input that changed.

    Raises:
        KeyError: a listed column is missing from either frame.
    """
    for name, frame in (("current_df", current_df), ("reference_df", reference_df)):
        absent = [c for c in [*categorical, *numeric] if c not in frame.columns]
        if absent:
            raise KeyError(f"{name} has no column(s) {absent}")
    vocabularies = known_categories or {}
    rows = []
    for column in categorical:
        p, q, _ = categorical_histograms(
            current_df[column],
            reference_df[column],
            smoothing=smoothing,
            known_categories=vocabularies.get(column),
        )
        rows.append(_drift_row(column, "feature", kl_divergence(p, q), threshold))
    for column in numeric:
        p, q, _ = numeric_histograms(
            current_df[column], reference_df[column], n_bins=n_bins, smoothing=smoothing
        )
        rows.append(_drift_row(column, "feature", kl_divergence(p, q), threshold))
    return pd.DataFrame(rows, columns=list(DRIFT_COLUMNS))


def prediction_drift(
    current_probs: Any,
    reference_probs: Any,
    threshold: float,
    *,
    smoothing: float = 1.0,
    n_bins: int = 10,
) -> dict[str, Any]:
    """KL divergence of the model's outputs now against its outputs on reference data.

    What:

    * 2-D ``(n, n_classes)`` probability matrices: compares how often each
      offer is the predicted one (argmax), with ``smoothing`` per class;
      ``feature = "predicted_class"``.
    * 1-D arrays of scores (e.g. the winning offer's probability): quantile
      histograms as in :func:`numeric_histograms`; ``feature = "probability"``.

    Returns one ``ml_drift``-shaped row: ``feature, kind ('prediction'),
    kl_divergence, threshold, is_drifted``.

    Why: a model can drift with no single input drifting (a mix of small
    changes); the distribution of what it predicts shows that directly.
    """
    _check_smoothing(smoothing)
    cur = np.asarray(current_probs, dtype=np.float64)
    ref = np.asarray(reference_probs, dtype=np.float64)
    if cur.ndim != ref.ndim or cur.ndim not in (1, 2):
        raise ValueError("current_probs and reference_probs must both be 1-D or both 2-D")
    if cur.ndim == 2:
        if cur.shape[1] != ref.shape[1]:
            raise ValueError(f"{cur.shape[1]} classes now but {ref.shape[1]} in the reference")
        if cur.shape[0] == 0 or ref.shape[0] == 0:
            raise ValueError("both probability matrices need at least one row")
        n_classes = cur.shape[1]
        p = _smooth(np.bincount(np.argmax(cur, axis=1), minlength=n_classes), smoothing)
        q = _smooth(np.bincount(np.argmax(ref, axis=1), minlength=n_classes), smoothing)
        return _drift_row("predicted_class", "prediction", kl_divergence(p, q), threshold)
    p, q, _ = numeric_histograms(cur, ref, n_bins=n_bins, smoothing=smoothing)
    return _drift_row("probability", "prediction", kl_divergence(p, q), threshold)
