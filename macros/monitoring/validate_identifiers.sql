{#- Column names passed to the monitoring macros must be plain identifiers:
    they are pasted into SQL, so anything else is refused with a clear message. -#}
{% macro _validate_identifiers(names, macro_name) -%}
    {%- for name in names -%}
        {%- if not modules.re.match('^[a-z_][a-z0-9_]*$', name | string) -%}
            {{ exceptions.raise_compiler_error(macro_name ~ ": '" ~ name ~ "' is not a plain lower-case column name") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{%- endmacro %}
