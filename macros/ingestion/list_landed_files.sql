{#- Files waiting for `dataset` (conversions or requests) in a landing folder,
    as a list of [path, format]. Runs at compile time so each build reads
    exactly the files present when it starts. -#}
{% macro list_landed_files(folder, dataset=none) -%}
    {{ return(adapter.dispatch('list_landed_files', 'warehouse_ml')(folder, dataset)) }}
{%- endmacro %}

{% macro default__list_landed_files(folder, dataset=none) -%}
    {#- Engines that do not list folders themselves list the files
        `wml run --target trino` registered (lake_files, read in place) or
        copied (landed_files), by dataset; the folder was listed by DuckDB
        for the runner and is not used here. -#}
    {%- set landed_files = source('landing', 'landed_files') -%}
    {%- set lake_files = source('landing', 'lake_files') -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if dataset is none -%}
        {{ exceptions.raise_compiler_error("list_landed_files: give the dataset ('conversions' or 'requests') to read from the landing source tables") }}
    {%- endif -%}
    {%- set sql -%}
        select
            landed.source_file,
            min(landed.file_format) as file_format
        from (
            select
                copied.source_file,
                copied.file_format,
                copied.dataset
            from {{ landed_files }} as copied
            union all
            select
                lake.source_file,
                lake.file_format,
                lake.dataset
            from {{ lake_files }} as lake
        ) as landed
        where landed.dataset = {{ warehouse_ml.quote_literal(dataset) }}
        group by landed.source_file
        order by landed.source_file
    {%- endset -%}
    {{ return(warehouse_ml._queried_files(sql)) }}
{%- endmacro %}

{% macro duckdb__list_landed_files(folder, dataset=none) -%}
    {#- DuckDB lists the data-lake folder itself with glob(): no loader needed. -#}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set folder = warehouse_ml.plain_folder(
        folder, 'landing folder',
        'set WML_LANDING_DIR / WML_REQUESTS_DIR to a folder of *.json, *.csv or *.parquet files',
    ) -%}
    {%- set sql -%}
        select
            file as source_file,
            lower(regexp_extract(file, '\.([A-Za-z]+)$', 1)) as file_format
        from glob({{ warehouse_ml.quote_literal(folder ~ '/*') }})
        where lower(file) similar to '.*\.(json|jsonl|csv|parquet)'
        order by file
    {%- endset -%}
    {%- set rows = run_query(sql) -%}
    {%- set files = [] -%}
    {%- for row in rows -%}
        {%- do files.append([row[0], 'json' if row[1] == 'jsonl' else row[1]]) -%}
    {%- endfor -%}
    {{ return(files) }}
{%- endmacro %}
