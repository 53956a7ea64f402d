{#- Fails for every non-NULL value of the column outside the range from
    `min_value` to `max_value`. Bounds are included unless `min_inclusive` /
    `max_inclusive` is false; either bound may be left out. Plain SQL: DuckDB
    and Trino. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, min_inclusive=true, max_inclusive=true) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error("accepted_range: give min_value, max_value or both") }}
    {%- endif -%}
    {%- for bound in [min_value, max_value] if bound is not none and bound is not number -%}
        {{ exceptions.raise_compiler_error("accepted_range: bounds must be numbers, got " ~ bound) }}
    {%- endfor %}

select *
from {{ model }}
where
    {{ column_name }} is not null
    and (
        false
        {%- if min_value is not none %}
        or {{ column_name }} {{ "<" if min_inclusive else "<=" }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
        or {{ column_name }} {{ ">" if max_inclusive else ">=" }} {{ max_value }}
        {%- endif %}
    )
{% endtest %}
