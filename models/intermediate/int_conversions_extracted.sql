{#- The seed's Athena extraction: the accepted conversions of the selected
    campaigns (var `campaigns`, default all) with the columns the model uses. -#}
{%- set campaigns = warehouse_ml._validate_uuid_list(var('campaigns', []), 'campaigns') %}

with accepted as (
    select * from {{ ref('stg_landing__conversions') }}
    where reject_reason is null
),

extracted as (
    select
        event_id,
        campaign_id,
        offer_id,
        {{ (warehouse_ml.categorical_feature_columns() + warehouse_ml.numeric_feature_columns()) | join(', ') }}
    from accepted
    {%- if campaigns %}
    where campaign_id in (
        {%- for c in campaigns %}{{ warehouse_ml.quote_literal(c | lower) }}{{ ", " if not loop.last }}{% endfor -%}
    )
    {%- endif %}
)

select * from extracted
