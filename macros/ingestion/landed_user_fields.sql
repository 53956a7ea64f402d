{#- The user fields shared by conversion events and scoring requests, typed and
    renamed. lat/long stay text here (`*_text`) so the checks can tell
    "absent" from "not a number". -#}
{% macro landed_user_fields() -%}
    lower({{ warehouse_ml.record_field('campaign') }}) as campaign_id,
    {{ warehouse_ml.record_field('country') }} as country,
    {{ warehouse_ml.record_field('city') }} as city,
    {{ warehouse_ml.record_field('isp') }} as isp,
    {{ warehouse_ml.record_field('network') }} as network,
    {{ warehouse_ml.record_field('dOs') }} as dos,
    {{ warehouse_ml.record_field('dType') }} as dtype,
    {{ warehouse_ml.record_field('dOsVersion') }} as dos_version,
    {{ warehouse_ml.record_field('dBrowser') }} as dbrowser,
    {{ warehouse_ml.record_field('dBrowserVersion') }} as dbrowser_version,
    {{ warehouse_ml.record_field('lat') }} as lat_text,
    {{ warehouse_ml.record_field('long') }} as long_text
{%- endmacro %}
