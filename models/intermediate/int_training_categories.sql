{#- One row per (example, categorical feature column) with a value: the raw
    value and its percent-encoded form (the one-hot column name's suffix). -#}
{%- set specs = warehouse_ml.model_specs() %}
{%- set inputs = warehouse_ml.spec_inputs(specs, 'categorical') %}

with examples as (select * from {{ ref('int_training_examples') }}),

{%- for spec in specs %}

raw_{{ loop.index }} as (
    select * from {{ ref(spec['source']) }}
    where {{ warehouse_ml.spec_training_filter(spec) }}
),
{%- endfor %}

unpivoted as (
    {%- set string = dbt.type_string() %}
    {%- call(input, i) warehouse_ml.union_or_empty(
        inputs, [['model_name', string], ['entity_id', string], ['column_name', string], ['category', string]]
    ) %}
    select
        cast({{ warehouse_ml.quote_literal(input['spec']['name']) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ input['spec']['entity_key'] }} as {{ dbt.type_string() }}) as entity_id,
        cast({{ warehouse_ml.quote_literal(input['column']) }} as {{ dbt.type_string() }}) as column_name,
        cast({{ input['column'] }} as {{ dbt.type_string() }}) as category
    from raw_{{ input['spec_index'] }}
    where {{ input['column'] }} is not null
    {%- endcall %}
),

encoded_values as (
    {{ warehouse_ml.percent_encoded_values('unpivoted') }}
),

categories as (
    select
        examples.model_name,
        examples.entity_id,
        examples.group_id,
        examples.split,
        unpivoted.column_name,
        unpivoted.category,
        encoded_values.encoded_value
    from unpivoted
    inner join examples on {{ warehouse_ml.keys_match('unpivoted', 'examples', ['model_name', 'entity_id']) }}
    inner join encoded_values
        on {{ warehouse_ml.keys_match('unpivoted', 'encoded_values', ['column_name', 'category']) }}
)

select * from categories
