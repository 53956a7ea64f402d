{{ config(materialized='incremental', incremental_strategy='append') }}

-- depends_on: {{ ref('ingest_file_manifest') }}
{%- set files = warehouse_ml.files_to_read('requests') %}

with records as (
    {{ warehouse_ml.read_landed_records(files) }}
),

final as (
    select
        records.source_file,
        records.file_format,
        records.record,
        records.parse_error,
        '{{ invocation_id }}' as invocation_id,
        current_timestamp as ingested_at
    from records
)

select * from final
