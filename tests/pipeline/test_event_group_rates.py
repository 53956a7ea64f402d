"""Group rates and outcome conditions on a hand-written click log (seed 001 style).

Each impression is a point; a click of at least 5 (amount) within 15 minutes
is its outcome. item_rate_1h is the past click-through rate of the
impression's item: clicks over impressions of that item in [t - 1 hour, t),
smoothed toward all items' rate with prior_weight 2. Every expected value is
worked out by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import Warehouse, event_spec_warehouse

from warehouse_ml.spec import load_spec_file

pytestmark = pytest.mark.dbt

SPEC = {
    "name": "click_edge",
    "events": {
        "source": "stg_events__stream",
        "points": {"event_type": "impression"},
        "outcome": {"event_types": ["click"], "horizon": "15 minutes", "at_least": {"amount": 5}},
        "windows": ["1 hour"],
        "top_event_types": 1,
        "categorical": ["country"],
        "numeric": ["amount"],
        "group_rates": {"columns": ["country"], "prior_weight": 2},
    },
    "split": {"train_fraction": 0.9, "validation_fraction": 0.05},
    "training": {"refit_on_validation": False},
}


def event(n: int, entity: str, clock: str, kind: str, item: str, amount: float = 0.0) -> dict:
    # `country` carries the item: the stream's staging model maps that property.
    return {
        "event_id": f"e{n}",
        "entity_id": entity,
        "event_time": f"2026-01-01T{clock}Z",
        "event_type": kind,
        "country": item,
        "amount": amount,
    }


EVENTS = [
    event(1, "u1", "10:00:00", "impression", "A"),
    event(2, "u1", "10:00:01", "click", "A", 10.0),  # an outcome of e1
    event(3, "u2", "10:10:00", "impression", "A"),
    event(4, "u3", "10:20:00", "impression", "B"),
    event(5, "u3", "10:20:30", "click", "B", 1.0),  # below at_least: no outcome, no click counted
    event(6, "u4", "10:30:00", "impression", "A"),
    event(8, "u6", "10:30:00", "impression", "A"),  # at e6's time: neither counts the other
    event(10, "u4", "10:35:00", "click", "A", 7.0),  # e6's outcome
    event(11, "u7", "10:40:00", "impression", "C"),  # an item never seen before
    event(9, "u5", "11:30:00", "impression", "A"),
    event(12, "u9", "12:00:00", "view", "A"),  # the watermark: every horizon above has closed
]


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    wh = event_spec_warehouse(tmp_path_factory.mktemp("group_rates"), SPEC, EVENTS)
    wh.dbt("build", "-s", "+int_event_examples", "--vars", "{model_specs: [click_edge]}")
    return wh


def points(wh: Warehouse) -> dict[str, dict]:
    frame = wh.frame("select * from int_event_examples")
    return {f"{r['entity_id']}@{str(r['point_time'])[11:16]}": r for r in frame.to_dict("records")}


def test_group_rates_count_only_the_groups_past_window(wh: Warehouse) -> None:
    got = {key: row["country_rate_1h"] for key, row in points(wh).items()}
    expected = {
        # [09:00, 10:00): nothing at all yet, so no prior: NULL.
        "u1@10:00": None,
        # [09:10, 10:10): A 1 click / 1 impression; all 1 / 1, prior 1: (1 + 2) / (1 + 2).
        "u2@10:10": 1.0,
        # [09:20, 10:20): B none; all 1 click / 2 impressions: (0 + 2 * 0.5) / (0 + 2).
        "u3@10:20": 0.5,
        # [09:30, 10:30): A 1 / 2 (e1, e3); all 1 / 3 (e5 is below at_least):
        # (1 + 2/3) / (2 + 2). The other impression at 10:30 is not in either's window.
        "u4@10:30": (1 + 2 / 3) / 4,
        "u6@10:30": (1 + 2 / 3) / 4,
        # [09:40, 10:40): C none; all 2 clicks (e2, e10) / 5 impressions: prior 0.4.
        "u7@10:40": 0.4,
        # [10:30, 11:30): A 1 (e10) / 2 (e6, e8); all 1 / 3 (with e11): (1 + 2/3) / (2 + 2).
        "u5@11:30": (1 + 2 / 3) / 4,
    }
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if value is None:
            assert pd.isna(got[key]), key
        else:
            assert got[key] == pytest.approx(value), key


def test_the_outcome_condition_decides_the_label(wh: Warehouse) -> None:
    labels = {key: row["label"] for key, row in points(wh).items()}
    # e1 and e6 have a click of at least 5 within 15 minutes; e5 (u3's click of 1) is no outcome.
    assert labels == {
        "u1@10:00": 1, "u2@10:10": 0, "u3@10:20": 0, "u4@10:30": 1,
        "u6@10:30": 0, "u7@10:40": 0, "u5@11:30": 0,
    }  # fmt: skip


def test_both_readers_name_the_same_feature_columns(wh: Warehouse) -> None:
    project = wh.project
    spec = load_spec_file(project / "model_specs" / "click_edge.sql", root=project)
    columns = set(wh.frame("select * from int_event_examples limit 0").columns)
    features = spec["features"]["numeric"] + spec["features"]["categorical"]
    assert "country_rate_1h" in features
    assert set(features) <= columns
