{#- The short name of a window in feature names (7d, 1h, 15m, 30s), as
    warehouse_ml.spec_events.window_label. -#}
{% macro window_label(seconds) -%}
    {%- for unit, size in [['d', 86400], ['h', 3600], ['m', 60]] if seconds % size == 0 -%}
        {{ return((seconds // size) ~ unit) }}
    {%- endfor -%}
    {{ return(seconds ~ 's') }}
{%- endmacro %}
