{#- The offer model's scores (spec offer_conversion) in the contract's shape:
    one row per scoring request and offer, the probability that the user
    converts on the offer and its rank within the request, then the campaign
    and offer names (seeds). -#}

with contract as (
    {{ warehouse_ml.offer_contract_rows(ref('ml_scores'), [
        'label_value as offer_id',
        'class_index',
        'probability',
        'rank',
    ]) }}
),

final as (
    {{ warehouse_ml.with_offer_names('contract') }}
)

select * from final
