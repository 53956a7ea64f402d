{#- One row per (event, categorical column) with its raw and encoded value. -#}

with categories as (
    {{ warehouse_ml.unpivot_categories(ref('int_conversions_split'), 'event_id', ['split']) }}
)

select * from categories
