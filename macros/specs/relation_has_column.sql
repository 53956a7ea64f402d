{#- Whether a built relation has a column (false while dbt parses). Lets the
    scoring SQL use an optional column such as a request's explicit vector. -#}
{% macro relation_has_column(relation, column) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {{ return(column | lower in names) }}
{%- endmacro %}
