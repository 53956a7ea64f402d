{#- The training examples, each flagged when it holds a value that is not a
    common level of its group's current state (rare in training, or never
    seen there): the rows the seed's 1% filter removes before it splits, so
    test metrics can be reported on the seed's population too. In 'drop' mode
    the flagged training rows are left out (as the seed does). Validation and
    test rows are kept whole: they are scored like live requests. -#}

with examples as (select * from {{ ref('int_training_examples') }}),

current_states as (select * from {{ ref('fit_current_states') }}),

current_levels as (
    {{ warehouse_ml.current_category_levels() }}
),

common_levels as (
    select
        model_name,
        group_id,
        column_name,
        category
    from current_levels
    where not is_rare
),

rare_value_examples as (
    select distinct
        categories.model_name,
        categories.entity_id
    from {{ ref('int_training_categories') }} as categories
    left join common_levels
        on {{ warehouse_ml.keys_match('categories', 'common_levels', ['model_name', 'group_id', 'column_name', 'category']) }}
    where common_levels.category is null
),

settings as (
    {{ warehouse_ml.spec_settings() }}
),

flagged as (
    select
        examples.model_name,
        examples.entity_id,
        examples.group_id,
        examples.label_value,
        current_states.fitted_state_id,
        examples.split,
        rare_value_examples.entity_id is not null as has_rare_value,
        settings.is_bucket_mode
    from examples
    inner join current_states on {{ warehouse_ml.keys_match('examples', 'current_states', ['model_name', 'group_id']) }}
    inner join settings on examples.model_name = settings.model_name
    left join rare_value_examples
        on {{ warehouse_ml.keys_match('examples', 'rare_value_examples', ['model_name', 'entity_id']) }}
),

filtered as (
    select
        model_name,
        entity_id,
        group_id,
        label_value,
        fitted_state_id,
        split,
        has_rare_value
    from flagged
    where is_bucket_mode or not (split = 'train' and has_rare_value)
)

select * from filtered
