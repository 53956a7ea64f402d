{#- The offer model's scores from the SQL-compiled trees (spec
    offer_conversion), the contract's offer_scores shape: what Trino serves, and
    on DuckDB the cross-check of XGBoost's predict. The newest scoring of each
    request in the ml_scores_sql history. -#}

with final as (
    {{ warehouse_ml.offer_contract_rows(warehouse_ml.latest_scoring(ref('ml_scores_sql')), [
        'label_value as offer_id',
        'cast(class_index as integer) as class_index',
        'probability',
        'cast(rank as integer) as rank',
    ]) }}
)

select * from final
