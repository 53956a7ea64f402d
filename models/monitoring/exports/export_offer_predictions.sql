{{ config(
    materialized='view',
    tags=['monitoring', 'exports'],
    post_hook="{{ warehouse_ml.export_relation(this, 'offer_predictions') }}",
) }}

{#- What BI tools read for predictions: offer_predictions as is, written to
    <exports_dir>/offer_predictions.parquet and .csv after each build (DuckDB),
    the names next to the ids they stand for. -#}

with predictions as (select * from {{ ref('offer_predictions') }}),

final as (
    select
        request_id,
        campaign_id,
        model_id,
        predicted_offer_id,
        campaign_name,
        predicted_offer_name,
        scoring_error,
        invocation_id,
        probability,
        scored_at
    from predictions
)

select * from final
