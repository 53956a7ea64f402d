{#- One row per landed file: rows read = rows accepted + rows rejected.
    Event-log files are counted through the staging model of their log that
    this build's event specs read (events.source). -#}
{%- set event_sources = [] %}
{%- for spec in warehouse_ml.event_specs() if spec['events']['source'] not in event_sources %}
{%- do event_sources.append(spec['events']['source']) %}
{%- endfor %}

with manifest as (select * from {{ ref('ingest_file_manifest') }}),

records as (
    select
        source_file,
        reject_reason
    from {{ ref('stg_landing__conversions') }}
    union all
    select
        source_file,
        reject_reason
    from {{ ref('stg_landing__requests') }}
    {%- for source in event_sources %}
    union all
    select
        source_file,
        reject_reason
    from {{ ref(source) }}
    {%- endfor %}
),

counts as (
    select
        source_file,
        count(*) as rows_read,
        count(*) - count(reject_reason) as rows_accepted,
        count(reject_reason) as rows_rejected
    from records
    group by source_file
),

final as (
    select
        manifest.source_file,
        manifest.dataset,
        manifest.file_format,
        coalesce(counts.rows_read, 0) as rows_read,
        coalesce(counts.rows_accepted, 0) as rows_accepted,
        coalesce(counts.rows_rejected, 0) as rows_rejected,
        manifest.ingested_at
    from manifest
    left join counts on manifest.source_file = counts.source_file
)

select * from final
