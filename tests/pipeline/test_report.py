"""`wml report` on a real warehouse: the HTML is self-contained and every chart
holds the numbers of the tables it was drawn from.

The warehouse is the three-session one of test_monitoring.py (built once per
pytest run and shared). The HTML is parsed with the standard library; when a
Chromium is installed it is also rendered headless and a screenshot written to
the temporary folder (the path is printed) to look at.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from warehouse_ml.report import (
    PROBABILITY_BINS,
    QUALITY_METRICS,
    ReportError,
    build_report,
    rare_value_rows,
)

pytestmark = pytest.mark.dbt

WML = str(Path(sys.executable).with_name("wml"))


def _monitoring_module() -> Any:
    """test_monitoring.py, loaded by path (its builder is shared, not duplicated)."""
    path = Path(__file__).with_name("test_monitoring.py")
    spec = importlib.util.spec_from_file_location("_wml_test_monitoring", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@dataclass
class Figure:
    """One ``<figure class="chart">``: its attributes, marks and embedded JSON."""

    attrs: dict[str, str]
    marks: list[dict[str, str]] = field(default_factory=list)
    data: Any = None


class ReportParser(HTMLParser):
    """Collects charts, their data-carrying marks, and every external reference."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[Figure] = []
        self.external: list[str] = []
        self.retrain: list[str] = []
        self.tags: set[str] = set()
        self._in_json = False
        self._json = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        for key in ("src", "href"):
            if key in a and not a[key].startswith("#"):
                self.external.append(a[key])
        if tag == "figure" and a.get("class") == "chart":
            self.figures.append(Figure(a))
        elif tag == "script" and a.get("class") == "chart-data":
            self._in_json, self._json = True, ""
        elif tag == "li" and a.get("class") == "retrain":
            self.retrain.append(a["data-campaign"])
        elif "data-value" in a and self.figures:
            self.figures[-1].marks.append({**a, "tag": tag})

    def handle_data(self, data: str) -> None:
        if self._in_json:
            self._json += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_json:
            self.figures[-1].data = json.loads(self._json)
            self._in_json = False


@dataclass
class Report:
    html: str
    path: Path
    parsed: ReportParser
    warehouse: Any

    def charts(self, kind: str) -> list[Figure]:
        return [f for f in self.parsed.figures if f.attrs["data-chart"] == kind]

    def frame(self, sql: str, params: list | None = None) -> Any:
        with duckdb.connect(str(self.warehouse.path), read_only=True) as con:
            return con.execute(sql, params or []).df()


@pytest.fixture(scope="session")
def monitoring_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """`wml report` run on the shared three-session warehouse."""
    builder = _monitoring_module().build_monitoring_warehouse
    warehouse = builder(tmp_path_factory.getbasetemp() / "monitoring_warehouse")
    out = tmp_path_factory.mktemp("report") / "report.html"
    proc = subprocess.run(
        [WML, "report", "--db", str(warehouse.path), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "report: reading" in proc.stdout  # progress is printed
    text = out.read_text(encoding="utf-8")
    parser = ReportParser()
    parser.feed(text)
    return Report(text, out, parser, warehouse)


def _value(mark: dict[str, str]) -> float:
    return float(mark["data-value"])


def test_the_report_is_one_self_contained_file(monitoring_report: Report) -> None:
    parsed = monitoring_report.parsed
    assert parsed.external == []  # no CDN, no stylesheet or image links
    assert "link" not in parsed.tags and "img" not in parsed.tags and "iframe" not in parsed.tags
    assert all(f.data is not None for f in parsed.figures)
    assert "<svg" in monitoring_report.html and "http://" not in monitoring_report.html.replace(
        "http://www.w3.org", ""
    )


def test_metric_history_charts_hold_ml_metrics(monitoring_report: Report) -> None:
    rows = monitoring_report.frame("select * from ml_metrics where split = 'test' and is_serving")
    charts = monitoring_report.charts("metric-history")
    assert sorted(c.attrs["data-metric"] for c in charts) == sorted(QUALITY_METRICS)
    for chart in charts:
        metric = chart.attrs["data-metric"]
        expected = {
            (r.campaign_id, r.invocation_id): r.value
            for r in rows[rows.metric == metric].itertuples()
        }
        got = {(m["data-campaign"], m["data-session"]): _value(m) for m in chart.marks}
        assert got == expected, metric
    sessions = {m["data-session"] for c in charts for m in c.marks}
    assert len(sessions) == 3


def test_confusion_matrices_hold_the_serving_models_test_split(
    monitoring_report: Report,
) -> None:
    serving = monitoring_report.frame("select model_id from ml_serving_models")
    charts = monitoring_report.charts("confusion")
    assert {c.attrs["data-model"] for c in charts} == set(serving.model_id)
    latest = monitoring_report.frame(
        "select * from ml_metrics_latest where split = 'test' and metric like 'confusion[%'"
    )
    n_rows = monitoring_report.frame(
        "select model_id, value from ml_metrics_latest where split = 'test' and metric = 'n_rows'"
    )
    for chart in charts:
        model = chart.attrs["data-model"]
        expected = {r.metric: r.value for r in latest[latest.model_id == model].itertuples()}
        got = {
            f"confusion[{m['data-true']}][{m['data-predicted']}]": _value(m) for m in chart.marks
        }
        assert got == expected
        total = n_rows[n_rows.model_id == model].value.iloc[0]
        assert sum(got.values()) == total


def test_drift_charts_hold_ml_drift(monitoring_report: Report) -> None:
    drift = monitoring_report.frame("select * from ml_drift")
    latest_session = monitoring_report.warehouse.sessions[-1]
    bars = monitoring_report.charts("drift-latest")
    assert {c.attrs["data-campaign"] for c in bars} == set(drift.campaign_id)
    for chart in bars:
        campaign = chart.attrs["data-campaign"]
        assert chart.attrs["data-session"] == latest_session
        rows = drift[(drift.campaign_id == campaign) & (drift.invocation_id == latest_session)]
        expected = {
            (r.kind, r.feature, r.reference): (r.kl_divergence, r.is_drifted)
            for r in rows.itertuples()
        }
        got = {
            (m["data-kind"], m["data-feature"], m["data-reference"]): (
                _value(m),
                m["data-drifted"] == "true",
            )
            for m in chart.marks
        }
        assert got == expected
    for chart in monitoring_report.charts("drift-history"):
        campaign = chart.attrs["data-campaign"]
        rows = drift[(drift.campaign_id == campaign) & (drift.kind == "feature")]
        expected = {(r.feature, r.invocation_id): r.kl_divergence for r in rows.itertuples()}
        got = {(m["data-feature"], m["data-session"]): _value(m) for m in chart.marks}
        assert got == expected
    retrain = monitoring_report.frame("select campaign_id from models_needing_retraining")
    assert sorted(monitoring_report.parsed.retrain) == sorted(retrain.campaign_id)
    assert "Campaigns needing retraining" in monitoring_report.html


def test_rare_value_charts_hold_eda_rare_values(monitoring_report: Report) -> None:
    eda = monitoring_report.frame(
        """
        select * from eda_rare_values
        order by model_name, group_id, column_name, n_rows_before desc, category
        """
    )
    charts = monitoring_report.charts("rare-values")
    assert len(charts) == eda.groupby(["model_name", "group_id", "column_name"]).ngroups > 0
    for chart in charts:
        key = (chart.attrs["data-campaign"], chart.attrs["data-column"])
        values = eda[(eda.group_id == key[0]) & (eda.column_name == key[1])]
        expected_rows = rare_value_rows(values.to_dict("records"))
        for stage in ("before", "after"):
            marks = [m for m in chart.marks if m["data-stage"] == stage]
            got = [(m["data-category"], _value(m)) for m in marks]
            assert got == [(r["category"], float(r[f"n_rows_{stage}"])) for r in expected_rows]
            # Shown values and the summed rows account for every training row.
            assert sum(v for _, v in got) == values[f"n_rows_{stage}"].sum()
        rare_marks = [
            m for m in chart.marks if m["data-rare"] == "true" and m["data-stage"] == "after"
        ]
        assert all(_value(m) == 0 for m in rare_marks)  # drop mode


def test_probability_histograms_hold_the_current_predictions(monitoring_report: Report) -> None:
    probs = monitoring_report.frame(
        """
        select p.campaign_id, p.probability from offer_predictions as p
        inner join (
            select distinct request_id from ml_drift_requests where model_name = 'offer_conversion'
        ) as r on p.request_id = r.request_id
        where p.probability is not null
        """
    )
    charts = monitoring_report.charts("probabilities")
    assert {c.attrs["data-campaign"] for c in charts} == set(probs.campaign_id)
    for chart in charts:
        values = probs[probs.campaign_id == chart.attrs["data-campaign"]].probability
        bins = np.minimum((values.to_numpy() * PROBABILITY_BINS).astype(int), PROBABILITY_BINS - 1)
        expected = np.bincount(bins, minlength=PROBABILITY_BINS)
        got = [_value(m) for m in sorted(chart.marks, key=lambda m: int(m["data-bin"]))]
        assert got == expected.tolist()
        assert chart.data["counts"] == expected.tolist()


def test_eda_tables_are_in_the_report(monitoring_report: Report) -> None:
    for heading in (
        "Coefficient of variation, train vs test",
        "Target distribution per split",
        "Null rates",
        "IQR outliers",
        "Strongest correlations",
    ):
        assert heading in monitoring_report.html


def test_global_importance_counts_the_top_reasons(monitoring_report: Report) -> None:
    html = monitoring_report.html
    assert "Why the models predict what they do" in html
    # Recount from ml_explanations in SQL: the column most often a top-3 reason.
    top = monitoring_report.frame(
        "select model_name, feature_name, count(distinct request_id) as n "
        "from ml_explanations group by all order by n desc, avg(contribution) desc limit 1"
    ).iloc[0]
    section = html[html.index('<section id="importance">') :]
    section = section[: section.index("</section>")]
    assert f"<h3>{top['model_name']}</h3>" in section
    table = section[section.index(f"<h3>{top['model_name']}</h3>") :]
    first_row = table[table.index("<tbody><tr>") :]
    assert f">{top['feature_name']}<" in first_row[: first_row.index("</tr>")]
    assert f'title="{top["n"]}"' in first_row[: first_row.index("</tr>")]


def test_a_warehouse_without_monitoring_tables_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(ReportError, match="run `dbt build`"):
        build_report(empty, tmp_path / "r.html", progress=lambda _: None)
    with pytest.raises(ReportError, match="no DuckDB file"):
        build_report(tmp_path / "absent.duckdb", tmp_path / "r.html", progress=lambda _: None)


def test_renders_in_headless_chromium(monitoring_report: Report, tmp_path: Path) -> None:
    """A real browser draws the page. scripts/test.sh installs Debian's chromium and
    sets WML_REQUIRE_CHROMIUM; only a bare pytest run without a browser skips."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        if os.environ.get("WML_REQUIRE_CHROMIUM"):
            pytest.fail("WML_REQUIRE_CHROMIUM is set but no chromium is on PATH")
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            # This machine's network is closed: no background or update traffic.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1400,2400",
            f"--screenshot={shot}",
            monitoring_report.path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    print(f"screenshot: {shot}")


class TableParser(HTMLParser):
    """Every ``<table>`` by class: rows of (cell text, cell title)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[tuple[str, str]]]] = {}
        self._table: list[list[tuple[str, str]]] | None = None
        self._cell: list[str] | None = None
        self._title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self._table = self.tables.setdefault(a.get("class", ""), [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag == "td" and self._table is not None:
            self._cell, self._title = [], a.get("title", "")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._table is not None:
            self._table[-1].append(("".join(self._cell), self._title))
            self._cell = None
        elif tag == "table":
            self._table = None


def _body_rows(html: str, cls: str) -> list[list[tuple[str, str]]]:
    """The body rows of the report's table of class ``cls`` (the header row has no cells)."""
    parser = TableParser()
    parser.feed(html)
    return [row for row in parser.tables.get(cls, []) if row]


@pytest.fixture(scope="module")
def outcomes_report(monitoring_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report of a copy of the monitoring warehouse given what its builds do not
    land: realised outcomes on two days (one above the bound), re-scored predictions
    a day later, and campaign and offer names as the seeds hold them."""
    folder = tmp_path_factory.mktemp("outcomes_report")
    path = folder / "warehouse.duckdb"
    shutil.copy(monitoring_report.warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute(
            """
            insert into ml_realised_outcomes by name
            select
                serving.model_name, serving.group_id, serving.group_id as campaign_id,
                serving.model_id, days.n as n_outcomes, days.wrong as n_wrong,
                days.wrong / days.n as realised_hamming_loss,
                1 - days.wrong / days.n as accuracy,
                cast(json_extract_string(models.metrics, '$.test.hamming_loss') as double)
                    as test_hamming_loss,
                null as n_test_rows,
                0.5 as loss_upper_bound,
                days.wrong / days.n > 0.5 as is_worse_than_test,
                days.outcome_date
            from ml_serving_models as serving
            inner join ml_models as models on serving.model_id = models.model_id
            cross join (values
                (50, 10, date '2026-11-02'), (40, 35, date '2026-11-03')
            ) as days (n, wrong, outcome_date)
            where serving.model_name = 'offer_conversion'
            """
        )
        con.execute(
            """
            insert into ml_prediction_log by name
            select * replace (
                'rescored-in-test' as invocation_id, scored_at + interval 1 day as scored_at
            )
            from ml_prediction_log
            order by request_id
            limit 25
            """
        )
        con.execute(
            """
            create or replace table campaign_names as
            select group_id as campaign_id, 'Campaign no ' || row_number() over (
                order by group_id
            ) as campaign_name
            from (select distinct group_id from ml_serving_models) as campaigns
            """
        )
        con.execute(
            """
            create or replace table offer_names as
            select group_id as campaign_id, label_value as offer_id,
                   'Offer ' || label_value as offer_name
            from (select distinct group_id, label_value from eda_target_distribution) as offers
            """
        )
    out = build_report(path, folder / "report.html", progress=lambda _: None)
    text = out.read_text(encoding="utf-8")
    parser = ReportParser()
    parser.feed(text)
    return Report(text, out, parser, replace(monitoring_report.warehouse, base=folder, path=path))


def test_prediction_log_volume_counts_rows_requests_and_rescores(
    outcomes_report: Report,
) -> None:
    log = outcomes_report.frame(
        "select model_name, request_id, invocation_id, scored_at, "
        "cast(timezone('UTC', scored_at) as date) as day from ml_prediction_log"
    )
    log = log.sort_values(["model_name", "request_id", "scored_at", "invocation_id"])
    log["rescore"] = log.duplicated(["model_name", "request_id"])
    grouped = log.groupby(["day", "model_name"]).agg(
        n_rows=("request_id", "size"),
        n_requests=("request_id", "nunique"),
        n_rescores=("rescore", "sum"),
        n_builds=("invocation_id", "nunique"),
    )
    expected = {
        (str(day)[:10], name): [str(int(v)) for v in row]
        for (day, name), row in zip(grouped.index, grouped.to_numpy().tolist(), strict=True)
    }
    rows = _body_rows(outcomes_report.html, "log-volume")
    got = {(r[0][0], r[1][0]): [c[1] for c in r[2:]] for r in rows}
    assert got == expected
    assert sum(int(v[2]) for v in got.values()) == 25  # the rows re-logged above


def test_realised_against_expected_loss_holds_ml_realised_outcomes(
    outcomes_report: Report,
) -> None:
    totals = outcomes_report.frame(
        """
        select model_id, sum(n_outcomes) as n, sum(n_wrong) / sum(n_outcomes) as loss,
               max(test_hamming_loss) as test_loss,
               count(*) filter (where is_worse_than_test) as n_worse
        from ml_realised_outcomes group by model_id
        """
    )
    rows = {r[2][1]: r for r in _body_rows(outcomes_report.html, "realised-totals")}
    assert set(rows) == set(totals.model_id) and len(rows) > 0
    for t in totals.itertuples():
        row = rows[t.model_id]
        assert int(row[3][1]) == t.n == 90
        assert float(row[4][1]) == pytest.approx(t.loss)
        assert float(row[5][1]) == pytest.approx(t.test_loss)
        assert int(row[7][1]) == t.n_worse == 1
    days = _body_rows(outcomes_report.html, "realised-days")
    assert len(days) == 2 * len(totals)
    assert sum(r[8][1] == "True" for r in days) == len(totals)
    assert "lost more than the test split explains" in outcomes_report.html


def test_campaign_and_offer_names_replace_ids_where_the_seeds_have_them(
    outcomes_report: Report,
) -> None:
    names = dict(outcomes_report.frame("select * from campaign_names").to_numpy().tolist())
    for row in _body_rows(outcomes_report.html, "realised-totals"):
        text, title = row[1]
        assert text == names[title]
    target = _body_rows(outcomes_report.html, "eda-target")
    assert target and all(r[2][0] == f"Offer {r[2][1]}" for r in target)
    captions = [c.attrs.get("data-campaign") for c in outcomes_report.charts("confusion")]
    assert all(f"campaign {names[c]} ·" in outcomes_report.html for c in captions)


def test_explanations_summary_counts_the_explained_predictions(
    outcomes_report: Report,
) -> None:
    expected = outcomes_report.frame(
        """
        select model_name, count(distinct request_id) as n,
               count(distinct feature_name) as n_features
        from ml_explanations group by model_name order by model_name
        """
    )
    firsts = outcomes_report.frame(
        "select model_name, feature_name, count(*) as n from ml_explanations "
        "where feature_rank = 1 group by all order by n desc, feature_name"
    )
    per_request = (
        outcomes_report.frame(
            "select model_name, request_id, contribution, other_contribution from ml_explanations"
        )
        .groupby(["model_name", "request_id"])
        .agg(top=("contribution", "sum"), other=("other_contribution", "max"))
        .abs()
        .groupby("model_name")
        .sum()
    )
    shares = per_request.top / (per_request.top + per_request.other)
    rows = _body_rows(outcomes_report.html, "explanations-summary")
    assert [r[0][0] for r in rows] == list(expected.model_name)
    for row, want in zip(rows, expected.itertuples(), strict=True):
        assert int(row[1][1]) == want.n and int(row[3][1]) == want.n_features
        first = firsts[firsts.model_name == want.model_name].iloc[0]
        assert row[4][0] == first.feature_name and int(row[5][1]) == first.n
        assert float(row[8][1]) == pytest.approx(shares[want.model_name])


def test_the_new_sections_render_without_their_tables(
    monitoring_report: Report, tmp_path: Path
) -> None:
    path = tmp_path / "older.duckdb"
    shutil.copy(monitoring_report.warehouse.path, path)
    with duckdb.connect(str(path)) as con:
        for table in ("ml_prediction_log", "ml_realised_outcomes", "ml_explanations"):
            con.execute(f"drop table if exists {table}")
    html = build_report(path, tmp_path / "r.html", progress=lambda _: None).read_text("utf-8")
    section = html[html.index('<section id="served">') :]
    assert section[: section.index("</section>")].count("No rows.") == 3
    assert "No explained predictions." in html
