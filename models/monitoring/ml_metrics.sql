{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns',
    post_hook="{{ warehouse_ml.backfill_offer_keys(this) }}",
) }}

{#- Append-only metric history, one row per session x model x split x metric:
    the models trained in this build (ml_models.invocation_id = this session)
    and the models serving now (every model spec and group), their `metrics` JSON unnested
    into long rows (names as warehouse_ml.metrics.metrics_to_rows gives them).
    The seed's practice: "insert these metrics with the session ID of the WF
    run to keep track of performance across iterations". -#}

with models as (
    select
        model_id,
        model_name,
        group_id,
        metrics,
        invocation_id
    from {{ ref('ml_models') }}
),

serving as (select model_id from {{ ref('ml_serving_models') }}),

recorded_models as (
    select
        models.model_id,
        models.model_name,
        models.group_id,
        models.metrics,
        models.invocation_id = '{{ invocation_id }}' as is_trained_in_session,
        serving.model_id is not null as is_serving
    from models
    left join serving on models.model_id = serving.model_id
    where
        models.metrics is not null
        and (models.invocation_id = '{{ invocation_id }}' or serving.model_id is not null)
),

metric_rows as (
    {{ warehouse_ml.metrics_json_rows('recorded_models', 'metrics', ['model_id', 'model_name', 'group_id', 'is_trained_in_session', 'is_serving']) }}
),

final as (
    select
        '{{ invocation_id }}' as invocation_id,
        model_id,
        model_name,
        group_id,
        group_id as campaign_id,
        split,
        metric,
        cast(value as double) as value,
        is_trained_in_session,
        is_serving,
        {{ warehouse_ml.session_started_at() }} as recorded_at
    from metric_rows
)

select * from final
