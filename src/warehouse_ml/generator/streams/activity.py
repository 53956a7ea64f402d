"""The browse process: entities and their bursty, outcome-free events (all but the last type).

Why bursty: an entity's recent activity should say more about its next day than its
average does, as in real product logs. So an entity's sessions per day are its latent
base rate (Gamma, long tail) times a per-(entity, day) Gamma multiplier with mean 1
(quiet days and busy days), and each session is a tight run of first-type events.
Later funnel types (e.g. ``add_to_cart``) follow an event of the type before them with a
per-entity probability and carry its ``amount`` (the item's price).

This process never looks at outcomes; the outcome events are drawn afterwards by
:mod:`~warehouse_ml.generator.streams.truth` from these events' windowed counts. Times
are int64 microseconds since ``cfg.start``; nothing loops per event.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

import numpy as np

from warehouse_ml.generator.config import FloatArray, IntArray
from warehouse_ml.generator.draws import _rng
from warehouse_ml.generator.streams.config import (
    _DAY_BURST_SHAPE,
    _FUNNEL_GAP_SECONDS,
    _FUNNEL_RATES,
    _PRICE_LOG_MEAN,
    _PRICE_LOG_SD_ENTITY,
    _PRICE_LOG_SD_ITEM,
    _SESSIONS_SHAPE,
    _STREAM_BOUNDARY,
    _STREAM_ENTITIES,
    _STREAM_FUNNEL,
    _STREAM_SESSIONS,
    _US_PER_DAY,
    _US_PER_SECOND,
    _VIEW_GAP_SECONDS,
    _VIEWS_PER_SESSION,
    COUNTRIES,
    EventStreamConfig,
)

_FUNNEL_CONCENTRATION = 4.0  # Beta(a + b = 4) spread of the per-entity funnel rates


@dataclasses.dataclass(frozen=True)
class _Entities:
    """Per-entity latent traits (index = entity number)."""

    country: IntArray  # index into COUNTRIES
    sessions_per_day: FloatArray  # latent base rate
    funnel_rates: FloatArray  # (n_entities, n_browse_types - 1)
    price_log_mean: FloatArray


@dataclasses.dataclass(frozen=True)
class _Browse:
    """Browse events sorted by (entity, time, type); ``amount_cents`` is exact."""

    entity: IntArray
    time: IntArray  # microseconds since cfg.start, in [0, span)
    type_code: IntArray  # index into cfg.event_types (never the outcome)
    amount_cents: IntArray


def entity_ids(n: int) -> list[str]:
    """``u0000000``, ``u0000001``, ...: fixed width (7 digits, more if needed) so ids sort."""
    width = max(7, len(str(n - 1)))
    return [f"u{i:0{width}d}" for i in range(n)]


def grid_us(cfg: EventStreamConfig) -> IntArray:
    """Prediction times in microseconds since ``cfg.start``: ``k * snapshot_every``."""
    return np.arange(cfg.n_grid, dtype=np.int64) * cfg.snapshot_every_us


@lru_cache(maxsize=4)
def _entities(cfg: EventStreamConfig) -> _Entities:
    """Draw every entity's country, base session rate, funnel rates and price level."""
    rng = _rng(cfg.seed, _STREAM_ENTITIES)
    n = cfg.n_entities
    shares = np.array([s for _, s, _ in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size=n, p=shares / shares.sum())
    rate = cfg.sessions_per_day * rng.gamma(_SESSIONS_SHAPE, 1.0 / _SESSIONS_SHAPE, size=n)
    n_steps = len(cfg.event_types) - 2  # funnel steps between browse types
    means = np.array(_FUNNEL_RATES[:n_steps])
    funnel = rng.beta(
        means * _FUNNEL_CONCENTRATION, (1.0 - means) * _FUNNEL_CONCENTRATION, size=(n, n_steps)
    )
    price = rng.normal(_PRICE_LOG_MEAN, _PRICE_LOG_SD_ENTITY, size=n)
    return _Entities(country.astype(np.int64), rate, funnel, price)


def _exp_us(rng: np.random.Generator, mean_seconds: float, n: int) -> IntArray:
    """Exponential delays in whole microseconds, at least 1 (events stay strictly ordered)."""
    return 1 + (rng.exponential(mean_seconds * _US_PER_SECOND, size=n)).astype(np.int64)


def _sessions(cfg: EventStreamConfig, ents: _Entities) -> _Browse:
    """First-type events: bursty sessions of a geometric number of events each."""
    rng = _rng(cfg.seed, _STREAM_SESSIONS)
    n, days = cfg.n_entities, cfg.days
    burst = rng.gamma(_DAY_BURST_SHAPE, 1.0 / _DAY_BURST_SHAPE, size=(n, days))
    per_day = rng.poisson(ents.sessions_per_day[:, None] * burst)
    cell = np.repeat(np.arange(n * days, dtype=np.int64), per_day.ravel())
    s_entity, s_day = cell // days, cell % days
    s_start = s_day * _US_PER_DAY + rng.integers(0, _US_PER_DAY, size=cell.size)
    n_views = rng.geometric(1.0 / _VIEWS_PER_SESSION, size=cell.size)
    session = np.repeat(np.arange(cell.size), n_views)
    first = np.cumsum(n_views) - n_views  # index of each session's first event
    gaps = _exp_us(rng, _VIEW_GAP_SECONDS, session.size)
    gaps[first] = 0
    elapsed = np.cumsum(gaps)
    time = s_start[session] + elapsed - elapsed[first][session]
    entity = s_entity[session]
    log_price = ents.price_log_mean[entity] + rng.normal(0.0, _PRICE_LOG_SD_ITEM, entity.size)
    cents = np.maximum(np.rint(np.exp(log_price) * 100.0), 1).astype(np.int64)
    return _Browse(entity, time, np.zeros(entity.size, dtype=np.int64), cents)


def _funnel(cfg: EventStreamConfig, ents: _Entities, views: _Browse) -> list[_Browse]:
    """Each later browse type follows an event of the type before it (same item, price)."""
    rng = _rng(cfg.seed, _STREAM_FUNNEL)
    levels = [views]
    for step in range(ents.funnel_rates.shape[1]):
        parent = levels[-1]
        keep = rng.random(parent.entity.size) < ents.funnel_rates[parent.entity, step]
        delay = _exp_us(rng, _FUNNEL_GAP_SECONDS, int(keep.sum()))
        levels.append(
            _Browse(
                parent.entity[keep],
                parent.time[keep] + delay,
                np.full(int(keep.sum()), step + 1, dtype=np.int64),
                parent.amount_cents[keep],
            )
        )
    return levels


def _window_edges(cfg: EventStreamConfig) -> IntArray:
    """Every ``t - w`` (w = 0 or a term's window) for grid times t, inside the span."""
    grid = grid_us(cfg)
    shifts = np.array([0, *(t.window_us for t in cfg.true_terms)], dtype=np.int64)
    edges = np.unique((grid[:, None] - shifts[None, :]).ravel())
    return edges[(edges >= 0) & (edges < cfg.span_us)]


def snap_to_edges(rng: np.random.Generator, time: IntArray, edges: IntArray, share: float) -> None:
    """Move about ``share`` of ``time`` (in place) onto the nearest of the sorted ``edges``.

    Real logs have such values (batch loads stamped on the hour, clients rounding to the
    second); here they make every half-open window and closed label window meet events
    exactly on its ends, so a pipeline with the wrong inclusiveness disagrees visibly.
    """
    chosen = np.flatnonzero(rng.random(time.size) < share)
    if chosen.size == 0 or edges.size == 0:
        return
    t = time[chosen]
    right = np.clip(np.searchsorted(edges, t), 0, edges.size - 1)
    left = np.clip(right - 1, 0, edges.size - 1)
    nearer_left = np.abs(t - edges[left]) <= np.abs(edges[right] - t)
    time[chosen] = np.where(nearer_left, edges[left], edges[right])


def _sorted(levels: list[_Browse], span_us: int) -> _Browse:
    """Concatenate levels, drop events past the span, sort by (entity, time, type)."""
    entity = np.concatenate([lv.entity for lv in levels])
    time = np.concatenate([lv.time for lv in levels])
    type_code = np.concatenate([lv.type_code for lv in levels])
    cents = np.concatenate([lv.amount_cents for lv in levels])
    inside = time < span_us
    entity, time, type_code, cents = entity[inside], time[inside], type_code[inside], cents[inside]
    order = np.lexsort((type_code, time, entity))
    return _Browse(entity[order], time[order], type_code[order], cents[order])


def browse_events(cfg: EventStreamConfig) -> tuple[_Entities, _Browse]:
    """The entities and all their browse events (no outcomes), sorted by entity and time."""
    ents = _entities(cfg)
    levels = _funnel(cfg, ents, _sessions(cfg, ents))
    edges = _window_edges(cfg)
    for level, lv in enumerate(levels):  # a few events of every type land on a window edge
        snap_to_edges(_rng(cfg.seed, _STREAM_BOUNDARY, level), lv.time, edges, cfg.boundary_share)
    return ents, _sorted(levels, cfg.span_us)
