{#- Ad hoc, the seed's "histogram in SQL" for the offer model: group lat and
    long into 10-degree ranges and count examples per range and split (and the
    current requests), to eyeball whether the splits cover the same places. -#}

with events as (
    select
        examples.split,
        numeric_values.column_name as feature,
        numeric_values.value
    from {{ ref('int_training_numeric') }} as numeric_values
    inner join {{ ref('int_training_examples') }} as examples
        on {{ warehouse_ml.keys_match('numeric_values', 'examples', ['model_name', 'entity_id']) }}
    where numeric_values.model_name = 'offer_conversion'
    union all
    select
        'requests' as split,
        feature,
        feature_value as value
    from {{ ref('ml_drift_requests') }}
    where model_name = 'offer_conversion' and feature_kind = 'numeric'
),

ranges as (
    select
        split,
        feature,
        cast(floor(value / 10) * 10 as integer) as range_start
    from events
    where feature in ('lat', 'long') and value is not null
),

counts as (
    select
        feature,
        range_start,
        split,
        count(*) as n_rows
    from ranges
    group by feature, range_start, split
)

select * from counts
order by feature, range_start, split
