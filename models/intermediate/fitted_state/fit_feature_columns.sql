{{ config(materialized='view') }}

{#- Every fitted state's model inputs in order: the numeric columns, then one
    one-hot column per kept category level. -#}

with states as (
    select distinct
        fitted_state_id,
        campaign_id
    from {{ ref('fit_category_levels') }}
),

numeric_columns as (
    {%- for col in warehouse_ml.numeric_feature_columns() %}
    select
        fitted_state_id,
        campaign_id,
        {{ loop.index0 }} as feature_index,
        '{{ col }}' as feature_name,
        'numeric' as kind,
        '{{ col }}' as column_name,
        cast(null as varchar) as category
    from states
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

onehot_columns as (
    select
        fitted_state_id,
        campaign_id,
        feature_index,
        feature_name,
        'onehot' as kind,
        column_name,
        category
    from {{ ref('fit_category_levels') }}
    where feature_index is not null
),

final as (
    select * from numeric_columns
    union all
    select * from onehot_columns
)

select * from final
