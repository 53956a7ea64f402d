{#- The landed datasets and the folder each one lands in: a list of
    [dataset, folder] (vars landing_dir, requests_dir, and events_dir for the
    event log `stream` plus event_logs {name: folder}; each event log is the
    dataset `event_log:<name>`). -#}
{% macro landing_folders() -%}
    {%- set folders = [['conversions', var('landing_dir')], ['requests', var('requests_dir')]] -%}
    {%- set logs = {'stream': var('events_dir')} -%}
    {%- do logs.update(var('event_logs', {}) or {}) -%}
    {%- for name, folder in logs.items() | sort -%}
        {%- do warehouse_ml._validate_identifiers([name], 'var event_logs') -%}
        {%- do folders.append(['event_log:' ~ name, folder]) -%}
    {%- endfor -%}
    {{ return(folders) }}
{%- endmacro %}
