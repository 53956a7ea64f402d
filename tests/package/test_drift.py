"""Tests for reference.drift against scipy as the independent reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from reference.drift import (
    MISSING_BUCKET,
    OTHER_BUCKET,
    categorical_histograms,
    feature_drift,
    gaussian_kl,
    kl_divergence,
    numeric_histograms,
    prediction_drift,
)


@pytest.mark.parametrize("seed", range(50))
def test_kl_matches_scipy_entropy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 30))
    p = rng.random(k) * rng.integers(1, 1000)
    q = rng.random(k) + 1e-3
    p[rng.random(k) < 0.2] = 0.0  # zero buckets in p contribute nothing
    if p.sum() == 0:
        p[0] = 1.0
    assert kl_divergence(p, q) == pytest.approx(stats.entropy(p, q), abs=1e-9)


def test_kl_infinite_when_q_has_zero_where_p_has_mass() -> None:
    assert kl_divergence([1, 1], [1, 0]) == math.inf == stats.entropy([1, 1], [1, 0])
    assert kl_divergence([1, 0], [1, 0]) == 0.0


def test_kl_identical_is_zero_and_is_not_symmetric() -> None:
    assert kl_divergence([3, 1, 2], [6, 2, 4]) == pytest.approx(0.0, abs=1e-15)
    assert kl_divergence([0.9, 0.1], [0.5, 0.5]) != pytest.approx(
        kl_divergence([0.5, 0.5], [0.9, 0.1])
    )


@pytest.mark.parametrize(
    ("p", "q", "message"),
    [
        ([1, 2], [1, 2, 3], "buckets"),
        ([1, -1], [1, 1], "negative"),
        ([0, 0], [1, 1], "sums to zero"),
        ([1, np.nan], [1, 1], "NaN"),
        ([], [], "empty"),
        ([[1, 2]], [[1, 2]], "1-D"),
    ],
)
def test_kl_rejects_bad_histograms(p: list, q: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        kl_divergence(p, q)


@pytest.mark.parametrize(
    ("mu1", "s1", "mu2", "s2"),
    [(0, 1, 0, 1), (0, 1, 1, 1), (2.5, 0.5, -1, 2), (0, 3, 0.2, 0.7), (10, 1.2, 9, 1.5)],
)
def test_gaussian_kl_matches_numeric_integration(mu1: float, s1: float, mu2: float, s2: float):
    def integrand(x: float) -> float:
        return stats.norm.pdf(x, mu1, s1) * (
            stats.norm.logpdf(x, mu1, s1) - stats.norm.logpdf(x, mu2, s2)
        )

    lo, hi = mu1 - 12 * s1, mu1 + 12 * s1
    reference, _ = integrate.quad(integrand, lo, hi, limit=200)
    assert gaussian_kl(mu1, s1, mu2, s2) == pytest.approx(reference, rel=1e-7, abs=1e-10)


def test_gaussian_kl_guards_zero_sigma_and_rejects_negative() -> None:
    value = gaussian_kl(0.0, 0.0, 0.0, 1.0)
    assert math.isfinite(value) and value > 0
    assert math.isfinite(gaussian_kl(1.0, 1.0, 0.0, 0.0))
    assert gaussian_kl(3.0, 0.0, 3.0, 0.0) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        gaussian_kl(0.0, -1.0, 0.0, 1.0)


def test_categorical_histograms_buckets_and_smoothing() -> None:
    current = ["PL", "PL", "SE", "XX", None]
    reference = ["PL", "SE", "SE", "DE"]
    p, q, labels = categorical_histograms(current, reference, smoothing=1.0)
    assert labels == ["DE", "PL", "SE", OTHER_BUCKET, MISSING_BUCKET]
    # counts + 1, normalised: current DE0 PL2 SE1 other1 missing1 -> 1,3,2,2,2 / 10
    np.testing.assert_allclose(p, np.array([1, 3, 2, 2, 2]) / 10)
    # reference DE1 PL1 SE2 other0 missing0 -> 2,2,3,1,1 / 9
    np.testing.assert_allclose(q, np.array([2, 2, 3, 1, 1]) / 9)


def test_categorical_histograms_known_categories() -> None:
    p, q, labels = categorical_histograms(
        ["a", "b", "c"], ["a", "z"], smoothing=0.0, known_categories=["b", "a"]
    )
    assert labels == ["b", "a", OTHER_BUCKET, MISSING_BUCKET]
    np.testing.assert_allclose(p, [1 / 3, 1 / 3, 1 / 3, 0])
    np.testing.assert_allclose(q, [0, 0.5, 0.5, 0])  # "z" is not a known category


def test_unseen_values_need_smoothing_for_a_finite_divergence() -> None:
    """Fails if smoothing were omitted: an unseen value makes D(p||q) infinite."""
    current = ["PL"] * 95 + ["NEW"] * 5
    reference = ["PL"] * 100
    p0, q0, _ = categorical_histograms(current, reference, smoothing=0.0)
    assert kl_divergence(p0, q0) == math.inf
    p, q, _ = categorical_histograms(current, reference)
    kl = kl_divergence(p, q)
    assert math.isfinite(kl) and kl > 0


def test_categorical_identical_is_about_zero_and_shift_is_larger() -> None:
    rng = np.random.default_rng(0)
    cats = np.array(["a", "b", "c", "d"])
    ref = rng.choice(cats, size=5000, p=[0.4, 0.3, 0.2, 0.1])
    same = rng.choice(cats, size=5000, p=[0.4, 0.3, 0.2, 0.1])
    shifted = rng.choice(cats, size=5000, p=[0.1, 0.2, 0.3, 0.4])
    kl_same = kl_divergence(*categorical_histograms(same, ref)[:2])
    kl_shift = kl_divergence(*categorical_histograms(shifted, ref)[:2])
    assert kl_same < 0.005
    assert kl_shift > 20 * kl_same
    assert kl_divergence(*categorical_histograms(ref, ref)[:2]) == pytest.approx(0.0, abs=1e-12)


def test_numeric_histograms_edges_missing_bucket_and_open_ends() -> None:
    reference = np.arange(100, dtype=float)  # quartiles 24.75, 49.5, 74.25
    current = [-1000.0, 24.75, 50.0, 1e9, np.nan, None]
    p, q, edges = numeric_histograms(current, reference, n_bins=4, smoothing=0.0)
    np.testing.assert_allclose(edges, [-np.inf, 24.75, 49.5, 74.25, np.inf])
    assert len(p) == len(q) == len(edges)  # 4 value bins + missing
    # -1000 -> bin0, 24.75 (equal to a cut) -> bin1, 50 -> bin2, 1e9 -> bin3, 2 missing
    np.testing.assert_allclose(p, np.array([1, 1, 1, 1, 2]) / 6)
    np.testing.assert_allclose(q, [0.25, 0.25, 0.25, 0.25, 0.0])


def test_numeric_histograms_deduplicate_edges() -> None:
    reference = [1.0] * 90 + [2.0] * 10
    p, q, edges = numeric_histograms([1.0, 2.0, 3.0], reference, n_bins=10, smoothing=0.0)
    # eight of the nine deciles are 1.0; the 90% one interpolates to 1.1
    np.testing.assert_allclose(edges, [-np.inf, 1.0, 1.1, np.inf])
    np.testing.assert_allclose(p, [0, 1 / 3, 2 / 3, 0])
    np.testing.assert_allclose(q, [0, 0.9, 0.1, 0])


def test_numeric_histograms_accept_string_numbers_and_constant_reference() -> None:
    p, q, edges = numeric_histograms(["21.0", "22.5", None], ["21.0"] * 5, n_bins=5)
    assert list(edges[1:-1]) == [21.0]
    assert p.shape == q.shape == (3,)


def test_numeric_identical_is_about_zero_and_shift_is_larger() -> None:
    rng = np.random.default_rng(1)
    ref = rng.normal(size=5000)
    kl_same = kl_divergence(*numeric_histograms(rng.normal(size=5000), ref)[:2])
    kl_shift = kl_divergence(*numeric_histograms(rng.normal(1.0, 1.0, size=5000), ref)[:2])
    assert kl_same < 0.01
    assert kl_shift > 0.2
    # a mean shift is also seen by the closed form
    assert gaussian_kl(1.0, 1.0, 0.0, 1.0) == pytest.approx(0.5)


def test_feature_drift_rows() -> None:
    rng = np.random.default_rng(2)
    reference = pd.DataFrame(
        {"country": rng.choice(["PL", "SE"], 2000), "lat": rng.normal(50, 2, 2000)}
    )
    current = pd.DataFrame(
        {"country": rng.choice(["PL", "SE", "TH"], 2000), "lat": rng.normal(50, 2, 2000)}
    )
    out = feature_drift(current, reference, ["country"], ["lat"], threshold=0.1)
    assert list(out.columns) == ["feature", "kind", "kl_divergence", "threshold", "is_drifted"]
    assert out["feature"].tolist() == ["country", "lat"]
    assert (out["kind"] == "feature").all() and (out["threshold"] == 0.1).all()
    drifted = dict(zip(out["feature"], out["is_drifted"], strict=True))
    assert drifted == {"country": True, "lat": False}
    with pytest.raises(KeyError, match="dos"):
        feature_drift(current, reference, ["dos"], [], threshold=0.1)


def test_prediction_drift_on_predicted_class_and_scores() -> None:
    rng = np.random.default_rng(3)
    ref = rng.dirichlet([5, 1], size=1000)
    same = rng.dirichlet([5, 1], size=1000)
    flipped = rng.dirichlet([1, 5], size=1000)
    row = prediction_drift(same, ref, threshold=0.05)
    assert row["kind"] == "prediction" and row["feature"] == "predicted_class"
    assert not row["is_drifted"]
    row = prediction_drift(flipped, ref, threshold=0.05)
    assert row["is_drifted"] and row["kl_divergence"] > 1.0
    score_row = prediction_drift(flipped.max(axis=1), ref.max(axis=1), threshold=10.0)
    assert score_row["feature"] == "probability" and not score_row["is_drifted"]
    with pytest.raises(ValueError):
        prediction_drift(np.ones((2, 3)) / 3, np.ones((2, 2)) / 2, threshold=0.1)
