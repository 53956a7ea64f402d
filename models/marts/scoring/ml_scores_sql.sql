{#- Scores of every serving model computed in pure SQL from its trees compiled
    to SQL (ml_models.scoring_sql): the scorer that runs on Trino; a test holds
    it to XGBoost's predict within 1e-5. One row per (model name, request, class). -#}
-- depends_on: {{ ref('ml_serving_models') }}
-- depends_on: {{ ref('ml_models') }}
{%- set models = warehouse_ml.serving_scoring_sql() %}

with assigned as (
    select * from {{ ref('int_scoring_requests') }}
    where scoring_error is null
),

features as (select * from {{ ref('int_scoring_features') }}),

classes as (select * from {{ ref('int_serving_label_classes') }}),
{%- for model_id, scoring_sql in models %}

features_{{ loop.index }} as (
    select
        features.request_id,
        features.feature_index,
        features.value
    from features
    inner join assigned
        on {{ warehouse_ml.keys_match('features', 'assigned', ['model_name', 'request_id']) }}
    where assigned.model_id = {{ warehouse_ml.quote_literal(model_id) }}
),

scores_{{ loop.index }} as (
    select
        {{ warehouse_ml.quote_literal(model_id) }} as model_id,
        compiled.request_id,
        compiled.class_index,
        compiled.probability
    from (
        {{ scoring_sql | replace('__WML_FEATURES__', 'features_' ~ loop.index) }}
    ) as compiled
),
{%- endfor %}

scores as (
    {%- for model_id, scoring_sql in models %}
    select * from scores_{{ loop.index }}
    union all
    {%- endfor %}
    {{ warehouse_ml.empty_select([
        ['model_id', 'varchar'], ['request_id', 'varchar'], ['class_index', 'integer'], ['probability', 'double'],
    ]) }}
),

final as (
    select
        classes.model_name,
        scores.request_id,
        classes.group_id,
        scores.model_id,
        classes.label_value,
        cast(scores.class_index as integer) as class_index,
        cast(scores.probability as double) as probability,
        row_number() over (
            partition by classes.model_name, scores.request_id
            order by scores.probability desc, scores.class_index asc
        ) as rank
    from scores
    inner join classes
        on {{ warehouse_ml.keys_match('scores', 'classes', ['model_id', 'class_index']) }}
)

select * from final
