{#- The offer model's scores from the SQL-compiled trees (spec
    offer_conversion), the contract's offer_scores shape: what Trino serves, and
    on DuckDB the cross-check of XGBoost's predict. -#}

with scores as (
    select * from {{ ref('ml_scores_sql') }}
    where model_name = 'offer_conversion'
),

final as (
    select
        request_id,
        group_id as campaign_id,
        model_id,
        label_value as offer_id,
        cast(class_index as integer) as class_index,
        probability,
        cast(rank as integer) as rank
    from scores
)

select * from final
