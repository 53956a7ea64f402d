{{ config(tags=['eda']) }}

{#- The seed's Data Wrangler views of rare values, per model spec, group,
    categorical column and value of the current fitted state: how many
    training rows hold the value before rare-value handling
    (fit_category_levels) and after it (the training rows the model learns
    from, int_training_labelled). With rare_values.handling `drop` rare
    values fall to 0 after, and common values lose the rows dropped for a rare
    value in another column; with `bucket` rare values move into the
    `__other__` level. -#}
{%- set other = warehouse_ml.other_category() %}

with current_levels as (
    {{ warehouse_ml.current_category_levels() }}
),

settings as (
    {{ warehouse_ml.spec_settings() }}
),

levels as (
    select
        current_levels.*,
        settings.is_bucket_mode
    from current_levels
    inner join settings on current_levels.model_name = settings.model_name
),

before_values as (
    select
        model_name,
        group_id,
        fitted_state_id,
        column_name,
        category,
        is_rare,
        -- No landed row holds the bucket level itself before handling.
        case when is_bucket_mode and category = '{{ other }}' then 0 else n_train_rows end as n_rows_before
    from levels
),

group_rows as (
    {{ warehouse_ml.training_group_rows() }}
),

kept_rows as (
    select
        model_name,
        entity_id,
        group_id
    from {{ ref('int_training_labelled') }}
    where split = 'train'
),

kept_categories as (
    select
        kept_rows.model_name,
        kept_rows.group_id,
        categories.column_name,
        case when levels.is_bucket_mode and levels.is_rare then '{{ other }}' else categories.category end as category
    from {{ ref('int_training_categories') }} as categories
    inner join kept_rows on {{ warehouse_ml.keys_match('categories', 'kept_rows', ['model_name', 'entity_id']) }}
    inner join levels
        on
            {{ warehouse_ml.keys_match('kept_rows', 'levels', ['model_name', 'group_id']) }}
            and {{ warehouse_ml.keys_match('categories', 'levels', ['column_name', 'category']) }}
),

after_counts as (
    select
        model_name,
        group_id,
        column_name,
        category,
        count(*) as n_rows_after
    from kept_categories
    group by model_name, group_id, column_name, category
),

kept_totals as (
    select
        model_name,
        group_id,
        count(*) as n_rows_after
    from kept_rows
    group by model_name, group_id
),

final as (
    select
        before_values.model_name,
        before_values.group_id,
        before_values.fitted_state_id,
        before_values.column_name,
        before_values.category,
        before_values.n_rows_before,
        coalesce(after_counts.n_rows_after, 0) as n_rows_after,
        cast(before_values.n_rows_before as double) / group_rows.n_group_rows as share_before,
        cast(coalesce(after_counts.n_rows_after, 0) as double) / nullif(kept_totals.n_rows_after, 0) as share_after,
        before_values.is_rare
    from before_values
    inner join group_rows on {{ warehouse_ml.keys_match('before_values', 'group_rows', ['model_name', 'group_id']) }}
    left join kept_totals on {{ warehouse_ml.keys_match('before_values', 'kept_totals', ['model_name', 'group_id']) }}
    left join after_counts
        on {{ warehouse_ml.keys_match('before_values', 'after_counts', ['model_name', 'group_id', 'column_name', 'category']) }}
)

select * from final
