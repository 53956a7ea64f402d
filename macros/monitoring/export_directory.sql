{#- The validated `exports_dir` var: the folder BI exports are written to
    (relative paths resolve against the folder dbt runs in, the project root). -#}
{% macro export_directory() -%}
    {%- set folder = (var('exports_dir', 'exports') | string).rstrip('/') -%}
    {%- if folder | length == 0 -%}
        {{ exceptions.raise_compiler_error("var 'exports_dir' is empty: give a folder for the BI exports, e.g. 'exports'") }}
    {%- endif -%}
    {%- if modules.re.search("[*?\\[\\]{}'\n\r\x00]", folder) -%}
        {{ exceptions.raise_compiler_error("var 'exports_dir' ('" ~ folder ~ "') must be a plain folder path without quotes or glob characters") }}
    {%- endif -%}
    {{ return(folder) }}
{%- endmacro %}
