{#- SQL boolean: is the campaign in `expr` pinned by var `pinned_models`? -#}
{% macro is_pinned_campaign(expr) -%}
    {%- set pinned = warehouse_ml._validated_pinned_models() -%}
    {%- if pinned -%}
        {{ expr }} in (
            {%- for campaign_id in pinned.keys() -%}
                {{ warehouse_ml.quote_literal(campaign_id | lower) }}{{ ", " if not loop.last }}
            {%- endfor -%}
        )
    {%- else -%}
        false
    {%- endif -%}
{%- endmacro %}
