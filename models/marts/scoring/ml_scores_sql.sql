{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

{#- Scores of every serving model computed in pure SQL from its trees compiled
    to SQL (ml_models.scoring_sql): the scorer that runs on Trino; a test holds
    it to XGBoost's predict within 1e-5. An append-only history: each build
    scores only the requests it holds no row for (var rescore_requests: every
    request again), so a request keeps the model that first scored it.
    One row per (model name, request, class) and scoring. -#}

with assigned as (
    select * from {{ ref('int_scoring_requests') }} as requests
    where
        scoring_error is null
        and {{ warehouse_ml.not_in_history('requests', this) }}
),

features as (select * from {{ ref('int_scoring_features') }}),

{{ warehouse_ml.compiled_score_ctes(warehouse_ml.serving_scoring_sql(), 'features', 'assigned', ref('int_serving_label_classes'), ref('ml_model_nodes')) }}

final as (
    select
        compiled_scores.*,
        '{{ invocation_id }}' as invocation_id,
        current_timestamp as scored_at
    from compiled_scores
)

select * from final
