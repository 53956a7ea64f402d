{{ config(materialized='table') }}

{#- One row per landed scoring request, typed and renamed, with the reason it
    cannot be scored (NULL when it can). An explicit feature vector (`input`,
    the seed API's ?input=) is kept as text and validated when scoring. -#}

{{ warehouse_ml.stage_landed_records(
    ref('ingest_request_records'),
    id_column='request_id',
    text_fields={'feature_vector': 'input'},
) }}
