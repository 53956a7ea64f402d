{#- Whole seconds since 1970-01-01 00:00:00 of a UTC timestamp (floor), and
    back: the snapshot grid is computed in these units on every engine. -#}
{% macro epoch_seconds(ts) -%}
    date_diff('second', cast('1970-01-01 00:00:00' as timestamp), {{ ts }})
{%- endmacro %}
