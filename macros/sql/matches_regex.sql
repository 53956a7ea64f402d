{#- Regular-expression test, anchored by the caller's pattern. -#}
{% macro matches_regex(expr, pattern) -%}
    {{ return(adapter.dispatch('matches_regex', 'warehouse_ml')(expr, pattern)) }}
{%- endmacro %}

{% macro default__matches_regex(expr, pattern) -%}
    {#- SQL's LIKE_REGEX (XQuery syntax) is barely implemented and every engine names its regex test differently: no portable body. -#}
    {{ warehouse_ml._raise_unsupported_adapter('matches_regex') }}
{%- endmacro %}

{% macro duckdb__matches_regex(expr, pattern) -%}
    {#- DuckDB names it regexp_matches (a search, like Trino's regexp_like; regexp_full_match anchors). -#}
    regexp_matches({{ expr }}, {{ warehouse_ml.quote_literal(pattern) }})
{%- endmacro %}

{% macro trino__matches_regex(expr, pattern) -%}
    {#- Trino names it regexp_like (a search with Java regex syntax). -#}
    regexp_like({{ expr }}, {{ warehouse_ml.quote_literal(pattern) }})
{%- endmacro %}
