{#- `alias.column` for each column, comma-separated (no trailing comma): the
    key columns of one relation in a select list that also reads others. -#}
{% macro qualified_columns(relation_alias, columns) -%}
    {%- for column in columns -%}
        {{ relation_alias }}.{{ column }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
