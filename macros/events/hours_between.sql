{#- Hours from `earlier` to `later` (timestamps), to the engine's precision:
    microseconds on DuckDB, milliseconds on Trino. -#}
{% macro hours_between(earlier, later) -%}
    {{ return(adapter.dispatch('hours_between', 'warehouse_ml')(earlier, later)) }}
{%- endmacro %}

{% macro default__hours_between(earlier, later) -%}
    date_diff('millisecond', {{ earlier }}, {{ later }}) / 3600000.0
{%- endmacro %}

{% macro duckdb__hours_between(earlier, later) -%}
    date_diff('microsecond', {{ earlier }}, {{ later }}) / 3600000000.0
{%- endmacro %}
