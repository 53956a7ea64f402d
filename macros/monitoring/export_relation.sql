{#- Post-hook SQL that writes a model to `<exports_dir>/<name>.parquet` and
    `<exports_dir>/<name>.csv` for BI tools: `post_hook="{{ warehouse_ml.export_relation(this, 'offer_predictions') }}"`. -#}
{% macro export_relation(relation, name) -%}
    {%- if not modules.re.match('^[a-z][a-z0-9_]*$', name | string) -%}
        {{ exceptions.raise_compiler_error("export_relation: export name '" ~ name ~ "' must be lower-case letters, digits and _") }}
    {%- endif -%}
    {{ return(adapter.dispatch('export_relation', 'warehouse_ml')(relation, name)) }}
{%- endmacro %}

{% macro default__export_relation(relation, name) -%}
    {#- Writing local files is not SQL: the hook is empty (dbt skips it) and
        says so. BI tools read the export views through the engine's connector
        (on Trino, a Hive/Iceberg catalog table created with format = 'PARQUET'
        / 'CSV' can also hold the files). -#}
    {%- if execute -%}
        {{ log("[warehouse_ml] export " ~ name ~ ": no file export on " ~ target.type ~ "; BI tools read " ~ relation ~ " directly", info=true) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__export_relation(relation, name) -%}
    {#- DuckDB's COPY writes Parquet and CSV files itself, but cannot create the
        folder; a zero-row partitioned COPY creates each missing level and leaves
        existing folders alone (overwrite_or_ignore). -#}
    {%- set folder = warehouse_ml.export_directory() -%}
    {%- set parts = folder.split('/') -%}
    {%- for i in range(parts | length) if parts[i] not in ['', '.', '..'] -%}
        {%- set level = parts[:i + 1] | join('/') %}
    copy (select 1 as level_marker, 1 as level_value where false)
        to {{ warehouse_ml.quote_literal(level) }} (format csv, partition_by (level_marker), overwrite_or_ignore true);
    {%- endfor %}
    copy (select * from {{ relation }}) to {{ warehouse_ml.quote_literal(folder ~ '/' ~ name ~ '.parquet') }} (format parquet);
    copy (select * from {{ relation }}) to {{ warehouse_ml.quote_literal(folder ~ '/' ~ name ~ '.csv') }} (format csv, header true)
{%- endmacro %}
