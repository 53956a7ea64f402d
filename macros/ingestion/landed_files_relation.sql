{#- A relation (dataset, source_file, file_format) of the landed files. -#}
{% macro landed_files_relation(files) -%}
    {{ return(adapter.dispatch('landed_files_relation', 'warehouse_ml')(files)) }}
{%- endmacro %}

{% macro default__landed_files_relation(files) -%}
    {%- if files -%}
        {%- for f in files %}
    select
        {{ warehouse_ml.quote_literal(f[0]) }} as dataset,
        {{ warehouse_ml.quote_literal(f[1]) }} as source_file,
        {{ warehouse_ml.quote_literal(f[2]) }} as file_format
    {{ "union all" if not loop.last }}
        {%- endfor -%}
    {%- else %}
    select
        cast(null as varchar) as dataset,
        cast(null as varchar) as source_file,
        cast(null as varchar) as file_format
    where false
    {%- endif -%}
{%- endmacro %}
