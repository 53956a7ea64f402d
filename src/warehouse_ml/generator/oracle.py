"""Ground truth: the true offer probabilities, the Bayes error and the Bayes-optimal oracle.

These read only ``FEATURE_COLUMNS`` (and ``campaign``) of any frame, so they score
generated rows and rows that went through the warehouse alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from warehouse_ml.generator.campaigns import _Campaign, _campaigns
from warehouse_ml.generator.config import (
    _CHUNK_ROWS,
    _STREAM_EMPIRICAL,
    FEATURE_COLUMNS,
    FloatArray,
    GeneratorConfig,
    IntArray,
)
from warehouse_ml.generator.draws import _rng
from warehouse_ml.generator.world import _world


def _codes(values: pd.Series, pool: Sequence[str]) -> IntArray:
    """Index of each value in ``pool`` (exact, case-sensitive); -1 when absent."""
    arr = pa.array(values, from_pandas=True)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    idx = pc.index_in(arr, value_set=pa.array(pool, type=arr.type))
    return np.asarray(pc.fill_null(idx, -1), dtype=np.int64)


def _features(
    users_df: pd.DataFrame, cfg: GeneratorConfig
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray, FloatArray]:
    """Encode the feature columns of a frame into the world's codes and float coords."""
    missing = [c for c in FEATURE_COLUMNS if c not in users_df.columns]
    if missing:
        raise KeyError(f"frame lacks feature columns {missing}")
    w = _world(cfg.seed)
    lat = pd.to_numeric(users_df["lat"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    long = pd.to_numeric(users_df["long"], errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return (
        _codes(users_df["country"], w.countries),
        _codes(users_df["dOs"], w.oses),
        _codes(users_df["dBrowser"], w.browsers),
        _codes(users_df["dType"], w.dtypes),
        lat,
        long,
    )


def true_offer_probabilities(
    users_df: pd.DataFrame, cfg: GeneratorConfig, campaigns: Sequence[str] | None = None
) -> dict[str, FloatArray]:
    """The generator's true P(offer | user) for every row, per campaign.

    Returns ``{campaign_id: array (len(users_df), n_offers)}`` with columns in the
    order of :func:`campaign_offers`. Every row is scored for every requested campaign
    (``campaigns=None`` means all), whatever its own ``campaign`` column says; use
    :func:`bayes_error` / :func:`oracle_predict` for "own campaign" results. Only
    ``FEATURE_COLUMNS`` are read; values the generator never emits contribute nothing
    and unparsable coordinates are treated as "no location effect".
    """
    feats = _features(users_df, cfg)
    by_id = {c.campaign_id: c for c in _campaigns(cfg)}
    wanted = list(by_id) if campaigns is None else list(campaigns)
    unknown = [c for c in wanted if c not in by_id]
    if unknown:
        raise KeyError(f"unknown campaigns {unknown}")
    out: dict[str, FloatArray] = {}
    for cid in wanted:
        c = by_id[cid]
        parts = [
            c.probabilities(*(f[lo : lo + _CHUNK_ROWS] for f in feats))
            for lo in range(0, len(users_df), _CHUNK_ROWS)
        ]
        out[cid] = np.concatenate(parts) if parts else np.empty((0, len(c.offers)))
    return out


def _own_campaign_probabilities(
    df: pd.DataFrame, cfg: GeneratorConfig
) -> list[tuple[_Campaign, IntArray, FloatArray]]:
    """For each campaign present in ``df``: (campaign, row positions, true probabilities)."""
    if "campaign" not in df.columns:
        raise KeyError("frame lacks the 'campaign' column")
    campaigns = _campaigns(cfg)
    code = _codes(df["campaign"], [c.campaign_id for c in campaigns])
    if np.any(code < 0):
        bad = sorted(set(df["campaign"].to_numpy()[code < 0].tolist()))[:5]
        raise ValueError(f"rows for campaigns this config does not generate: {bad}")
    feats = _features(df, cfg)
    out: list[tuple[_Campaign, IntArray, FloatArray]] = []
    for ci, c in enumerate(campaigns):
        rows = np.flatnonzero(code == ci)
        if rows.size:
            out.append((c, rows, c.probabilities(*(f[rows] for f in feats))))
    return out


def bayes_error_by_campaign(df: pd.DataFrame, cfg: GeneratorConfig) -> dict[str, float]:
    """Per campaign present in ``df``: ``mean(1 - max_k p_k(x))`` over its rows.

    This is the expected error rate of the Bayes-optimal classifier (predict the most
    probable offer under the true model) on exactly these rows; campaigns without rows
    are omitted.
    """
    return {
        c.campaign_id: float(np.mean(1.0 - p.max(axis=1)))
        for c, _, p in _own_campaign_probabilities(df, cfg)
    }


def bayes_error(df: pd.DataFrame, cfg: GeneratorConfig) -> float:
    """Expected Bayes-optimal error over all rows of ``df`` (each for its own campaign)."""
    parts = _own_campaign_probabilities(df, cfg)
    total = sum(float(np.sum(1.0 - p.max(axis=1))) for _, _, p in parts)
    return total / len(df) if len(df) else float("nan")


def oracle_predict(df: pd.DataFrame, cfg: GeneratorConfig) -> npt.NDArray[np.object_]:
    """The Bayes-optimal prediction (most probable offer id) for every row of ``df``."""
    out = np.empty(len(df), dtype=object)
    for c, rows, p in _own_campaign_probabilities(df, cfg):
        out[rows] = np.asarray(c.offers, dtype=object)[p.argmax(axis=1)]
    return out


def oracle_error(events_df: pd.DataFrame, cfg: GeneratorConfig) -> float:
    """Share of events whose actual ``offer`` differs from :func:`oracle_predict`.

    The realised counterpart of :func:`bayes_error` on labelled rows: a trained model's
    hamming loss on a test split can be compared with this number on the same rows.
    """
    pred = oracle_predict(events_df, cfg)
    return float(np.mean(pred != events_df["offer"].to_numpy(dtype=object)))


def empirical_bayes_error(
    df: pd.DataFrame, cfg: GeneratorConfig, seed: int = 0, repeats: int = 1
) -> float:
    """Monte-Carlo check of :func:`bayes_error`: draw offers for ``df``'s rows from the
    true probabilities ``repeats`` times, predict the argmax, return the error rate.

    Its standard error is about ``sqrt(e (1 - e) / (len(df) * repeats))``.
    """
    rng = _rng(cfg.seed, _STREAM_EMPIRICAL, seed)
    wrong = 0
    for _, _, p in _own_campaign_probabilities(df, cfg):
        best = p.argmax(axis=1)
        u = rng.random((repeats, len(p)))
        drawn = (p.cumsum(axis=1)[None, :, :] < u[:, :, None]).sum(axis=2)
        drawn = np.minimum(drawn, p.shape[1] - 1)
        wrong += int(np.sum(drawn != best[None, :]))
    return wrong / (len(df) * repeats) if len(df) else float("nan")
