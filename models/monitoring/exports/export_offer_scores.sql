{{ config(
    materialized='view',
    tags=['monitoring', 'exports'],
    post_hook="{{ warehouse_ml.export_relation(this, 'offer_scores') }}",
) }}

{#- What BI tools read for scores: every request x offer probability and its
    rank, written to <exports_dir>/offer_scores.parquet and .csv (DuckDB). -#}

with scores as (select * from {{ ref('offer_scores') }}),

final as (
    select
        request_id,
        campaign_id,
        model_id,
        offer_id,
        campaign_name,
        offer_name,
        class_index,
        probability,
        rank
    from scores
)

select * from final
