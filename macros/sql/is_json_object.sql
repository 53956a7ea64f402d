{#- True when the text parses as a JSON object (not an array or scalar). -#}
{% macro is_json_object(json_text) -%}
    {{ return(adapter.dispatch('is_json_object', 'warehouse_ml')(json_text)) }}
{%- endmacro %}

{% macro default__is_json_object(json_text) -%}
    {#- The SQL:2016 IS JSON predicate. -#}
    coalesce({{ json_text }} is json object, false)
{%- endmacro %}

{% macro duckdb__is_json_object(json_text) -%}
    {#- DuckDB has no IS JSON predicate; json_valid guards json_type (AND does not short-circuit). -#}
    case when json_valid({{ json_text }}) then json_type({{ json_text }}) = 'OBJECT' else false end
{%- endmacro %}

{% macro trino__is_json_object(json_text) -%}
    {#- Trino has no IS JSON predicate; try() turns json_parse's error on bad text into NULL. -#}
    coalesce(try(json_parse({{ json_text }})) is not null and starts_with(ltrim({{ json_text }}), '{'), false)
{%- endmacro %}
