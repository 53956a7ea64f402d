{{ config(enabled=target.type == 'duckdb') }}
{#- The pure-SQL scorer (compiled trees, the one Trino runs) must give XGBoost's
    own predict for every spec (the newest scoring of each request in both
    histories): the same requests, the same (model name,
    request, class) rows with the same model and label, and probabilities
    within 1e-5. Only DuckDB runs the XGBoost
    scorer, so the test is disabled on other targets. One row per disagreement. -#}

{%- set compared_columns = ['model_name', 'request_id', 'class_index', 'model_id', 'label_value', 'probability'] %}

with sql_scores as (
    select
        {{ compared_columns | join(',\n        ') }}
    from {{ warehouse_ml.latest_scoring(ref('ml_scores_sql')) }}
),

xgboost_scores as (
    select
        {{ compared_columns | join(',\n        ') }}
    from {{ warehouse_ml.latest_scoring(ref('ml_scores_xgboost')) }}
),

compared as (
    select
        coalesce(sql_scores.model_name, xgboost_scores.model_name) as model_name,
        coalesce(sql_scores.request_id, xgboost_scores.request_id) as request_id,
        coalesce(sql_scores.class_index, xgboost_scores.class_index) as class_index,
        sql_scores.model_id as sql_model_id,
        xgboost_scores.model_id as xgboost_model_id,
        sql_scores.label_value as sql_label_value,
        xgboost_scores.label_value as xgboost_label_value,
        sql_scores.probability as sql_probability,
        xgboost_scores.probability as xgboost_probability,
        case
            when sql_scores.request_id is null then 'only in ml_scores_xgboost'
            when xgboost_scores.request_id is null then 'only in ml_scores_sql'
            when sql_scores.model_id <> xgboost_scores.model_id then 'different model'
            when sql_scores.label_value <> xgboost_scores.label_value then 'different label'
            when sql_scores.probability is null or xgboost_scores.probability is null then 'NULL probability'
            when abs(sql_scores.probability - xgboost_scores.probability) > 1e-5
                then 'probabilities differ by more than 1e-5'
        end as mismatch
    from sql_scores
    full outer join xgboost_scores
        on {{ warehouse_ml.keys_match('sql_scores', 'xgboost_scores', ['model_name', 'request_id', 'class_index']) }}
)

select * from compared
where mismatch is not null
