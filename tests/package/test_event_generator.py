"""Tests for warehouse_ml.generator.streams: format, determinism and the known truth.

The truth is checked independently of the generator's own code: labels and windowed
features are recomputed from the written event log with DuckDB SQL (half-open feature
windows ``[t - w, t)``, closed label windows ``(t, t + h]``), the true probability is
recomputed with numpy from the documented formula, and the Bayes scores are compared
with scikit-learn and with brute force.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

from warehouse_ml import cli as wml_cli
from warehouse_ml.generator import main as generator_main
from warehouse_ml.generator.streams import (
    COUNTRIES,
    EVENT_LOG_COLUMNS,
    EventStreamConfig,
    WindowTerm,
    bayes_auc,
    bayes_log_loss,
    describe_truth,
    empirical_bayes_auc,
    empirical_bayes_log_loss,
    generate_stream,
    point_columns,
    true_probability,
    write_stream,
)

CFG = EventStreamConfig(n_entities=1_500, days=21, seed=5)
SMALL = EventStreamConfig(n_entities=120, days=9, seed=3)
UTC = dt.UTC


@pytest.fixture(scope="module")
def stream():
    return generate_stream(CFG)


@pytest.fixture(scope="module")
def events(stream) -> pd.DataFrame:
    return stream.events.to_pandas()


@pytest.fixture(scope="module")
def points(stream) -> pd.DataFrame:
    return stream.points.to_pandas()


def _sql_features(events: pa.Table, points: pa.Table, cfg: EventStreamConfig) -> pd.DataFrame:
    """Every true term recomputed from the log in SQL over [t - w, t), plus the label."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.register("events", events)
    con.register("points", points)
    aggs = []
    for term in cfg.true_terms:
        when = (
            f"e.event_type = '{term.event_type}' "
            f"and e.event_time >= p.point_time - to_microseconds({term.window_us})"
        )
        if term.measure == "count":
            aggs.append(f"count(*) filter (where {when}) as {term.name}")
        else:
            aggs.append(f"coalesce(sum(e.amount) filter (where {when}), 0) as {term.name}")
    longest = max(t.window_us for t in cfg.true_terms)
    features = f"""
        select p.entity_id, p.point_time, {", ".join(aggs)}
        from points as p
        left join events as e
            on e.entity_id = p.entity_id
            and e.event_time < p.point_time
            and e.event_time >= p.point_time - to_microseconds({longest})
        group by all
    """
    labels = f"""
        select p.entity_id, p.point_time, count(e.event_id) as n_outcomes
        from points as p
        left join events as e
            on e.entity_id = p.entity_id
            and e.event_type = '{cfg.outcome_type}'
            and e.event_time > p.point_time
            and e.event_time <= p.point_time + to_microseconds({cfg.horizon_us})
        group by all
    """
    out = con.execute(
        f"select * from ({features}) join ({labels}) using (entity_id, point_time) "
        "order by point_time, entity_id"
    ).df()
    con.close()
    return out


@pytest.fixture(scope="module")
def sql(stream) -> pd.DataFrame:
    return _sql_features(stream.events, stream.points, CFG)


def _formula(points: pd.DataFrame, cfg: EventStreamConfig) -> np.ndarray:
    """The documented truth, from describe_truth() alone (reference implementation)."""
    truth = describe_truth(cfg)
    z = truth["intercept"] + points["country"].map(truth["country_coef"]).to_numpy(float)
    for term in truth["terms"]:
        z = z + term["weight"] * np.log1p(points[term["column"]].to_numpy(float))
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------------------------ determinism / format
def test_same_config_gives_identical_tables_and_files(tmp_path: Path) -> None:
    a, b = generate_stream(SMALL), generate_stream(SMALL)
    assert a.events.equals(b.events) and a.points.equals(b.points)
    other = generate_stream(dataclasses.replace(SMALL, seed=4))
    assert not other.events.equals(a.events)
    for fmt in ("json", "csv", "parquet"):
        write_stream(tmp_path / f"{fmt}1", SMALL, fmt)
        write_stream(tmp_path / f"{fmt}2", SMALL, fmt)
        for rel in (f"landing/events.{fmt}", f"points/points.{fmt}", "stream_meta.json"):
            first = (tmp_path / f"{fmt}1" / rel).read_bytes()
            assert first and first == (tmp_path / f"{fmt}2" / rel).read_bytes(), rel


def test_columns_and_types(stream, events: pd.DataFrame, points: pd.DataFrame) -> None:
    time = pa.timestamp("us", tz="UTC")
    assert stream.events.schema == pa.schema(
        [
            ("event_id", pa.string()),
            ("entity_id", pa.string()),
            ("event_time", time),
            ("event_type", pa.string()),
            ("country", pa.string()),
            ("amount", pa.float64()),
        ]
    )
    assert tuple(stream.events.column_names) == EVENT_LOG_COLUMNS
    assert tuple(stream.points.column_names) == point_columns(CFG)
    schema = stream.points.schema
    assert schema.field("point_time").type == time and schema.field("label").type == pa.int8()
    for term in CFG.true_terms:
        want = pa.int64() if term.measure == "count" else pa.float64()
        assert schema.field(term.name).type == want
    assert events["event_id"].is_unique
    assert all(uuid.UUID(v).version == 4 for v in events["event_id"].head(200))
    assert events["entity_id"].str.fullmatch(r"u\d{7}").all()
    assert set(events["event_type"]) == set(CFG.event_types)
    assert set(events["country"]) <= {c for c, _, _ in COUNTRIES}
    assert (events["amount"] > 0).all()
    assert np.allclose(events["amount"] * 100, np.rint(events["amount"] * 100))  # cents
    # every entity has one fixed country; points carry the same one
    assert (events.groupby("entity_id")["country"].nunique() == 1).all()
    by_entity = events.drop_duplicates("entity_id").set_index("entity_id")["country"]
    seen = points[points["entity_id"].isin(by_entity.index)]
    assert (seen["country"].to_numpy() == by_entity.loc[seen["entity_id"]].to_numpy()).all()
    assert set(points["label"].unique()) == {0, 1}
    assert len(points) == CFG.n_entities * CFG.n_grid


def test_times_within_span_utc_and_sorted(events: pd.DataFrame, points: pd.DataFrame) -> None:
    start = pd.Timestamp(CFG.start)
    end = start + pd.Timedelta(days=CFG.days)
    assert str(events["event_time"].dt.tz) == "UTC" and str(points["point_time"].dt.tz) == "UTC"
    assert events["event_time"].min() >= start and events["event_time"].max() < end
    assert events["event_time"].is_monotonic_increasing
    assert (events["event_time"].dt.microsecond % 1000 != 0).any()  # microsecond precision
    offsets = points["point_time"] - start
    assert (offsets % CFG.snapshot_every == pd.Timedelta(0)).all()
    assert (points["point_time"] + CFG.horizon < end).all()
    assert points["point_time"].is_monotonic_increasing


def test_written_formats_agree_with_the_tables(tmp_path: Path) -> None:
    s = generate_stream(SMALL)
    for fmt in ("json", "csv", "parquet"):
        write_stream(tmp_path / fmt, SMALL, fmt)
    lines = (tmp_path / "json/landing/events.json").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == s.events.num_rows
    assert list(records[0]) == list(EVENT_LOG_COLUMNS)
    assert isinstance(records[0]["amount"], float | int)
    assert all(r["event_time"].endswith("Z") and len(r["event_time"]) == 27 for r in records)
    parsed = pd.to_datetime([r["event_time"] for r in records], utc=True)
    assert (parsed == s.events.column("event_time").to_pandas()).all()
    assert [r["amount"] for r in records] == s.events.column("amount").to_pylist()
    pts = [json.loads(x) for x in (tmp_path / "json/points/points.json").read_text().splitlines()]
    assert [p["true_probability"] for p in pts] == s.points.column("true_probability").to_pylist()
    assert [p["label"] for p in pts] == s.points.column("label").to_pylist()
    assert pq.read_table(tmp_path / "parquet/landing/events.parquet").equals(s.events)
    assert pq.read_table(tmp_path / "parquet/points/points.parquet").equals(s.points)
    csv = pacsv.read_csv(tmp_path / "csv/landing/events.csv").to_pandas()
    assert (csv["event_time"] == s.events.column("event_time").to_pandas()).all()
    meta = json.loads((tmp_path / "json/stream_meta.json").read_text())
    assert meta["n_events"] == s.events.num_rows and meta["n_points"] == s.points.num_rows
    assert meta["bayes_auc"] == pytest.approx(bayes_auc(s.points))
    assert meta["truth"] == json.loads(json.dumps(describe_truth(SMALL)))


# ------------------------------------------------------------------------------- truth
def test_label_is_an_outcome_event_in_the_closed_horizon(events, points, sql) -> None:
    assert (sql["entity_id"].to_numpy() == points["entity_id"].to_numpy()).all()
    assert (sql["n_outcomes"].to_numpy() == points["label"].to_numpy()).all()  # 0 or exactly 1
    outcomes = events[events["event_type"] == CFG.outcome_type]
    assert len(outcomes) == points["label"].sum()  # no outcome outside a label window
    # Some outcomes sit exactly on t + h, so an open right end would lose labels.
    offset = (outcomes["event_time"] - pd.Timestamp(CFG.start)) % CFG.snapshot_every
    assert (offset == pd.Timedelta(0)).sum() > 0


def test_half_open_window_features_reproduce_the_truth(stream, points, sql) -> None:
    for term in CFG.true_terms:
        mine, theirs = points[term.name].to_numpy(float), sql[term.name].to_numpy(float)
        if term.measure == "count":
            assert (mine == theirs).all(), term.name
        else:
            np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-9, err_msg=term.name)
    # Events exactly at t exist, so an inclusive window [t - w, t] would differ.
    con = duckdb.connect()
    con.register("events", stream.events)
    con.register("points", stream.points)
    at_t = con.execute(
        "select count(*) from points p join events e "
        "on e.entity_id = p.entity_id and e.event_time = p.point_time"
    ).fetchone()[0]
    on_start = con.execute(
        "select count(*) from points p join events e on e.entity_id = p.entity_id "
        "and e.event_time = p.point_time - to_microseconds(3600000000)"
    ).fetchone()[0]
    con.close()
    assert at_t > 0 and on_start > 0


def test_true_probability_is_the_documented_formula(points: pd.DataFrame) -> None:
    p = points["true_probability"].to_numpy()
    np.testing.assert_allclose(_formula(points, CFG), p, rtol=1e-12)
    np.testing.assert_allclose(true_probability(points, CFG), p, rtol=1e-12)
    np.testing.assert_allclose(1 / (1 + np.exp(-points["true_logit"])), p, rtol=1e-12)
    with pytest.raises(KeyError):
        true_probability(points.drop(columns=[CFG.true_terms[0].name]), CFG)


def test_outcome_rate_matches_the_true_probability(points: pd.DataFrame) -> None:
    p, y = points["true_probability"].to_numpy(), points["label"].to_numpy()
    sd = np.sqrt(np.sum(p * (1 - p))) / len(p)
    assert abs(y.mean() - p.mean()) < 4 * sd
    assert 0.03 < y.mean() < 0.15
    # calibrated in every decile of p (each within 4 standard errors)
    bins = pd.qcut(p, 10, labels=False, duplicates="drop")
    for b in np.unique(bins):
        pb, yb = p[bins == b], y[bins == b]
        assert abs(yb.mean() - pb.mean()) < 4 * np.sqrt(np.sum(pb * (1 - pb))) / len(pb) + 1e-9


def test_recent_history_beats_static_attributes(points: pd.DataFrame) -> None:
    """Only point-in-time features reach the Bayes AUC; the country alone cannot."""
    entity = points["entity_id"].str[1:].astype(int)
    train, test = points[entity % 3 != 0], points[entity % 3 == 0]
    countries = sorted(points["country"].unique())

    def static(d: pd.DataFrame) -> np.ndarray:
        return pd.get_dummies(d["country"]).reindex(columns=countries, fill_value=0).to_numpy(float)

    def history(d: pd.DataFrame) -> np.ndarray:
        counts = d[[t.name for t in CFG.true_terms]].to_numpy(float)
        return np.hstack([np.log1p(counts), static(d)])

    def auc(features) -> float:
        model = LogisticRegression(max_iter=2000).fit(features(train), train["label"])
        return roc_auc_score(test["label"], model.predict_proba(features(test))[:, 1])

    a_static, a_history = auc(static), auc(history)
    a_bayes = empirical_bayes_auc(test)
    assert a_bayes > 0.7
    assert a_static < 0.62
    assert a_history > a_static + 0.1
    assert a_history <= a_bayes + 0.01  # nothing beats the truth beyond noise
    assert a_history > a_bayes - 0.02  # the true features, fitted, come close to it


# ------------------------------------------------------------------------- Bayes scores
def test_empirical_scores_equal_sklearn(points: pd.DataFrame) -> None:
    p, y = points["true_probability"], points["label"]
    assert empirical_bayes_log_loss(points) == pytest.approx(log_loss(y, p), rel=1e-12)
    assert empirical_bayes_auc(points) == pytest.approx(roc_auc_score(y, p), rel=1e-12)
    entropy = -(p * np.log(p) + (1 - p) * np.log(1 - p))
    assert bayes_log_loss(points) == pytest.approx(entropy.mean(), rel=1e-12)
    assert bayes_log_loss(pa.Table.from_pandas(points)) == bayes_log_loss(points)


def test_expected_auc_equals_brute_force_and_matches_realised_labels() -> None:
    rng = np.random.default_rng(0)
    p = np.round(rng.beta(1, 6, 400), 2).clip(0.01, 0.99)  # rounded: many ties
    frame = pd.DataFrame({"true_probability": p, "label": 0})
    num = den = 0.0
    for i in range(p.size):
        w = p[i] * (1 - p)
        w[i] = 0.0
        num += np.sum(w * ((p[i] > p) + 0.5 * (p[i] == p)))
        den += np.sum(w)
    assert bayes_auc(frame) == pytest.approx(num / den, rel=1e-12)
    # The mean empirical AUC over many label draws converges to it.
    draws = [roc_auc_score(rng.random(p.size) < p, p) for _ in range(400)]
    assert np.mean(draws) == pytest.approx(num / den, abs=0.01)


def test_expected_and_empirical_scores_agree_on_the_stream(points: pd.DataFrame) -> None:
    assert bayes_auc(points) == pytest.approx(empirical_bayes_auc(points), abs=0.02)
    assert bayes_log_loss(points) == pytest.approx(empirical_bayes_log_loss(points), rel=0.03)


# ----------------------------------------------------------------------- configuration
def test_other_event_types_horizons_and_terms() -> None:
    """A click stream: 15-minute horizon on an hourly grid, no middle funnel type."""
    cfg = EventStreamConfig(
        n_entities=300,
        days=5,
        seed=2,
        event_types=("impression", "click"),
        horizon=dt.timedelta(minutes=15),
        snapshot_every=dt.timedelta(hours=1),
        intercept=-3.0,
    )
    s = generate_stream(cfg)
    assert set(s.events.column("event_type").to_pylist()) == {"impression", "click"}
    assert [t.name for t in cfg.true_terms] == [
        "impression_count_1h",
        "impression_count_7d",
        "click_count_7d",
    ]
    sql = _sql_features(s.events, s.points, cfg)
    assert (sql["n_outcomes"].to_numpy() == s.points.column("label").to_numpy()).all()
    for term in cfg.true_terms:
        assert (sql[term.name].to_numpy() == s.points.column(term.name).to_numpy()).all()
    custom = dataclasses.replace(
        SMALL,
        terms=(
            WindowTerm("add_to_cart", dt.timedelta(hours=6), "amount", 0.4),
            WindowTerm("purchase", dt.timedelta(days=2), "amount", -0.3),
        ),
    )
    c = generate_stream(custom)
    sql = _sql_features(c.events, c.points, custom)
    for term in custom.true_terms:
        np.testing.assert_allclose(sql[term.name], c.points.column(term.name).to_numpy(), atol=1e-9)
    assert (sql["n_outcomes"].to_numpy() == c.points.column("label").to_numpy()).all()


def test_config_rejects_what_it_cannot_honour() -> None:
    bad = [
        {"snapshot_every": dt.timedelta(hours=12)},  # label windows would overlap
        {"start": dt.datetime(2026, 1, 5)},  # naive
        {"event_types": ("view",)},
        {"terms": (WindowTerm("scroll", dt.timedelta(hours=1), "count", 1.0),)},
        {"n_entities": 0},
        {"boundary_share": 0.9},
    ]
    for kwargs in bad:
        with pytest.raises(ValueError):
            EventStreamConfig(**kwargs)
    with pytest.raises(ValueError):
        WindowTerm("view", dt.timedelta(0), "count", 1.0)
    with pytest.raises(ValueError):
        WindowTerm("view", dt.timedelta(hours=1), "mean", 1.0)


def test_command_line_writes_a_stream(tmp_path: Path, capsys) -> None:
    out = tmp_path / "stream"
    argv = ["events", "--out", str(out), "--entities", "80", "--days", "8", "--seed", "9"]
    assert generator_main(argv) == 0
    assert "bayes_auc=" in capsys.readouterr().out
    meta = json.loads((out / "stream_meta.json").read_text())
    assert (meta["n_entities"], meta["days"], meta["seed"]) == (80, 8, 9)
    assert (out / "landing/events.json").exists() and (out / "points/points.json").exists()
    out2 = tmp_path / "via_wml"
    assert wml_cli.main(["generate", *argv[:1], "--out", str(out2), *argv[3:]]) == 0
    assert (out2 / "landing/events.json").read_bytes() == (out / "landing/events.json").read_bytes()
    with pytest.raises(SystemExit):
        generator_main(["events", "--out", str(out), "--horizon-hours", "48"])
