{#- Fields of a landed event record, parsed once: event_record_fields gives
    a column holding every named field, event_record_field reads the i-th
    (0-based) back as text. Field names may hold spaces ("Customer ID"). -#}
{% macro event_record_fields(record, names) -%}
    {{ return(adapter.dispatch('event_record_fields', 'warehouse_ml')(record, names)) }}
{%- endmacro %}

{% macro default__event_record_fields(record, names) -%}
    {#- Trino reads each field from the text when asked: keep the record. -#}
    {{ record }}
{%- endmacro %}

{% macro duckdb__event_record_fields(record, names) -%}
    {#- One parse for all fields (json_extract_string with a list of paths). -#}
    case when parse_error is null then json_extract_string({{ record }}, [
        {%- for name in names -%}'$."{{ name }}"'{{ ', ' if not loop.last }}{%- endfor -%}
    ]) end
{%- endmacro %}
