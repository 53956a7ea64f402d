{#- One row per scoring request and offer: the probability that the offer is
    the one this user converts on, and its rank within the request. -#}

with scores as (
    {%- if warehouse_ml.scoring_engine() == 'xgboost' %}
    select * from {{ ref('offer_scores_xgboost') }}
    {%- else %}
    select * from {{ ref('offer_scores_sql') }}
    {%- endif %}
),

final as (
    select
        request_id,
        campaign_id,
        model_id,
        offer_id,
        cast(class_index as integer) as class_index,
        cast(probability as double) as probability,
        cast(rank as integer) as rank
    from scores
)

select * from final
