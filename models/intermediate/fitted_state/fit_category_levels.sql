{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false) }}

{#- The categorical vocabulary of each campaign, fitted on the training split
    only, one state per build (fitted_state_id = the dbt invocation). Append-only:
    models in the registry point at the state they were trained with. -#}
{%- set min_frequency = var('rare_min_frequency') | float -%}
{%- set min_count = var('rare_min_count') | int -%}
{%- set n_numeric = warehouse_ml.numeric_feature_columns() | length -%}
{%- set bucket = warehouse_ml.rare_value_handling() == 'bucket' %}

with categories as (
    select * from {{ ref('int_conversion_categories') }}
    where split = 'train'
),

campaign_rows as (
    select
        campaign_id,
        count(*) as n_campaign_rows
    from {{ ref('int_conversions_split') }}
    where split = 'train'
    group by campaign_id
),

counts as (
    select
        campaign_id,
        column_name,
        category,
        min(encoded_value) as encoded_value,
        count(*) as n_train_rows
    from categories
    group by campaign_id, column_name, category
),

flagged as (
    select
        counts.campaign_id,
        counts.column_name,
        counts.category,
        counts.encoded_value,
        counts.n_train_rows,
        cast(counts.n_train_rows as double) / campaign_rows.n_campaign_rows as frequency,
        (
            counts.n_train_rows < {{ min_count }}
            or cast(counts.n_train_rows as double) / campaign_rows.n_campaign_rows < {{ min_frequency }}
        ) as is_rare
    from counts
    inner join campaign_rows on counts.campaign_id = campaign_rows.campaign_id
),

{% if bucket -%}
other_levels as (
    select
        campaign_id,
        column_name,
        '{{ warehouse_ml.other_category() }}' as category,
        '{{ warehouse_ml.other_category() }}' as encoded_value,
        sum(n_train_rows) as n_train_rows,
        sum(frequency) as frequency,
        false as is_rare
    from flagged
    where is_rare
    group by campaign_id, column_name
),

levels as (
    select * from flagged
    union all
    select * from other_levels
),
{%- else -%}
levels as (
    select * from flagged
),
{%- endif %}

indexed as (
    select
        *,
        case
            when not is_rare
                then {{ n_numeric }} - 1 + row_number() over (
                    partition by campaign_id, is_rare
                    order by {{ warehouse_ml.column_order('column_name') }}, n_train_rows desc, encoded_value
                )
        end as feature_index,
        -- Values differing only by case would give column names that collide in
        -- case-insensitive engines; later ones get a "(n)" suffix, which
        -- percent-encoding never produces, so names stay unique.
        row_number() over (
            partition by campaign_id, is_rare, lower(column_name || '_' || encoded_value)
            order by encoded_value
        ) as case_rank
    from levels
),

final as (
    select
        '{{ invocation_id }}' as fitted_state_id,
        campaign_id,
        column_name,
        category,
        encoded_value,
        case
            when not is_rare
                then
                    column_name || '_' || encoded_value
                    || case when case_rank > 1 then '(' || cast(case_rank as varchar) || ')' else '' end
        end as feature_name,
        feature_index,
        n_train_rows,
        frequency,
        is_rare,
        current_timestamp as fitted_at
    from indexed
)

select * from final
