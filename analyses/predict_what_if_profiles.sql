{#- Ad hoc what-if: which offer would each served campaign show to a few
    made-up device profiles? The profiles are a relation written inline (a
    subquery is as good as a ref for warehouse_ml.predict); values the model
    never saw in training light no one-hot column, as in batch scoring. -#}
{%- set profiles -%}
(
    select
        campaigns.group_id || ':' || profiles.profile as request_id,
        campaigns.group_id as campaign_id,
        profiles.long,
        profiles.lat,
        profiles.country,
        profiles.dos,
        profiles.dtype,
        profiles.dbrowser
    from {{ ref('ml_serving_models') }} as campaigns
    cross join (
        values
        ('android_th', 100.5, 13.7, 'TH', 'Android', 'mobile', 'Chrome'),
        ('ios_us', -74.0, 40.7, 'US', 'iOS', 'mobile', 'Mobile Safari'),
        ('windows_fr', 2.35, 48.86, 'FR', 'Windows', 'desktop', 'Chrome')
    ) as profiles (profile, long, lat, country, dos, dtype, dbrowser)
    where campaigns.model_name = 'offer_conversion'
)
{%- endset %}

with scores as (
    {{ warehouse_ml.predict('offer_conversion', profiles) }}
),

final as (
    select
        request_id,
        group_id as campaign_id,
        label_value as offer_id,
        probability,
        rank
    from scores
    order by request_id, rank
)

select * from final
