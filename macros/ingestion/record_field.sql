{#- The fields of a landed record that staging reads, in a fixed order (the
    union of what conversions and requests carry; an absent field is NULL). -#}
{% macro landed_record_paths() -%}
    {{ return(['id', 'offer', 'input', 'campaign', 'country', 'city', 'isp', 'network',
               'dOs', 'dType', 'dOsVersion', 'dBrowser', 'dBrowserVersion', 'lat', 'long']) }}
{%- endmacro %}

{#- A column `record_fields` holding every field of landed_record_paths() parsed
    in one pass, for engines where reading fields one at a time re-parses the
    record each time. Used in the staging models' `parsed` step. -#}
{% macro parsed_record_fields() -%}
    {{ return(adapter.dispatch('parsed_record_fields', 'warehouse_ml')()) }}
{%- endmacro %}

{% macro default__parsed_record_fields() -%}
    {#- Trino reads each field from the text (record_field below); nothing to pre-parse. -#}
    cast(null as {{ dbt.type_string() }}) as record_fields
{%- endmacro %}

{% macro duckdb__parsed_record_fields() -%}
    {#- One json_extract_string call with a list of paths parses the text once
        (one call per field parsed it 15 times: ~4x the time at 1M records). -#}
    case when parse_error is null then json_extract_string(record, [
        {%- for path in warehouse_ml.landed_record_paths() -%}
            '$.{{ path }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
    ]) end as record_fields
{%- endmacro %}

{#- A field of a landed record, trimmed, with empty text meaning "absent".
    Malformed records (parse_error set) yield NULL instead of a JSON error. -#}
{% macro record_field(field) -%}
    nullif({{ warehouse_ml.trim_spaces(warehouse_ml.raw_record_field(field)) }}, '')
{%- endmacro %}

{% macro raw_record_field(field) -%}
    {{ return(adapter.dispatch('raw_record_field', 'warehouse_ml')(field)) }}
{%- endmacro %}

{% macro default__raw_record_field(field) -%}
    case when parse_error is null then {{ warehouse_ml.json_field('record', field) }} end
{%- endmacro %}

{% macro duckdb__raw_record_field(field) -%}
    {%- set paths = warehouse_ml.landed_record_paths() -%}
    {%- if field not in paths -%}
        {{ exceptions.raise_compiler_error("record_field: '" ~ field ~ "' is not in landed_record_paths()") }}
    {%- endif -%}
    {#- DuckDB lists are 1-based. -#}
    record_fields[{{ paths.index(field) + 1 }}]
{%- endmacro %}
