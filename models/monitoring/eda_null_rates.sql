{{ config(tags=['eda']) }}

{#- Share of missing values per dataset (accepted conversion events, accepted
    scoring requests), campaign and staged column: the evidence for the
    `dropped_columns` var (the seed drops the sparse ones) and an early sign of
    a broken feed. is_model_input says whether the model uses the column. -#}
{%- set categorical = warehouse_ml.categorical_feature_columns() -%}
{%- set numeric = warehouse_ml.numeric_feature_columns() -%}
{%- set staged = ['country', 'city', 'isp', 'network', 'dos', 'dtype', 'dos_version', 'dbrowser', 'dbrowser_version', 'long', 'lat'] %}

with conversions as (
    select * from {{ ref('stg_landing__conversions') }}
    where reject_reason is null
),

requests as (
    select * from {{ ref('stg_landing__requests') }}
    where reject_reason is null and feature_vector is null
),

counts as (
    {%- for dataset in ['conversions', 'requests'] %}
    {%- set outer_loop = loop %}
    {%- for col in staged %}
    select
        '{{ dataset }}' as dataset,
        campaign_id,
        '{{ col }}' as column_name,
        count(*) as n_rows,
        count(*) - count({{ col }}) as n_missing
    from {{ dataset }}
    group by campaign_id
    {{ "union all" if not (loop.last and outer_loop.last) }}
    {%- endfor %}
    {%- endfor %}
),

final as (
    select
        dataset,
        campaign_id,
        column_name,
        n_rows,
        n_missing,
        cast(n_missing as double) / n_rows as null_rate,
        column_name in ({% for col in categorical + numeric %}'{{ col }}'{{ ", " if not loop.last }}{% endfor %}) as is_model_input
    from counts
)

select * from final
