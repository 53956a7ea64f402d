{#- Aggregate text values into one string, in a given order. -#}
{% macro ordered_string_agg(expr, separator, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'warehouse_ml')(expr, separator, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, separator, order_by) -%}
    {#- SQL:2016 LISTAGG ... WITHIN GROUP. -#}
    listagg({{ expr }}, {{ warehouse_ml.quote_literal(separator) }}) within group (order by {{ order_by }})
{%- endmacro %}

{% macro trino__ordered_string_agg(expr, separator, order_by) -%}
    {#- Trino's listagg fails past 1 MB of output (ON OVERFLOW ERROR); array_agg keeps the order and array_join glues it without a limit. -#}
    array_join(array_agg({{ expr }} order by {{ order_by }}), {{ warehouse_ml.quote_literal(separator) }})
{%- endmacro %}

{% macro duckdb__ordered_string_agg(expr, separator, order_by) -%}
    {#- DuckDB's string_agg takes an ORDER BY inside the call. -#}
    string_agg({{ expr }}, {{ warehouse_ml.quote_literal(separator) }} order by {{ order_by }})
{%- endmacro %}
