"""The SQL fetcher the Trino runner trains from (``warehouse_ml.sql_fetcher``), run on a
DuckDB warehouse: it returns what the DuckDB Python model's fetcher returns, capped or
not. Needs dbt and DuckDB, no Trino server."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest
from conftest import Warehouse

from warehouse_ml.registry import TrainingSettings, duckdb_campaign_fetcher
from warehouse_ml.sql_fetcher import FeatureRelations, sql_campaign_fetcher

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def duck(generated: Warehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(generated.path), read_only=True)
    yield con
    con.close()


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain objects with None for NULL, rows sorted by every column."""
    frame = frame.copy()
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)


@pytest.mark.parametrize("sample_cap", [5_000_000, 1_000])
def test_sql_fetcher_matches_the_duckdb_fetcher(duck, sample_cap):
    """The Trino runner's fetcher (plain SQL through a query function) returns what
    the DuckDB Python model's fetcher returns, capped or not."""
    settings = TrainingSettings(sample_cap=sample_cap)
    reference = duckdb_campaign_fetcher(
        duck.table("int_conversions_labelled"),
        duck.table("int_conversions_features"),
        duck.table("fit_feature_columns"),
        duck.table("fit_offer_classes"),
        settings,
    )
    fetch = sql_campaign_fetcher(
        lambda sql, params: duck.cursor().execute(sql, list(params)).df(),
        FeatureRelations.in_schema("main"),
        settings,
    )
    campaigns = [
        r[0] for r in duck.execute("select distinct campaign_id from ml_models").fetchall()
    ]
    for campaign in campaigns:
        expected, got = reference(campaign), fetch(campaign)
        assert got.fitted_state_id == expected.fitted_state_id
        for part in ("labelled", "features", "feature_columns", "classes"):
            pd.testing.assert_frame_equal(
                _normalised(getattr(got, part)),
                _normalised(getattr(expected, part)),
                check_dtype=False,
                obj=f"{campaign} {part}",
            )
        all_train = duck.execute(
            "select count(*) from int_conversions_labelled where campaign_id = ? and split = 'train'",
            [campaign],
        ).fetchall()[0][0]
        n_train = int((got.labelled["split"] == "train").sum())
        assert n_train < all_train if all_train > sample_cap else n_train == all_train
