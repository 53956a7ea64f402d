{#- Position of a categorical column in the configured feature order, as SQL. -#}
{% macro column_order(column_expr) -%}
    case {{ column_expr }}
        {%- for col in warehouse_ml.categorical_feature_columns() %}
        when '{{ col }}' then {{ loop.index0 }}
        {%- endfor %}
    end
{%- endmacro %}
