{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{#- Append-only, one row per session and campaign: how confident the serving
    model is on the current requests (ml_drift_requests, the campaign's latest
    landed batch), i.e. the distribution of the predicted offer's probability.
    The seed's "analysis of predictions", tagged with the session id; ml_drift
    compares a session's mean and spread with the previous session's and with
    the model's test split (Hivemall-style Gaussian KL). -#}

with predictions as (
    select predictions.*
    from {{ ref('offer_predictions') }} as predictions
    inner join {{ ref('ml_drift_requests') }} as monitored on predictions.request_id = monitored.request_id
    where predictions.predicted_offer_id is not null
),

final as (
    select
        '{{ invocation_id }}' as invocation_id,
        campaign_id,
        model_id,
        count(*) as n_predictions,
        count(distinct predicted_offer_id) as n_predicted_offers,
        avg(probability) as top_probability_mean,
        coalesce(stddev_pop(probability), 0.0) as top_probability_std,
        min(probability) as top_probability_min,
        max(probability) as top_probability_max,
        {{ warehouse_ml.session_started_at() }} as recorded_at
    from predictions
    group by campaign_id, model_id
)

select * from final
