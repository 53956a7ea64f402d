"""The same input built on DuckDB (dbt build) and on Trino (`wml run --target trino`)
gives the same pipeline: ingest counts and rejects, split, encoded features,
trained boosters, predicted offers and probabilities (within 1e-5).

The input is the generated sample plus files in the other formats and
deliberately broken records, so both readers and every reject reason are
exercised. Both engines read the same folders.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BIN, assert_same, duck_frame, folders_env, run, trino_frame

from reference.records import seed_record

# Small but real: few trials and rounds keep each build short; a lenient gate
# gives every campaign a champion, so every campaign is scored.
VARS = "{hpo_trials: 2, num_boost_round: 60, early_stopping_rounds: 10, max_hamming_loss: 0.6}"
MODEL = "offer_conversion"


def _event(meta: dict, n: int, campaign: int = 0, **fields) -> dict:
    campaign_id, spec = list(meta["campaigns"].items())[campaign]
    return seed_record(n, campaign_id, spec["offers"][n % len(spec["offers"])], **fields)


def _add_edge_cases(sample: Path) -> None:
    """Files in every format with records that stress both readers and every check."""
    meta = json.loads((sample / "sample_meta.json").read_text())
    landing, requests = sample / "landing", sample / "requests"
    first_event = json.loads((landing / "conversions.json").read_text().splitlines()[0])
    lines = [
        json.dumps(_event(meta, 1, city="Kraków", dBrowser="Навигатор"), ensure_ascii=False),
        json.dumps(_event(meta, 2, lat=12.5, long=-3)),  # JSON numbers
        # numbers written in other forms; a number as a category
        json.dumps(_event(meta, 3, lat="<lat>", long="<long>", country="<country>"))
        .replace('"<lat>"', "12.750")
        .replace('"<long>"', "1E+1")
        .replace('"<country>"', "7.50"),
        '{"id": "00000000-0000-4000-8000-000000000004", "campaign": ',  # broken JSON
        "[1, 2, 3]",  # JSON, not an object
        json.dumps(_event(meta, 5, id="not-a-uuid")),
        json.dumps(_event(meta, 6, lat="abc")),
        json.dumps(_event(meta, 7, lat="NaN")),  # Trino's cast would take it
        json.dumps(_event(meta, 8, long="1.5d")),  # Java's parser would take it
        json.dumps(_event(meta, 9, lat="1_0.5")),  # DuckDB's parser takes it: 10.5
        json.dumps(_event(meta, 10, lat={"deg": 1})),  # an object, not a number
        json.dumps(_event(meta, 11, id=["x"])),  # an array id
        json.dumps({k: v for k, v in _event(meta, 12).items() if k != "campaign"}),
        json.dumps(_event(meta, 13, lat="91")),
        json.dumps(_event(meta, 14, offer="")),
        json.dumps(
            _event(meta, 15, country="\u00a0TH\u3000", city="\tTab")
        ),  # Zs trimmed, tab kept
        json.dumps(
            _event(meta, 16, id="\t00000000-0000-4000-8000-000000000016")
        ),  # tab: not a UUID
        json.dumps({**_event(meta, 17), "extra_field": {"nested": True}}),
        json.dumps(first_event),  # duplicate of a generated event
        "   ",  # blank line: not a record
    ]
    (landing / "edge.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (landing / "empty.json").write_text("")
    columns = ["dBrowser", "lat", "id", "offer", "campaign", "long", "country", "dOs", "dType"]
    csv_rows = []
    for n, lat in ((20, "1.5"), (21, "bad"), (22, "1.5"), (23, " 2.5 ")):
        e = _event(meta, n, campaign=1)
        csv_rows.append(
            ["Chrome", lat, e["id"], e["offer"], e["campaign"], "2.5", "TH", "Android", "mobile"]
        )
    csv_rows[2].append("x")  # wider than the header
    text = "\n".join(",".join(r) for r in [columns, *csv_rows]) + "\n"
    (landing / "edge.csv").write_text(text)
    events = [_event(meta, n, campaign=2, lat=-33.9 + n / 100, long=18.4) for n in range(30, 33)]
    table = pa.table({k: [e[k] for e in events] for k in events[0]})
    pq.write_table(table, landing / "edge.parquet")
    request = {k: v for k, v in _event(meta, 40).items() if k != "offer"}
    request_lines = [
        json.dumps(request),
        "{oops",
        json.dumps({**request, "id": "00000000-0000-4000-8000-000000000041", "input": "1,2,3"}),
        json.dumps({**request, "id": "00000000-0000-4000-8000-000000000042", "input": "x"}),
        json.dumps(
            {
                **request,
                "id": "00000000-0000-4000-8000-000000000043",
                "campaign": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
            }
        ),
    ]
    (requests / "edge.json").write_text("\n".join(request_lines) + "\n")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("parity")
    run([str(BIN / "wml"), "generate", "--out", str(base / "sample"), "--events", "6000",
         "--requests", "600", "--seed", "3"], env=None, what="wml generate")  # fmt: skip
    _add_edge_cases(base / "sample")
    return base / "sample"


@pytest.fixture(scope="module")
def folders(sample) -> dict[str, str]:
    return folders_env(sample / "landing", sample / "requests", sample / "no_events")


def test_ingest_counts_agree(duck, trino):
    files = assert_same(
        duck,
        trino,
        "select source_file, dataset, file_format, rows_read, rows_accepted, rows_rejected "
        "from ingest_files",
    )
    assert set(files["file_format"]) == {"json", "csv", "parquet"}
    edge = files.set_index("source_file").loc[
        str(Path(files["source_file"][0]).parent / "edge.json")
    ]
    assert (edge["rows_read"], edge["rows_accepted"]) == (19, 6)
    # Every visible landed file was read where it lies, none copied through the client.
    landing = f"{trino.settings.catalog}.{trino.settings.landing_schema}"
    lake = trino_frame(trino, f"select source_file, file_format from {landing}.lake_files")
    assert set(lake["source_file"]) == set(files["source_file"])
    assert trino_frame(trino, f"select count(*) as n from {landing}.landed_records")["n"][0] == 0


def test_rejects_agree(duck, trino):
    rejects = assert_same(
        duck, trino, "select dataset, source_file, record, reason from ingest_rejects"
    )
    reasons = set(rejects["reason"])
    assert {
        "malformed JSON record",
        "CSV row has more fields than the header",
        "id is not a UUID",
        "lat is not a number",
        "long is not a number",
        "missing campaign",
        "lat out of range [-90, 90]",
        "missing offer",
        "duplicate id (another copy was kept)",
    } <= reasons


def test_staged_values_agree(duck, trino):
    assert_same(
        duck,
        trino,
        "select event_id, campaign_id, offer_id, country, city, dos, dtype, dbrowser, lat, long, "
        "reject_reason "
        "from stg_landing__conversions",
    )
    assert_same(
        duck,
        trino,
        "select request_id, campaign_id, feature_vector, country, lat, long, reject_reason "
        "from stg_landing__requests",
    )


def test_split_agrees(duck, trino):
    split = assert_same(
        duck,
        trino,
        "select model_name, entity_id, group_id, label_value, split from int_training_examples",
    )
    assert set(split["split"]) == {"train", "validation", "test"}
    assert set(split["model_name"]) == {MODEL}
    # spec_json itself differs by engine (e.g. the default scoring engine resolves to
    # xgboost on DuckDB and sql on Trino); what shapes the examples must not.
    assert_same(duck, trino, "select model_name, label_kind, group_key from ml_model_specs")


def test_encoded_features_agree(duck, trino):
    latest = (
        "select columns.model_name, columns.group_id, columns.feature_index, "
        "columns.feature_name, columns.kind "
        "from fit_feature_columns as columns inner join fit_current_states as states "
        "on columns.model_name = states.model_name and columns.group_id = states.group_id "
        "and columns.fitted_state_id = states.fitted_state_id"
    )
    names = assert_same(duck, trino, latest)
    assert "dbrowser_Chrome%20WebView" in set(names["feature_name"])
    rows = assert_same(
        duck,
        trino,
        "select model_name, entity_id, feature_index, value from int_training_features",
    )
    assert len(rows) > 6000
    assert_same(
        duck,
        trino,
        "select model_name, entity_id, group_id, split, has_rare_value, class_index, "
        "sample_fraction from int_training_labelled",
    )


def test_trained_models_agree(duck, trino):
    sql = (
        "select model_name, group_id, campaign_id, task, status, status_reason, status_code, "
        "hyperparameters, feature_columns, feature_kinds, classes, "
        "n_train_rows, n_validation_rows, n_test_rows, best_iteration, booster_json from ml_models"
    )
    models = assert_same(duck, trino, sql)
    assert (models["status"] == "champion").all()
    assert (models["campaign_id"] == models["group_id"]).all()
    metrics = duck_frame(duck, "select model_name, group_id, metrics from ml_models")
    trino_metrics = trino_frame(trino, "select model_name, group_id, metrics from ml_models")
    assert len(metrics) == len(trino_metrics) == 3
    for (_, d), (_, t) in zip(metrics.iterrows(), trino_metrics.iterrows(), strict=True):
        assert (d["model_name"], d["group_id"]) == (t["model_name"], t["group_id"])
        # The same package code on the same matrices: equal to the last bit.
        assert json.loads(d["metrics"]) == json.loads(t["metrics"]), d["group_id"]


def test_compiled_sql_targets_trino(trino):
    sql = trino_frame(trino, "select scoring_sql from ml_models")["scoring_sql"]
    assert all("is_nan(" in s and "isnan(" not in s for s in sql)


def test_predictions_agree(duck, trino):
    sql = (
        "select request_id, campaign_id, predicted_offer_id, probability, scoring_error "
        "from offer_predictions"
    )
    left, right = duck_frame(duck, sql), trino_frame(trino, sql)
    pd.testing.assert_frame_equal(
        left.drop(columns="probability"), right.drop(columns="probability"), check_dtype=False
    )
    scored = left["probability"].notna()
    assert scored.sum() >= 590
    assert np.array_equal(scored, right["probability"].notna())
    gap = np.abs(left["probability"][scored].to_numpy() - right["probability"][scored].to_numpy())
    print(
        f"offer_predictions: {scored.sum()} scored requests, max |DuckDB - Trino| = {gap.max():.3g}"
    )
    assert gap.max() < 1e-5
    errors = sorted(left["scoring_error"].dropna())
    assert errors[0].startswith("input has 1 values") and errors[1].startswith("input has 3 values")
    assert errors[2].startswith("no serving model")
    # The generic mart the offer contract filters: the same rows on both engines
    # (model ids differ: they derive from each build's invocation id).
    generic = (
        "select model_name, request_id, group_id, predicted_label, scoring_error "
        "from ml_predictions"
    )
    both = assert_same(duck, trino, generic)
    assert len(both) == len(left) and set(both["model_name"]) == {MODEL}
    # Multiclass: no positive class (the clients return an all-NULL column differently).
    no_positive = "select count(positive_probability) as n from ml_predictions"
    assert duck_frame(duck, no_positive)["n"][0] == trino_frame(trino, no_positive)["n"][0] == 0


def test_offer_scores_agree(duck, trino):
    sql = "select request_id, offer_id, class_index, rank from offer_scores"
    assert_same(duck, trino, sql)
    left = duck_frame(duck, "select request_id, class_index, probability from offer_scores")
    right = trino_frame(trino, "select request_id, class_index, probability from offer_scores")
    assert np.abs(left["probability"] - right["probability"]).max() < 1e-5


def test_trino_sql_scores_match_xgboost(trino):
    """The Trino counterpart of tests/dbt/assert_offer_scores_sql_matches_xgboost (DuckDB
    only): XGBoost's predict on the request features read from Trino, with the
    registry's booster, gives Trino's SQL scores within 1e-5."""
    from warehouse_ml.scoring import score_requests

    serving = trino.frame(
        "select models.* from ml_models as models inner join ml_serving_models as serving "
        "on models.model_id = serving.model_id"
    )

    def requests_of(model_name: str, model_id: str):
        ids = trino.frame(
            "select request_id from int_scoring_requests "
            "where model_name = ? and model_id = ? and scoring_error is null",
            [model_name, model_id],
        )["request_id"]
        features = trino.frame(
            "select features.request_id, features.feature_index, features.value "
            "from int_scoring_features as features inner join int_scoring_requests as assigned "
            "on features.model_name = assigned.model_name "
            "and features.request_id = assigned.request_id "
            "where assigned.model_name = ? and assigned.model_id = ? "
            "and assigned.scoring_error is null",
            [model_name, model_id],
        )
        return sorted(ids), features

    expected = score_requests(serving, requests_of, progress=lambda _: None)
    got = trino.frame(
        "select model_name, request_id, class_index, label_value, probability from ml_scores_sql"
    )
    key = ["model_name", "request_id", "class_index"]
    merged = expected.merge(got, on=key, suffixes=("_xgb", "_sql"))
    assert len(merged) == len(expected) == len(got) > 0
    assert (merged["label_value_xgb"] == merged["label_value_sql"]).all()
    assert np.abs(merged["probability_xgb"] - merged["probability_sql"]).max() < 1e-5
    # offer_scores_sql is the offer model's part of it, in the contract's columns.
    offers = trino.frame("select request_id, class_index, offer_id from offer_scores_sql")
    assert len(offers) == (got["model_name"] == MODEL).sum()


def test_predict_macro_equals_the_sql_scorer_on_trino(trino, folders):
    """warehouse_ml.predict compiled for Trino (`dbt compile --inline`, as a user's
    analysis would be) and run there gives ml_scores_sql's rows for the same requests."""
    inline = "{{ warehouse_ml.predict('offer_conversion', ref('stg_landing__requests')) }}"
    proc = run(
        [str(BIN / "dbt"), "compile", "--quiet", "--output", "json", "--vars", VARS,
         "--inline", inline],
        {**trino.env, **folders},
        "dbt compile --inline predict on Trino",
    )  # fmt: skip
    compiled = json.loads(proc.stdout[proc.stdout.index("{") :])["compiled"]  # pretty-printed
    columns = "model_name, request_id, group_id, model_id, label_value, class_index, rank"
    got = trino_frame(trino, f"select {columns}, probability from ({compiled}) as predicted")
    batch = trino_frame(
        trino, f"select {columns}, probability from ml_scores_sql where model_name = '{MODEL}'"
    )
    # predict scores a row's fields; the batch refuses requests whose explicit `input`
    # vector is malformed (scoring_error), so those are predict's only extra rows.
    refused = set(
        trino_frame(
            trino, "select request_id from int_scoring_requests where scoring_error like 'input%'"
        )["request_id"]
    )
    assert set(got["request_id"]) - set(batch["request_id"]) <= refused
    got = got[~got["request_id"].isin(refused)]
    key = ["request_id", "class_index"]
    got, batch = (f.sort_values(key).reset_index(drop=True) for f in (got, batch))
    assert len(got) == len(batch) > 0
    pd.testing.assert_frame_equal(got, batch, check_dtype=False, atol=1e-12)


def test_ml_models_has_the_contract_columns(trino):
    from warehouse_ml.registry import REGISTRY_COLUMNS

    columns = list(trino.frame("select * from ml_models limit 0").columns)
    assert columns == list(REGISTRY_COLUMNS)


def test_retraining_retires_and_pins_like_duckdb(trino):
    """Runs last: it trains again. As on DuckDB, a new champion retires the old one
    (the same row, now `retired`, booster kept) and a pin serves an older model."""
    import uuid

    from warehouse_ml.trino_registry import read_registry
    from warehouse_ml.trino_runner import read_specs, train_registry

    first = dict(
        trino.frame(
            "select group_id, model_id from ml_serving_models where model_name = ?", [MODEL]
        ).values
    )
    boosters = dict(trino.frame("select model_id, booster_json from ml_models").values)
    specs = read_specs(trino.client)  # VARS, as the runner reads them (from ml_model_specs)
    # The shipped propensity spec is built too; no event log is loaded here.
    assert [s["name"] for s in specs] == [MODEL, "purchase_propensity"]
    specs = [s for s in specs if s["name"] == MODEL]
    assert specs[0]["training"]["hpo_trials"] == 2 and specs[0]["gate"]["threshold"] == 0.6
    rows = train_registry(
        trino.client,
        specs,
        invocation_id=str(uuid.uuid4()),
        previous=read_registry(trino.client, progress=lambda _: None),
        progress=lambda _: None,
    )
    assert sorted(rows["status"]) == ["champion"] * 3 + ["retired"] * 3
    pinned_campaign = sorted(first)[0]
    pins = f"{{{MODEL}: {{{pinned_campaign}: {first[pinned_campaign]}}}}}"
    run(
        [str(BIN / "dbt"), "build", "--select", "ml_models", "ml_serving_models",
         "--indirect-selection", "cautious",
         "--vars", VARS[:-1] + f", pinned_models: {pins}}}"],
        trino.env,
        "dbt build of the registry with a pin",
    )  # fmt: skip
    models = trino.frame(
        "select model_id, group_id, status, status_reason, booster_json from ml_models"
    )
    assert len(models) == 6
    old = models[models["model_id"].isin(first.values())]
    assert (old["status"] == "retired").all()
    assert (old["status_reason"] == "replaced by a newer champion").all()
    assert all(boosters[m] == b for m, b in old[["model_id", "booster_json"]].values)
    assert (models[~models["model_id"].isin(first.values())]["status"] == "champion").all()
    serving = trino.frame(
        "select group_id, model_id, serving_reason from ml_serving_models where model_name = ?",
        [MODEL],
    )
    assert len(serving) == 3
    for campaign, model_id, reason in serving.values:
        if campaign == pinned_campaign:
            assert (model_id, reason) == (first[campaign], "pinned")
        else:
            assert model_id not in first.values() and reason == "champion"


def _local_cluster():
    """scripts/trino/trino_local.py, loaded by path, when this suite's server is its cluster."""
    import importlib.util

    script = Path(__file__).resolve().parents[2] / "scripts" / "trino" / "trino_local.py"
    spec = importlib.util.spec_from_file_location("wml_trino_local", script)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    coordinator = module.Settings().nodes()[0]
    return module if module.running_pid(coordinator) is not None else None


def test_the_build_survives_a_restart(trino, server_lock):
    """Last in this module (it restarts the server, once the other xdist worker's
    module is done with it): the catalog is persistent, so the registry and the
    predictions read back unchanged after a stop and start."""
    if trino.settings.catalog == "memory":
        pytest.skip("the memory catalog keeps nothing across a restart (WML_TRINO_CATALOG)")
    local = _local_cluster()
    if local is None:
        pytest.skip("the suite's Trino is not scripts/trino/trino_local.py's: no restart")
    queries = {
        "ml_models": "select * from ml_models order by model_id",
        "offer_predictions": "select * from offer_predictions order by request_id",
        "ml_scores": "select * from ml_scores order by model_name, request_id, class_index",
    }
    before = {name: trino.frame(sql) for name, sql in queries.items()}
    assert len(before["ml_models"]) >= 3 and len(before["offer_predictions"]) > 0
    with server_lock.exclusive():
        run(
            [sys.executable, str(Path(local.__file__)), "restart"],
            dict(os.environ),
            "trino_local.py restart",
        )
    for name, sql in queries.items():
        pd.testing.assert_frame_equal(before[name], trino.frame(sql), obj=name)
