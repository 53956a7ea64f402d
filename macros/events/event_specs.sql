{#- The specs of this build that are event-stream propensity models
    (events.source set): the specs the models under
    models/intermediate/events/ build points and features for. -#}
{% macro event_specs() -%}
    {%- set out = [] -%}
    {%- for spec in warehouse_ml.model_specs() if spec['events']['source'] -%}
        {%- do out.append(spec) -%}
    {%- endfor -%}
    {{ return(out) }}
{%- endmacro %}
