{#- The offer model's scores (spec offer_conversion) in the contract's shape:
    one row per scoring request and offer, the probability that the user
    converts on the offer and its rank within the request. -#}

with scores as (
    select * from {{ ref('ml_scores') }}
    where model_name = 'offer_conversion'
),

final as (
    select
        request_id,
        group_id as campaign_id,
        model_id,
        label_value as offer_id,
        class_index,
        probability,
        rank
    from scores
)

select * from final
