{#- The offer model's predictions (spec offer_conversion) in the contract's
    shape: exactly one row per accepted scoring request, the most likely offer
    and its probability, or why the request could not be scored. The campaign
    and offer names (seeds) come after the contract's columns, so readers of
    the contract's columns by position are unaffected. -#}

with contract as (
    {{ warehouse_ml.offer_contract_rows(ref('ml_predictions'), [
        'predicted_label as predicted_offer_id',
        'probability',
        'scoring_error',
        'invocation_id',
        'scored_at',
    ]) }}
),

final as (
    {{ warehouse_ml.with_offer_names('contract', offer_id='predicted_offer_id', offer_name='predicted_offer_name') }}
)

select * from final
