{#- The `default__` body of a macro that has no portable SQL form: a compiler
    error naming the macro, the adapter in use and the adapters it supports. -#}
{% macro _raise_unsupported_adapter(macro_name, supported=['duckdb', 'trino']) -%}
    {{ exceptions.raise_compiler_error(
        "warehouse_ml." ~ macro_name ~ " has no portable SQL form and no implementation for adapter '"
        ~ target.type ~ "': supported adapters are " ~ supported | join(', ')
        ~ " (add a " ~ target.type ~ "__" ~ macro_name ~ " macro to support it)"
    ) }}
{%- endmacro %}
