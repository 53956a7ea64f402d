{{ config(materialized='incremental', incremental_strategy='append') }}

-- depends_on: {{ ref('ingest_file_manifest') }}
{{ warehouse_ml.ingest_landed_records('conversions') }}
