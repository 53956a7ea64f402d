{#- One row per comma-separated value of `text_column`: (id columns..., position
    from 0, item text). Used for the seed API's explicit `input=` feature vectors. -#}
{% macro explode_feature_vector(relation, id_columns, text_column) -%}
    {%- if id_columns is string -%}{%- set id_columns = [id_columns] -%}{%- endif -%}
    {{ return(adapter.dispatch('explode_feature_vector', 'warehouse_ml')(relation, id_columns, text_column)) }}
{%- endmacro %}

{% macro default__explode_feature_vector(relation, id_columns, text_column) -%}
    select
        {%- for column in id_columns %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        cast(items.item_position - 1 as integer) as feature_index,
        {{ warehouse_ml.trim_spaces('items.item') }} as item
    from {{ relation }}
    cross join unnest(split({{ relation }}.{{ text_column }}, ',')) with ordinality as items (item, item_position)
{%- endmacro %}

{% macro duckdb__explode_feature_vector(relation, id_columns, text_column) -%}
    {#- DuckDB has no UNNEST ... WITH ORDINALITY; generate_subscripts numbers the list. -#}
    select
        {{ id_columns | join(', ') }},
        cast(generate_subscripts(items, 1) - 1 as integer) as feature_index,
        trim(unnest(items)) as item
    from (
        select
            {{ id_columns | join(', ') }},
            string_split({{ text_column }}, ',') as items
        from {{ relation }}
    ) as exploded
{%- endmacro %}
