"""What an event stream looks like: its columns, :class:`EventStreamConfig` and the true model.

The true model is data, not code: an intercept, one coefficient per country and a tuple
of :class:`WindowTerm` (an event type, a half-open look-back window ``[t - w, t)``, a
measure and a weight). :mod:`~warehouse_ml.generator.streams.truth` evaluates exactly
these terms, the points table carries each term's value in a column named by
:attr:`WindowTerm.name`, and ``stream_meta.json`` records them, so a reader can rebuild
the truth from the written files alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Literal

EVENT_LOG_COLUMNS: tuple[str, ...] = (
    "event_id",
    "entity_id",
    "event_time",
    "event_type",
    "country",
    "amount",
)
"""Event-log fields: UUID, entity, UTC time (microseconds), type, entity's country, amount."""

POINT_KEY_COLUMNS: tuple[str, ...] = ("entity_id", "point_time", "country")
"""The first columns of the points table; the term columns, ``true_logit``,
``true_probability`` and ``label`` follow (see :func:`point_columns`)."""

Measure = Literal["count", "amount"]
MEASURES: tuple[str, ...] = ("count", "amount")

_US_PER_SECOND = 1_000_000
_US_PER_DAY = 86_400 * _US_PER_SECOND

# Independent random streams of one seed (kept apart from the conversion generator's ids).
_STREAM_ENTITIES = 100
_STREAM_SESSIONS = 101
_STREAM_FUNNEL = 102
_STREAM_BOUNDARY = 103
_STREAM_OUTCOMES = 104
_STREAM_PLACEMENT = 105
_STREAM_IDS = 106

# Browse process (see activity.py). Means, so a reader can estimate a sample's size:
# events per entity-day ~ sessions * views * (1 + funnel rates) ~ 4.6 with the defaults.
_SESSIONS_SHAPE = 0.7  # Gamma shape of the entities' base session rates (long tail)
_DAY_BURST_SHAPE = 0.5  # Gamma shape (mean 1) of the per-(entity, day) activity multiplier
_VIEWS_PER_SESSION = 4.0  # geometric mean of first-type events in a session
_VIEW_GAP_SECONDS = 45.0  # mean gap between consecutive first-type events of a session
_FUNNEL_GAP_SECONDS = 20.0  # mean delay of a funnel event after the event it follows
_FUNNEL_RATES = (0.12, 0.35)  # mean per-entity rate: type i+1 follows a type-i event
_PRICE_LOG_MEAN = 3.4  # log of a typical item price (~30)
_PRICE_LOG_SD_ENTITY = 0.6
_PRICE_LOG_SD_ITEM = 0.5
_OUTCOME_DELAY_SECONDS = 120.0  # mean delay of an outcome after the browse event it follows

# (country, share of entities, coefficient in the true logit): a few large countries and
# a long tail; two rare countries carry strong effects (a min_frequency trap).
COUNTRIES: tuple[tuple[str, float, float], ...] = (
    ("US", 0.27, 0.0),
    ("IN", 0.13, -0.55),
    ("GB", 0.09, 0.25),
    ("DE", 0.08, 0.15),
    ("BR", 0.07, -0.35),
    ("FR", 0.06, 0.05),
    ("JP", 0.05, 0.35),
    ("CA", 0.04, 0.1),
    ("MX", 0.035, -0.25),
    ("PL", 0.03, -0.1),
    ("NL", 0.025, 0.2),
    ("ES", 0.02, -0.05),
    ("IT", 0.02, 0.0),
    ("SE", 0.015, 0.2),
    ("KR", 0.015, 0.3),
    ("TR", 0.012, -0.3),
    ("AU", 0.012, 0.15),
    ("ID", 0.01, -0.4),
    ("NG", 0.008, -0.5),
    ("VN", 0.008, -0.3),
    ("AR", 0.007, -0.2),
    ("ZA", 0.006, -0.1),
    ("IE", 0.005, 0.2),
    ("NZ", 0.004, 0.1),
    ("CL", 0.004, -0.15),
    ("LU", 0.002, 1.0),
    ("IS", 0.002, -1.0),
    ("MT", 0.001, 0.0),
)


@dataclasses.dataclass(frozen=True)
class WindowTerm:
    """One term of the true logit: ``weight * log1p(measure of event_type in [t - window, t))``.

    ``measure`` is ``"count"`` (number of events) or ``"amount"`` (sum of their
    ``amount``). The window is half-open: an event exactly at ``t`` is *not* in it, one
    exactly at ``t - window`` is. ``log1p`` keeps a burst of 50 views from dominating.
    """

    event_type: str
    window: dt.timedelta
    measure: Measure
    weight: float

    def __post_init__(self) -> None:
        """Reject windows and measures the generator cannot evaluate."""
        if self.measure not in MEASURES:
            raise ValueError(f"measure must be one of {MEASURES}, not {self.measure!r}")
        if self.window <= dt.timedelta(0) or self.window % dt.timedelta(microseconds=1):
            raise ValueError("window must be a positive whole number of microseconds")

    @property
    def name(self) -> str:
        """Column name of the term's value in the points table, e.g. ``view_count_1h``."""
        return f"{self.event_type}_{self.measure}_{_duration_name(self.window)}"

    @property
    def window_us(self) -> int:
        """The window in microseconds."""
        return self.window // dt.timedelta(microseconds=1)


def _duration_name(d: dt.timedelta) -> str:
    """``1d``, ``7d``, ``1h``, ``30m``, ``45s`` or ``1500000us``: the largest whole unit."""
    us = d // dt.timedelta(microseconds=1)
    for unit, size in (("d", _US_PER_DAY), ("h", 3_600_000_000), ("m", 60_000_000)):
        if us % size == 0:
            return f"{us // size}{unit}"
    return f"{us // _US_PER_SECOND}s" if us % _US_PER_SECOND == 0 else f"{us}us"


def default_terms(event_types: tuple[str, ...]) -> tuple[WindowTerm, ...]:
    """The true model's terms for a funnel ``event_types`` (last type = the outcome).

    By position: first type in the last hour (+, intent right now) and last 7 days
    (+, engagement); second type, if any, in the last day: count (+) and amount (-,
    dear baskets convert less); outcome in the last 7 days (-, just bought).
    """
    first, outcome = event_types[0], event_types[-1]
    hour, day, week = dt.timedelta(hours=1), dt.timedelta(days=1), dt.timedelta(days=7)
    terms = [WindowTerm(first, hour, "count", 1.0), WindowTerm(first, week, "count", 0.3)]
    if len(event_types) > 2:
        second = event_types[1]
        terms += [WindowTerm(second, day, "count", 1.3), WindowTerm(second, day, "amount", -0.2)]
    terms.append(WindowTerm(outcome, week, "count", -0.8))
    return tuple(terms)


@dataclasses.dataclass(frozen=True)
class EventStreamConfig:
    """Size, seed, clock and true model of a generated event stream.

    The log spans ``[start, start + days)``. Prediction points lie on the grid
    ``start + k * snapshot_every`` (``k = 0, 1, ...`` while ``t + horizon < start +
    days``), one per entity and grid time; the label of a point is "an event of type
    ``event_types[-1]`` (the outcome) in ``(t, t + horizon]``". ``snapshot_every`` must
    be at least ``horizon`` so label windows never overlap (see
    :mod:`~warehouse_ml.generator.streams.truth` for why that makes the truth exact).

    ``event_types`` is a funnel: the first type arrives in bursty sessions, each later
    browse type follows an event of the type before it with a per-entity probability,
    and the last type is the outcome, generated only by the true model. ``terms=None``
    means :func:`default_terms`. ``boundary_share`` of the browse events (and of the
    outcomes) are logged exactly on a window edge, so that inclusive-vs-exclusive
    mistakes change features and labels instead of passing unnoticed.

    About 4.6 events per entity-day with the defaults: 7,000 entities over 30 days give
    roughly one million events.
    """

    n_entities: int = 2_000
    days: int = 28
    seed: int = 13
    start: dt.datetime = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    horizon: dt.timedelta = dt.timedelta(days=1)
    snapshot_every: dt.timedelta = dt.timedelta(days=1)
    event_types: tuple[str, ...] = ("view", "add_to_cart", "purchase")
    terms: tuple[WindowTerm, ...] | None = None
    intercept: float = -3.5
    sessions_per_day: float = 1.0
    boundary_share: float = 0.003

    def __post_init__(self) -> None:
        """Reject sizes, clocks and models the generator cannot honour."""
        if self.n_entities < 1 or self.days < 1:
            raise ValueError("n_entities and days must be >= 1")
        if self.seed < 0:
            raise ValueError("seed must be >= 0")
        if self.start.tzinfo is None or self.start.utcoffset() != dt.timedelta(0):
            raise ValueError("start must be a UTC datetime (tzinfo=datetime.UTC)")
        one_us = dt.timedelta(microseconds=1)
        if self.horizon <= dt.timedelta(0) or self.horizon % one_us:
            raise ValueError("horizon must be a positive whole number of microseconds")
        if self.snapshot_every < self.horizon or self.snapshot_every % one_us:
            raise ValueError("snapshot_every must be >= horizon (label windows must not overlap)")
        if self.horizon >= dt.timedelta(days=self.days):
            raise ValueError("horizon must fit in the span (days)")
        if len(self.event_types) < 2 or len(set(self.event_types)) != len(self.event_types):
            raise ValueError("event_types needs >= 2 distinct names (browse types, then outcome)")
        if len(self.event_types) - 2 > len(_FUNNEL_RATES):
            raise ValueError(f"at most {len(_FUNNEL_RATES) + 2} event types")
        unknown = {t.event_type for t in self.true_terms} - set(self.event_types)
        if unknown:
            raise ValueError(f"terms name unknown event types {sorted(unknown)}")
        if len({t.name for t in self.true_terms}) != len(self.true_terms):
            raise ValueError("two terms share a column name")
        if self.sessions_per_day <= 0:
            raise ValueError("sessions_per_day must be > 0")
        if not 0.0 <= self.boundary_share <= 0.5:
            raise ValueError("boundary_share must be within [0, 0.5]")
        # Entity-major int64 sort keys (entity * span + time) must not overflow.
        if self.n_entities * (self.span_us + 1) >= 2**62:
            raise ValueError("n_entities * days too large for int64 time keys")

    @property
    def true_terms(self) -> tuple[WindowTerm, ...]:
        """The terms of the true logit (``terms`` or :func:`default_terms`)."""
        return self.terms if self.terms is not None else default_terms(self.event_types)

    @property
    def outcome_type(self) -> str:
        """The event type whose occurrence in ``(t, t + horizon]`` is the label."""
        return self.event_types[-1]

    @property
    def span_us(self) -> int:
        """Length of the log in microseconds."""
        return self.days * _US_PER_DAY

    @property
    def horizon_us(self) -> int:
        """The horizon in microseconds."""
        return self.horizon // dt.timedelta(microseconds=1)

    @property
    def snapshot_every_us(self) -> int:
        """The grid step in microseconds."""
        return self.snapshot_every // dt.timedelta(microseconds=1)

    @property
    def n_grid(self) -> int:
        """Number of grid times: ``k * snapshot_every + horizon < span``.

        Strictly less: an outcome may sit exactly on ``t + horizon``, and the log is the
        half-open ``[start, start + days)``.
        """
        return (self.span_us - self.horizon_us - 1) // self.snapshot_every_us + 1


def point_columns(cfg: EventStreamConfig) -> tuple[str, ...]:
    """All columns of the points table, in order."""
    return (
        *POINT_KEY_COLUMNS,
        *(t.name for t in cfg.true_terms),
        "true_logit",
        "true_probability",
        "label",
    )
