{#- SQL: the position of a categorical column in its spec's feature order. -#}
{% macro spec_column_order(model_expr, column_expr) -%}
    case
        when {{ model_expr }} is null then null
        {%- for spec in warehouse_ml.model_specs() %}
        {%- for column in spec['features']['categorical'] %}
        when {{ model_expr }} = {{ warehouse_ml.quote_literal(spec['name']) }} and {{ column_expr }} = {{ warehouse_ml.quote_literal(column) }} then {{ loop.index0 }}
        {%- endfor %}
        {%- endfor %}
    end
{%- endmacro %}
