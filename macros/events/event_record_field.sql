{#- The i-th (0-based) field of event_record_fields' column back as text
    (NULL for a malformed record). -#}
{% macro event_record_field(column, names, index) -%}
    {{ return(adapter.dispatch('event_record_field', 'warehouse_ml')(column, names, index)) }}
{%- endmacro %}

{% macro default__event_record_field(column, names, index) -%}
    case when parse_error is null then json_extract_scalar({{ column }}, '$["{{ names[index] }}"]') end
{%- endmacro %}

{% macro duckdb__event_record_field(column, names, index) -%}
    {{ column }}[{{ index + 1 }}]
{%- endmacro %}
