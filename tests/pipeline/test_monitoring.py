"""Monitoring on real DuckDB builds: history, drift, EDA and exports.

One warehouse is built three times (see :func:`build_monitoring_warehouse`):
two builds over the same sample, then one whose new scoring requests come from
a shifted user distribution. The SQL results are checked against independent
references: ``warehouse_ml.metrics.metrics_to_rows`` for the metric rows,
``scipy.stats.entropy`` on the very histograms the SQL used, ``reference.drift``
and numpy on the raw values, and numpy/pandas for the EDA tables.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from conftest import OFFER_EXAMPLES
from scipy import stats

from warehouse_ml.generator import GeneratorConfig, generate_requests, write_sample
from warehouse_ml.metrics import metrics_to_rows

from reference.drift import (
    categorical_histograms,
    gaussian_kl,
    kl_divergence,
    numeric_histograms,
)

pytestmark = pytest.mark.dbt

ROOT = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))
SEED = 11
N_EVENTS = 12_000
N_REQUESTS = 3_000
CATEGORICAL = ("country", "dos", "dtype", "dbrowser")
NUMERIC = ("long", "lat")
KL_TOLERANCE = 1e-9
MODEL = "offer_conversion"


@dataclass
class MonitoringWarehouse:
    """A DuckDB file built three times: two plain builds, then shifted requests."""

    base: Path
    path: Path
    exports: Path
    sessions: list[str] = field(default_factory=list)
    run_results: list[dict] = field(default_factory=list)

    def env(self, requests: Path, target: Path) -> dict[str, str]:
        """dbt's environment: our DuckDB file, landing folders and target/log folders."""
        return {
            **os.environ,
            "WML_TARGET": "duckdb",
            "WML_DUCKDB_PATH": str(self.path),
            "WML_LANDING_DIR": str(self.base / "sample" / "landing"),
            "WML_REQUESTS_DIR": str(requests),
            "WML_EVENTS_DIR": str(self.base / "no_events"),
            # Own target/ and logs/: other dbt runs in the project must not clobber ours.
            "DBT_TARGET_PATH": str(target),
            "DBT_LOG_PATH": str(target / "logs"),
        }

    @property
    def vars(self) -> str:
        return (
            "{hpo_trials: 1, num_boost_round: 40, early_stopping_rounds: 10, "
            f"exports_dir: '{self.exports}'}}"
        )

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).df()

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def _dbt(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run dbt in the project; on failure show its output in the assertion."""
    proc = subprocess.run([DBT, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{proc.stdout[-8000:]}\n{proc.stderr}")
    return proc


def _write_shifted_requests(folder: Path) -> None:
    """Requests from the shifted user distribution (generator ``shift=1.0``) of the
    same campaigns, with fresh ids: the generator derives request ids from the
    seed alone, so without new ids they would be rejected as duplicates."""
    cfg = GeneratorConfig(n_events=N_EVENTS, n_requests=N_REQUESTS, seed=SEED, shift=1.0)
    frame = generate_requests(cfg)
    frame["id"] = [str(uuid.uuid5(uuid.NAMESPACE_URL, f"shifted:{i}")) for i in frame["id"]]
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_json(folder / "requests_shifted.json", orient="records", lines=True, force_ascii=False)


def build_monitoring_warehouse(base: Path) -> MonitoringWarehouse:
    """Build (once per pytest session; later calls reuse it) the three-session warehouse.

    Session 1 and 2: the generated sample, same requests. Session 3: the same
    events plus a batch of shifted requests (a new requests folder).
    """
    wh = MonitoringWarehouse(base=base, path=base / "warehouse.duckdb", exports=base / "exports")
    marker = base / "sessions.json"
    if marker.exists():
        saved = json.loads(marker.read_text())
        wh.sessions, wh.run_results = saved["sessions"], saved["run_results"]
        return wh
    base.mkdir(parents=True, exist_ok=True)
    write_sample(
        base / "sample", GeneratorConfig(n_events=N_EVENTS, n_requests=N_REQUESTS, seed=SEED)
    )
    _write_shifted_requests(base / "shifted" / "requests")
    plan = [
        base / "sample" / "requests",
        base / "sample" / "requests",
        base / "shifted" / "requests",
    ]
    for n, requests in enumerate(plan, start=1):
        target = base / f"target_{n}"
        print(f"[test_monitoring] build {n}/3 (requests from {requests.parent.name})", flush=True)
        _dbt(["build", "--vars", wh.vars], wh.env(requests, target))
        results = json.loads((target / "run_results.json").read_text())
        wh.sessions.append(results["metadata"]["invocation_id"])
        wh.run_results.append(
            {r["unique_id"]: r["status"] for r in results["results"]},
        )
    marker.write_text(json.dumps({"sessions": wh.sessions, "run_results": wh.run_results}))
    return wh


@pytest.fixture(scope="session")
def monitoring_warehouse(tmp_path_factory: pytest.TempPathFactory) -> MonitoringWarehouse:
    """The three-session warehouse, shared with test_report.py within a pytest run."""
    return build_monitoring_warehouse(tmp_path_factory.getbasetemp() / "monitoring_warehouse")


@pytest.fixture
def wh(monitoring_warehouse: MonitoringWarehouse) -> MonitoringWarehouse:
    """The shared warehouse under the short name every test here reads it by."""
    return monitoring_warehouse


# --------------------------------------------------------------------------------------
# History tables
# --------------------------------------------------------------------------------------
def test_every_build_appends_one_session(wh: MonitoringWarehouse) -> None:
    for table in ("ml_metrics", "ml_drift", "ml_prediction_stats"):
        got = wh.rows(f"select invocation_id from {table} group by 1 order by min(recorded_at)")
        assert [r[0] for r in got] == wh.sessions, table
    # recorded_at is the session's start: one value per session in every table.
    per_session = wh.rows(
        """
        select invocation_id, count(distinct recorded_at) from (
            select invocation_id, recorded_at from ml_metrics
            union all select invocation_id, recorded_at from ml_drift
            union all select invocation_id, recorded_at from ml_prediction_stats
        ) group by 1
        """
    )
    assert all(n == 1 for _, n in per_session)


def test_metric_rows_match_metrics_to_rows(wh: MonitoringWarehouse) -> None:
    models = wh.frame("select model_id, invocation_id, metrics from ml_models")
    metrics = {r.model_id: json.loads(r.metrics) for r in models.itertuples() if r.metrics}
    trained_in = dict(zip(models.model_id, models.invocation_id, strict=True))
    history = wh.frame("select * from ml_metrics")
    for session in wh.sessions:
        rows = history[history.invocation_id == session]
        recorded = set(rows.model_id)
        trained = {m for m, inv in trained_in.items() if inv == session and m in metrics}
        assert trained <= recorded, "every model trained in the session is recorded"
        groups = set(zip(rows.model_name, rows.group_id, strict=True))
        serving = rows[rows.is_serving]
        assert set(zip(serving.model_name, serving.group_id, strict=True)) == groups
        assert (rows.campaign_id == rows.group_id).all()
        for model_id in recorded:
            got = {
                (r.split, r.metric): r.value for r in rows[rows.model_id == model_id].itertuples()
            }
            expected = {
                (row["split"], row["metric"]): row["value"]
                for split, values in metrics[model_id].items()
                for row in metrics_to_rows(values, split)
            }
            assert got == expected, model_id
            assert rows[rows.model_id == model_id].is_trained_in_session.all() == (
                trained_in[model_id] == session
            )


def test_latest_metrics_view_holds_the_newest_value(wh: MonitoringWarehouse) -> None:
    latest = wh.frame("select * from ml_metrics_latest")
    history = wh.frame("select * from ml_metrics")
    newest = (
        history.sort_values(["recorded_at", "invocation_id"])
        .groupby(["model_id", "split", "metric"], as_index=False)
        .last()
    )
    merged = newest.merge(latest, on=["model_id", "split", "metric"], suffixes=("_h", "_v"))
    assert len(merged) == len(latest) == len(newest)
    assert (merged.invocation_id_h == merged.invocation_id_v).all()
    assert np.allclose(merged.value_h, merged.value_v, rtol=0, atol=0)
    serving = {r[0] for r in wh.rows("select model_id from ml_serving_models")}
    assert set(latest[latest.is_serving].model_id) == serving


def test_full_refresh_keeps_the_history(wh: MonitoringWarehouse, tmp_path: Path) -> None:
    """`--full-refresh` on the history tables adds a session and drops nothing
    (run on a copy, so the shared warehouse keeps its three sessions)."""
    copy = MonitoringWarehouse(base=wh.base, path=tmp_path / "copy.duckdb", exports=tmp_path)
    shutil.copy(wh.path, copy.path)
    tables = ("ml_metrics", "ml_drift", "ml_prediction_stats", "fit_numeric_bins")
    before = {t: copy.rows(f"select count(*) from {t}")[0][0] for t in tables}
    _dbt(
        ["run", "--full-refresh", "--vars", wh.vars, "-s", *tables],
        copy.env(wh.base / "shifted" / "requests", tmp_path / "target"),
    )
    placeholders = ", ".join("?" for _ in wh.sessions)
    for table in tables:
        key = "fitted_state_id" if table.startswith("fit_") else "invocation_id"
        kept = copy.rows(
            f"select count(*) from {table} where {key} in ({placeholders})", wh.sessions
        )[0][0]
        assert kept == before[table], table
    sessions = copy.rows("select count(distinct invocation_id) from ml_metrics")[0][0]
    assert sessions == len(wh.sessions) + 1


# --------------------------------------------------------------------------------------
# Drift
# --------------------------------------------------------------------------------------
def _current_requests(wh: MonitoringWarehouse, model_id: str | None = None) -> pd.DataFrame:
    """ml_drift_requests of the offer model pivoted back to one row per request
    (index request_id; group_id and one column per input)."""
    where, params = "model_name = ?", [MODEL]
    if model_id is not None:
        where, params = where + " and model_id = ?", [*params, model_id]
    long = wh.frame(f"select * from ml_drift_requests where {where}", params)
    categories = long[long.feature_kind == "categorical"].pivot(
        index="request_id", columns="feature", values="category"
    )
    numbers = long[long.feature_kind == "numeric"].pivot(
        index="request_id", columns="feature", values="feature_value"
    )
    groups = long.drop_duplicates("request_id").set_index("request_id").group_id
    wide = pd.concat([groups, categories, numbers], axis=1)
    wide.columns.name = None
    return wide.sort_index()


def test_feature_kl_matches_scipy_on_the_sql_histograms(wh: MonitoringWarehouse) -> None:
    session = wh.sessions[-1]
    hist = wh.frame("select * from ml_drift_histograms")
    assert set(hist.invocation_id) == {session}
    drift = wh.frame(
        "select * from ml_drift where invocation_id = ? and kind = 'feature'", [session]
    )
    assert len(drift) == hist.groupby(["model_id", "feature"]).ngroups > 0
    for row in drift.itertuples():
        buckets = hist[(hist.model_id == row.model_id) & (hist.feature == row.feature)]
        s = buckets.smoothing.iloc[0]
        expected = stats.entropy(buckets.n_current + s, buckets.n_reference + s)
        assert row.kl_divergence == pytest.approx(expected, abs=KL_TOLERANCE), row.feature
        assert row.n_current == buckets.n_current.sum()
        # The normalised columns are what scipy normalises internally.
        p = (buckets.n_current + s) / (buckets.n_current + s).sum()
        assert np.allclose(buckets.p_current, p, rtol=0, atol=1e-12)


def test_the_scipy_check_can_fail(wh: MonitoringWarehouse) -> None:
    """Meant to fail: one request moved to another bucket changes the KL by more
    than the tolerance, so the comparison above would catch an off-by-one."""
    hist = wh.frame(
        "select * from ml_drift_histograms where feature = 'country' order by model_id, bucket"
    )
    one = hist[hist.model_id == hist.model_id.iloc[0]]
    counts = one.n_current.to_numpy(dtype=float)
    moved = counts.copy()
    top = int(np.argmax(moved))
    moved[top] -= 1
    moved[(top + 1) % len(moved)] += 1
    s = one.smoothing.iloc[0]
    ref = one.n_reference.to_numpy(dtype=float) + s
    assert abs(stats.entropy(moved + s, ref) - stats.entropy(counts + s, ref)) > KL_TOLERANCE


def test_feature_kl_matches_the_python_reference_on_raw_values(wh: MonitoringWarehouse) -> None:
    """Same binning rules as reference.drift: categories from the training
    split plus unseen and missing buckets, numeric cut points at the training
    deciles (bit for bit), smoothing 1."""
    session = wh.sessions[-1]
    drift = wh.frame(
        "select * from ml_drift where invocation_id = ? and kind = 'feature'", [session]
    )
    serving = wh.frame(
        "select model_id, group_id, fitted_state_id from ml_serving_models where model_name = ?",
        [MODEL],
    )
    assert len(serving) > 0
    for model in serving.itertuples():
        current = _current_requests(wh, model.model_id)
        train = wh.frame(
            f"select * from ({OFFER_EXAMPLES}) where split = 'train' and campaign_id = ?",
            [model.group_id],
        )
        assert len(current) > 0 and len(train) > 0

        def sql_kl(feature: str, model_id: str = model.model_id) -> float:
            hit = drift[(drift.model_id == model_id) & (drift.feature == feature)]
            assert len(hit) == 1, feature
            return float(hit.kl_divergence.iloc[0])

        for column in CATEGORICAL:
            p, q, _ = categorical_histograms(current[column], train[column], smoothing=1.0)
            assert sql_kl(column) == pytest.approx(kl_divergence(p, q), abs=KL_TOLERANCE)
        for column in NUMERIC:
            p, q, edges = numeric_histograms(current[column], train[column], n_bins=10)
            assert sql_kl(column) == pytest.approx(kl_divergence(p, q), abs=KL_TOLERANCE)
            cuts = wh.rows(
                """
                select lower_edge from fit_numeric_bins
                where fitted_state_id = ? and model_name = ? and group_id = ? and column_name = ?
                  and lower_edge is not null order by bin_index
                """,
                [model.fitted_state_id, MODEL, model.group_id, column],
            )
            assert np.array_equal(np.array([c[0] for c in cuts]), edges[1:-1]), column


def test_numeric_bins_hold_the_training_split(wh: MonitoringWarehouse) -> None:
    bins = wh.frame(
        """
        select bins.* from fit_numeric_bins as bins
        inner join fit_current_states as states
            on bins.fitted_state_id = states.fitted_state_id
           and bins.model_name = states.model_name
           and bins.group_id = states.group_id
        where bins.model_name = ?
        """,
        [MODEL],
    )
    assert set(bins.column_name) == set(NUMERIC)
    train = wh.frame(f"select campaign_id, long, lat from ({OFFER_EXAMPLES}) where split = 'train'")
    for (campaign, column), group in bins.groupby(["group_id", "column_name"]):
        values = train[train.campaign_id == campaign][column].to_numpy(dtype=float)
        _, q, edges = numeric_histograms(values, values, n_bins=10, smoothing=0.0)
        counts = group.sort_values("bin_index").n_train_rows.to_numpy()
        assert counts.sum() == len(values)
        assert np.allclose(counts / len(values), q, rtol=0, atol=1e-12)
        assert group.is_missing_bin.sum() == 1
        assert len(group) == len(edges)  # value bins + the missing bucket


def test_prediction_drift_is_the_gaussian_kl_of_the_stats(wh: MonitoringWarehouse) -> None:
    stats_rows = wh.frame("select * from ml_prediction_stats")
    drift = wh.frame("select * from ml_drift where kind = 'prediction'")
    models = wh.frame("select model_id, metrics from ml_models where metrics is not null")
    test_stats = {r.model_id: json.loads(r.metrics)["test"] for r in models.itertuples()}
    assert set(drift[drift.invocation_id == wh.sessions[0]].reference) == {"test_split"}
    for row in drift.itertuples():
        of_model = (stats_rows.model_name == row.model_name) & (stats_rows.group_id == row.group_id)
        cur = stats_rows[of_model & (stats_rows.invocation_id == row.invocation_id)].iloc[0]
        if row.reference == "previous_session":
            position = wh.sessions.index(row.invocation_id)
            assert row.reference_id == wh.sessions[position - 1]
            ref = stats_rows[of_model & (stats_rows.invocation_id == row.reference_id)].iloc[0]
            mu2, sigma2 = ref.top_probability_mean, ref.top_probability_std
        else:
            t = test_stats[row.model_id]
            mu2, sigma2 = t["top_probability_mean"], t["top_probability_std"]
        expected = gaussian_kl(cur.top_probability_mean, cur.top_probability_std, mu2, sigma2)
        assert row.kl_divergence == pytest.approx(expected, rel=1e-9, abs=KL_TOLERANCE)


def test_prediction_stats_describe_the_current_batch(wh: MonitoringWarehouse) -> None:
    latest = wh.frame(
        "select * from ml_prediction_stats where invocation_id = ?", [wh.sessions[-1]]
    )
    probs = wh.frame(
        """
        select p.model_name, p.group_id, p.probability from ml_predictions as p
        inner join (select distinct model_name, request_id from ml_drift_requests) as r
            on p.model_name = r.model_name and p.request_id = r.request_id
        where p.probability is not null
        """
    )
    assert len(latest) > 0
    for row in latest.itertuples():
        values = probs[
            (probs.model_name == row.model_name) & (probs.group_id == row.group_id)
        ].probability.to_numpy()
        assert row.n_predictions == len(values)
        assert row.top_probability_mean == pytest.approx(values.mean(), abs=1e-12)
        assert row.top_probability_std == pytest.approx(values.std(), abs=1e-12)


def test_current_requests_are_the_newest_batch(wh: MonitoringWarehouse) -> None:
    current = wh.frame("select distinct request_id from ml_drift_requests")
    shifted = pd.read_json(
        wh.base / "shifted" / "requests" / "requests_shifted.json", lines=True, dtype=False
    )
    ids = set(shifted["id"].str.lower())
    assert set(current.request_id) <= ids
    assert len(current) >= 0.95 * len(ids)


def test_current_requests_hold_one_row_per_input_column(wh: MonitoringWarehouse) -> None:
    """ml_drift_requests is long: per request every input column of the spec once,
    categorical ones with the staged value as ``category``, numeric ones as
    ``feature_value``, the other value column NULL."""
    long = wh.frame("select * from ml_drift_requests where model_name = ?", [MODEL])
    assert len(long) > 0
    per_request = long.groupby("request_id").feature.agg(lambda f: tuple(sorted(f)))
    assert (per_request == tuple(sorted((*CATEGORICAL, *NUMERIC)))).all()
    kinds = dict(long[["feature", "feature_kind"]].drop_duplicates().values)
    assert kinds == {
        **dict.fromkeys(CATEGORICAL, "categorical"),
        **dict.fromkeys(NUMERIC, "numeric"),
    }
    categorical = long.feature_kind == "categorical"
    assert long[categorical].feature_value.isna().all()
    assert long[~categorical].category.isna().all()
    staged = wh.frame(
        "select request_id, campaign_id, country, dos, dtype, dbrowser, long, lat "
        "from stg_landing__requests where reject_reason is null"
    ).set_index("request_id")
    wide = _current_requests(wh)
    assert (wide.group_id == staged.loc[wide.index, "campaign_id"]).all()
    pd.testing.assert_frame_equal(
        wide[[*CATEGORICAL, *NUMERIC]],
        staged.loc[wide.index, [*CATEGORICAL, *NUMERIC]],
        check_dtype=False,
        check_names=False,
    )


def test_shifted_requests_flag_drift_and_retraining(wh: MonitoringWarehouse) -> None:
    drift = wh.frame("select * from ml_drift where kind = 'feature'")
    first, second, shifted = wh.sessions
    assert (drift.campaign_id == drift.group_id).all()
    campaigns = set(drift.group_id)
    for session in (first, second):
        calm = drift[drift.invocation_id == session]
        assert not calm.is_drifted.any(), calm[calm.is_drifted][["feature", "kl_divergence"]]
    moved = drift[drift.invocation_id == shifted]
    assert (moved.is_drifted == (moved.kl_divergence > moved.threshold)).all()
    for campaign in campaigns:
        assert moved[moved.group_id == campaign].is_drifted.any(), campaign
        # Every input's divergence grows under the shift.
        for feature in (*CATEGORICAL, *NUMERIC):
            before = drift[
                (drift.invocation_id == second)
                & (drift.group_id == campaign)
                & (drift.feature == feature)
            ].kl_divergence.iloc[0]
            after = moved[(moved.group_id == campaign) & (moved.feature == feature)]
            assert after.kl_divergence.iloc[0] > before, (campaign, feature)
    retrain = wh.frame("select * from models_needing_retraining")
    assert set(retrain.group_id) == campaigns
    assert (retrain.model_name == MODEL).all() and (retrain.campaign_id == retrain.group_id).all()
    assert (retrain.invocation_id == shifted).all()
    for row in retrain.itertuples():
        assert row.reason.startswith("KL divergence above 0.100: ")
        drifted = moved[(moved.group_id == row.group_id) & moved.is_drifted]
        assert row.n_drifted_features == len(drifted)
        assert row.max_kl_divergence == pytest.approx(drifted.kl_divergence.max())


def test_the_drift_warning_fires_only_on_the_shifted_build(wh: MonitoringWarehouse) -> None:
    statuses = [
        {k: v for k, v in results.items() if "drift_within_threshold" in k}
        for results in wh.run_results
    ]
    assert all(len(s) == 1 for s in statuses)
    assert [next(iter(s.values())) for s in statuses] == ["pass", "pass", "warn"]


# --------------------------------------------------------------------------------------
# EDA
# --------------------------------------------------------------------------------------
def test_cv_by_split_matches_numpy(wh: MonitoringWarehouse) -> None:
    eda = wh.frame("select * from eda_cv_by_split where model_name = ?", [MODEL])
    split = wh.frame(f"select campaign_id, split, long, lat from ({OFFER_EXAMPLES})")
    assert len(eda) == split.campaign_id.nunique() * len(NUMERIC)
    for row in eda.itertuples():
        cvs = {}
        for name in ("train", "test"):
            v = split[(split.campaign_id == row.group_id) & (split.split == name)][row.feature]
            v = v.dropna().to_numpy(dtype=float)
            cvs[name] = 100 * v.std(ddof=1) / v.mean()
        assert row.train_cv_percent == pytest.approx(cvs["train"], rel=1e-9)
        assert row.test_cv_percent == pytest.approx(cvs["test"], rel=1e-9)
        assert row.cv_difference == pytest.approx(abs(cvs["train"] - cvs["test"]), rel=1e-9)
        assert row.is_split_fair == (abs(cvs["train"] - cvs["test"]) < 3)


def test_iqr_outliers_match_numpy(wh: MonitoringWarehouse) -> None:
    eda = wh.frame("select * from eda_iqr_outliers where model_name = ?", [MODEL])
    split = wh.frame(f"select campaign_id, split, long, lat from ({OFFER_EXAMPLES})")
    assert len(eda) > 0
    for row in eda.itertuples():
        v = split[(split.campaign_id == row.group_id) & (split.split == row.split)][row.feature]
        v = v.dropna().to_numpy(dtype=float)
        q1, q3 = np.percentile(v, [25, 75])
        assert (row.q1, row.q3) == (q1, q3)
        low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
        assert (row.n_below, row.n_above, row.n_rows) == ((v < low).sum(), (v > high).sum(), len(v))


def test_target_distribution_and_null_rates(wh: MonitoringWarehouse) -> None:
    target = wh.frame("select * from eda_target_distribution where model_name = ?", [MODEL])
    split = wh.frame(f"select campaign_id, split, offer_id from ({OFFER_EXAMPLES})")
    expected = split.groupby(["campaign_id", "split", "offer_id"]).size()
    got = target.set_index(["group_id", "split", "label_value"]).n_rows
    got.index.names = expected.index.names
    assert got.sort_index().equals(expected.sort_index().rename("n_rows"))
    assert np.allclose(target.groupby(["group_id", "split"]).share.sum(), 1.0)

    monitored = {"city", "isp", "network", "dos_version", "dbrowser_version"}
    for dataset, staging in (
        ("training", "stg_landing__conversions where reject_reason is null"),
        ("scoring", "stg_landing__requests where reject_reason is null and feature_vector is null"),
    ):
        nulls = wh.frame(
            "select * from eda_null_rates where model_name = ? and dataset = ?", [MODEL, dataset]
        )
        staged = wh.frame(f"select * from {staging}")
        assert set(nulls.group_id) == set(staged.campaign_id), dataset
        for row in nulls.itertuples():
            col = staged[staged.campaign_id == row.group_id][row.column_name]
            assert (row.n_rows, row.n_missing) == (len(col), col.isna().sum()), row.column_name
        inputs = set(nulls[nulls.is_model_input].column_name)
        assert inputs == {*CATEGORICAL, *NUMERIC}, dataset
        assert set(nulls[~nulls.is_model_input].column_name) == monitored, dataset


def test_target_correlation_matches_numpy(wh: MonitoringWarehouse) -> None:
    """Phi / point-biserial = Pearson's r of the dense input column and the
    one-vs-rest offer indicator, on the training rows the model learns from."""
    eda = wh.frame("select * from eda_target_correlation where model_name = ?", [MODEL])
    campaign = eda.group_id.iloc[0]
    train = wh.frame(
        """
        select entity_id, label_value from int_training_labelled
        where split = 'train' and model_name = ? and group_id = ? order by entity_id
        """,
        [MODEL, campaign],
    )
    features = wh.frame(
        """
        select f.entity_id, f.feature_index, f.value from int_training_features as f
        inner join int_training_labelled as l
            on f.model_name = l.model_name and f.entity_id = l.entity_id
        where l.split = 'train' and l.model_name = ? and l.group_id = ?
        """,
        [MODEL, campaign],
    )
    rows = eda[eda.group_id == campaign]
    position = {e: i for i, e in enumerate(train.entity_id)}
    n_features = int(rows.feature_index.max()) + 1
    dense = np.zeros((len(train), n_features))
    numeric_index = set(rows[rows.feature_kind == "numeric"].feature_index)
    for i in numeric_index:
        dense[:, i] = np.nan
    for r in features.itertuples():
        dense[position[r.entity_id], r.feature_index] = np.nan if pd.isna(r.value) else r.value
    checked = 0
    for row in rows.itertuples():
        x = dense[:, row.feature_index]
        y = (train.label_value == row.label_value).to_numpy(dtype=float)
        keep = ~np.isnan(x)
        if x[keep].std() == 0 or y[keep].std() == 0:
            assert pd.isna(row.correlation)
            continue
        expected = np.corrcoef(x[keep], y[keep])[0, 1]
        assert row.correlation == pytest.approx(expected, abs=1e-9), row.feature_name
        checked += 1
    assert checked > 10


def test_rare_values_before_and_after(wh: MonitoringWarehouse) -> None:
    eda = wh.frame("select * from eda_rare_values")
    assert len(eda) > 0 and eda.is_rare.any()
    levels = wh.frame(
        """
        select levels.model_name, levels.group_id, levels.column_name, levels.category,
               levels.n_train_rows
        from fit_category_levels as levels
        inner join fit_current_states as states
            on levels.fitted_state_id = states.fitted_state_id
           and levels.model_name = states.model_name
           and levels.group_id = states.group_id
        """
    )
    key = ["model_name", "group_id", "column_name", "category"]
    merged = eda.merge(levels, on=key, how="outer")
    assert (merged.n_rows_before == merged.n_train_rows).all()
    assert (eda[eda.is_rare].n_rows_after == 0).all()  # drop mode: rare rows leave training
    kept = wh.frame(
        """
        select c.model_name, c.group_id, c.column_name, c.category, count(*) as n
        from int_training_categories as c
        inner join int_training_labelled as l
            on c.model_name = l.model_name and c.entity_id = l.entity_id
        where l.split = 'train' group by all
        """
    )
    check = eda.merge(kept, on=key, how="left").fillna(0)
    assert (check.n_rows_after == check.n).all()


# --------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "view"),
    [
        ("offer_predictions", "export_offer_predictions"),
        ("ml_predictions", "export_ml_predictions"),
        ("offer_scores", "export_offer_scores"),
        ("ml_metrics_latest", "export_ml_metrics_latest"),
    ],
)
def test_exports_are_written_as_parquet_and_csv(
    wh: MonitoringWarehouse, name: str, view: str
) -> None:
    expected = wh.frame(f"select * from {view}")
    parquet = pd.read_parquet(wh.exports / f"{name}.parquet")
    csv = pd.read_csv(wh.exports / f"{name}.csv")
    assert list(parquet.columns) == list(csv.columns) == list(expected.columns)
    assert len(parquet) == len(csv) == len(expected) > 0
    key = [c for c in expected.columns if not pd.api.types.is_float_dtype(expected[c])]
    left = parquet.sort_values(key).reset_index(drop=True)
    right = expected.sort_values(key).reset_index(drop=True)
    for column in expected.columns:
        if pd.api.types.is_float_dtype(right[column]):
            assert np.allclose(left[column], right[column], equal_nan=True), column
        else:
            assert left[column].astype(str).equals(right[column].astype(str)), column
