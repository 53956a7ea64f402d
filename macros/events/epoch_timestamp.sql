{#- The UTC timestamp `seconds` after 1970-01-01 00:00:00 (inverse of epoch_seconds). -#}
{% macro epoch_timestamp(seconds) -%}
    cast('1970-01-01 00:00:00' as timestamp) + ({{ seconds }}) * interval '1' second
{%- endmacro %}
