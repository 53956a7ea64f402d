{{ config(
    materialized='incremental', incremental_strategy='append', full_refresh=false, on_schema_change='append_new_columns',
    post_hook="{{ warehouse_ml.backfill_offer_keys(this) }}",
) }}

{#- One fitted state per model (spec), group and build: the state id every
    fitted table of that build shares (fitted_state_id = the dbt invocation),
    and the group's training rows. Append-only, like the fitted tables. -#}

with examples as (select * from {{ ref('int_training_examples') }}),

final as (
    select
        '{{ invocation_id }}' as fitted_state_id,
        model_name,
        group_id,
        cast(sum(case when split = 'train' then 1 else 0 end) as bigint) as n_train_rows,
        count(*) as n_rows,
        current_timestamp as fitted_at
    from examples
    group by model_name, group_id
)

select * from final
