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
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
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
    first_row = section[section.index("<tbody><tr>") :]
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
    """Optional: a real browser draws the page (skipped without Chromium)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    shot = tmp_path / "report.png"
    proc = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
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
