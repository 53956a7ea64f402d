{#- Fails for every row where the SQL boolean `expression` is not true (false
    or NULL). The expression is written by the project in YAML, not by users.
    Plain SQL: DuckDB and Trino. -#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)
{% endtest %}
