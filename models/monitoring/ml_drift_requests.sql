{#- The scoring requests this session's monitoring looks at ("current"): per
    campaign, the scorable requests of its latest landed batch (the newest
    `ingested_at`; everything when all requests came in one build), with their
    raw feature values and the model serving them. offer_predictions re-scores
    every request ever landed, so taking the newest batch keeps old traffic
    from diluting a new shift; a build that lands nothing new re-measures the
    same batch against the model serving now. Requests sent as explicit
    feature vectors carry no raw fields and are left out. -#}
{%- set categorical = warehouse_ml.categorical_feature_columns() -%}
{%- set numeric = warehouse_ml.numeric_feature_columns() %}

with assigned as (
    select * from {{ ref('int_requests_assigned') }}
    where scoring_error is null and feature_vector is null
),

requests as (
    select
        requests.request_id,
        assigned.campaign_id,
        assigned.model_id,
        assigned.fitted_state_id,
        {%- for col in categorical %}
        requests.{{ col }},
        {%- endfor %}
        {%- for col in numeric %}
        cast(requests.{{ col }} as double) as {{ col }},
        {%- endfor %}
        requests.ingested_at
    from {{ ref('stg_landing__requests') }} as requests
    inner join assigned on requests.request_id = assigned.request_id
    where requests.reject_reason is null
),

batches as (
    select
        campaign_id,
        max(ingested_at) as ingested_at
    from requests
    group by campaign_id
),

final as (
    select requests.*
    from requests
    inner join batches
        on
            requests.campaign_id = batches.campaign_id
            and requests.ingested_at = batches.ingested_at
)

select * from final
