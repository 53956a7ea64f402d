{#- The split events, each flagged when it holds a value that is not a common
    level of its campaign's current state (rare in training, or never seen
    there): the rows the seed's 1% filter removes before it splits, so test
    metrics can be reported on the seed's population too. In 'drop' mode the
    flagged training rows are left out (as the seed does). Validation and test
    rows are kept whole: they are scored like live requests, rare values
    encoded as all-zero indicators. -#}

with split as (
    select * from {{ ref('int_conversions_split') }}
),

current_states as (
    select * from {{ ref('fit_current_states') }}
),

common_levels as (
    select
        fit_category_levels.campaign_id,
        fit_category_levels.column_name,
        fit_category_levels.category
    from {{ ref('fit_category_levels') }} as fit_category_levels
    inner join current_states
        on
            fit_category_levels.campaign_id = current_states.campaign_id
            and fit_category_levels.fitted_state_id = current_states.fitted_state_id
    where not fit_category_levels.is_rare
),

rare_value_events as (
    select distinct categories.event_id
    from {{ ref('int_conversion_categories') }} as categories
    left join common_levels
        on
            categories.campaign_id = common_levels.campaign_id
            and categories.column_name = common_levels.column_name
            and categories.category = common_levels.category
    where common_levels.category is null
),

flagged as (
    select
        split.event_id,
        split.campaign_id,
        split.offer_id,
        current_states.fitted_state_id,
        split.split,
        rare_value_events.event_id is not null as has_rare_value
    from split
    inner join current_states on split.campaign_id = current_states.campaign_id
    left join rare_value_events on split.event_id = rare_value_events.event_id
),

filtered as (
    select * from flagged
    {%- if warehouse_ml.rare_value_handling() == 'drop' %}
    where not (split = 'train' and has_rare_value)
    {%- endif %}
)

select * from filtered
