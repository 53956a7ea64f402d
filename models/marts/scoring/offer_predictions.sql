{#- The offer model's predictions (spec offer_conversion) in the contract's
    shape: exactly one row per accepted scoring request, the most likely offer
    and its probability, or why the request could not be scored. -#}

with predictions as (
    select * from {{ ref('ml_predictions') }}
    where model_name = 'offer_conversion'
),

final as (
    select
        request_id,
        group_id as campaign_id,
        model_id,
        predicted_label as predicted_offer_id,
        probability,
        scoring_error,
        invocation_id,
        scored_at
    from predictions
)

select * from final
