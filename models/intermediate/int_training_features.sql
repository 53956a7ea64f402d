{#- Model inputs in long form (model_name, entity_id, feature_index, value):
    one row per numeric input (NULL = missing) and one per lit one-hot column
    (absent = 0). Long form keeps the SQL independent of the vocabulary, which
    is data, and of the spec's columns. -#}

with labelled as (select * from {{ ref('int_training_labelled') }}),

categories as (
    select
        categories.model_name,
        categories.entity_id,
        categories.group_id,
        labelled.fitted_state_id,
        categories.column_name,
        categories.category
    from {{ ref('int_training_categories') }} as categories
    inner join labelled on {{ warehouse_ml.keys_match('categories', 'labelled', ['model_name', 'entity_id']) }}
),

onehot as (
    {{ warehouse_ml.encode_onehot('categories', 'entity_id') }}
),

numeric as (
    select
        numeric_values.model_name,
        numeric_values.entity_id,
        numeric_values.feature_index,
        numeric_values.value
    from {{ ref('int_training_numeric') }} as numeric_values
    inner join labelled on {{ warehouse_ml.keys_match('numeric_values', 'labelled', ['model_name', 'entity_id']) }}
),

final as (
    {{- warehouse_ml.union_long_features(['numeric', 'onehot'], 'entity_id') }}
)

select * from final
