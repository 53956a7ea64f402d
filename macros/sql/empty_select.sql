{#- A select with the given typed columns and no rows: the body of a CTE
    whose union of per-spec (or per-pin) selects is empty, so the model
    still compiles with its columns and types when there is nothing to read.
    `columns` is a list of [name, SQL type] pairs, e.g.
    [['model_name', dbt.type_string()], ['n_rows', 'bigint']]. -#}
{% macro empty_select(columns) -%}
    select
        {%- for name, sql_type in columns %}
        cast(null as {{ sql_type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
{%- endmacro %}
