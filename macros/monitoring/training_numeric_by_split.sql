{#- Every training example's numeric input values with its spec, group and
    split (before rare-value filtering): what the EDA checks on numbers
    (coefficient of variation, IQR outliers) read. -#}
{% macro training_numeric_by_split() -%}
    select
        examples.model_name,
        examples.group_id,
        examples.split,
        numeric_values.column_name as feature,
        numeric_values.value as feature_value
    from {{ ref('int_training_numeric') }} as numeric_values
    inner join {{ ref('int_training_examples') }} as examples
        on
            numeric_values.model_name = examples.model_name
            and numeric_values.entity_id = examples.entity_id
{%- endmacro %}
