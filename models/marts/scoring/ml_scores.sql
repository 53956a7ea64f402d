{#- The current scores: one row per scoring request, model name and class
    from the newest scoring of the request by the scorer each spec chose
    (scoring.engine: XGBoost's predict or the SQL-compiled trees), both
    append-only histories. A request keeps the model that first scored it
    until a build re-scores it (var rescore_requests). -#}
{%- set specs = warehouse_ml.scoring_specs() %}
{%- set xgboost_models = [] %}
{%- set sql_models = [] %}
{%- for spec in specs %}
{%- do (xgboost_models if spec['scoring']['engine'] == 'xgboost' else sql_models).append(warehouse_ml.quote_literal(spec['name'])) %}
{%- endfor %}
{%- set columns = 'model_name, request_id, group_id, model_id, label_value, class_index, probability, rank, invocation_id, scored_at' %}

with current_requests as (
    select
        model_name,
        request_id
    from {{ ref('int_scoring_requests') }}
),

scores as (
    {%- if target.type == 'duckdb' %}
    select {{ columns }} from {{ warehouse_ml.latest_scoring(ref('ml_scores_xgboost')) }}
    where model_name in ({{ (xgboost_models or ["''"]) | join(', ') }})
    union all
    {%- endif %}
    select {{ columns }} from {{ warehouse_ml.latest_scoring(ref('ml_scores_sql')) }}
    where model_name in ({{ (sql_models or ["''"]) | join(', ') }})
),

-- Only today's requests: the histories also hold scoring points of event
-- specs from earlier runs, which ml_propensity_scores keeps.
final as (
    select
        scores.model_name,
        scores.request_id,
        scores.group_id,
        scores.model_id,
        scores.label_value,
        cast(scores.class_index as integer) as class_index,
        cast(scores.probability as double) as probability,
        cast(scores.rank as integer) as rank,
        scores.invocation_id,
        scores.scored_at
    from scores
    inner join current_requests
        on {{ warehouse_ml.keys_match('scores', 'current_requests', ['model_name', 'request_id']) }}
)

select * from final
