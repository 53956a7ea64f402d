"""ml_prediction_log: every prediction served is kept, each request logged once
unless a re-score is asked for, and new requests add only their own rows."""

from __future__ import annotations

import json

import pytest
from conftest import FAST_VARS, Warehouse, sample_warehouse

pytestmark = pytest.mark.dbt

#: Only what scoring needs: the log, the explanations and their upstream models.
SELECT = ["-s", "+ml_prediction_log", "+ml_explanations"]


def logged(wh: Warehouse) -> list[tuple]:
    return wh.query(
        "select model_name, request_id, invocation_id from ml_prediction_log order by all"
    )


@pytest.fixture(scope="module")
def wh(make_warehouse) -> Warehouse:
    wh = sample_warehouse(make_warehouse, "prediction_log", n_events=3_000, n_requests=200, seed=9)
    wh.build(*SELECT)
    return wh


def test_the_first_build_logs_every_scored_request_with_its_model(wh: Warehouse) -> None:
    scored = wh.query(
        "select model_name, request_id, model_id, predicted_label, probability "
        "from ml_predictions where scoring_error is null order by all"
    )
    rows = wh.query(
        "select model_name, request_id, model_id, predicted_label, probability "
        "from ml_prediction_log order by all"
    )
    assert len(scored) > 100 and rows == scored
    engines = wh.query(
        "select distinct log.scoring_engine, log.fitted_state_id = models.fitted_state_id "
        "from ml_prediction_log as log join ml_models as models using (model_id)"
    )
    assert engines == [("xgboost", True)]


def scorings(wh: Warehouse, history: str) -> dict[tuple, int]:
    """How many times each (model name, request) was scored into ``history``."""
    rows = wh.query(
        f"select model_name, request_id, count(distinct scored_at) from {history} group by all"
    )
    return {(m, r): n for m, r, n in rows}


HISTORIES = ("ml_scores_xgboost", "ml_scores_sql", "ml_explanation_history")


def test_a_rebuild_adds_only_new_requests_and_rescoring_adds_rows(wh: Warehouse) -> None:
    before = logged(wh)
    scored_once = {h: scorings(wh, h) for h in HISTORIES}
    assert all(n == 1 for h in HISTORIES for n in scored_once[h].values())
    current = wh.query("select count(*) from ml_scores")[0][0]
    wh.build(*SELECT)
    assert logged(wh) == before  # the same requests: nothing new is logged
    # ... and nothing is scored or explained again: every history is unchanged.
    assert {h: scorings(wh, h) for h in HISTORIES} == scored_once
    assert wh.query("select count(*) from ml_scores")[0][0] == current

    scored_ids = {r[1] for r in before}
    lines = (wh.requests / "requests.json").read_text().splitlines()
    # A copy of a request that was scored (its campaign has a champion), under new ids.
    first = next(r for r in map(json.loads, lines) if r["id"] in scored_ids)
    new = [{**first, "id": f"00000000-0000-4000-8000-00000000900{n}"} for n in range(3)]
    (wh.requests / "more.json").write_text("".join(json.dumps(r) + "\n" for r in new))
    wh.build(*SELECT)
    after = logged(wh)
    added = sorted(set(after) - set(before))
    assert set(before) <= set(after)
    assert sorted(r[1] for r in added) == sorted(r["id"] for r in new)
    for history in HISTORIES:  # only the new requests were scored
        grown = scorings(wh, history)
        assert {k: n for k, n in grown.items() if k not in scored_once[history]} == {
            (r[0], r[1]): 1 for r in added
        }, history
        assert {k: grown[k] for k in scored_once[history]} == scored_once[history], history

    wh.build(*SELECT, vars_=wh_vars("rescore_requests: true"))
    rescored = logged(wh)
    assert len(rescored) == 2 * len(after)  # every current prediction again, new rows
    assert set(after) <= set(rescored)
    for history in HISTORIES:  # every request scored a second time, the first kept
        assert set(scorings(wh, history).values()) == {2}, history
    latest = wh.query(
        "select distinct p.invocation_id = s.invocation_id, p.scored_at = s.scored_at "
        "from ml_predictions as p join ml_scores as s using (model_name, request_id)"
    )
    assert latest == [(True, True)]
    # Asking again without scoring again logs nothing twice.
    wh.build("-s", "ml_prediction_log", vars_=wh_vars("rescore_requests: true"))
    assert logged(wh) == rescored
    # The current predictions are the re-scoring's, logged under its invocation.
    shown = wh.query(
        "select distinct invocation_id from ml_predictions where scoring_error is null"
    )
    assert {r[2] for r in set(rescored) - set(after)} == {shown[0][0]} and len(shown) == 1


def test_a_bad_rescore_var_is_refused(wh: Warehouse) -> None:
    proc = wh.dbt("build", *SELECT, "--vars", wh_vars("rescore_requests: maybe"), check=False)
    assert proc.returncode != 0
    assert "var rescore_requests must be true or false" in proc.stdout


def wh_vars(extra: str) -> str:
    return FAST_VARS.replace("}", f", {extra}}}")


def test_a_build_stopped_after_scoring_loses_and_doubles_nothing(wh: Warehouse) -> None:
    """A build that ends after the scorers wrote their histories (as a killed one
    would) leaves the log and the current tables behind; the next build logs each
    new request once, with the scoring that was kept, and scores nothing again."""
    lines = (wh.requests / "requests.json").read_text().splitlines()
    known = {r[1] for r in logged(wh)}
    template = next(r for r in map(json.loads, lines) if r["id"] in known)
    late = sorted(f"00000000-0000-4000-8000-0000000091{n:02d}" for n in range(4))
    (wh.requests / "late.json").write_text(
        "".join(json.dumps({**template, "id": i}) + "\n" for i in late)
    )
    before = logged(wh)
    wh.build("-s", "+ml_scores_xgboost", "+ml_scores_sql", "+ml_explanation_history")
    assert logged(wh) == before  # the build "stopped" before the log
    marks = ", ".join("?" * len(late))
    kept = wh.query(
        "select request_id, any_value(invocation_id), any_value(scored_at) "
        f"from ml_scores_xgboost where request_id in ({marks}) group by all order by 1",
        late,
    )
    assert [r[0] for r in kept] == late

    wh.build(*SELECT)
    added = sorted(set(logged(wh)) - set(before))
    assert sorted(r[1] for r in added) == late  # each once
    log = wh.query(
        "select request_id, invocation_id, scored_at from ml_prediction_log "
        f"where request_id in ({marks}) order by 1",
        late,
    )
    assert log == kept  # the scoring that was kept, not a second one
    for history in HISTORIES:
        counts = scorings(wh, history)
        assert sorted(k[1] for k, n in counts.items() if n == 1) == late, history
        assert all(n == 2 for k, n in counts.items() if k[1] not in late), history
