{#- Every training example's numeric input values with its spec, group and
    split (before rare-value filtering): what the EDA checks on numbers
    (coefficient of variation, IQR outliers) read. -#}
{% macro training_numeric_by_split() -%}
    select
        model_name,
        group_id,
        split,
        column_name as feature,
        value as feature_value
    from {{ ref('int_training_numeric') }}
{%- endmacro %}
