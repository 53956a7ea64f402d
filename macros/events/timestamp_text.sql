{#- A timestamp as text 'YYYY-MM-DD HH:MM:SS.ffffff' on every engine (a plain
    cast gives '... 00:00:00' on DuckDB and '... 00:00:00.000000' on Trino),
    so keys built from times, such as point ids, agree across engines. -#}
{% macro timestamp_text(ts) -%}
    {{ return(adapter.dispatch('timestamp_text', 'warehouse_ml')(ts)) }}
{%- endmacro %}

{% macro default__timestamp_text(ts) -%}
    cast(cast({{ ts }} as timestamp(6)) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__timestamp_text(ts) -%}
    strftime({{ ts }}, '%Y-%m-%d %H:%M:%S.%f')
{%- endmacro %}
