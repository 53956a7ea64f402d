{#- Ad hoc, the seed's "histogram in SQL": group lat and long into 10-degree
    ranges and count events per range and split, to eyeball whether the splits
    (and the requests) cover the same places. -#}

with events as (
    select
        split,
        lat,
        long
    from {{ ref('int_conversions_split') }}
    union all
    select
        'requests' as split,
        lat,
        long
    from {{ ref('ml_drift_requests') }}
),

ranges as (
    select
        split,
        'lat' as feature,
        cast(floor(lat / 10) * 10 as integer) as range_start
    from events
    where lat is not null
    union all
    select
        split,
        'long' as feature,
        cast(floor(long / 10) * 10 as integer) as range_start
    from events
    where long is not null
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
