{{ config(materialized='view') }}

{#- The model that serves each campaign: the pinned one when var
    `pinned_models` names it (rollback), else the newest champion. -#}
{%- set pinned = warehouse_ml._validated_pinned_models() %}

with models as (
    select * from {{ ref('ml_models') }}
),

candidates as (
    select
        model_id,
        campaign_id,
        fitted_state_id,
        feature_kinds,
        classes,
        trained_at,
        -- A model that was never trained (e.g. a campaign with one offer) cannot serve, pinned or not.
        booster_json is not null as has_booster,
        {%- if pinned %}
        case
            {%- for campaign_id, model_id in pinned.items() %}
            when
                campaign_id = {{ warehouse_ml.quote_literal(campaign_id | lower) }}
                and model_id = {{ warehouse_ml.quote_literal(model_id | lower) }}
                then 'pinned'
            {%- endfor %}
            when status = 'champion' then 'champion'
        end as serving_reason,
        {{ warehouse_ml.is_pinned_campaign('campaign_id') }} as is_campaign_pinned
        {%- else %}
        case when status = 'champion' then 'champion' end as serving_reason,
        false as is_campaign_pinned
        {%- endif %}
    from models
),

eligible as (
    select * from candidates
    where
        has_booster
        and (
            (is_campaign_pinned and serving_reason = 'pinned')
            or (not is_campaign_pinned and serving_reason = 'champion')
        )
),

ranked as (
    select
        *,
        row_number() over (partition by campaign_id order by trained_at desc, model_id asc) as recency_rank
    from eligible
),

final as (
    select
        model_id,
        campaign_id,
        fitted_state_id,
        serving_reason,
        feature_kinds,
        classes,
        {{ warehouse_ml.json_array_length('feature_kinds') }} as n_features,
        trained_at
    from ranked
    where recency_rank = 1
)

select * from final
