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
    {#- Engines that read the lake through a catalog (Trino): files registered
        in lake_files are read where they lie from their external tables
        (warehouse_ml.trino_lake); the other files were copied into
        landed_records by a loader, normalised by the DuckDB reader below
        (see landing_load_plan). -#}
    {%- set in_place = warehouse_ml._lake_readers(files) -%}
    {%- set copied = [] -%}
    {%- for f in files if f[0] not in in_place.sources -%}{%- do copied.append(f) -%}{%- endfor -%}
    {%- set parts = [] -%}
    {%- for table, reader in in_place.tables.items() -%}
        {%- set kind = table.split('.')[-1].split('_')[0] -%}
        {%- set part -%}
            select
                case r."$path"
                    {%- for e in reader.entries %}
                    when {{ warehouse_ml.quote_literal(e[1]) }} then {{ warehouse_ml.quote_literal(e[0]) }}
                    {%- endfor %}
                end as source_file,
                {%- if kind == 'lines' %}
                    'json' as file_format,
                    r.line as record,
                    case
                        when not {{ warehouse_ml.is_json_object('r.line') }} then 'malformed JSON record'
                    end as parse_error
                {%- else %}
                    {{ warehouse_ml.quote_literal(kind) }} as file_format,
                    {{ warehouse_ml._lake_row_json(reader.columns, kind == 'csv') }} as record,
                    {{ warehouse_ml._lake_row_too_wide(reader.columns) }} as parse_error
                {%- endif %}
            from {{ table }} as r
            -- literal paths: Trino prunes the folder's other files before reading them
            where
                r."$path" in (
                    {%- for e in reader.entries %}{{ warehouse_ml.quote_literal(e[1]) }}{{ ", " if not loop.last }}{% endfor -%}
                )
                {%- if kind == 'lines' %}
                    and trim(r.line, ' ') <> ''
                {%- endif %}
        {%- endset -%}
        {%- do parts.append(part) -%}
    {%- endfor -%}
    {%- if copied -%}
        {%- do parts.append(warehouse_ml._copied_records(copied)) -%}
    {%- endif -%}
    {{ parts | join('\nunion all\n') }}
{%- endmacro %}

{#- Which of `files` are registered to be read in place: {sources: [path],
    tables: {reader table: {entries: [[source_file, location]], columns: [..]}}}.
    The reader table names and columns come from the manifest; only
    catalog.schema.<lines|csv|parquet>_<hex> tables and plain column names are accepted. -#}
{% macro _lake_readers(files) -%}
    {%- set found = {'sources': [], 'tables': {}} -%}
    {%- if not execute or not files -%}{{ return(found) }}{%- endif -%}
    {%- set sql -%}
        select lake.source_file, lake.location, lake.reader_table, lake.reader_columns
        from {{ source('landing', 'lake_files') }} as lake
        where lake.source_file in (
            {%- for f in files %}{{ warehouse_ml.quote_literal(f[0]) }}{{ ", " if not loop.last }}{% endfor -%}
        )
        order by lake.source_file
    {%- endset -%}
    {%- for row in run_query(sql) -%}
        {%- if not modules.re.fullmatch('[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\.(lines|csv|parquet)_[0-9a-f]{16}', row[2]) -%}
            {{ exceptions.raise_compiler_error("lake_files: unexpected reader table '" ~ row[2] ~ "' for " ~ row[0]) }}
        {%- endif -%}
        {%- set columns = fromjson(row[3]) if row[3] else [] -%}
        {%- for c in columns if not modules.re.fullmatch('[a-z_][a-z0-9_]*', c.column) -%}
            {{ exceptions.raise_compiler_error("lake_files: unexpected reader column '" ~ c.column ~ "' for " ~ row[0]) }}
        {%- endfor -%}
        {%- if row[0] not in found.sources -%}
            {%- do found.sources.append(row[0]) -%}
            {%- do found.tables.setdefault(row[2], {'entries': [], 'columns': columns}).entries.append([row[0], row[1]]) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- A CSV or Parquet row of a lake table as the JSON object text DuckDB's
    to_json gives: keys in the file's column order, NULL as null; an empty CSV
    field is NULL (DuckDB's reader); CSV spare columns appear only when filled. -#}
{% macro _lake_row_json(columns, is_csv) -%}
    {%- set pieces = [] -%}
    {%- for c in columns -%}
        {%- set value = ("nullif(r." ~ c.column ~ ", '')") if is_csv else ('r."' ~ c.column ~ '"') -%}
        {%- set text = "json_format(cast(" ~ value ~ " as json))" -%}
        {%- set key = warehouse_ml.quote_literal(("" if loop.first else ",") ~ c.key ~ ":") -%}
        {%- if c.optional -%}
            {%- do pieces.append("coalesce(" ~ key ~ " || " ~ text ~ ", '')") -%}
        {%- else -%}
            {%- do pieces.append(key ~ " || coalesce(" ~ text ~ ", 'null')") -%}
        {%- endif -%}
    {%- endfor -%}
    '{' || {{ pieces | join(' || ') }} || '}'
{%- endmacro %}

{#- The DuckDB reader's reject rule for a CSV row with more fields than its header. -#}
{% macro _lake_row_too_wide(columns) -%}
    {%- set wide = [] -%}
    {%- for c in columns if c.wide -%}{%- do wide.append("nullif(r." ~ c.column ~ ", '')") -%}{%- endfor -%}
    {%- if wide -%}
        case when {{ wide | join(' is not null or ') }} is not null then 'CSV row has more fields than the header' end
    {%- else -%}
        cast(null as varchar)
    {%- endif -%}
{%- endmacro %}

{#- Records a loader copied (the fallback): only complete loads count, a record
    whose load never reached landed_files (an interrupted load) is ignored. -#}
{% macro _copied_records(files) -%}
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
