{#- Hours from `earlier` to `later` (timestamps), to the engine's precision:
    microseconds on DuckDB, milliseconds on Trino. -#}
{% macro hours_between(earlier, later) -%}
    {{ return(adapter.dispatch('hours_between', 'warehouse_ml')(earlier, later)) }}
{%- endmacro %}

{% macro default__hours_between(earlier, later) -%}
    {#- A double divisor: Trino would keep `/ 3600000.0` in decimal(p, 1), rounding to 0.1 hour. -#}
    cast(date_diff('millisecond', {{ earlier }}, {{ later }}) as double) / 3600000
{%- endmacro %}

{% macro duckdb__hours_between(earlier, later) -%}
    date_diff('microsecond', {{ earlier }}, {{ later }}) / 3600000000.0
{%- endmacro %}
