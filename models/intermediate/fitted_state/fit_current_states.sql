{{ config(materialized='view') }}

{#- The newest fitted state of each model and group: what the next training uses. -#}

with states as (
    select
        model_name,
        group_id,
        fitted_state_id,
        max(fitted_at) as fitted_at
    from {{ ref('fit_group_states') }}
    group by model_name, group_id, fitted_state_id
),

ranked as (
    select
        *,
        row_number() over (partition by model_name, group_id order by fitted_at desc) as recency_rank
    from states
),

final as (
    select
        model_name,
        group_id,
        fitted_state_id,
        fitted_at
    from ranked
    where recency_rank = 1
)

select * from final
