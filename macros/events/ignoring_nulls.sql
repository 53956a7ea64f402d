{#- `first_value` / `last_value` of `expr` skipping NULLs, to be followed by
    an `over (...)` clause: the engines place IGNORE NULLS differently. -#}
{% macro ignoring_nulls(function, expr) -%}
    {%- if function not in ['first_value', 'last_value'] -%}
        {{ exceptions.raise_compiler_error("ignoring_nulls: function must be first_value or last_value") }}
    {%- endif -%}
    {{ return(adapter.dispatch('ignoring_nulls', 'warehouse_ml')(function, expr)) }}
{%- endmacro %}

{% macro default__ignoring_nulls(function, expr) -%}
    {{ function }}({{ expr }}) ignore nulls
{%- endmacro %}

{% macro duckdb__ignoring_nulls(function, expr) -%}
    {{ function }}({{ expr }} ignore nulls)
{%- endmacro %}
