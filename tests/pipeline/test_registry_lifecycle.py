"""Rebuilds, the quality gate, rollback pins and explicit feature vectors, on one warehouse."""

from __future__ import annotations

import json

import pytest

from warehouse_ml.generator import GeneratorConfig, write_sample

MODEL = "offer_conversion"
# A lenient gate so every campaign of this small sample gets a champion first.
VARS = {
    "hpo_trials": 2,
    "num_boost_round": 60,
    "early_stopping_rounds": 10,
    "max_hamming_loss": 0.6,
}


@pytest.fixture(scope="module")
def lifecycle(make_warehouse):
    wh = make_warehouse("lifecycle")
    sample = wh.path.parent / "sample"
    write_sample(sample, GeneratorConfig(n_events=8_000, n_requests=400, n_campaigns=2, seed=9))
    wh.landing, wh.requests = sample / "landing", sample / "requests"
    wh.build(vars_=json.dumps(VARS))
    return wh


def _serving(wh):
    return dict(
        wh.query("select group_id, model_id from ml_serving_models where model_name = ?", [MODEL])
    )


def _predictions(wh):
    return sorted(
        wh.query("select request_id, predicted_offer_id, probability from offer_predictions")
    )


def test_lifecycle(lifecycle):
    wh = lifecycle
    first_serving = _serving(wh)
    first_predictions = _predictions(wh)
    first_boosters = dict(wh.query("select group_id, booster_json from ml_models"))
    first_params = dict(wh.query("select group_id, hyperparameters from ml_models"))
    assert set(first_boosters) == set(first_serving)

    assert len(first_serving) == 2
    # A rebuild on the same data trains identical models and predicts identically.
    wh.build(vars_=json.dumps(VARS))
    second_serving = _serving(wh)
    assert set(second_serving.values()).isdisjoint(first_serving.values())
    boosters = dict(
        wh.query(
            "select m.group_id, m.booster_json from ml_models as m "
            "join ml_serving_models using (model_id)"
        )
    )
    params = dict(
        wh.query(
            "select m.group_id, m.hyperparameters from ml_models as m "
            "join ml_serving_models using (model_id)"
        )
    )
    assert params == first_params
    for campaign, booster in boosters.items():
        assert booster == first_boosters[campaign], campaign
    assert _predictions(wh) == first_predictions
    statuses = {
        m: (s, c) for m, s, c in wh.query("select model_id, status, status_code from ml_models")
    }
    assert all(statuses[m] == ("retired", "replaced") for m in first_serving.values())

    # A gate no model can pass: new models are rejected, the champions keep serving.
    # Training reads its settings (vars applied) from ml_model_specs, so that is rebuilt too.
    gate = json.dumps({**VARS, "max_hamming_loss": 0.0001})
    wh.build("--select", "ml_model_specs", "ml_models+", vars_=gate)
    # Every campaign of that build (one invocation id), not only the last one trained.
    latest = wh.query(
        "select group_id, status, status_code, status_reason from ml_models where invocation_id = "
        "(select invocation_id from ml_models order by trained_at desc limit 1)"
    )
    assert sorted(g for g, _, _, _ in latest) == sorted(first_serving)
    assert all(status == "rejected" for _, status, _, _ in latest)
    assert all(code == "failed_gate" for _, _, code, _ in latest)
    assert all("limit" in reason for _, _, _, reason in latest)
    assert _serving(wh) == second_serving
    assert _predictions(wh) == first_predictions
    n_models = wh.query("select count(*) from ml_models")[0][0]
    assert n_models == 3 * len(first_serving)  # nothing was ever deleted

    # Rollback: pin one campaign to its first (now retired) model; the other keeps
    # its champion.
    campaign, old_model = sorted(first_serving.items())[0]
    wh.build("--select", "ml_serving_models+", vars_=json.dumps(pin_vars(campaign, old_model)))
    serving = wh.query(
        "select group_id, model_id, serving_reason from ml_serving_models where model_name = ?",
        [MODEL],
    )
    assert (campaign, old_model, "pinned") in serving
    others = [(g, m, r) for g, m, r in serving if g != campaign]
    assert others and all((m, r) == (second_serving[g], "champion") for g, m, r in others)
    # A request is scored once: every prediction still comes from the model that
    # served when it was first scored (the first champions), whatever serves now.
    assert _prediction_models(wh) == first_serving
    # A re-score applies what serves now: the pin for its campaign, the champion elsewhere.
    wh.build(
        "--select",
        "ml_serving_models+",
        vars_=json.dumps({**pin_vars(campaign, old_model), "rescore_requests": True}),
    )
    assert _prediction_models(wh) == {**second_serving, campaign: old_model}
    assert _predictions(wh) == first_predictions  # identical boosters, identical answers


def pin_vars(campaign, model_id):
    return {**VARS, "pinned_models": {MODEL: {campaign: model_id}}}


def _prediction_models(wh):
    """{campaign: the one model id} of offer_predictions (fails if a campaign has more)."""
    rows = wh.query(
        "select campaign_id, any_value(model_id), count(distinct model_id) from offer_predictions "
        "where model_id is not null group by campaign_id"
    )
    assert all(n == 1 for _, _, n in rows), rows
    return {campaign: model_id for campaign, model_id, _ in rows}


def _compile_serving(wh, pinned):
    return wh.dbt(
        "compile",
        "--select",
        "ml_serving_models",
        "--vars",
        json.dumps({"pinned_models": pinned}),
        check=False,
    )


def test_pinning_a_value_that_is_not_a_uuid_is_refused(lifecycle):
    group = lifecycle.query("select min(group_id) from ml_models")[0][0]
    proc = _compile_serving(lifecycle, {MODEL: {group: "x'; drop table ml_models; --"}})
    assert proc.returncode != 0
    assert "is not a UUID" in proc.stdout
    assert lifecycle.query("select count(*) from ml_models")[0][0] > 0


def test_pinning_an_unknown_model_name_or_the_old_shape_is_refused(lifecycle):
    model_id = lifecycle.query("select min(model_id) from ml_models")[0][0]
    group = lifecycle.query("select min(group_id) from ml_models")[0][0]
    unknown = _compile_serving(lifecycle, {"x'; drop table ml_models; --": {group: model_id}})
    assert unknown.returncode != 0
    assert "is not a model spec of this build" in unknown.stdout
    # The pre-spec shape {campaign_id: model_id}: the campaign is not a model name.
    old_shape = _compile_serving(lifecycle, {group: model_id})
    assert old_shape.returncode != 0
    assert "is not a model spec of this build" in old_shape.stdout


def test_a_pinned_group_id_is_quoted(lifecycle):
    """Group ids are free text: quoted into the SQL, never spliced."""
    model_id = lifecycle.query("select min(model_id) from ml_models")[0][0]
    proc = _compile_serving(lifecycle, {MODEL: {"x'; drop table ml_models; --": model_id}})
    assert proc.returncode == 0, proc.stdout[-3000:]
    compiled = (
        lifecycle.path.parent
        / "target"
        / "compiled"
        / "warehouse_ml"
        / "models"
        / "marts"
        / "registry"
        / "ml_serving_models.sql"
    ).read_text()
    assert "'x''; drop table ml_models; --'" in compiled


def test_explicit_feature_vectors_are_validated_per_request(lifecycle):
    wh = lifecycle
    model = wh.frame(
        "select m.* from ml_models as m join ml_serving_models using (model_id) "
        "order by m.model_name, m.group_id limit 1"
    ).iloc[0]
    n_features = len(json.loads(model["feature_columns"]))
    # The raw features of an already scored request, written out as an explicit vector.
    request_id = wh.query(
        "select request_id from offer_predictions where model_id = ? order by request_id limit 1",
        [model["model_id"]],
    )[0][0]
    values = dict(
        wh.query(
            "select feature_index, value from int_scoring_features "
            "where model_name = ? and request_id = ?",
            [model["model_name"], request_id],
        )
    )
    vector = ",".join(
        "" if values.get(i, 0.0) is None else repr(float(values.get(i, 0.0)))
        for i in range(n_features)
    )
    campaign = model["group_id"]
    lines = [
        {"id": "00000000-0000-4000-8000-000000000001", "campaign": campaign, "input": vector},
        {"id": "00000000-0000-4000-8000-000000000002", "campaign": campaign, "input": "1,2,3"},
        {
            "id": "00000000-0000-4000-8000-000000000003",
            "campaign": campaign,
            "input": ",".join(["0"] * (n_features - 1) + ["abc"]),
        },
    ]
    (wh.requests / "explicit.json").write_text("".join(json.dumps(x) + "\n" for x in lines))
    wh.build("--select", "ingest_file_manifest+", "--exclude", "ml_models", vars_=json.dumps(VARS))
    rows = dict(
        (r[0], r[1:])
        for r in wh.query(
            "select request_id, predicted_offer_id, probability, scoring_error from offer_predictions "
            "where request_id like '00000000-%'"
        )
    )
    same = wh.query(
        "select predicted_offer_id, probability from offer_predictions where request_id = ?",
        [request_id],
    )[0]
    assert rows["00000000-0000-4000-8000-000000000001"][:2] == pytest.approx(same)
    assert (
        rows["00000000-0000-4000-8000-000000000002"][2]
        == f"input has 3 values, the model expects {n_features}"
    )
    assert (
        rows["00000000-0000-4000-8000-000000000003"][2]
        == f"input value {n_features} is not a number"
    )
