{#- A join condition on columns both sides share by name:
    left.k1 = right.k1 and left.k2 = right.k2 ... Nearly every join of the
    model layer is on (model_name, group_id[, fitted_state_id, ...]); naming
    the keys once keeps those joins short and alike. (SQL's USING would do,
    but Trino then forbids qualifying the key columns.) -#}
{% macro keys_match(left, right, columns) -%}
    {%- for column in columns -%}
        {{ left }}.{{ column }} = {{ right }}.{{ column }}{{ " and " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
