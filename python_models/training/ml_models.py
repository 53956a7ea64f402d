"""Model registry: train, evaluate and gate one XGBoost model per campaign.

Upserts by model_id: each build adds a row per campaign and re-emits a replaced
champion as `retired`; rows are never deleted (full_refresh is off).
"""

from warehouse_ml.registry import TrainingSettings, duckdb_campaign_fetcher, train_all


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="delete+insert",
        unique_key="model_id",
        full_refresh=False,
    )
    # dbt ships only the config keys named literally here to the Python model.
    dbt_vars = {
        "hpo_trials": dbt.config.get("hpo_trials"),
        "hpo_seed": dbt.config.get("hpo_seed"),
        "num_boost_round": dbt.config.get("num_boost_round"),
        "early_stopping_rounds": dbt.config.get("early_stopping_rounds"),
        "min_training_rows": dbt.config.get("min_training_rows"),
        "training_sample_cap": dbt.config.get("training_sample_cap"),
        "hpo_sample_cap": dbt.config.get("hpo_sample_cap"),
        "training_threads": dbt.config.get("training_threads"),
        "refit_on_validation": dbt.config.get("refit_on_validation"),
        "max_hamming_loss": dbt.config.get("max_hamming_loss"),
        "pinned_models": dbt.config.get("pinned_models"),
    }
    settings = TrainingSettings.from_vars(dbt_vars)
    labelled = dbt.ref("int_conversions_labelled")
    fetch = duckdb_campaign_fetcher(
        labelled,
        dbt.ref("int_conversions_features"),
        dbt.ref("fit_feature_columns"),
        dbt.ref("fit_offer_classes"),
        settings,
    )
    campaigns = [r[0] for r in labelled.project("campaign_id").distinct().fetchall()]
    previous = session.sql(f"select * from {dbt.this}").df() if dbt.is_incremental else None
    return train_all(
        campaigns,
        fetch,
        settings,
        invocation_id=dbt.config.get("invocation_id"),
        previous=previous,
    )
