{#- Fails for every group (e.g. every request_id) whose probabilities do not sum
    to 1 within `tolerance`, or that holds a NULL probability. `group_by` is a
    column name or a list of them. Plain SQL: runs on DuckDB and Trino. -#}
{% test probabilities_sum_to_one(model, column_name, group_by, tolerance=1e-6) %}
    {%- set columns = [group_by] if group_by is string else group_by -%}
    {%- if not columns -%}
        {{ exceptions.raise_compiler_error("probabilities_sum_to_one: `group_by` needs at least one column") }}
    {%- endif -%}
    {%- if tolerance is not number or tolerance < 0 -%}
        {{ exceptions.raise_compiler_error("probabilities_sum_to_one: `tolerance` must be a non-negative number, got " ~ tolerance) }}
    {%- endif %}

select
    {%- for col in columns %}
    {{ col }},
    {%- endfor %}
    count(*) as n_rows,
    count({{ column_name }}) as n_probabilities,
    sum({{ column_name }}) as probability_sum
from {{ model }}
group by {% for col in columns %}{{ col }}{{ ", " if not loop.last }}{% endfor %}
having
    count({{ column_name }}) < count(*)
    or abs(sum({{ column_name }}) - 1.0) > {{ tolerance }}
{% endtest %}
