"""The outcome process and its exact truth: prediction points, labels and the event log.

The truth, exactly. For entity ``e`` and grid time ``t`` (a *prediction point*)::

    x_i(e, t)  = measure_i of e's events of type_i with time in [t - window_i, t)
    logit(e, t) = intercept + country_coef[country(e)] + sum_i weight_i * log1p(x_i(e, t))
    p(e, t)     = 1 / (1 + exp(-logit(e, t)))
    label(e, t) = 1{u(e, t) < p(e, t)},   u(e, t) ~ Uniform(0, 1) independent of everything

(terms, intercept and coefficients from :class:`EventStreamConfig` and
:data:`COUNTRIES`). When ``label(e, t) = 1`` the log gets exactly one outcome event of
``e`` in ``(t, t + horizon]``; otherwise none. Outcome events exist nowhere else, and
label windows never overlap (``snapshot_every >= horizon``), so

    label(e, t) == "the log has an outcome event of e in (t, t + horizon]"

and, since ``p(e, t)`` is a function of the log before ``t`` while ``u(e, t)`` is
independent of it, ``P(label = 1 | everything logged before t) = p(e, t)`` exactly: it
is the Bayes-optimal prediction, and no feature set can beat it. Terms on the outcome
type (e.g. purchases in the last 7 days) read earlier points' outcome events, so the
points are drawn in time order, one vectorised step per grid time.

Where in ``(t, t + horizon]`` the outcome lands does not change the truth. For realism
it follows a random browse event of the entity inside the window (its item's amount,
after an exponential delay, capped at ``t + horizon``); with no browse event there it is
uniform in the window with a fresh price; ``boundary_share`` of them land exactly on
``t + horizon``, the closed end of the label window (and outside the next point's
half-open feature windows).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from warehouse_ml.generator.config import FloatArray, IntArray
from warehouse_ml.generator.draws import _rng, _uuid4_array
from warehouse_ml.generator.streams.activity import (
    _Browse,
    _Entities,
    browse_events,
    entity_ids,
    grid_us,
)
from warehouse_ml.generator.streams.config import (
    _OUTCOME_DELAY_SECONDS,
    _PRICE_LOG_SD_ITEM,
    _STREAM_IDS,
    _STREAM_OUTCOMES,
    _STREAM_PLACEMENT,
    _US_PER_SECOND,
    COUNTRIES,
    EVENT_LOG_COLUMNS,
    EventStreamConfig,
    WindowTerm,
    point_columns,
)

TIME_TYPE = pa.timestamp("us", tz="UTC")
_LARGE_STRING_ROWS = 20_000_000  # above this, 64-bit string offsets
_COUNTRY_NAMES = [c for c, _, _ in COUNTRIES]
_COUNTRY_COEFS = np.array([coef for _, _, coef in COUNTRIES])


@dataclasses.dataclass(frozen=True)
class EventStream:
    """A generated stream: the event log and the prediction points with their truth.

    ``events``: :data:`EVENT_LOG_COLUMNS`, sorted by (event_time, entity_id, funnel
    position). ``points``: one row per entity and grid time, sorted by (point_time,
    entity_id), with each true term's value (int64 counts, float64 amounts),
    ``true_logit``, ``true_probability`` and ``label`` (int8 0/1). Times are
    ``timestamp[us, tz=UTC]``.
    """

    events: pa.Table
    points: pa.Table


def _logit(
    intercept: float,
    country_coef: FloatArray,
    terms: Sequence[WindowTerm],
    values: Sequence[FloatArray],
) -> FloatArray:
    """The true logit; the one place it is computed (generation and scoring agree bitwise)."""
    out = intercept + country_coef
    for term, x in zip(terms, values, strict=True):
        out = out + term.weight * np.log1p(x)
    return out


def _sigmoid(z: FloatArray) -> FloatArray:
    return 1.0 / (1.0 + np.exp(-z))


def true_probability(frame: pd.DataFrame | pa.Table, cfg: EventStreamConfig) -> FloatArray:
    """The true ``p(e, t)`` for rows holding ``country`` and every term's column.

    Use it as the Bayes-optimal oracle on rows that went through a pipeline: if the
    pipeline's windowed features equal the generator's, its rows score exactly like the
    points table's ``true_probability``. Countries the generator never emits count 0.
    """
    if isinstance(frame, pa.Table):
        frame = frame.to_pandas()
    terms = cfg.true_terms
    missing = [c for c in ("country", *(t.name for t in terms)) if c not in frame.columns]
    if missing:
        raise KeyError(f"frame lacks columns {missing}")
    index = {name: i for i, name in enumerate(_COUNTRY_NAMES)}
    codes = frame["country"].map(index).fillna(-1).to_numpy(dtype=np.int64)
    coef = np.where(codes >= 0, _COUNTRY_COEFS[np.maximum(codes, 0)], 0.0)
    values = [frame[t.name].to_numpy(dtype=np.float64) for t in terms]
    return _sigmoid(_logit(cfg.intercept, coef, terms, values))


def _window_measure(
    browse: _Browse, type_code: int, term: WindowTerm, grid: IntArray, cfg: EventStreamConfig
) -> FloatArray:
    """``term`` over ``[t - w, t)`` for every (grid time, entity): shape (n_grid, n_entities).

    Entity-major keys ``entity * (span + 1) + time`` are sorted, so two ``searchsorted``
    calls bound every window at once; amounts sum exactly in integer cents.
    """
    stride = cfg.span_us + 1
    sel = browse.type_code == type_code
    keys = browse.entity[sel] * stride + browse.time[sel]
    base = np.arange(cfg.n_entities, dtype=np.int64)[None, :] * stride
    lo = np.searchsorted(keys, base + np.maximum(grid - term.window_us, 0)[:, None], "left")
    hi = np.searchsorted(keys, base + grid[:, None], "left")
    if term.measure == "count":
        return (hi - lo).astype(np.float64)
    csum = np.concatenate(([0], np.cumsum(browse.amount_cents[sel])))
    return (csum[hi] - csum[lo]) / 100.0


def _placement(
    cfg: EventStreamConfig, ents: _Entities, browse: _Browse, grid: IntArray
) -> tuple[IntArray, IntArray]:
    """Where each (grid time, entity)'s outcome lands if drawn: (time, cents), (n_grid, n)."""
    rng = _rng(cfg.seed, _STREAM_PLACEMENT)
    shape = (grid.size, cfg.n_entities)
    h = cfg.horizon_us
    stride = cfg.span_us + 1
    keys = browse.entity * stride + browse.time
    base = np.arange(cfg.n_entities, dtype=np.int64)[None, :] * stride
    t0, t1 = grid[:, None], (grid + h)[:, None]
    lo = np.searchsorted(keys, base + t0, "right")  # first browse event after t
    hi = np.searchsorted(keys, base + t1, "right")  # past the last one at or before t + h
    has = hi > lo
    pick = np.where(has, lo + np.floor(rng.random(shape) * (hi - lo)).astype(np.int64), 0)
    delay = rng.exponential(_OUTCOME_DELAY_SECONDS * _US_PER_SECOND, shape).astype(np.int64)
    uniform = t0 + 1 + np.floor(rng.random(shape) * h).astype(np.int64)  # in (t, t + h]
    log_price = ents.price_log_mean[None, :] + rng.normal(0.0, _PRICE_LOG_SD_ITEM, shape)
    cents = np.maximum(np.rint(np.exp(log_price) * 100.0), 1).astype(np.int64)
    if browse.time.size:
        time = np.where(has, np.minimum(browse.time[pick] + delay, t1), uniform)
        cents = np.where(has, browse.amount_cents[pick], cents)
    else:
        time = uniform
    on_edge = rng.random(shape) < cfg.boundary_share
    return np.where(on_edge, t1, np.minimum(time, t1)), cents


def _outcome_measure(
    term: WindowTerm,
    k: int,
    grid: IntArray,
    time: IntArray,
    cents: IntArray,
    label: npt.NDArray[np.bool_],
    cfg: EventStreamConfig,
) -> FloatArray:
    """``term`` at grid index ``k`` over the outcome events of the earlier points."""
    t = int(grid[k])
    # Only points whose label window (t_j, t_j + h] can reach [t - w, t) matter.
    first = max(0, k - (term.window_us + cfg.horizon_us) // cfg.snapshot_every_us - 1)
    tm = time[first:k]
    inside = label[first:k] & (tm >= t - term.window_us) & (tm < t)
    if term.measure == "count":
        return inside.sum(axis=0).astype(np.float64)
    return np.where(inside, cents[first:k], 0).sum(axis=0) / 100.0


@dataclasses.dataclass(frozen=True)
class _Draw:
    """Everything drawn, arrays of shape (n_grid, n_entities) except entities and browse."""

    ents: _Entities
    browse: _Browse
    values: dict[str, FloatArray]
    logit: FloatArray
    prob: FloatArray
    label: npt.NDArray[np.bool_]
    time: IntArray
    cents: IntArray


def _draw(cfg: EventStreamConfig) -> _Draw:
    """Browse events, then every point's terms, probability and label in time order."""
    ents, browse = browse_events(cfg)
    grid = grid_us(cfg)
    terms = cfg.true_terms
    code = {name: i for i, name in enumerate(cfg.event_types)}
    shape = (grid.size, cfg.n_entities)
    values: dict[str, FloatArray] = {
        t.name: (
            np.zeros(shape)
            if t.event_type == cfg.outcome_type
            else _window_measure(browse, code[t.event_type], t, grid, cfg)
        )
        for t in terms
    }
    time, cents = _placement(cfg, ents, browse, grid)
    u = _rng(cfg.seed, _STREAM_OUTCOMES).random(shape)
    country_coef = _COUNTRY_COEFS[ents.country]
    logit, prob = np.empty(shape), np.empty(shape)
    label = np.zeros(shape, dtype=bool)
    outcome_terms = [t for t in terms if t.event_type == cfg.outcome_type]
    # Earlier labels feed later points only through outcome terms: then one step per
    # grid time (vectorised over entities), else all points at once.
    steps: list[int | slice] = list(range(grid.size)) if outcome_terms else [slice(None)]
    for k in steps:
        if isinstance(k, int):
            for term in outcome_terms:
                values[term.name][k] = _outcome_measure(term, k, grid, time, cents, label, cfg)
        logit[k] = _logit(cfg.intercept, country_coef, terms, [values[t.name][k] for t in terms])
        prob[k] = _sigmoid(logit[k])
        label[k] = u[k] < prob[k]
    return _Draw(ents, browse, values, logit, prob, label, time, cents)


def _start_us(cfg: EventStreamConfig) -> int:
    """``cfg.start`` in microseconds since the Unix epoch."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (cfg.start - epoch) // dt.timedelta(microseconds=1)


def _points_table(cfg: EventStreamConfig, d: _Draw, ids: pa.Array) -> pa.Table:
    """Points in (time, entity) order: the (n_grid, n_entities) arrays flattened."""
    k, n = d.logit.shape
    entity = np.tile(np.arange(n, dtype=np.int64), k)
    cols: dict[str, pa.Array] = {
        "entity_id": ids.take(pa.array(entity)),
        "point_time": pa.array(np.repeat(grid_us(cfg) + _start_us(cfg), n)).cast(TIME_TYPE),
        "country": pa.array(_COUNTRY_NAMES).take(pa.array(d.ents.country[entity])),
    }
    for term in cfg.true_terms:
        v = d.values[term.name].ravel()
        cols[term.name] = pa.array(v.astype(np.int64) if term.measure == "count" else v)
    cols["true_logit"] = pa.array(d.logit.ravel())
    cols["true_probability"] = pa.array(d.prob.ravel())
    cols["label"] = pa.array(d.label.ravel().astype(np.int8))
    return pa.table({c: cols[c] for c in point_columns(cfg)})


def _events_table(cfg: EventStreamConfig, d: _Draw, ids: pa.Array) -> pa.Table:
    """Browse and outcome events together, sorted by (time, entity, funnel position)."""
    b = d.browse
    n_out = int(d.label.sum())
    entity = np.concatenate([b.entity, np.nonzero(d.label)[1].astype(np.int64)])
    t = np.concatenate([b.time, d.time[d.label]])
    outcome_code = len(cfg.event_types) - 1
    type_code = np.concatenate([b.type_code, np.full(n_out, outcome_code, dtype=np.int64)])
    cents = np.concatenate([b.amount_cents, d.cents[d.label]])
    order = np.lexsort((type_code, entity, t))
    entity, t, type_code, cents = entity[order], t[order], type_code[order], cents[order]
    string = pa.large_string() if entity.size > _LARGE_STRING_ROWS else pa.string()
    cols = {
        "event_id": _uuid4_array(_rng(cfg.seed, _STREAM_IDS), entity.size, string),
        "entity_id": ids.take(pa.array(entity)),
        "event_time": pa.array(t + _start_us(cfg)).cast(TIME_TYPE),
        "event_type": pa.array(list(cfg.event_types)).take(pa.array(type_code)),
        "country": pa.array(_COUNTRY_NAMES).take(pa.array(d.ents.country[entity])),
        "amount": pa.array(cents / 100.0),
    }
    return pa.table({c: cols[c] for c in EVENT_LOG_COLUMNS})


def generate_stream(cfg: EventStreamConfig) -> EventStream:
    """Generate the event log and the prediction points (with their exact truth).

    Deterministic: the same config gives identical tables. Changing ``n_entities`` or
    ``days`` redraws everything (streams are per seed, not per entity).
    """
    d = _draw(cfg)
    ids = pa.array(entity_ids(cfg.n_entities))
    return EventStream(events=_events_table(cfg, d, ids), points=_points_table(cfg, d, ids))


def describe_truth(cfg: EventStreamConfig) -> dict[str, object]:
    """The true model as JSON-ready data (written to ``stream_meta.json``)."""
    return {
        "formula": "p = 1 / (1 + exp(-(intercept + country_coef[country] "
        "+ sum(weight * log1p(value)))))",
        "intercept": cfg.intercept,
        "country_coef": dict(zip(_COUNTRY_NAMES, _COUNTRY_COEFS.tolist(), strict=True)),
        "terms": [
            {
                "column": t.name,
                "event_type": t.event_type,
                "measure": t.measure,
                "window": _iso_duration(t.window),
                "window_interval": "[t - window, t)",
                "weight": t.weight,
            }
            for t in cfg.true_terms
        ],
        "label": f"an event of type {cfg.outcome_type!r} in (t, t + horizon]",
    }


def _iso_duration(d: dt.timedelta) -> str:
    """ISO 8601 duration in seconds, e.g. ``PT3600S``."""
    seconds = d.total_seconds()
    return f"PT{int(seconds)}S" if seconds == int(seconds) else f"PT{seconds}S"
