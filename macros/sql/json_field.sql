{#- Extract a field of a JSON object held as text, as varchar: strings unquoted,
    numbers, booleans, objects and arrays as (normalised) JSON text, NULL when
    the field is absent or JSON null. -#}
{% macro json_field(json_text, field) -%}
    {{ return(adapter.dispatch('json_field', 'warehouse_ml')(json_text, field)) }}
{%- endmacro %}

{% macro default__json_field(json_text, field) -%}
    {#- SQL:2016 JSON_VALUE/JSON_QUERY would give a number's source text, not its normalised form: no portable body. -#}
    {{ warehouse_ml._raise_unsupported_adapter('json_field') }}
{%- endmacro %}

{% macro trino__json_field(json_text, field) -%}
    {#- Trino's json_extract_scalar alone would give NULL for objects/arrays and keep a number's source text. -#}
    case
        when json_format(json_extract({{ json_text }}, '$.{{ field }}')) like '"%'
            then json_extract_scalar({{ json_text }}, '$.{{ field }}')
        else nullif(json_format(json_extract({{ json_text }}, '$.{{ field }}')), 'null')
    end
{%- endmacro %}

{% macro duckdb__json_field(json_text, field) -%}
    {#- DuckDB's json_extract_string returns strings unquoted and anything else as normalised JSON text. -#}
    json_extract_string({{ json_text }}, '$.{{ field }}')
{%- endmacro %}
