{#- SQL boolean: is the (model, group) in these expressions pinned by var
    `pinned_models`? -#}
{% macro is_pinned_group(model_expr, group_expr) -%}
    {%- set pinned = warehouse_ml._validated_pinned_models() -%}
    {%- set ns = namespace(terms=[]) -%}
    {%- for model_name, groups in pinned.items() -%}
        {%- for group_id in groups.keys() -%}
            {%- do ns.terms.append('(' ~ model_expr ~ ' = ' ~ warehouse_ml.quote_literal(model_name) ~ ' and ' ~ group_expr ~ ' = ' ~ warehouse_ml.quote_literal(group_id) ~ ')') -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if ns.terms -%}
        ({{ ns.terms | join(' or ') }})
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}
