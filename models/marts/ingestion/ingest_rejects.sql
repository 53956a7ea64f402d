{#- Every landed record that could not be used, with the reason: nothing is
    dropped silently. -#}

with conversions as (
    select
        'conversions' as dataset,
        source_file,
        record,
        reject_reason as reason,
        ingested_at
    from {{ ref('stg_landing__conversions') }}
    where reject_reason is not null
),

requests as (
    select
        'requests' as dataset,
        source_file,
        record,
        reject_reason as reason,
        ingested_at
    from {{ ref('stg_landing__requests') }}
    where reject_reason is not null
),

final as (
    select * from conversions
    union all
    select * from requests
)

select * from final
