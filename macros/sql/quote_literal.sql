{#- Render a Python/Jinja value as a SQL string literal. User-supplied values
    (folder paths, campaign ids, model ids) only ever reach SQL through here. -#}
{% macro quote_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string) | replace("'", "''") }}'
    {%- endif -%}
{%- endmacro %}
