{#- SQL text of a row's label as text: the value itself (multiclass), or '1'
    for the spec's positive value and '0' for any other (binary). -#}
{% macro spec_label_value(spec) -%}
    {%- set column = 'cast(' ~ spec['label']['column'] ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- if spec['label']['kind'] == 'binary' -%}
        case when {{ column }} = {{ warehouse_ml.quote_literal(spec['label']['positive']) }} then '1' else '0' end
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}
