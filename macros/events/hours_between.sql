{#- Hours from `earlier` to `later` (timestamps) to the millisecond, the same
    on every engine: both DuckDB's and Trino's date_diff('millisecond') take
    the difference of the truncated epoch milliseconds (Trino has no
    microsecond unit), and the divisor is a double (Trino would keep
    `/ 3600000.0` in decimal(p, 1), rounding to 0.1 hour). -#}
{% macro hours_between(earlier, later) -%}
    cast(date_diff('millisecond', {{ earlier }}, {{ later }}) as double) / 3600000
{%- endmacro %}
