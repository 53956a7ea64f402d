{#- offer_predictions holds exactly one row per accepted scoring request of
    stg_landing__requests (scored or with a scoring_error), and nothing else.
    One row per request id that breaks this. Only when the build has the
    offer spec (var model_specs may leave it out). -#}
{%- set offers_built = 'offer_conversion' in (warehouse_ml.model_specs() | map(attribute='name') | list) %}

with accepted as (
    select
        request_id,
        count(*) as n_accepted
    from {{ ref('stg_landing__requests') }}
    where reject_reason is null
    group by request_id
),

predictions as (
    select
        request_id,
        count(*) as n_predictions
    from {{ ref('offer_predictions') }}
    group by request_id
),

compared as (
    select
        coalesce(accepted.request_id, predictions.request_id) as request_id,
        coalesce(accepted.n_accepted, 0) as n_accepted,
        coalesce(predictions.n_predictions, 0) as n_predictions
    from accepted
    full outer join predictions on accepted.request_id = predictions.request_id
)

select * from compared
where (n_accepted <> 1 or n_predictions <> 1) and {{ 'true' if offers_built else 'false' }}
