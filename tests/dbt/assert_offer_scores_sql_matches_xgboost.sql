{{ config(enabled=target.type == 'duckdb') }}
{#- The pure-SQL scorer (compiled trees, the one Trino runs) must give XGBoost's
    own predict: the same requests, the same (request, class) rows with the same
    model and offer, and probabilities within 1e-5. Only DuckDB runs the XGBoost
    scorer, so the test is disabled on other targets. One row per disagreement. -#}

with sql_scores as (
    select
        request_id,
        class_index,
        model_id,
        offer_id,
        probability
    from {{ ref('offer_scores_sql') }}
),

xgboost_scores as (
    select
        request_id,
        class_index,
        model_id,
        offer_id,
        probability
    from {{ ref('offer_scores_xgboost') }}
),

compared as (
    select
        coalesce(sql_scores.request_id, xgboost_scores.request_id) as request_id,
        coalesce(sql_scores.class_index, xgboost_scores.class_index) as class_index,
        sql_scores.model_id as sql_model_id,
        xgboost_scores.model_id as xgboost_model_id,
        sql_scores.offer_id as sql_offer_id,
        xgboost_scores.offer_id as xgboost_offer_id,
        sql_scores.probability as sql_probability,
        xgboost_scores.probability as xgboost_probability,
        case
            when sql_scores.request_id is null then 'only in offer_scores_xgboost'
            when xgboost_scores.request_id is null then 'only in offer_scores_sql'
            when sql_scores.model_id <> xgboost_scores.model_id then 'different model'
            when sql_scores.offer_id <> xgboost_scores.offer_id then 'different offer'
            when sql_scores.probability is null or xgboost_scores.probability is null then 'NULL probability'
            when abs(sql_scores.probability - xgboost_scores.probability) > 1e-5
                then 'probabilities differ by more than 1e-5'
        end as mismatch
    from sql_scores
    full outer join xgboost_scores
        on
            sql_scores.request_id = xgboost_scores.request_id
            and sql_scores.class_index = xgboost_scores.class_index
)

select * from compared
where mismatch is not null
