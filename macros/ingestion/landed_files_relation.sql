{#- A relation (dataset, source_file, file_format) of the landed files. The
    casts keep the columns unbounded text: Trino would type a literal as
    varchar(n), and a later, longer path could not be appended. -#}
{% macro landed_files_relation(files) -%}
    {{ return(adapter.dispatch('landed_files_relation', 'warehouse_ml')(files)) }}
{%- endmacro %}

{% macro default__landed_files_relation(files) -%}
    {%- if files -%}
        {%- for f in files %}
    select
        cast({{ warehouse_ml.quote_literal(f[0]) }} as {{ dbt.type_string() }}) as dataset,
        cast({{ warehouse_ml.quote_literal(f[1]) }} as {{ dbt.type_string() }}) as source_file,
        cast({{ warehouse_ml.quote_literal(f[2]) }} as {{ dbt.type_string() }}) as file_format
    {{ "union all" if not loop.last }}
        {%- endfor -%}
    {%- else %}
    {%- set string = dbt.type_string() %}
    {{ warehouse_ml.empty_select([['dataset', string], ['source_file', string], ['file_format', string]]) }}
    {%- endif -%}
{%- endmacro %}
