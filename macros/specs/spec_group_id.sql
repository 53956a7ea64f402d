{#- SQL text of a spec's group of a row: its group_key column as text, or
    'all' when the spec trains one model for every row. -#}
{% macro spec_group_id(spec, alias=none) -%}
    {%- set prefix = alias ~ '.' if alias else '' -%}
    {%- if spec['group_key'] -%}
        cast({{ prefix }}{{ spec['group_key'] }} as {{ dbt.type_string() }})
    {%- else -%}
        cast('all' as {{ dbt.type_string() }})
    {%- endif -%}
{%- endmacro %}
