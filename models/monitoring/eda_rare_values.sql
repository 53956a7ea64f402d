{{ config(tags=['eda']) }}

{#- The seed's Data Wrangler views of rare values, per campaign, categorical
    column and value of the current fitted state: how many training rows hold
    the value before rare-value handling (fit_category_levels) and after it
    (the training rows the model learns from, int_conversions_labelled). With
    `rare_value_handling: drop` rare values fall to 0 after, and common values
    lose the rows dropped for a rare value in another column; with `bucket`
    rare values move into the `__other__` level. -#}
{%- set bucket = warehouse_ml.rare_value_handling() == 'bucket' -%}
{%- set other = warehouse_ml.other_category() %}

with current_states as (
    select * from {{ ref('fit_current_states') }}
),

levels as (
    select levels.*
    from {{ ref('fit_category_levels') }} as levels
    inner join current_states
        on
            levels.campaign_id = current_states.campaign_id
            and levels.fitted_state_id = current_states.fitted_state_id
),

before_values as (
    select
        campaign_id,
        fitted_state_id,
        column_name,
        category,
        is_rare,
        n_train_rows as n_rows_before
    from levels
    {%- if bucket %}
    where not (category = '{{ other }}' and not is_rare)
    union all
    select
        campaign_id,
        fitted_state_id,
        column_name,
        '{{ other }}' as category,
        false as is_rare,
        0 as n_rows_before
    from levels
    where category = '{{ other }}' and not is_rare
    {%- endif %}
),

campaign_rows as (
    select
        campaign_id,
        max(round(n_train_rows / frequency)) as n_rows_before
    from levels
    group by campaign_id
),

kept_rows as (
    select
        event_id,
        campaign_id
    from {{ ref('int_conversions_labelled') }}
    where split = 'train'
),

kept_categories as (
    select
        categories.campaign_id,
        categories.column_name,
        {%- if bucket %}
        case when levels.is_rare then '{{ other }}' else categories.category end as category
        {%- else %}
        categories.category
        {%- endif %}
    from {{ ref('int_conversion_categories') }} as categories
    inner join kept_rows on categories.event_id = kept_rows.event_id
    inner join levels
        on
            categories.campaign_id = levels.campaign_id
            and categories.column_name = levels.column_name
            and categories.category = levels.category
),

after_counts as (
    select
        campaign_id,
        column_name,
        category,
        count(*) as n_rows_after
    from kept_categories
    group by campaign_id, column_name, category
),

kept_totals as (
    select
        campaign_id,
        count(*) as n_rows_after
    from kept_rows
    group by campaign_id
),

final as (
    select
        before_values.campaign_id,
        before_values.fitted_state_id,
        before_values.column_name,
        before_values.category,
        before_values.n_rows_before,
        coalesce(after_counts.n_rows_after, 0) as n_rows_after,
        cast(before_values.n_rows_before as double) / campaign_rows.n_rows_before as share_before,
        cast(coalesce(after_counts.n_rows_after, 0) as double) / nullif(kept_totals.n_rows_after, 0) as share_after,
        before_values.is_rare
    from before_values
    inner join campaign_rows on before_values.campaign_id = campaign_rows.campaign_id
    left join kept_totals on before_values.campaign_id = kept_totals.campaign_id
    left join after_counts
        on
            before_values.campaign_id = after_counts.campaign_id
            and before_values.column_name = after_counts.column_name
            and before_values.category = after_counts.category
)

select * from final
