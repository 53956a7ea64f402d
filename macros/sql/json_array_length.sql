{#- Number of elements of a JSON array held as text. -#}
{% macro json_array_length(json_text) -%}
    {{ return(adapter.dispatch('json_array_length', 'warehouse_ml')(json_text)) }}
{%- endmacro %}

{% macro default__json_array_length(json_text) -%}
    json_array_length({{ json_text }})
{%- endmacro %}
