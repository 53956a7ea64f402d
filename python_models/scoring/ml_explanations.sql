{{ config(materialized='table') }}

{#- The explanation of each request's current prediction: the newest rows of
    the append-only ml_explanation_history per (model name, request). -#}

with latest as (
    select * from {{ warehouse_ml.latest_scoring(ref('ml_explanation_history')) }}
),

final as (
    select
        model_name,
        request_id,
        group_id,
        model_id,
        label_value,
        class_index,
        feature_rank,
        feature_name,
        feature_value,
        contribution,
        other_contribution,
        bias,
        margin,
        invocation_id,
        scored_at
    from latest
)

select * from final
