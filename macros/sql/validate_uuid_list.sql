{#- Validate a user-supplied list of UUIDs (e.g. the `campaigns` var) before it
    is used in SQL; raises a compiler error a user can act on. -#}
{% macro _validate_uuid_list(values, var_name) -%}
    {%- set pattern = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' -%}
    {%- if values is string -%}
        {%- set values = [values] if values | length > 0 else [] -%}
    {%- endif -%}
    {%- for v in values -%}
        {%- if not modules.re.match(pattern, v | string) -%}
            {{ exceptions.raise_compiler_error("var '" ~ var_name ~ "': " ~ (v | string)[:80] ~ " is not a UUID") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(values) }}
{%- endmacro %}
