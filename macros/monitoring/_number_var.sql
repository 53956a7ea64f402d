{#- A dbt var that must be a number above 0 (or at least 0 with
    allow_zero), as a float; anything else (text, a boolean, a number out of
    range) is a compiler error naming the var and what it means. -#}
{% macro _number_var(name, default, allow_zero, meaning) -%}
    {%- set value = var(name, default) -%}
    {%- if value is not number or value is sameas true or value is sameas false or value < 0 or (value == 0 and not allow_zero) -%}
        {{ exceptions.raise_compiler_error("var '" ~ name ~ "' must be a number " ~ (">= 0" if allow_zero else "> 0") ~ " (" ~ meaning ~ "), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value | float) }}
{%- endmacro %}
