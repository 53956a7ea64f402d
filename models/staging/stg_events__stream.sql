{{ config(materialized='table') }}

{#- The generated event stream (`wml generate events`; event log `stream`,
    var event_logs): one row per landed event, mapped to the columns every
    propensity spec reads, with the reason it cannot be used. A new event log
    needs a model like this one and a spec (README, "Add a propensity model"). -#}

with staged as (
    {{ warehouse_ml.stage_event_records(
        'stream',
        fields={
            'event_id': 'event_id',
            'entity_id': 'entity_id',
            'event_time': 'event_time',
            'event_type': 'event_type',
        },
        categorical={'country': 'country'},
        numeric={'amount': 'amount'},
    ) }}
)

select * from staged
