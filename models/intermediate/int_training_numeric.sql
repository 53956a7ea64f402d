{#- One row per (example, numeric feature): its group and split, its feature
    index (numeric inputs come first, in the spec's order, upstream relations'
    columns after the source's), its column name and its value (NULL =
    missing). The group and split ride along so the numeric bins and the EDA
    read them without joining the examples back (on Trino each such join in a
    query is its own hash table). -#}
{%- set inputs = warehouse_ml.spec_inputs(warehouse_ml.model_specs(), 'numeric') %}

with examples as (select * from {{ ref('int_training_examples') }}),

numeric_values as (
    {%- set string = dbt.type_string() %}
    {%- call(input, i) warehouse_ml.union_or_empty(inputs, [
        ['model_name', string], ['entity_id', string], ['group_id', string], ['split', string],
        ['feature_index', 'integer'], ['column_name', string], ['value', 'double'],
    ]) %}
    {%- set spec = input['spec'] %}
    {%- set upstream = input['upstream'] %}
    {#- Upstream aggregates may lack an entity (left join: missing); source rows
        must be the accepted ones the example came from. -#}
    {%- set joined = ref(upstream['relation']) if upstream else ref(spec['source']) %}
    {%- set joined_key = upstream['key'] if upstream else spec['entity_key'] %}
    {%- set accepted = '' if upstream else 'and source_rows.reject_reason is null' %}
    select
        examples.model_name,
        examples.entity_id,
        examples.group_id,
        examples.split,
        {{ input['position'] }} as feature_index,
        cast({{ warehouse_ml.quote_literal(input['column']) }} as {{ dbt.type_string() }}) as column_name,
        cast(source_rows.{{ input['column'] }} as double) as value
    from examples
    {{ 'left' if upstream else 'inner' }} join {{ joined }} as source_rows
        on
            examples.entity_id = cast(source_rows.{{ joined_key }} as {{ dbt.type_string() }})
            {{ accepted }}
    where examples.model_name = {{ warehouse_ml.quote_literal(spec['name']) }}
    {%- endcall %}
),

final as (
    select
        model_name,
        entity_id,
        group_id,
        split,
        cast(feature_index as integer) as feature_index,
        column_name,
        value
    from numeric_values
)

select * from final
