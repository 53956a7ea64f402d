"""The SQL fetcher training reads through (``warehouse_ml.sql_fetcher``), on a DuckDB
warehouse: both ways it is wired (the DuckDB Python model's views over dbt relations,
and the Trino runner's plain schema-qualified names) return what an independent
reading of the tables with DuckDB's relational API returns, capped or not. Needs dbt
and DuckDB, no Trino server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import duckdb
import pandas as pd
import pytest
from conftest import Warehouse

from warehouse_ml.registry import GroupData
from warehouse_ml.sql_fetcher import SqlTrainingFetcher, TrainingRelations, duckdb_query

from reference.frames import normalised

pytestmark = pytest.mark.dbt

MODEL = "offer_conversion"


@pytest.fixture(scope="module")
def duck(
    generated: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the shared warehouse: the Python model's wiring creates views."""
    copy = tmp_path_factory.mktemp("sql_fetcher") / "warehouse.duckdb"
    shutil.copy(generated.path, copy)
    con = duckdb.connect(str(copy))
    yield con
    con.close()


def _reference(con: duckdb.DuckDBPyConnection, group_id: str, sample_cap: int) -> GroupData:
    """One group's training input read with the relational API (no SQL text shared
    with the fetcher): the hash sample when the training split is over the cap, and
    an integer key in entity-id order."""

    def of_group(name: str) -> duckdb.DuckDBPyRelation:
        return con.table(name).filter(
            (duckdb.ColumnExpression("model_name") == duckdb.ConstantExpression(MODEL))
            & (duckdb.ColumnExpression("group_id") == duckdb.ConstantExpression(group_id))
        )

    rows = of_group("int_training_labelled")
    n_train = rows.filter("split = 'train'").aggregate("count(*)").fetchall()[0][0]
    if n_train > sample_cap:
        rows = rows.filter(
            duckdb.ColumnExpression("sample_fraction")
            < duckdb.ConstantExpression(sample_cap / n_train)
        )
    frame = rows.project("entity_id, fitted_state_id, split, class_index, has_rare_value").df()
    frame = frame.sort_values("entity_id").reset_index(drop=True)
    key = {entity: n for n, entity in enumerate(frame["entity_id"], start=1)}
    features = (
        con.table("int_training_features")
        .filter(duckdb.ColumnExpression("model_name") == duckdb.ConstantExpression(MODEL))
        .project("entity_id, feature_index, value")
        .df()
    )
    features = features[features["entity_id"].isin(key)].copy()
    features["entity_id"] = features["entity_id"].map(key)
    frame["entity_id"] = frame["entity_id"].map(key)
    state = str(frame["fitted_state_id"].iloc[0]) if len(frame) else ""

    def of_state(name: str) -> pd.DataFrame:
        return (
            of_group(name)
            .filter(duckdb.ColumnExpression("fitted_state_id") == duckdb.ConstantExpression(state))
            .df()
        )

    return GroupData(
        labelled=frame,
        features=features,
        feature_columns=of_state("fit_feature_columns"),
        classes=of_state("fit_label_classes"),
        fitted_state_id=state,
    )


def _fetchers(con: duckdb.DuckDBPyConnection) -> dict[str, SqlTrainingFetcher]:
    """The Trino runner's wiring (schema-qualified names) and the Python model's
    (dbt relations registered as views under other names)."""
    plain = SqlTrainingFetcher(
        lambda sql, params: con.cursor().execute(sql, list(params)).df(),
        TrainingRelations.in_schema("main"),
    )
    session = con.cursor()
    views = TrainingRelations("v_labelled", "v_features", "v_feature_columns", "v_classes")
    query = duckdb_query(
        session,
        {
            views.labelled: session.table("int_training_labelled"),
            views.features: session.table("int_training_features"),
            views.feature_columns: session.table("fit_feature_columns"),
            views.classes: session.table("fit_label_classes"),
        },
    )
    return {"schema": plain, "views": SqlTrainingFetcher(query, views)}


@pytest.mark.parametrize("sample_cap", [5_000_000, 1_000])
def test_sql_fetcher_matches_an_independent_reading(duck, sample_cap):
    """What training receives, capped or not, equals the tables read another way."""
    groups = sorted(
        r[0]
        for r in duck.execute(
            "select distinct group_id from ml_models where model_name = ?", [MODEL]
        ).fetchall()
    )
    assert len(groups) > 1
    for wiring, fetcher in _fetchers(duck).items():
        assert fetcher.groups(MODEL) == groups, wiring
        assert fetcher.groups("no_such_model") == []
        for group in groups:
            expected = _reference(duck, group, sample_cap)
            got = fetcher.fetch(MODEL, group, sample_cap)
            assert got.fitted_state_id == expected.fitted_state_id != ""
            for part in ("labelled", "features", "feature_columns", "classes"):
                pd.testing.assert_frame_equal(
                    normalised(getattr(got, part)),
                    normalised(getattr(expected, part)),
                    check_dtype=False,
                    obj=f"{wiring} {group} {part}",
                )
            all_train = duck.execute(
                "select count(*) from int_training_labelled "
                "where model_name = ? and group_id = ? and split = 'train'",
                [MODEL, group],
            ).fetchall()[0][0]
            n_train = int((got.labelled["split"] == "train").sum())
            assert n_train < all_train if all_train > sample_cap else n_train == all_train
