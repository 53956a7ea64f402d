{#- Long rows to wide columns inside a group by: one select-list item per
    [alias, key] pair, the largest `value_column` of the rows whose
    `key_column` equals `key` (NULL when none has it). -#}
{% macro pivot_max(key_column, value_column, columns) -%}
    {%- for alias, key in columns %}
    max(case when {{ key_column }} = {{ warehouse_ml.quote_literal(key) }} then {{ value_column }} end) as {{ alias }}
    {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
