{#- The offer model's predictions (spec offer_conversion) in the contract's
    shape: exactly one row per accepted scoring request, the most likely offer
    and its probability, or why the request could not be scored. -#}

with final as (
    {{ warehouse_ml.offer_contract_rows(ref('ml_predictions'), [
        'predicted_label as predicted_offer_id',
        'probability',
        'scoring_error',
        'invocation_id',
        'scored_at',
    ]) }}
)

select * from final
