{{ config(
    materialized='view',
    tags=['monitoring', 'exports'],
    post_hook="{{ warehouse_ml.export_relation(this, 'ml_metrics_latest') }}",
) }}

{#- What BI tools read for model quality: the newest value of every metric of
    every model, written to <exports_dir>/ml_metrics_latest.parquet and .csv
    (DuckDB). -#}

with latest as (select * from {{ ref('ml_metrics_latest') }}),

final as (
    select
        model_id,
        model_name,
        group_id,
        campaign_id,
        invocation_id,
        split,
        metric,
        value,
        is_serving,
        recorded_at
    from latest
)

select * from final
