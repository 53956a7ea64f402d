{#- Seconds of look-back of an events section's group rates: group_rates.window,
    or the longest look-back (windows, rolling_weeks). Python:
    warehouse_ml.spec_events.group_rate_window. -#}
{% macro group_rate_window(ev) -%}
    {%- if ev['group_rates']['window'] is not none -%}
        {{ return(warehouse_ml.duration_seconds(ev['group_rates']['window'])) }}
    {%- endif -%}
    {%- set reach = [ev['rolling_weeks'] * 604800] -%}
    {%- for w in ev['windows'] -%}{%- do reach.append(warehouse_ml.duration_seconds(w)) -%}{%- endfor -%}
    {{ return(reach | max) }}
{%- endmacro %}
