{#- Long form of the categorical feature columns of `relation`: one row per
    (row, column) with a value, plus its percent-encoded form. Encoding runs
    on the distinct values only, so it stays cheap on big inputs. -#}
{% macro unpivot_categories(relation, id_column, extra_columns=[]) -%}
    {%- set columns = warehouse_ml.categorical_feature_columns() -%}
    with unpivoted as (
        {%- for col in columns %}
        select
            {{ id_column }},
            campaign_id,
            {%- for extra in extra_columns %}
            {{ extra }},
            {%- endfor %}
            cast('{{ col }}' as {{ dbt.type_string() }}) as column_name,
            {{ col }} as category
        from {{ relation }}
        where {{ col }} is not null
        {{ "union all" if not loop.last }}
        {%- endfor %}
    ),

    distinct_values as (
        select distinct
            column_name,
            category
        from unpivoted
    ),

    encoded_values as (
        select
            column_name,
            category,
            {{ warehouse_ml.percent_encode('category') }} as encoded_value
        from distinct_values
    )

    select
        unpivoted.*,
        encoded_values.encoded_value
    from unpivoted
    inner join encoded_values
        on
            unpivoted.column_name = encoded_values.column_name
            and unpivoted.category = encoded_values.category
{%- endmacro %}
