"""Point-in-time correctness on a hand-written event log, edge by edge.

One entity's events sit exactly on window edges, a point's time and a label
horizon's end; other records break the time rules. The expected values are
worked out by hand in the comments, independently of the SQL.
"""

from __future__ import annotations

import pytest
from conftest import Warehouse, event_spec_warehouse, write_jsonl

pytestmark = pytest.mark.dbt

SPEC = {
    "name": "edge_case",
    "events": {
        "source": "stg_events__stream",
        "points": {"every": "1 day", "active_within": "7 days"},
        "outcome": {"event_types": ["purchase"], "horizon": "1 day"},
        "windows": ["1 hour", "1 day"],
        "top_event_types": 2,
        "categorical": ["country"],
        "numeric": ["amount"],
        "entity_cap": 1,
    },
    "training": {"refit_on_validation": False},
}
BUILD_VARS = "{model_specs: [edge_case]}"


def event(entity: str, time: str | None, kind: str, n: int, **extra) -> dict:
    record = {"event_id": f"e{n}", "entity_id": entity, "event_type": kind, "country": "FR"}
    if time is not None:
        record["event_time"] = time
    record["amount"] = 10.0
    return {**record, **extra}


EVENTS = [
    event("a", "2026-01-01T00:00:00Z", "view", 1),  # t1 - 1 day exactly: in the 1-day window
    event("a", "2026-01-01T23:30:00+01:00", "view", 2),  # 22:30 UTC: in 1 day, not in 1 hour
    event("a", "2026-01-01T23:00:00Z", "view", 3),  # t1 - 1 hour exactly: in both windows
    event("a", "2026-01-02T00:00:00Z", "add_to_cart", 4),  # exactly t1: never a feature of t1
    event("a", "2026-01-02 00:00:00", "purchase", 5),  # t1, zone-less = UTC: not t1's label
    event("a", "2026-01-03T00:00:00.000000Z", "purchase", 6),  # t1 + 1 day exactly: t1's label
    event("b", "2026-01-05T12:00:00Z", "view", 7),
    event("b", "2026-01-09T00:00:00Z", "view", 8),  # the log's watermark
]
REJECTS = {
    "missing event_time": event("c", None, "view", 9),
    "event_time is not a timestamp": event("c", "yesterday", "view", 10),
    "event_time is more than 1 hour after the load time (clock skew)": event(
        "c", "2099-01-01T00:00:00Z", "view", 11
    ),
    "missing entity_id": event("", "2026-01-04T00:00:00Z", "view", 12),
    "amount is not a number": event("c", "2026-01-04T00:00:00Z", "view", 13, amount="ten"),
    "duplicate id (another copy was kept)": event("a", "2026-01-01T00:00:00Z", "view", 1),
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    base = tmp_path_factory.mktemp("event_edges")
    wh = event_spec_warehouse(base, SPEC, EVENTS + list(REJECTS.values()))
    wh.dbt(
        "build",
        "-s",
        "+int_event_examples",
        "+ingest_rejects",
        "+ingest_files",
        "--vars",
        BUILD_VARS,
    )
    return wh


def point(wh: Warehouse, entity: str, day: str) -> dict:
    frame = wh.frame(
        "select * from int_event_examples where entity_id = ? and point_time = ?",
        [entity, f"2026-01-{day} 00:00:00"],
    )
    assert len(frame) == 1, frame
    return frame.iloc[0].to_dict()


def test_an_event_at_t_is_not_a_feature_and_one_at_t_minus_w_is(wh: Warehouse) -> None:
    t1 = point(wh, "a", "02")
    assert t1["events_1h"] == 1  # 23:00 only
    assert t1["events_1d"] == 3  # 00:00, 22:30 (converted from +01:00), 23:00
    assert t1["amount_sum_1d"] == 30.0
    assert t1["hours_since_last_event"] == 1.0
    assert (t1["last_country"], t1["first_country"]) == ("FR", "FR")
    t2 = point(wh, "a", "03")
    assert t2["events_1h"] == 0
    assert t2["events_1d"] == 2  # the add-to-cart and the purchase at t1 = t2 - 1 day


def test_labels_look_at_t_to_t_plus_horizon_and_only_when_closed(wh: Warehouse) -> None:
    labels = dict(
        wh.query(
            "select strftime(point_time, '%d'), label from int_event_points "
            "where entity_id = 'a' order by point_time"
        )
    )
    # t1: the purchase at t1 + 1 day counts, the one at t1 itself does not.
    assert labels["02"] == 1
    # t2 = 01-03: its purchase is at t2 exactly, outside (t2, t2 + 1 day].
    assert labels["03"] == 0
    # The watermark is 01-09: the point of 01-09 has an open horizon.
    open_points = wh.query(
        "select entity_id, point_time, label, split from int_event_points "
        "where point_time + interval 1 day > timestamp '2026-01-09 00:00:00'"
    )
    assert open_points and all(label is None and split is None for *_, label, split in open_points)
    assert wh.query("select count(*) from int_event_points where label is null")[0][0] == len(
        open_points
    )


def test_points_follow_the_active_window(wh: Warehouse) -> None:
    days = [
        d
        for (d,) in wh.query(
            "select strftime(point_time, '%m-%d') from int_event_points "
            "where entity_id = 'b' order by 1"
        )
    ]
    # b's events: 01-05 12:00 and 01-09 00:00 (the watermark); points at grid times
    # t with an event in [t - 7 days, t), up to the watermark: 01-06 .. 01-09.
    assert days == ["01-06", "01-07", "01-08", "01-09"]


def test_the_entity_cap_keeps_one_entity(wh: Warehouse) -> None:
    capped = wh.query("select count(distinct entity_id) from int_event_points where in_entity_cap")[
        0
    ][0]
    assert capped == 1
    assert (
        wh.query(
            "select count(*) from int_event_points where split is not null and not in_entity_cap"
        )[0][0]
        == 0
    )


def test_time_rules_quarantine_with_a_reason_and_counts_reconcile(wh: Warehouse) -> None:
    reasons = sorted(r for (r,) in wh.query("select reason from ingest_rejects"))
    assert reasons == sorted(REJECTS)
    (dataset, read, accepted, rejected) = wh.query(
        "select dataset, rows_read, rows_accepted, rows_rejected from ingest_files"
    )[0]
    assert dataset == "event_log:stream"
    assert (read, accepted, rejected) == (len(EVENTS) + len(REJECTS), len(EVENTS), len(REJECTS))
    times = dict(
        wh.query(
            "select event_id, strftime(event_time, '%Y-%m-%d %H:%M:%S') from stg_events__stream "
            "where reject_reason is null"
        )
    )
    assert times["e2"] == "2026-01-01 22:30:00"  # +01:00 converted to UTC
    assert times["e5"] == "2026-01-02 00:00:00"  # zone-less taken as UTC
    loaded = wh.query("select count(distinct loaded_at) from stg_events__stream")[0][0]
    assert loaded == 1


def test_late_data_changes_only_the_points_after_it(wh: Warehouse) -> None:
    before = wh.frame("select * from int_event_examples order by point_id")
    late = [event("a", "2026-01-02T12:00:00Z", "view", 20)]
    write_jsonl(wh.events / "late.json", late)
    wh.dbt("build", "-s", "+int_event_examples", "--vars", BUILD_VARS)
    after = wh.frame("select * from int_event_examples order by point_id")
    assert list(before["point_id"]) == list(after["point_id"])
    late_at = "2026-01-02 12:00:00"
    changed = {
        str(row_after["point_time"])
        for (_, row_before), (_, row_after) in zip(before.iterrows(), after.iterrows(), strict=True)
        if not row_before.drop(["split"]).equals(row_after.drop(["split"]))
    }
    # The documented rule: a late event is a feature of points after its time
    # (within the windows) and nothing earlier moves. Only a's 01-03 point has
    # it in a window (1 day); the loaded_at of the late rows shows it came later.
    assert changed == {"2026-01-03 00:00:00"}
    assert point(wh, "a", "03")["events_1d"] == 3
    assert point(wh, "a", "02")["events_1d"] == 3
    loads = wh.query(
        "select event_id, loaded_at from stg_events__stream where event_id in ('e1', 'e20')"
    )
    assert len({at for _, at in loads}) == 2
    assert late_at > "2026-01-02 00:00:00"
