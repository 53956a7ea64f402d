{#- True when the text parses as a JSON object (not an array or scalar). -#}
{% macro is_json_object(json_text) -%}
    {{ return(adapter.dispatch('is_json_object', 'warehouse_ml')(json_text)) }}
{%- endmacro %}

{% macro default__is_json_object(json_text) -%}
    coalesce(try(json_parse({{ json_text }})) is not null and starts_with(ltrim({{ json_text }}), '{'), false)
{%- endmacro %}

{% macro duckdb__is_json_object(json_text) -%}
    {#- DuckDB has no try(json_parse); json_valid guards json_type (AND does not short-circuit). -#}
    case when json_valid({{ json_text }}) then json_type({{ json_text }}) = 'OBJECT' else false end
{%- endmacro %}
