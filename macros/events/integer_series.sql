{#- A table expression for `cross join unnest(<this>) as g (k)`: the integers
    lo..hi inclusive (DuckDB generate_series, Trino sequence). -#}
{% macro integer_series(lo, hi) -%}
    {{ return(adapter.dispatch('integer_series', 'warehouse_ml')(lo, hi)) }}
{%- endmacro %}

{% macro default__integer_series(lo, hi) -%}
    sequence({{ lo }}, {{ hi }})
{%- endmacro %}

{% macro duckdb__integer_series(lo, hi) -%}
    generate_series({{ lo }}, {{ hi }})
{%- endmacro %}
