{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{#- Offers ordinal-encoded per campaign (class index by offer id order), fitted
    on the kept training rows. Append-only, one state per build. -#}

with train as (
    select * from {{ ref('int_conversions_filtered') }}
    where split = 'train'
),

offers as (
    select
        fitted_state_id,
        campaign_id,
        offer_id,
        count(*) as n_train_rows
    from train
    group by fitted_state_id, campaign_id, offer_id
),

final as (
    select
        fitted_state_id,
        campaign_id,
        offer_id,
        cast(row_number() over (partition by fitted_state_id, campaign_id order by offer_id) - 1 as integer)
            as class_index,
        n_train_rows,
        current_timestamp as fitted_at
    from offers
)

select * from final
