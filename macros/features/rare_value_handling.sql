{#- The validated `rare_value_handling` var: 'drop' (the seed) or 'bucket'. -#}
{% macro rare_value_handling() -%}
    {%- set mode = var('rare_value_handling', 'drop') -%}
    {%- if mode not in ['drop', 'bucket'] -%}
        {{ exceptions.raise_compiler_error("var 'rare_value_handling' must be 'drop' or 'bucket', got '" ~ mode ~ "'") }}
    {%- endif -%}
    {{ return(mode) }}
{%- endmacro %}

{#- The category that stands for rare and unseen values in bucket mode. -#}
{% macro other_category() -%}
    {{ return('__other__') }}
{%- endmacro %}
