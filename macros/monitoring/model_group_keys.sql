{#- The select-list items that name a monitoring row's model: the model
    spec, the group, the group again as campaign_id (its name before model
    specs, which backfill_offer_keys fills on older rows) and the serving
    model. One place for the campaign_id alias, so every monitoring table
    keeps it alike. The calling query must have model_name, group_id and
    model_id in scope. -#}
{% macro model_group_keys() -%}
    model_name,
    group_id,
    group_id as campaign_id,
    model_id
{%- endmacro %}
