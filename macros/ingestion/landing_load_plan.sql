{#- What a loader needs to copy landed files into the landing source tables of
    an engine without file access (Trino): JSON text of a list with one entry
    per landed file, {dataset, source_file, file_format, sql}, where `sql` is
    the DuckDB query that reads that file's records exactly as the DuckDB
    build does (read_landed_records). warehouse_ml.trino_loader compiles it
    with `dbt compile --inline` on the duckdb target and runs each query in an
    in-process DuckDB, so both engines ingest through the same SQL. -#}
{% macro landing_load_plan() -%}
    {%- if target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error("landing_load_plan reads files with DuckDB: compile it with --target duckdb (target '" ~ target.name ~ "' is " ~ target.type ~ ")") }}
    {%- endif -%}
    {%- set plan = [] -%}
    {%- for dataset, folder in warehouse_ml.landing_folders() -%}
        {%- for f in warehouse_ml.list_landed_files(folder, dataset) -%}
            {%- do plan.append({
                'dataset': dataset,
                'source_file': f[0],
                'file_format': f[1],
                'sql': warehouse_ml.read_landed_records([f]) | string,
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(tojson(plan)) }}
{%- endmacro %}
