{#- The distinct (column_name, category) pairs of a long category relation
    with their percent-encoded form. Encoding runs on distinct values only, so
    it stays cheap on big inputs. -#}
{% macro percent_encoded_values(relation) -%}
    with distinct_values as (
        select distinct
            column_name,
            category
        from {{ relation }}
    )

    select
        column_name,
        category,
        {{ warehouse_ml.percent_encode('category') }} as encoded_value
    from distinct_values
{%- endmacro %}
