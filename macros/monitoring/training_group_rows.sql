{#- How many training-split examples each model spec and group has (before
    rare-value filtering): the denominator of a category's training frequency
    (fit_category_levels) and of its share before handling (eda_rare_values). -#}
{% macro training_group_rows() -%}
    select
        model_name,
        group_id,
        count(*) as n_group_rows
    from {{ ref('int_training_examples') }}
    where split = 'train'
    group by model_name, group_id
{%- endmacro %}
