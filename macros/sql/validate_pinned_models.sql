{#- The `pinned_models` var ({campaign_id: model_id}), every key and value
    checked to be a UUID before it reaches SQL. -#}
{% macro _validated_pinned_models() -%}
    {%- set pinned = var('pinned_models', {}) or {} -%}
    {%- if pinned is not mapping -%}
        {{ exceptions.raise_compiler_error("var 'pinned_models' must be a mapping {campaign_id: model_id}") }}
    {%- endif -%}
    {%- do warehouse_ml._validate_uuid_list(pinned.keys() | list, 'pinned_models (campaign id)') -%}
    {%- do warehouse_ml._validate_uuid_list(pinned.values() | list, 'pinned_models (model id)') -%}
    {{ return(pinned) }}
{%- endmacro %}
