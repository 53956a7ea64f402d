{#- Parse text as a double; NULL when it is not a finite number. -#}
{% macro try_to_double(expr) -%}
    {{ return(adapter.dispatch('try_to_double', 'warehouse_ml')(expr)) }}
{%- endmacro %}

{% macro default__try_to_double(expr) -%}
    {#- dbt's cross-database safe cast (try_cast, safe_cast, ... per adapter). -#}
    {{ dbt.safe_cast(expr, dbt.type_float()) }}
{%- endmacro %}

{% macro duckdb__try_to_double(expr) -%}
    {#- DuckDB accepts 'nan'/'inf' as doubles; treat non-finite text as not a number. -#}
    case
        when isfinite(try_cast({{ expr }} as double)) then try_cast({{ expr }} as double)
    end
{%- endmacro %}

{% macro trino__try_to_double(expr) -%}
    {#- Trino casts like Java ('NaN', '1.5d', hex floats, control-character padding); accept DuckDB's numbers only: decimal, '_' between digits, ASCII blanks around. -#}
    case
        when
            regexp_like({{ expr }}, '{{ warehouse_ml._duckdb_number_pattern() }}')
            and is_finite(try_cast(replace({{ expr }}, '_', '') as double))
            then try_cast(replace({{ expr }}, '_', '') as double)
    end
{%- endmacro %}

{% macro _duckdb_number_pattern() -%}
    {%- set digits = '[0-9](_?[0-9])*' -%}
    {%- set blank = '[ \\t\\n\\r\\f\\x0B]*' -%}
    {{ return('^' ~ blank ~ '[+-]?(' ~ digits ~ '([.](' ~ digits ~ ')?)?|[.]' ~ digits ~ ')([eE][+-]?' ~ digits ~ ')?' ~ blank ~ '$') }}
{%- endmacro %}
