{#- Extract a scalar field of a JSON object held as text, as varchar. -#}
{% macro json_field(json_text, field) -%}
    {{ return(adapter.dispatch('json_field', 'warehouse_ml')(json_text, field)) }}
{%- endmacro %}

{% macro default__json_field(json_text, field) -%}
    json_extract_scalar({{ json_text }}, '$.{{ field }}')
{%- endmacro %}

{% macro duckdb__json_field(json_text, field) -%}
    {#- DuckDB's json_extract_string also returns numbers as text, like Trino's json_extract_scalar. -#}
    json_extract_string({{ json_text }}, '$.{{ field }}')
{%- endmacro %}
