{{ config(materialized='table') }}

{#- The explanation of each request's current prediction: the newest rows of
    the append-only ml_explanation_history per (model name, request). DuckDB
    only, like its history, hence DuckDB's `exclude`. -#}

with latest as (
    select * exclude (scoring_recency)
    from {{ warehouse_ml.latest_scoring(ref('ml_explanation_history')) }}
),

final as (
    select * from latest
)

select * from final
