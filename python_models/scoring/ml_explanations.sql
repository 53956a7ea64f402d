{{ config(materialized='table') }}

{#- The explanation of each current request's prediction: the newest rows of
    the append-only ml_explanation_history per (model name, request). DuckDB
    only, like its history, hence DuckDB's `exclude`. -#}

with latest as (
    select * exclude (scoring_recency)
    from {{ warehouse_ml.latest_scoring(ref('ml_explanation_history')) }}
    -- Only today's requests (the history keeps earlier event-spec points).
    where exists (
        select 1 from {{ ref('int_scoring_requests') }} as current_requests
        where {{ warehouse_ml.keys_match('current_requests', 'latest_scoring', ['model_name', 'request_id']) }}
    )
),

final as (
    select * from latest
)

select * from final
