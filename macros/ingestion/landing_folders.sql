{#- The landed datasets and the folder each one lands in: a list of
    [dataset, folder] (vars landing_dir and requests_dir). -#}
{% macro landing_folders() -%}
    {{ return([['conversions', var('landing_dir')], ['requests', var('requests_dir')]]) }}
{%- endmacro %}
