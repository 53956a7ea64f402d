{{ config(materialized='table') }}

{#- One row per landed scoring request, typed and renamed, with the reason it
    cannot be scored (NULL when it can). An explicit feature vector (`input`,
    the seed API's ?input=) is kept as text and validated when scoring. -#}

with source as (select * from {{ ref('ingest_request_records') }}),

renamed as (
    {{ warehouse_ml.stage_landed_records(
        'source',
        id_column='request_id',
        text_fields={'feature_vector': 'input'},
    ) }}
)

select * from renamed
