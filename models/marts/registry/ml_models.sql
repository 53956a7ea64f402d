{{ config(materialized='view', enabled=(target.type == 'trino')) }}

{#- The model registry on Trino (on DuckDB the dbt Python model of the same
    name is the registry). `wml run --target trino` trains outside dbt and
    appends the rows to a log (warehouse_ml.trino_registry); a retired champion
    is logged again with its new status. The newest logged row of each model
    is its current row, which is what DuckDB's upsert by model_id keeps. The
    large texts are logged in parts (Trino caps a statement's length) and
    glued back here. -#}

with log as (
    select * from {{ source('registry', 'ml_models_log') }}
),

ranked as (
    select
        *,
        row_number() over (partition by model_id order by logged_at desc, log_id desc) as recency_rank
    from log
),

latest as (
    select * from ranked
    where recency_rank = 1
),

texts as (
    select
        log_id,
        column_name,
        {{ warehouse_ml.ordered_string_agg('chunk', '', 'part') }} as text_value
    from {{ source('registry', 'ml_models_log_text') }}
    where log_id in (select latest.log_id from latest)
    group by log_id, column_name
),

final as (
    select
        latest.model_id,
        latest.model_name,
        latest.group_id,
        latest.campaign_id,
        latest.task,
        latest.status,
        latest.status_reason,
        latest.status_code,
        latest.fitted_state_id,
        latest.invocation_id,
        latest.hyperparameters,
        latest.feature_columns,
        latest.feature_kinds,
        latest.classes,
        latest.metrics,
        latest.n_train_rows,
        latest.n_validation_rows,
        latest.n_test_rows,
        latest.best_iteration,
        booster.text_value as booster_json,
        compiled.text_value as scoring_sql,
        latest.trained_at,
        latest.calibration
    from latest
    left join texts as booster
        on latest.log_id = booster.log_id and booster.column_name = 'booster_json'
    left join texts as compiled
        on latest.log_id = compiled.log_id and compiled.column_name = 'scoring_sql'
)

select * from final
