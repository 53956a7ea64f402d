{{ config(enabled=target.type == 'duckdb', tags=['scoring']) }}

{#- Each explained request: the listed contributions, the rest and the bias
    add up to the margin (1e-5), and for multiclass specs the explained class
    is the predicted one (binary specs explain the positive class). -#}

with explained as (
    select
        model_name,
        request_id,
        any_value(label_value) as label_value,
        sum(contribution) + any_value(other_contribution) + any_value(bias) as added_up,
        any_value(margin) as margin
    from {{ ref('ml_explanations') }}
    group by model_name, request_id
),

predictions as (select * from {{ ref('ml_predictions') }}),

final as (
    select
        explained.model_name,
        explained.request_id,
        explained.added_up,
        explained.margin,
        explained.label_value,
        predictions.predicted_label
    from explained
    left join predictions
        on
            explained.model_name = predictions.model_name
            and explained.request_id = predictions.request_id
    where
        abs(explained.added_up - explained.margin) > 1e-5
        or predictions.request_id is null
        or (predictions.positive_probability is null and explained.label_value <> predictions.predicted_label)
)

select * from final
