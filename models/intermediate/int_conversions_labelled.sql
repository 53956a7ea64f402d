{#- Kept events with their split and class index. Validation/test events whose
    offer never appears in training cannot be evaluated and are left out. -#}

with filtered as (
    select * from {{ ref('int_conversions_filtered') }}
),

classes as (
    select * from {{ ref('fit_offer_classes') }}
),

labelled as (
    select
        filtered.event_id,
        filtered.campaign_id,
        filtered.offer_id,
        filtered.fitted_state_id,
        filtered.split,
        filtered.has_rare_value,
        classes.class_index,
        -- An independent hash for capped training samples (var training_sample_cap).
        {{ warehouse_ml.hash_fraction('filtered.event_id', 'sample') }} as sample_fraction
    from filtered
    inner join classes
        on
            filtered.fitted_state_id = classes.fitted_state_id
            and filtered.campaign_id = classes.campaign_id
            and filtered.offer_id = classes.offer_id
)

select * from labelled
