{#- Kept examples with their split and class index. Validation/test examples
    whose label never appears in training cannot be evaluated and are left out. -#}

with filtered as (select * from {{ ref('int_training_filtered') }}),

classes as (select * from {{ ref('fit_label_classes') }}),

labelled as (
    select
        filtered.model_name,
        filtered.entity_id,
        filtered.group_id,
        filtered.label_value,
        filtered.fitted_state_id,
        filtered.split,
        filtered.has_rare_value,
        classes.class_index,
        -- An independent hash for capped training samples (spec sampling.training_sample_cap).
        {{ warehouse_ml.hash_fraction('filtered.entity_id', 'sample') }} as sample_fraction
    from filtered
    inner join classes
        on {{ warehouse_ml.keys_match('filtered', 'classes', ['fitted_state_id', 'model_name', 'group_id', 'label_value']) }}
)

select * from labelled
