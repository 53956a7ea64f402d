{{ config(materialized='view') }}

{#- Every fitted state's model inputs in order: the spec's numeric columns
    (source, then upstream), then one one-hot column per kept category level. -#}
{%- set inputs = warehouse_ml.spec_inputs(warehouse_ml.model_specs(), 'numeric') %}

with states as (select * from {{ ref('fit_group_states') }}),

numeric_columns as (
    {%- for input in inputs %}
    select
        fitted_state_id,
        model_name,
        group_id,
        {{ input['position'] }} as feature_index,
        '{{ input['column'] }}' as feature_name,
        'numeric' as kind,
        '{{ input['column'] }}' as column_name,
        cast(null as varchar) as category
    from states
    where model_name = {{ warehouse_ml.quote_literal(input['spec']['name']) }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
    {%- if not inputs %}
    select
        fitted_state_id,
        model_name,
        group_id,
        0 as feature_index,
        cast(null as varchar) as feature_name,
        'numeric' as kind,
        cast(null as varchar) as column_name,
        cast(null as varchar) as category
    from states
    where false
    {%- endif %}
),

onehot_columns as (
    select
        fitted_state_id,
        model_name,
        group_id,
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
