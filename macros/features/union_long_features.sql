{#- The union of relations in long feature form (model_name, <id>,
    feature_index, value) with the types every reader expects: training and
    scoring features are built from the same parts (numeric inputs, one-hot
    columns, explicit vectors). -#}
{% macro union_long_features(relations, id_column) -%}
    {%- for relation in relations %}
    select
        model_name,
        {{ id_column }},
        cast(feature_index as integer) as feature_index,
        cast(value as double) as value
    from {{ relation }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}
