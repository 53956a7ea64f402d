"""ml_realised_outcomes: conversions whose id is a scored request's id settle that
request's served prediction; the table's counts and losses equal a count made
here with scikit-learn from the log and the landed records, and the warn test
fires only when the realised loss leaves the binomial bound of the test loss."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from conftest import FAST_VARS, Warehouse, write_jsonl
from sklearn.metrics import accuracy_score, hamming_loss

from warehouse_ml.generator import GeneratorConfig, write_sample

pytestmark = pytest.mark.dbt

SELECT = ["-s", "+ml_realised_outcomes"]
WARN_TEST = "assert_realised_loss_within_test_bound"
Z = 3.09  # the realised_loss_z default


@pytest.fixture(scope="module")
def wh(make_warehouse) -> Warehouse:
    wh = make_warehouse("realised_outcomes")
    wh.meta = write_sample(
        wh.path.parent / "sample", GeneratorConfig(n_events=3_000, n_requests=600, seed=21)
    )
    wh.landing = wh.path.parent / "sample" / "landing"
    wh.requests = wh.path.parent / "sample" / "requests"
    wh.build(*SELECT)
    return wh


def served(wh: Warehouse) -> pd.DataFrame:
    """The first logged prediction of every offer request (nothing is re-scored here)."""
    return wh.frame(
        "select request_id, group_id, model_id, predicted_label, scored_at "
        "from ml_prediction_log where model_name = 'offer_conversion' "
        "qualify row_number() over (partition by request_id order by scored_at) = 1 "
        "order by request_id"
    )


def land_outcomes(wh: Warehouse, name: str, predictions: pd.DataFrame, right: list[bool]) -> None:
    """Conversion records for the requests of ``predictions``: the request's own
    fields plus the predicted offer where ``right``, another offer of the campaign
    where not."""
    requests = {
        r["id"]: r
        for r in map(json.loads, (wh.requests / "requests.json").read_text().splitlines())
    }
    offers = wh.meta["campaigns"]
    records = []
    for row, is_right in zip(predictions.itertuples(), right, strict=True):
        other = next(o for o in offers[row.group_id]["offers"] if o != row.predicted_label)
        offer = row.predicted_label if is_right else other
        records.append({**requests[row.request_id], "offer": offer})
    write_jsonl(wh.landing / f"{name}.json", records)


def landed(wh: Warehouse) -> pd.DataFrame:
    """Every outcome record landed by this module, as (request_id, offer)."""
    rows = []
    for path in sorted(wh.landing.glob("outcomes_*.json")):
        rows += [
            {"request_id": r["id"], "offer": r["offer"]}
            for r in map(json.loads, path.read_text().splitlines())
        ]
    return pd.DataFrame(rows)


def expected(wh: Warehouse, log: pd.DataFrame) -> pd.DataFrame:
    """Per serving model: n, accuracy and Hamming loss by scikit-learn, the test loss
    from the registry's metrics JSON and the bound, computed independently."""
    joined = log.merge(landed(wh), on="request_id")
    metrics = {
        model_id: json.loads(text)["test"]
        for model_id, text in wh.query("select model_id, metrics from ml_models")
    }
    out = []
    for (group_id, model_id), rows in joined.groupby(["group_id", "model_id"]):
        n, test = len(rows), metrics[model_id]
        p, n_test = test["hamming_loss"], test["n_rows"]
        bound = p + Z * math.sqrt(p * (1 - p) * (1 / n + 1 / n_test)) + 0.5 / n
        loss = hamming_loss(rows.offer, rows.predicted_label)
        out.append(
            {
                "group_id": group_id,
                "model_id": model_id,
                "n_outcomes": n,
                "accuracy": accuracy_score(rows.offer, rows.predicted_label),
                "realised_hamming_loss": loss,
                "test_hamming_loss": p,
                "loss_upper_bound": bound,
                "is_worse_than_test": loss > bound,
            }
        )
    return pd.DataFrame(out).sort_values(["group_id", "model_id"]).reset_index(drop=True)


def realised(wh: Warehouse) -> pd.DataFrame:
    frame = wh.frame(
        "select group_id, model_id, n_outcomes, accuracy, realised_hamming_loss, "
        "test_hamming_loss, loss_upper_bound, is_worse_than_test, outcome_date "
        "from ml_realised_outcomes where model_name = 'offer_conversion' "
        "order by group_id, model_id"
    )
    assert frame.outcome_date.nunique() <= 1  # every outcome landed today
    return frame.drop(columns="outcome_date")


def warn_status(wh: Warehouse) -> str:
    results = json.loads((wh.path.parent / "target" / "run_results.json").read_text())
    statuses = [r["status"] for r in results["results"] if WARN_TEST in r["unique_id"]]
    assert len(statuses) == 1, statuses
    return statuses[0]


def check_against_reference(wh: Warehouse, log: pd.DataFrame) -> pd.DataFrame:
    got, want = realised(wh), expected(wh, log)
    assert len(got) == len(want) > 0
    pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-9)
    return got


def test_no_outcome_yet_means_an_empty_table(wh: Warehouse) -> None:
    assert wh.query("select count(*) from ml_realised_outcomes") == [(0,)]
    assert warn_status(wh) == "pass"


def test_right_outcomes_pass_mixed_ones_are_counted_and_wrong_ones_warn(wh: Warehouse) -> None:
    log = served(wh)
    assert len(log) > 300
    first, mixed, wrong = log.iloc[:40], log.iloc[40:140], log.iloc[140:]

    land_outcomes(wh, "outcomes_1", first, [True] * len(first))
    wh.build(*SELECT)
    got = check_against_reference(wh, log)
    assert (got.accuracy == 1).all() and not got.is_worse_than_test.any()
    assert warn_status(wh) == "pass"

    # Half of them right: the counts still match scikit-learn's on the same rows.
    land_outcomes(wh, "outcomes_2", mixed, [i % 2 == 0 for i in range(len(mixed))])
    wh.build(*SELECT)
    got = check_against_reference(wh, log)
    assert got.n_outcomes.sum() == len(first) + len(mixed)
    assert warn_status(wh) == ("warn" if got.is_worse_than_test.any() else "pass")

    # The remaining requests all wrong: far more misses than the test loss explains.
    land_outcomes(wh, "outcomes_3", wrong, [False] * len(wrong))
    proc = wh.build(*SELECT)  # wh.build asserts dbt's exit code 0: a warning is not an error
    got = check_against_reference(wh, log)
    assert got.is_worse_than_test.all()
    assert warn_status(wh) == "warn"
    assert WARN_TEST in proc.stdout


def test_a_rescored_request_is_settled_by_its_prediction_before_the_outcome(
    wh: Warehouse,
) -> None:
    before = realised(wh)
    wh.build(*SELECT, vars_=FAST_VARS.replace("}", ", rescore_requests: true}"))
    # The new rows were logged after every outcome landed: nothing changes.
    pd.testing.assert_frame_equal(realised(wh), before)
