{#- The fields of a landed record that staging reads, in a fixed order (the
    union of what conversions and requests carry; an absent field is NULL). -#}
{% macro landed_record_paths() -%}
    {{ return(['id', 'offer', 'input', 'campaign', 'country', 'city', 'isp', 'network',
               'dOs', 'dType', 'dOsVersion', 'dBrowser', 'dBrowserVersion', 'lat', 'long']) }}
{%- endmacro %}
