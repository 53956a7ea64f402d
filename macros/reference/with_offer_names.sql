{#- Names are a left join on ids, so a campaign or offer the seeds do not
    name keeps a readable value (its id) instead of a NULL that a dashboard
    would show as blank. Seed ids are lower-cased and trimmed the way staging
    treats landed ids, so a user's CSV with upper-case UUIDs still matches. -#}
{% macro with_offer_names(
    relation,
    campaign_id='campaign_id',
    campaign_name='campaign_name',
    offer_id='offer_id',
    offer_name='offer_name'
) -%}
    {%- do warehouse_ml._validate_identifiers([campaign_id, campaign_name, offer_id, offer_name], 'with_offer_names') %}
    select
        named.*,
        coalesce(campaign_names.campaign_name, named.{{ campaign_id }}) as {{ campaign_name }},
        coalesce(offer_names.offer_name, named.{{ offer_id }}) as {{ offer_name }}
    from {{ relation }} as named
    left join {{ ref('campaign_names') }} as campaign_names
        on named.{{ campaign_id }} = lower(trim(campaign_names.campaign_id))
    left join {{ ref('offer_names') }} as offer_names
        on
            named.{{ campaign_id }} = lower(trim(offer_names.campaign_id))
            and named.{{ offer_id }} = lower(trim(offer_names.offer_id))
{%- endmacro %}
