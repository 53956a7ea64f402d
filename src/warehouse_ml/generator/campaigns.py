"""Campaigns and the true offer model: per-campaign softmax effects, calibrated temperature.

Each campaign is seeded on its own stream, so campaign ``k`` does not change with the
number of campaigns generated; its temperature is calibrated so the Bayes error of the
unshifted users hits a per-campaign target.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np

from warehouse_ml.generator.config import (
    _CALIBRATION_USERS,
    _STREAM_CALIBRATION,
    _STREAM_CAMPAIGN,
    _TARGET_BAYES_ERROR,
    FloatArray,
    GeneratorConfig,
    IntArray,
)
from warehouse_ml.generator.draws import _rng, _uuid4_strings
from warehouse_ml.generator.world import _draw_users, _user_model, _Users, _world


@dataclasses.dataclass(frozen=True)
class _Campaign:
    """One campaign's offers and its true softmax model over user features.

    ``logit_k(x) = T * (bias_k + country_k + os_k + browser_k + dtype_k + loc_k(lat, long))``
    where ``loc_k`` is a sum of a few seeded cosine waves over (lat, long), so location
    matters within a country too. Effect tables carry one extra zero row for values the
    generator never emits (index -1). ``T`` is calibrated so the Bayes error of the
    unshifted user distribution equals ``target_error``.
    """

    campaign_id: str
    offers: tuple[str, ...]
    share: float
    bias: FloatArray
    country_eff: FloatArray
    os_eff: FloatArray
    browser_eff: FloatArray
    dtype_eff: FloatArray
    loc_freq: FloatArray  # (J, 2) radians per degree for (lat, long)
    loc_phase: FloatArray  # (J,)
    loc_coef: FloatArray  # (J, K)
    temperature: float
    target_error: float

    def raw_logits(
        self,
        country: IntArray,
        os_: IntArray,
        browser: IntArray,
        dtype: IntArray,
        lat: FloatArray,
        long: FloatArray,
    ) -> FloatArray:
        """Untempered logits, shape (n, K); unknown codes are -1, NaN coords add nothing."""
        waves = np.cos(
            np.outer(lat, self.loc_freq[:, 0])
            + np.outer(long, self.loc_freq[:, 1])
            + self.loc_phase
        )
        loc = np.einsum("nj,jk->nk", waves, self.loc_coef)  # faster than BLAS at this shape
        unknown = ~(np.isfinite(lat) & np.isfinite(long))
        if unknown.any():
            loc[unknown] = 0.0
        return (
            self.bias
            + self.country_eff[country]
            + self.os_eff[os_]
            + self.browser_eff[browser]
            + self.dtype_eff[dtype]
            + loc
        )

    def probabilities(self, *features: IntArray | FloatArray) -> FloatArray:
        """True P(offer | features), shape (n, K), rows summing to 1; ``features`` are
        :meth:`raw_logits`'s arguments, in its order."""
        return _softmax(self.temperature * self.raw_logits(*features))


def _softmax(z: FloatArray) -> FloatArray:
    """Row-wise softmax, numerically stable."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _bayes_error_of_logits(z: FloatArray, temperature: float) -> float:
    """Mean of ``1 - max_k softmax(T z)_k``."""
    p = _softmax(temperature * z)
    return float(np.mean(1.0 - p.max(axis=1)))


@lru_cache(maxsize=4)
def _calibration_users(seed: int) -> _Users:
    """A fixed, unshifted user sample used only to calibrate campaign temperatures."""
    return _draw_users(_user_model(seed, 0.0), _CALIBRATION_USERS, _rng(seed, _STREAM_CALIBRATION))


@lru_cache(maxsize=256)
def _campaign(seed: int, index: int) -> _Campaign:
    """Campaign ``index`` of a seed; independent of how many campaigns are generated."""
    world = _world(seed)
    rng = _rng(seed, _STREAM_CAMPAIGN, index)
    campaign_id = _uuid4_strings(rng, 1)[0]
    k = 2 if index == 0 else int(rng.choice([2, 3, 4, 5], p=[0.15, 0.35, 0.3, 0.2]))
    offers = tuple(_uuid4_strings(rng, k))
    share = float(np.exp(rng.normal(0.0, 0.25)) / (1.0 + index) ** 0.6)

    def effects(n_values: int, scale: float) -> FloatArray:
        table = rng.normal(0.0, scale, size=(n_values + 1, k))
        table[-1] = 0.0  # unknown value
        return table

    bias = rng.normal(0.0, 0.6, size=k)
    country_eff = effects(len(world.countries), 1.0)
    os_eff = effects(len(world.oses), 0.6)
    browser_eff = effects(len(world.browsers), 0.8)
    dtype_eff = effects(len(world.dtypes), 0.5)
    n_waves = 6
    wavelength = np.where(np.arange(n_waves) < 3, 20.0, 6.0)  # degrees: regional + local
    loc_freq = rng.normal(size=(n_waves, 2)) * (2.0 * np.pi / wavelength)[:, None]
    loc_phase = rng.uniform(0.0, 2.0 * np.pi, size=n_waves)
    loc_coef = rng.normal(0.0, 0.9 * np.sqrt(2.0 / n_waves), size=(n_waves, k))
    target = float(rng.uniform(*_TARGET_BAYES_ERROR))

    draft = _Campaign(
        campaign_id=campaign_id,
        offers=offers,
        share=share,
        bias=bias,
        country_eff=country_eff,
        os_eff=os_eff,
        browser_eff=browser_eff,
        dtype_eff=dtype_eff,
        loc_freq=loc_freq,
        loc_phase=loc_phase,
        loc_coef=loc_coef,
        temperature=1.0,
        target_error=target,
    )
    users = _calibration_users(seed)
    z = draft.raw_logits(users.country, users.os, users.browser, users.dtype, users.lat, users.long)
    lo, hi = np.log(1e-3), np.log(1e3)  # error decreases monotonically in T
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _bayes_error_of_logits(z, float(np.exp(mid))) > target:
            lo = mid
        else:
            hi = mid
    return dataclasses.replace(draft, temperature=float(np.exp(0.5 * (lo + hi))))


def _campaigns(cfg: GeneratorConfig) -> tuple[_Campaign, ...]:
    """The config's campaigns, in order."""
    return tuple(_campaign(cfg.seed, i) for i in range(cfg.n_campaigns))


def campaign_offers(cfg: GeneratorConfig) -> dict[str, tuple[str, ...]]:
    """Campaign id → its offer ids, in class-index order (as in probability arrays)."""
    return {c.campaign_id: c.offers for c in _campaigns(cfg)}


def _campaign_codes(cfg: GeneratorConfig, n: int, rng: np.random.Generator) -> IntArray:
    """Each row's campaign index, drawn from the campaigns' traffic shares."""
    shares = np.array([c.share for c in _campaigns(cfg)])
    return np.searchsorted(np.cumsum(shares / shares.sum()), rng.random(n), side="right").clip(
        0, cfg.n_campaigns - 1
    )
