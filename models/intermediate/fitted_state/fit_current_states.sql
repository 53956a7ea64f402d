{{ config(materialized='view') }}

{#- The newest fitted state of each campaign: what the next training uses. -#}

with states as (
    select
        campaign_id,
        fitted_state_id,
        max(fitted_at) as fitted_at
    from {{ ref('fit_category_levels') }}
    group by campaign_id, fitted_state_id
),

ranked as (
    select
        *,
        row_number() over (partition by campaign_id order by fitted_at desc) as recency_rank
    from states
),

final as (
    select
        campaign_id,
        fitted_state_id,
        fitted_at
    from ranked
    where recency_rank = 1
)

select * from final
