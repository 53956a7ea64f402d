"""Event-stream propensity specs: the events section and the fields derived from it.

tests/pipeline/test_spec_readers.py holds dbt's reader to the same results
(the repository's purchase_propensity spec and the refusals below).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_spec import write_spec

from warehouse_ml.registry import TrainingSettings
from warehouse_ml.spec import SpecError, load_spec_file
from warehouse_ml.spec_events import duration_seconds, event_feature_columns, window_label

EVENTS = {
    "name": "buys",
    "events": {
        "source": "stg_events__shop",
        "points": {"every": "7 days", "active_within": "28 days"},
        "outcome": {"event_types": ["purchase"], "horizon": "30 days"},
        "windows": ["15 minutes", "1 day"],
        "rolling_weeks": 2,
        "top_event_types": 2,
        "categorical": ["country"],
        "numeric": ["amount"],
    },
    "training": {"refit_on_validation": False, "imbalance": "scale_pos_weight"},
    "calibration": "isotonic",
}


def test_durations_and_window_names() -> None:
    assert duration_seconds("15 minutes") == 900
    assert duration_seconds("1 week") == duration_seconds("7 days") == 604800
    assert [window_label(s) for s in (900, 3600, 86400, 604800, 45)] == [
        "15m",
        "1h",
        "1d",
        "7d",
        "45s",
    ]
    with pytest.raises(ValueError):
        duration_seconds("-1 hour")


def test_an_event_spec_derives_the_generic_fields(tmp_path: Path) -> None:
    spec = load_spec_file(write_spec(tmp_path, EVENTS), root=tmp_path)
    assert spec["source"] == "int_event_examples"
    assert spec["entity_key"] == "point_id"
    assert spec["label"] == {"column": "label", "kind": "binary", "positive": "1"}
    assert spec["split"]["method"] == "time" and spec["split"]["time_column"] == "point_time"
    assert spec["scoring"]["source"] == "int_event_scoring_points"
    assert spec["features"]["numeric"] == [
        "events_15m", "type1_15m", "type2_15m",
        "amount_sum_15m", "type1_amount_sum_15m", "type2_amount_sum_15m",
        "events_1d", "type1_1d", "type2_1d",
        "amount_sum_1d", "type1_amount_sum_1d", "type2_amount_sum_1d",
        "events_week1", "type1_week1", "type2_week1",
        "events_week2", "type1_week2", "type2_week2",
        "hours_since_last_event",
    ]  # fmt: skip
    assert spec["features"]["categorical"] == ["last_country", "first_country"]
    settings = TrainingSettings.from_spec(spec)
    assert (settings.calibration, settings.imbalance) == ("isotonic", "scale_pos_weight")


def test_event_points_add_the_point_event_properties(tmp_path: Path) -> None:
    events = {**EVENTS["events"], "points": {"event_type": "impression"}}
    _, categorical = event_feature_columns(
        load_spec_file(write_spec(tmp_path, {**EVENTS, "events": events}), root=tmp_path)["events"]
    )
    assert categorical == ["last_country", "first_country", "point_country"]


def test_group_rates_are_named_by_column_and_window(tmp_path: Path) -> None:
    rates = {"columns": ["country"]}
    spec = load_spec_file(write_spec(tmp_path, with_events(group_rates=rates)), root=tmp_path)
    # The default window is the longest look-back: two rolling weeks here.
    assert spec["features"]["numeric"][-1] == "country_rate_14d"
    spec = with_events(group_rates={**rates, "window": "1 hour"})
    assert load_spec_file(write_spec(tmp_path, spec), root=tmp_path)["features"]["numeric"][
        -2:
    ] == ["hours_since_last_event", "country_rate_1h"]


OUTCOME = EVENTS["events"]["outcome"]


def with_events(**changes) -> dict:
    return {**EVENTS, "events": {**EVENTS["events"], **changes}}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        # A window that would reach past t cannot be written: windows look back only.
        (with_events(windows=["-1 hour"]), "field 'events.windows[0]' must be a duration"),
        (with_events(leakage_offset="-5 minutes"), "field 'events.leakage_offset' must be a"),
        (with_events(windows=["0 hours"]), "must be longer than 0"),
        (with_events(windows=["1 day", "24 hours"]), "lists the same window twice"),
        (with_events(points={"every": "1 day", "event_type": "view"}), "not both"),
        (with_events(points={}), "needs event_type"),
        (with_events(points={"event_type": "v", "active_within": "1 day"}), "goes with"),
        (with_events(outcome={"event_types": ["purchase"]}), "needs event_types and horizon"),
        (with_events(top_event_types=-1), "must not be negative"),
        (with_events(entity_cap=0), "at least 1"),
        (with_events(windows=[], rolling_weeks=0), "no feature"),
        (with_events(colour="red"), "unknown field 'events.colour'"),
        (with_events(group_rates={"columns": ["city"]}), "names 'city', which is not in"),
        (with_events(group_rates={"columns": ["country"], "prior_weight": 0}), "more than 0"),
        (with_events(outcome={**OUTCOME, "where": {"amount": ["1"]}}), "not in events.categorical"),
        (with_events(outcome={**OUTCOME, "where": {"country": []}}), "at least one value"),
        (with_events(outcome={**OUTCOME, "at_least": {"country": 5}}), "not in events.numeric"),
        (with_events(outcome={**OUTCOME, "at_least": {"amount": "x"}}), "must be a number"),
        ({**EVENTS, "label": {"column": "x", "kind": "binary", "positive": "1"}}, "'label'"),
        ({**EVENTS, "features": {"numeric": ["x"]}}, "'features.numeric' is derived"),
        ({**EVENTS, "split": {"method": "hash"}}, "splits by point time"),
        ({**EVENTS, "scoring": {"source": "x", "key": "y"}}, "'scoring.source' is derived"),
        ({**EVENTS, "training": {"refit_on_validation": True}}, "refit_on_validation: false"),
    ],
)
def test_a_bad_event_spec_names_the_file_and_the_field(
    tmp_path: Path, spec: dict, message: str
) -> None:
    with pytest.raises(SpecError) as err:
        load_spec_file(write_spec(tmp_path, spec), root=tmp_path)
    assert "model_specs/buys.sql" in str(err.value) and message in str(err.value)


def test_imbalance_needs_a_binary_label(tmp_path: Path) -> None:
    spec = {
        "name": "multi",
        "source": "stg_events",
        "entity_key": "event_id",
        "label": {"column": "offer", "kind": "multiclass"},
        "features": {"numeric": ["age"]},
        "training": {"imbalance": "max_delta_step"},
    }
    with pytest.raises(SpecError, match=r"'training\.imbalance' needs a binary label"):
        load_spec_file(write_spec(tmp_path, spec), root=tmp_path)
