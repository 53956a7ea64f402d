{{ config(materialized='table') }}

{#- One row per landed conversion record, typed and renamed, with the reason it
    cannot be used (NULL when it can). Materialised: the checks and the
    duplicate window are read by three downstream models. Conversions also
    carry the offer, a required UUID. The raw text is kept for rejected
    records only (ingest_rejects shows it); ingest_conversion_records holds
    every record's. -#}

{{ warehouse_ml.stage_landed_records(
    ref('ingest_conversion_records'),
    id_column='event_id',
    required_ids={'offer_id': 'offer'},
    rejected_record_only=true,
) }}
