{#- The `pinned_models` var ({model_name: {group_id: model_id}}): model names
    must be specs of this build, model ids UUIDs, group ids plain text, before
    any of it reaches SQL (through quote_literal). -#}
{% macro _validated_pinned_models() -%}
    {%- set pinned = var('pinned_models', {}) or {} -%}
    {%- if pinned is not mapping -%}
        {{ exceptions.raise_compiler_error("var 'pinned_models' must be a mapping {model_name: {group_id: model_id}}") }}
    {%- endif -%}
    {%- set names = warehouse_ml.model_specs() | map(attribute='name') | list -%}
    {%- for model_name, groups in pinned.items() -%}
        {%- if model_name not in names -%}
            {{ exceptions.raise_compiler_error("var 'pinned_models': '" ~ (model_name | string)[:80] ~ "' is not a model spec of this build (specs: " ~ names | join(', ') ~ "); the form is {model_name: {group_id: model_id}}") }}
        {%- endif -%}
        {%- if groups is not mapping -%}
            {{ exceptions.raise_compiler_error("var 'pinned_models': the value of '" ~ model_name ~ "' must be a mapping {group_id: model_id}") }}
        {%- endif -%}
        {%- do warehouse_ml._validate_uuid_list(groups.values() | list, 'pinned_models (model id)') -%}
    {%- endfor -%}
    {{ return(pinned) }}
{%- endmacro %}
