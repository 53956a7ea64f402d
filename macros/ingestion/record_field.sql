{#- A field of a landed record, trimmed, with empty text meaning "absent".
    Malformed records (parse_error set) yield NULL instead of a JSON error. -#}
{% macro record_field(field) -%}
    nullif({{ warehouse_ml.trim_spaces(warehouse_ml.raw_record_field(field)) }}, '')
{%- endmacro %}
