{#- Fails for every row where `total` differs from the sum of `parts` (e.g.
    rows_read = rows_accepted + rows_rejected), or where any of them is NULL.
    Plain SQL: runs on DuckDB and Trino. -#}
{% test row_counts_reconcile(model, total, parts) %}
    {%- set parts = [parts] if parts is string else parts -%}
    {%- if not parts -%}
        {{ exceptions.raise_compiler_error("row_counts_reconcile: `parts` needs at least one column") }}
    {%- endif %}

select *
from {{ model }}
where
    {{ total }} is null
    {%- for col in parts %}
    or {{ col }} is null
    {%- endfor %}
    or {{ total }} <> {% for col in parts %}{{ col }}{{ " + " if not loop.last }}{% endfor %}
{% endtest %}
