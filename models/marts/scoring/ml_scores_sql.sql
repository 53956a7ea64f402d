{#- Scores of every serving model computed in pure SQL from its trees compiled
    to SQL (ml_models.scoring_sql): the scorer that runs on Trino; a test holds
    it to XGBoost's predict within 1e-5. One row per (model name, request, class). -#}

with assigned as (
    select * from {{ ref('int_scoring_requests') }}
    where scoring_error is null
),

features as (select * from {{ ref('int_scoring_features') }}),

{{ warehouse_ml.compiled_score_ctes(warehouse_ml.serving_scoring_sql(), 'features', 'assigned', ref('int_serving_label_classes')) }}

final as (
    select * from compiled_scores
)

select * from final
