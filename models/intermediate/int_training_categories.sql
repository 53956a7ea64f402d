{#- One row per (example, categorical feature column) with a value: the raw
    value and its percent-encoded form (the one-hot column name's suffix). -#}
{%- set specs = warehouse_ml.model_specs() %}

with examples as (
    select * from {{ ref('int_training_examples') }}
),

{%- for spec in specs %}

raw_{{ loop.index }} as (
    select * from {{ ref(spec['source']) }}
    where {{ warehouse_ml.spec_training_filter(spec) }}
),
{%- endfor %}

unpivoted as (
    {%- for spec in specs %}
    {%- set outer = loop %}
    {%- for column in spec['features']['categorical'] %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ spec['entity_key'] }} as {{ dbt.type_string() }}) as entity_id,
        cast({{ warehouse_ml.quote_literal(column) }} as {{ dbt.type_string() }}) as column_name,
        cast({{ column }} as {{ dbt.type_string() }}) as category
    from raw_{{ outer.index }}
    where {{ column }} is not null
    {{ "union all" if not (loop.last and outer.last) }}
    {%- endfor %}
    {%- endfor %}
    {%- if not specs or (specs | map(attribute='features') | map(attribute='categorical') | sum(start=[])) | length == 0 %}
    select
        cast(null as {{ dbt.type_string() }}) as model_name,
        cast(null as {{ dbt.type_string() }}) as entity_id,
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as category
    where false
    {%- endif %}
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
    inner join examples
        on
            unpivoted.model_name = examples.model_name
            and unpivoted.entity_id = examples.entity_id
    inner join encoded_values
        on
            unpivoted.column_name = encoded_values.column_name
            and unpivoted.category = encoded_values.category
)

select * from categories
