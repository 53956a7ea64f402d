"""One static HTML report of the warehouse's monitoring tables (``wml report``).

What: reads the DuckDB file a build produced (read-only) and writes a single
self-contained HTML file: inline CSS and inline SVG charts, no JavaScript and
no network access, so it opens from disk in any browser and can be mailed or
archived. Sections:

* campaigns needing retraining (``models_needing_retraining``) and a summary;
* model quality per monitoring session (``ml_metrics``, serving models, test split);
* the confusion matrix of every serving model (``ml_metrics_latest``);
* feature and prediction drift per campaign: the latest session as bars and
  every session as lines (``ml_drift``);
* rare-value histograms before and after rare-value handling (``eda_rare_values``);
* the distribution of predicted probabilities (``offer_predictions``);
* the EDA tables (CV by split, target distribution, null rates, IQR outliers,
  strongest correlations).

Why: the seed's workflow ends with dashboards on model metrics and drift; this
is the zero-infrastructure version of that, built from the same tables a BI
tool would read.

Every chart is a ``<figure class="chart" data-chart="<kind>">`` whose marks carry
their data in ``data-*`` attributes (``data-value`` holds the exact number), and
whose numbers are also embedded as JSON (``<script type="application/json"
class="chart-data">``), so tests and other tools can read the figures back.

Example::

    >>> from warehouse_ml.report import build_report   # doctest: +SKIP
    >>> build_report("warehouse.duckdb", "reports/report.html")  # doctest: +SKIP

Layout:

- :mod:`~warehouse_ml.report.queries`: reading the warehouse into :class:`ReportData`;
- :mod:`~warehouse_ml.report.charts`: the SVG chart building blocks;
- :mod:`~warehouse_ml.report.sections`: one function per HTML section;
- ``style.css``: the inline stylesheet (package data);
- :mod:`~warehouse_ml.report.build`: :func:`render_report` and :func:`build_report`.
"""

from warehouse_ml.report.build import build_report, render_report
from warehouse_ml.report.charts import CALM, DRIFTED, PALETTE
from warehouse_ml.report.queries import (
    PROBABILITY_BINS,
    QUALITY_METRICS,
    RARE_VALUES_SHOWN,
    REQUIRED_TABLES,
    ReportData,
    ReportError,
    collect_report_data,
    rare_value_rows,
)

__all__ = [
    "CALM",
    "DRIFTED",
    "PALETTE",
    "PROBABILITY_BINS",
    "QUALITY_METRICS",
    "RARE_VALUES_SHOWN",
    "REQUIRED_TABLES",
    "ReportData",
    "ReportError",
    "build_report",
    "collect_report_data",
    "rare_value_rows",
    "render_report",
]
