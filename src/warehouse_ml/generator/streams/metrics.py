"""What the best possible model scores: Bayes AUC and log loss of the true probabilities.

Two flavours of each, both from the points' ``true_probability`` (and ``label``):

- :func:`bayes_auc`, :func:`bayes_log_loss`: *expected* values given the probabilities
  alone, i.e. averaged over every way the labels could have been drawn. They do not read
  ``label``, so they are the noise-free target (the same for any draw of the outcomes).
  ``bayes_log_loss`` is the mean binary entropy ``-[p log p + (1 - p) log(1 - p)]``;
  ``bayes_auc`` is ``sum_{i != j} p_i (1 - p_j) [p_i > p_j] (ties 1/2) / sum_{i != j}
  p_i (1 - p_j)``: the chance that a random positive outranks a random negative, where
  row i is positive with probability p_i (the ratio of expectations, the large-sample
  limit of the empirical AUC).
- :func:`empirical_bayes_auc`, :func:`empirical_bayes_log_loss`: the realised scores of
  the true probabilities against the realised ``label`` (what ``roc_auc_score`` and
  ``log_loss`` would say). Compare a model's test AUC with this on the *same rows*: it
  is the ceiling for that very sample, sampling noise included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from warehouse_ml.generator.config import FloatArray


def _column(points: pd.DataFrame | pa.Table, name: str) -> FloatArray:
    """One numeric column of a frame or Arrow table as float64."""
    if isinstance(points, pa.Table):
        return points.column(name).to_numpy().astype(np.float64)
    return points[name].to_numpy(dtype=np.float64)


def _checked(p: FloatArray) -> FloatArray:
    if p.size == 0:
        raise ValueError("no points")
    if np.any((p <= 0.0) | (p >= 1.0)) or np.any(np.isnan(p)):
        raise ValueError("true probabilities must lie strictly inside (0, 1)")
    return p


def bayes_auc(points: pd.DataFrame | pa.Table) -> float:
    """Expected AUC of the true probabilities (reads only ``true_probability``).

    O(n log n): sort by p, and for each group of equal p add its positive mass times the
    negative mass strictly below, plus half of the within-group pairs (i != j).
    """
    p = _checked(_column(points, "true_probability"))
    values, inverse = np.unique(p, return_inverse=True)
    pos = np.bincount(inverse, weights=p, minlength=values.size)
    neg = np.bincount(inverse, weights=1.0 - p, minlength=values.size)
    self_pairs = np.bincount(inverse, weights=p * (1.0 - p), minlength=values.size)
    neg_below = np.cumsum(neg) - neg
    num = np.sum(pos * neg_below) + 0.5 * np.sum(pos * neg - self_pairs)
    den = p.sum() * (1.0 - p).sum() - np.sum(p * (1.0 - p))
    return float(num / den)


def bayes_log_loss(points: pd.DataFrame | pa.Table) -> float:
    """Expected log loss of the true probabilities: their mean binary entropy (nats)."""
    p = _checked(_column(points, "true_probability"))
    return float(np.mean(-(p * np.log(p) + (1.0 - p) * np.log1p(-p))))


def empirical_bayes_auc(points: pd.DataFrame | pa.Table) -> float:
    """AUC of ``true_probability`` against the realised ``label`` (Mann-Whitney, ties 1/2)."""
    p = _checked(_column(points, "true_probability"))
    y = _column(points, "label") > 0.5
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both labels")
    values, inverse = np.unique(p, return_inverse=True)
    counts = np.bincount(inverse, minlength=values.size)
    mid_rank = np.cumsum(counts) - (counts - 1) / 2.0  # 1-based average rank of a tie group
    rank_sum = mid_rank[inverse][y].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def empirical_bayes_log_loss(points: pd.DataFrame | pa.Table) -> float:
    """Log loss (nats) of ``true_probability`` against the realised ``label``."""
    p = _checked(_column(points, "true_probability"))
    y = _column(points, "label") > 0.5
    return float(np.mean(-np.where(y, np.log(p), np.log1p(-p))))
