{#- Every landed record that could not be used, with the reason: nothing is
    dropped silently. Event logs' rejects come from the staging models this
    build's event specs read (dataset event_log:<name>). -#}
{%- set event_sources = [] %}
{%- for spec in warehouse_ml.event_specs() if spec['events']['source'] not in event_sources %}
{%- do event_sources.append(spec['events']['source']) %}
{%- endfor %}

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

events as (
    {%- for source in event_sources %}
    select
        manifest.dataset,
        staged.source_file,
        staged.record,
        staged.reject_reason as reason,
        staged.ingested_at
    from {{ ref(source) }} as staged
    inner join {{ ref('ingest_file_manifest') }} as manifest on staged.source_file = manifest.source_file
    where staged.reject_reason is not null
    union all
    {%- endfor %}
    {%- set string = dbt.type_string() %}
    {{ warehouse_ml.empty_select([
        ['dataset', string], ['source_file', string], ['record', string], ['reason', string],
        ['ingested_at', dbt.type_timestamp() ~ ' with time zone'],
    ]) }}
),

final as (
    select * from conversions
    union all
    select * from requests
    union all
    select * from events
)

select * from final
