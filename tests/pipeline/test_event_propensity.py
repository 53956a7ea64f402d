"""The shipped propensity spec (purchase_propensity) on a generated event stream.

The generator writes, beside the log, every prediction point with the true
values of its model's window terms and its label, computed in numpy from the
events (warehouse_ml.generator.streams): the warehouse's SQL features and
labels must equal them. Then: out-of-time split, calibrated scores from both
scorers, scoring a past time recomputes the training features, hourly runs
score only active users and keep the history, realised rates per decile and
score drift against independent recomputations.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import FAST_VARS, Warehouse
from scipy.stats import entropy

from warehouse_ml.generator import GeneratorConfig, write_sample
from warehouse_ml.generator.streams import EventStreamConfig, write_stream

pytestmark = pytest.mark.dbt

ONLY = "model_specs: [purchase_propensity]"
VARS = FAST_VARS.replace("}", f", {ONLY}}}")
PAST = "2026-01-20 00:00:00"  # a grid time whose 1-day horizon has closed


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    base = tmp_path_factory.mktemp("propensity")
    write_stream(base / "stream", EventStreamConfig(n_entities=500, days=21, seed=7))
    write_sample(base / "sample", GeneratorConfig(n_events=1_000, n_requests=50, seed=3))
    wh = Warehouse(
        base / "w.duckdb",
        base / "sample" / "landing",
        base / "sample" / "requests",
        events=base / "stream" / "landing",
    )
    wh.meta = {"points": str(base / "stream" / "points" / "points.json")}
    wh.build(vars_=VARS)
    return wh


def truth_join(wh: Warehouse) -> str:
    return (
        f"from int_event_examples as e inner join read_json('{wh.meta['points']}') as p "
        "on e.entity_id = p.entity_id and e.point_time = cast(p.point_time as timestamp)"
    )


def test_features_and_labels_equal_the_generators_truth(wh: Warehouse) -> None:
    ranks = dict(wh.query("select event_type, type_rank from fit_event_type_ranks"))
    assert ranks == {"view": 1, "add_to_cart": 2, "purchase": 3}
    n, *mismatches = wh.query(
        f"""
        select count(*),
            count(*) filter (where e.type1_1h <> p.view_count_1h),
            count(*) filter (where e.type1_7d <> p.view_count_7d),
            count(*) filter (where e.type2_1d <> p.add_to_cart_count_1d),
            count(*) filter (where abs(e.type2_amount_sum_1d - p.add_to_cart_amount_1d) > 1e-6),
            count(*) filter (where e.type3_7d <> p.purchase_count_7d),
            count(*) filter (where e.label <> p.label)
        {truth_join(wh)} where e.label is not null
        """
    )[0]
    assert n > 3000
    assert mismatches == [0] * 6


def test_the_truth_check_covers_events_on_window_edges(wh: Warehouse) -> None:
    # The generator logs some events exactly at t and at t - w: the equality
    # above would fail on an inclusive/exclusive slip.
    at_edges = wh.query(
        f"""
        select count(*) from stg_events__stream as ev
        inner join (select distinct e.entity_id, e.point_time {truth_join(wh)}) as pts
            on ev.entity_id = pts.entity_id
            and ev.event_time in (pts.point_time, pts.point_time - interval 1 hour,
                                  pts.point_time - interval 1 day, pts.point_time - interval 7 day)
        """
    )[0][0]
    assert at_edges > 10


def test_the_split_is_out_of_time_and_purged(wh: Warehouse) -> None:
    bounds = dict(
        (split, (lo, hi))
        for split, lo, hi in wh.query(
            "select split, min(point_time), max(point_time) from int_event_points "
            "where split is not null group by split"
        )
    )
    horizon = np.timedelta64(1, "D")
    assert np.datetime64(bounds["train"][1]) + horizon <= np.datetime64(bounds["validation"][0])
    assert np.datetime64(bounds["validation"][1]) + horizon <= np.datetime64(bounds["test"][0])
    # The horizon equals the grid step here: the last training point's horizon
    # ends exactly where validation starts, so no point needs purging.
    labelled = wh.query("select count(*) from int_event_points where label is not null")[0][0]
    used = wh.query("select count(*) from int_event_points where split is not null")[0][0]
    assert used == labelled


def test_the_calibrated_model_serves_and_both_scorers_agree(wh: Warehouse) -> None:
    status, calibration, metrics = wh.query(
        "select status, calibration, metrics from ml_models where model_name = 'purchase_propensity'"
    )[0]
    assert status == "champion"
    assert json.loads(calibration)["method"] == "isotonic"
    test = json.loads(metrics)["test"]
    for name in ("auc", "pr_auc", "log_loss", "brier_score", "ece"):
        assert test[name] is not None and test[f"uncalibrated_{name}"] is not None
    worst = wh.query(
        """
        select max(abs(x.probability - s.probability)), count(*)
        from ml_scores_xgboost as x inner join ml_scores_sql as s
            using (model_name, request_id, class_index)
        where model_name = 'purchase_propensity'
        """
    )[0]
    assert worst[1] > 100 and worst[0] < 1e-6


def test_scoring_a_past_time_recomputes_the_training_features(wh: Warehouse) -> None:
    wh.dbt("run", "-s", "int_event_scoring_points", "--vars", f"{{{ONLY}, score_at: '{PAST}'}}")
    features = [
        c
        for (c,) in wh.query(
            "select column_name from information_schema.columns "
            "where table_name = 'int_event_scoring_points' and column_name not in "
            "('model_name', 'point_id', 'entity_id', 'point_time', 'reject_reason', 'ingested_at')"
        )
    ]
    assert "type1_7d" in features and "last_country" in features
    differ = wh.query(
        f"""
        select count(*), count(*) filter (where {
            " or ".join(f"s.{c} is distinct from e.{c}" for c in features)
        })
        from int_event_scoring_points as s inner join int_event_examples as e
            on s.entity_id = e.entity_id and s.point_time = e.point_time
        """
    )[0]
    scored = wh.query("select count(*) from int_event_scoring_points")[0][0]
    assert differ[0] == scored > 100 and differ[1] == 0


def test_hourly_runs_score_active_users_and_keep_the_history(wh: Warehouse) -> None:
    history = wh.query("select count(*) from ml_propensity_scores")[0][0]

    def score(scope: str) -> int:
        wh.dbt(
            "build",
            "-s",
            "int_event_scoring_points+",
            "--exclude",
            "test_type:unit",
            "--vars",
            f"{{{ONLY}, score_at: '{PAST}', scoring_scope: {scope}, late_data_lookback: '1 second'}}",
        )
        return wh.query(f"select count(*) from ml_propensity_scores where scored_for = '{PAST}'")[
            0
        ][0]

    hourly = score("hourly")
    active_last_hour = wh.query(
        f"""select count(distinct entity_id) from stg_events__stream
        where event_time >= timestamp '{PAST}' - interval 1 hour and event_time < '{PAST}'"""
    )[0][0]
    assert hourly == active_last_hour > 0
    daily = score("daily")
    assert daily > 5 * hourly
    assert score("daily") == daily  # the same hour again replaces, never duplicates
    assert wh.query("select count(*) from ml_propensity_scores")[0][0] == history + daily
    latest = wh.frame("select * from ml_propensity_latest")
    assert latest["entity_id"].is_unique
    assert latest["percentile"].between(0, 1).all()


def test_realised_rates_per_decile_match_the_labels(wh: Warehouse) -> None:
    deciles = wh.frame(
        f"select * from ml_propensity_deciles where scored_for = '{PAST}' order by decile"
    )
    assert list(deciles["decile"]) == list(range(1, 11))
    # The realised outcomes of the scores at PAST are the training labels of PAST.
    scored = wh.frame(
        f"""
        select s.probability, p.label from ml_propensity_scores as s
        inner join int_event_points as p
            on s.entity_id = p.entity_id and s.scored_for = p.point_time
        where s.scored_for = '{PAST}'
        order by s.probability
        """
    )
    assert scored["label"].notna().all() and len(scored) == deciles["n_scores"].sum()
    assert deciles["realised_rate"].mul(deciles["n_scores"]).sum() == scored["label"].sum()
    assert (
        abs(deciles["mean_predicted"].mul(deciles["n_scores"]).sum() - scored["probability"].sum())
        < 1e-6
    )


def test_score_drift_is_the_kl_of_the_binned_scores(wh: Warehouse) -> None:
    invocation, kl, model_id = wh.query(
        "select invocation_id, kl_divergence, model_id from ml_score_drift "
        "order by recorded_at desc limit 1"
    )[0]
    scores = np.array(
        [p for (p,) in wh.query(
            "select probability from ml_propensity_scores where invocation_id = ?", [invocation]
        )]
    )  # fmt: skip
    reference = json.loads(
        wh.query("select metrics from ml_models where model_id = ?", [model_id])[0][0]
    )["validation"]["reliability_n_rows"]
    current = np.bincount(np.minimum((scores * 10).astype(int), 9), minlength=10) + 1.0
    expected = np.array([reference[str(b)] for b in range(10)], dtype=float) + 1.0
    assert kl == pytest.approx(
        entropy(current / current.sum(), expected / expected.sum()), abs=1e-9
    )
