{{ config(materialized='table') }}

{#- UCI Online Retail II (event log `retail`): one row per invoice line. The
    customer is the entity (guests without a Customer ID are quarantined by
    the macro); an invoice starting with 'C' is a cancellation, any other a
    purchase; amount = Quantity * Price (negative on cancellations). -#}

with staged as (
    {{ warehouse_ml.stage_event_records(
        'retail',
        fields={'entity_id': 'Customer ID', 'event_time': 'InvoiceDate', 'event_type': 'Invoice'},
        categorical={'country': 'Country'},
        numeric={'quantity': 'Quantity', 'price': 'Price'},
    ) }}
)

select
    event_id,
    entity_id,
    event_time,
    case when event_type like 'C%' then 'cancellation' else 'purchase' end as event_type,
    country,
    quantity * price as amount,
    source_file,
    file_format,
    record,
    loaded_at,
    ingested_at,
    reject_reason
from staged
