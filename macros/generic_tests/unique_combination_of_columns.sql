{#- Fails for every combination of `combination_of_columns` that occurs on more
    than one row (rows where all of them are NULL count too). Use the test's
    `where` config to restrict it to some rows. Plain SQL: DuckDB and Trino. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {%- if combination_of_columns is string or not combination_of_columns -%}
        {{ exceptions.raise_compiler_error("unique_combination_of_columns: `combination_of_columns` must be a non-empty list of columns") }}
    {%- endif %}

select
    {%- for col in combination_of_columns %}
    {{ col }},
    {%- endfor %}
    count(*) as n_rows
from {{ model }}
group by {% for col in combination_of_columns %}{{ col }}{{ ", " if not loop.last }}{% endfor %}
having count(*) > 1
{% endtest %}
