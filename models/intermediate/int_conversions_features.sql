{#- Model inputs in long form (event_id, feature_index, value): one row per
    numeric column (NULL = missing) and one per lit one-hot column (absent = 0).
    Long form keeps the SQL independent of the vocabulary, which is data. -#}

with labelled as (
    select * from {{ ref('int_conversions_labelled') }}
),

split as (
    select * from {{ ref('int_conversions_split') }}
),

categories as (
    select
        categories.event_id,
        categories.campaign_id,
        labelled.fitted_state_id,
        categories.column_name,
        categories.category
    from {{ ref('int_conversion_categories') }} as categories
    inner join labelled on categories.event_id = labelled.event_id
),

levels as (
    select * from {{ ref('fit_category_levels') }}
),

onehot as (
    {{ warehouse_ml.encode_onehot('categories', 'levels', 'event_id') }}
),

numeric as (
    {%- for col in warehouse_ml.numeric_feature_columns() %}
    select
        labelled.event_id,
        {{ loop.index0 }} as feature_index,
        split.{{ col }} as value
    from labelled
    inner join split on labelled.event_id = split.event_id
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

final as (
    select
        event_id,
        cast(feature_index as integer) as feature_index,
        cast(value as double) as value
    from numeric
    union all
    select
        event_id,
        cast(feature_index as integer) as feature_index,
        cast(value as double) as value
    from onehot
)

select * from final
