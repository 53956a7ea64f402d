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
{%- set string = dbt.type_string() %}
{{ warehouse_ml.empty_select([
    ['source_file', string], ['file_format', string], ['record', string], ['parse_error', string],
    ['invocation_id', string], ['ingested_at', dbt.type_timestamp() ~ ' with time zone'],
]) }}
{%- endif %}
