{#- A field of a landed record, trimmed, with empty text meaning "absent".
    Malformed records (parse_error set) yield NULL instead of a JSON error. -#}
{% macro record_field(field) -%}
    nullif({{ warehouse_ml.trim_spaces("case when parse_error is null then " ~ warehouse_ml.json_field('record', field) ~ " end") }}, '')
{%- endmacro %}
