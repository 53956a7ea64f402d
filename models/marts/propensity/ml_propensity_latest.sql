{{ config(materialized='view') }}

{#- The serving view of propensity models: each entity's latest score (the
    latest scoring time, then the latest run) with the model that produced
    it, when, and its percentile among the latest scores of every entity of
    the same model (1.0 = the most likely to convert). -#}

with history as (
    select
        *,
        row_number() over (
            partition by model_name, entity_id
            order by scored_for desc, scored_at desc
        ) as recency
    from {{ ref('ml_propensity_scores') }}
),

latest as (
    select * from history
    where recency = 1
),

final as (
    select
        model_name,
        entity_id,
        probability,
        percent_rank() over (partition by model_name order by probability) as percentile,
        model_id,
        scored_for,
        scored_at,
        invocation_id
    from latest
)

select * from final
