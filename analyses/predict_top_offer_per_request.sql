{#- Ad hoc: score the staged requests with the offer model's serving versions
    through warehouse_ml.predict (the compiled trees, in SQL, on DuckDB or
    Trino) and keep each request's most likely offer. Point ref() at your
    own relation with the same columns to score anything else.
    `dbt compile -s predict_top_offer_per_request` prints the SQL. -#}

with scores as (
    {{ warehouse_ml.predict('offer_conversion', ref('stg_landing__requests')) }}
),

final as (
    select
        request_id,
        group_id as campaign_id,
        label_value as predicted_offer_id,
        probability,
        model_id
    from scores
    where rank = 1
)

select * from final
