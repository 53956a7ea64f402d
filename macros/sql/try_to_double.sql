{#- Parse text as a double; NULL when it is not a number. -#}
{% macro try_to_double(expr) -%}
    {{ return(adapter.dispatch('try_to_double', 'warehouse_ml')(expr)) }}
{%- endmacro %}

{% macro default__try_to_double(expr) -%}
    try_cast({{ expr }} as double)
{%- endmacro %}

{% macro duckdb__try_to_double(expr) -%}
    {#- DuckDB accepts 'nan'/'inf' as doubles; treat non-finite text as not a number. -#}
    case
        when isfinite(try_cast({{ expr }} as double)) then try_cast({{ expr }} as double)
    end
{%- endmacro %}
