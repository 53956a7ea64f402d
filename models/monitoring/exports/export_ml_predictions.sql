{{ config(
    materialized='view',
    tags=['monitoring', 'exports'],
    post_hook="{{ warehouse_ml.export_relation(this, 'ml_predictions') }}",
) }}

{#- What BI tools read for every model spec's predictions: ml_predictions as
    is, written to <exports_dir>/ml_predictions.parquet and .csv after each
    build (DuckDB). Campaign and offer names (seeds) are added for the offer
    spec's groups and labels; other specs' values have no names and show as
    they are. -#}

with predictions as (select * from {{ ref('ml_predictions') }}),

named as (
    {{ warehouse_ml.with_offer_names(
        'predictions',
        campaign_id='group_id',
        campaign_name='group_name',
        offer_id='predicted_label',
        offer_name='predicted_label_name',
    ) }}
),

final as (
    select
        model_name,
        request_id,
        group_id,
        model_id,
        predicted_label,
        group_name,
        predicted_label_name,
        probability,
        positive_probability,
        scoring_error,
        invocation_id,
        scored_at
    from named
)

select * from final
