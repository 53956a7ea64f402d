"""Fetch a campaign's training input with plain SQL, from any engine with a DB-API.

:func:`warehouse_ml.registry.duckdb_campaign_fetcher` reads DuckDB relations
(what a dbt-duckdb Python model gets). Engines where training runs outside dbt
(Trino, through the ``trino`` client) get the same :class:`CampaignData` from
:func:`sql_campaign_fetcher`, which only needs a ``query(sql, params)``
function returning a DataFrame and the names of the four dbt models. The SQL
is portable (``?`` parameters, no dialect functions), so the function works
on DuckDB too, which is how the tests hold it to the DuckDB fetcher.

The sampling rule is the DuckDB fetcher's: when a campaign has more training
rows than ``settings.sample_cap``, every split keeps the rows whose
``sample_fraction`` (an md5 hash computed in SQL, the same on every engine) is
below ``sample_cap / n_train``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from warehouse_ml.registry import CampaignData, TrainingSettings

__all__ = ["FeatureRelations", "QueryFn", "sql_campaign_fetcher"]

#: ``query(sql, params)``: run SQL with ``?`` parameters, return the rows as a DataFrame.
QueryFn = Callable[[str, Sequence[Any]], pd.DataFrame]


@dataclass(frozen=True)
class FeatureRelations:
    """Qualified names of the dbt models training reads (trusted, not user input)."""

    labelled: str
    features: str
    feature_columns: str
    classes: str

    @classmethod
    def in_schema(cls, prefix: str) -> FeatureRelations:
        """The standard model names under ``prefix`` (e.g. ``memory.warehouse_ml``)."""
        head = f"{prefix}." if prefix else ""
        return cls(
            labelled=f"{head}int_conversions_labelled",
            features=f"{head}int_conversions_features",
            feature_columns=f"{head}fit_feature_columns",
            classes=f"{head}fit_offer_classes",
        )


def sql_campaign_fetcher(
    query: QueryFn, relations: FeatureRelations, settings: TrainingSettings
) -> Callable[[str], CampaignData]:
    """Return ``fetch(campaign_id) -> CampaignData`` reading through ``query``.

    Example (DuckDB, after a dbt build)::

        con = duckdb.connect("warehouse.duckdb", read_only=True)
        fetch = sql_campaign_fetcher(
            lambda sql, params: con.execute(sql, list(params)).df(),
            FeatureRelations.in_schema("main"),
            TrainingSettings(),
        )
        data = fetch(campaign_id)
    """
    rel = relations

    def fetch(campaign_id: str) -> CampaignData:
        counted = query(
            f"select count(*) as n_train from {rel.labelled} "
            "where campaign_id = ? and split = 'train'",
            [campaign_id],
        )
        n_train = int(counted["n_train"].iloc[0])
        sample, params = "", [campaign_id]
        if n_train > settings.sample_cap:
            sample, params = (
                " and labelled.sample_fraction < ?",
                [campaign_id, settings.sample_cap / n_train],
            )
        # Events keyed by an integer in event-id order, as the DuckDB fetcher
        # does: the same rows and order, without 36-character ids in pandas.
        keyed = (
            "with keyed as (select labelled.*, "
            "row_number() over (order by labelled.event_id) as event_key "
            f"from {rel.labelled} as labelled where labelled.campaign_id = ?{sample}) "
        )
        labelled = query(
            keyed + "select event_key as event_id, fitted_state_id, split, class_index, "
            "has_rare_value from keyed",
            params,
        )
        features = query(
            keyed + "select keyed.event_key as event_id, features.feature_index, features.value "
            f"from {rel.features} as features "
            "inner join keyed on features.event_id = keyed.event_id",
            params,
        )
        state = str(labelled["fitted_state_id"].iloc[0]) if len(labelled) else ""

        def of_state(relation: str) -> pd.DataFrame:
            return query(
                f"select * from {relation} where campaign_id = ? and fitted_state_id = ?",
                [campaign_id, state],
            )

        return CampaignData(
            labelled=labelled,
            features=features,
            feature_columns=of_state(rel.feature_columns),
            classes=of_state(rel.classes),
            fitted_state_id=state,
        )

    return fetch
