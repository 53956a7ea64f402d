{#- The category that stands for rare and unseen values in bucket mode. -#}
{% macro other_category() -%}
    {{ return('__other__') }}
{%- endmacro %}
