{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns',
    post_hook="{{ warehouse_ml.backfill_offer_keys(this) }}",
) }}

{#- Append-only drift history, one row per session, serving model and
    monitored quantity, computed in SQL (DuckDB and Trino):

    * kind `feature`: D(current || training) for each model input column, summed from
      this session's ml_drift_histograms (reference `training_split`);
    * kind `prediction`: KL between Gaussians fitted to the predicted offer's
      probability (the seed's Hivemall practice), this session against the
      previous session of the model spec and group (reference `previous_session`) and
      against the serving model's test split (reference `test_split`, from
      ml_models.metrics test.top_probability_mean/std).

    is_drifted = kl_divergence > var `drift_threshold`. Only this session's
    histograms and prediction stats are read: select the upstream monitoring
    models too (`dbt build -s +ml_drift`). -#}
{%- set threshold = warehouse_ml.drift_threshold() %}

with histograms as (
    select * from {{ ref('ml_drift_histograms') }}
    where invocation_id = '{{ invocation_id }}'
),

stats as (select * from {{ ref('ml_prediction_stats') }}),

models as (select * from {{ ref('ml_models') }}),

feature_drift as (
    select
        model_name,
        group_id,
        model_id,
        'feature' as kind,
        feature,
        'training_split' as reference,
        fitted_state_id as reference_id,
        sum(kl_term) as kl_divergence,
        sum(n_current) as n_current
    from histograms
    group by model_name, group_id, model_id, feature, fitted_state_id
),

current_stats as (
    select * from stats
    where invocation_id = '{{ invocation_id }}'
),

previous_stats as (
    select
        stats.*,
        row_number() over (
            partition by stats.model_name, stats.group_id
            order by stats.recorded_at desc, stats.invocation_id desc
        ) as recency_rank
    from stats
    inner join current_stats
        on
            {{ warehouse_ml.keys_match('stats', 'current_stats', ['model_name', 'group_id']) }}
            and stats.recorded_at <= current_stats.recorded_at
    where stats.invocation_id <> '{{ invocation_id }}'
),

test_stats as (
    select
        model_id,
        {{ warehouse_ml.try_to_double(warehouse_ml.json_field('metrics', 'test.top_probability_mean')) }} as top_probability_mean,
        {{ warehouse_ml.try_to_double(warehouse_ml.json_field('metrics', 'test.top_probability_std')) }} as top_probability_std
    from models
    where model_id in (select current_stats.model_id from current_stats)
),

prediction_references as (
    -- What each serving model's current predictions are compared with: the previous session, the test split.
    select
        current_stats.model_id,
        'previous_session' as reference,
        previous_stats.invocation_id as reference_id,
        previous_stats.top_probability_mean,
        previous_stats.top_probability_std
    from current_stats
    inner join previous_stats
        on
            {{ warehouse_ml.keys_match('current_stats', 'previous_stats', ['model_name', 'group_id']) }}
            and previous_stats.recency_rank = 1
    union all
    select
        model_id,
        'test_split' as reference,
        model_id as reference_id,
        top_probability_mean,
        top_probability_std
    from test_stats
    where top_probability_mean is not null and top_probability_std is not null
),

prediction_drift as (
    select
        current_stats.model_name,
        current_stats.group_id,
        current_stats.model_id,
        'prediction' as kind,
        'top_probability' as feature,
        prediction_references.reference,
        prediction_references.reference_id,
        {{ warehouse_ml.gaussian_kl(
            'current_stats.top_probability_mean', 'current_stats.top_probability_std',
            'prediction_references.top_probability_mean', 'prediction_references.top_probability_std') }} as kl_divergence,
        current_stats.n_predictions as n_current
    from current_stats
    inner join prediction_references on current_stats.model_id = prediction_references.model_id
),

measured as (
    select * from feature_drift
    union all
    select * from prediction_drift
),

final as (
    select
        {{ warehouse_ml.monitoring_row_keys() }},
        kind,
        feature,
        reference,
        reference_id,
        cast(kl_divergence as double) as kl_divergence,
        cast({{ threshold }} as double) as threshold,
        cast(n_current as bigint) as n_current,
        kl_divergence > {{ threshold }} as is_drifted,
        {{ warehouse_ml.session_started_at() }} as recorded_at
    from measured
)

select * from final
