"""Model registry: train, evaluate and gate one XGBoost model per spec and group.

Upserts by model_id: each build adds a row per (model name, group) and
re-emits a replaced champion as `retired`; rows are never deleted
(full_refresh is off).
"""

from warehouse_ml.registry import train_all
from warehouse_ml.spec import specs_of_build
from warehouse_ml.sql_fetcher import SqlTrainingFetcher, TrainingRelations, duckdb_query


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="model_id",
        full_refresh=False,
        on_schema_change="append_new_columns",
    )
    # The specs as the SQL layer resolved them (defaults and dbt vars applied):
    # YAML config cannot call macros, so ml_model_specs carries them here.
    built = dbt.ref("ml_model_specs").order("model_name").project("spec_json, build_vars")
    specs = specs_of_build(built.fetchall(), dbt.config.get("build_vars"))
    relations = TrainingRelations(
        "wml_training_labelled", "wml_training_features", "wml_feature_columns", "wml_label_classes"
    )
    query = duckdb_query(
        session,
        {
            relations.labelled: dbt.ref("int_training_labelled"),
            relations.features: dbt.ref("int_training_features"),
            relations.feature_columns: dbt.ref("fit_feature_columns"),
            relations.classes: dbt.ref("fit_label_classes"),
        },
    )
    previous = session.sql(f"select * from {dbt.this}").df() if dbt.is_incremental else None
    return train_all(
        specs,
        SqlTrainingFetcher(query, relations),
        invocation_id=dbt.config.get("invocation_id"),
        previous=previous,
    )
