{#- One row per scoring request, model name and class: the probability of the
    class and its rank within the request (1 = most likely), from the scorer
    each spec chose (scoring.engine: XGBoost's predict or the SQL-compiled trees). -#}
{%- set specs = warehouse_ml.scoring_specs() %}
{%- set xgboost_models = [] %}
{%- set sql_models = [] %}
{%- for spec in specs %}
{%- do (xgboost_models if spec['scoring']['engine'] == 'xgboost' else sql_models).append(warehouse_ml.quote_literal(spec['name'])) %}
{%- endfor %}

with scores as (
    {%- if target.type == 'duckdb' %}
    select * from {{ ref('ml_scores_xgboost') }}
    where model_name in ({{ (xgboost_models or ["''"]) | join(', ') }})
    union all
    {%- endif %}
    select * from {{ ref('ml_scores_sql') }}
    where model_name in ({{ (sql_models or ["''"]) | join(', ') }})
),

final as (
    select
        model_name,
        request_id,
        group_id,
        model_id,
        label_value,
        cast(class_index as integer) as class_index,
        cast(probability as double) as probability,
        cast(rank as integer) as rank
    from scores
)

select * from final
