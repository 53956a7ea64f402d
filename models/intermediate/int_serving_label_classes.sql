{#- The label value of each class index of each serving model (its fitted state). -#}

with serving as (
    select
        model_name,
        model_id,
        group_id,
        fitted_state_id
    from {{ ref('ml_serving_models') }}
),

classes as (
    select
        fitted_state_id,
        model_name,
        group_id,
        label_value,
        class_index
    from {{ ref('fit_label_classes') }}
),

final as (
    select
        serving.model_name,
        serving.model_id,
        serving.group_id,
        classes.label_value,
        classes.class_index
    from serving
    inner join classes
        on {{ warehouse_ml.keys_match('serving', 'classes', ['fitted_state_id', 'model_name', 'group_id']) }}
)

select * from final
