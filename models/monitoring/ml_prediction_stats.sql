{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns',
    post_hook="{{ warehouse_ml.backfill_offer_keys(this) }}",
) }}

{#- Append-only, one row per session, model spec and group: how confident the
    serving model is on the current requests (ml_drift_requests, the group's
    latest landed batch), i.e. the distribution of the predicted label's
    probability. The seed's "analysis of predictions", tagged with the session
    id; ml_drift compares a session's mean and spread with the previous
    session's and with the model's test split (Hivemall-style Gaussian KL). -#}

with monitored as (
    select distinct
        model_name,
        request_id
    from {{ ref('ml_drift_requests') }}
),

predictions as (
    select predictions.*
    from {{ ref('ml_predictions') }} as predictions
    inner join monitored on {{ warehouse_ml.keys_match('predictions', 'monitored', ['model_name', 'request_id']) }}
    where predictions.predicted_label is not null
),

final as (
    select
        {{ warehouse_ml.monitoring_row_keys() }},
        count(*) as n_predictions,
        count(distinct predicted_label) as n_predicted_labels,
        avg(probability) as top_probability_mean,
        coalesce(stddev_pop(probability), 0.0) as top_probability_std,
        min(probability) as top_probability_min,
        max(probability) as top_probability_max,
        {{ warehouse_ml.session_started_at() }} as recorded_at
    from predictions
    group by model_name, group_id, model_id
)

select * from final
