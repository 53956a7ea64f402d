"""A warehouse built before model specs keeps working after the upgrade.

Its append-only tables (ml_models, ml_metrics, ml_drift, the fitted state)
have rows without model_name and group_id. The next build fills them in
(they are all the offer model's) instead of failing its not-null tests, and
retires the old champions as usual.
"""

from __future__ import annotations

import duckdb
import pytest
from conftest import Warehouse, copy_project

from warehouse_ml.generator import GeneratorConfig, write_sample

pytestmark = pytest.mark.dbt

#: The tables that gained model_name and group_id.
UPGRADED = ("ml_models", "ml_metrics", "ml_drift", "ml_prediction_stats", "fit_numeric_bins")


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    base = tmp_path_factory.mktemp("upgrade")
    sample = base / "sample"
    write_sample(sample, GeneratorConfig(n_events=6_000, n_requests=400, seed=8))
    wh = Warehouse(
        base / "w.duckdb", sample / "landing", sample / "requests", project=copy_project(base / "p")
    )
    wh.build()
    # Make the warehouse look pre-spec: the new key columns empty on every row
    # (ml_models also without status_code), and fit_numeric_bins without them.
    with duckdb.connect(str(wh.path)) as con:
        for table in UPGRADED[:-1]:
            con.execute(f"update {table} set model_name = null, group_id = null")
        con.execute("update ml_models set status_code = null")
        con.execute("alter table fit_numeric_bins add column campaign_id varchar")
        con.execute("update fit_numeric_bins set campaign_id = group_id")
        con.execute("alter table fit_numeric_bins drop column model_name")
        con.execute("alter table fit_numeric_bins drop column group_id")
    wh.before = wh.query("select model_id, campaign_id, status from ml_models order by model_id")
    wh.build()
    return wh


def test_old_rows_get_the_offer_keys(wh: Warehouse) -> None:
    for table in UPGRADED:
        missing = wh.query(f"select count(*) from {table} where model_name is null")
        assert missing == [(0,)], table
        odd = wh.query(
            f"select count(*) from {table} where campaign_id is not null "
            "and (model_name <> 'offer_conversion' or group_id <> campaign_id)"
        )
        assert odd == [(0,)], table


def test_old_champions_are_retired_by_the_new_ones(wh: Warehouse) -> None:
    now = dict(wh.query("select model_id, status from ml_models"))
    for model_id, _campaign, status in wh.before:
        assert now[model_id] == ("retired" if status == "champion" else status)
    codes = wh.query(
        "select count(*) from ml_models where model_id in "
        f"({', '.join(repr(m) for m, _, _ in wh.before)}) and status_code is null"
    )
    assert codes == [(0,)]
