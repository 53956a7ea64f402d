"""Two model specs in one warehouse: a binary spec beside the offer model.

The second spec (one model for every row, binary label: is the converting
user's device a mobile one) goes through the same layer as the offer model:
features, split, training, gate, registry, scoring, metrics and drift, keyed
by (model name, group). One spec's failed gate never touches the other's
champions, and pinned_models pins per model name.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import xgboost as xgb
import yaml
from conftest import FAST_VARS, Warehouse, copy_project
from sklearn.metrics import roc_auc_score

from warehouse_ml.dbt_runner import STALE_SPECS_MESSAGE
from warehouse_ml.features import long_to_matrix
from warehouse_ml.generator import GeneratorConfig, write_sample
from warehouse_ml.spec import spec_file_text

pytestmark = pytest.mark.dbt

NAME = "device_is_mobile"
SPEC = {
    "name": NAME,
    "description": "Whether a converting user is on a mobile device.",
    "source": "stg_landing__conversions",
    "entity_key": "event_id",
    "label": {"column": "dtype", "kind": "binary", "positive": "mobile"},
    "features": {"numeric": ["lat", "long"], "categorical": ["country", "dos", "dbrowser"]},
    "gate": {"metric": "auc", "direction": "min", "threshold": 0.55},
    "training": {"hpo_trials": 2},
    "scoring": {"source": "stg_landing__requests", "key": "request_id"},
}


def write_binary_spec(wh: Warehouse, **changes) -> None:
    body = yaml.safe_dump({**SPEC, **changes}, sort_keys=False)
    (wh.project / "model_specs" / f"{NAME}.sql").write_text(spec_file_text(NAME, body))


def serving(wh: Warehouse) -> dict[tuple[str, str], str]:
    rows = wh.query("select model_name, group_id, model_id from ml_serving_models")
    return {(m, g): model_id for m, g, model_id in rows}


def this_build(wh: Warehouse, model_name: str) -> list[tuple]:
    return wh.query(
        "select group_id, model_id, status, status_code from ml_models "
        "where model_name = ? and invocation_id = "
        "(select invocation_id from ml_models order by trained_at desc limit 1)",
        [model_name],
    )


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    base = tmp_path_factory.mktemp("two_specs")
    sample = base / "sample"
    write_sample(sample, GeneratorConfig(n_events=12_000, n_requests=1_000, seed=21))
    project = copy_project(base / "project")
    wh = Warehouse(base / "w.duckdb", sample / "landing", sample / "requests", project=project)
    write_binary_spec(wh)
    wh.build()
    return wh


def test_both_specs_train_and_serve_side_by_side(wh: Warehouse) -> None:
    specs = dict(wh.query("select model_name, label_kind from ml_model_specs"))
    # The shipped propensity spec is built too; its event log is empty here.
    assert specs == {
        "offer_conversion": "multiclass",
        NAME: "binary",
        "purchase_propensity": "binary",
    }
    assert wh.query("select count(*) from ml_models where model_name = 'purchase_propensity'") == [
        (0,)
    ]
    binary = this_build(wh, NAME)
    assert [(g, status) for g, _, status, _ in binary] == [("all", "champion")]
    offers = this_build(wh, "offer_conversion")
    assert len(offers) >= 2 and all(g != "all" for g, *_ in offers)
    assert (NAME, "all") in serving(wh)


def test_binary_test_auc_matches_sklearn_on_the_served_booster(wh: Warehouse) -> None:
    _model_id, booster_json, kinds, metrics = wh.query(
        "select model_id, booster_json, feature_kinds, metrics from ml_models "
        "where model_name = ? and status = 'champion'",
        [NAME],
    )[0]
    labelled = wh.frame(
        "select entity_id, class_index from int_training_labelled "
        "where model_name = ? and split = 'test' order by entity_id",
        [NAME],
    )
    features = wh.frame(
        "select f.entity_id as row_id, f.feature_index, f.value from int_training_features f "
        "inner join int_training_labelled l on f.model_name = l.model_name "
        "and f.entity_id = l.entity_id where f.model_name = ? and l.split = 'test'",
        [NAME],
    )
    booster = xgb.Booster()
    booster.load_model(bytearray(booster_json.encode()))
    matrix = long_to_matrix(features, labelled["entity_id"].tolist(), json.loads(kinds))
    p = booster.inplace_predict(matrix)
    recorded = json.loads(metrics)["test"]
    assert recorded["n_rows"] == len(labelled)
    assert recorded["auc"] == pytest.approx(roc_auc_score(labelled["class_index"], p), abs=1e-9)
    assert recorded["auc"] > 0.55


def test_binary_predictions_metrics_and_drift_carry_the_model_name(wh: Warehouse) -> None:
    n_requests = wh.query("select count(*) from stg_landing__requests where reject_reason is null")
    scored = wh.query(
        "select count(*), count(positive_probability), min(positive_probability), "
        "max(positive_probability) from ml_predictions where model_name = ?",
        [NAME],
    )[0]
    assert scored[0] == n_requests[0][0] and scored[1] == scored[0]
    assert 0.0 <= scored[2] <= scored[3] <= 1.0
    # The offer predictions stay the offer model's, one row per request.
    assert wh.query("select count(*) from offer_predictions") == n_requests
    metrics = {m for (m,) in wh.query("select metric from ml_metrics where model_name = ?", [NAME])}
    assert {"auc", "pr_auc", "log_loss", "brier_score", "ece"} <= metrics
    drift = wh.query(
        "select count(distinct feature) from ml_drift where model_name = ? and kind = 'feature'",
        [NAME],
    )
    assert drift[0][0] == 5
    eda = wh.query("select count(*) from eda_target_distribution where model_name = ?", [NAME])
    assert eda[0][0] > 0


def test_a_failed_gate_keeps_its_champion_and_leaves_the_other_spec_alone(wh: Warehouse) -> None:
    before = serving(wh)
    write_binary_spec(wh, gate={"metric": "auc", "direction": "min", "threshold": 0.9999})
    try:
        # dbt's partial parse does not see an edited spec: the models that loop over
        # specs refuse to run on the parse of the old one (wh.build then parses in full).
        stale = wh.dbt(
            "compile", "--select", "ml_model_specs", "--vars", FAST_VARS, check=False, reparse=False
        )
        assert stale.returncode != 0
        assert "The model specs changed since dbt last parsed ml_model_specs" in stale.stdout
        assert STALE_SPECS_MESSAGE in stale.stdout
        wh.build()
    finally:
        write_binary_spec(wh)
    assert [(status, code) for _, _, status, code in this_build(wh, NAME)] == [
        ("rejected", "failed_gate")
    ]
    after = serving(wh)
    assert after[(NAME, "all")] == before[(NAME, "all")]
    offers = {g: m for g, m, status, _ in this_build(wh, "offer_conversion")}
    for (model_name, group_id), model_id in after.items():
        if model_name == "offer_conversion" and group_id in offers:
            assert model_id == offers[group_id] != before[(model_name, group_id)]
    served_by = wh.query(
        "select distinct model_id from ml_predictions where model_name = ? and model_id is not null",
        [NAME],
    )
    assert served_by == [(before[(NAME, "all")],)]


def test_pinned_models_pin_per_model_name(wh: Warehouse) -> None:
    old = wh.query(
        "select group_id, model_id from ml_models where model_name = 'offer_conversion' "
        "and status in ('retired', 'champion') order by trained_at asc limit 1"
    )[0]
    pins = json.dumps({"pinned_models": {"offer_conversion": {old[0]: old[1]}}})
    wh.build(vars_=FAST_VARS[:-1] + ", " + pins[1:])
    now = serving(wh)
    assert now[("offer_conversion", old[0])] == old[1]
    binary = this_build(wh, NAME)
    assert binary[0][2] == "champion" and now[(NAME, "all")] == binary[0][1]
    # A pin naming a model of another spec is refused before anything runs.
    bad = json.dumps({"pinned_models": {NAME: {"all": old[1]}}})
    proc = wh.dbt("build", "--vars", bad, check=False)
    assert proc.returncode != 0
    assert np.any(["pinned" in line for line in proc.stdout.splitlines()])
