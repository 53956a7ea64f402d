{#- The pattern every id (event, request, campaign, offer) must match. -#}
{% macro uuid_pattern() -%}
    {{ return('^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$') }}
{%- endmacro %}
