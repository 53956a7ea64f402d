"""An event-stream propensity spec built on DuckDB (dbt build) and on Trino
(`wml run --target trino`) from the same event log gives the same pipeline:
ingest counts and time rejects, prediction points with their labels and
split, point-in-time features, the trained and calibrated booster, and the
served scores (within 1e-5; DuckDB scores with XGBoost, Trino with the
compiled, calibrated SQL). Both builds hold the trees as a node table
(`scoring_sql_formulation: node_table`, the form models too big for nested
CASEs take), so Trino scores by joining `ml_model_nodes` level by level.

The log is a generated stream plus records that break the time rules and
files in the other two formats.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import assert_same, duck_frame, folders_env, trino_frame

from warehouse_ml.generator.streams import EventStreamConfig, write_stream

MODEL = "purchase_propensity"
# test_parity runs dbt's unit tests on Trino; this module's build leaves them out.
UNIT_TESTS = False
VARS = (
    "{hpo_trials: 2, num_boost_round: 40, early_stopping_rounds: 10, "
    f"scoring_sql_formulation: node_table, model_specs: [{MODEL}]}}"
)


def _add_edge_cases(landing: Path) -> None:
    """Broken times and the other two formats, in the event log's folder."""
    base = {"entity_id": "edge", "event_type": "view", "country": "FR", "amount": 1.0}
    lines = [
        {**base, "event_id": "x1"},  # no time
        {**base, "event_id": "x2", "event_time": "yesterday"},
        {**base, "event_id": "x3", "event_time": "2099-01-01T00:00:00Z"},  # clock skew
        {**base, "event_id": "x4", "event_time": "2026-01-06T10:00:00+02:00"},  # zoned
        {**base, "event_id": "x5", "event_time": "2026-01-06 09:00:00", "amount": "ten"},
    ]
    (landing / "edge.json").write_text("".join(json.dumps(r) + "\n" for r in lines))
    rows = [
        {**base, "event_id": "c1", "event_time": "2026-01-07T12:00:00Z"},
        {**base, "event_id": "c2", "event_time": "2026-01-08 12:30:00", "event_type": "purchase"},
    ]
    pd.DataFrame(rows).to_csv(landing / "edge.csv", index=False)
    table = pa.table({k: [r[k] for r in rows] for k in rows[0]})
    pq.write_table(
        table.set_column(1, "event_id", pa.array(["p1", "p2"])), landing / "edge.parquet"
    )


@pytest.fixture(scope="module")
def stream(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("event_parity")
    write_stream(base / "stream", EventStreamConfig(n_entities=200, days=14, seed=11))
    _add_edge_cases(base / "stream" / "landing")
    for folder in ("landing", "requests"):
        (base / "empty" / folder).mkdir(parents=True)
    return base


@pytest.fixture(scope="module")
def folders(stream) -> dict[str, str]:
    empty = stream / "empty"
    return folders_env(empty / "landing", empty / "requests", stream / "stream" / "landing")


def test_event_ingest_and_time_rejects_agree(duck, trino):
    files = assert_same(
        duck,
        trino,
        "select source_file, dataset, file_format, rows_read, rows_accepted, rows_rejected "
        "from ingest_files",
    )
    assert set(files["dataset"]) == {"event_log:stream"}
    assert set(files["file_format"]) == {"json", "csv", "parquet"}
    rejects = assert_same(duck, trino, "select source_file, record, reason from ingest_rejects")
    assert {
        "missing event_time",
        "event_time is not a timestamp",
        "event_time is more than 1 hour after the load time (clock skew)",
        "amount is not a number",
    } <= set(rejects["reason"])
    times = assert_same(
        duck,
        trino,
        "select event_id, event_time from stg_events__stream where entity_id = 'edge' "
        "and reject_reason is null",
    )
    assert str(times.set_index("event_id").loc["x4", "event_time"]) == "2026-01-06 08:00:00"


def test_points_labels_and_split_agree(duck, trino):
    points = assert_same(
        duck,
        trino,
        "select model_name, point_id, entity_id, point_time, label, split, in_entity_cap "
        "from int_event_points",
    )
    assert len(points) > 1000
    assert set(points["split"].dropna()) == {"train", "validation", "test"}
    assert points["label"].isna().any() and (points["label"] == 1).any()


def test_point_in_time_features_agree(duck, trino):
    columns = [c for c in duck.execute("select * from int_event_examples limit 0").df().columns]
    features = assert_same(
        duck, trino, f"select {', '.join(columns)} from int_event_examples", rtol=1e-9
    )
    assert features["events_7d"].sum() > 0
    ranks = assert_same(
        duck, trino, "select model_name, event_type, type_rank from fit_event_type_ranks"
    )
    assert len(ranks) == 3


def test_trained_calibrated_models_agree(duck, trino):
    models = assert_same(
        duck,
        trino,
        "select model_name, group_id, status, hyperparameters, feature_columns, "
        "n_train_rows, n_validation_rows, n_test_rows, best_iteration, booster_json, calibration "
        "from ml_models",
    )
    assert list(models["status"]) == ["champion"]
    assert json.loads(models["calibration"][0])["method"] in ("isotonic", "sigmoid")


def test_served_scores_agree(duck, trino):
    sql = "select point_id, entity_id, scored_for, probability from ml_propensity_scores"
    left, right = duck_frame(duck, sql), trino_frame(trino, sql)
    pd.testing.assert_frame_equal(
        left.drop(columns="probability"), right.drop(columns="probability"), check_dtype=False
    )
    assert len(left) > 100
    gap = np.abs(left["probability"].to_numpy() - right["probability"].to_numpy()).max()
    print(f"ml_propensity_scores: {len(left)} scores, max |DuckDB - Trino| = {gap:.3g}")
    assert gap < 1e-5
    specs = "select spec_json from ml_model_specs"
    engine = [json.loads(duck.execute(specs).fetchone()[0])["scoring"]["engine"]]
    engine.append(json.loads(trino.frame(specs)["spec_json"][0])["scoring"]["engine"])
    assert engine == ["xgboost", "sql"]
    scorer = trino.frame("select scoring_sql from ml_models")["scoring_sql"][0]
    assert "__WML_NODES__" in scorer
    nodes = trino.frame("select count(*) as n, count(distinct model_id) as m from ml_model_nodes")
    assert nodes["m"][0] == 1 and nodes["n"][0] > 40
