{#- Regular-expression test, anchored by the caller's pattern. -#}
{% macro matches_regex(expr, pattern) -%}
    {{ return(adapter.dispatch('matches_regex', 'warehouse_ml')(expr, pattern)) }}
{%- endmacro %}

{% macro default__matches_regex(expr, pattern) -%}
    regexp_like({{ expr }}, {{ warehouse_ml.quote_literal(pattern) }})
{%- endmacro %}

{% macro duckdb__matches_regex(expr, pattern) -%}
    {#- DuckDB names it regexp_full_match/regexp_matches; regexp_matches searches like Trino's regexp_like. -#}
    regexp_matches({{ expr }}, {{ warehouse_ml.quote_literal(pattern) }})
{%- endmacro %}
