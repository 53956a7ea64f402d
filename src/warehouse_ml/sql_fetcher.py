"""Read a (model name, group)'s training input with plain SQL, on any engine.

One implementation for DuckDB (the dbt Python model registers its refs as
views and passes the connection's ``execute``) and Trino (the ``trino``
client): :class:`SqlTrainingFetcher` needs only a ``query(sql, params)``
function returning a DataFrame and the names of the four relations training
reads. The SQL is portable (``?`` parameters, no dialect functions).

Sampling: when a group has more training rows than the spec's
``training_sample_cap``, every split keeps the rows whose ``sample_fraction``
(an md5 hash computed in SQL, the same on every engine) is below
``cap / n_train``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from warehouse_ml.registry import GroupData

__all__ = ["QueryFn", "SqlTrainingFetcher", "TrainingRelations"]

#: ``query(sql, params)``: run SQL with ``?`` parameters, return the rows as a DataFrame.
QueryFn = Callable[[str, Sequence[Any]], pd.DataFrame]


@dataclass(frozen=True)
class TrainingRelations:
    """Names of the dbt models training reads (trusted names, not user input)."""

    labelled: str
    features: str
    feature_columns: str
    classes: str

    @classmethod
    def in_schema(cls, prefix: str) -> TrainingRelations:
        """The model names under ``prefix`` (e.g. ``memory.warehouse_ml``; empty: unqualified)."""
        head = f"{prefix}." if prefix else ""
        return cls(
            labelled=f"{head}int_training_labelled",
            features=f"{head}int_training_features",
            feature_columns=f"{head}fit_feature_columns",
            classes=f"{head}fit_label_classes",
        )


class SqlTrainingFetcher:
    """``groups(model_name)`` and ``fetch(model_name, group_id, sample_cap)`` through ``query``.

    Example (DuckDB, after a dbt build)::

        con = duckdb.connect("warehouse.duckdb", read_only=True)
        fetcher = SqlTrainingFetcher(
            lambda sql, params: con.execute(sql, list(params)).df(),
            TrainingRelations.in_schema("main"),
        )
        data = fetcher.fetch("offer_conversion", fetcher.groups("offer_conversion")[0], 5_000_000)
    """

    def __init__(self, query: QueryFn, relations: TrainingRelations) -> None:
        self.query = query
        self.relations = relations

    def groups(self, model_name: str) -> list[str]:
        """The groups of a model name that have labelled examples, sorted."""
        rows = self.query(
            f"select distinct group_id from {self.relations.labelled} where model_name = ?",
            [model_name],
        )
        return sorted(str(g) for g in rows["group_id"])

    def fetch(self, model_name: str, group_id: str, sample_cap: int) -> GroupData:
        """One group's labelled rows, long features, feature columns and classes."""
        rel = self.relations
        key = [model_name, group_id]
        counted = self.query(
            f"select count(*) as n_train from {rel.labelled} "
            "where model_name = ? and group_id = ? and split = 'train'",
            key,
        )
        n_train = int(counted["n_train"].iloc[0])
        sample, params = "", key
        if n_train > sample_cap:
            sample, params = " and labelled.sample_fraction < ?", [*key, sample_cap / n_train]
        # Examples keyed by an integer in entity-id order: the same rows and
        # order, without long text ids in pandas (long_to_matrix is ~5x faster).
        keyed = (
            "with keyed as (select labelled.*, "
            "row_number() over (order by labelled.entity_id) as entity_key "
            f"from {rel.labelled} as labelled "
            f"where labelled.model_name = ? and labelled.group_id = ?{sample}) "
        )
        labelled = self.query(
            keyed + "select entity_key as entity_id, fitted_state_id, split, class_index, "
            "has_rare_value from keyed",
            params,
        )
        features = self.query(
            keyed + "select keyed.entity_key as entity_id, features.feature_index, "
            f"features.value from {rel.features} as features "
            "inner join keyed on features.model_name = keyed.model_name "
            "and features.entity_id = keyed.entity_id",
            params,
        )
        state = str(labelled["fitted_state_id"].iloc[0]) if len(labelled) else ""

        def of_state(relation: str) -> pd.DataFrame:
            return self.query(
                f"select * from {relation} "
                "where model_name = ? and group_id = ? and fitted_state_id = ?",
                [*key, state],
            )

        return GroupData(
            labelled=labelled,
            features=features,
            feature_columns=of_state(rel.feature_columns),
            classes=of_state(rel.classes),
            fitted_state_id=state,
        )


def duckdb_query(session: Any, views: dict[str, Any]) -> QueryFn:
    """A query function over a DuckDB connection, with dbt relations as named views.

    A dbt-duckdb Python model gets its refs as DuckDB relations; registering
    them as temporary views (gone with the connection, and found before any
    table of the same name) lets the same SQL as on Trino read them.
    ``relation.create_view`` would leave permanent views in the warehouse.
    The names are the caller's constants, never user input.
    """
    for name, relation in views.items():
        session.execute(f"create or replace temp view {name} as {relation.sql_query()}")

    def query(sql: str, params: Sequence[Any]) -> pd.DataFrame:
        return session.execute(sql, list(params)).df()

    return query
