{{ config(materialized='view') }}

{#- The newest recorded value of every model's metrics: one row per model,
    split and metric, from the ml_metrics history, and whether the model
    serves its model spec and group now. -#}

with history as (select * from {{ ref('ml_metrics') }}),

serving as (select * from {{ ref('ml_serving_models') }}),

ranked as (
    select
        *,
        row_number() over (
            partition by model_id, split, metric
            order by recorded_at desc, invocation_id desc
        ) as recency_rank
    from history
),

final as (
    select
        ranked.model_id,
        ranked.model_name,
        ranked.group_id,
        ranked.campaign_id,
        ranked.invocation_id,
        ranked.split,
        ranked.metric,
        ranked.value,
        serving.model_id is not null as is_serving,
        ranked.recorded_at
    from ranked
    left join serving on ranked.model_id = serving.model_id
    where ranked.recency_rank = 1
)

select * from final
