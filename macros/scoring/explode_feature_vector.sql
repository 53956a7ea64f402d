{#- One row per comma-separated value of `text_column`: (id, position from 0,
    item text). Used for the seed API's explicit `input=` feature vectors. -#}
{% macro explode_feature_vector(relation, id_column, text_column) -%}
    {{ return(adapter.dispatch('explode_feature_vector', 'warehouse_ml')(relation, id_column, text_column)) }}
{%- endmacro %}

{% macro default__explode_feature_vector(relation, id_column, text_column) -%}
    select
        {{ relation }}.{{ id_column }},
        cast(items.item_position - 1 as integer) as feature_index,
        {{ warehouse_ml.trim_spaces('items.item') }} as item
    from {{ relation }}
    cross join unnest(split({{ relation }}.{{ text_column }}, ',')) with ordinality as items (item, item_position)
{%- endmacro %}

{% macro duckdb__explode_feature_vector(relation, id_column, text_column) -%}
    {#- DuckDB has no UNNEST ... WITH ORDINALITY; generate_subscripts numbers the list. -#}
    select
        {{ id_column }},
        cast(generate_subscripts(items, 1) - 1 as integer) as feature_index,
        trim(unnest(items)) as item
    from (
        select
            {{ id_column }},
            string_split({{ text_column }}, ',') as items
        from {{ relation }}
    ) as exploded
{%- endmacro %}
