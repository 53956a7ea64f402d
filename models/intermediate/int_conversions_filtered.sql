{#- The split events minus, in 'drop' mode, the training rows holding a rare
    value (as the seed does). Validation and test rows are kept whole: they are
    scored like live requests, rare values encoded as all-zero indicators. -#}

with split as (
    select * from {{ ref('int_conversions_split') }}
),

current_states as (
    select * from {{ ref('fit_current_states') }}
),

levels as (
    select fit_category_levels.*
    from {{ ref('fit_category_levels') }} as fit_category_levels
    inner join current_states
        on
            fit_category_levels.campaign_id = current_states.campaign_id
            and fit_category_levels.fitted_state_id = current_states.fitted_state_id
),

{% if warehouse_ml.rare_value_handling() == 'drop' -%}
rare_rows as (
    select distinct categories.event_id
    from {{ ref('int_conversion_categories') }} as categories
    inner join levels
        on
            categories.campaign_id = levels.campaign_id
            and categories.column_name = levels.column_name
            and categories.category = levels.category
    where categories.split = 'train' and levels.is_rare
),
{%- else -%}
rare_rows as (
    select cast(null as varchar) as event_id
    where false
),
{%- endif %}

filtered as (
    select
        split.event_id,
        split.campaign_id,
        split.offer_id,
        current_states.fitted_state_id,
        split.split
    from split
    inner join current_states on split.campaign_id = current_states.campaign_id
    where split.event_id not in (select rare_rows.event_id from rare_rows)
)

select * from filtered
