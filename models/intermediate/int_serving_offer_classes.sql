{#- Offer id of each class index of each serving model (its fitted state). -#}

with serving as (
    select * from {{ ref('ml_serving_models') }}
),

classes as (
    select * from {{ ref('fit_offer_classes') }}
),

final as (
    select
        serving.model_id,
        serving.campaign_id,
        classes.offer_id,
        classes.class_index
    from serving
    inner join classes
        on
            serving.fitted_state_id = classes.fitted_state_id
            and serving.campaign_id = classes.campaign_id
)

select * from final
