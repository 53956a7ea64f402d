{#- Scorable requests in the model's long feature form (request_id,
    feature_index, value), encoded with the fitted state of the model that
    serves the campaign. Unseen and rare values light no one-hot column (all
    zeros, as the seed's API does); explicit vectors are used as given. -#}

with assigned as (
    select * from {{ ref('int_requests_assigned') }}
    where scoring_error is null
),

requests as (
    select requests.*
    from {{ ref('stg_landing__requests') }} as requests
    inner join assigned on requests.request_id = assigned.request_id
    where requests.reject_reason is null and requests.feature_vector is null
),

raw_categories as (
    {{ warehouse_ml.unpivot_categories('requests', 'request_id') }}
),

categories as (
    select
        raw_categories.request_id,
        raw_categories.campaign_id,
        assigned.fitted_state_id,
        raw_categories.column_name,
        raw_categories.category
    from raw_categories
    inner join assigned on raw_categories.request_id = assigned.request_id
),

levels as (
    select * from {{ ref('fit_category_levels') }}
),

onehot as (
    {{ warehouse_ml.encode_onehot('categories', 'levels', 'request_id') }}
),

numeric as (
    {%- for col in warehouse_ml.numeric_feature_columns() %}
    select
        request_id,
        {{ loop.index0 }} as feature_index,
        {{ col }} as value
    from requests
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

with_vector as (
    select
        request_id,
        feature_vector
    from assigned
    where feature_vector is not null
),

explicit as (
    select
        request_id,
        feature_index,
        {{ warehouse_ml.try_to_double('item') }} as value
    from ({{ warehouse_ml.explode_feature_vector('with_vector', 'request_id', 'feature_vector') }}) as items
),

final as (
    select
        request_id,
        cast(feature_index as integer) as feature_index,
        cast(value as double) as value
    from numeric
    union all
    select
        request_id,
        cast(feature_index as integer) as feature_index,
        cast(value as double) as value
    from onehot
    union all
    select
        request_id,
        cast(feature_index as integer) as feature_index,
        cast(value as double) as value
    from explicit
)

select * from final
