{#- Ad hoc, the seed's last EDA idea (compare what is popular with what the
    model recommends): per model spec, group and label value (offers per
    campaign for offer_conversion), its share of training examples and its
    share of the labels predicted for the current requests. -#}

with converted as (
    select
        model_name,
        group_id,
        label_value,
        share as converted_share
    from {{ ref('eda_target_distribution') }}
    where split = 'train'
),

monitored as (
    select distinct
        model_name,
        request_id
    from {{ ref('ml_drift_requests') }}
),

predicted as (
    select
        predictions.model_name,
        predictions.group_id,
        predictions.predicted_label as label_value,
        count(*) as n_predicted
    from {{ ref('ml_predictions') }} as predictions
    inner join monitored
        on {{ warehouse_ml.keys_match('predictions', 'monitored', ['model_name', 'request_id']) }}
    where predictions.predicted_label is not null
    group by predictions.model_name, predictions.group_id, predictions.predicted_label
),

compared as (
    select
        converted.model_name,
        converted.group_id,
        converted.label_value,
        converted.converted_share,
        cast(coalesce(predicted.n_predicted, 0) as double)
        / sum(coalesce(predicted.n_predicted, 0)) over (
            partition by converted.model_name, converted.group_id
        ) as predicted_share
    from converted
    left join predicted
        on {{ warehouse_ml.keys_match('converted', 'predicted', ['model_name', 'group_id', 'label_value']) }}
)

select * from compared
order by model_name asc, group_id asc, converted_share desc
