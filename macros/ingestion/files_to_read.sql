{#- Manifest files of a dataset that the calling incremental model has not read yet. -#}
{% macro files_to_read(dataset) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set sql -%}
        select manifest.source_file, manifest.file_format
        from {{ ref('ingest_file_manifest') }} as manifest
        where manifest.dataset = {{ warehouse_ml.quote_literal(dataset) }}
        {% if is_incremental() -%}
            and manifest.source_file not in (select distinct seen.source_file from {{ this }} as seen)
        {%- endif %}
        order by manifest.source_file
    {%- endset -%}
    {{ return(warehouse_ml._queried_files(sql)) }}
{%- endmacro %}

{#- The rows of a query of (source_file, file_format), run now, as a list of
    [path, format]: the shape every reader of landed files takes. -#}
{% macro _queried_files(sql) -%}
    {%- set files = [] -%}
    {%- for row in run_query(sql) -%}{%- do files.append([row[0], row[1]]) -%}{%- endfor -%}
    {{ return(files) }}
{%- endmacro %}
