{#- One row per raw record of the given files: source_file, file_format,
    record (the record as a JSON object text) and parse_error (NULL when the
    record could be read). Every format is normalised to JSON text so one
    staging model validates them all. No files: a typed zero-row select, the
    same on every engine; the engine forms read one file or more. -#}
{% macro read_landed_records(files) -%}
    {%- if not files -%}
        {%- set string = dbt.type_string() -%}
        {{ return(warehouse_ml.empty_select([
            ['source_file', string], ['file_format', string], ['record', string], ['parse_error', string],
        ])) }}
    {%- endif -%}
    {{ return(adapter.dispatch('read_landed_records', 'warehouse_ml')(files)) }}
{%- endmacro %}

{% macro default__read_landed_records(files) -%}
    {#- Engines without file access read the records a loader put in the
        landing source tables (on Trino `wml run --target trino` does),
        normalised by the DuckDB reader below (see landing_load_plan). Only complete loads count: a record whose load
        never reached landed_files (an interrupted load) is ignored. -#}
    {%- set landed_records = source('landing', 'landed_records') -%}
    {%- set landed_files = source('landing', 'landed_files') %}
    select
        records.source_file,
        records.file_format,
        records.record,
        records.parse_error
    from {{ landed_records }} as records
    inner join {{ landed_files }} as loads
        on
            records.source_file = loads.source_file
            and records.load_id = loads.load_id
    where records.source_file in (
        {%- for f in files %}{{ warehouse_ml.quote_literal(f[0]) }}{{ ", " if not loop.last }}{% endfor -%}
    )
{%- endmacro %}

{% macro duckdb__read_landed_records(files) -%}
    {#- DuckDB reads the files itself; JSON lines as one text column so a malformed line is kept, not skipped. -#}
    {%- set by_format = {'json': [], 'csv': [], 'parquet': []} -%}
    {%- for f in files -%}{%- do by_format[f[1]].append(f[0]) -%}{%- endfor -%}
    {%- set parts = [] -%}
    {%- if by_format['json'] -%}
        {%- set part -%}
            select
                filename as source_file,
                'json' as file_format,
                record,
                case
                    when not {{ warehouse_ml.is_json_object('record') }} then 'malformed JSON record'
                end as parse_error
            from read_csv(
                {{ warehouse_ml._file_list(by_format['json']) }},
                columns = {'record': 'varchar'},
                delim = chr(1), quote = '', escape = '', header = false,
                auto_detect = false, filename = true
            )
            where trim(record) <> ''
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endif -%}
    {%- for path in by_format['csv'] -%}
        {#- One read per CSV/Parquet file: each file may order its columns differently. -#}
        {%- set part -%}
            select
                {{ warehouse_ml.quote_literal(path) }} as source_file,
                'csv' as file_format,
                cast(to_json(t) as varchar) as record,
                -- DuckDB names a field past the header `column<position>`; an empty
                -- header name (pandas' index column) also becomes `column<position>`,
                -- but at a position inside the header, so only positions at or past
                -- the header's width (its first line's fields) are extra fields.
                case
                    when list_max(cast(
                        regexp_extract_all(cast(to_json(t) as varchar), '"column([0-9]+)":"', 1) as integer[]
                    )) >= (
                        select len(string_split(header_line.line, ','))
                        from read_csv(
                            {{ warehouse_ml.quote_literal(path) }},
                            columns = {'line': 'varchar'},
                            delim = chr(1), quote = '', escape = '', header = false, auto_detect = false
                        ) as header_line
                        limit 1
                    )
                        then 'CSV row has more fields than the header'
                end as parse_error
            from read_csv(
                {{ warehouse_ml.quote_literal(path) }},
                all_varchar = true, header = true, null_padding = true, strict_mode = false
            ) as t
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
    {%- for path in by_format['parquet'] -%}
        {%- set part -%}
            select
                {{ warehouse_ml.quote_literal(path) }} as source_file,
                'parquet' as file_format,
                cast(to_json(t) as varchar) as record,
                cast(null as varchar) as parse_error
            from read_parquet({{ warehouse_ml.quote_literal(path) }}) as t
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
    {{ parts | join('\nunion all\n') }}
{%- endmacro %}

{% macro _file_list(paths) -%}
    [{%- for p in paths -%}{{ warehouse_ml.quote_literal(p) }}{{ ", " if not loop.last }}{%- endfor -%}]
{%- endmacro %}
