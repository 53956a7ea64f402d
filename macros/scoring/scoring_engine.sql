{#- Which scorer feeds offer_scores: 'xgboost' (XGBoost's predict in a dbt
    Python model, DuckDB only) or 'sql' (the compiled trees, any engine). -#}
{% macro scoring_engine() -%}
    {%- set default = 'xgboost' if target.type == 'duckdb' else 'sql' -%}
    {%- set engine = var('scoring_engine', default) -%}
    {%- if engine not in ['xgboost', 'sql'] -%}
        {{ exceptions.raise_compiler_error("var 'scoring_engine' must be 'xgboost' or 'sql', got '" ~ engine ~ "'") }}
    {%- endif -%}
    {%- if engine == 'xgboost' and target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error("scoring_engine 'xgboost' needs dbt Python models, which only the duckdb target has; use 'sql'") }}
    {%- endif -%}
    {{ return(engine) }}
{%- endmacro %}
