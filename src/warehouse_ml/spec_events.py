"""Event-stream propensity specs: the ``events`` section and the fields derived from it.

A spec with ``events.source`` set predicts, for one entity at one moment ``t``,
whether an outcome event follows within a horizon (seeds 001 and 004). The
user writes the event log's staging model, the points, the outcome and the
windows; the generic fields every spec has (source, entity key, label,
features, split method, scoring) are derived here, so the model goes through
the same model layer as any other spec. The dbt macro
``_spec_events_expanded`` derives the same fields (a test holds the two
readers to the same JSON).

Feature columns are named by window and by rank (``type3_7d``: events of the
third most frequent type in ``[t - 7 days, t)``), never by data values, so the
names are known when dbt parses the project; which type is third is fitted on
the training period (``fit_event_type_ranks``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = [
    "DERIVED_FIELDS",
    "duration_seconds",
    "event_feature_columns",
    "expand_events",
    "group_rate_window",
    "window_label",
]

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_DURATION = re.compile(r"^([0-9]+) (second|minute|hour|day|week)s?$")

#: Fields an event spec must not write: they are derived from ``events``.
DERIVED_FIELDS = ("source", "entity_key", "group_key", "label")

#: What the derived fields are (the models under models/intermediate/events/).
EVENT_EXAMPLES = "int_event_examples"
EVENT_SCORING_POINTS = "int_event_scoring_points"


def duration_seconds(text: str) -> int:
    """``'7 days'`` -> 604800; the spec schema's ``duration`` type."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    return int(match.group(1)) * _UNITS[match.group(2)]


def window_label(seconds: int) -> str:
    """The short name of a window in feature names: ``7d``, ``1h``, ``15m``, ``30s``."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def group_rate_window(events: Mapping[str, Any]) -> int:
    """Seconds of look-back of the group rates: their own window or the longest look-back."""
    if events["group_rates"]["window"] is not None:
        return duration_seconds(events["group_rates"]["window"])
    reach = [duration_seconds(w) for w in events["windows"]] + [events["rolling_weeks"] * 604800]
    return max(reach)


def event_feature_columns(events: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The (numeric, categorical) feature columns of a validated ``events`` section."""
    top = range(1, events["top_event_types"] + 1)
    numeric: list[str] = []
    for window in events["windows"]:
        label = window_label(duration_seconds(window))
        numeric += [f"events_{label}", *(f"type{k}_{label}" for k in top)]
        for column in events["numeric"]:
            numeric += [f"{column}_sum_{label}", *(f"type{k}_{column}_sum_{label}" for k in top)]
    for week in range(1, events["rolling_weeks"] + 1):
        numeric += [f"events_week{week}", *(f"type{k}_week{week}" for k in top)]
    numeric.append("hours_since_last_event")
    rate_label = window_label(group_rate_window(events)) if events["group_rates"]["columns"] else ""
    numeric += [f"{column}_rate_{rate_label}" for column in events["group_rates"]["columns"]]
    categorical = [f"{edge}_{c}" for edge in ("last", "first") for c in events["categorical"]]
    if events["points"]["event_type"] is not None:
        categorical += [f"point_{column}" for column in events["categorical"]]
    return numeric, categorical


def _check_events(events: Mapping[str, Any], fail: Callable[[str], Exception]) -> None:
    points, outcome = events["points"], events["outcome"]
    if (points["event_type"] is None) == (points["every"] is None):
        raise fail(
            "field 'events.points' needs event_type (every event of a type)"
            " or every (snapshots), not both"
        )
    if points["active_within"] is not None and points["every"] is None:
        raise fail("field 'events.points.active_within' goes with events.points.every")
    if not outcome["event_types"] or outcome["horizon"] is None:
        raise fail("field 'events.outcome' needs event_types and horizon")
    durations = [points["every"], points["active_within"], outcome["horizon"], *events["windows"]]
    if any(d is not None and duration_seconds(d) == 0 for d in durations):
        raise fail(
            "field 'events': windows, horizon, every and active_within must be longer than 0"
        )
    if not events["windows"] and not events["rolling_weeks"]:
        raise fail("field 'events.windows' is empty and events.rolling_weeks is 0: no feature")
    labels = [window_label(duration_seconds(w)) for w in events["windows"]]
    if len(set(labels)) != len(labels):
        raise fail(f"field 'events.windows' lists the same window twice ({', '.join(labels)})")
    for name in ("rolling_weeks", "top_event_types"):
        if events[name] < 0:
            raise fail(f"field 'events.{name}' must not be negative")
    if events["entity_cap"] < 1:
        raise fail("field 'events.entity_cap' must be at least 1")
    _check_properties(events, fail)


def _check_properties(events: Mapping[str, Any], fail: Callable[[str], Exception]) -> None:
    """Outcome conditions and group rates name declared properties (and so reach SQL only as
    validated column names)."""
    outcome, rates = events["outcome"], events["group_rates"]
    uses = [
        ("outcome.where", list(outcome["where"]), "categorical"),
        ("outcome.at_least", list(outcome["at_least"]), "numeric"),
        ("group_rates.columns", rates["columns"], "categorical"),
    ]
    for field, columns, kind in uses:
        for column in columns:
            if column not in events[kind]:
                raise fail(
                    f"field 'events.{field}' names '{column}', which is not in events.{kind}"
                )
    for column, values in outcome["where"].items():
        if not values:
            raise fail(f"field 'events.outcome.where.{column}' must list at least one value")
    if len(set(rates["columns"])) != len(rates["columns"]):
        raise fail("field 'events.group_rates.columns' lists a column twice")
    if rates["window"] is not None and duration_seconds(rates["window"]) == 0:
        raise fail("field 'events.group_rates.window' must be longer than 0")
    if rates["prior_weight"] <= 0:
        raise fail("field 'events.group_rates.prior_weight' must be more than 0")


def expand_events(
    raw: Any,
    validate_events: Callable[[Any], dict[str, Any]],
    fail: Callable[[str], Exception],
) -> Any:
    """A raw spec with the fields its ``events`` section derives filled in.

    ``validate_events`` checks the raw section against the schema (defaults
    filled in). A spec without ``events.source`` is returned as it is.
    """
    if not isinstance(raw, Mapping) or not isinstance(raw.get("events"), Mapping):
        return raw
    if raw["events"].get("source") is None:
        return raw
    events = validate_events(raw["events"])
    _check_events(events, fail)
    for field in DERIVED_FIELDS:
        if raw.get(field) is not None:
            raise fail(f"field '{field}' is derived from events.source in an event spec; remove it")
    features = dict(raw.get("features") or {})
    for field in ("numeric", "categorical", "monitored", "upstream"):
        if features.get(field):
            raise fail(
                f"field 'features.{field}' is derived from events in an event spec; remove it"
            )
    split = dict(raw.get("split") or {})
    for field in ("method", "key", "seed", "time_column", "validation_from", "test_from"):
        if split.get(field) is not None:
            raise fail(
                f"field 'split.{field}': an event spec splits by point time"
                " (set only split.train_fraction and split.validation_fraction)"
            )
    scoring = dict(raw.get("scoring") or {})
    for field in ("source", "key"):
        if scoring.get(field) is not None:
            raise fail(
                f"field 'scoring.{field}' is derived from events in an event spec; remove it"
            )
    numeric, categorical = event_feature_columns(events)
    return {
        **raw,
        "source": EVENT_EXAMPLES,
        "entity_key": "point_id",
        "label": {"column": "label", "kind": "binary", "positive": "1"},
        "features": {**features, "numeric": numeric, "categorical": categorical},
        "split": {**split, "method": "time", "time_column": "point_time"},
        "scoring": {**scoring, "source": EVENT_SCORING_POINTS, "key": "point_id"},
    }
