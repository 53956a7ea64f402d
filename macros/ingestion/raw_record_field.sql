{#- A field of a landed record as text, untrimmed (NULL for a malformed
    record): the engine-specific read behind record_field. -#}
{% macro raw_record_field(field) -%}
    {{ return(adapter.dispatch('raw_record_field', 'warehouse_ml')(field)) }}
{%- endmacro %}

{% macro default__raw_record_field(field) -%}
    case when parse_error is null then {{ warehouse_ml.json_field('record', field) }} end
{%- endmacro %}

{% macro duckdb__raw_record_field(field) -%}
    {#- DuckDB pre-parsed every field into the record_fields list (parsed_record_fields); lists are 1-based. -#}
    {%- set paths = warehouse_ml.landed_record_paths() -%}
    {%- if field not in paths -%}
        {{ exceptions.raise_compiler_error("record_field: '" ~ field ~ "' is not in landed_record_paths()") }}
    {%- endif -%}
    record_fields[{{ paths.index(field) + 1 }}]
{%- endmacro %}
