{#- Ad hoc, the seed's last EDA idea (compare what is popular with what the
    model recommends): per campaign and offer, its share of training
    conversions and its share of the offers predicted for the current requests. -#}

with converted as (
    select
        campaign_id,
        offer_id,
        share as converted_share
    from {{ ref('eda_target_distribution') }}
    where split = 'train'
),

predicted as (
    select
        predictions.campaign_id,
        predictions.predicted_offer_id as offer_id,
        count(*) as n_predicted
    from {{ ref('offer_predictions') }} as predictions
    inner join {{ ref('ml_drift_requests') }} as monitored
        on predictions.request_id = monitored.request_id
    where predictions.predicted_offer_id is not null
    group by predictions.campaign_id, predictions.predicted_offer_id
),

compared as (
    select
        converted.campaign_id,
        converted.offer_id,
        converted.converted_share,
        cast(coalesce(predicted.n_predicted, 0) as double)
        / sum(coalesce(predicted.n_predicted, 0)) over (partition by converted.campaign_id) as predicted_share
    from converted
    left join predicted
        on
            converted.campaign_id = predicted.campaign_id
            and converted.offer_id = predicted.offer_id
)

select * from compared
order by campaign_id asc, converted_share desc
