{#- The validated `exports_dir` var: the folder BI exports are written to
    (relative paths resolve against the folder dbt runs in, the project root). -#}
{% macro export_directory() -%}
    {{ return(warehouse_ml.plain_folder(
        var('exports_dir', 'exports'), "var 'exports_dir'",
        "give a folder for the BI exports, e.g. 'exports'", refuse_quotes=true,
    )) }}
{%- endmacro %}
