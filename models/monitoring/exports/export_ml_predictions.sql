{{ config(
    materialized='view',
    tags=['monitoring', 'exports'],
    post_hook="{{ warehouse_ml.export_relation(this, 'ml_predictions') }}",
) }}

{#- What BI tools read for every model spec's predictions: ml_predictions as
    is, written to <exports_dir>/ml_predictions.parquet and .csv after each
    build (DuckDB). -#}

with predictions as (select * from {{ ref('ml_predictions') }}),

final as (
    select
        model_name,
        request_id,
        group_id,
        model_id,
        predicted_label,
        probability,
        positive_probability,
        scoring_error,
        invocation_id,
        scored_at
    from predictions
)

select * from final
