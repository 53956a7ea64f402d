{#- One row per training example of every model spec (model_specs/): its
    entity, its group (one model per group), its label as text and its split.
    The seed's Athena extraction, for any source a spec names. -#}
{%- set specs = warehouse_ml.model_specs() %}
{%- for spec in specs %}
-- depends_on: {{ ref(spec['source']) }}
{%- for upstream in spec['features']['upstream'] %}
-- depends_on: {{ ref(upstream['relation']) }}
{%- endfor %}
{%- do warehouse_ml.check_spec_columns(spec) %}
{%- endfor %}

with examples as (
    {%- set string = dbt.type_string() %}
    {%- call(spec, i) warehouse_ml.union_or_empty(specs, [
        ['model_name', string], ['entity_id', string], ['group_id', string], ['label_value', string], ['split', string],
    ]) %}
    select
        cast({{ warehouse_ml.quote_literal(spec['name']) }} as {{ dbt.type_string() }}) as model_name,
        cast({{ spec['entity_key'] }} as {{ dbt.type_string() }}) as entity_id,
        {{ warehouse_ml.spec_group_id(spec) }} as group_id,
        {{ warehouse_ml.spec_label_value(spec) }} as label_value,
        {{ warehouse_ml.spec_split(spec) }} as split
    from {{ ref(spec['source']) }}
    where {{ warehouse_ml.spec_training_filter(spec) }}
    {%- endcall %}
)

select * from examples
