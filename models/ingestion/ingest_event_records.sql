{{ config(materialized='incremental', incremental_strategy='append') }}

{#- Raw records of every event log (var event_logs: name -> folder), one row
    per record; the staging model of each log picks its own files by
    joining ingest_file_manifest on source_file (dataset event_log:<name>). -#}
-- depends_on: {{ ref('ingest_file_manifest') }}
{%- set logs = [] %}
{%- for dataset, folder in warehouse_ml.landing_folders() if dataset.startswith('event_log:') %}
{%- do logs.append(dataset) %}
{%- endfor %}
{%- if logs %}
{{ warehouse_ml.ingest_landed_records(logs) }}
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as source_file,
    cast(null as {{ dbt.type_string() }}) as file_format,
    cast(null as {{ dbt.type_string() }}) as record,
    cast(null as {{ dbt.type_string() }}) as parse_error,
    '{{ invocation_id }}' as invocation_id,
    current_timestamp as ingested_at
where false
{%- endif %}
