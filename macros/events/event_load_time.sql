{#- A load timestamp (with time zone) as a UTC timestamp(6) without zone, so
    it compares with event times. -#}
{% macro event_load_time(column) -%}
    {{ return(adapter.dispatch('event_load_time', 'warehouse_ml')(column)) }}
{%- endmacro %}

{% macro default__event_load_time(column) -%}
    cast({{ column }} at time zone 'UTC' as timestamp(6))
{%- endmacro %}

{% macro duckdb__event_load_time(column) -%}
    timezone('UTC', {{ column }})
{%- endmacro %}
