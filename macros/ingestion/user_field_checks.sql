{#- `when ... then '<reason>'` branches for the checks shared by events and
    requests; the first failing check is the reject reason. -#}
{% macro user_field_checks(id_column, id_label) -%}
    when parse_error is not null then parse_error
    when {{ id_column }} is null then 'missing {{ id_label }}'
    when not {{ warehouse_ml.matches_regex(id_column, warehouse_ml.uuid_pattern()) }} then '{{ id_label }} is not a UUID'
    when campaign_id is null then 'missing campaign'
    when not {{ warehouse_ml.matches_regex('campaign_id', warehouse_ml.uuid_pattern()) }} then 'campaign is not a UUID'
    when lat_text is not null and lat is null then 'lat is not a number'
    when long_text is not null and long is null then 'long is not a number'
    when lat not between -90 and 90 then 'lat out of range [-90, 90]'
    when long not between -180 and 180 then 'long out of range [-180, 180]'
{%- endmacro %}
